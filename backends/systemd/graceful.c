/* SPDX-License-Identifier: MIT */
/* graceful: reload-or-restart per service, and readiness-gated rolling restarts of instances. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "systemd.h"

/* How often readiness is polled, and how long one probe may take. */
#define SD_POLL_S 0.5
#define SD_PROBE_S 5.0
/* restart_timeout when the service has none (upstream's default). */
#define SD_RESTART_TIMEOUT_S 300

static double sd_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sd_sleep(double s)
{
	struct timespec ts = { .tv_sec = (time_t)s, .tv_nsec = (long)((s - floor(s)) * 1e9) };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static long sd_restart_timeout(const struct sd *sd, const struct gx_service *svc, unsigned i)
{
	const struct gx_node *n = sd->h->get(svc->settings[i], "restart_timeout");
	long t = n && !sd->h->is_null(n) ? sd->h->get_int(svc->settings[i], "restart_timeout") : 0;

	return t > 0 ? t : SD_RESTART_TIMEOUT_S;
}

/* One look: 0 ready, -EAGAIN not yet, another error when it cannot be told. */
static int sd_ready_once(const struct sd *sd, const struct gx_service *svc, unsigned i,
			 const char *unit, double budget, struct gx_error *err)
{
	struct gx_strv units = { 0 };
	struct sd_unit_state st = { 0 };
	int r;

	if (svc->type->ready)
		return svc->type->ready(sd->h, svc, i, budget < SD_PROBE_S ? budget : SD_PROBE_S, err);
	r = sd->h->strv_push(&units, unit);
	if (r < 0)
		return sd->h->errorf(err, NULL, r, "out of memory");
	r = sd_show_units(sd, &units, &st, err);
	if (r == 0 && sd_state_of(&st) != GX_STATE_RUNNING)
		r = -EAGAIN;
	sd_unit_state_release(&st);
	sd->h->strv_release(&units);
	return r;
}

/* Wait up to timeout seconds for process i to be ready: 0, -ETIMEDOUT, or an error. */
static int sd_wait_ready(const struct sd *sd, const struct gx_service *svc, unsigned i,
			 const char *unit, long timeout, struct gx_error *err)
{
	double deadline = sd_now() + (double)timeout;

	for (;;) {
		struct gx_error probe = { 0 };
		double left = deadline - sd_now();
		int r = sd_ready_once(sd, svc, i, unit, left > 0.1 ? left : 0.1, &probe);

		if (r == 0)
			return 0;
		if (r != -EAGAIN) {
			*err = probe;
			return r;
		}
		sd->h->log(GX_LOG_DEBUG, "%s", probe.message);
		if (sd_now() + SD_POLL_S >= deadline)
			return -ETIMEDOUT;
		sd_sleep(SD_POLL_S);
	}
}

/* Check every instance first, starting the ones that are down, before any restart. */
static int sd_rolling_check(const struct sd *sd, const struct gx_service *svc,
			    const struct gx_strv *units, struct gx_error *err)
{
	struct sd_unit_state *states = calloc(units->n + 1, sizeof(*states));
	struct sd_call call = { .not_found_rc = SD_RC_NOT_FOUND };
	int r;

	if (!states)
		return sd->h->errorf(err, NULL, -ENOMEM, "out of memory");
	r = sd_show_units(sd, units, states, err);
	for (unsigned i = 0; r == 0 && i < units->n; i++) {
		long timeout = sd_restart_timeout(sd, svc, i);

		enum gx_state state = sd_state_of(&states[i]);

		if (state != GX_STATE_RUNNING) {
			sd->h->log(GX_LOG_INFO, "Instance %u of %s is not running, starting %s", i,
				   svc->name, units->v[i]);
			/* A unit that failed (its start limit, say) must be reset to start again. */
			if (state == GX_STATE_FATAL)
				r = sd_systemctl_l(sd, &call, NULL, err, "reset-failed", units->v[i],
						   NULL);
			if (r == 0)
				r = sd_systemctl_l(sd, &call, NULL, err, "start", units->v[i], NULL);
			if (r < 0)
				break;
		}
		r = sd_wait_ready(sd, svc, i, units->v[i], timeout, err);
		if (r == -ETIMEDOUT)
			r = sd->h->errorf(err, NULL, r,
					  "Refusing to continue rolling restart, instance %u check "
					  "failed before restart (%s not ready after %ld seconds)",
					  i, units->v[i], timeout);
	}
	for (size_t i = 0; i < units->n; i++)
		sd_unit_state_release(&states[i]);
	free(states);
	return r;
}

static int sd_rolling(const struct sd *sd, const struct gx_service *svc,
		      const struct gx_strv *units, struct gx_error *err)
{
	struct sd_call call = { .not_found_rc = SD_RC_NOT_FOUND };
	int r;

	sd->h->log(GX_LOG_INFO, "Performing rolling restart on service: %s", svc->name);
	r = sd_rolling_check(sd, svc, units, err);
	for (unsigned i = 0; r == 0 && i < units->n; i++) {
		long timeout = sd_restart_timeout(sd, svc, i);

		sd->h->log(GX_LOG_INFO, "Restarting %s instance %u", svc->name, i);
		r = sd_systemctl_l(sd, &call, NULL, err, "reload-or-restart", units->v[i], NULL);
		if (r < 0)
			break;
		sd->h->log(GX_LOG_INFO, "Restarted %s instance %u, waiting for readiness check...",
			   svc->name, i);
		r = sd_wait_ready(sd, svc, i, units->v[i], timeout, err);
		if (r == -ETIMEDOUT)
			r = sd->h->errorf(err, NULL, r,
					  "Refusing to continue rolling restart, instance failed to "
					  "respond after %ld seconds (%s, see `galaxyctl status` and "
					  "`galaxyctl follow %s`)",
					  timeout, units->v[i], svc->name);
	}
	return r;
}

static int sd_graceful_service(const struct sd *sd, const struct gx_service *svc, void *data,
			       struct gx_error *err)
{
	const struct gx_host *h = sd->h;
	enum gx_graceful method = svc->type->graceful ? svc->type->graceful(h, svc)
						       : GX_GRACEFUL_DEFAULT;
	struct sd_call call = { .not_found_rc = SD_RC_NOT_FOUND };
	struct gx_strv units = { 0 }, args = { 0 };
	int r;

	(void)data;
	if (method == GX_GRACEFUL_NONE) {
		h->log(GX_LOG_DEBUG, "Service %s has no graceful method, left alone", svc->name);
		return 0;
	}
	r = sd_push_unit_names(h, svc, sd_use_name(sd, svc->instance), &units);
	if (r < 0)
		return h->errorf(err, NULL, r, "out of memory");
	if (method == GX_GRACEFUL_ROLLING) {
		r = sd_rolling(sd, svc, &units, err);
		h->strv_release(&units);
		return r;
	}
	r = h->strv_push(&args, "reload-or-restart");
	for (size_t i = 0; r == 0 && i < units.n; i++)
		r = h->strv_push(&args, units.v[i]);
	if (r < 0)
		r = h->errorf(err, NULL, r, "out of memory");
	else
		r = sd_systemctl(sd, &call, &args, NULL, NULL, err);
	if (r == 0) {
		struct sd_buf b = { 0 };
		char *text;

		for (size_t i = 0; i < units.n; i++)
			sd_buf_addf(&b, "%s%s", i ? ", " : "", units.v[i]);
		text = sd_buf_steal(&b);
		h->log(GX_LOG_INFO, "Restarted: %s", text ? text : "");
		free(text);
	}
	h->strv_release(&args);
	h->strv_release(&units);
	return r;
}

int sd_graceful(const struct sd *sd, struct gx_error *err)
{
	return sd_for_each_service(sd, sd_graceful_service, NULL, err);
}
