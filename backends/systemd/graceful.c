/* SPDX-License-Identifier: MIT */
/* graceful: systemd units as the core's graceful driver sees them (reload-or-restart, as upstream). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "systemd.h"

/* The graceful driver's view: a service's process i is its unit i. */
struct sd_graceful {
	const struct sd *sd;
};

/* Unit i of svc into unit (heap, the caller frees it), or an error. */
static int sd_graceful_unit(const struct sd *sd, const struct gx_service *svc, unsigned i,
			    char **unit, struct gx_error *err)
{
	struct gx_strv units = { 0 };
	int r = sd_push_unit_names(sd->h, svc, sd_use_name(sd, svc->instance), &units);

	*unit = r == 0 && i < units.n ? strdup(units.v[i]) : NULL;
	sd->h->strv_release(&units);
	if (!*unit)
		return sd->h->errorf(err, NULL, r < 0 || i < units.n ? -ENOMEM : -ENOENT,
				     "%s has no unit for process %u", svc->name, i);
	return 0;
}

static int sd_graceful_state(void *ctx, const struct gx_service *svc, unsigned i,
			     enum gx_proc_state *ret, char *why, size_t len, struct gx_error *err)
{
	const struct sd *sd = ((struct sd_graceful *)ctx)->sd;
	struct gx_strv units = { 0 };
	struct sd_unit_state st = { 0 };
	char *unit;
	int r = sd_graceful_unit(sd, svc, i, &unit, err);

	if (r < 0)
		return r;
	r = sd->h->strv_push(&units, unit) < 0 ? sd->h->errorf(err, NULL, -ENOMEM, "out of memory")
						: sd_show_units(sd, &units, &st, err);
	if (r == 0) {
		enum gx_state state = sd_state_of(&st);

		snprintf(why, len, "%s (%s)", st.active_state ? st.active_state : "unknown",
			 st.sub_state ? st.sub_state : "unknown");
		*ret = state == GX_STATE_RUNNING    ? GX_PROC_RUNNING
		       : state == GX_STATE_STARTING ? GX_PROC_STARTING
		       : state == GX_STATE_FATAL    ? GX_PROC_FAILED
						    : GX_PROC_DOWN;
	}
	sd_unit_state_release(&st);
	sd->h->strv_release(&units);
	free(unit);
	return r;
}

/* systemctl VERB UNIT for process i of svc; with done, "done: UNIT" after, as upstream logs. */
static int sd_graceful_verb(void *ctx, const struct gx_service *svc, unsigned i,
			    const char *verb, const char *done, struct gx_error *err)
{
	const struct sd *sd = ((struct sd_graceful *)ctx)->sd;
	struct sd_call call = { .not_found_rc = SD_RC_NOT_FOUND };
	char *unit;
	int r = sd_graceful_unit(sd, svc, i, &unit, err);

	if (r == 0)
		r = sd_systemctl_l(sd, &call, NULL, err, verb, unit, NULL);
	if (r == 0 && done)
		sd->h->log(GX_LOG_INFO, "%s: %s", done, unit);
	free(unit);
	return r;
}

static int sd_graceful_start(void *ctx, const struct gx_service *svc, unsigned i,
			     struct gx_error *err)
{
	/* A unit that failed (its start limit, say) must be reset to start again. */
	int r = sd_graceful_verb(ctx, svc, i, "reset-failed", NULL, err);

	return r < 0 ? r : sd_graceful_verb(ctx, svc, i, "start", NULL, err);
}

/* As upstream, reload-or-restart: the units of SIGHUP services reload with kill -HUP. */
static int sd_graceful_restart(void *ctx, const struct gx_service *svc, unsigned i,
			       struct gx_error *err)
{
	return sd_graceful_verb(ctx, svc, i, "reload-or-restart", "Restarted", err);
}

static const struct gx_graceful_ops sd_graceful_ops = {
	.state = sd_graceful_state,
	.start = sd_graceful_start,
	.restart = sd_graceful_restart,
	.sighup = sd_graceful_restart,
};

/* The selected services, in order. */
struct sd_selected {
	const struct gx_service **v;
	size_t n, alloc;
};

static int sd_graceful_collect(const struct sd *sd, const struct gx_service *svc, void *data,
			       struct gx_error *err)
{
	struct sd_selected *sel = data;

	if (sel->n == sel->alloc) {
		size_t alloc = sel->alloc ? 2 * sel->alloc : 16;
		const struct gx_service **v = realloc(sel->v, alloc * sizeof(*v));

		if (!v)
			return sd->h->errorf(err, NULL, -ENOMEM, "out of memory");
		sel->v = v;
		sel->alloc = alloc;
	}
	sel->v[sel->n++] = svc;
	return 0;
}

int sd_graceful(const struct sd *sd, struct gx_error *err)
{
	struct sd_graceful g = { sd };
	struct sd_selected sel = { 0 };
	int r = sd_for_each_service(sd, sd_graceful_collect, &sel, err);

	if (r == 0)
		r = sd->h->graceful_request(&sd_graceful_ops, &g, sd->rq, sel.v, sel.n, err);
	free(sel.v);
	return r;
}
