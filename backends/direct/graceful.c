/* SPDX-License-Identifier: MIT */
/* The direct backend's part of graceful: its processes as the core's graceful driver sees them. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"

/* ---------------------------------------------------------------------- */
/* restart, graceful */

/*
 * Upstream's answer when the manager was down: start it (with everything)
 * and ignore the command.  *ret_started says whether that happened.
 */
int direct_start_instead(const struct direct_ctx *x, struct direct_group *g, const char *command,
			 bool *ret_started)
{
	json_t *reply = NULL;
	bool running = false;
	int r = direct_connect(x, g, &running);

	*ret_started = false;
	if (r < 0 || running)
		return r;
	r = direct_ensure(x, g, true, &reply);
	json_decref(reply);
	if (r < 0)
		return r;
	x->h->log(GX_LOG_WARNING, "the direct manager was not previously running; it has been started, "
		  "so the '%s' command has been ignored", command);
	*ret_started = true;
	return 0;
}

/* The graceful driver's view of a group: every process graceful concerns. */
struct direct_graceful {
	const struct direct_ctx *x;
	struct direct_group *g;
	struct direct_procs ps;
};

static const struct direct_proc *direct_graceful_proc(const struct direct_graceful *dg,
						      const struct gx_service *svc, unsigned i)
{
	for (size_t k = 0; k < dg->ps.n; k++)
		if (dg->ps.v[k].svc == svc && dg->ps.v[k].process == i)
			return &dg->ps.v[k];
	return NULL;
}

/*
 * {"op": op, "names": [the one program]} to the manager, waiting up to
 * timeout_ms; done: the word printed for it after ("restarted"), or NULL.
 */
static int direct_graceful_call(struct direct_graceful *dg, const struct gx_service *svc,
				unsigned i, json_t *req, int timeout_ms, const char *done,
				json_t **ret, struct gx_error *err)
{
	const struct direct_proc *dp = direct_graceful_proc(dg, svc, i);
	json_t *reply = NULL;
	int r;

	if (!dp) {
		json_decref(req);
		return dg->x->h->errorf(err, NULL, -ENOENT, "%s has no process %u", svc->name, i);
	}
	if (req)
		json_object_set_new(req, "names", json_pack("[s]", dp->name));
	r = direct_call(dg->x, dg->g, req, timeout_ms, &reply);
	if (r == 0 && done)
		direct_print_results(dg->x->h, reply,
				     &(struct direct_procs){ (struct direct_proc *)dp, 1 }, done);
	if (r == 0 && ret)
		*ret = reply;
	else
		json_decref(reply);
	return r;
}

static int direct_graceful_state(void *ctx, const struct gx_service *svc, unsigned i,
				 enum gx_proc_state *ret, char *why, size_t len,
				 struct gx_error *err)
{
	struct direct_graceful *dg = ctx;
	const struct direct_proc *dp = direct_graceful_proc(dg, svc, i);
	json_t *reply = NULL;
	const char *state;
	int r = direct_graceful_call(dg, svc, i, json_pack("{s:s}", "op", "status"), 10000, NULL,
				     &reply, err);

	if (r < 0)
		return r;
	state = direct_reply_state(reply, dp->name);
	snprintf(why, len, "%s", state);
	if (strcmp(state, "RUNNING") == 0)
		*ret = GX_PROC_RUNNING;
	else if (strcmp(state, "STARTING") == 0)
		*ret = GX_PROC_STARTING;
	else if (strcmp(state, "FATAL") == 0)
		*ret = GX_PROC_FAILED;
	else
		*ret = GX_PROC_DOWN;
	json_decref(reply);
	return 0;
}

static int direct_graceful_start(void *ctx, const struct gx_service *svc, unsigned i,
				 struct gx_error *err)
{
	return direct_graceful_call(ctx, svc, i, json_pack("{s:s}", "op", "start"), 10000,
				    "started", NULL, err);
}

static int direct_graceful_restart(void *ctx, const struct gx_service *svc, unsigned i,
				   struct gx_error *err)
{
	struct direct_graceful *dg = ctx;

	return direct_graceful_call(dg, svc, i, json_pack("{s:s}", "op", "restart"),
				    direct_stop_wait_ms(dg->g), "restarted", NULL, err);
}

static int direct_graceful_sighup(void *ctx, const struct gx_service *svc, unsigned i,
				  struct gx_error *err)
{
	return direct_graceful_call(ctx, svc, i,
				    json_pack("{s:s, s:i}", "op", "signal", "signal", SIGHUP), 10000,
				    "signalled", NULL, err);
}

static const struct gx_graceful_ops direct_graceful_ops = {
	.state = direct_graceful_state,
	.start = direct_graceful_start,
	.restart = direct_graceful_restart,
	.sighup = direct_graceful_sighup,
};

int direct_graceful_group(const struct direct_ctx *x, struct direct_group *g)
{
	struct direct_graceful dg = { .x = x, .g = g };
	const struct gx_service **svcs;
	size_t n = 0;
	int r;

	for (size_t k = 0; k < g->n_insts; k++)
		n += g->insts[k]->n_services;
	svcs = calloc(n + 1, sizeof(*svcs));
	if (!svcs)
		return direct_oom(x);
	n = 0;
	for (size_t k = 0; k < g->n_insts; k++)
		for (size_t s = 0; s < g->insts[k]->n_services; s++)
			if (direct_targeted(x->rq, g->insts[k], g->insts[k]->services[s]))
				svcs[n++] = g->insts[k]->services[s];
	r = direct_group_procs(x, g, false, NULL, &dg.ps);
	if (r == 0)
		r = x->h->graceful_request(&direct_graceful_ops, &dg, x->rq, svcs, n, x->err);
	direct_procs_release(&dg.ps);
	free(svcs);
	return r;
}
