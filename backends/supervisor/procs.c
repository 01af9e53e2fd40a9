/* SPDX-License-Identifier: MIT */
/*
 * The processes a command acts on and the primitives over XML-RPC:
 * supervisord's view of them, and starting and stopping them with lines
 * like supervisorctl's.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sv.h"

bool sv_running_state(long s)
{
	return s == SV_STARTING || s == SV_RUNNING || s == SV_BACKOFF;
}

bool sv_stopped_state(long s)
{
	return s == SV_STOPPED || s == SV_EXITED || s == SV_FATAL;
}

/* supervisord's name of a state. */
const char *sv_state_word(long s)
{
	switch (s) {
	case SV_STOPPED:
		return "STOPPED";
	case SV_STARTING:
		return "STARTING";
	case SV_RUNNING:
		return "RUNNING";
	case SV_BACKOFF:
		return "BACKOFF";
	case SV_STOPPING:
		return "STOPPING";
	case SV_EXITED:
		return "EXITED";
	case SV_FATAL:
		return "FATAL";
	default:
		return "UNKNOWN";
	}
}

/* ---------------------------------------------------------------------- */
/* What the command names */

void sv_selection_release(struct sv_selection *sel)
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
int sv_select(struct sv_ctx *c, struct sv_selection *sel)
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

bool sv_proc_selected(const struct sv_ctx *c, const struct sv_target *t, unsigned i)
{
	return c->h->request_has_process(c->rq, t->svc, i);
}

/* Every process of the selection (heap; caller frees). */
struct sv_proc *sv_procs(const struct sv_ctx *c, const struct sv_selection *sel, size_t *ret_n)
{
	size_t n = 0, k = 0;
	struct sv_proc *v;

	for (size_t i = 0; i < sel->n; i++)
		n += sel->v[i].prog.count;
	v = calloc(n ? n : 1, sizeof(*v));
	for (size_t i = 0; v && i < sel->n; i++)
		for (unsigned p = 0; p < sel->v[i].prog.count; p++)
			if (sv_proc_selected(c, &sel->v[i], p))
				v[k++] = (struct sv_proc){ &sel->v[i], p };
	*ret_n = k;
	return v;
}

const char *sv_ns(const struct sv_proc *p)
{
	return p->t->prog.namespecs[p->i];
}

/* ---------------------------------------------------------------------- */
/* Process states */

int sv_infos(struct sv_ctx *c, struct sv_reply *ret)
{
	int r = sv_ctx_call(c, NULL, "supervisor.getAllProcessInfo", NULL, 0, 30, ret);

	if (r == 0 && ret->value.kind != SV_ARRAY) {
		sv_reply_release(ret);
		return c->h->errorf(c->err, NULL, -EPROTO,
				    "supervisord answered getAllProcessInfo with something unexpected");
	}
	return r;
}

const struct sv_value *sv_info_find(const struct sv_reply *infos, const struct sv_proc *p)
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
int sv_proc_state(struct sv_ctx *c, const struct sv_proc *p, long *ret_state,
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
int sv_proc_call(struct sv_ctx *c, const char *ns, const char *method,
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
int sv_start_proc(struct sv_ctx *c, const struct sv_proc *p, bool ours, size_t *failures)
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
int sv_start_procs(struct sv_ctx *c, const struct sv_proc *procs, size_t n)
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
int sv_stop_procs(struct sv_ctx *c, const struct sv_proc *procs, size_t n)
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

int sv_restart_procs(struct sv_ctx *c, const struct sv_proc *procs, size_t n)
{
	int r = sv_stop_procs(c, procs, n);

	return r < 0 ? r : sv_start_procs(c, procs, n);
}
