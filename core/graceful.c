/* SPDX-License-Identifier: MIT */
/* graceful on every backend: check (or start) everything first, then roll, SIGHUP or restart. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "graceful.h"
#include "node.h"
#include "selection.h"

/* Upstream's restart_timeout, for services without the option. */
#define GRACEFUL_RESTART_TIMEOUT_S 300
/* How often readiness is polled, and the most one probe may take. */
#define GRACEFUL_POLL_S 0.5
#define GRACEFUL_PROBE_S 5.0

/* One process of the selection, and what the check found. */
struct graceful_proc {
	const struct gx_service *svc;
	unsigned i;
	enum gx_graceful method;
	bool down;  /* not running (or not ready) at the check */
	bool fresh; /* started by --start-if-stopped: not restarted again */
	char why[1024]; /* the last reason it was not ready (a probe's message) */
	char state[64]; /* the manager's word for its state at the last look */
};

struct graceful_run {
	const struct gx_host *h;
	const struct gx_graceful_ops *ops;
	void *ctx;
	const struct gx_request *rq; /* NULL from gx_host.graceful (1.2) */
	struct gx_error *err;
};

enum gx_graceful gx_graceful_method(const struct gx_host *h, const struct gx_service *svc)
{
	enum gx_graceful m = svc->type->graceful ? svc->type->graceful(h, svc) : GX_GRACEFUL_DEFAULT;

	/* Upstream's rule: a service of several processes with a readiness check rolls. */
	if (svc->count > 1 && svc->type->ready && m != GX_GRACEFUL_NONE)
		return GX_GRACEFUL_ROLLING;
	return m;
}

static long graceful_timeout(const struct gx_service *svc, unsigned i)
{
	const struct gx_node *n = gx_node_get(svc->settings[i], "restart_timeout");
	long t = 0;

	if (n && !gx_node_is_null(n) && !gx_node_as_long(n, &t))
		t = 0;
	return t > 0 ? t : GRACEFUL_RESTART_TIMEOUT_S;
}

/* The pause after process i is ready before the next one restarts: --delay, else restart_delay. */
static double graceful_delay(const struct graceful_run *g, const struct gx_service *svc, unsigned i)
{
	const struct gx_node *n = gx_node_get(svc->settings[i], "restart_delay");
	double d = 0;

	if (g->rq && g->rq->graceful_delay_set)
		return g->rq->graceful_delay;
	if (n && !gx_node_is_null(n) && !gx_node_as_double(n, &d))
		d = 0;
	return d > 0 ? d : 0;
}

static double graceful_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void graceful_sleep(double s)
{
	struct timespec ts = { .tv_sec = (time_t)s, .tv_nsec = (long)((s - floor(s)) * 1e9) };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/*
 * One look at p: 0 ready; -EAGAIN not yet; -ECANCELED the manager gave up
 * on it; another errno (err filled) when it cannot be asked.  p->why says
 * why it is not ready.
 */
static int graceful_ready_once(struct graceful_run *g, struct graceful_proc *p, double budget)
{
	const struct gx_service *svc = p->svc;
	enum gx_proc_state st = GX_PROC_DOWN;
	struct gx_error probe = { 0 };
	char word[64] = "";
	int r = g->ops->state(g->ctx, svc, p->i, &st, word, sizeof(word), g->err);

	if (r < 0)
		return r;
	snprintf(p->state, sizeof(p->state), "%s", word);
	if (st == GX_PROC_FAILED || st == GX_PROC_DOWN) {
		snprintf(p->why, sizeof(p->why), "%s", word[0] ? word : "not running");
		return st == GX_PROC_FAILED ? -ECANCELED : -EAGAIN;
	}
	if (!svc->type->ready) {
		snprintf(p->why, sizeof(p->why), "%s", word[0] ? word : "starting");
		return st == GX_PROC_RUNNING ? 0 : -EAGAIN;
	}
	r = svc->type->ready(g->h, svc, p->i, budget < GRACEFUL_PROBE_S ? budget : GRACEFUL_PROBE_S,
			     &probe);
	if (r == 0)
		return 0;
	snprintf(p->why, sizeof(p->why), "%.1000s", probe.message[0] ? probe.message : "not ready");
	return -EAGAIN;
}

/*
 * Wait up to timeout_s for p to be ready: 0, -ETIMEDOUT, -ECANCELED, or an
 * error.  With progress, each new state it passes through is shown, and
 * how long it took to be ready.
 */
static int graceful_wait_ready(struct graceful_run *g, struct graceful_proc *p, long timeout_s,
			       bool progress)
{
	double start = graceful_now(), deadline = start + (double)timeout_s;
	char shown[sizeof(p->state) + 1] = "\n"; /* no state word is a newline */

	for (;;) {
		double left = deadline - graceful_now();
		int r = graceful_ready_once(g, p, left > 0.5 ? left : 0.5);

		if (r == 0 && progress)
			g->h->log(GX_LOG_INFO, "%s instance %u is ready after %.1f s", p->svc->name, p->i,
				  graceful_now() - start);
		if (r != -EAGAIN)
			return r;
		if (progress && strcmp(shown, p->state) != 0) {
			g->h->log(GX_LOG_INFO, "%s instance %u is %s, not ready yet: %s", p->svc->name,
				  p->i, p->state[0] ? p->state : "starting", p->why);
			snprintf(shown, sizeof(shown), "%s", p->state);
		} else {
			g->h->log(GX_LOG_DEBUG, "%s@%u not ready: %s", p->svc->name, p->i, p->why);
		}
		if (graceful_now() + GRACEFUL_POLL_S >= deadline)
			return -ETIMEDOUT;
		graceful_sleep(GRACEFUL_POLL_S);
	}
}

/* Every process graceful concerns, with its service's method; NULL on ENOMEM. */
static struct graceful_proc *graceful_procs(const struct gx_host *h, const struct gx_request *rq,
					    const struct gx_service *const *svcs, size_t n,
					    size_t *ret_n)
{
	size_t total = 0, k = 0;
	struct graceful_proc *v;

	for (size_t s = 0; s < n; s++)
		total += svcs[s]->count;
	v = calloc(total + 1, sizeof(*v));
	for (size_t s = 0; v && s < n; s++) {
		enum gx_graceful m = gx_graceful_method(h, svcs[s]);

		for (unsigned i = 0; i < svcs[s]->count; i++)
			if (!rq || gx_request_has_process(rq, svcs[s], i))
				v[k++] = (struct graceful_proc){ .svc = svcs[s], .i = i, .method = m };
	}
	*ret_n = k;
	return v;
}

/*
 * Look at every process before anything is restarted: each must run, and
 * the instances of a rolling restart must pass their readiness check too
 * (one that is starting gets its restart_timeout for it).  One left alone
 * (method none) counts only when it is to be started.
 */
static int graceful_check(struct graceful_run *g, struct graceful_proc *v, size_t n,
			  bool start_if_stopped, size_t *ret_down)
{
	size_t down = 0;

	for (size_t k = 0; k < n; k++) {
		struct graceful_proc *p = &v[k];
		enum gx_proc_state st = GX_PROC_DOWN;
		char word[64] = "";
		int r;

		if (p->method == GX_GRACEFUL_NONE && !start_if_stopped)
			continue;
		r = g->ops->state(g->ctx, p->svc, p->i, &st, word, sizeof(word), g->err);
		if (r < 0)
			return r;
		if (st == GX_PROC_DOWN || st == GX_PROC_FAILED) {
			snprintf(p->why, sizeof(p->why), "%s", word[0] ? word : "not running");
		} else if (p->method == GX_GRACEFUL_ROLLING) {
			r = graceful_wait_ready(g, p, graceful_timeout(p->svc, p->i), false);
			if (r == 0)
				continue;
			if (r != -ETIMEDOUT && r != -ECANCELED)
				return r;
		} else {
			continue;
		}
		p->down = true;
		down++;
	}
	*ret_down = down;
	return 0;
}

/* The refusal: every process that is down, and what to do about it. */
static int graceful_refuse(struct graceful_run *g, const struct graceful_proc *v, size_t n,
			   size_t down)
{
	char list[512] = "";
	size_t used = 0;

	for (size_t k = 0; k < n && used < sizeof(list); k++) {
		if (!v[k].down)
			continue;
		/* Upstream's words for a rolling service's instance, ours for the others. */
		if (v[k].method == GX_GRACEFUL_ROLLING)
			g->h->log(GX_LOG_ERROR,
				  "Refusing to continue rolling restart, instance %u check failed "
				  "before restart (%s: %s)",
				  v[k].i, v[k].svc->name, v[k].why);
		else
			g->h->log(GX_LOG_ERROR, "%s instance %u is not running: %s", v[k].svc->name,
				  v[k].i, v[k].why);
		used += (size_t)snprintf(list + used, sizeof(list) - used, "%s%s instance %u",
					 used ? ", " : "", v[k].svc->name, v[k].i);
	}
	return g->h->errorf(g->err, NULL, -EAGAIN,
			    "Refusing graceful restart: %zu process%s not running or not ready "
			    "(%s), nothing was restarted; `galaxyctl graceful --start-if-stopped` "
			    "starts %s first",
			    down, down == 1 ? " is" : "es are", list, down == 1 ? "it" : "them");
}

/* --start-if-stopped: start what is down, then wait until each is ready. */
static int graceful_start_down(struct graceful_run *g, struct graceful_proc *v, size_t n)
{
	int r = 0;

	for (size_t k = 0; r == 0 && k < n; k++) {
		if (!v[k].down)
			continue;
		g->h->log(GX_LOG_INFO, "Starting %s instance %u (it was %s)", v[k].svc->name, v[k].i,
			  v[k].why);
		r = g->ops->start(g->ctx, v[k].svc, v[k].i, g->err);
		v[k].fresh = r == 0;
	}
	for (size_t k = 0; r == 0 && k < n; k++) {
		long timeout = graceful_timeout(v[k].svc, v[k].i);

		if (!v[k].fresh)
			continue;
		r = graceful_wait_ready(g, &v[k], timeout, false);
		if (r == -ETIMEDOUT || r == -ECANCELED)
			r = g->h->errorf(g->err, NULL, -EIO,
					 "%s instance %u did not become ready after it was started "
					 "(%s); nothing was restarted",
					 v[k].svc->name, v[k].i, v[k].why);
	}
	return r;
}

/* The next process of v after k that is to be restarted (not just started), or n. */
static size_t graceful_next(const struct graceful_proc *v, size_t n, size_t k)
{
	while (++k < n && v[k].fresh)
		;
	return k;
}

/* Whether a delay paces the restarts of the n processes of one service in v. */
static bool graceful_paced(const struct graceful_run *g, const struct graceful_proc *v, size_t n)
{
	for (size_t k = 0; k < n; k++)
		if (graceful_delay(g, v[k].svc, v[k].i) > 0)
			return true;
	return false;
}

/*
 * After v[k] restarted: wait until it is ready (always for a rolling
 * restart; for a plain one only when paced and another follows), then
 * pause for its delay before the next.  Paced, the wait shows progress.
 */
static int graceful_after_restart(struct graceful_run *g, struct graceful_proc *v, size_t n,
				  size_t k, bool rolling)
{
	struct graceful_proc *p = &v[k];
	size_t next = graceful_next(v, n, k);
	double delay = graceful_delay(g, p->svc, p->i);
	bool paced = graceful_paced(g, v, n);
	long timeout = graceful_timeout(p->svc, p->i);
	int r;

	if (!rolling && (!paced || next == n))
		return 0;
	r = graceful_wait_ready(g, p, timeout, paced);
	if (r == -ETIMEDOUT)
		return g->h->errorf(g->err, NULL, r,
				    "Refusing to continue rolling restart, instance failed to "
				    "respond after %ld seconds (%s)",
				    timeout, p->why);
	if (r == -ECANCELED)
		return g->h->errorf(g->err, NULL, r,
				    "Refusing to continue rolling restart, instance %u did not "
				    "come back (%s)",
				    p->i, p->why);
	if (r == 0 && delay > 0 && next < n) {
		g->h->log(GX_LOG_INFO, "Waiting %g s (%s) before restarting %s instance %u", delay,
			  g->rq && g->rq->graceful_delay_set ? "--delay" : "restart_delay",
			  v[next].svc->name, v[next].i);
		graceful_sleep(delay);
	}
	return r;
}

/* Upstream's rolling restart of the processes of one service that already ran. */
static int graceful_roll(struct graceful_run *g, struct graceful_proc *v, size_t n)
{
	const struct gx_service *svc = v[0].svc;
	int r = 0;

	g->h->log(GX_LOG_INFO, "Performing rolling restart on service: %s", svc->name);
	for (size_t k = 0; r == 0 && k < n; k++) {
		if (v[k].fresh)
			continue;
		g->h->log(GX_LOG_INFO, "Restarting %s instance %u", svc->name, v[k].i);
		r = g->ops->restart(g->ctx, svc, v[k].i, g->err);
		if (r < 0)
			break;
		g->h->log(GX_LOG_INFO, "Restarted %s instance %u, waiting for readiness check...",
			  svc->name, v[k].i);
		r = graceful_after_restart(g, v, n, k, true);
	}
	return r;
}

/* One service by its method; v holds its processes. */
static int graceful_service(struct graceful_run *g, struct graceful_proc *v, size_t n)
{
	int r = 0;

	switch (v[0].method) {
	case GX_GRACEFUL_ROLLING:
		return graceful_roll(g, v, n);
	case GX_GRACEFUL_NONE:
		g->h->log(GX_LOG_DEBUG, "%s has no graceful reload: left alone", v[0].svc->name);
		return 0;
	case GX_GRACEFUL_SIGHUP:
		for (size_t k = 0; r == 0 && k < n; k++)
			if (!v[k].fresh)
				r = g->ops->sighup(g->ctx, v[k].svc, v[k].i, g->err);
		return r;
	default:
		/* One at a time; paced (a delay) each is running again before the next. */
		for (size_t k = 0; r == 0 && k < n; k++) {
			if (v[k].fresh)
				continue;
			r = g->ops->restart(g->ctx, v[k].svc, v[k].i, g->err);
			if (r == 0)
				r = graceful_after_restart(g, v, n, k, false);
		}
		return r;
	}
}

/* How many of v's n entries, from the first, are processes of one service. */
static size_t graceful_run_of(const struct graceful_proc *v, size_t n)
{
	size_t k = 1;

	while (k < n && v[k].svc == v[0].svc)
		k++;
	return k;
}

int gx_graceful_run(const struct gx_host *h, const struct gx_graceful_ops *ops, void *ctx,
		    const struct gx_request *rq, const struct gx_service *const *svcs, size_t n,
		    bool start_if_stopped, struct gx_error *err)
{
	struct graceful_run g = { h, ops, ctx, rq, err };
	size_t total = 0, down = 0;
	struct graceful_proc *v = graceful_procs(h, rq, svcs, n, &total);
	int r;

	if (!v)
		return h->errorf(err, NULL, -ENOMEM, "out of memory");
	r = graceful_check(&g, v, total, start_if_stopped, &down);
	if (r == 0 && down && !start_if_stopped)
		r = graceful_refuse(&g, v, total, down);
	else if (r == 0 && down)
		r = graceful_start_down(&g, v, total);
	for (size_t k = 0, len; r == 0 && k < total; k += len) {
		len = graceful_run_of(&v[k], total - k);
		r = graceful_service(&g, &v[k], len);
	}
	free(v);
	return r;
}
