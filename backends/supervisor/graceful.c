/* SPDX-License-Identifier: MIT */
/* graceful: supervisord's processes as the core's graceful driver sees them. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sv.h"

/* The graceful driver's view: the selection's processes, by service. */
struct sv_graceful {
	struct sv_ctx *c;
	const struct sv_selection *sel;
};

static int sv_graceful_proc(const struct sv_graceful *g, const struct gx_service *svc,
			    unsigned i, struct sv_proc *ret, struct gx_error *err)
{
	for (size_t k = 0; k < g->sel->n; k++)
		if (g->sel->v[k].svc == svc && i < g->sel->v[k].prog.count) {
			*ret = (struct sv_proc){ &g->sel->v[k], i };
			return 0;
		}
	return g->c->h->errorf(err, NULL, -ENOENT, "%s has no process %u", svc->name, i);
}

static int sv_graceful_state(void *ctx, const struct gx_service *svc, unsigned i,
			     enum gx_proc_state *ret, char *why, size_t len, struct gx_error *err)
{
	struct sv_graceful *g = ctx;
	struct sv_proc p;
	long state = -1;
	int r = sv_graceful_proc(g, svc, i, &p, err);

	if (r == 0)
		r = sv_proc_state(g->c, &p, &state, NULL);
	if (r < 0)
		return r;
	snprintf(why, len, "%s", state < 0 ? "not known to supervisord" : sv_state_word(state));
	if (state == SV_RUNNING)
		*ret = GX_PROC_RUNNING;
	else if (state == SV_STARTING || state == SV_BACKOFF)
		*ret = GX_PROC_STARTING;
	else if (state == SV_FATAL)
		*ret = GX_PROC_FAILED;
	else
		*ret = GX_PROC_DOWN;
	return 0;
}

static int sv_graceful_start(void *ctx, const struct gx_service *svc, unsigned i,
			     struct gx_error *err)
{
	struct sv_graceful *g = ctx;
	struct sv_proc p;
	size_t failures = 0;
	int r = sv_graceful_proc(g, svc, i, &p, err);

	if (r == 0)
		r = sv_start_proc(g->c, &p, false, &failures);
	if (r == 0 && failures)
		r = g->c->h->errorf(err, NULL, -EIO, "%s could not be started (see above)", sv_ns(&p));
	return r;
}

/* stopProcess then startProcess, printing supervisorctl's lines, as its restart does. */
static int sv_graceful_restart(void *ctx, const struct gx_service *svc, unsigned i,
			       struct gx_error *err)
{
	struct sv_graceful *g = ctx;
	struct sv_proc p;
	int r = sv_graceful_proc(g, svc, i, &p, err);

	return r < 0 ? r : sv_restart_procs(g->c, &p, 1);
}

static int sv_graceful_sighup(void *ctx, const struct gx_service *svc, unsigned i,
			      struct gx_error *err)
{
	struct sv_graceful *g = ctx;
	struct sv_proc p;
	long fault = 0;
	int r = sv_graceful_proc(g, svc, i, &p, err);
	struct sv_param params[2] = { SV_STR(r == 0 ? sv_ns(&p) : ""), SV_STR("HUP") };

	if (r == 0)
		r = sv_proc_call(g->c, sv_ns(&p), "supervisor.signalProcess", params, 2, 30,
				 "signalled", &fault);
	if (r == 0)
		r = g->c->h->errorf(err, NULL, -EIO, "%s could not be sent SIGHUP (see above)",
				    sv_ns(&p));
	return r < 0 ? r : 0;
}

static const struct gx_graceful_ops sv_graceful_ops = {
	.state = sv_graceful_state,
	.start = sv_graceful_start,
	.restart = sv_graceful_restart,
	.sighup = sv_graceful_sighup,
};

int sv_op_graceful(struct sv_ctx *c)
{
	const struct gx_service **svcs;
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
	svcs = calloc(sel.n + 1, sizeof(*svcs));
	if (!svcs) {
		sv_selection_release(&sel);
		return sv_oom(c);
	}
	for (size_t i = 0; i < sel.n; i++)
		svcs[i] = sel.v[i].svc;
	r = c->h->graceful_request(&sv_graceful_ops, &(struct sv_graceful){ c, &sel }, c->rq, svcs,
				   sel.n, c->err);
	free(svcs);
	sv_selection_release(&sel);
	return r;
}
