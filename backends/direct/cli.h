/* SPDX-License-Identifier: MIT */
/* The direct backend's galaxyctl side: instances, their managers, their programs. */
#ifndef DIRECT_CLI_H
#define DIRECT_CLI_H

#include <jansson.h>
#include <stdbool.h>
#include <sys/types.h>

#include <galaxyctl/plugin.h>

#include "client.h"
#include "proto.h"

/* The module's export, for finding the manager program beside it. */
extern const struct gx_module gx_module;

/* Who the services run as. */
struct direct_creds {
	bool set_user; /* switch to uid/gid (galaxyctl is root) */
	uid_t uid;
	gid_t gid;
	gid_t *groups;
	int n_groups;
	char *user;    /* for USER and LOGNAME; NULL when unknown */
	char *home;    /* for HOME; NULL when unknown */
};

/* One manager: the instances whose state dir it serves. */
struct direct_group {
	const char *state_dir;
	const struct gx_instance **insts;
	size_t n_insts;
	/* Only instances another backend now manages: update points out a manager still there. */
	bool foreign;
	struct direct_paths paths;
	int lock_fd;
	struct direct_conn conn;
	char *manager_path; /* the running manager's PATH (direct_learn_path), or NULL */
	bool manager_plans; /* the running manager knows the plan op (update --dry-run) */
};

/* One command's view of the request. */
struct direct_ctx {
	const struct gx_host *h;
	const struct gx_request *rq;
	struct gx_error *err;
	bool use_instance_name;
	struct direct_group *groups;
	size_t n_groups;
};

/* A process of a service, as the manager calls it. */
struct direct_proc {
	const struct gx_instance *inst;
	const struct gx_service *svc;
	unsigned process;
	char *name;
	char *log;
};

struct direct_procs {
	struct direct_proc *v;
	size_t n;
};

/* session.c: groups, processes, and talking to a group's manager */
int direct_ctx_init(struct direct_ctx *x, const struct gx_host *h, const struct gx_request *rq,
		    struct gx_error *err);
/*
 * update only: groups for the state dirs of instances another backend now
 * manages (other_instances) that none of ours shares.
 */
int direct_ctx_add_foreign(struct direct_ctx *x);
void direct_ctx_release(struct direct_ctx *x);
int direct_oom(const struct direct_ctx *x);
/* Program names carry the instance name (upstream's rule, counting every loaded instance). */
bool direct_uses_instance_name(const struct gx_request *rq);
/* Does the command name this service of inst (svc NULL: the instance as a whole)? */
bool direct_targeted(const struct gx_request *rq, const struct gx_instance *inst,
		     const struct gx_service *svc);
/* The processes of a group: all, those of one service (only), or those the command names. */
int direct_group_procs(const struct direct_ctx *x, const struct direct_group *g, bool all,
		       const struct gx_service *only, struct direct_procs *ret);
void direct_procs_release(struct direct_procs *ps);
/* The longest stop_timeout among a group's services, plus slack, in ms. */
int direct_stop_wait_ms(const struct direct_group *g);
int direct_lock(const struct direct_ctx *x, struct direct_group *g);
void direct_unlock(struct direct_group *g);
/* Connect to the group's manager: 0 (*ret_running false when none runs), or -errno with err filled. */
int direct_connect(const struct direct_ctx *x, struct direct_group *g, bool *ret_running);
/*
 * Ask the connected manager for its PATH, into g->manager_path (programs' PATH rests on it),
 * and which ops it knows, into g->manager_plans.
 */
int direct_learn_path(const struct direct_ctx *x, struct direct_group *g);
/* Send req (consumed) and wait for the reply; err is filled on failure. */
int direct_call(const struct direct_ctx *x, struct direct_group *g, json_t *req, int timeout_ms,
		json_t **ret);
/* {"op": OP, "names": [...]}; every program the manager holds when ps is NULL. */
json_t *direct_op(const char *op, const struct direct_procs *ps);
json_t *direct_reply_find(json_t *reply, const char *name);
const char *direct_reply_state(json_t *reply, const char *name);
/* The manager runs (started if needed) with every program of the group loaded. */
int direct_ensure(const struct direct_ctx *x, struct direct_group *g, bool start_all,
		  json_t **ret_update);

/* build.c: programs, as the manager is told to run them */
/*
 * Who inst's services run as: galaxy_user (and galaxy_group) when
 * galaxyctl is root, else the current user (for HOME and USER only).
 */
int direct_creds_init(const struct direct_ctx *x, const struct gx_instance *inst,
		      struct direct_creds *c);
void direct_creds_release(struct direct_creds *c);
/* Build every program of g as an update would, creating and sending nothing. */
int direct_check_group(const struct direct_ctx *x, const struct direct_group *g);
/*
 * The update request of a group: every program of its instances (none of
 * the named instances when clean), with their state and log dirs created;
 * with plan (update --dry-run), the same request as a "plan", the dirs it
 * would create told to plan, nothing created.
 */
int direct_update_request(const struct direct_ctx *x, const struct direct_group *g, bool clean,
			  bool start, struct gx_plan *plan, json_t **ret);
/* update --dry-run of a group (dry_run.c). */
int direct_dry_run_group(const struct direct_ctx *x, struct direct_group *g, struct gx_plan *plan);
/* Create dir and its parents; what is created belongs to the services' user (c->set_user). */
int direct_mkdir_p(const char *dir, const struct direct_creds *c);

/* graceful.c */
/*
 * When no manager ran: start it with everything, warn that command was
 * ignored (as upstream does), and set *ret_started.
 */
int direct_start_instead(const struct direct_ctx *x, struct direct_group *g, const char *command,
			 bool *ret_started);
/* graceful of the services the command names in g, through the core's driver. */
int direct_graceful_group(const struct direct_ctx *x, struct direct_group *g);

/* status.c: status rows, and what start, stop and graceful print */
int direct_status_group(const struct direct_ctx *x, struct direct_group *g, struct gx_status *st);
/* The processes of ps as `galaxyctl status` shows them. */
void direct_print_table(const struct gx_host *h, json_t *reply, const struct direct_procs *ps);
/* An error for each program that could not even be spawned (a refused log); how many. */
size_t direct_print_spawn_errors(const struct gx_host *h, json_t *reply,
				 const struct direct_procs *ps);
/* "name: WORD" for each process, as supervisorctl says it (word NULL: the stop result). */
void direct_print_results(const struct gx_host *h, json_t *reply, const struct direct_procs *ps,
			  const char *word);

#endif
