/* SPDX-License-Identifier: MIT */
/* Each service process as the direct manager runs it: command, environment, user, log. */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "program.h"

/* ---------------------------------------------------------------------- */
/* Programs: what the manager is told to run */

void direct_creds_release(struct direct_creds *c)
{
	free(c->groups);
	free(c->user);
	free(c->home);
	memset(c, 0, sizeof(*c));
}

/* Root with galaxy_user: that user (and group).  Otherwise the current user, for HOME and USER. */
int direct_creds_init(const struct direct_ctx *x, const struct gx_instance *inst,
		      struct direct_creds *c)
{
	const struct passwd *pw;
	int n = 64;

	memset(c, 0, sizeof(*c));
	if (geteuid() != 0 || !inst->galaxy_user) {
		pw = getpwuid(geteuid());
		c->user = pw ? strdup(pw->pw_name) : NULL;
		c->home = pw ? strdup(pw->pw_dir) : NULL;
		return 0;
	}
	pw = getpwnam(inst->galaxy_user);
	if (!pw)
		return x->h->errorf(x->err, NULL, -ENOENT, "galaxy_user %s (instance %s): no such user",
				    inst->galaxy_user, inst->name);
	c->set_user = true;
	c->uid = pw->pw_uid;
	c->gid = pw->pw_gid;
	c->user = strdup(pw->pw_name);
	c->home = strdup(pw->pw_dir);
	if (inst->galaxy_group) {
		const struct group *gr = getgrnam(inst->galaxy_group);

		if (!gr) {
			direct_creds_release(c);
			return x->h->errorf(x->err, NULL, -ENOENT,
					    "galaxy_group %s (instance %s): no such group",
					    inst->galaxy_group, inst->name);
		}
		c->gid = gr->gr_gid;
	}
	for (bool oom = false; !oom;) {
		gid_t *grown = realloc(c->groups, (size_t)n * sizeof(gid_t));
		int got = n;

		oom = !grown;
		if (grown)
			c->groups = grown;
		if (grown && getgrouplist(c->user ? c->user : inst->galaxy_user, c->gid, c->groups,
					  &got) >= 0) {
			c->n_groups = got;
			break;
		}
		n = got > n ? got : n * 2;
	}
	if (!c->n_groups || !c->user || !c->home) {
		direct_creds_release(c);
		return direct_oom(x);
	}
	return 0;
}

static bool direct_env_has(char *const *env, size_t n, const char *name)
{
	size_t len = strlen(name);

	for (size_t i = 0; i < n; i++)
		if (strncmp(env[i], name, len) == 0 && env[i][len] == '=')
			return true;
	return false;
}

/*
 * The PATH the core built from ours (the virtualenv's bin in front of
 * galaxyctl's PATH) rests on the manager's PATH instead: programs get the
 * PATH of the manager that runs them, as supervisor's %(ENV_PATH)s and
 * systemd's show-environment do, and an update run from another shell
 * does not see every program as changed.  A PATH the config sets stays.
 */
static int direct_env_rebase_path(const struct direct_ctx *x, const struct gx_service *svc,
				  unsigned process, struct gx_strv *env, const char *manager_path)
{
	const struct gx_node *set = x->h->get(svc->settings[process], "environment");
	const char *ours = getenv("PATH");
	size_t olen = ours ? strlen(ours) : 0;

	if (!olen || (set && x->h->get(set, "PATH")))
		return 0;
	for (size_t i = 0; i < env->n; i++) {
		char *v = env->v[i], *rebased = NULL;
		size_t vlen = strlen(v);

		if (strncmp(v, "PATH=", 5) != 0 || vlen < 5 + olen || strcmp(v + vlen - olen, ours) != 0 ||
		    (vlen > 5 + olen && v[vlen - olen - 1] != ':'))
			continue;
		if (asprintf(&rebased, "%.*s%s", (int)(vlen - olen), v, manager_path) < 0)
			return direct_oom(x);
		free(env->v[i]);
		env->v[i] = rebased;
		break;
	}
	return 0;
}

/* The service's environment, completed: see the notes at the top. */
static int direct_env(const struct direct_ctx *x, const struct gx_service *svc, unsigned i,
		      const struct direct_creds *c, const char *manager_path,
		      struct gx_strv *env)
{
	extern char **environ;
	const char *path = manager_path ? manager_path : getenv("PATH");
	int r = x->h->service_env(svc, i, env, x->err);

	if (r < 0)
		return r;
	if (manager_path)
		r = direct_env_rebase_path(x, svc, i, env, manager_path);
	if (r == 0 && !direct_env_has(env->v, env->n, "PATH"))
		r = x->h->strv_pushf(env, "PATH=%s", path && *path ? path :
				     "/usr/local/bin:/usr/bin:/bin");
	if (r == 0 && c->home && !direct_env_has(env->v, env->n, "HOME"))
		r = x->h->strv_pushf(env, "HOME=%s", c->home);
	if (r == 0 && c->user && !direct_env_has(env->v, env->n, "USER"))
		r = x->h->strv_pushf(env, "USER=%s", c->user);
	if (r == 0 && c->user && !direct_env_has(env->v, env->n, "LOGNAME"))
		r = x->h->strv_pushf(env, "LOGNAME=%s", c->user);
	for (char **e = environ; r == 0 && e && *e; e++) {
		char name[256];
		size_t len = strcspn(*e, "=");

		if (strncmp(*e, "GALAXY_CONFIG_", 14) != 0 || len >= sizeof(name))
			continue;
		memcpy(name, *e, len);
		name[len] = '\0';
		if (!direct_env_has(env->v, env->n, name))
			r = x->h->strv_push(env, *e);
	}
	if (r < 0)
		return direct_oom(x);
	return 0;
}

/*
 * How the manager asks whether a STARTING process is ready: galaxyctl exec --check-ready runs
 * the service's own readiness check (gunicorn: /api/version on its bind) once.  Nothing for a
 * service without one: it is RUNNING after start_timeout, as before.
 */
static int direct_ready_argv(const struct direct_ctx *x, const struct direct_proc *dp,
			     struct gx_strv *ready)
{
	const struct gx_instance *inst = dp->inst;
	int r = 0;

	if (!dp->svc->type->ready || !x->h->self_exe || !inst->config_file)
		return 0;
	r = x->h->strv_push(ready, x->h->self_exe);
	if (r == 0)
		r = x->h->strv_push(ready, "--config-file");
	if (r == 0)
		r = x->h->strv_push(ready, inst->config_file);
	if (r == 0)
		r = x->h->strv_push(ready, "exec");
	if (r == 0)
		r = x->h->strv_push(ready, "--check-ready");
	if (r == 0)
		r = x->h->strv_pushf(ready, "--service-instance=%u", dp->process);
	if (r == 0)
		r = x->h->strv_push(ready, inst->name);
	if (r == 0)
		r = x->h->strv_push(ready, dp->svc->name);
	return r;
}

/* The program object of one process; manager_path: the running manager's PATH, or NULL. */
static json_t *direct_program(const struct direct_ctx *x, const struct direct_proc *dp,
			      const struct direct_creds *c, const char *manager_path)
{
	const struct gx_instance *inst = dp->inst;
	const struct gx_service *svc = dp->svc;
	struct gx_strv argv = { 0 }, env = { 0 }, ready = { 0 };
	struct direct_spec spec = { 0 };
	json_t *o = NULL;

	if (x->h->service_argv(svc, dp->process, &argv, x->err) < 0 ||
	    direct_env(x, svc, dp->process, c, manager_path, &env) < 0)
		goto out;
	if (direct_ready_argv(x, dp, &ready) < 0) {
		direct_oom(x);
		goto out;
	}
	if (argv.n == 0) {
		x->h->errorf(x->err, NULL, -EINVAL, "%s: the service has an empty command", dp->name);
		goto out;
	}
	spec.name = dp->name;
	spec.instance = inst->name;
	spec.service = svc->name;
	spec.process = dp->process;
	spec.argv = argv.v;
	spec.env = env.v;
	spec.cwd = inst->working_dir ? inst->working_dir : "/";
	spec.umask = (unsigned)strtoul(svc->umask ? svc->umask : "022", NULL, 8) & 0777;
	spec.start_timeout = svc->start_timeout;
	spec.stop_timeout = svc->stop_timeout;
	spec.log = dp->log;
	/* The core filled in core_options.c's defaults for what the config leaves out. */
	spec.log_max_bytes = x->h->get_int(inst->gravity, "log_max_bytes");
	spec.log_backups = (unsigned)x->h->get_int(inst->gravity, "log_backups");
	spec.start_retries = (unsigned)x->h->get_int(inst->gravity, "start_retries");
	spec.set_user = c->set_user;
	spec.uid = c->uid;
	spec.gid = c->gid;
	spec.groups = c->groups;
	spec.n_groups = c->set_user ? (size_t)c->n_groups : 0;
	spec.memory_limit_kb = (long long)(svc->memory_limit * 1024 * 1024);
	spec.memory_high_kb = (long long)(svc->memory_high * 1024 * 1024);
	spec.ready_argv = ready.n ? ready.v : NULL;
	o = direct_spec_to_json(&spec);
	if (!o)
		direct_oom(x);
out:
	x->h->strv_release(&argv);
	x->h->strv_release(&env);
	x->h->strv_release(&ready);
	return o;
}

/* Create dir (and parents); as root for galaxy_user, what is created belongs to that user. */
int direct_mkdir_p(const char *dir, const struct direct_creds *c)
{
	char *copy = strdup(dir);
	int r = 0;

	if (!copy)
		return -ENOMEM;
	for (char *p = copy + 1; r == 0; p++) {
		bool end = *p == '\0';

		if (*p != '/' && !end)
			continue;
		*p = '\0';
		if (mkdir(copy, 0755) == 0) {
			if (c->set_user && chown(copy, c->uid, c->gid) < 0)
				r = -errno;
		} else if (errno != EEXIST) {
			r = -errno;
		}
		if (end)
			break;
		*p = '/';
	}
	free(copy);
	return r;
}

/*
 * The update request for a group: every program of its instances (or
 * none, to clean), with the state and log dirs ready.
 */
int direct_update_request(const struct direct_ctx *x, const struct direct_group *g,
			  bool clean, bool start, struct gx_plan *plan, json_t **ret)
{
	json_t *programs = json_array(), *instances = json_array();
	struct direct_procs ps = { 0 };
	bool exit_on_fatal = false;
	int r = 0;

	if (!programs || !instances) {
		json_decref(programs);
		json_decref(instances);
		return direct_oom(x);
	}
	r = clean ? 0 : direct_group_procs(x, g, true, NULL, &ps);
	for (size_t i = 0; r == 0 && i < g->n_insts; i++) {
		const struct gx_instance *inst = g->insts[i];
		struct direct_creds c;

		if (clean && !direct_targeted(x->rq, inst, NULL))
			continue;
		json_array_append_new(instances, json_string(inst->name));
		exit_on_fatal = exit_on_fatal || x->h->get_bool(inst->gravity, "exit_on_fatal");
		if (clean)
			continue;
		r = direct_creds_init(x, inst, &c);
		for (size_t d = 0; r == 0 && d < 2; d++) {
			const char *dir = d == 0 ? inst->state_dir : inst->log_dir;
			int m = plan ? 0 : direct_mkdir_p(dir, &c);

			if (plan)
				r = x->h->plan_dir(plan, dir, d == 0 ? "state dir" : "log dir", x->err);
			r = r > 0 ? 0 : r;
			if (m < 0)
				r = x->h->errorf(x->err, NULL, m, "cannot create %s: %s", dir, strerror(-m));
		}
		for (size_t k = 0; r == 0 && k < ps.n; k++) {
			json_t *o;

			if (ps.v[k].inst != inst)
				continue;
			o = direct_program(x, &ps.v[k], &c, g->manager_path);
			if (!o)
				r = -EINVAL;
			else
				json_array_append_new(programs, o);
		}
		direct_creds_release(&c);
	}
	direct_procs_release(&ps);
	if (r < 0) {
		json_decref(programs);
		json_decref(instances);
		return r;
	}
	*ret = json_pack("{s:s, s:o, s:o, s:b, s:b}", "op", plan ? "plan" : "update", "instances",
			 instances,
			 "programs", programs, "start", start, "exit_on_fatal", exit_on_fatal);
	return *ret ? 0 : direct_oom(x);
}


int direct_check_group(const struct direct_ctx *x, const struct direct_group *g)
{
	struct direct_procs ps = { 0 };
	int r = direct_group_procs(x, g, true, NULL, &ps);

	for (size_t i = 0; r == 0 && i < g->n_insts; i++) {
		struct direct_creds c;

		r = direct_creds_init(x, g->insts[i], &c);
		for (size_t k = 0; r == 0 && k < ps.n; k++) {
			json_t *o;

			if (ps.v[k].inst != g->insts[i])
				continue;
			o = direct_program(x, &ps.v[k], &c, NULL);
			if (!o)
				r = -EINVAL;
			json_decref(o);
		}
		direct_creds_release(&c);
	}
	direct_procs_release(&ps);
	return r;
}
