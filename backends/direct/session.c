/* SPDX-License-Identifier: MIT */
/* The direct backend's galaxyctl side: instances grouped by manager, and requests to it. */
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "proc.h"
#include "names.h"

/* A request that waits for programs to stop gets this much beyond their stop_timeout. */
#define DIRECT_CALL_SLACK_S 30

/* ---------------------------------------------------------------------- */
/* Groups of instances, one per manager */

void direct_ctx_release(struct direct_ctx *x)
{
	for (size_t i = 0; i < x->n_groups; i++) {
		struct direct_group *g = &x->groups[i];

		direct_client_close(&g->conn);
		if (g->lock_fd >= 0)
			close(g->lock_fd);
		direct_paths_release(&g->paths);
		free(g->insts);
		free(g->manager_path);
	}
	free(x->groups);
	x->groups = NULL;
	x->n_groups = 0;
}

int direct_oom(const struct direct_ctx *x)
{
	return x->h->errorf(x->err, NULL, -ENOMEM, "out of memory");
}

/* The group of a state dir, added when missing; NULL when out of memory. */
static struct direct_group *direct_group_of(struct direct_ctx *x, const char *state_dir,
					    bool foreign)
{
	size_t cap = x->rq->n_instances + x->rq->n_other_instances;
	struct direct_group *g;

	for (size_t k = 0; k < x->n_groups; k++)
		if (strcmp(x->groups[k].state_dir, state_dir) == 0)
			return &x->groups[k];
	g = &x->groups[x->n_groups++];
	g->state_dir = state_dir;
	g->foreign = foreign;
	g->lock_fd = -1;
	g->conn.fd = -1;
	g->insts = calloc(cap, sizeof(*g->insts));
	if (!g->insts || direct_paths_init(&g->paths, state_dir) < 0)
		return NULL;
	return g;
}

int direct_ctx_init(struct direct_ctx *x, const struct gx_host *h,
		    const struct gx_request *rq, struct gx_error *err)
{
	memset(x, 0, sizeof(*x));
	x->h = h;
	x->rq = rq;
	x->err = err;
	x->use_instance_name = direct_uses_instance_name(rq);
	x->groups = calloc(rq->n_instances + rq->n_other_instances + 1, sizeof(*x->groups));
	if (!x->groups)
		return direct_oom(x);
	for (size_t i = 0; i < rq->n_instances; i++) {
		struct direct_group *g = direct_group_of(x, rq->instances[i]->state_dir, false);

		if (!g) {
			direct_ctx_release(x);
			return direct_oom(x);
		}
		g->insts[g->n_insts++] = rq->instances[i];
	}
	return 0;
}

int direct_ctx_add_foreign(struct direct_ctx *x)
{
	const struct gx_request *rq = x->rq;

	for (size_t i = 0; i < rq->n_other_instances; i++) {
		const struct gx_instance *inst = rq->other_instances[i];
		struct direct_group *g = direct_group_of(x, inst->state_dir, true);

		if (!g)
			return direct_oom(x);
		if (g->foreign)
			g->insts[g->n_insts++] = inst;
	}
	return 0;
}

bool direct_uses_instance_name(const struct gx_request *rq)
{
	/* As the supervisor backend's names: every loaded instance counts, as upstream counts. */
	return direct_names_use_instance(rq->n_instances + rq->n_other_instances,
					 rq->n_instances ? rq->instances[0]->name
					 : rq->n_other_instances ? rq->other_instances[0]->name
								 : "");
}

bool direct_targeted(const struct gx_request *rq, const struct gx_instance *inst,
		     const struct gx_service *svc)
{
	if (rq->n_targets == 0)
		return true;
	for (size_t i = 0; i < rq->n_targets; i++)
		if (rq->targets[i].instance == inst &&
		    (!rq->targets[i].service || rq->targets[i].service == svc))
			return true;
	return false;
}

void direct_procs_release(struct direct_procs *ps)
{
	for (size_t i = 0; i < ps->n; i++) {
		free(ps->v[i].name);
		free(ps->v[i].log);
	}
	free(ps->v);
	memset(ps, 0, sizeof(*ps));
}

/* The processes of a group's instances: every one (all), or those the command names. */
int direct_group_procs(const struct direct_ctx *x, const struct direct_group *g, bool all,
		       const struct gx_service *only, struct direct_procs *ret)
{
	struct direct_procs ps = { 0 };
	size_t alloc = 0;

	for (size_t i = 0; i < g->n_insts; i++)
		for (size_t s = 0; s < g->insts[i]->n_services; s++)
			alloc += g->insts[i]->services[s]->count;
	ps.v = calloc(alloc + 1, sizeof(*ps.v));
	if (!ps.v)
		return direct_oom(x);
	for (size_t i = 0; i < g->n_insts; i++) {
		const struct gx_instance *inst = g->insts[i];

		for (size_t s = 0; s < inst->n_services; s++) {
			const struct gx_service *svc = inst->services[s];

			if (only ? svc != only : !all && !direct_targeted(x->rq, inst, svc))
				continue;
			for (unsigned p = 0; p < svc->count; p++) {
				struct direct_proc *dp;

				if (!only && !all && !x->h->request_has_process(x->rq, svc, p))
					continue;
				dp = &ps.v[ps.n++];

				dp->inst = inst;
				dp->svc = svc;
				dp->process = p;
				dp->name = direct_names_program(x->use_instance_name, inst->name,
								svc->name, svc->count, p);
				dp->log = direct_names_log(x->use_instance_name, inst->log_dir, inst->name,
							   svc->config_type, svc->name, svc->count, p);
				if (!dp->name || !dp->log) {
					direct_procs_release(&ps);
					return direct_oom(x);
				}
			}
		}
	}
	*ret = ps;
	return 0;
}

static json_t *direct_names_json(const struct direct_procs *ps)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < ps->n; i++)
		json_array_append_new(a, json_string(ps->v[i].name));
	return a;
}

/* The longest stop_timeout among a group's processes, plus slack, in ms. */
int direct_stop_wait_ms(const struct direct_group *g)
{
	long most = 10;

	for (size_t i = 0; i < g->n_insts; i++)
		for (size_t s = 0; s < g->insts[i]->n_services; s++)
			if (g->insts[i]->services[s]->stop_timeout > most)
				most = g->insts[i]->services[s]->stop_timeout;
	if (most > INT_MAX / 1000 - DIRECT_CALL_SLACK_S)
		most = INT_MAX / 1000 - DIRECT_CALL_SLACK_S;
	return (int)(most + DIRECT_CALL_SLACK_S) * 1000;
}

/* ---------------------------------------------------------------------- */
/* Talking to a group's manager */

static const struct gx_host *direct_note_host;

static void direct_note(const char *msg)
{
	if (direct_note_host)
		direct_note_host->log(GX_LOG_INFO, "%s", msg);
}

int direct_lock(const struct direct_ctx *x, struct direct_group *g)
{
	struct direct_creds c;
	char why[600] = "";
	int r = direct_creds_init(x, g->insts[0], &c);

	if (r < 0)
		return r;
	/* The state dir belongs to the services' user (celery-beat writes there); paths.dir to us. */
	r = direct_mkdir_p(g->state_dir, &c);
	direct_creds_release(&c);
	if (r < 0)
		return x->h->errorf(x->err, NULL, r, "cannot create %s: %s", g->state_dir,
				    strerror(-r));
	r = direct_paths_check(&g->paths, true, why, sizeof(why));
	if (r < 0)
		return x->h->errorf(x->err, NULL, r, "%s", why);
	direct_note_host = x->h;
	r = direct_client_lock(&g->paths, direct_note);
	if (r < 0)
		return x->h->errorf(x->err, NULL, r, "cannot lock %s: %s", g->paths.lock,
				    strerror(-r));
	g->lock_fd = r;
	return 0;
}

void direct_unlock(struct direct_group *g)
{
	if (g->lock_fd >= 0)
		close(g->lock_fd);
	g->lock_fd = -1;
}

int direct_connect(const struct direct_ctx *x, struct direct_group *g, bool *ret_running)
{
	char why[600] = "";
	int r;

	*ret_running = g->conn.fd >= 0;
	if (*ret_running)
		return 0;
	/* A socket in a directory someone else could write is not our manager's. */
	r = direct_paths_check(&g->paths, false, why, sizeof(why));
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return x->h->errorf(x->err, NULL, r, "%s", why);
	r = direct_client_connect(&g->paths, &g->conn);
	if (r == -ENOENT)
		return 0;
	if (r == -EAGAIN)
		return x->h->errorf(x->err, NULL, r,
				    "the direct manager of %s (pid %ld) does not answer on %s",
				    g->state_dir, (long)direct_client_manager_pid(&g->paths),
				    g->paths.sock);
	if (r == -EBUSY)
		return x->h->errorf(x->err, NULL, r,
				    "the direct manager of %s (pid %ld) takes no more connections on "
				    "%s (its queue is full: is it stopped or flooded?)",
				    g->state_dir, (long)direct_client_manager_pid(&g->paths),
				    g->paths.sock);
	if (r < 0)
		return x->h->errorf(x->err, NULL, r, "cannot connect to %s: %s", g->paths.sock,
				    strerror(-r));
	*ret_running = true;
	return 0;
}

/* galaxyctl-direct beside this module (or beside .libs/ in the build tree), or NULL. */
static char *direct_manager_exe(void)
{
	Dl_info info;
	char *dir, *exe = NULL;
	size_t len;

	if (!dladdr(&gx_module, &info) || !info.dli_fname)
		return NULL;
	dir = strdup(info.dli_fname);
	if (!dir || !strrchr(dir, '/')) {
		free(dir);
		return NULL;
	}
	*strrchr(dir, '/') = '\0';
	if (asprintf(&exe, "%s/galaxyctl-direct", dir) >= 0 && access(exe, X_OK) != 0) {
		free(exe);
		exe = NULL;
		len = strlen(dir);
		if (len > 6 && strcmp(dir + len - 6, "/.libs") == 0) {
			dir[len - 6] = '\0';
			if (asprintf(&exe, "%s/galaxyctl-direct", dir) >= 0 && access(exe, X_OK) != 0) {
				free(exe);
				exe = NULL;
			}
		}
	}
	free(dir);
	return exe;
}

static int direct_spawn_manager(const struct direct_ctx *x, struct direct_group *g)
{
	char why[700] = "", *exe = direct_manager_exe();
	bool up = false;
	int r;

	if (!exe)
		x->h->log(GX_LOG_DEBUG, "galaxyctl-direct not found beside the module: "
			  "the manager is a fork of galaxyctl");
	r = direct_client_spawn(&g->paths, g->state_dir, exe, why, sizeof(why));
	free(exe);
	if (r < 0)
		return x->h->errorf(x->err, NULL, r, "%s", why);
	r = direct_connect(x, g, &up);
	if (r == 0 && !up)
		return x->h->errorf(x->err, NULL, -ECONNREFUSED,
				    "the direct manager started but its socket %s is gone",
				    g->paths.sock);
	return r;
}

/* The state letter of the group's manager in /proc (R, S, T...), 0 when unknown; its pid too. */
static char direct_manager_state(const struct direct_group *g, pid_t *ret_pid)
{
	struct direct_procstat st;

	*ret_pid = direct_client_manager_pid(&g->paths);
	return *ret_pid > 1 && direct_proc_stat(*ret_pid, &st) == 0 ? st.state : 0;
}

static const char *direct_state_word(char state)
{
	return state == 'T' ? "stopped" : state == 't' ? "stopped by a tracer" : "running";
}

int direct_call(const struct direct_ctx *x, struct direct_group *g, json_t *req,
		int timeout_ms, json_t **ret)
{
	struct timespec now;
	char why[700] = "", who[PATH_MAX + 32];
	pid_t pid;
	char state;
	int r;

	if (!req)
		return direct_oom(x);
	/* A stopped manager would take the request and carry it out once continued. */
	snprintf(who, sizeof(who), "the direct manager of %s", g->state_dir);
	r = x->h->refuse_if_stopped(direct_client_manager_pid(&g->paths), who, x->err);
	if (r < 0) {
		json_decref(req);
		return r;
	}
	/* The manager drops the request should it get to it after we gave up. */
	clock_gettime(CLOCK_REALTIME, &now);
	json_object_set_new(req, "deadline_ms",
			    json_integer((json_int_t)now.tv_sec * 1000 + now.tv_nsec / 1000000 +
					 timeout_ms));
	r = direct_client_call(&g->conn, req, timeout_ms, ret, why, sizeof(why));
	json_decref(req);
	if (r == -ETIMEDOUT) {
		state = direct_manager_state(g, &pid);
		return x->h->errorf(x->err, NULL, r, "%s (pid %ld, %s (%c)); what it was asked is "
				    "dropped if it gets to it later",
				    why, (long)pid, direct_state_word(state), state ? state : '?');
	}
	if (r < 0)
		return x->h->errorf(x->err, NULL, r, "%s", why);
	return 0;
}

/* {"op": OP, "names": [...]} (all the manager holds when ps is NULL). */
json_t *direct_op(const char *op, const struct direct_procs *ps)
{
	json_t *req = json_pack("{s:s}", "op", op);

	if (req && ps)
		json_object_set_new(req, "names", direct_names_json(ps));
	return req;
}

/* The status object of name in a reply's programs, or NULL. */
json_t *direct_reply_find(json_t *reply, const char *name)
{
	json_t *list = json_object_get(reply, "programs"), *v;
	size_t i;

	json_array_foreach(list, i, v) {
		const char *n = json_string_value(json_object_get(v, "name"));

		if (n && strcmp(n, name) == 0)
			return v;
	}
	return NULL;
}

/* Does reply's array key hold the string word?  (A manager older than the key has none.) */
static bool direct_reply_lists(json_t *reply, const char *key, const char *word)
{
	json_t *v;
	size_t i;

	json_array_foreach(json_object_get(reply, key), i, v)
		if (json_is_string(v) && strcmp(json_string_value(v), word) == 0)
			return true;
	return false;
}

const char *direct_reply_state(json_t *reply, const char *name)
{
	const char *s = json_string_value(json_object_get(direct_reply_find(reply, name), "state"));

	return s ? s : "UNKNOWN";
}

int direct_learn_path(const struct direct_ctx *x, struct direct_group *g)
{
	json_t *reply = NULL;
	const char *path;
	int r = direct_call(x, g, json_pack("{s:s}", "op", "ping"), 10000, &reply);

	path = r == 0 ? json_string_value(json_object_get(reply, "path")) : NULL;
	g->manager_plans = r == 0 && direct_reply_lists(reply, "ops", "plan");
	if (path && !*path)
		path = NULL; /* an empty PATH entry would mean the working directory */
	free(g->manager_path);
	g->manager_path = path ? strdup(path) : NULL;
	if (path && !g->manager_path)
		r = direct_oom(x);
	json_decref(reply);
	return r;
}

/* The manager is running with every program of the group loaded (update). */
int direct_ensure(const struct direct_ctx *x, struct direct_group *g, bool start_all,
		  json_t **ret_update)
{
	json_t *req = NULL, *reply = NULL;
	bool running = false;
	int r = direct_connect(x, g, &running);

	if (r == 0 && running)
		r = direct_learn_path(x, g);
	/* The programs before a manager is started: a config that cannot run leaves none behind. */
	if (r == 0)
		r = direct_update_request(x, g, false, start_all, NULL, &req);
	if (r == 0 && !running)
		r = direct_spawn_manager(x, g);
	if (r == 0) {
		r = direct_call(x, g, req, direct_stop_wait_ms(g), &reply);
		req = NULL;
	}
	json_decref(req);
	if (r == 0 && ret_update)
		*ret_update = reply;
	else
		json_decref(reply);
	return r;
}

