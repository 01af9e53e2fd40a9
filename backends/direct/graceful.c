/* SPDX-License-Identifier: MIT */
/* The direct backend's graceful reloads: SIGHUP, restart, or a readiness-gated rolling restart. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"

/* Upstream's restart_timeout default, for services without the option. */
#define DIRECT_RESTART_TIMEOUT 300
/* Rolling restarts: how often readiness is probed, and how long one probe may take. */
#define DIRECT_READY_POLL_MS 500
#define DIRECT_READY_PROBE_S 2.0

/* ---------------------------------------------------------------------- */
/* restart, graceful */

/*
 * Upstream's answer when the manager was down: start it (with everything)
 * and ignore the command.  Returns 1 when that happened.
 */
int direct_start_instead(const struct direct_ctx *x, struct direct_group *g,
			 const char *command)
{
	json_t *reply = NULL;
	int r = direct_connect(x, g);

	if (r <= 0)
		return r;
	r = direct_ensure(x, g, true, &reply);
	json_decref(reply);
	if (r < 0)
		return r;
	x->h->log(GX_LOG_WARNING, "the direct manager was not previously running; it has been started, "
		  "so the '%s' command has been ignored", command);
	return 1;
}

static long direct_restart_timeout(const struct direct_ctx *x, const struct gx_service *svc,
				   unsigned i)
{
	return direct_opt_int(x, svc->settings[i], "restart_timeout", DIRECT_RESTART_TIMEOUT);
}

/*
 * Wait until process i of svc is ready: its readiness probe answers, or,
 * for services without one, it reached RUNNING.  0, -ETIMEDOUT, or
 * -ECANCELED when the process went FATAL.
 */
static int direct_wait_ready(const struct direct_ctx *x, struct direct_group *g,
			     const struct gx_service *svc, const struct direct_proc *dp, long timeout_s)
{
	struct timespec start, now;
	json_t *req, *reply;

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		struct gx_error probe_err = { 0 };
		const char *state;
		bool ready;
		int r;

		req = json_pack("{s:s, s:[s]}", "op", "status", "names", dp->name);
		reply = NULL;
		r = direct_call(x, g, req, 10000, &reply);
		if (r < 0)
			return r;
		state = direct_reply_state(reply, dp->name);
		if (strcmp(state, "FATAL") == 0) {
			json_decref(reply);
			return -ECANCELED;
		}
		if (svc->type->ready)
			ready = (strcmp(state, "STARTING") == 0 || strcmp(state, "RUNNING") == 0) &&
				svc->type->ready(x->h, svc, dp->process, DIRECT_READY_PROBE_S,
						 &probe_err) == 0;
		else
			ready = strcmp(state, "RUNNING") == 0;
		json_decref(reply);
		if (ready)
			return 0;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec - start.tv_sec >= timeout_s)
			return -ETIMEDOUT;
		nanosleep(&(struct timespec){ .tv_nsec = DIRECT_READY_POLL_MS * 1000000L }, NULL);
	}
}

/* Restart the processes of svc one at a time, each only once the one before answers again. */
static int direct_rolling(const struct direct_ctx *x, struct direct_group *g,
			  const struct gx_service *svc)
{
	const struct gx_host *h = x->h;
	struct direct_procs ps = { 0 };
	json_t *reply = NULL;
	int r = direct_group_procs(x, g, false, svc, &ps);

	if (r < 0)
		return r;
	h->log(GX_LOG_INFO, "Performing rolling restart on service: %s", svc->name);
	r = direct_call(x, g, direct_op("status", &ps), 10000, &reply);
	/* Every instance is checked first; one that does not run is started instead. */
	for (size_t i = 0; r == 0 && i < ps.n; i++) {
		const char *state = direct_reply_state(reply, ps.v[i].name);
		json_t *started = NULL;

		if (strcmp(state, "STARTING") == 0 || strcmp(state, "RUNNING") == 0)
			continue;
		h->log(GX_LOG_INFO, "Starting %s instance %zu (it was %s)", svc->name, i, state);
		r = direct_call(x, g, json_pack("{s:s, s:[s]}", "op", "start", "names", ps.v[i].name),
				10000, &started);
		json_decref(started);
	}
	json_decref(reply);
	for (size_t i = 0; r == 0 && i < ps.n; i++) {
		long timeout = direct_restart_timeout(x, svc, ps.v[i].process);

		if (direct_wait_ready(x, g, svc, &ps.v[i], timeout) < 0)
			r = h->errorf(x->err, NULL, -EIO, "Refusing to continue rolling restart, instance %zu "
				      "check failed before restart", i);
	}
	for (size_t i = 0; r == 0 && i < ps.n; i++) {
		long timeout = direct_restart_timeout(x, svc, ps.v[i].process);
		json_t *restarted = NULL;

		h->log(GX_LOG_INFO, "Restarting %s instance %zu", svc->name, i);
		r = direct_call(x, g, json_pack("{s:s, s:[s]}", "op", "restart", "names", ps.v[i].name),
				direct_stop_wait_ms(g), &restarted);
		json_decref(restarted);
		if (r < 0)
			break;
		h->log(GX_LOG_INFO, "Restarted %s instance %zu, waiting for readiness check...",
		       svc->name, i);
		r = direct_wait_ready(x, g, svc, &ps.v[i], timeout);
		if (r == -ECANCELED)
			r = h->errorf(x->err, NULL, r, "Refusing to continue rolling restart, instance %zu "
				      "is FATAL (see %s)", i, ps.v[i].log);
		else if (r < 0)
			r = h->errorf(x->err, NULL, r, "Refusing to continue rolling restart, instance "
				      "failed to respond after %ld seconds", timeout);
	}
	direct_procs_release(&ps);
	return r;
}

/* Upstream's choice: several processes of a service with a readiness probe restart in turn. */
static enum gx_graceful direct_graceful_method(const struct gx_host *h,
					       const struct gx_service *svc)
{
	enum gx_graceful m = svc->type->graceful ? svc->type->graceful(h, svc) : GX_GRACEFUL_DEFAULT;

	if (svc->count > 1 && svc->type->ready && m != GX_GRACEFUL_NONE)
		return GX_GRACEFUL_ROLLING;
	return m;
}

int direct_graceful_service(const struct direct_ctx *x, struct direct_group *g,
			    const struct gx_service *svc)
{
	enum gx_graceful method = direct_graceful_method(x->h, svc);
	struct direct_procs ps = { 0 };
	json_t *req = NULL, *reply = NULL;
	int r;

	if (method == GX_GRACEFUL_ROLLING)
		return direct_rolling(x, g, svc);
	if (method == GX_GRACEFUL_NONE) {
		x->h->log(GX_LOG_DEBUG, "%s: no graceful reload for this service", svc->name);
		return 0;
	}
	r = direct_group_procs(x, g, false, svc, &ps);
	if (r < 0)
		return r;
	if (method == GX_GRACEFUL_SIGHUP) {
		req = direct_op("signal", &ps);
		if (req)
			json_object_set_new(req, "signal", json_integer(SIGHUP));
	} else {
		req = direct_op("restart", &ps);
	}
	r = direct_call(x, g, req, direct_stop_wait_ms(g), &reply);
	if (r == 0)
		direct_print_results(x->h, reply, &ps,
				     method == GX_GRACEFUL_SIGHUP ? "signalled" : "restarted");
	json_decref(reply);
	direct_procs_release(&ps);
	return r;
}
