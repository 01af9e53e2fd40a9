/* SPDX-License-Identifier: MIT */
/* The systemd backend: Gravity's units under systemd, driven through systemctl and journalctl. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <galaxyctl/plugin.h>

#include "systemd/systemd.h"

/* ---------------------------------------------------------------------- */
/* What the request names */

/* Did a target before t name t's service (another of its processes)? */
static bool systemd_service_seen(const struct gx_request *rq, size_t t)
{
	for (size_t k = 0; k < t; k++)
		if (rq->targets[k].service == rq->targets[t].service)
			return true;
	return false;
}

int sd_push_selected_units(const struct sd *sd, const struct gx_service *svc, struct gx_strv *out)
{
	bool use_name = sd_use_name(sd, svc->instance);

	for (unsigned i = 0; i < svc->count; i++) {
		char *name;
		int r;

		if (!sd->h->request_has_process(sd->rq, svc, i))
			continue;
		name = sd_unit_name(svc, i, use_name);
		r = name ? sd->h->strv_push(out, name) : -ENOMEM;
		free(name);
		if (r < 0)
			return r;
	}
	return 0;
}

int sd_for_each_service(const struct sd *sd,
			int (*fn)(const struct sd *sd, const struct gx_service *svc, void *data,
				  struct gx_error *err),
			void *data, struct gx_error *err)
{
	const struct gx_request *rq = sd->rq;
	int r = 0;

	if (rq->n_targets == 0) {
		for (size_t i = 0; r == 0 && i < rq->n_instances; i++)
			for (size_t s = 0; r == 0 && s < rq->instances[i]->n_services; s++)
				r = fn(sd, rq->instances[i]->services[s], data, err);
		return r;
	}
	for (size_t t = 0; r == 0 && t < rq->n_targets; t++) {
		const struct gx_target *tg = &rq->targets[t];

		if (tg->service) {
			if (!systemd_service_seen(rq, t))
				r = fn(sd, tg->service, data, err);
			continue;
		}
		for (size_t s = 0; r == 0 && s < tg->instance->n_services; s++)
			r = fn(sd, tg->instance->services[s], data, err);
	}
	return r;
}

/*
 * The units a command acts on, as upstream picks them: a whole instance is
 * its target (plus its services when include_services), a named service is
 * its units; use_target false always lists services.
 */
static int systemd_instance_units(const struct sd *sd, const struct gx_instance *inst,
				  bool use_target, bool include_services, struct gx_strv *out)
{
	bool use_name = sd_use_name(sd, inst);
	int r = 0;

	if (use_target) {
		char *target = sd_target_name(inst, use_name);

		r = target ? sd->h->strv_push(out, target) : -ENOMEM;
		free(target);
		if (r < 0 || !include_services)
			return r;
	}
	for (size_t s = 0; r == 0 && s < inst->n_services; s++)
		r = sd_push_unit_names(sd->h, inst->services[s], use_name, out);
	return r;
}

static int systemd_units(const struct sd *sd, bool use_target, bool include_services,
			 struct gx_strv *out, struct gx_error *err)
{
	const struct gx_request *rq = sd->rq;
	int r = 0;

	if (rq->n_targets == 0)
		for (size_t i = 0; r == 0 && i < rq->n_instances; i++)
			r = systemd_instance_units(sd, rq->instances[i], use_target, include_services,
						   out);
	for (size_t t = 0; r == 0 && t < rq->n_targets; t++) {
		const struct gx_target *tg = &rq->targets[t];

		if (tg->service)
			r = systemd_service_seen(rq, t) ? 0 : sd_push_selected_units(sd, tg->service, out);
		else
			r = systemd_instance_units(sd, tg->instance, use_target, include_services, out);
	}
	if (r < 0)
		return sd->h->errorf(err, NULL, r, "out of memory");
	return 0;
}

/*
 * systemctl VERB units..., with the update hint when a unit is missing.
 * with_services lists a target's services too, so that systemctl waits
 * for them as well (stop: return once everything has stopped).
 */
static int systemd_verb(const struct sd *sd, const char *verb, bool with_services,
			struct gx_error *err)
{
	struct sd_call call = { .not_found_rc = SD_RC_NOT_FOUND };
	struct gx_strv args = { 0 };
	int r;

	r = sd->h->strv_push(&args, verb) < 0
		    ? sd->h->errorf(err, NULL, -ENOMEM, "out of memory")
		    : systemd_units(sd, true, with_services, &args, err);
	if (r == 0)
		r = sd_systemctl(sd, &call, &args, NULL, NULL, err);
	sd->h->strv_release(&args);
	return r;
}

/*
 * What upstream shows after start, stop and restart: list-units of the
 * units concerned, written by systemctl itself on our stdout (not read
 * and printed again), so that it is systemctl's own view as upstream
 * gives it: on a terminal with its colours, width and pager.
 */
static int systemd_show(const struct sd *sd, struct gx_error *err)
{
	struct sd_call call = { 0 };
	struct gx_strv args = { 0 };
	int r;

	if (sd->rq->quiet)
		return 0;
	r = sd->h->strv_push(&args, "list-units") < 0 || sd->h->strv_push(&args, "--all") < 0
		    ? sd->h->errorf(err, NULL, -ENOMEM, "out of memory")
		    : systemd_units(sd, true, true, &args, err);
	if (r == 0)
		r = sd_systemctl(sd, &call, &args, NULL, NULL, err);
	sd->h->strv_release(&args);
	return r;
}

/* ---------------------------------------------------------------------- */
/* Commands */

typedef int (*systemd_fn)(const struct sd *sd, struct gx_error *err);

/* Run fn with the request's mode and unit dir. */
static int systemd_run(const struct gx_host *h, const struct gx_request *rq, systemd_fn fn,
		       struct gx_error *err)
{
	struct sd sd;
	int r = sd_init(&sd, h, rq, err);

	if (r == 0)
		r = fn(&sd, err);
	sd_release(&sd);
	return r;
}


static int systemd_do_start(const struct sd *sd, struct gx_error *err)
{
	int r = sd_update(sd, false, false, err);

	if (r == 0)
		r = systemd_verb(sd, "start", false, err);
	if (r == 0)
		r = systemd_show(sd, err);
	return r;
}

static int systemd_do_stop(const struct sd *sd, struct gx_error *err)
{
	int r = systemd_verb(sd, "stop", true, err);

	if (r == 0)
		r = systemd_show(sd, err);
	return r;
}

static int systemd_do_restart(const struct sd *sd, struct gx_error *err)
{
	int r = sd_update(sd, false, false, err);

	if (r == 0)
		r = systemd_verb(sd, "restart", false, err);
	if (r == 0)
		r = systemd_show(sd, err);
	return r;
}

static int systemd_do_graceful(const struct sd *sd, struct gx_error *err)
{
	int r = sd_update(sd, false, false, err);

	return r == 0 ? sd_graceful(sd, err) : r;
}

/* Does the request concern inst (named, or all when nothing is named)? */
static bool systemd_concerns(const struct sd *sd, const struct gx_instance *inst)
{
	bool named = sd->rq->n_targets == 0;

	for (size_t t = 0; !named && t < sd->rq->n_targets; t++)
		named = sd->rq->targets[t].instance == inst;
	return named;
}

/* One --namespace for journalctl: the instances' log_namespace, "*" when they differ. */
static int systemd_follow_namespace(const struct sd *sd, struct gx_strv *args)
{
	const char *first = NULL;
	bool seen = false, any = false, differ = false;

	for (size_t i = 0; i < sd->rq->n_instances; i++) {
		const struct gx_instance *inst = sd->rq->instances[i];
		const char *v = sd->h->get_str(inst->gravity, "log_namespace");

		if (!systemd_concerns(sd, inst))
			continue;
		if (v && !*v)
			v = NULL;
		if (!seen)
			first = v;
		else if (!v != !first || (v && strcmp(v, first) != 0))
			differ = true;
		seen = true;
		any = any || v;
	}
	if (!any)
		return 0;
	return sd->h->strv_pushf(args, "--namespace=%s", differ ? "*" : first);
}

static int systemd_do_follow(const struct sd *sd, struct gx_error *err)
{
	struct gx_strv units = { 0 }, args = { 0 };
	int r = systemd_units(sd, false, false, &units, err);

	if (r < 0)
		return r;
	r = sd->h->strv_push(&args, "-f");
	if (r == 0)
		r = systemd_follow_namespace(sd, &args);
	for (size_t i = 0; r == 0 && i < units.n; i++) {
		r = sd->h->strv_push(&args, "-u");
		if (r == 0)
			r = sd->h->strv_push(&args, units.v[i]);
	}
	if (r < 0)
		r = sd->h->errorf(err, NULL, r, "out of memory");
	else
		r = sd_journalctl(sd, &args, err);
	sd->h->strv_release(&args);
	sd->h->strv_release(&units);
	return r;
}

static int systemd_do_shutdown(const struct sd *sd, struct gx_error *err)
{
	struct sd_call call = { 0 };
	struct gx_strv args = { 0 };
	int r = sd->h->strv_push(&args, "stop");

	for (size_t i = 0; r == 0 && i < sd->rq->n_instances; i++)
		if (systemd_concerns(sd, sd->rq->instances[i]))
			r = systemd_instance_units(sd, sd->rq->instances[i], true, false, &args);
	if (r < 0)
		r = sd->h->errorf(err, NULL, r, "out of memory");
	else
		r = sd_systemctl(sd, &call, &args, NULL, NULL, err);
	sd->h->strv_release(&args);
	return r;
}

/* systemctl ARGS...; its exit status is passed on as galaxyctl's (the pm slot's contract). */
static int systemd_do_pm(const struct sd *sd, struct gx_error *err)
{
	struct sd_call call = { .any_rc = true };
	struct gx_strv args = { 0 };
	int r = 0, rc = 0;

	for (int i = 0; r == 0 && i < sd->rq->argc; i++)
		r = sd->h->strv_push(&args, sd->rq->argv[i]);
	if (r < 0)
		r = sd->h->errorf(err, NULL, r, "out of memory");
	else
		r = sd_systemctl(sd, &call, &args, NULL, &rc, err);
	sd->h->strv_release(&args);
	return r < 0 ? r : rc;
}

/* ---------------------------------------------------------------------- */
/* Slots */

/* The one command that also removes the units of instances now under another backend. */
static int systemd_update(const struct gx_host *h, const struct gx_request *rq,
			  struct gx_error *err)
{
	struct sd sd;
	int r = sd_init(&sd, h, rq, err);

	sd.clean_others = true;
	if (r == 0)
		r = sd_update(&sd, rq->force, rq->clean, err);
	sd_release(&sd);
	return r;
}

static int systemd_plan(const struct gx_host *h, const struct gx_request *rq,
			struct gx_plan *plan, struct gx_error *err)
{
	struct sd sd;
	int r = sd_init(&sd, h, rq, err);

	sd.clean_others = true;
	if (r == 0)
		r = sd_dry_run(&sd, plan, rq->force, rq->clean, err);
	sd_release(&sd);
	return r;
}

static int systemd_check(const struct gx_host *h, const struct gx_request *rq,
			 struct gx_error *err)
{
	struct sd sd;
	int r = sd_init(&sd, h, rq, err);

	if (r == 0)
		r = sd_check(&sd, err);
	sd_release(&sd);
	return r;
}

static int systemd_start(const struct gx_host *h, const struct gx_request *rq,
			 struct gx_error *err)
{
	int r = systemd_run(h, rq, systemd_do_start, err);

	/* start -f: as upstream, follow the logs of what was started. */
	if (r == 0 && rq->foreground)
		r = systemd_run(h, rq, systemd_do_follow, err);
	return r;
}

static int systemd_stop(const struct gx_host *h, const struct gx_request *rq, struct gx_error *err)
{
	return systemd_run(h, rq, systemd_do_stop, err);
}

static int systemd_restart(const struct gx_host *h, const struct gx_request *rq,
			   struct gx_error *err)
{
	return systemd_run(h, rq, systemd_do_restart, err);
}

static int systemd_graceful(const struct gx_host *h, const struct gx_request *rq,
			    struct gx_error *err)
{
	return systemd_run(h, rq, systemd_do_graceful, err);
}

/* Does the request name services (not only instances)? */
static bool systemd_names_services(const struct gx_request *rq)
{
	for (size_t t = 0; t < rq->n_targets; t++)
		if (rq->targets[t].service)
			return true;
	return false;
}

/*
 * As upstream: `systemctl status UNITS` for named services, else
 * `list-units --all`; then 1 when a selected service unit is not active
 * (systemctl status says so with 3; is-active tells for list-units).
 */
static int systemd_status_table(const struct sd *sd, struct gx_error *err)
{
	static const int status_ok[] = { 3, 0 };
	bool named = systemd_names_services(sd->rq);
	/* systemctl status writes on our stdout itself, as list-units does (systemd_show). */
	struct sd_call status = { .ignore_rc = status_ok, .not_found_rc = SD_RC_STATUS_NOT_FOUND };
	struct sd_call is_active = { .quiet_stderr = true, .any_rc = true };
	struct gx_strv args = { 0 };
	int r = 0, rc = 0;

	if (!named && (r = systemd_show(sd, err)) < 0)
		return r;
	if (sd->h->strv_push(&args, named ? "status" : "is-active") < 0 ||
	    (!named && sd->h->strv_push(&args, "--quiet") < 0))
		r = sd->h->errorf(err, NULL, -ENOMEM, "out of memory");
	else
		r = systemd_units(sd, false, true, &args, err);
	if (r == 0)
		r = sd_systemctl(sd, named ? &status : &is_active, &args, NULL, &rc, err);
	sd->h->strv_release(&args);
	return r < 0 ? r : rc != 0;
}

static int systemd_status(const struct gx_host *h, const struct gx_request *rq,
			  struct gx_status *st, struct gx_error *err)
{
	struct sd sd;
	int r = sd_init(&sd, h, rq, err);

	/* Rows (from systemctl show) for --json; systemd's own view otherwise. */
	if (r == 0)
		r = rq->json ? sd_status(&sd, st, err) : systemd_status_table(&sd, err);
	sd_release(&sd);
	return r;
}

static int systemd_follow(const struct gx_host *h, const struct gx_request *rq,
			  struct gx_error *err)
{
	return systemd_run(h, rq, systemd_do_follow, err);
}

static int systemd_shutdown(const struct gx_host *h, const struct gx_request *rq,
			    struct gx_error *err)
{
	return systemd_run(h, rq, systemd_do_shutdown, err);
}

static int systemd_pm(const struct gx_host *h, const struct gx_request *rq, struct gx_error *err)
{
	return systemd_run(h, rq, systemd_do_pm, err);
}

/* The names status prints: each process's unit. */
static int systemd_process_names(const struct gx_host *h, const struct gx_request *rq,
				 const struct gx_service *svc, struct gx_strv *out)
{
	size_t n = rq->n_instances + rq->n_other_instances;

	return sd_push_unit_names(h, svc, sd_use_instance_name(svc->instance, n), out) < 0 ? -ENOMEM
											     : 0;
}

static const struct gx_backend systemd_backend = {
	.name = "systemd",
	.update = systemd_update,
	.check = systemd_check,
	.start = systemd_start,
	.stop = systemd_stop,
	.restart = systemd_restart,
	.graceful = systemd_graceful,
	.status = systemd_status,
	.follow = systemd_follow,
	.shutdown = systemd_shutdown,
	.pm = systemd_pm,
	.process_names = systemd_process_names,
	.plan = systemd_plan,
};

const struct gx_module gx_module = {
	GX_MODULE_HEADER("systemd"),
	.backend = &systemd_backend,
};
