/* SPDX-License-Identifier: MIT */
/* The direct backend's status rows (with each process group's memory), and its tables. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "children.h"
#include "cli.h"
#include "proc.h"

/* ---------------------------------------------------------------------- */
/* status */

/* Resident memory of whole process groups (a gunicorn and its workers), from /proc. */
/* Why a program last exited, from the manager's exit_status (a code, or 128 + a signal). */
static void direct_exit_text(int exit_status, char *buf, size_t len)
{
	const char *sig = exit_status > 128 ? sigabbrev_np(exit_status - 128) : NULL;

	if (sig)
		snprintf(buf, len, "exit: killed by SIG%s", sig);
	else
		snprintf(buf, len, "exit: status %d", exit_status);
}

static void direct_group_rss(const pid_t *pgids, long *rss_kb, size_t n)
{
	DIR *d = opendir("/proc");
	struct dirent *e;

	for (size_t i = 0; i < n; i++)
		rss_kb[i] = pgids[i] > 0 ? 0 : -1;
	if (!d)
		return;
	while ((e = readdir(d))) {
		struct direct_procstat st;

		if (e->d_name[0] < '0' || e->d_name[0] > '9' ||
		    direct_proc_stat((pid_t)strtol(e->d_name, NULL, 10), &st) < 0)
			continue;
		for (size_t i = 0; i < n; i++)
			if (pgids[i] > 0 && pgids[i] == st.pgrp)
				rss_kb[i] += st.rss_kb;
	}
	closedir(d);
}

/* "H:MM:SS", or "N days, H:MM:SS", as supervisorctl shows uptimes. */
static void direct_uptime_text(double s, char *buf, size_t len)
{
	long t = (long)s;

	if (t >= 86400)
		snprintf(buf, len, "%ld days, %ld:%02ld:%02ld", t / 86400, t % 86400 / 3600,
			 t % 3600 / 60, t % 60);
	else
		snprintf(buf, len, "%ld:%02ld:%02ld", t / 3600, t % 3600 / 60, t % 60);
}

/*
 * Without a manager: the processes its children record proves still
 * running (same boot, pid and start time) since it died without stopping
 * them, into pids and their uptimes (left 0 and -1 for the others).
 * Returns how many, for the hint; the record is only read.
 */
static size_t direct_orphans(const struct direct_group *g, const struct direct_procs *ps,
			     pid_t *pids, double *uptimes)
{
	struct direct_children c;
	char boot_id[DIRECT_BOOT_ID_LEN + 1];
	double now = -1, tick = (double)sysconf(_SC_CLK_TCK);
	size_t found = 0;
	FILE *f;

	if (direct_boot_id(boot_id) < 0 || direct_children_read(g->paths.children, &c, NULL, NULL) < 0)
		return 0;
	f = fopen("/proc/uptime", "re");
	if (f && fscanf(f, "%lf", &now) != 1)
		now = -1;
	if (f)
		fclose(f);
	for (size_t i = 0; i < ps->n; i++) {
		uint64_t key = direct_children_key(ps->v[i].name);

		for (size_t j = 0; j < c.n; j++) {
			if (c.v[j].key != key || !direct_children_alive(&c, &c.v[j], boot_id))
				continue;
			pids[i] = c.v[j].pid;
			uptimes[i] = now >= 0 && tick > 0 ? now - (double)c.v[j].starttime / tick : -1;
			found++;
			break;
		}
	}
	direct_children_release(&c);
	return found;
}

static enum gx_state direct_state_parse(const char *s)
{
	static const char *const names[] = {
		[GX_STATE_STARTING] = "STARTING", [GX_STATE_RUNNING] = "RUNNING",
		[GX_STATE_BACKOFF] = "BACKOFF",   [GX_STATE_STOPPING] = "STOPPING",
		[GX_STATE_STOPPED] = "STOPPED",   [GX_STATE_EXITED] = "EXITED",
		[GX_STATE_FATAL] = "FATAL",
	};

	for (int i = 0; s && i < GX_STATE_UNKNOWN; i++)
		if (strcmp(names[i], s) == 0)
			return (enum gx_state)i;
	return GX_STATE_UNKNOWN;
}

int direct_status_group(const struct direct_ctx *x, struct direct_group *g,
			struct gx_status *st)
{
	struct direct_procs ps = { 0 };
	json_t *reply = NULL;
	pid_t *pgids = NULL;
	long *rss = NULL;
	double *orphan_uptimes = NULL;
	size_t n_orphans = 0;
	int r = direct_group_procs(x, g, false, NULL, &ps);
	bool running = false;

	if (r == 0)
		r = direct_connect(x, g, &running);
	if (r == 0 && running)
		r = direct_call(x, g, direct_op("status", NULL), 10000, &reply);
	if (r == 0) {
		pgids = calloc(ps.n + 1, sizeof(*pgids));
		rss = calloc(ps.n + 1, sizeof(*rss));
		orphan_uptimes = calloc(ps.n + 1, sizeof(*orphan_uptimes));
		if (!pgids || !rss || !orphan_uptimes)
			r = direct_oom(x);
	}
	for (size_t i = 0; r == 0 && i < ps.n; i++)
		pgids[i] = (pid_t)json_integer_value(
			json_object_get(direct_reply_find(reply, ps.v[i].name), "pid"));
	if (r == 0 && !running)
		n_orphans = direct_orphans(g, &ps, pgids, orphan_uptimes);
	if (r == 0 && !running && n_orphans > 0)
		x->h->log(GX_LOG_WARNING, "The direct manager of %s is gone, but %zu process%s it started "
			  "still run%s unsupervised (ORPHANED below): `galaxyctl start` stops them and "
			  "starts afresh", g->state_dir, n_orphans, n_orphans == 1 ? "" : "es",
			  n_orphans == 1 ? "s" : "");
	else if (r == 0 && !running)
		x->h->log(GX_LOG_INFO, "The direct manager is not running (%s)", g->state_dir);
	if (r == 0)
		direct_group_rss(pgids, rss, ps.n);
	for (size_t i = 0; r == 0 && i < ps.n; i++) {
		json_t *p = direct_reply_find(reply, ps.v[i].name);
		bool orphan = !running && pgids[i] > 0;
		enum gx_state state = p ? direct_state_parse(json_string_value(json_object_get(p, "state")))
				      : orphan ? GX_STATE_RUNNING
					       : GX_STATE_STOPPED;
		const char *why = json_string_value(json_object_get(p, "error"));
		char detail[600];
		struct gx_status_row row = {
			.instance = ps.v[i].inst->name,
			.service = ps.v[i].svc->name,
			.name = ps.v[i].name,
			.state = state,
			.pid = pgids[i],
			.uptime_s = orphan ? orphan_uptimes[i] :
				    p && pgids[i] > 0 ? json_number_value(json_object_get(p, "uptime")) : -1,
			.restarts = p ? (long)json_integer_value(json_object_get(p, "restarts")) : -1,
			.exit_status = p ? (int)json_integer_value(json_object_get(p, "exit_status")) : -1,
			.log = ps.v[i].log,
			.rss_kb = pgids[i] > 0 ? rss[i] : -1,
		};

		if (orphan) {
			snprintf(detail, sizeof(detail), "pid %ld, ORPHANED: runs unsupervised since its "
				 "manager died (galaxyctl start stops it)", row.pid);
			row.detail = detail;
		} else if (reply && !p) {
			row.detail = "not loaded in the manager (run galaxyctl update)";
		} else if (why && (state == GX_STATE_FATAL || state == GX_STATE_BACKOFF)) {
			snprintf(detail, sizeof(detail), "%s (%lld failed start%s)", why,
				 (long long)json_integer_value(json_object_get(p, "failures")),
				 json_integer_value(json_object_get(p, "failures")) == 1 ? "" : "s");
			row.detail = detail;
		} else if (row.pid > 0 && row.restarts > 0) { /* how often it restarted, and why */
			char uptime[64], last[96];

			direct_uptime_text(row.uptime_s, uptime, sizeof(uptime));
			direct_exit_text(row.exit_status, last, sizeof(last));
			snprintf(detail, sizeof(detail), "pid %ld, uptime %s, restarts %ld, last %s",
				 row.pid, uptime, row.restarts, last);
			row.detail = detail;
		} else if (row.pid == 0 && row.exit_status >= 0 && state != GX_STATE_STOPPED) {
			char last[96];

			direct_exit_text(row.exit_status, last, sizeof(last));
			snprintf(detail, sizeof(detail), "%s%s, restarts %ld", last,
				 state == GX_STATE_EXITED || state == GX_STATE_BACKOFF ? ", restarting" : "",
				 row.restarts > 0 ? row.restarts : 0);
			row.detail = detail;
		}
		if (x->h->status_add(st, &row) < 0)
			r = direct_oom(x);
	}
	free(pgids);
	free(rss);
	free(orphan_uptimes);
	json_decref(reply);
	direct_procs_release(&ps);
	return r;
}

/* ---------------------------------------------------------------------- */
/* Output */

/* The rows of a reply, as `galaxyctl status` prints them. */
void direct_print_table(const struct gx_host *h, json_t *reply, const struct direct_procs *ps)
{
	int width = 32;

	for (size_t i = 0; i < ps->n; i++)
		if ((int)strlen(ps->v[i].name) + 1 > width)
			width = (int)strlen(ps->v[i].name) + 1;
	for (size_t i = 0; i < ps->n; i++) {
		json_t *st = direct_reply_find(reply, ps->v[i].name);
		json_int_t pid = json_integer_value(json_object_get(st, "pid"));

		h->out("%-*s %-10s", width, ps->v[i].name, direct_reply_state(reply, ps->v[i].name));
		if (pid > 0) {
			char uptime[64];

			direct_uptime_text(json_number_value(json_object_get(st, "uptime")), uptime,
					   sizeof(uptime));
			h->out(" pid %lld, uptime %s", (long long)pid, uptime);
		}
		h->out("\n");
	}
}

size_t direct_print_spawn_errors(const struct gx_host *h, json_t *reply,
				 const struct direct_procs *ps)
{
	size_t n = 0;

	for (size_t i = 0; i < ps->n; i++) {
		json_t *st = direct_reply_find(reply, ps->v[i].name);
		const char *state = direct_reply_state(reply, ps->v[i].name);
		const char *error = json_string_value(json_object_get(st, "error"));

		/* Right after a start, only a spawn that failed at once leaves it without a process. */
		if (error && (strcmp(state, "BACKOFF") == 0 || strcmp(state, "FATAL") == 0)) {
			h->log(GX_LOG_ERROR, "%s: %s", ps->v[i].name, error);
			n++;
		}
	}
	return n;
}

/* "name: stopped", as supervisorctl says it. */
void direct_print_results(const struct gx_host *h, json_t *reply,
			  const struct direct_procs *ps, const char *word)
{
	for (size_t i = 0; i < ps->n; i++) {
		const char *state = direct_reply_state(reply, ps->v[i].name);

		if (!direct_reply_find(reply, ps->v[i].name))
			h->out("%s: ERROR (no such process)\n", ps->v[i].name);
		else if (word)
			h->out("%s: %s\n", ps->v[i].name, word);
		else if (strcmp(state, "STOPPED") == 0)
			h->out("%s: stopped\n", ps->v[i].name);
		else
			h->out("%s: %s (%s)\n", ps->v[i].name, "ERROR", state);
	}
}
