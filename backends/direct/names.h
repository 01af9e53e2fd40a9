/* SPDX-License-Identifier: MIT */
/* Program and log file names, the supervisor backend's (upstream supervisor.py). */
#ifndef DIRECT_NAMES_H
#define DIRECT_NAMES_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Upstream's rule: instance names appear in program names when several
 * instances are loaded or the only one has a name of its own.
 */
bool direct_names_use_instance(size_t n_instances, bool only_name_is_default);

/*
 * Process i of a service with count processes: gunicorn:gunicorn_0,
 * celery; with instance names main:gunicorn0, main:celery.  Heap string,
 * NULL when out of memory.
 */
char *direct_names_program(bool use_instance, const char *instance, const char *service,
			   unsigned count, unsigned i);

/*
 * Its log file: <log_dir>/gunicorn_0.log, celery.log; with instance names
 * <log_dir>/main_galaxy_gunicorn_gunicorn_0.log (INSTANCE_galaxy_TYPE_SERVICE).
 */
char *direct_names_log(bool use_instance, const char *log_dir, const char *instance,
		       const char *type, const char *service, unsigned count, unsigned i);

#endif
