/* SPDX-License-Identifier: MIT */
/* Status rows from any backend, printed as a table or as the core's JSON schema. */
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "status.h"

static const char *const state_names[GX_STATE_MAX] = {
	[GX_STATE_STARTING] = "STARTING", [GX_STATE_RUNNING] = "RUNNING",
	[GX_STATE_BACKOFF] = "BACKOFF",	  [GX_STATE_STOPPING] = "STOPPING",
	[GX_STATE_STOPPED] = "STOPPED",	  [GX_STATE_EXITED] = "EXITED",
	[GX_STATE_FATAL] = "FATAL",	  [GX_STATE_UNKNOWN] = "UNKNOWN",
};

const char *gx_state_name(enum gx_state state)
{
	if ((unsigned)state >= GX_STATE_MAX)
		return "UNKNOWN";
	return state_names[state];
}

/*
 * The JSON schema has seven states.  A process a backend cannot account
 * for (a program supervisord has not loaded, a unit systemd does not know)
 * is not running as far as anyone can tell: STOPPED.  The table keeps the
 * backend's UNKNOWN, with its detail.
 */
static const char *status_schema_state(enum gx_state state)
{
	return (unsigned)state >= GX_STATE_UNKNOWN ? "STOPPED" : state_names[state];
}

/* strdup that keeps NULL as NULL; sets *failed on ENOMEM. */
static char *status_dup(const char *s, bool *failed)
{
	char *copy;

	if (!s)
		return NULL;
	copy = strdup(s);
	if (!copy)
		*failed = true;
	return copy;
}

static void status_entry_release(struct gx_status_entry *e)
{
	free(e->instance);
	free(e->service);
	free(e->name);
	free(e->log);
	free(e->detail);
}

int gx_status_add(struct gx_status *st, const struct gx_status_row *row)
{
	struct gx_status_entry e = { 0 };
	bool failed = false;

	if (st->n == st->alloc) {
		size_t alloc = st->alloc ? st->alloc * 2 : 8;
		struct gx_status_entry *grown = realloc(st->rows, alloc * sizeof(*grown));

		if (!grown)
			return -ENOMEM;
		st->rows = grown;
		st->alloc = alloc;
	}
	e.instance = status_dup(row->instance, &failed);
	e.service = status_dup(row->service, &failed);
	e.name = status_dup(row->name, &failed);
	e.log = status_dup(row->log, &failed);
	e.detail = status_dup(row->detail, &failed);
	if (failed) {
		status_entry_release(&e);
		return -ENOMEM;
	}
	e.state = row->state;
	e.pid = row->pid;
	e.uptime_s = row->uptime_s;
	e.restarts = row->restarts;
	e.exit_status = row->exit_status;
	e.rss_kb = row->rss_kb;
	st->rows[st->n++] = e;
	return 0;
}

static void status_format_uptime(double s, char *buf, size_t len)
{
	long t = (long)s;

	/* As Python prints a timedelta, which is what supervisorctl shows. */
	if (t >= 86400)
		snprintf(buf, len, "%ld day%s, %ld:%02ld:%02ld", t / 86400, t < 2 * 86400 ? "" : "s",
			 t % 86400 / 3600, t % 3600 / 60, t % 60);
	else
		snprintf(buf, len, "%ld:%02ld:%02ld", t / 3600, t % 3600 / 60, t % 60);
}

/* supervisorctl's STOPPED_STATES: a program on its way up (or down) still counts as running. */
bool gx_status_any_stopped(const struct gx_status *st)
{
	for (size_t i = 0; i < st->n; i++)
		switch (st->rows[i].state) {
		case GX_STATE_STOPPED:
		case GX_STATE_EXITED:
		case GX_STATE_FATAL:
		case GX_STATE_UNKNOWN:
			return true;
		default:
			if ((unsigned)st->rows[i].state >= GX_STATE_MAX)
				return true;
		}
	return false;
}

void gx_status_print_table(const struct gx_status *st, FILE *out)
{
	int width = 32;

	for (size_t i = 0; i < st->n; i++) {
		int len = st->rows[i].name ? (int)strlen(st->rows[i].name) : 0;

		if (len + 1 > width)
			width = len + 1;
	}
	for (size_t i = 0; i < st->n; i++) {
		const struct gx_status_entry *e = &st->rows[i];
		char uptime[64], name[256], detail[1024];

		/* A row is one line, whatever a process manager put into it. */
		fprintf(out, "%-*s %-10s", width, gx_escape(e->name ? e->name : "", name, sizeof(name)),
			gx_state_name(e->state));
		if (e->detail) {
			fprintf(out, " %s", gx_escape(e->detail, detail, sizeof(detail)));
		} else if (e->pid > 0) {
			fprintf(out, " pid %ld", e->pid);
			if (e->uptime_s >= 0) {
				status_format_uptime(e->uptime_s, uptime, sizeof(uptime));
				fprintf(out, ", uptime %s", uptime);
			}
		}
		fputc('\n', out);
	}
}

static json_t *status_json_str(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *status_entry_json(const struct gx_status_entry *e)
{
	json_t *o = json_object();

	if (!o)
		return NULL;
	if (json_object_set_new(o, "instance", status_json_str(e->instance)) ||
	    json_object_set_new(o, "service", status_json_str(e->service)) ||
	    json_object_set_new(o, "name", status_json_str(e->name)) ||
	    json_object_set_new(o, "state", json_string(status_schema_state(e->state))) ||
	    json_object_set_new(o, "pid", json_integer(e->pid > 0 ? e->pid : 0)) ||
	    json_object_set_new(o, "uptime_s",
				e->uptime_s >= 0 ? json_real(e->uptime_s) : json_null()) ||
	    json_object_set_new(o, "restarts",
				e->restarts >= 0 ? json_integer(e->restarts) : json_null()) ||
	    json_object_set_new(o, "exit_status",
				e->exit_status >= 0 ? json_integer(e->exit_status) : json_null()) ||
	    json_object_set_new(o, "log", status_json_str(e->log)) ||
	    (e->rss_kb >= 0 && json_object_set_new(o, "rss_kb", json_integer(e->rss_kb)))) {
		json_decref(o);
		return NULL;
	}
	return o;
}

int gx_status_print_json(const struct gx_status *st, FILE *out)
{
	json_t *arr = json_array();
	int r = 0;

	if (!arr)
		return -ENOMEM;
	for (size_t i = 0; i < st->n && r == 0; i++)
		if (json_array_append_new(arr, status_entry_json(&st->rows[i])) < 0)
			r = -ENOMEM;
	if (r == 0 && json_dumpf(arr, out, JSON_INDENT(2)) < 0)
		r = -EIO;
	if (r == 0)
		fputc('\n', out);
	json_decref(arr);
	return r;
}

void gx_status_release(struct gx_status *st)
{
	for (size_t i = 0; i < st->n; i++)
		status_entry_release(&st->rows[i]);
	free(st->rows);
	memset(st, 0, sizeof(*st));
}
