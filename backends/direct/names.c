/* SPDX-License-Identifier: MIT */
/*
 * Program and log file names, the supervisor backend's (upstream
 * supervisor.py since 1.1, which dropped config_type: <instance>_<type>_<name>).
 */
#include <stdio.h>
#include <string.h>

#include "names.h"

bool direct_names_use_instance(size_t n_instances, const char *only_name)
{
	return n_instances > 1 || (n_instances == 1 && strcmp(only_name, "_default_") != 0);
}

char *direct_names_program(bool use_instance, const char *instance, const char *service,
			   unsigned count, unsigned i)
{
	char *s = NULL;
	int r;

	if (count > 1 && use_instance)
		r = asprintf(&s, "%s:%s%u", instance, service, i);
	else if (count > 1)
		r = asprintf(&s, "%s:%s_%u", service, service, i);
	else if (use_instance)
		r = asprintf(&s, "%s:%s", instance, service);
	else
		r = asprintf(&s, "%s", service);
	return r < 0 ? NULL : s;
}

char *direct_names_log(bool use_instance, const char *log_dir, const char *instance,
		       const char *type, const char *service, unsigned count, unsigned i)
{
	char *s = NULL, suffix[16] = "";
	int r;

	if (count > 1)
		snprintf(suffix, sizeof(suffix), "_%u", i);
	if (use_instance)
		r = asprintf(&s, "%s/%s_%s_%s%s.log", log_dir, instance, type, service, suffix);
	else
		r = asprintf(&s, "%s/%s%s.log", log_dir, service, suffix);
	return r < 0 ? NULL : s;
}
