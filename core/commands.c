/* SPDX-License-Identifier: MIT */
/* Running a parsed command: load plugins and config, route to backends, print results. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "config.h"
#include "diag.h"
#include "dry_run.h"
#include "exec.h"
#include "fsutil.h"
#include "host.h"
#include "instance.h"
#include "node.h"
#include "plugins.h"
#include "core_options.h"
#include "sample.h"
#include "selection.h"
#include "self_path.h"
#include "show.h"
#include "status.h"
#include "strv.h"
#include "wait_ready.h"

/* Everything one run of the program holds. */
struct run {
	struct gx_cli cli;
	const struct gx_host *host;
	struct gx_plugins plugins;
	struct gx_config cfg;
	struct gx_instances insts;
	struct gx_diag diag;
	bool is_root;
	char *state_dir; /* --state-dir or $GRAVITY_STATE_DIR, absolute; NULL when unset or empty */
	struct gx_selection sel; /* the names on the command line, resolved */
	bool not_running; /* a backend that printed its own status said something is down */
	bool dry_run;     /* update --dry-run: backends plan into plan, nothing is changed */
	struct gx_plan plan;
};

/* Upstream's truth test for its own switches: 1, true or yes, in any case; anything else is false. */
static bool env_truthy(const char *name)
{
	const char *v = getenv(name);

	return v && (strcmp(v, "1") == 0 || strcasecmp(v, "true") == 0 ||
		     strcasecmp(v, "yes") == 0);
}

/* Root, unless GRAVITY_SKIP_SYSTEMD (or upstream's GRAVITY_IGNORE_ROOT) says to act as a user. */
static bool run_is_root(void)
{
	return geteuid() == 0 && !env_truthy("GRAVITY_SKIP_SYSTEMD") && !env_truthy("GRAVITY_IGNORE_ROOT");
}

/* The build tree is searched for modules only when running from it. */
static const char *run_builddir(const char *self_exe)
{
	size_t len = strlen(GX_BUILDDIR);

	if (self_exe && strncmp(self_exe, GX_BUILDDIR, len) == 0 && self_exe[len] == '/' &&
	    (strcmp(self_exe + len, "/galaxyctl") == 0 || strcmp(self_exe + len, "/.libs/galaxyctl") == 0 ||
	     strcmp(self_exe + len, "/.libs/lt-galaxyctl") == 0))
		return GX_BUILDDIR;
	return NULL;
}

/* ---------------------------------------------------------------------- */
/* Loading */

/* The state dir override, made absolute once so that instances and backends agree on it. */
static int run_state_dir(struct run *run)
{
	const char *dir = run->cli.state_dir ? run->cli.state_dir : getenv("GRAVITY_STATE_DIR");

	if (!dir || !*dir)
		return 0;
	run->state_dir = gx_path_abs(dir, NULL);
	return run->state_dir ? 0 : -ENOMEM;
}

/*
 * With no config file, upstream runs on defaults when Galaxy is importable
 * by its Python; ours is the virtualenv that $GRAVITY_VIRTUALENV names, else
 * the active one ($VIRTUAL_ENV).
 */
static bool run_defaults_without_config(void)
{
	const char *venv = getenv("GRAVITY_VIRTUALENV");

	if (!venv || !*venv)
		venv = getenv("VIRTUAL_ENV");
	return venv && *venv && gx_galaxy_installed(venv);
}

static int run_load(struct run *run, const char *self_exe)
{
	struct gx_config_sources src = {
		.files = run->cli.config_files,
		.n_files = run->cli.n_config_files,
		.is_root = run->is_root,
	};
	struct gx_instance_env env = {
		.is_root = run->is_root,
		.galaxy_root_dir = getenv("GALAXY_ROOT_DIR"),
		.virtual_env = getenv("VIRTUAL_ENV"),
		.envp = environ,
	};
	struct gx_error err = { 0 };
	int r;

	if (run_state_dir(run) < 0) {
		gx_log(GX_LOG_ERROR, "out of memory");
		return GX_EXIT_FAILURE;
	}
	env.state_dir = run->state_dir;

	if (gx_plugins_init(&run->plugins, run_builddir(self_exe), GX_PKGLIBDIR) < 0 ||
	    gx_plugins_load(&run->plugins, &err) < 0) {
		gx_diag_print_error(&err, stderr);
		return GX_EXIT_FAILURE;
	}
	r = gx_config_find(&run->cfg, &src, &err);
	if (r < 0 && run->cfg.none_found && run_defaults_without_config()) {
		gx_log(GX_LOG_WARNING,
		       "No configuration file found but Galaxy is installed in this Python "
		       "environment, running with default config. Use -c / --config-file or set "
		       "$GALAXY_CONFIG_FILE to specify a config file.");
		r = gx_config_add_defaults(&run->cfg);
		if (r < 0) {
			gx_log(GX_LOG_ERROR, "out of memory");
			return GX_EXIT_FAILURE;
		}
	}
	if (r < 0 && run->cfg.none_found && run->cli.command == GX_CMD_LIST) {
		/* As upstream's list: finding nothing is an answer (no instances), not a failure. */
		return GX_EXIT_OK;
	}
	if (r < 0) {
		gx_diag_print_error(&err, stderr);
		return GX_EXIT_CONFIG;
	}
	r = gx_config_load(&run->cfg, &run->diag);
	if (r == 0)
		r = gx_instances_build(&run->cfg, &run->plugins, run->host, &env, &run->diag,
				       &run->insts);
	gx_diag_print(&run->diag, stderr, run->cli.debug ? GX_LOG_DEBUG : GX_LOG_INFO);
	if (r < 0) {
		if (r != -ENOMEM)
			gx_log(GX_LOG_ERROR, "the configuration has errors; nothing was changed");
		return r == -ENOMEM ? GX_EXIT_FAILURE : GX_EXIT_CONFIG;
	}
	for (size_t i = 0; i < run->insts.n; i++)
		gx_log(GX_LOG_DEBUG, "Loaded instance %s from Gravity config file: %s",
		       run->insts.v[i]->name,
		       run->insts.v[i]->config_file ? run->insts.v[i]->config_file : "(none)");
	return GX_EXIT_OK;
}

/* show --sample-config: the modules' tables are all it needs, not a config. */
static int run_sample_config(struct run *run, const char *self_exe)
{
	struct gx_error err = { 0 };

	if (gx_plugins_init(&run->plugins, run_builddir(self_exe), GX_PKGLIBDIR) < 0 ||
	    gx_plugins_load(&run->plugins, &err) < 0) {
		gx_diag_print_error(&err, stderr);
		return GX_EXIT_FAILURE;
	}
	if (gx_sample_write(gx_core_options, run->plugins.types, run->plugins.n_types, stdout) < 0) {
		gx_log(GX_LOG_ERROR, "cannot write the sample config");
		return GX_EXIT_FAILURE;
	}
	return GX_EXIT_OK;
}

/* ---------------------------------------------------------------------- */
/* Names */

static const char *run_backend_name(const struct run *run, const struct gx_instance *inst)
{
	return run->cli.backend ? run->cli.backend : inst->process_manager;
}

/* The names status prints for svc's processes, from its instance's backend. */
static int run_proc_names(void *ctx, const struct gx_service *svc, struct gx_strv *out)
{
	struct run *run = ctx;
	const char *name = run_backend_name(run, svc->instance);
	struct gx_error err = { 0 };
	const struct gx_backend *b = gx_plugins_backend(&run->plugins, name, &err);
	gx_process_names_slot process_names =
		b ? gx_plugins_backend_process_names(&run->plugins, b) : NULL;
	const struct gx_instance **insts;
	struct gx_request rq = { 0 };
	int r;

	if (!process_names)
		return 0;
	insts = calloc(2 * run->insts.n + 2, sizeof(*insts));
	if (!insts)
		return -ENOMEM;
	for (size_t i = 0; i < run->insts.n; i++) {
		bool own = strcmp(run_backend_name(run, run->insts.v[i]), name) == 0;

		insts[own ? rq.n_instances++ : run->insts.n + 1 + rq.n_other_instances++] =
			run->insts.v[i];
	}
	rq.instances = insts;
	rq.other_instances = insts + run->insts.n + 1;
	rq.user_mode = run->cli.user_mode >= 0 ? run->cli.user_mode : !run->is_root;
	rq.state_dir_override = run->state_dir;
	r = process_names(run->host, &rq, svc, out);
	free(insts);
	return r;
}

static int run_resolve_names(struct run *run, char **names, size_t n)
{
	const char **types = calloc(run->plugins.n_types + 1, sizeof(*types));
	int r;

	if (!types)
		return -ENOMEM;
	for (size_t i = 0; i < run->plugins.n_types; i++)
		types[i] = run->plugins.types[i]->name;
	r = gx_selection_resolve(&run->sel, &run->insts, types, run->plugins.n_types,
				 run_proc_names, run, names, n);
	free(types);
	return r;
}

/* ---------------------------------------------------------------------- */
/* Backends */

/* Upstream's root rule: systemd with galaxy_user, nothing else, unless told otherwise. */
static int run_check_root(const struct run *run, const struct gx_instance *inst)
{
	const char *backend = run_backend_name(run, inst);

	if (!run->is_root)
		return 0;
	if (strcmp(backend, "systemd") != 0) {
		/* At the process_manager line that chose it, else naming the config file. */
		const struct gx_node *pm = gx_node_get(inst->gravity, "process_manager");
		const struct gx_mark *at = pm && pm->mark.line && !run->cli.backend ? &pm->mark : NULL;
		struct gx_diag d = { 0 };

		gx_diag_add(&d, GX_LOG_ERROR, at,
			    "Gravity cannot be run as root unless using the systemd process manager "
			    "(instance %s%s%s uses %s%s; set GRAVITY_SKIP_SYSTEMD=1 to run it as root "
			    "anyway)", inst->name, at ? "" : " of ", at ? "" : inst->config_file,
			    backend, run->cli.backend ? ", from --backend" : "");
		gx_diag_print(&d, stderr, GX_LOG_ERROR);
		gx_diag_release(&d);
		return -EPERM;
	}
	if (!inst->galaxy_user) {
		gx_log(GX_LOG_ERROR, "galaxy_user is required when running as root (instance %s, %s)",
		       inst->name, inst->config_file ? inst->config_file : "no config file");
		return -EPERM;
	}
	return 0;
}

static gx_backend_slot run_slot(const struct gx_backend *b, enum gx_command cmd)
{
	switch (cmd) {
	case GX_CMD_START:
		return b->start;
	case GX_CMD_STOP:
		return b->stop;
	case GX_CMD_RESTART:
		return b->restart;
	case GX_CMD_GRACEFUL:
		return b->graceful;
	case GX_CMD_UPDATE:
		return b->update;
	case GX_CMD_SHUTDOWN:
		return b->shutdown;
	case GX_CMD_FOLLOW:
		return b->follow;
	case GX_CMD_PM:
		return b->pm;
	default:
		return NULL;
	}
}

/* A target for svc (all its processes when process < 0), unless one already covers it. */
static void run_add_target(struct gx_request *rq, struct gx_target *targets, long *processes,
			   const struct gx_instance *inst, const struct gx_service *svc, long process)
{
	for (size_t t = 0; t < rq->n_targets; t++)
		if (targets[t].instance == inst &&
		    (!targets[t].service ||
		     (targets[t].service == svc && (processes[t] < 0 || processes[t] == process))))
			return;
	targets[rq->n_targets] = (struct gx_target){ .instance = inst, .service = svc };
	processes[rq->n_targets++] = process;
}

/* The targets of one instance of this backend: the whole of it, its named services. */
static void run_instance_targets(const struct run *run, size_t i, struct gx_request *rq,
				 struct gx_target *targets, long *processes)
{
	const struct gx_instance *inst = run->insts.v[i];
	const struct gx_selection *sel = &run->sel;

	if (!gx_selection_instance_wanted(sel, i))
		return;
	if (sel->n_services == 0 && sel->n_instances > 0) {
		run_add_target(rq, targets, processes, inst, NULL, -1);
		return;
	}
	for (size_t s = 0; s < inst->n_services; s++)
		for (size_t k = 0; k < sel->n_services; k++)
			if (gx_selection_service_matches(inst->services[s], sel->services[k])) {
				run_add_target(rq, targets, processes, inst, inst->services[s], -1);
				break;
			}
}

/* What run_build_request() allocates for a request; run_request_mem_release() frees it. */
struct run_request_mem {
	const struct gx_instance **insts;
	struct gx_target *targets;
	long *processes;
};

static void run_request_mem_release(struct run_request_mem *m)
{
	free(m->insts);
	free(m->targets);
	free(m->processes);
	memset(m, 0, sizeof(*m));
}

/* The request for one backend: its instances, and the targets the names select. */
static int run_build_request(const struct run *run, const char *backend, struct gx_request *rq,
			     struct run_request_mem *ret_mem)
{
	const struct gx_instance **insts = calloc(2 * run->insts.n + 2, sizeof(*insts));
	const struct gx_instance **others;
	size_t max_targets = run->insts.n + run->sel.n_procs + 1;
	struct gx_target *targets = NULL;
	long *processes = NULL;

	for (size_t i = 0; i < run->insts.n; i++)
		max_targets += run->insts.v[i]->n_services;
	targets = calloc(max_targets, sizeof(*targets));
	processes = calloc(max_targets, sizeof(*processes));
	if (!insts || !targets || !processes) {
		free(insts);
		free(targets);
		free(processes);
		return -ENOMEM;
	}
	others = insts + run->insts.n + 1;
	for (size_t i = 0; i < run->insts.n; i++) {
		const struct gx_instance *inst = run->insts.v[i];

		if (strcmp(run_backend_name(run, inst), backend) != 0) {
			others[rq->n_other_instances++] = inst;
			continue;
		}
		insts[rq->n_instances++] = inst;
		if (gx_selection_named(&run->sel))
			run_instance_targets(run, i, rq, targets, processes);
	}
	/* A process named alone is its backend's own name for it: only its backend gets it. */
	for (size_t k = 0; k < run->sel.n_procs; k++) {
		const struct gx_selection_proc *p = &run->sel.procs[k];

		if (strcmp(run_backend_name(run, p->inst), backend) == 0)
			run_add_target(rq, targets, processes, p->inst, p->svc, p->index);
	}
	rq->instances = insts;
	rq->other_instances = others;
	rq->targets = targets;
	rq->target_process = processes;
	*ret_mem = (struct run_request_mem){ insts, targets, processes };
	return 0;
}

/* Distinct backend names of the instances the command concerns, in load order. */
static size_t run_backends(const struct run *run, bool all, const char **out)
{
	size_t n = 0;

	for (size_t i = 0; i < run->insts.n; i++) {
		const char *name = run_backend_name(run, run->insts.v[i]);
		bool seen = false;

		if (!all && !gx_selection_instance_wanted(&run->sel, i))
			continue;
		for (size_t k = 0; k < n; k++)
			seen = seen || strcmp(out[k], name) == 0;
		if (!seen)
			out[n++] = name;
	}
	return n;
}

/* The request of a command, from the command line. */
static struct gx_request run_request(const struct run *run)
{
	return (struct gx_request){
		.force = run->cli.force,
		.clean = run->cli.clean,
		.foreground = run->cli.foreground,
		.quiet = run->cli.quiet,
		.user_mode = run->cli.user_mode >= 0 ? run->cli.user_mode : !run->is_root,
		.state_dir_override = run->state_dir,
		.argc = (int)run->cli.n_args,
		.argv = run->cli.args,
		.json = run->cli.json,
		.start_if_stopped = run->cli.start_if_stopped,
		.graceful_delay_set = run->cli.graceful_delay_set,
		.graceful_delay = run->cli.graceful_delay,
	};
}

/*
 * update --dry-run on one backend: what its update would do goes into
 * run->plan, printed once every backend is done.  A backend that cannot
 * tell fails the dry run, unless it was only asked to clean up.
 */
static int run_plan_backend(struct run *run, const struct gx_backend *b, bool cleanup_only)
{
	gx_plan_slot plan = gx_plugins_backend_plan(&run->plugins, b);
	struct run_request_mem mem = { 0 };
	struct gx_request rq = run_request(run);
	struct gx_error err = { 0 };
	int r;

	if (!plan && cleanup_only) {
		gx_log(GX_LOG_WARNING, "the %s backend cannot tell what update would clean up for "
		       "instances now under another process manager (its module has no dry run)",
		       b->name);
		return GX_EXIT_OK;
	}
	if (!plan) {
		gx_log(GX_LOG_ERROR, "the %s backend cannot tell what update would do: its module "
		       "has no dry run (plugin ABI 1.6); nothing was changed", b->name);
		return GX_EXIT_UNAVAILABLE;
	}
	if (gx_plan_begin(&run->plan, b->name) < 0 ||
	    run_build_request(run, b->name, &rq, &mem) < 0) {
		gx_log(GX_LOG_ERROR, "out of memory");
		return GX_EXIT_FAILURE;
	}
	r = plan(run->host, &rq, &run->plan, &err);
	run_request_mem_release(&mem);
	if (r < 0 && cleanup_only) {
		gx_log(GX_LOG_WARNING, "the %s backend cannot tell what update would clean up for "
		       "instances now under another process manager: %s", b->name, err.message);
	} else if (r < 0) {
		gx_diag_print_error(&err, stderr);
		return GX_EXIT_FAILURE;
	}
	return GX_EXIT_OK;
}

/*
 * Run the command on one backend.  cleanup_only: the backend has no
 * instance of its own (update's second audience), and a failure there is
 * a warning, since the update itself is done by the others.
 */
static int run_one_backend(struct run *run, const char *name, struct gx_status *st,
			   bool cleanup_only)
{
	const struct gx_backend *b;
	struct run_request_mem mem = { 0 };
	struct gx_request rq = run_request(run);
	struct gx_error err = { 0 };
	/* wait reads the same rows as status */
	bool status_like = run->cli.command == GX_CMD_STATUS || run->cli.command == GX_CMD_WAIT;
	gx_backend_slot slot;
	int r;

	b = gx_plugins_backend(&run->plugins, name, &err);
	if (!b) {
		gx_diag_print_error(&err, stderr);
		return GX_EXIT_UNAVAILABLE;
	}
	if (run->dry_run)
		return run_plan_backend(run, b, cleanup_only);
	slot = status_like ? NULL : run_slot(b, run->cli.command);
	if ((status_like && !b->status) || (!status_like && !slot)) {
		gx_log(GX_LOG_ERROR, "the %s backend does not support the %s command", name,
		       gx_command_name(run->cli.command));
		return GX_EXIT_UNAVAILABLE;
	}
	if (run_build_request(run, name, &rq, &mem) < 0)
		return GX_EXIT_FAILURE;
	/* Names that select nothing of this backend must not read as "everything". */
	if (rq.n_targets == 0 && gx_selection_named(&run->sel) &&
	    run->cli.command != GX_CMD_UPDATE && run->cli.command != GX_CMD_PM) {
		run_request_mem_release(&mem);
		return GX_EXIT_OK;
	}
	r = status_like ? b->status(run->host, &rq, st, &err) : slot(run->host, &rq, &err);
	run_request_mem_release(&mem);
	if (r < 0 && cleanup_only) {
		gx_log(GX_LOG_WARNING, "the %s backend could not remove what it kept for instances "
		       "now under another process manager: %s", name, err.message);
	} else if (r < 0) {
		gx_diag_print_error(&err, stderr);
		return GX_EXIT_FAILURE;
	}
	if (run->cli.command == GX_CMD_STATUS && r > 0)
		run->not_running = true;
	/* pm: the process manager's own exit status, unchanged. */
	if (run->cli.command == GX_CMD_PM && r > 0)
		return r > 255 ? 255 : r;
	return GX_EXIT_OK;
}

/*
 * Does a failed check stop the command?  update fails on whatever would
 * fail its render, before any backend changes anything; update --clean
 * renders nothing.  The other commands fail only on a value a backend
 * cannot hold (-EINVAL): a missing requirement, such as systemd's
 * virtualenv, is for update to report, and show works without it, as
 * upstream's does.
 */
static bool run_check_fails(const struct run *run, const struct gx_error *err)
{
	if (run->cli.command == GX_CMD_UPDATE)
		return !run->cli.clean;
	return err->code == -EINVAL || err->code == -ENOMEM;
}

/*
 * Each backend the instances use renders what it would write, so that a
 * value one of them cannot hold is a config error for every command, and
 * an update changes nothing in any backend before all could do their part.
 * A backend that is not installed is the command's to report, not this.
 */
static int run_check_backends(struct run *run)
{
	const char **names = calloc(run->insts.n + 1, sizeof(*names));
	size_t n = names ? run_backends(run, true, names) : 0;
	int code = names ? GX_EXIT_OK : GX_EXIT_FAILURE;

	for (size_t i = 0; i < n && code == GX_EXIT_OK; i++) {
		struct gx_error err = { 0 };
		const struct gx_backend *b = gx_plugins_backend(&run->plugins, names[i], &err);
		gx_backend_slot check = b ? gx_plugins_backend_check(&run->plugins, b) : NULL;
		struct run_request_mem mem = { 0 };
		struct gx_request rq = {
			.user_mode = run->cli.user_mode >= 0 ? run->cli.user_mode : !run->is_root,
			.state_dir_override = run->state_dir,
		};
		int r;

		if (!check)
			continue;
		if (run_build_request(run, names[i], &rq, &mem) < 0) {
			code = GX_EXIT_FAILURE;
			break;
		}
		gx_log_mute(true);
		r = check(run->host, &rq, &err);
		gx_log_mute(false);
		if (r < 0 && run_check_fails(run, &err)) {
			gx_diag_print_error(&err, stderr);
			if (err.code != -ENOMEM)
				gx_log(GX_LOG_ERROR, "the configuration has errors; nothing was changed");
			code = err.code == -ENOMEM ? GX_EXIT_FAILURE : GX_EXIT_CONFIG;
		}
		run_request_mem_release(&mem);
	}
	free(names);
	return code;
}

static void run_print_log_dirs(const struct run *run)
{
	for (size_t i = 0; i < run->insts.n; i++) {
		const struct gx_instance *inst = run->insts.v[i];

		if (!gx_selection_instance_wanted(&run->sel, i) || strcmp(run_backend_name(run, inst), "systemd") == 0)
			continue;
		if (run->insts.n == 1)
			gx_log(GX_LOG_INFO, "Log files are in %s", inst->log_dir);
		else
			gx_log(GX_LOG_INFO, "Log files for %s are in %s", inst->name, inst->log_dir);
	}
}

/* Every service named must be configured in an instance the command concerns. */
static bool run_services_configured(const struct run *run)
{
	bool ok = true;

	for (size_t k = 0; k < run->sel.n_services; k++) {
		bool found = false;

		for (size_t i = 0; i < run->insts.n && !found; i++)
			for (size_t s = 0; gx_selection_instance_wanted(&run->sel, i) && s < run->insts.v[i]->n_services; s++)
				found = found || gx_selection_service_matches(run->insts.v[i]->services[s],
									      run->sel.services[k]);
		if (!found) {
			gx_log(GX_LOG_ERROR, "Service '%s' is not configured%s", run->sel.services[k],
			       run->sel.n_instances ? " in the named instance(s)" : "");
			ok = false;
		}
	}
	return ok;
}

/*
 * update goes to every installed backend, as upstream's goes to every
 * process manager: one that no instance uses any more removes what it kept
 * for them.  This runs before the backends that own the instances apply
 * their files, so that what moved is stopped before it starts elsewhere.
 * A backend that cannot be loaded or fails only costs that cleanup.
 */
static void run_update_others(struct run *run, const char *const *owners, size_t n_owners)
{
	struct gx_plugins *p = &run->plugins;
	struct gx_strv names = { 0 };

	/* Open every installed backend; what each provides is then in p->backends. */
	if (gx_plugins_backend_names(p, &names) < 0)
		gx_log(GX_LOG_WARNING, "out of memory listing the backends");
	for (size_t i = 0; i < names.n; i++) {
		struct gx_error err = { 0 };

		if (!gx_plugins_backend(p, names.v[i], &err) && err.code != -ENOENT)
			gx_log(GX_LOG_WARNING, "the %s backend was not asked to clean up: %s",
			       names.v[i], err.message);
	}
	gx_strv_release(&names);
	for (size_t i = 0; i < p->n_backends; i++) {
		const struct gx_backend *b = p->backends[i];
		bool owner = false;

		for (size_t k = 0; k < n_owners; k++)
			owner = owner || strcmp(owners[k], b->name) == 0;
		if (!owner && b->update)
			run_one_backend(run, b->name, NULL, true);
	}
}

static double run_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/*
 * One look for wait: every backend's selected rows, then gx_wait_check.
 * Muted, neither the backends' warnings (supervisord is not running ...)
 * nor the readiness checks' lines are shown.  0 ready, -EAGAIN not yet,
 * -ECANCELED not yet and one is FATAL, -ENOMEM; *code is a backend's failure.
 */
static int run_wait_look(struct run *run, const char **names, size_t n, bool muted, int *code,
			 char **not_ready)
{
	struct gx_status st = { 0 };
	int r = 0;

	gx_log_mute(true);
	for (size_t i = 0; i < n && *code == GX_EXIT_OK; i++)
		*code = run_one_backend(run, names[i], &st, false);
	gx_log_mute(muted);
	free(*not_ready);
	*not_ready = NULL;
	if (*code == GX_EXIT_OK)
		r = gx_wait_check(run->host, &run->insts, &st, not_ready);
	gx_log_mute(false);
	gx_status_release(&st);
	return r;
}

/*
 * wait: look again and again, quietly, until each selected process is
 * ready or the timeout passes; a last look once all are ready shows their
 * readiness lines once.  A process the manager gave up on (FATAL) ends the
 * wait at once: it will not come back by itself.
 */
static int run_wait(struct run *run, const char **names, size_t n)
{
	double deadline = run_now() + (double)run->cli.wait_timeout;
	char *not_ready = NULL;
	int code = GX_EXIT_OK, r;

	for (;;) {
		r = run_wait_look(run, names, n, true, &code, &not_ready);
		if (r == 0 && code == GX_EXIT_OK)
			r = run_wait_look(run, names, n, false, &code, &not_ready);
		if (code != GX_EXIT_OK || r != -EAGAIN || run_now() >= deadline)
			break;
		gx_log(GX_LOG_DEBUG, "not ready yet: %s", not_ready);
		usleep(500 * 1000);
	}
	if (code == GX_EXIT_OK && r == -ENOMEM)
		code = GX_EXIT_FAILURE;
	if (code == GX_EXIT_OK && r == -ECANCELED) {
		gx_log(GX_LOG_ERROR, "Will not become ready: %s; the process manager gave up (see "
		       "the service's log), start it again once fixed", not_ready);
		code = GX_EXIT_NOT_RUNNING;
	} else if (code == GX_EXIT_OK && r == -EAGAIN) {
		gx_log(GX_LOG_ERROR, "Not ready after %ld seconds: %s", run->cli.wait_timeout,
		       not_ready);
		code = GX_EXIT_NOT_RUNNING;
	}
	free(not_ready);
	return code;
}

static int run_backend_command(struct run *run)
{
	const char **names = calloc(run->insts.n + 1, sizeof(*names));
	bool all = run->cli.command == GX_CMD_UPDATE;
	struct gx_status st = { 0 };
	size_t n;
	int code = GX_EXIT_OK;

	if (!names)
		return GX_EXIT_FAILURE;
	if (run->cli.command != GX_CMD_PM &&
	    run_resolve_names(run, run->cli.args, run->cli.n_args) < 0) {
		free(names);
		return run->sel.instances ? GX_EXIT_USAGE : GX_EXIT_FAILURE;
	}
	if (!run_services_configured(run)) {
		free(names);
		return GX_EXIT_FAILURE;
	}
	for (size_t i = 0; i < run->insts.n; i++)
		if ((all || gx_selection_instance_wanted(&run->sel, i)) && run_check_root(run, run->insts.v[i]) < 0)
			code = GX_EXIT_CONFIG;
	n = code ? 0 : run_backends(run, all, names);
	if (code == GX_EXIT_OK && n == 0) {
		gx_log(GX_LOG_ERROR, "No configured Galaxy instances");
		code = GX_EXIT_FAILURE;
	}
	if (code == GX_EXIT_OK && all && !run->cli.backend)
		run_update_others(run, names, n);
	if (code == GX_EXIT_OK && run->cli.command == GX_CMD_WAIT)
		code = run_wait(run, names, n);
	for (size_t i = 0; i < n && code == GX_EXIT_OK && run->cli.command != GX_CMD_WAIT; i++)
		code = run_one_backend(run, names[i], &st, false);
	if (code == GX_EXIT_OK && run->cli.command == GX_CMD_STATUS) {
		if (run->cli.json)
			code = gx_status_print_json(&st, stdout) < 0 ? GX_EXIT_FAILURE : GX_EXIT_OK;
		else
			gx_status_print_table(&st, stdout);
		/* As supervisorctl's; JSON readers have every state in the output. */
		if (code == GX_EXIT_OK && !run->cli.json &&
		    (run->not_running || gx_status_any_stopped(&st)))
			code = GX_EXIT_NOT_RUNNING;
	}
	if (code == GX_EXIT_OK && run->cli.command == GX_CMD_START && !run->cli.foreground)
		run_print_log_dirs(run);
	if (code == GX_EXIT_OK && run->dry_run) {
		code = gx_plan_changes(&run->plan) ? GX_EXIT_CHANGES : GX_EXIT_OK;
		if (gx_plan_print(&run->plan, stdout) < 0) {
			gx_log(GX_LOG_ERROR, "out of memory");
			code = GX_EXIT_FAILURE;
		}
	}
	gx_status_release(&st);
	free(names);
	return code;
}

/* ---------------------------------------------------------------------- */
/* list, show, exec */

static const struct gx_instance *run_single_instance(const struct run *run, const char *name)
{
	const struct gx_instance *inst;

	if (name) {
		inst = gx_instances_find(&run->insts, name);
		if (!inst)
			gx_log(GX_LOG_ERROR, "Unknown instance name: %s", name);
		return inst;
	}
	if (run->insts.n > 1) {
		gx_log(GX_LOG_ERROR, "An instance name is required when more than one instance is configured");
		return NULL;
	}
	if (run->insts.n == 0) {
		gx_log(GX_LOG_ERROR, "No configured Galaxy instances");
		return NULL;
	}
	return run->insts.v[0];
}

static int run_show(struct run *run)
{
	const struct gx_instance *inst = run_single_instance(run, run->cli.n_args ? run->cli.args[0]
										   : NULL);

	if (!inst)
		return GX_EXIT_FAILURE;
	return gx_show_instance(inst, run->cli.details, stdout) < 0 ? GX_EXIT_FAILURE : GX_EXIT_OK;
}

static const char *run_service_list(const struct gx_instance *inst, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < inst->n_services && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%s", i ? ", " : "",
					 inst->services[i]->name);
	return buf;
}

static const struct gx_service *run_exec_service(struct run *run, const struct gx_instance **ret)
{
	const struct gx_instance *inst = NULL;
	const struct gx_service *svc;
	char list[1024];

	if (run_resolve_names(run, run->cli.args, run->cli.n_args) < 0) {
		/* Beyond upstream: with one instance, say what a mistyped name could have been. */
		if (run->sel.instances && run->insts.n == 1) {
			run_service_list(run->insts.v[0], list, sizeof(list));
			gx_log(GX_LOG_INFO, "Configured service(s): %s", list);
		}
		return NULL;
	}
	if (run->sel.n_instances == 0 && run->insts.n == 1) {
		inst = run->insts.v[0];
	} else if (run->sel.n_instances != 1) {
		gx_log(GX_LOG_ERROR, "Only zero or one instance name can be provided");
		return NULL;
	}
	for (size_t i = 0; !inst && i < run->insts.n; i++)
		if (run->sel.instances[i])
			inst = run->insts.v[i];
	run_service_list(inst, list, sizeof(list));
	if (run->sel.n_services != 1) {
		gx_log(GX_LOG_ERROR, "Exactly one service name must be provided. Configured service(s): %s",
		       list);
		return NULL;
	}
	svc = gx_instance_service(inst, run->sel.services[0]);
	if (!svc) {
		gx_log(GX_LOG_ERROR, "Service '%s' is not configured. Configured service(s): %s",
		       run->sel.services[0], list);
		return NULL;
	}
	*ret = inst;
	return svc;
}

/* exec: resolve the one service named, then run its process in our place. */
static int run_exec(struct run *run)
{
	const struct gx_instance *inst = NULL;
	const struct gx_service *svc = run_exec_service(run, &inst);
	const struct gx_exec_opts opts = {
		.quiet = run->cli.quiet,
		.no_exec = run->cli.no_exec,
		.check_ready = run->cli.check_ready,
		.debug = run->cli.debug,
	};
	long process = 0;

	if (!svc)
		return GX_EXIT_FAILURE;
	if (svc->count > 1) {
		if (run->cli.service_instance < 0 || run->cli.service_instance >= (long)svc->count) {
			gx_log(GX_LOG_ERROR, "Cannot exec '%s': This service is configured to use multiple "
			       "instances and --service-instance %s", svc->name,
			       run->cli.service_instance < 0 ? "was not set" : "is out of range");
			return GX_EXIT_FAILURE;
		}
		process = run->cli.service_instance;
	}
	return gx_exec_process(run->host, inst, svc, (unsigned)process, &opts);
}

/* ---------------------------------------------------------------------- */

static int run_command(struct run *run)
{
	switch (run->cli.command) {
	case GX_CMD_LIST:
		gx_show_list(&run->insts, run->cli.version, stdout);
		return GX_EXIT_OK;
	case GX_CMD_SHOW:
		return run_show(run);
	case GX_CMD_EXEC:
		return run_exec(run);
	default:
		return run_backend_command(run);
	}
}

int gx_main(int argc, char **argv)
{
	struct run run = { 0 };
	char *self_exe = NULL;
	char *invoked = NULL;
	int code, r;

	r = gx_cli_parse(&run.cli, argc, argv, stdout, stderr);
	if (r != 0) {
		gx_cli_release(&run.cli);
		return r > 0 ? GX_EXIT_OK : GX_EXIT_USAGE;
	}
	self_exe = gx_self_exe(argv[0]);
	invoked = gx_invoked_galaxyctl(argv[0], self_exe);
	run.host = gx_host_init(invoked, run.cli.debug);
	gx_log_set_quiet(run.cli.quiet);
	run.is_root = run_is_root();
	run.dry_run = run.cli.command == GX_CMD_UPDATE && run.cli.dry_run;
	run.plan.force = run.cli.force;
	gx_host_set_dry_run(run.dry_run);
	if (run.cli.single_user) {
		setenv("GALAXY_CONFIG_SINGLE_USER", run.cli.single_user, 1);
		setenv("GALAXY_CONFIG_ADMIN_USERS", run.cli.single_user, 1);
	}
	if (run.cli.command == GX_CMD_SHOW && run.cli.sample_config) {
		code = run_sample_config(&run, self_exe);
		goto out_release;
	}
	code = run_load(&run, self_exe);
	/* exec runs inside the process manager's programs: what they hold is theirs to judge. */
	if (code == GX_EXIT_OK && run.cli.command != GX_CMD_LIST && run.cli.command != GX_CMD_EXEC)
		code = run_check_backends(&run);
	if (code == GX_EXIT_OK)
		code = run_command(&run);
out_release:
	fflush(stdout);
	gx_selection_release(&run.sel);
	free(run.state_dir);
	gx_instances_release(&run.insts);
	gx_config_release(&run.cfg);
	gx_diag_release(&run.diag);
	gx_plan_release(&run.plan);
	gx_plugins_release(&run.plugins);
	gx_host_release();
	gx_cli_release(&run.cli);
	free(self_exe);
	free(invoked);
	return code;
}
