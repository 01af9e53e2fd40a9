/* SPDX-License-Identifier: MIT */
/*
 * The commands over XML-RPC: start, stop, restart, graceful (SIGHUP,
 * restart, rolling), status, follow, shutdown and the supervisorctl
 * pass-through.  Lines about processes read like supervisorctl's.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sv.h"

/* supervisor.states.ProcessStates */
enum {
	SV_STOPPED = 0,
	SV_STARTING = 10,
	SV_RUNNING = 20,
	SV_BACKOFF = 30,
	SV_STOPPING = 40,
	SV_EXITED = 100,
	SV_FATAL = 200,
};

/* A service the command acts on, and how supervisord names its processes. */
struct sv_target {
	const struct gx_service *svc;
	bool named; /* named on the command line (not a whole instance) */
	struct sv_program prog;
};

struct sv_selection {
	struct sv_target *v;
	size_t n;
};

/* One process of a target. */
struct sv_proc {
	const struct sv_target *t;
	unsigned i;
};

static bool sv_running_state(long s)
{
	return s == SV_STARTING || s == SV_RUNNING || s == SV_BACKOFF;
}

static bool sv_stopped_state(long s)
{
	return s == SV_STOPPED || s == SV_EXITED || s == SV_FATAL;
}

static double sv_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sv_sleep(double s)
{
	struct timespec ts = { .tv_sec = (time_t)s, .tv_nsec = (long)((s - (double)(time_t)s) * 1e9) };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static int sv_oom(struct sv_ctx *c)
{
	return c->h->errorf(c->err, NULL, -ENOMEM, "out of memory");
}

/* ---------------------------------------------------------------------- */
/* What the command names */

static void sv_selection_release(struct sv_selection *sel)
{
	for (size_t i = 0; i < sel->n; i++)
		sv_program_release(&sel->v[i].prog);
	free(sel->v);
	memset(sel, 0, sizeof(*sel));
}

static int sv_select_add(struct sv_ctx *c, struct sv_selection *sel, const struct gx_service *svc,
			 bool named)
{
	struct sv_target *grown;

	for (size_t i = 0; i < sel->n; i++)
		if (sel->v[i].svc == svc) {
			sel->v[i].named = sel->v[i].named || named;
			return 0;
		}
	grown = realloc(sel->v, (sel->n + 1) * sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	sel->v = grown;
	sel->v[sel->n] = (struct sv_target){ .svc = svc, .named = named };
	if (sv_program_init(&sel->v[sel->n].prog, svc, c->use_instance_name) < 0)
		return -ENOMEM;
	sel->n++;
	return 0;
}

/* The targets: every service of every instance when none is named. */
static int sv_select(struct sv_ctx *c, struct sv_selection *sel)
{
	const struct gx_request *rq = c->rq;
	int r = 0;

	memset(sel, 0, sizeof(*sel));
	for (size_t i = 0; r == 0 && rq->n_targets == 0 && i < rq->n_instances; i++)
		for (size_t s = 0; r == 0 && s < rq->instances[i]->n_services; s++)
			r = sv_select_add(c, sel, rq->instances[i]->services[s], false);
	for (size_t i = 0; r == 0 && i < rq->n_targets; i++) {
		const struct gx_target *t = &rq->targets[i];

		if (t->service) {
			r = sv_select_add(c, sel, t->service, true);
			continue;
		}
		for (size_t s = 0; r == 0 && s < t->instance->n_services; s++)
			r = sv_select_add(c, sel, t->instance->services[s], false);
	}
	if (r < 0) {
		sv_selection_release(sel);
		return sv_oom(c);
	}
	return 0;
}

/* Every process of the selection (heap; caller frees). */
static struct sv_proc *sv_procs(const struct sv_selection *sel, size_t *ret_n)
{
	size_t n = 0, k = 0;
	struct sv_proc *v;

	for (size_t i = 0; i < sel->n; i++)
		n += sel->v[i].prog.count;
	v = calloc(n ? n : 1, sizeof(*v));
	for (size_t i = 0; v && i < sel->n; i++)
		for (unsigned p = 0; p < sel->v[i].prog.count; p++)
			v[k++] = (struct sv_proc){ &sel->v[i], p };
	*ret_n = n;
	return v;
}

static const char *sv_ns(const struct sv_proc *p)
{
	return p->t->prog.namespecs[p->i];
}

/* ---------------------------------------------------------------------- */
/* Process states */

static int sv_infos(struct sv_ctx *c, struct sv_reply *ret)
{
	int r = sv_ctx_call(c, NULL, "supervisor.getAllProcessInfo", NULL, 0, 30, ret);

	if (r == 0 && ret->value.kind != SV_ARRAY) {
		sv_reply_release(ret);
		return c->h->errorf(c->err, NULL, -EPROTO,
				    "supervisord answered getAllProcessInfo with something unexpected");
	}
	return r;
}

static const struct sv_value *sv_info_find(const struct sv_reply *infos, const struct sv_proc *p)
{
	const char *group = p->t->prog.groups[p->i], *name = p->t->prog.names[p->i];

	for (size_t i = 0; i < infos->value.n; i++) {
		const struct sv_value *info = &infos->value.items[i];
		const char *g = sv_value_get_str(info, "group"), *n = sv_value_get_str(info, "name");

		if (g && n && strcmp(g, group) == 0 && strcmp(n, name) == 0)
			return info;
	}
	return NULL;
}

/* The state of one process, or -1 when supervisord does not know it. */
static int sv_proc_state(struct sv_ctx *c, const struct sv_proc *p, long *ret_state,
			 char **ret_description)
{
	struct sv_param param = SV_STR(sv_ns(p));
	struct sv_rpc *rpc;
	struct sv_reply reply;
	const char *d;
	int r = sv_ctx_rpc(c, &rpc);

	if (r == 0)
		r = sv_rpc_call(rpc, "supervisor.getProcessInfo", &param, 1, 30, &reply, c->err);
	if (r < 0)
		return r;
	*ret_state = reply.fault_code ? -1 : sv_value_get_int(&reply.value, "state", -1);
	if (ret_description) {
		d = reply.fault_code ? reply.fault_string : sv_value_get_str(&reply.value, "description");
		*ret_description = strdup(d ? d : "");
	}
	sv_reply_release(&reply);
	return 0;
}

static bool sv_is_fresh(const struct sv_ctx *c, const char *group)
{
	for (size_t i = 0; i < c->n_fresh; i++)
		if (strcmp(c->fresh_groups[i], group) == 0)
			return true;
	return false;
}

/* ---------------------------------------------------------------------- */
/* Starting and stopping processes */

/* supervisorctl's words for a fault of startProcess, stopProcess or signalProcess. */
static const char *sv_fault_words(long code)
{
	switch (code) {
	case SV_FAULT_BAD_NAME:
		return "no such process";
	case SV_FAULT_BAD_SIGNAL:
		return "bad signal name";
	case SV_FAULT_NO_FILE:
		return "no such file";
	case SV_FAULT_NOT_EXECUTABLE:
		return "file is not executable";
	case SV_FAULT_ALREADY_STARTED:
		return "already started";
	case SV_FAULT_SPAWN_ERROR:
		return "spawn error";
	case SV_FAULT_ABNORMAL_TERMINATION:
		return "abnormal termination";
	case SV_FAULT_NOT_RUNNING:
		return "not running";
	default:
		return NULL;
	}
}

static void sv_fault_line(struct sv_ctx *c, const char *ns, const struct sv_reply *reply)
{
	const char *words = sv_fault_words(reply->fault_code);

	if (words)
		sv_out(c, "%s: ERROR (%s)\n", ns, words);
	else
		sv_out(c, "%s: ERROR (%s)\n", ns, reply->fault_string ? reply->fault_string : "");
}

/*
 * Call method on one process; print supervisorctl's line.  Returns 1 when
 * it succeeded, 0 when it failed (the line says why; *fault gets the
 * code), or a negative errno when supervisord could not be asked.
 */
static int sv_proc_call(struct sv_ctx *c, const char *ns, const char *method,
			const struct sv_param *params, size_t n, double timeout_s,
			const char *success, long *fault)
{
	struct sv_rpc *rpc;
	struct sv_reply reply;
	int r = sv_ctx_rpc(c, &rpc);

	if (r == 0)
		r = sv_rpc_call(rpc, method, params, n, timeout_s, &reply, c->err);
	if (r < 0)
		return r;
	*fault = reply.fault_code;
	if (reply.fault_code)
		sv_fault_line(c, ns, &reply);
	else if (success)
		sv_out(c, "%s: %s\n", ns, success);
	sv_reply_release(&reply);
	return *fault ? 0 : 1;
}

/*
 * startProcess without waiting for startsecs.  ours: this command's
 * supervisord start or update may have started it meanwhile, which is no
 * error.
 */
static int sv_start_proc(struct sv_ctx *c, const struct sv_proc *p, bool ours, size_t *failures)
{
	struct sv_param params[2] = { SV_STR(sv_ns(p)), SV_BOOLEAN(false) };
	struct sv_rpc *rpc;
	struct sv_reply reply;
	int r = sv_ctx_rpc(c, &rpc);

	if (r == 0)
		r = sv_rpc_call(rpc, "supervisor.startProcess", params, 2, 30, &reply, c->err);
	if (r < 0)
		return r;
	if (!reply.fault_code || (ours && reply.fault_code == SV_FAULT_ALREADY_STARTED)) {
		sv_out(c, "%s: started\n", sv_ns(p));
	} else {
		sv_fault_line(c, sv_ns(p), &reply);
		if (reply.fault_code != SV_FAULT_ALREADY_STARTED)
			(*failures)++;
	}
	sv_reply_release(&reply);
	return 0;
}

/*
 * Start what is not running.  Processes that this command's supervisord
 * start or update already started count as started; others already
 * running are only reported when their service was named, as
 * supervisorctl does for "start all" and for names.
 */
static int sv_start_procs(struct sv_ctx *c, const struct sv_proc *procs, size_t n)
{
	struct sv_reply infos;
	size_t failures = 0;
	int r = sv_infos(c, &infos);

	if (r < 0)
		return r;
	for (size_t k = 0; r == 0 && k < n; k++) {
		const struct sv_proc *p = &procs[k];
		const struct sv_value *info = sv_info_find(&infos, p);
		long state = info ? sv_value_get_int(info, "state", -1) : -1;

		bool ours = c->launched || sv_is_fresh(c, p->t->prog.groups[p->i]);

		if (!info) {
			sv_out(c, "%s: ERROR (no such process)\n", sv_ns(p));
			failures++;
		} else if (sv_running_state(state)) {
			if (ours)
				sv_out(c, "%s: started\n", sv_ns(p));
			else if (p->t->named)
				sv_out(c, "%s: ERROR (already started)\n", sv_ns(p));
		} else {
			r = sv_start_proc(c, p, ours, &failures);
		}
	}
	sv_reply_release(&infos);
	if (r == 0 && failures)
		r = c->h->errorf(c->err, NULL, -EIO, "%zu process%s could not be started (see above)",
				 failures, failures == 1 ? "" : "es");
	return r;
}

/* Ask the running ones to stop; marks them in pending.  Not running: reported when named. */
static int sv_stop_request(struct sv_ctx *c, const struct sv_proc *procs, size_t n, bool *pending,
			   size_t *failures)
{
	struct sv_reply infos;
	int r = sv_infos(c, &infos);

	if (r < 0)
		return r;
	for (size_t k = 0; r == 0 && k < n; k++) {
		const struct sv_proc *p = &procs[k];
		const struct sv_value *info = sv_info_find(&infos, p);
		struct sv_param params[2] = { SV_STR(sv_ns(p)), SV_BOOLEAN(false) };
		long state = info ? sv_value_get_int(info, "state", -1) : -1;
		long fault = 0;

		if (state == SV_STOPPING) { /* on its way: wait for it */
			pending[k] = true;
			continue;
		}
		if (!info || !sv_running_state(state)) {
			if (p->t->named)
				sv_out(c, "%s: ERROR (%s)\n", sv_ns(p), info ? "not running" : "no such process");
			*failures += !info && p->t->named;
			continue;
		}
		r = sv_proc_call(c, sv_ns(p), "supervisor.stopProcess", params, 2, 30, NULL, &fault);
		if (r == 1)
			pending[k] = true;
		else if (r == 0 && fault != SV_FAULT_NOT_RUNNING)
			(*failures)++;
		r = r < 0 ? r : 0;
	}
	sv_reply_release(&infos);
	return r;
}

/* Stop the running processes together, reporting each as it stops. */
static int sv_stop_procs(struct sv_ctx *c, const struct sv_proc *procs, size_t n)
{
	bool *pending = calloc(n ? n : 1, sizeof(bool));
	size_t failures = 0, left = 0;
	double deadline = sv_now() + 15;
	int r;

	if (!pending)
		return sv_oom(c);
	r = sv_stop_request(c, procs, n, pending, &failures);
	for (size_t k = 0; k < n; k++)
		if (pending[k]) {
			double wait = sv_now() + (double)procs[k].t->svc->stop_timeout + 15;

			left++;
			deadline = wait > deadline ? wait : deadline;
		}
	while (r == 0 && left) {
		struct sv_reply infos;

		sv_sleep(0.1);
		r = sv_infos(c, &infos);
		if (r < 0)
			break;
		for (size_t k = 0; k < n; k++) {
			const struct sv_value *info = pending[k] ? sv_info_find(&infos, &procs[k]) : NULL;

			if (pending[k] && (!info || sv_stopped_state(sv_value_get_int(info, "state", -1)))) {
				sv_out(c, "%s: stopped\n", sv_ns(&procs[k]));
				pending[k] = false;
				left--;
			}
		}
		sv_reply_release(&infos);
		if (left && sv_now() > deadline) {
			for (size_t k = 0; k < n; k++)
				if (pending[k]) {
					r = c->h->errorf(c->err, NULL, -ETIMEDOUT,
							 "%s did not stop within %ld s", sv_ns(&procs[k]),
							 procs[k].t->svc->stop_timeout + 15);
					break;
				}
		}
	}
	free(pending);
	if (r == 0 && failures)
		r = c->h->errorf(c->err, NULL, -EIO, "%zu process%s could not be stopped (see above)",
				 failures, failures == 1 ? "" : "es");
	return r;
}

static int sv_restart_procs(struct sv_ctx *c, const struct sv_proc *procs, size_t n)
{
	int r = sv_stop_procs(c, procs, n);

	return r < 0 ? r : sv_start_procs(c, procs, n);
}

/* ---------------------------------------------------------------------- */
/* Graceful */

static long sv_restart_timeout(struct sv_ctx *c, const struct gx_service *svc, unsigned i)
{
	const struct gx_node *n = c->h->get(svc->settings[i], "restart_timeout");

	return n && !c->h->is_null(n) ? c->h->get_int(svc->settings[i], "restart_timeout") : 300;
}

/*
 * Wait until the process answers its service's readiness check (or, for
 * services without one, until supervisord calls it RUNNING).  A FATAL
 * process fails at once.  *why gets the last reason it was not ready.
 */
static int sv_wait_ready(struct sv_ctx *c, const struct sv_proc *p, long timeout_s, char *why,
			 size_t why_len)
{
	const struct gx_service *svc = p->t->svc;
	double deadline = sv_now() + (double)timeout_s;

	for (;;) {
		char *desc = NULL;
		long state = -1;
		int r = sv_proc_state(c, p, &state, &desc);

		if (r < 0)
			return r;
		if (state == SV_FATAL || state < 0) {
			snprintf(why, why_len, "%s is %s: %s", sv_ns(p), state < 0 ? "unknown" : "FATAL",
				 desc ? desc : "");
			free(desc);
			return -EIO;
		}
		snprintf(why, why_len, "%s is not running yet", sv_ns(p));
		free(desc);
		if (svc->type->ready && (state == SV_RUNNING || state == SV_STARTING)) {
			struct gx_error probe = { 0 };
			double left = deadline - sv_now();

			r = svc->type->ready(c->h, svc, p->i, left < 5 ? (left > 0.5 ? left : 0.5) : 5,
					     &probe);
			if (r == 0)
				return 0;
			snprintf(why, why_len, "%s", probe.message);
			if (r != -EAGAIN)
				return r;
			c->h->log(GX_LOG_DEBUG, "%s@%u not ready: %s", svc->name, p->i, probe.message);
		} else if (!svc->type->ready && state == SV_RUNNING) {
			return 0;
		}
		if (sv_now() > deadline)
			return -ETIMEDOUT;
		sv_sleep(0.5);
	}
}

static int sv_stop_one(struct sv_ctx *c, const struct sv_proc *p)
{
	struct sv_param params[2] = { SV_STR(sv_ns(p)), SV_BOOLEAN(true) };
	long fault = 0;
	int r = sv_proc_call(c, sv_ns(p), "supervisor.stopProcess", params, 2,
			     (double)p->t->svc->stop_timeout + 15, "stopped", &fault);

	if (r == 0 && fault != SV_FAULT_NOT_RUNNING)
		return c->h->errorf(c->err, NULL, -EIO, "could not stop %s (see above)", sv_ns(p));
	return r < 0 ? r : 0;
}

/*
 * Gravity's rolling restart, one process at a time, each back and ready
 * before the next.  Processes found stopped are started (and not
 * restarted again); one that does not come back ends it with an error.
 */
static int sv_rolling(struct sv_ctx *c, const struct sv_target *t)
{
	const struct gx_host *h = c->h;
	const char *name = t->svc->name;
	bool *fresh = calloc(t->prog.count, sizeof(bool));
	char why[1024] = "";
	int r = 0;

	if (!fresh)
		return sv_oom(c);
	h->log(GX_LOG_INFO, "Performing rolling restart on service: %s", name);
	for (unsigned i = 0; r == 0 && i < t->prog.count; i++) {
		struct sv_proc p = { t, i };
		long state = -1;
		size_t failures = 0;

		r = sv_proc_state(c, &p, &state, NULL);
		if (r == 0 && sv_stopped_state(state)) {
			h->log(GX_LOG_INFO, "Instance %u of %s is not running, starting it", i, name);
			r = sv_start_proc(c, &p, false, &failures);
			if (r == 0 && failures)
				r = h->errorf(c->err, NULL, -EIO,
					      "Refusing to continue rolling restart, instance %u could not "
					      "be started", i);
			fresh[i] = true;
		}
		if (r == 0 && sv_wait_ready(c, &p, sv_restart_timeout(c, t->svc, i), why, sizeof(why)) < 0)
			r = h->errorf(c->err, NULL, -EIO,
				      "Refusing to continue rolling restart, instance %u check failed "
				      "before restart: %s", i, why);
	}
	for (unsigned i = 0; r == 0 && i < t->prog.count; i++) {
		struct sv_proc p = { t, i };
		long timeout = sv_restart_timeout(c, t->svc, i);
		size_t failures = 0;

		if (fresh[i])
			continue;
		h->log(GX_LOG_INFO, "Restarting %s instance %u", name, i);
		r = sv_stop_one(c, &p);
		if (r == 0)
			r = sv_start_proc(c, &p, false, &failures);
		if (r == 0 && failures)
			r = h->errorf(c->err, NULL, -EIO,
				      "Refusing to continue rolling restart, instance %u could not be "
				      "started", i);
		if (r < 0)
			break;
		h->log(GX_LOG_INFO, "Restarted %s instance %u, waiting for readiness check...", name, i);
		r = sv_wait_ready(c, &p, timeout, why, sizeof(why));
		if (r == -ETIMEDOUT)
			r = h->errorf(c->err, NULL, r,
				      "Refusing to continue rolling restart, instance failed to respond "
				      "after %ld seconds (%s)", timeout, why);
		else if (r < 0)
			r = h->errorf(c->err, NULL, r,
				      "Refusing to continue rolling restart, instance %u did not come "
				      "back: %s", i, why);
	}
	free(fresh);
	return r;
}

static int sv_sighup(struct sv_ctx *c, const struct sv_target *t)
{
	size_t failures = 0;
	int r = 0;

	for (unsigned i = 0; r == 0 && i < t->prog.count; i++) {
		const char *ns = t->prog.namespecs[i];
		struct sv_param params[2] = { SV_STR(ns), SV_STR("HUP") };
		long fault = 0;

		r = sv_proc_call(c, ns, "supervisor.signalProcess", params, 2, 30, "signalled", &fault);
		failures += r == 0;
		r = r < 0 ? r : 0;
	}
	if (r == 0 && failures)
		r = c->h->errorf(c->err, NULL, -EIO, "%s could not be sent SIGHUP (see above)",
				 t->svc->name);
	return r;
}

static int sv_graceful_target(struct sv_ctx *c, const struct sv_target *t)
{
	const struct gx_service *svc = t->svc;
	enum gx_graceful how = svc->type->graceful ? svc->type->graceful(c->h, svc)
						   : GX_GRACEFUL_DEFAULT;
	struct sv_proc *procs;
	int r;

	switch (how) {
	case GX_GRACEFUL_SIGHUP:
		return sv_sighup(c, t);
	case GX_GRACEFUL_ROLLING:
		return sv_rolling(c, t);
	case GX_GRACEFUL_NONE:
		c->h->log(GX_LOG_DEBUG, "%s has no graceful reload: left alone", svc->name);
		return 0;
	default:
		procs = calloc(t->prog.count, sizeof(*procs));
		if (!procs)
			return sv_oom(c);
		for (unsigned i = 0; i < t->prog.count; i++)
			procs[i] = (struct sv_proc){ t, i };
		r = sv_restart_procs(c, procs, t->prog.count);
		free(procs);
		return r;
	}
}

/* ---------------------------------------------------------------------- */
/* The commands */

/* Runs op on every process of the selection. */
static int sv_on_selection(struct sv_ctx *c,
			   int (*op)(struct sv_ctx *, const struct sv_proc *, size_t))
{
	struct sv_selection sel;
	struct sv_proc *procs;
	size_t n = 0;
	int r = sv_select(c, &sel);

	if (r < 0)
		return r;
	procs = sv_procs(&sel, &n);
	r = procs ? op(c, procs, n) : sv_oom(c);
	free(procs);
	sv_selection_release(&sel);
	return r;
}

/* Has supervisord been started now (the command then stops there, as upstream does)? */
static int sv_ensure_running(struct sv_ctx *c, const char *command, bool *ret_was_running)
{
	int r;

	*ret_was_running = sv_daemon_running(c, NULL);
	if (*ret_was_running)
		return 0;
	r = sv_daemon_launch(c, false);
	if (r == 0)
		c->h->log(GX_LOG_WARNING,
			  "supervisord was not previously running; it has been started, so the '%s' "
			  "command has been ignored", command);
	return r;
}

/* The log files of the selection, or supervisord's own with quiet, created when missing. */
static int sv_log_argv(struct sv_ctx *c, const char *tail, bool quiet, char ***ret)
{
	struct sv_selection sel = { 0 };
	size_t n = 0, k = 0;
	char **argv;
	int r = quiet ? 0 : sv_select(c, &sel);

	if (r < 0)
		return r;
	for (size_t i = 0; i < sel.n; i++)
		n += sel.v[i].prog.count;
	argv = calloc((quiet ? 1 : n) + 3, sizeof(char *));
	if (!argv) {
		sv_selection_release(&sel);
		return sv_oom(c);
	}
	argv[k++] = strdup(tail);
	argv[k++] = strdup("-f");
	if (quiet)
		argv[k++] = strdup(c->paths.log);
	for (size_t i = 0; i < sel.n; i++)
		for (unsigned p = 0; p < sel.v[i].prog.count; p++)
			argv[k++] = strdup(sel.v[i].prog.logs[p]);
	sv_selection_release(&sel);
	for (size_t i = 0; i < k; i++) {
		if (!argv[i]) {
			for (size_t j = 0; j < k; j++)
				free(argv[j]);
			free(argv);
			return sv_oom(c);
		}
		if (i >= 2 && access(argv[i], F_OK) < 0) {
			int fd = open(argv[i], O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);

			if (fd >= 0)
				close(fd);
		}
	}
	*ret = argv;
	return 0;
}

static void sv_argv_free(char **argv)
{
	for (size_t i = 0; argv && argv[i]; i++)
		free(argv[i]);
	free(argv);
}

/* tail -f the logs until interrupted; with also, then wait for that process too. */
static int sv_follow_logs(struct sv_ctx *c, const char *tail, bool quiet, pid_t also)
{
	char **argv = NULL;
	int r = sv_log_argv(c, tail, quiet, &argv);

	if (r < 0)
		return r;
	r = sv_run_child(c, argv, also);
	sv_argv_free(argv);
	if (r > 0 && r != 128 + 2 && r != 128 + 15)
		r = c->h->errorf(c->err, NULL, -EIO, "tail exited with status %d", r);
	return r < 0 ? r : 0;
}

static char *sv_find_tail(struct sv_ctx *c)
{
	char *tail = sv_find_program(c, "tail");

	if (!tail)
		c->h->errorf(c->err, NULL, -ENOENT, "`tail` not found on $PATH, please install it");
	return tail;
}

int sv_op_start(struct sv_ctx *c)
{
	bool foreground = c->rq->foreground;
	char *tail = NULL;
	int r = 0;

	if (foreground && !(tail = sv_find_tail(c)))
		return -ENOENT;
	r = sv_update(c, false, false);
	if (r == 0 && !sv_daemon_running(c, NULL))
		r = sv_daemon_launch(c, foreground);
	if (r == 0)
		r = sv_on_selection(c, sv_start_procs);
	if (foreground && c->foreground_pid > 0) {
		struct gx_error saved = *c->err;
		int q = sv_follow_logs(c, tail, c->rq->quiet, c->foreground_pid);

		if (r < 0)
			*c->err = saved;
		else
			r = q;
	} else if (foreground && r == 0) {
		r = sv_follow_logs(c, tail, c->rq->quiet, 0);
	}
	free(tail);
	return r;
}

int sv_op_stop(struct sv_ctx *c)
{
	struct sv_reply infos;
	bool all_stopped = true;
	int r;

	if (!sv_daemon_running(c, NULL)) {
		c->h->log(GX_LOG_WARNING, "supervisord is not running");
		return 0;
	}
	r = sv_on_selection(c, sv_stop_procs);
	if (r == 0)
		r = sv_infos(c, &infos);
	if (r < 0)
		return r;
	for (size_t i = 0; i < infos.value.n; i++)
		all_stopped = all_stopped &&
			      sv_stopped_state(sv_value_get_int(&infos.value.items[i], "state", -1));
	sv_reply_release(&infos);
	if (!all_stopped) {
		c->h->log(GX_LOG_INFO, "Not all processes stopped, supervisord not shut down (hint: see "
				       "`galaxyctl status`)");
		return 0;
	}
	c->h->log(GX_LOG_INFO, "All processes stopped, supervisord will exit");
	return sv_daemon_shutdown(c);
}

int sv_op_restart(struct sv_ctx *c)
{
	bool was_running;
	int r = sv_update(c, false, false);

	if (r == 0)
		r = sv_ensure_running(c, "restart", &was_running);
	if (r < 0 || !was_running)
		return r;
	return sv_on_selection(c, sv_restart_procs);
}

int sv_op_graceful(struct sv_ctx *c)
{
	struct sv_selection sel;
	bool was_running;
	int r = sv_update(c, false, false);

	if (r == 0)
		r = sv_ensure_running(c, "graceful", &was_running);
	if (r < 0 || !was_running)
		return r;
	r = sv_select(c, &sel);
	if (r < 0)
		return r;
	for (size_t i = 0; r == 0 && i < sel.n; i++)
		r = sv_graceful_target(c, &sel.v[i]);
	sv_selection_release(&sel);
	return r;
}

static enum gx_state sv_gx_state(long s)
{
	switch (s) {
	case SV_STOPPED:
		return GX_STATE_STOPPED;
	case SV_STARTING:
		return GX_STATE_STARTING;
	case SV_RUNNING:
		return GX_STATE_RUNNING;
	case SV_BACKOFF:
		return GX_STATE_BACKOFF;
	case SV_STOPPING:
		return GX_STATE_STOPPING;
	case SV_EXITED:
		return GX_STATE_EXITED;
	case SV_FATAL:
		return GX_STATE_FATAL;
	default:
		return GX_STATE_UNKNOWN;
	}
}

static int sv_status_row(struct sv_ctx *c, struct gx_status *st, const struct sv_proc *p,
			 const struct sv_value *info, bool daemon_up)
{
	long state = info ? sv_value_get_int(info, "state", -1) : -1;
	const char *desc = info ? sv_value_get_str(info, "description") : NULL;
	long exitstatus = info ? sv_value_get_int(info, "exitstatus", -1) : -1;
	struct gx_status_row row = {
		.instance = p->t->svc->instance->name,
		.service = p->t->svc->name,
		.name = sv_ns(p),
		.state = info ? sv_gx_state(state) : daemon_up ? GX_STATE_UNKNOWN : GX_STATE_STOPPED,
		.pid = info ? sv_value_get_int(info, "pid", 0) : 0,
		.uptime_s = -1,
		.restarts = -1,
		.exit_status = -1,
		.log = info ? sv_value_get_str(info, "stdout_logfile") : p->t->prog.logs[p->i],
		.rss_kb = -1,
		.detail = NULL,
	};

	if (state == SV_RUNNING)
		row.uptime_s = (double)(sv_value_get_int(info, "now", 0) - sv_value_get_int(info, "start", 0));
	else if (desc && *desc)
		row.detail = desc;
	if ((state == SV_EXITED || state == SV_BACKOFF || state == SV_FATAL) && exitstatus >= 0)
		row.exit_status = (int)exitstatus;
	if (!info)
		row.detail = daemon_up ? "not known to supervisord (see `galaxyctl update`)"
				       : "supervisord is not running";
	if (c->h->status_add(st, &row) < 0)
		return sv_oom(c);
	return 0;
}

int sv_op_status(struct sv_ctx *c, struct gx_status *st)
{
	struct sv_selection sel;
	struct sv_reply infos = { 0 };
	struct sv_proc *procs;
	bool up = sv_daemon_running(c, NULL);
	size_t n = 0;
	int r;

	if (!up)
		c->h->log(GX_LOG_WARNING, "supervisord is not running");
	r = sv_select(c, &sel);
	if (r < 0)
		return r;
	procs = sv_procs(&sel, &n);
	if (!procs)
		r = sv_oom(c);
	if (r == 0 && up)
		r = sv_infos(c, &infos);
	for (size_t k = 0; r == 0 && k < n; k++)
		r = sv_status_row(c, st, &procs[k], up ? sv_info_find(&infos, &procs[k]) : NULL, up);
	if (up)
		sv_reply_release(&infos);
	free(procs);
	sv_selection_release(&sel);
	return r;
}

int sv_op_follow(struct sv_ctx *c, bool quiet)
{
	char *tail = sv_find_tail(c);
	int r;

	if (!tail)
		return -ENOENT;
	r = sv_follow_logs(c, tail, quiet, 0);
	free(tail);
	return r;
}

int sv_op_shutdown(struct sv_ctx *c)
{
	return sv_daemon_shutdown(c);
}

int sv_op_pm(struct sv_ctx *c)
{
	const struct gx_request *rq = c->rq;
	char *ctl, **argv;
	int r;

	if (!sv_daemon_running(c, NULL)) {
		c->h->log(GX_LOG_WARNING, "supervisord is not running");
		return 0;
	}
	ctl = sv_find_program(c, "supervisorctl");
	if (!ctl)
		return sv_missing_program(c, "supervisorctl");
	argv = calloc((size_t)rq->argc + 4, sizeof(char *));
	if (!argv) {
		free(ctl);
		return sv_oom(c);
	}
	argv[0] = ctl;
	argv[1] = (char *)"-c";
	argv[2] = c->paths.conf;
	for (int i = 0; i < rq->argc; i++)
		argv[3 + i] = rq->argv[i];
	r = sv_run_child(c, argv, 0);
	free(argv);
	free(ctl);
	if (r > 0)
		r = c->h->errorf(c->err, NULL, -EIO, "supervisorctl exited with status %d", r);
	return r;
}
