/* SPDX-License-Identifier: MIT */
/* status: supervisord's process information as the core's status rows. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sv.h"

static enum gx_state sv_gx_state(long s)
{
	switch (s) {
	case SV_STOPPED:
		return GX_STATE_STOPPED;
	case SV_STARTING:
		return GX_STATE_STARTING;
	case SV_RUNNING:
		return GX_STATE_RUNNING;
	case SV_BACKOFF:
		return GX_STATE_BACKOFF;
	case SV_STOPPING:
		return GX_STATE_STOPPING;
	case SV_EXITED:
		return GX_STATE_EXITED;
	case SV_FATAL:
		return GX_STATE_FATAL;
	default:
		return GX_STATE_UNKNOWN;
	}
}

static int sv_status_row(struct sv_ctx *c, struct gx_status *st, const struct sv_proc *p,
			 const struct sv_value *info, bool daemon_up, pid_t orphan)
{
	char orphan_detail[160];
	long state = info ? sv_value_get_int(info, "state", -1) : -1;
	const char *desc = info ? sv_value_get_str(info, "description") : NULL;
	long exitstatus = info ? sv_value_get_int(info, "exitstatus", -1) : -1;
	struct gx_status_row row = {
		.instance = p->t->svc->instance->name,
		.service = p->t->svc->name,
		.name = sv_ns(p),
		.state = info ? sv_gx_state(state) : daemon_up ? GX_STATE_UNKNOWN : GX_STATE_STOPPED,
		.pid = info ? sv_value_get_int(info, "pid", 0) : 0,
		.uptime_s = -1,
		.restarts = -1,
		.exit_status = -1,
		.log = info ? sv_value_get_str(info, "stdout_logfile") : p->t->prog.logs[p->i],
		.rss_kb = -1,
		.detail = NULL,
	};

	if (state == SV_RUNNING)
		row.uptime_s = (double)(sv_value_get_int(info, "now", 0) - sv_value_get_int(info, "start", 0));
	else if (desc && *desc)
		row.detail = desc;
	if ((state == SV_EXITED || state == SV_BACKOFF || state == SV_FATAL) && exitstatus >= 0)
		row.exit_status = (int)exitstatus;
	if (!info)
		row.detail = daemon_up ? "not known to supervisord (see `galaxyctl update`)"
				       : "supervisord is not running";
	if (!info && orphan) {
		snprintf(orphan_detail, sizeof(orphan_detail),
			 "pid %ld, ORPHANED: runs unsupervised since supervisord died "
			 "(galaxyctl start or stop stops it)", (long)orphan);
		row.state = GX_STATE_RUNNING;
		row.pid = orphan;
		row.detail = orphan_detail;
	}
	if (c->h->status_add(st, &row) < 0)
		return sv_oom(c);
	return 0;
}

int sv_op_status(struct sv_ctx *c, struct gx_status *st)
{
	struct sv_selection sel;
	struct sv_reply infos = { 0 };
	struct sv_orphans orphans = { 0 };
	struct sv_proc *procs;
	bool up = sv_daemon_running(c, NULL);
	size_t n = 0;
	int r;

	if (!up)
		c->h->log(GX_LOG_WARNING, "supervisord is not running");
	r = sv_select(c, &sel);
	if (r < 0)
		return r;
	procs = sv_procs(c, &sel, &n);
	if (!procs)
		r = sv_oom(c);
	if (r == 0 && up)
		r = sv_infos(c, &infos);
	if (r == 0 && !up)
		r = sv_orphans_find(c, &orphans);
	if (r == 0 && orphans.n)
		c->h->log(GX_LOG_WARNING, "%zu program%s that supervisord started still run%s "
			  "unsupervised (ORPHANED below): `galaxyctl start` stops them and starts afresh",
			  orphans.n, orphans.n == 1 ? "" : "s", orphans.n == 1 ? "s" : "");
	for (size_t k = 0; r == 0 && k < n; k++)
		r = sv_status_row(c, st, &procs[k], up ? sv_info_find(&infos, &procs[k]) : NULL, up,
				  sv_orphans_pid(&orphans, sv_ns(&procs[k])));
	if (up)
		sv_reply_release(&infos);
	sv_orphans_release(&orphans);
	free(procs);
	sv_selection_release(&sel);
	return r;
}

/*
 * After start, as upstream runs `supervisorctl status`: one line per
 * process of the selection, in supervisorctl's layout (name, state,
 * description).
 */
int sv_print_status(struct sv_ctx *c)
{
	struct sv_selection sel;
	struct sv_reply infos = { 0 };
	struct sv_proc *procs;
	size_t n = 0;
	int r = sv_select(c, &sel);

	if (r < 0)
		return r;
	procs = sv_procs(c, &sel, &n);
	r = procs ? sv_infos(c, &infos) : sv_oom(c);
	for (size_t k = 0; r == 0 && k < n; k++) {
		const struct sv_value *info = sv_info_find(&infos, &procs[k]);
		const char *desc = info ? sv_value_get_str(info, "description") : NULL;
		long state = info ? sv_value_get_int(info, "state", -1) : -1;

		const char *word = info ? sv_state_word(state) : "UNKNOWN";

		if (desc && *desc)
			sv_out(c, "%-32s %-10s %s\n", sv_ns(&procs[k]), word, desc);
		else
			sv_out(c, "%-32s %s\n", sv_ns(&procs[k]), word);
	}
	if (procs && r == 0)
		sv_reply_release(&infos);
	free(procs);
	sv_selection_release(&sel);
	return r;
}
