/* SPDX-License-Identifier: MIT */
/*
 * The supervisor backend: Gravity's supervisord layout under
 * <state>/supervisor, supervisord started when needed and driven over
 * XML-RPC on its unix socket.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "supervisor/sv.h"

/* ---------------------------------------------------------------------- */
/* Context */

static char *sv_join(const char *dir, const char *name)
{
	char *s = NULL;

	if (asprintf(&s, "%s/%s", dir, name) < 0)
		return NULL;
	return s;
}

/*
 * Upstream's state dir rule: --state-dir; with several instances (counting
 * those of other backends, as upstream counts every config)
 * $XDG_CONFIG_HOME/galaxy-gravity (~/.config/galaxy-gravity); otherwise
 * the one instance's own state dir.
 */
/* The one loaded instance, ours or another backend's. */
static const struct gx_instance *sv_only_instance(const struct gx_request *rq)
{
	return rq->n_instances ? rq->instances[0] : rq->other_instances[0];
}

/* Upstream's naming rule: programs carry the instance name unless one unnamed instance is loaded. */
static bool sv_uses_instance_name(const struct gx_request *rq)
{
	return rq->n_instances + rq->n_other_instances > 1 ||
	       strcmp(sv_only_instance(rq)->name, "_default_") != 0;
}

static char *sv_state_dir(const struct sv_ctx *c)
{
	const struct gx_request *rq = c->rq;
	const char *xdg = getenv("XDG_CONFIG_HOME");
	const char *home = getenv("HOME");
	char *dir = NULL;

	if (rq->state_dir_override && *rq->state_dir_override)
		return strdup(rq->state_dir_override);
	if (rq->n_instances + rq->n_other_instances == 1)
		return strdup(sv_only_instance(rq)->state_dir);
	if (xdg && *xdg ? asprintf(&dir, "%s/galaxy-gravity", xdg) < 0
			: asprintf(&dir, "%s/.config/galaxy-gravity", home && *home ? home : "/") < 0)
		return NULL;
	if (rq->n_instances) /* else only cleaning up after instances that moved away */
		c->h->log(GX_LOG_INFO,
			  "Supervisor configuration will be stored in %s, set --state-dir "
			  "($GRAVITY_STATE_DIR) to override", dir);
	return dir;
}

static void sv_paths_release(struct sv_paths *p)
{
	free(p->dir);
	free(p->conf);
	free(p->conf_dir);
	free(p->pidfile);
	free(p->socket);
	free(p->log);
	memset(p, 0, sizeof(*p));
}

int sv_ctx_init(struct sv_ctx *c, const struct gx_host *h, const struct gx_request *rq,
		struct gx_error *err)
{
	struct sv_paths *p = &c->paths;
	const char *sock = getenv("SUPERVISORD_SOCKET");
	char *state;
	long longest = 0;

	memset(c, 0, sizeof(*c));
	c->h = h;
	c->rq = rq;
	c->err = err;
	if (rq->n_instances + rq->n_other_instances == 0)
		return h->errorf(err, NULL, -EINVAL, "no instance is loaded");
	state = sv_state_dir(c);
	p->dir = state ? sv_join(state, "supervisor") : NULL;
	free(state);
	if (p->dir) {
		p->conf = sv_join(p->dir, "supervisord.conf");
		p->conf_dir = sv_join(p->dir, "supervisord.conf.d");
		p->pidfile = sv_join(p->dir, "supervisord.pid");
		p->log = sv_join(p->dir, "supervisord.log");
		p->socket_env = sock && *sock ? sock : NULL;
		p->socket = p->socket_env ? strdup(p->socket_env) : sv_join(p->dir, "supervisor.sock");
	}
	if (!p->dir || !p->conf || !p->conf_dir || !p->pidfile || !p->log || !p->socket) {
		sv_paths_release(p);
		return h->errorf(err, NULL, -ENOMEM, "out of memory");
	}
	c->use_instance_name = sv_uses_instance_name(rq);
	/* Moved instances count too: update stops what supervisord still runs of them. */
	for (size_t i = 0; i < rq->n_instances + rq->n_other_instances; i++) {
		const struct gx_instance *inst = i < rq->n_instances
							 ? rq->instances[i]
							 : rq->other_instances[i - rq->n_instances];

		for (size_t s = 0; s < inst->n_services; s++)
			if (inst->services[s]->stop_timeout > longest)
				longest = inst->services[s]->stop_timeout;
	}
	c->stop_wait_s = (double)longest + 15;
	return 0;
}

void sv_ctx_release(struct sv_ctx *c)
{
	sv_rpc_free(c->rpc);
	for (size_t i = 0; i < c->n_fresh; i++)
		free(c->fresh_groups[i]);
	free(c->fresh_groups);
	sv_paths_release(&c->paths);
	memset(c, 0, sizeof(*c));
}

int sv_oom(struct sv_ctx *c)
{
	return c->h->errorf(c->err, NULL, -ENOMEM, "out of memory");
}

void sv_out(const struct sv_ctx *c, const char *fmt, ...)
{
	va_list ap;
	char *line;

	va_start(ap, fmt);
	line = sv_vstrdupf(fmt, ap);
	va_end(ap);
	if (!line)
		return;
	c->h->out("%s", line);
	fflush(stdout);
	free(line);
}

int sv_ctx_rpc(struct sv_ctx *c, struct sv_rpc **ret)
{
	int r;

	if (!c->rpc) {
		r = sv_check_socket_path(c);
		if (r == 0)
			r = sv_rpc_new(c->paths.socket, &c->rpc, c->err);
		if (r < 0)
			return r;
	}
	/* Before every call: it may have been stopped since the last one. */
	r = sv_daemon_answers(c);
	if (r < 0)
		return r;
	*ret = c->rpc;
	return 0;
}

static int sv_fault_errno(long code)
{
	switch (code) {
	case SV_FAULT_BAD_NAME:
		return -ENOENT;
	case SV_FAULT_SHUTDOWN_STATE:
		return -ESHUTDOWN;
	case SV_FAULT_ALREADY_STARTED:
	case SV_FAULT_ALREADY_ADDED:
		return -EEXIST;
	case SV_FAULT_STILL_RUNNING:
		return -EBUSY;
	default:
		return -EIO;
	}
}

int sv_ctx_call(struct sv_ctx *c, const char *what, const char *method,
		const struct sv_param *params, size_t n, double timeout_s, struct sv_reply *ret)
{
	struct sv_rpc *rpc;
	struct sv_reply reply;
	int r = sv_ctx_rpc(c, &rpc);

	if (r < 0)
		return r;
	r = sv_rpc_call(rpc, method, params, n, timeout_s, &reply, c->err);
	if (r == 0 && reply.fault_code) {
		r = c->h->errorf(c->err, NULL, sv_fault_errno(reply.fault_code), "%s%s%s (supervisord %s)",
				 what ? what : "", what ? ": " : "", reply.fault_string, method);
	}
	if (r < 0) {
		sv_reply_release(&reply);
		return r;
	}
	*ret = reply;
	return 0;
}

/* ---------------------------------------------------------------------- */
/* The backend's slots */

typedef int (*sv_op)(struct sv_ctx *c);

static int sv_run(const struct gx_host *h, const struct gx_request *rq, struct gx_error *err,
		  sv_op op)
{
	struct sv_ctx c;
	int r = sv_ctx_init(&c, h, rq, err);

	if (r == 0)
		r = op(&c);
	sv_ctx_release(&c);
	return r;
}

static int sv_op_update(struct sv_ctx *c)
{
	c->clean_others = true;
	return sv_update(c, c->rq->force, c->rq->clean);
}

static int supervisor_check(const struct gx_host *h, const struct gx_request *rq,
			    struct gx_error *err)
{
	return sv_run(h, rq, err, sv_check);
}

static int supervisor_plan(const struct gx_host *h, const struct gx_request *rq,
			   struct gx_plan *plan, struct gx_error *err)
{
	struct sv_ctx c;
	int r = sv_ctx_init(&c, h, rq, err);

	if (r == 0) {
		c.clean_others = true; /* as update: what moved to another backend goes */
		r = sv_dry_run(&c, plan);
	}
	sv_ctx_release(&c);
	return r;
}

static int sv_op_follow_request(struct sv_ctx *c)
{
	return sv_op_follow(c, c->rq->quiet);
}

static int supervisor_update(const struct gx_host *h, const struct gx_request *rq,
			     struct gx_error *err)
{
	return sv_run(h, rq, err, sv_op_update);
}

static int supervisor_start(const struct gx_host *h, const struct gx_request *rq,
			    struct gx_error *err)
{
	return sv_run(h, rq, err, sv_op_start);
}

static int supervisor_stop(const struct gx_host *h, const struct gx_request *rq,
			   struct gx_error *err)
{
	return sv_run(h, rq, err, sv_op_stop);
}

static int supervisor_restart(const struct gx_host *h, const struct gx_request *rq,
			      struct gx_error *err)
{
	return sv_run(h, rq, err, sv_op_restart);
}

static int supervisor_graceful(const struct gx_host *h, const struct gx_request *rq,
			       struct gx_error *err)
{
	return sv_run(h, rq, err, sv_op_graceful);
}

static int supervisor_status(const struct gx_host *h, const struct gx_request *rq,
			     struct gx_status *st, struct gx_error *err)
{
	struct sv_ctx c;
	int r = sv_ctx_init(&c, h, rq, err);

	if (r == 0)
		r = sv_op_status(&c, st);
	sv_ctx_release(&c);
	return r;
}

static int supervisor_follow(const struct gx_host *h, const struct gx_request *rq,
			     struct gx_error *err)
{
	return sv_run(h, rq, err, sv_op_follow_request);
}

static int supervisor_shutdown(const struct gx_host *h, const struct gx_request *rq,
			       struct gx_error *err)
{
	return sv_run(h, rq, err, sv_op_shutdown);
}

static int supervisor_pm(const struct gx_host *h, const struct gx_request *rq,
			 struct gx_error *err)
{
	return sv_run(h, rq, err, sv_op_pm);
}

/* The names status prints: supervisord's "group:name" of each process. */
static int supervisor_process_names(const struct gx_host *h, const struct gx_request *rq,
				    const struct gx_service *svc, struct gx_strv *out)
{
	struct sv_program prog;
	int r = sv_program_init(&prog, svc, sv_uses_instance_name(rq));

	for (unsigned i = 0; r == 0 && i < prog.count; i++)
		r = h->strv_push(out, prog.namespecs[i]);
	sv_program_release(&prog);
	return r < 0 ? -ENOMEM : 0;
}

static const struct gx_backend supervisor_backend = {
	.name = "supervisor",
	.update = supervisor_update,
	.check = supervisor_check,
	.start = supervisor_start,
	.stop = supervisor_stop,
	.restart = supervisor_restart,
	.graceful = supervisor_graceful,
	.status = supervisor_status,
	.follow = supervisor_follow,
	.shutdown = supervisor_shutdown,
	.pm = supervisor_pm,
	.process_names = supervisor_process_names,
	.plan = supervisor_plan,
};

const struct gx_module gx_module = {
	GX_MODULE_HEADER("supervisor"),
	.backend = &supervisor_backend,
};
