/* SPDX-License-Identifier: MIT */
/* The direct manager's internals, shared by its loop, its control server and its crash cleanup. */
#ifndef DIRECT_MANAGER_INT_H
#define DIRECT_MANAGER_INT_H

#include <signal.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>

#include "cgroup.h"
#include "children.h"
#include "fsm.h"
#include "logfile.h"
#include "manager.h"
#include "prefix.h"
#include "program.h"
#include "proto.h"

/* What an epoll event points at. */
enum mgr_source { MGR_SRC_SIGNAL, MGR_SRC_TIMER, MGR_SRC_LISTEN, MGR_SRC_CLIENT, MGR_SRC_OUTPUT };

struct mgr_tag {
	enum mgr_source source;
	void *owner;
};

/* A supervised program: what to run, and where it stands. */
struct mgr_prog {
	struct direct_spec *spec;
	struct direct_spec *next_spec; /* replaces spec once the running process stopped */
	enum gx_state state;
	pid_t pid;                     /* 0 when no process */
	long long starttime;           /* /proc starttime of pid, for crash cleanup */
	int out_fd;                    /* the output pipe, -1 when none */
	int report_fd;                 /* how the exec went (spawn.h), -1 once known */
	struct mgr_tag tag;
	struct direct_logfile log;
	struct direct_prefix px;       /* foreground only */
	unsigned failures;             /* failed starts in a row */
	long restarts;                 /* starts after the first */
	bool started_once;
	bool start_requested;          /* the step being taken is a start request's */
	int exit_status;               /* last exit: code, or 128 + signal; -1 none */
	char *why;                     /* last exit or spawn failure, in words */
	uint64_t spawned_ms;
	uint64_t deadline_ms;          /* 0: none */
	bool start_after_stop;         /* restart, or update with a new command */
	bool remove_after_stop;        /* dropped by update */
	bool in_scope;                 /* update bookkeeping */
	long rss_kb;                   /* the process group's, when memory is limited */
	bool over_high;                /* above memory_high at the last measure */
	char *cgroup;                  /* its cgroup v2 directory while there is one */
	char *oom_group_why;           /* why memory.oom.group could not be set there; NULL: it is */
	bool in_cgroup;                /* the process runs under its cgroup's limits: not polled */
	char *memory_said;             /* how its limits apply, as last logged */
	pid_t probe_pid;               /* its readiness probe while one runs, else 0 */
	uint64_t probe_ms;             /* when to run the next probe (STARTING with ready_argv) */
	bool ready_seen;               /* RUNNING because the probe passed, not start_timeout */
};

/* What a client waits for before its reply. */
enum mgr_wait { MGR_WAIT_NONE, MGR_WAIT_SETTLED, MGR_WAIT_IDLE, MGR_WAIT_SHUTDOWN };

struct mgr_client {
	int fd;
	struct mgr_tag tag;
	struct direct_linebuf in;
	enum mgr_wait wait;
	char **names;                  /* programs waited for */
	json_t *extra;                 /* merged into the deferred reply */
	struct mgr_client *next;
};

struct direct_manager {
	struct direct_paths paths;
	bool foreground;
	bool quiet;                    /* foreground, but the programs' output only goes to their logs */
	bool colour;
	int epfd, sigfd, timerfd, listenfd, pidfd;
	struct mgr_tag sig_tag, timer_tag, listen_tag;
	sigset_t old_mask;
	struct mgr_prog **progs;
	size_t n_progs, alloc_progs;
	int label_width;
	struct mgr_client *clients;
	bool shutting_down;
	bool kill_all_sent;
	bool exit_on_fatal;
	bool fatal_exit;               /* exit_on_fatal fired */
	bool children_dirty;
	bool is_init;                  /* pid 1: reap everything, forward signals */
	bool done;
	bool unclean;                  /* a stop during shutdown needed SIGKILL */
	struct sigaction old_sigpipe;
	struct rlimit nofile;          /* the limit services get */
	uint64_t memory_deadline_ms;   /* next memory measure; 0: nothing is limited */
	struct direct_cgroup cgroup;   /* where limited programs go, or why they are polled */
	pid_t chain[DIRECT_CGROUP_CHAIN_MAX]; /* the galaxyctl that started the daemon, and the */
	size_t n_chain;                /* process between: they leave the cgroup with the manager */
	struct direct_logfile own_log; /* the daemon's manager.log; closed: stderr */
	char boot_id[DIRECT_BOOT_ID_LEN + 1]; /* this boot's, for the children record; "": none */
	int children_error;            /* the last write of the children record: 0 or -errno */
	size_t n_clients;              /* connected control clients, at most SERVER_MAX_CLIENTS */
	int spare_fd;                  /* kept open so that EMFILE can still accept and refuse */
};

/* manager.c */
/*
 * direct_manager_serve() for the daemon that galaxyctl started (main.c,
 * client.c): chain names the processes that started it (the galaxyctl
 * client, the process that detached the daemon), which move with the
 * manager into its leaf cgroup while the cgroup it prepares holds them
 * (see direct_cgroup_opts).
 */
int direct_manager_serve_chain(const char *state_dir, int ready_fd, const pid_t *chain,
			       size_t n_chain);
uint64_t mgr_now_ms(void);
void mgr_log(struct direct_manager *m, const char *level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
struct mgr_prog *mgr_find(const struct direct_manager *m, const char *name);
int mgr_add(struct direct_manager *m, struct direct_spec *spec, struct mgr_prog **ret);
void mgr_remove(struct direct_manager *m, struct mgr_prog *p);
void mgr_event(struct direct_manager *m, struct mgr_prog *p, enum direct_event ev);
void mgr_set_spec(struct direct_manager *m, struct mgr_prog *p, struct direct_spec *spec);
void mgr_signal(struct direct_manager *m, struct mgr_prog *p, int sig);
void mgr_begin_shutdown(struct direct_manager *m);
bool mgr_busy(const struct mgr_prog *p);

/* server.c */
int mgr_server_listen(struct direct_manager *m, char *why, size_t len);
void mgr_server_accept(struct direct_manager *m);
void mgr_client_input(struct direct_manager *m, struct mgr_client *c);
void mgr_clients_check(struct direct_manager *m);
void mgr_clients_free(struct direct_manager *m);
json_t *mgr_handle(struct direct_manager *m, json_t *req, struct mgr_client *c);

/*
 * memory.c: memory_limit and memory_high, in a cgroup v2 when the manager
 * prepared one at start, else measured by a poll.
 */
/*
 * At start: prepare GRAVITY_DIRECT_CGROUP, or the manager's own cgroup,
 * or say why not.  The program cgroups' names carry a hash of state_dir.
 */
void mgr_memory_init(struct direct_manager *m, const char *state_dir);
/* Before p's spawn: its cgroup.procs, open for the child (-1: none); why says why not. */
int mgr_memory_cgroup(struct direct_manager *m, struct mgr_prog *p, char *why, size_t len);
/* After p's spawn: log how its limits apply (when that changed). */
void mgr_memory_spawned(struct direct_manager *m, struct mgr_prog *p, bool moved, int cgroup_error,
			const char *why);
/* p's spec changed while it runs: its cgroup follows. */
void mgr_memory_respec(struct direct_manager *m, struct mgr_prog *p);
/* p is dropped: its cgroup goes once its processes have. */
void mgr_memory_forget(struct direct_manager *m, struct mgr_prog *p);
/* Measure limited programs outside cgroups when due, and schedule the next measure. */
void mgr_memory_poll(struct direct_manager *m, uint64_t now);
/* At exit, once every program is gone: their cgroups, with what remains of their processes. */
void mgr_memory_release(struct direct_manager *m);

/* leftover.c */
/*
 * At start, before any program: stop what the children record of a
 * crashed manager proves to be its (same boot, pid and start time), with
 * the process groups those lead.  Reads this boot's id for the record.
 */
void mgr_leftovers_kill(struct direct_manager *m);
/* The children record, as the programs now run (see children.h). */
void mgr_children_write(struct direct_manager *m);
long long mgr_proc_starttime(pid_t pid);

#endif
