/* SPDX-License-Identifier: MIT */
/* What the direct manager runs: one program per service process, and its JSON form. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "program.h"

char **direct_strv_dup(char *const *v, size_t n)
{
	char **copy;

	if (n == (size_t)-1)
		for (n = 0; v && v[n]; n++)
			;
	copy = calloc(n + 1, sizeof(*copy));
	if (!copy)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		copy[i] = strdup(v[i]);
		if (!copy[i]) {
			direct_strv_free(copy);
			return NULL;
		}
	}
	return copy;
}

void direct_strv_free(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

void direct_spec_free(struct direct_spec *spec)
{
	if (!spec)
		return;
	free(spec->name);
	free(spec->instance);
	free(spec->service);
	direct_strv_free(spec->argv);
	direct_strv_free(spec->env);
	direct_strv_free(spec->ready_argv);
	free(spec->cwd);
	free(spec->log);
	free(spec->groups);
	free(spec);
}

static json_t *program_strv_json(char *const *v)
{
	json_t *a = json_array();

	for (size_t i = 0; a && v && v[i]; i++)
		if (json_array_append_new(a, json_string(v[i])) < 0) {
			json_decref(a);
			return NULL;
		}
	return a;
}

json_t *direct_spec_to_json(const struct direct_spec *s)
{
	json_t *groups = json_array();
	json_t *o;

	for (size_t i = 0; groups && i < s->n_groups; i++)
		if (json_array_append_new(groups, json_integer(s->groups[i])) < 0) {
			json_decref(groups);
			groups = NULL;
		}
	if (!groups)
		return NULL;
	o = json_pack("{s:s, s:s, s:s, s:I, s:o, s:o, s:s, s:I, s:I, s:I, s:s, s:I, s:I, s:I,"
		      " s:b, s:I, s:I, s:o, s:I, s:I}",
		      "name", s->name, "instance", s->instance, "service", s->service,
		      "process", (json_int_t)s->process, "argv", program_strv_json(s->argv),
		      "env", program_strv_json(s->env), "cwd", s->cwd, "umask", (json_int_t)s->umask,
		      "start_timeout", (json_int_t)s->start_timeout,
		      "stop_timeout", (json_int_t)s->stop_timeout, "log", s->log,
		      "log_max_bytes", (json_int_t)s->log_max_bytes,
		      "log_backups", (json_int_t)s->log_backups,
		      "start_retries", (json_int_t)s->start_retries, "set_user", s->set_user,
		      "uid", (json_int_t)s->uid, "gid", (json_int_t)s->gid, "groups", groups,
		      "memory_limit_kb", (json_int_t)s->memory_limit_kb,
		      "memory_high_kb", (json_int_t)s->memory_high_kb);
	if (o && s->ready_argv &&
	    json_object_set_new(o, "ready_argv", program_strv_json(s->ready_argv)) < 0) {
		json_decref(o);
		o = NULL;
	}
	return o;
}

/* A NULL-terminated vector from an array of strings; NULL when it is not one. */
static char **program_json_strv(const json_t *a, bool *oom)
{
	char **v;
	size_t n = json_array_size(a);

	if (!json_is_array(a))
		return NULL;
	v = calloc(n + 1, sizeof(*v));
	if (!v) {
		*oom = true;
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		const char *s = json_string_value(json_array_get(a, i));

		v[i] = s ? strdup(s) : NULL;
		if (!v[i]) {
			*oom = s != NULL;
			direct_strv_free(v);
			return NULL;
		}
	}
	return v;
}

static int program_fail(char *why, size_t len, const char *what)
{
	snprintf(why, len, "invalid program: %s", what);
	return -EINVAL;
}

int direct_spec_from_json(const json_t *obj, struct direct_spec **ret, char *why, size_t len)
{
	const char *name = NULL, *instance = NULL, *service = NULL, *cwd = NULL, *log = NULL;
	json_int_t process = 0, umask = 022, start_timeout = 0, stop_timeout = 0;
	json_int_t log_max_bytes = 0, log_backups = 0, start_retries = 3, uid = -1, gid = -1;
	json_int_t mem_limit = 0, mem_high = 0;
	json_t *argv = NULL, *env = NULL, *groups = NULL, *ready;
	int set_user = 0;
	json_error_t jerr;
	struct direct_spec *s;
	bool oom = false;

	if (json_unpack_ex((json_t *)obj, &jerr, 0,
			   "{s:s, s:s, s:s, s?I, s:o, s:o, s:s, s?I, s?I, s?I, s:s, s?I, s?I, s?I,"
			   " s?b, s?I, s?I, s?o, s?I, s?I}",
			   "name", &name, "instance", &instance, "service", &service,
			   "process", &process, "argv", &argv, "env", &env, "cwd", &cwd,
			   "umask", &umask, "start_timeout", &start_timeout,
			   "stop_timeout", &stop_timeout, "log", &log, "log_max_bytes", &log_max_bytes,
			   "log_backups", &log_backups, "start_retries", &start_retries,
			   "set_user", &set_user, "uid", &uid, "gid", &gid, "groups", &groups,
			   "memory_limit_kb", &mem_limit, "memory_high_kb", &mem_high) < 0) {
		snprintf(why, len, "invalid program: %s", jerr.text);
		return -EINVAL;
	}
	if (!*name || json_array_size(argv) == 0)
		return program_fail(why, len, "empty name or command");
	/* The core allows none: a "/" would lead the log (named after it) out of its directory. */
	if (strchr(name, '/'))
		return program_fail(why, len, "a program name with \"/\"");
	if (process < 0 || umask < 0 || umask > 0777 || start_timeout < 0 || stop_timeout < 0 ||
	    log_max_bytes < 0 || log_backups < 0 || log_backups > 1000 || start_retries < 0 ||
	    mem_limit < 0 || mem_high < 0)
		return program_fail(why, len, "a number is out of range");
	if (groups && !json_is_array(groups))
		return program_fail(why, len, "groups is not a list");
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->name = strdup(name);
	s->instance = strdup(instance);
	s->service = strdup(service);
	s->cwd = strdup(cwd);
	s->log = strdup(log);
	s->argv = program_json_strv(argv, &oom);
	s->env = program_json_strv(env, &oom);
	s->n_groups = json_array_size(groups);
	s->groups = calloc(s->n_groups + 1, sizeof(*s->groups));
	if (!s->name || !s->instance || !s->service || !s->cwd || !s->log || !s->groups || oom) {
		direct_spec_free(s);
		return -ENOMEM;
	}
	if (!s->argv || !s->env) {
		direct_spec_free(s);
		return program_fail(why, len, "argv and env must be lists of strings");
	}
	ready = json_object_get(obj, "ready_argv");
	if (ready) {
		s->ready_argv = json_array_size(ready) ? program_json_strv(ready, &oom) : NULL;
		if (!s->ready_argv) {
			direct_spec_free(s);
			return oom ? -ENOMEM : program_fail(why, len, "ready_argv is not a list of strings");
		}
	}
	for (size_t i = 0; i < s->n_groups; i++)
		s->groups[i] = (gid_t)json_integer_value(json_array_get(groups, i));
	s->process = (unsigned)process;
	s->umask = (unsigned)umask;
	s->start_timeout = (long)start_timeout;
	s->stop_timeout = (long)stop_timeout;
	s->log_max_bytes = log_max_bytes;
	s->log_backups = (unsigned)log_backups;
	s->start_retries = (unsigned)start_retries;
	s->set_user = set_user;
	s->uid = (uid_t)uid;
	s->gid = (gid_t)gid;
	s->memory_limit_kb = mem_limit;
	s->memory_high_kb = mem_high;
	*ret = s;
	return 0;
}

static bool program_strv_equal(char *const *a, char *const *b)
{
	size_t i;

	for (i = 0; a[i] && b[i]; i++)
		if (strcmp(a[i], b[i]) != 0)
			return false;
	return !a[i] && !b[i];
}

bool direct_spec_same_exec(const struct direct_spec *a, const struct direct_spec *b)
{
	return program_strv_equal(a->argv, b->argv) && program_strv_equal(a->env, b->env) &&
	       strcmp(a->cwd, b->cwd) == 0 && a->umask == b->umask &&
	       a->set_user == b->set_user && a->uid == b->uid && a->gid == b->gid &&
	       a->n_groups == b->n_groups &&
	       (a->n_groups == 0 || memcmp(a->groups, b->groups, a->n_groups * sizeof(gid_t)) == 0);
}
