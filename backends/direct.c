/* SPDX-License-Identifier: MIT */
/* The direct backend: galaxyctl supervises the services itself, no process manager installed. */
/*
 * This module turns services into programs, drives one manager per state dir
 * (backends/direct/) over its control socket, and follows logs.  The design,
 * the files, crash safety and memory limits: docs/direct-design.md.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <galaxyctl/plugin.h>

#include "direct/cli.h"
#include "direct/follow.h"
#include "direct/manager.h"
#include "direct/names.h"

/* ---------------------------------------------------------------------- */
/* start */

static int direct_follow_procs(const struct direct_procs *ps, unsigned backlog)
{
	struct direct_follow_file *files = calloc(ps->n + 1, sizeof(*files));
	int r;

	if (!files)
		return -ENOMEM;
	for (size_t i = 0; i < ps->n; i++)
		files[i] = (struct direct_follow_file){ .name = ps->v[i].name, .path = ps->v[i].log };
	fflush(stdout);
	r = direct_follow(files, ps->n, STDOUT_FILENO, backlog);
	free(files);
	return r;
}

/* The manager's own log as the one "program" to follow (--quiet). */
static int direct_manager_log_procs(struct direct_ctx *x, const struct direct_group *g,
				    struct direct_procs *ret)
{
	struct direct_procs ps = { .v = calloc(1, sizeof(*ps.v)) };

	if (ps.v) {
		ps.n = 1;
		ps.v[0].name = strdup("direct");
		ps.v[0].log = strdup(g->paths.log);
	}
	if (!ps.v || !ps.v[0].name || !ps.v[0].log) {
		direct_procs_release(&ps);
		return direct_oom(x);
	}
	*ret = ps;
	return 0;
}

/* galaxy, start -f: the manager runs here, or, when one already runs, its logs are followed. */
static int direct_start_foreground(struct direct_ctx *x)
{
	struct direct_manager_opts opts = { .foreground = true, .quiet = x->rq->quiet };
	struct direct_group *g = &x->groups[0];
	struct direct_manager *m = NULL;
	struct direct_procs ps = { 0 };
	json_t *req = NULL, *reply = NULL;
	char why[512] = "";
	bool running = false;
	int r;

	if (x->n_groups > 1)
		return x->h->errorf(x->err, NULL, -EINVAL,
				    "start --foreground runs one manager, but these instances have %zu state dirs: "
				    "give them one with --state-dir, or start them in the background",
				    x->n_groups);
	r = direct_lock(x, g);
	if (r == 0)
		r = direct_group_procs(x, g, false, NULL, &ps);
	if (r == 0)
		r = direct_connect(x, g, &running);
	if (r == 0 && running) {
		/* One runs already: bring it up to date, start, and show the logs. */
		r = direct_ensure(x, g, false, NULL);
		if (r == 0)
			r = direct_call(x, g, direct_op("start", &ps), 60000, &reply);
		json_decref(reply);
		direct_unlock(g);
		if (r == 0) {
			x->h->log(GX_LOG_INFO, "A direct manager already runs for %s (pid %ld): following its logs; "
				  "Ctrl-C stops following, not Galaxy",
				  g->state_dir, (long)direct_client_manager_pid(&g->paths));
			if (x->rq->quiet) {
				direct_procs_release(&ps);
				r = direct_manager_log_procs(x, g, &ps);
			}
			if (r == 0)
				r = direct_follow_procs(&ps, 10);
			if (r < 0)
				x->h->errorf(x->err, NULL, r, "cannot follow the logs: %s", strerror(-r));
		}
		direct_procs_release(&ps);
		return r;
	}
	if (r < 0) {
		direct_unlock(g);
		direct_procs_release(&ps);
		return r;
	}
	opts.state_dir = g->state_dir;
	r = direct_update_request(x, g, false, false, NULL, &req);
	if (r == 0) {
		r = direct_manager_new(&opts, &m, why, sizeof(why));
		if (r < 0)
			x->h->errorf(x->err, NULL, r, "%s", why);
	}
	if (r == 0) {
		json_t *start = direct_op("start", &ps);

		reply = direct_manager_request(m, req);
		if (!json_is_true(json_object_get(reply, "ok")))
			r = x->h->errorf(x->err, NULL, -EINVAL, "%s",
					 json_string_value(json_object_get(reply, "error")));
		json_decref(reply);
		reply = r == 0 && start ? direct_manager_request(m, start) : NULL;
		json_decref(start);
		json_decref(reply);
	}
	json_decref(req);
	direct_unlock(g);
	direct_procs_release(&ps);
	if (r == 0) {
		x->h->log(GX_LOG_INFO, "Log files are in %s; Ctrl-C stops every service",
			  g->insts[0]->log_dir);
		fflush(NULL);
		if (direct_manager_run(m) != 0)
			r = x->h->errorf(x->err, NULL, -ECANCELED,
					 "not every service stopped cleanly (see the lines above)");
	}
	direct_manager_free(m);
	return r;
}

/* One command's work on one group of instances (one state dir), under its lock. */
typedef int (*direct_group_fn)(struct direct_ctx *x, struct direct_group *g);

/*
 * fn on each group of rq's instances in turn, each under the group's lock,
 * until one fails.  with_foreign (update) adds the groups of state dirs
 * that other backends now manage: fn is called on those without the lock,
 * which is not ours to take there.
 */
static int direct_each_group(const struct gx_host *h, const struct gx_request *rq,
			     struct gx_error *err, bool with_foreign, direct_group_fn fn)
{
	struct direct_ctx x;
	int r = direct_ctx_init(&x, h, rq, err);

	if (r == 0 && with_foreign)
		r = direct_ctx_add_foreign(&x);
	for (size_t i = 0; r == 0 && i < x.n_groups; i++) {
		struct direct_group *g = &x.groups[i];

		if (g->foreign) {
			r = fn(&x, g);
			continue;
		}
		r = direct_lock(&x, g);
		if (r < 0)
			break;
		r = fn(&x, g);
		direct_unlock(g);
	}
	direct_ctx_release(&x);
	return r;
}

/* start: the manager is started when it does not run, then asked to start the programs. */
static int direct_start_group(struct direct_ctx *x, struct direct_group *g)
{
	const struct gx_host *h = x->h;
	struct direct_procs ps = { 0 };
	json_t *reply = NULL;
	int r = direct_group_procs(x, g, false, NULL, &ps);

	if (r == 0)
		r = direct_ensure(x, g, false, NULL);
	if (r == 0)
		r = direct_call(x, g, direct_op("start", &ps), 60000, &reply);
	if (r == 0 && !x->rq->quiet)
		direct_print_table(h, reply, &ps);
	if (r == 0 && direct_print_spawn_errors(h, reply, &ps) > 0)
		r = h->errorf(x->err, NULL, -ECANCELED,
			      "not every service could be started (see the lines above)");
	json_decref(reply);
	direct_procs_release(&ps);
	return r;
}

static int direct_start(const struct gx_host *h, const struct gx_request *rq, struct gx_error *err)
{
	struct direct_ctx x;
	int r;

	if (!rq->foreground)
		return direct_each_group(h, rq, err, false, direct_start_group);
	r = direct_ctx_init(&x, h, rq, err);
	if (r == 0)
		r = direct_start_foreground(&x);
	direct_ctx_release(&x);
	return r;
}

/* ---------------------------------------------------------------------- */
/* stop, shutdown */

/* Ask the manager to stop everything and exit; wait for it. */
static int direct_shutdown_group(const struct direct_ctx *x, struct direct_group *g)
{
	json_t *reply = NULL;
	int r = direct_call(x, g, json_pack("{s:s}", "op", "shutdown"), direct_stop_wait_ms(g),
			    &reply);
	pid_t pid = (pid_t)json_integer_value(json_object_get(reply, "manager_pid"));

	json_decref(reply);
	direct_client_close(&g->conn);
	/* Gone for good when this returns, so that the next start finds no manager. */
	if (r == 0 && pid > 0 && direct_client_wait_exit(pid, 10000) < 0)
		x->h->log(GX_LOG_WARNING, "the direct manager (pid %ld) is slow to exit", (long)pid);
	return r;
}

/* Every program the manager holds is stopped (or FATAL)? */
static bool direct_all_stopped(json_t *reply)
{
	json_t *list = json_object_get(reply, "programs"), *v;
	size_t i;

	json_array_foreach(list, i, v) {
		const char *state = json_string_value(json_object_get(v, "state"));

		if (!state || (strcmp(state, "STOPPED") != 0 && strcmp(state, "FATAL") != 0))
			return false;
	}
	return true;
}

/* stop: the programs, then the manager once nothing it holds runs. */
static int direct_stop_group(struct direct_ctx *x, struct direct_group *g)
{
	const struct gx_host *h = x->h;
	struct direct_procs ps = { 0 };
	json_t *reply = NULL;
	bool running = false;
	int r = direct_connect(x, g, &running);

	if (r == 0 && !running)
		h->log(GX_LOG_INFO, "The direct manager is not running (%s)", g->state_dir);
	if (r < 0 || !running)
		return r;
	r = direct_group_procs(x, g, false, NULL, &ps);
	if (r == 0)
		r = direct_call(x, g, direct_op("stop", &ps), direct_stop_wait_ms(g), &reply);
	if (r == 0)
		direct_print_results(h, reply, &ps, NULL);
	json_decref(reply);
	reply = NULL;
	if (r == 0)
		r = direct_call(x, g, direct_op("status", NULL), 10000, &reply);
	if (r == 0 && direct_all_stopped(reply)) {
		h->log(GX_LOG_INFO, "All processes stopped, the direct manager will exit");
		r = direct_shutdown_group(x, g);
		if (r == 0)
			h->log(GX_LOG_INFO, "Shut down");
	} else if (r == 0) {
		h->log(GX_LOG_INFO, "Not all processes stopped, the direct manager not shut down "
		       "(hint: see `galaxyctl status`)");
	}
	json_decref(reply);
	direct_procs_release(&ps);
	return r;
}

static int direct_stop(const struct gx_host *h, const struct gx_request *rq, struct gx_error *err)
{
	return direct_each_group(h, rq, err, false, direct_stop_group);
}

static int direct_shutdown_one(struct direct_ctx *x, struct direct_group *g)
{
	bool running = false;
	int r = direct_connect(x, g, &running);

	if (r == 0 && !running)
		x->h->log(GX_LOG_INFO, "The direct manager is not running (%s)", g->state_dir);
	else if (r == 0 && (r = direct_shutdown_group(x, g)) == 0)
		x->h->log(GX_LOG_INFO, "Shut down");
	return r;
}

static int direct_shutdown(const struct gx_host *h, const struct gx_request *rq,
			   struct gx_error *err)
{
	return direct_each_group(h, rq, err, false, direct_shutdown_one);
}

/* ---------------------------------------------------------------------- */
/* restart, graceful */

static int direct_restart_group(struct direct_ctx *x, struct direct_group *g)
{
	struct direct_procs ps = { 0 };
	json_t *reply = NULL;
	bool started = false;
	int r = direct_start_instead(x, g, "restart", &started);

	if (r < 0 || started)
		return r;
	r = direct_group_procs(x, g, false, NULL, &ps);
	if (r == 0)
		r = direct_call(x, g, direct_op("restart", &ps), direct_stop_wait_ms(g), &reply);
	if (r == 0)
		for (size_t k = 0; k < ps.n; k++)
			x->h->out("%s: stopped\n%s: %s\n", ps.v[k].name, ps.v[k].name,
				  strcmp(direct_reply_state(reply, ps.v[k].name), "FATAL") == 0 ?
					  "ERROR (spawn error)" : "started");
	json_decref(reply);
	direct_procs_release(&ps);
	return r;
}

static int direct_restart(const struct gx_host *h, const struct gx_request *rq,
			  struct gx_error *err)
{
	return direct_each_group(h, rq, err, false, direct_restart_group);
}

static int direct_graceful_one(struct direct_ctx *x, struct direct_group *g)
{
	bool started = false;
	int r = direct_start_instead(x, g, "graceful", &started);

	return r < 0 || started ? r : direct_graceful_group(x, g);
}

static int direct_graceful(const struct gx_host *h, const struct gx_request *rq,
			   struct gx_error *err)
{
	return direct_each_group(h, rq, err, false, direct_graceful_one);
}

/* ---------------------------------------------------------------------- */
/* update */

static void direct_print_changes(const struct gx_host *h, json_t *reply)
{
	static const char *const kinds[][2] = {
		{ "added", "Adding service" }, { "changed", "Updating service" },
		{ "removed", "Removing service" },
	};

	for (size_t k = 0; k < sizeof(kinds) / sizeof(*kinds); k++) {
		json_t *v;
		size_t i;

		json_array_foreach(json_object_get(reply, kinds[k][0]), i, v)
			h->log(GX_LOG_INFO, "%s %s", kinds[k][1], json_string_value(v));
	}
}

/*
 * A manager still running in the state dir of instances another backend
 * now manages.  It may well be wanted (`galaxy` runs the direct backend
 * whatever process_manager says, and so does --backend direct), so it is
 * only pointed out, never stopped.
 */
static void direct_warn_foreign(const struct direct_ctx *x, const struct direct_group *g)
{
	pid_t pid = direct_client_manager_pid(&g->paths);

	for (size_t i = 0; pid > 0 && i < g->n_insts; i++)
		x->h->log(GX_LOG_WARNING,
			  "a direct manager (pid %ld, %s) may still run instance %s, whose "
			  "process_manager is now %s: unless it was started on purpose (galaxy, "
			  "--backend direct), stop it with `galaxyctl --backend direct%s%s shutdown`",
			  (long)pid, g->state_dir, g->insts[i]->name, g->insts[i]->process_manager,
			  g->insts[i]->config_file ? " -c " : "",
			  g->insts[i]->config_file ? g->insts[i]->config_file : "");
}

/* update: the manager, when it runs, takes the new programs; it exits when none are left. */
static int direct_update_group(struct direct_ctx *x, struct direct_group *g)
{
	const struct gx_host *h = x->h;
	json_t *req = NULL, *reply = NULL;
	bool running = false;
	int r;

	if (g->foreign) {
		direct_warn_foreign(x, g);
		return 0;
	}
	r = direct_connect(x, g, &running);
	if (r == 0 && !running)
		h->log(GX_LOG_INFO, "The direct manager is not running (%s): galaxyctl start applies the config",
		       g->state_dir);
	if (r < 0 || !running)
		return r;
	r = direct_learn_path(x, g);
	if (r == 0)
		r = direct_update_request(x, g, x->rq->clean, true, NULL, &req);
	if (r == 0)
		r = direct_call(x, g, req, direct_stop_wait_ms(g), &reply);
	if (r == 0) {
		direct_print_changes(h, reply);
		json_decref(reply);
		reply = NULL;
		r = direct_call(x, g, json_pack("{s:s}", "op", "ping"), 10000, &reply);
		if (r == 0 && json_integer_value(json_object_get(reply, "programs")) == 0) {
			h->log(GX_LOG_INFO, "No programs left, the direct manager will exit");
			r = direct_shutdown_group(x, g);
		}
	}
	json_decref(reply);
	return r;
}

static int direct_update(const struct gx_host *h, const struct gx_request *rq, struct gx_error *err)
{
	return direct_each_group(h, rq, err, true, direct_update_group);
}

/* ---------------------------------------------------------------------- */
/* status */

static int direct_status(const struct gx_host *h, const struct gx_request *rq, struct gx_status *st,
			 struct gx_error *err)
{
	struct direct_ctx x;
	int r = direct_ctx_init(&x, h, rq, err);

	for (size_t i = 0; r == 0 && i < x.n_groups; i++)
		r = direct_status_group(&x, &x.groups[i], st);
	direct_ctx_release(&x);
	return r;
}

/* ---------------------------------------------------------------------- */
/* follow, pm */

static int direct_follow_cmd(const struct gx_host *h, const struct gx_request *rq,
			     struct gx_error *err)
{
	struct direct_ctx x;
	struct direct_procs all = { 0 };
	int r = direct_ctx_init(&x, h, rq, err);

	for (size_t i = 0; r == 0 && i < x.n_groups; i++) {
		struct direct_procs ps = { 0 };
		struct direct_proc *grown;

		if (rq->quiet) { /* the managers' own logs, as upstream tails supervisord.log */
			r = direct_manager_log_procs(&x, &x.groups[i], &ps);
		} else {
			r = direct_group_procs(&x, &x.groups[i], false, NULL, &ps);
		}
		grown = r == 0 ? realloc(all.v, (all.n + ps.n + 1) * sizeof(*grown)) : NULL;
		if (grown) {
			all.v = grown;
			memcpy(all.v + all.n, ps.v, ps.n * sizeof(*ps.v));
			all.n += ps.n;
			free(ps.v);
		} else {
			direct_procs_release(&ps);
			if (r == 0)
				r = direct_oom(&x);
		}
	}
	if (r == 0) {
		r = direct_follow_procs(&all, 10);
		if (r < 0)
			h->errorf(err, NULL, r, "cannot follow the logs: %s", strerror(-r));
	}
	direct_procs_release(&all);
	direct_ctx_release(&x);
	return r;
}

static int direct_pm(const struct gx_host *h, const struct gx_request *rq, struct gx_error *err)
{
	const char *what = rq->argc > 0 ? rq->argv[0] : "";
	struct direct_ctx x;
	int r;

	if (strcmp(what, "pid") != 0 && strcmp(what, "status") != 0)
		return h->errorf(err, NULL, -ENOTSUP,
				 "the direct backend has no process manager command line; `galaxyctl pm` "
				 "knows only `pid` (the managers' pids) and `status` (every program each "
				 "manager holds)");
	r = direct_ctx_init(&x, h, rq, err);
	for (size_t i = 0; r == 0 && i < x.n_groups; i++) {
		struct direct_group *g = &x.groups[i];
		json_t *reply = NULL, *v;
		bool running = false;
		size_t k;

		if (strcmp(what, "pid") == 0) {
			h->out("%s: %ld\n", g->state_dir, (long)direct_client_manager_pid(&g->paths));
			continue;
		}
		r = direct_connect(&x, g, &running);
		if (r == 0 && !running)
			h->out("%s: the direct manager is not running\n", g->state_dir);
		if (r < 0 || !running)
			continue;
		r = direct_call(&x, g, direct_op("status", NULL), 10000, &reply);
		json_array_foreach(json_object_get(reply, "programs"), k, v)
			h->out("%-32s %-10s pid %lld\n", json_string_value(json_object_get(v, "name")),
			       json_string_value(json_object_get(v, "state")),
			       (long long)json_integer_value(json_object_get(v, "pid")));
		json_decref(reply);
	}
	direct_ctx_release(&x);
	return r;
}

static int direct_plan(const struct gx_host *h, const struct gx_request *rq, struct gx_plan *plan,
		       struct gx_error *err)
{
	struct direct_ctx x;
	int r = direct_ctx_init(&x, h, rq, err);

	if (r == 0)
		r = direct_ctx_add_foreign(&x);
	for (size_t i = 0; r == 0 && i < x.n_groups; i++) {
		if (x.groups[i].foreign)
			direct_warn_foreign(&x, &x.groups[i]);
		else
			r = direct_dry_run_group(&x, &x.groups[i], plan);
	}
	direct_ctx_release(&x);
	return r;
}

static int direct_check(const struct gx_host *h, const struct gx_request *rq, struct gx_error *err)
{
	struct direct_ctx x;
	int r = direct_ctx_init(&x, h, rq, err);

	for (size_t i = 0; r == 0 && i < x.n_groups; i++)
		r = direct_check_group(&x, &x.groups[i]);
	direct_ctx_release(&x);
	return r;
}

/* The names status prints: the supervisor backend's program names. */
static int direct_process_names(const struct gx_host *h, const struct gx_request *rq,
				const struct gx_service *svc, struct gx_strv *out)
{
	bool use_instance = direct_uses_instance_name(rq);
	int r = 0;

	for (unsigned i = 0; r == 0 && i < svc->count; i++) {
		char *name = direct_names_program(use_instance, svc->instance->name, svc->name,
						  svc->count, i);

		r = name ? h->strv_push(out, name) : -ENOMEM;
		free(name);
	}
	return r < 0 ? -ENOMEM : 0;
}

static const struct gx_backend direct_backend = {
	.name = "direct",
	.update = direct_update,
	.start = direct_start,
	.stop = direct_stop,
	.restart = direct_restart,
	.graceful = direct_graceful,
	.status = direct_status,
	.follow = direct_follow_cmd,
	.shutdown = direct_shutdown,
	.pm = direct_pm,
	.check = direct_check,
	.process_names = direct_process_names,
	.plan = direct_plan,
};

const struct gx_module gx_module = {
	GX_MODULE_HEADER("direct"),
	.backend = &direct_backend,
};
