/* SPDX-License-Identifier: MIT */
/* Status rows from any backend, printed as a table or as the core's JSON schema. */
#ifndef GX_STATUS_H
#define GX_STATUS_H

#include <stdbool.h>
#include <stdio.h>

#include "galaxyctl/plugin.h"

struct gx_status_entry {
	char *instance;
	char *service;
	char *name;
	enum gx_state state;
	long pid;
	double uptime_s;
	long restarts;
	int exit_status;
	char *log;
	long rss_kb;
	char *detail;
};

/* Zero-initialise; release with gx_status_release(). */
struct gx_status {
	struct gx_status_entry *rows;
	size_t n;
	size_t alloc;
};

/* Copy a row in.  -ENOMEM on failure. */
int gx_status_add(struct gx_status *st, const struct gx_status_row *row);
/* Is any row STOPPED, EXITED, FATAL or UNKNOWN (what makes supervisorctl's status exit 3)? */
bool gx_status_any_stopped(const struct gx_status *st);
/* "RUNNING" ... ; "UNKNOWN" for out-of-range values. */
const char *gx_state_name(enum gx_state state);
/* A supervisorctl-like table: name, state, "pid N, uptime H:MM:SS". */
void gx_status_print_table(const struct gx_status *st, FILE *out);
/*
 * A JSON array with one object per row: instance, service, name, state,
 * pid, uptime_s, restarts, exit_status, log (null where unknown), plus
 * rss_kb when the backend knows it.  -ENOMEM on failure.
 */
int gx_status_print_json(const struct gx_status *st, FILE *out);
void gx_status_release(struct gx_status *st);

#endif
