/* SPDX-License-Identifier: MIT */
/*
 * graceful: each service's own method, SIGHUP through signalProcess, a
 * restart, or Gravity's rolling restart gated on readiness.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sv.h"

static long sv_restart_timeout(struct sv_ctx *c, const struct gx_service *svc, unsigned i)
{
	const struct gx_node *n = c->h->get(svc->settings[i], "restart_timeout");

	return n && !c->h->is_null(n) ? c->h->get_int(svc->settings[i], "restart_timeout") : 300;
}

/*
 * Wait until the process answers its service's readiness check (or, for
 * services without one, until supervisord calls it RUNNING).  A FATAL
 * process fails at once.  *why gets the last reason it was not ready.
 */
static int sv_wait_ready(struct sv_ctx *c, const struct sv_proc *p, long timeout_s, char *why,
			 size_t why_len)
{
	const struct gx_service *svc = p->t->svc;
	double deadline = sv_now() + (double)timeout_s;

	for (;;) {
		char *desc = NULL;
		long state = -1;
		int r = sv_proc_state(c, p, &state, &desc);

		if (r < 0)
			return r;
		if (state == SV_FATAL || state < 0) {
			snprintf(why, why_len, "%s is %s: %s", sv_ns(p), state < 0 ? "unknown" : "FATAL",
				 desc ? desc : "");
			free(desc);
			return -EIO;
		}
		if (state == SV_RUNNING || state == SV_STARTING)
			snprintf(why, why_len, "%s is not answering yet", sv_ns(p));
		else
			snprintf(why, why_len, "%s is %s%s%s", sv_ns(p), sv_state_word(state),
				 desc && *desc ? ": " : "", desc ? desc : "");
		free(desc);
		if (svc->type->ready && (state == SV_RUNNING || state == SV_STARTING)) {
			struct gx_error probe = { 0 };
			double left = deadline - sv_now();

			r = svc->type->ready(c->h, svc, p->i, left < 5 ? (left > 0.5 ? left : 0.5) : 5,
					     &probe);
			if (r == 0)
				return 0;
			snprintf(why, why_len, "%s", probe.message);
			if (r != -EAGAIN)
				return r;
			c->h->log(GX_LOG_DEBUG, "%s@%u not ready: %s", svc->name, p->i, probe.message);
		} else if (!svc->type->ready && state == SV_RUNNING) {
			return 0;
		}
		if (sv_now() > deadline)
			return -ETIMEDOUT;
		sv_sleep(0.5);
	}
}

static int sv_stop_one(struct sv_ctx *c, const struct sv_proc *p)
{
	struct sv_param params[2] = { SV_STR(sv_ns(p)), SV_BOOLEAN(true) };
	long fault = 0;
	int r = sv_proc_call(c, sv_ns(p), "supervisor.stopProcess", params, 2,
			     (double)p->t->svc->stop_timeout + 15, "stopped", &fault);

	if (r == 0 && fault != SV_FAULT_NOT_RUNNING)
		return c->h->errorf(c->err, NULL, -EIO, "could not stop %s (see above)", sv_ns(p));
	return r < 0 ? r : 0;
}

/*
 * Gravity's rolling restart, one process at a time, each back and ready
 * before the next.  Processes found stopped are started (and not
 * restarted again); one that does not come back ends it with an error.
 */
static int sv_rolling(struct sv_ctx *c, const struct sv_target *t)
{
	const struct gx_host *h = c->h;
	const char *name = t->svc->name;
	bool *fresh = calloc(t->prog.count, sizeof(bool));
	char why[1024] = "";
	int r = 0;

	if (!fresh)
		return sv_oom(c);
	h->log(GX_LOG_INFO, "Performing rolling restart on service: %s", name);
	for (unsigned i = 0; r == 0 && i < t->prog.count; i++) {
		struct sv_proc p = { t, i };
		long state = -1;
		size_t failures = 0;

		r = sv_proc_state(c, &p, &state, NULL);
		if (r == 0 && sv_stopped_state(state)) {
			h->log(GX_LOG_INFO, "Instance %u of %s is not running, starting it", i, name);
			r = sv_start_proc(c, &p, false, &failures);
			if (r == 0 && failures)
				r = h->errorf(c->err, NULL, -EIO,
					      "Refusing to continue rolling restart, instance %u could not "
					      "be started", i);
			fresh[i] = true;
		}
		if (r == 0 && sv_wait_ready(c, &p, sv_restart_timeout(c, t->svc, i), why, sizeof(why)) < 0)
			r = h->errorf(c->err, NULL, -EIO,
				      "Refusing to continue rolling restart, instance %u check failed "
				      "before restart: %s", i, why);
	}
	for (unsigned i = 0; r == 0 && i < t->prog.count; i++) {
		struct sv_proc p = { t, i };
		long timeout = sv_restart_timeout(c, t->svc, i);
		size_t failures = 0;

		if (fresh[i])
			continue;
		h->log(GX_LOG_INFO, "Restarting %s instance %u", name, i);
		r = sv_stop_one(c, &p);
		if (r == 0)
			r = sv_start_proc(c, &p, false, &failures);
		if (r == 0 && failures)
			r = h->errorf(c->err, NULL, -EIO,
				      "Refusing to continue rolling restart, instance %u could not be "
				      "started", i);
		if (r < 0)
			break;
		h->log(GX_LOG_INFO, "Restarted %s instance %u, waiting for readiness check...", name, i);
		r = sv_wait_ready(c, &p, timeout, why, sizeof(why));
		if (r == -ETIMEDOUT)
			r = h->errorf(c->err, NULL, r,
				      "Refusing to continue rolling restart, instance failed to respond "
				      "after %ld seconds (%s)", timeout, why);
		else if (r < 0)
			r = h->errorf(c->err, NULL, r,
				      "Refusing to continue rolling restart, instance %u did not come "
				      "back: %s", i, why);
	}
	free(fresh);
	return r;
}

static int sv_sighup(struct sv_ctx *c, const struct sv_target *t)
{
	size_t failures = 0;
	int r = 0;

	for (unsigned i = 0; r == 0 && i < t->prog.count; i++) {
		const char *ns = t->prog.namespecs[i];
		struct sv_param params[2] = { SV_STR(ns), SV_STR("HUP") };
		long fault = 0;

		r = sv_proc_call(c, ns, "supervisor.signalProcess", params, 2, 30, "signalled", &fault);
		failures += r == 0;
		r = r < 0 ? r : 0;
	}
	if (r == 0 && failures)
		r = c->h->errorf(c->err, NULL, -EIO, "%s could not be sent SIGHUP (see above)",
				 t->svc->name);
	return r;
}

static int sv_graceful_target(struct sv_ctx *c, const struct sv_target *t)
{
	const struct gx_service *svc = t->svc;
	enum gx_graceful how = svc->type->graceful ? svc->type->graceful(c->h, svc)
						   : GX_GRACEFUL_DEFAULT;
	struct sv_proc *procs;
	int r;

	switch (how) {
	case GX_GRACEFUL_SIGHUP:
		return sv_sighup(c, t);
	case GX_GRACEFUL_ROLLING:
		return sv_rolling(c, t);
	case GX_GRACEFUL_NONE:
		c->h->log(GX_LOG_DEBUG, "%s has no graceful reload: left alone", svc->name);
		return 0;
	default:
		procs = calloc(t->prog.count, sizeof(*procs));
		if (!procs)
			return sv_oom(c);
		for (unsigned i = 0; i < t->prog.count; i++)
			procs[i] = (struct sv_proc){ t, i };
		r = sv_restart_procs(c, procs, t->prog.count);
		free(procs);
		return r;
	}
}

int sv_op_graceful(struct sv_ctx *c)
{
	struct sv_selection sel;
	bool was_running;
	int r = sv_update(c, false, false);

	if (r == 0)
		r = sv_ensure_running(c, "graceful", &was_running);
	if (r < 0 || !was_running)
		return r;
	r = sv_select(c, &sel);
	if (r < 0)
		return r;
	for (size_t i = 0; r == 0 && i < sel.n; i++)
		r = sv_graceful_target(c, &sel.v[i]);
	sv_selection_release(&sel);
	return r;
}
