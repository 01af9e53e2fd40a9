/* SPDX-License-Identifier: MIT */
/* Program and log file names, the supervisor backend's (upstream supervisor.py). */
#ifndef DIRECT_NAMES_H
#define DIRECT_NAMES_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Upstream's rule: instance names appear in program names when several
 * instances are loaded or the only one is not called _default_.
 */
bool direct_names_use_instance(size_t n_instances, const char *only_name);

/*
 * Process i of a service with count processes: gunicorn:gunicorn_0,
 * celery; with instance names main:gunicorn0, main:celery.  Heap string,
 * NULL when out of memory.
 */
char *direct_names_program(bool use_instance, const char *instance, const char *service,
			   unsigned count, unsigned i);

/*
 * Its log file, as the supervisor backend names it: <log_dir>/gunicorn_0.log,
 * celery.log; with instance names <log_dir>/main_gunicorn_gunicorn_0.log
 * (INSTANCE_TYPE_SERVICE[_N]).
 */
char *direct_names_log(bool use_instance, const char *log_dir, const char *instance,
		       const char *type, const char *service, unsigned count, unsigned i);

#endif
