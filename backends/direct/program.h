/* SPDX-License-Identifier: MIT */
/* What the direct manager runs: one program per service process, and its JSON form. */
#ifndef DIRECT_PROGRAM_H
#define DIRECT_PROGRAM_H

#include <jansson.h>
#include <stdbool.h>
#include <sys/types.h>

/*
 * Everything needed to run one process, independent of Galaxy: the CLI
 * builds it from a service, the manager only runs it.  Strings and
 * vectors are heap copies owned by the spec.
 */
struct direct_spec {
	char *name;        /* "gunicorn:gunicorn_0", unique within a manager */
	char *instance;    /* Gravity instance name */
	char *service;     /* service name ("gunicorn") */
	unsigned process;  /* index among the service's processes */
	char **argv;       /* NULL-terminated, at least one word */
	char **env;        /* NULL-terminated "K=V": the whole environment */
	char *cwd;
	unsigned umask;
	long start_timeout; /* seconds */
	long stop_timeout;  /* seconds */
	char *log;          /* log file path */
	long long log_max_bytes; /* rotate at this size; 0: never */
	unsigned log_backups;
	unsigned start_retries;
	bool set_user;      /* switch to uid/gid/groups (the manager is root) */
	uid_t uid;
	gid_t gid;
	gid_t *groups;
	size_t n_groups;
	long long memory_limit_kb; /* 0: none */
	long long memory_high_kb;  /* 0: none */
	/* Run (as the program's user, in its environment) while it is STARTING: exit 0 means it
	 * is ready, and RUNNING before start_timeout.  NULL: RUNNING after start_timeout only. */
	char **ready_argv;
};

void direct_spec_free(struct direct_spec *spec);

/* A new reference to the JSON object of spec, or NULL when out of memory. */
json_t *direct_spec_to_json(const struct direct_spec *spec);

/*
 * Parse one program object.  On failure returns -EINVAL (or -ENOMEM) and
 * writes the reason into why (size len).
 */
int direct_spec_from_json(const json_t *obj, struct direct_spec **ret, char *why, size_t len);

/* Do a and b run the same process (command, environment, directory, umask, credentials)? */
bool direct_spec_same_exec(const struct direct_spec *a, const struct direct_spec *b);

/* A NULL-terminated copy of v (n entries, or up to its NULL when n is (size_t)-1). */
char **direct_strv_dup(char *const *v, size_t n);
void direct_strv_free(char **v);

#endif
