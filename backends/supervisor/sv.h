/* SPDX-License-Identifier: MIT */
/* The supervisor backend's internal interfaces, shared by its source files only. */
#ifndef GX_SUPERVISOR_SV_H
#define GX_SUPERVISOR_SV_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <galaxyctl/plugin.h>

/* ------------------------------------------------------------------ */
/* A growing text buffer with a sticky out-of-memory flag (buf.c)      */

struct sv_buf {
	char *s;
	size_t len;
	size_t alloc;
	bool oom;
};

void sv_buf_add(struct sv_buf *b, const char *s, size_t n);
void sv_buf_puts(struct sv_buf *b, const char *s);
void sv_buf_putc(struct sv_buf *b, char c);
void sv_buf_printf(struct sv_buf *b, const char *fmt, ...) GX_PRINTF(2, 3);
/* The text (heap, caller frees) and an empty buffer; NULL after an allocation failure. */
char *sv_buf_steal(struct sv_buf *b);
void sv_buf_release(struct sv_buf *b);
/* The formatted text, on the heap (the caller frees it); NULL when out of memory. */
char *sv_strdupf(const char *fmt, ...) GX_PRINTF(1, 2);
char *sv_vstrdupf(const char *fmt, va_list ap) GX_PRINTF(1, 0);
/* Fill err (when not NULL) and return code, like gx_host.errorf() without a location. */
int sv_error(struct gx_error *err, int code, const char *fmt, ...) GX_PRINTF(3, 4);

/* ------------------------------------------------------------------ */
/* Supervisor's config syntax (quote.c)                                */

/*
 * Why s cannot stand in a supervisor config value, or NULL when it can:
 * a line break, a ';' or '#' after whitespace (an inline comment), or
 * "%(here)s", which supervisord replaces before anything else.
 */
const char *sv_value_problem(const char *s);
/* s with every '%' written as 2^times '%', for values expanded that many times. */
void sv_put_escaped(struct sv_buf *b, const char *s, unsigned times);
/*
 * One word of a "command =" line, quoted so that supervisor's expansion
 * and shlex.split() give it back (shlex.quote()'s form when that is safe).
 * raw words are written as they are (%(process_num)d).  -EINVAL (with
 * *why set) when the word cannot be written.
 */
int sv_put_command_word(struct sv_buf *b, const char *word, bool raw, const char **why);
/*
 * One VALUE of "environment = K=VALUE,...", for supervisor's expansion
 * and its non-POSIX shlex: bare when it is made of word characters,
 * otherwise in single (or double) quotes.  raw_tail follows the value
 * unescaped inside the quotes (%(ENV_PATH)s), or is NULL.  -EINVAL (with
 * *why set) when the value cannot be written.
 */
int sv_put_env_value(struct sv_buf *b, const char *value, const char *raw_tail,
		     const char **why);
/* Is name usable as an environment variable name in "environment ="? */
bool sv_env_name_ok(const char *name);
/* Why name cannot be a supervisor program, process or group name, or NULL. */
const char *sv_name_problem(const char *name);

/* ------------------------------------------------------------------ */
/* Names and file contents (render.c)                                  */

/* How one service appears to supervisord. */
struct sv_program {
	char *program;      /* [program:NAME] */
	char *process_name; /* the process_name = value */
	char *file;         /* <type>_<name>.conf */
	char *log_pattern;  /* stdout_logfile = value, unescaped */
	unsigned count;
	char **groups;      /* per process: supervisord's group name */
	char **names;       /* per process: supervisord's process name */
	char **namespecs;   /* per process: "group:name", or "name" when they are equal */
	char **logs;        /* per process: its log file */
};

int sv_program_init(struct sv_program *p, const struct gx_service *svc, bool use_instance_name);
void sv_program_release(struct sv_program *p);

/*
 * The program file of svc (heap text in *ret).  Every value is checked
 * and escaped; a value that cannot be written is an error naming it.
 */
int sv_render_program(const struct gx_host *h, const struct gx_service *svc,
		      bool use_instance_name, char **ret, struct gx_error *err);
/* group_<instance>.conf. */
int sv_render_group(const struct gx_host *h, const struct gx_instance *inst, char **ret,
		    struct gx_error *err);
/* supervisord.conf; socket is $SUPERVISORD_SOCKET or NULL for the default. */
int sv_render_supervisord_conf(const struct gx_host *h, const char *socket, char **ret,
			       struct gx_error *err);

/* ------------------------------------------------------------------ */
/* XML-RPC over supervisord's unix socket (xmlrpc.c)                   */

enum sv_kind { SV_NIL, SV_INT, SV_BOOL, SV_DOUBLE, SV_STRING, SV_ARRAY, SV_STRUCT };

/* A decoded XML-RPC value. */
struct sv_value {
	enum sv_kind kind;
	long i;       /* INT, BOOL */
	double d;     /* DOUBLE */
	char *s;      /* STRING */
	size_t n;     /* ARRAY, STRUCT: number of items */
	struct sv_value *items;
	char **keys;  /* STRUCT: member names */
};

/* supervisor.xmlrpc.Faults */
enum sv_fault {
	SV_FAULT_SHUTDOWN_STATE = 6,
	SV_FAULT_BAD_NAME = 10,
	SV_FAULT_BAD_SIGNAL = 11,
	SV_FAULT_NO_FILE = 20,
	SV_FAULT_NOT_EXECUTABLE = 21,
	SV_FAULT_FAILED = 30,
	SV_FAULT_ABNORMAL_TERMINATION = 40,
	SV_FAULT_SPAWN_ERROR = 50,
	SV_FAULT_ALREADY_STARTED = 60,
	SV_FAULT_NOT_RUNNING = 70,
	SV_FAULT_SUCCESS = 80,
	SV_FAULT_ALREADY_ADDED = 90,
	SV_FAULT_STILL_RUNNING = 91,
	SV_FAULT_CANT_REREAD = 92,
};

/* A methodResponse: a value, or a fault (fault_code != 0). */
struct sv_reply {
	struct sv_value value;
	long fault_code;
	char *fault_string;
};

/* One parameter of a call. */
struct sv_param {
	enum sv_kind kind; /* SV_STRING, SV_INT or SV_BOOL */
	const char *s;
	long i;
};

#define SV_STR(v) ((struct sv_param){ .kind = SV_STRING, .s = (v) })
#define SV_BOOLEAN(v) ((struct sv_param){ .kind = SV_BOOL, .i = (v) })

struct sv_rpc;

/* A client for the socket (nothing is connected yet).  -ENOMEM. */
int sv_rpc_new(const char *socket, struct sv_rpc **ret, struct gx_error *err);
void sv_rpc_free(struct sv_rpc *rpc);
/*
 * Call method.  0 when supervisord answered (a value, or a fault in
 * ret->fault_code); a negative errno when it could not be reached or
 * answered nonsense.  Release ret with sv_reply_release() in every case.
 */
int sv_rpc_call(struct sv_rpc *rpc, const char *method, const struct sv_param *params,
		size_t n_params, double timeout_s, struct sv_reply *ret, struct gx_error *err);

/* The methodCall document for method and params (heap text). */
int sv_xmlrpc_request(const char *method, const struct sv_param *params, size_t n_params,
		      char **ret, size_t *ret_len);
/* Decode a methodResponse document.  -EPROTO when it is not one. */
int sv_xmlrpc_response(const char *text, size_t len, struct sv_reply *ret,
		       struct gx_error *err);
void sv_reply_release(struct sv_reply *r);
void sv_value_release(struct sv_value *v);
/* A struct member, or NULL. */
const struct sv_value *sv_value_get(const struct sv_value *v, const char *key);
/* Typed reads of a struct member: the default when absent or of another kind. */
long sv_value_get_int(const struct sv_value *v, const char *key, long dflt);
const char *sv_value_get_str(const struct sv_value *v, const char *key);

/* ------------------------------------------------------------------ */
/* One command's context (supervisor.c)                                */

struct sv_paths {
	char *dir;      /* <state>/supervisor */
	char *conf;     /* supervisord.conf */
	char *conf_dir; /* supervisord.conf.d */
	char *pidfile;
	char *socket;   /* $SUPERVISORD_SOCKET or dir/supervisor.sock */
	char *log;      /* supervisord.log */
	const char *socket_env; /* $SUPERVISORD_SOCKET, or NULL */
};

struct sv_ctx {
	const struct gx_host *h;
	const struct gx_request *rq;
	struct gx_error *err;
	struct sv_paths paths;
	bool use_instance_name;
	/* update only: remove what other_instances (now under another backend) left here */
	bool clean_others;
	struct sv_rpc *rpc;
	/* What this command did that started processes by itself. */
	bool launched;           /* supervisord started (it autostarts everything) */
	char **fresh_groups;     /* groups added or re-added by update */
	size_t n_fresh;
	pid_t foreground_pid;    /* supervisord --nodaemon run by start -f, or 0 */
	double stop_wait_s;      /* the longest stop_timeout, plus a margin */
};

/* The state dir rule, paths and naming mode for the request. */
int sv_ctx_init(struct sv_ctx *c, const struct gx_host *h, const struct gx_request *rq,
		struct gx_error *err);
void sv_ctx_release(struct sv_ctx *c);
/* The out-of-memory error. */
int sv_oom(struct sv_ctx *c);
/*
 * A line for the user on stdout, like supervisorctl's, flushed so that it
 * keeps its place among the diagnostics on stderr.
 */
void sv_out(const struct sv_ctx *c, const char *fmt, ...) GX_PRINTF(2, 3);
/* The XML-RPC client, created on first use. */
int sv_ctx_rpc(struct sv_ctx *c, struct sv_rpc **ret);
/*
 * Call method; a fault becomes an error naming what (a process or group
 * name, or NULL) and the fault text.  Returns 0 and fills ret only on
 * success (release it).
 */
int sv_ctx_call(struct sv_ctx *c, const char *what, const char *method,
		const struct sv_param *params, size_t n, double timeout_s, struct sv_reply *ret);

/* ------------------------------------------------------------------ */
/* Files (files.c)                                                     */

/* One file update means to have. */
struct sv_file {
	char *path;
	char *text;
	const char *kind; /* "service", "supervisor group" */
	char *label;      /* what the messages call it */
};

/* Every file update means to have. */
struct sv_plan {
	struct sv_file *v;
	size_t n;
	size_t alloc;
};

/* A list of paths (heap strings). */
struct sv_paths_list {
	char **v;
	size_t n;
	size_t alloc;
};

void sv_plan_release(struct sv_plan *plan);
void sv_list_release(struct sv_paths_list *l);
/* Takes path (freed on failure too).  -ENOMEM or 0. */
int sv_list_add(struct sv_paths_list *l, char *path);
bool sv_list_has(const struct sv_paths_list *l, const char *path);
int sv_cmp_str(const void *a, const void *b);
/* The entries of dir (not hidden ones), with prefix and suffix when given, as paths. */
int sv_scan_dir(const char *dir, const char *prefix, const char *suffix,
		struct sv_paths_list *out);
/* Render every instance's files into plan. */
int sv_plan_files(struct sv_ctx *c, struct sv_plan *plan);
/*
 * What update removes (sorted) by upstream's rules, and what --clean
 * leaves of other configs; reads the directory, changes nothing.
 */
int sv_cleanup_list(struct sv_ctx *c, const struct sv_plan *plan, bool force, bool clean,
		    struct sv_paths_list *remove, struct sv_paths_list *left);
/* The warning for what --clean left. */
void sv_warn_left(struct sv_ctx *c, struct sv_paths_list *left);

/*
 * Render every instance's files, clean up what is not intended (upstream's
 * rules, over every loaded instance of this backend), write what changed
 * (everything with force), then apply it to a running supervisord as
 * `supervisorctl update` does.
 */
int sv_update(struct sv_ctx *c, bool force, bool clean);
/* Render every instance's files as sv_update would, writing nothing. */
int sv_check(struct sv_ctx *c);
/*
 * update --dry-run (dry_run.c): what sv_update would write, remove and
 * create, and what supervisorctl update would then do to supervisord's
 * process groups, asking supervisord only for its process list.
 */
int sv_dry_run(struct sv_ctx *c, struct gx_plan *plan);

/* ------------------------------------------------------------------ */
/* supervisord itself (daemon.c)                                       */

/* pid file, socket and a live pid, as upstream checks. */
bool sv_daemon_running(const struct sv_ctx *c, pid_t *ret_pid);
/*
 * 0 unless supervisord is stopped (SIGSTOP) or traced: it would then take a
 * request and carry it out once continued, long after we gave up on it, so
 * nothing is sent and the error names its pid and state.
 */
int sv_daemon_answers(struct sv_ctx *c);
/*
 * Unless supervisord runs: write supervisord.conf and start it, waiting
 * for its pid file and socket (c->launched).  foreground: --nodaemon, as
 * a child of ours (c->foreground_pid).  Concurrent galaxyctl runs start
 * one supervisord: the supervisor dir is locked meanwhile.
 */
int sv_daemon_ensure(struct sv_ctx *c, bool foreground);
/* Ask supervisord to shut down and wait for it to exit. */
int sv_daemon_shutdown(struct sv_ctx *c);
/* Find an executable in the virtualenvs' bin, then on PATH (heap), or NULL. */
char *sv_find_program(const struct sv_ctx *c, const char *name);
/* The error for a program that sv_find_program() did not find. */
int sv_missing_program(struct sv_ctx *c, const char *name);
/* The last lines of a file (heap), or NULL. */
char *sv_file_tail(const char *path, unsigned lines);
/*
 * Run argv in a child and wait for it, returning its exit status (or
 * 128 + signal).  While waiting, SIGINT and SIGTERM do not end us: they
 * are passed on to the child and to also (when > 0), which we then wait
 * for too.
 */
int sv_run_child(struct sv_ctx *c, char *const argv[], pid_t also);
/* A monotonic clock in seconds, and a sleep that signals do not cut short. */
/*
 * Stop what a supervisord of this state dir started and that outlived it
 * (leftover.c): processes whose environment names our socket, each held by
 * a pidfd.  TERM, then KILL after stop_wait_s.  Called before supervisord
 * is started; -EBUSY when some would not exit.
 */
int sv_leftovers_stop(struct sv_ctx *c);
/* What status shows of them: each program's own pid, by its group:process name. */
struct sv_orphans {
	size_t n;
	pid_t *pids;
	char **names;
};
int sv_orphans_find(struct sv_ctx *c, struct sv_orphans *ret);
pid_t sv_orphans_pid(const struct sv_orphans *o, const char *name); /* 0: none */
void sv_orphans_release(struct sv_orphans *o);

double sv_now(void);
void sv_sleep(double s);
/* Is the socket path short enough for a unix socket?  An error if not. */
int sv_check_socket_path(struct sv_ctx *c);

/* ------------------------------------------------------------------ */
/* The processes a command acts on (procs.c)                           */

/* supervisor.states.ProcessStates */
enum sv_state {
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

bool sv_running_state(long s); /* STARTING, RUNNING, BACKOFF */
bool sv_stopped_state(long s); /* STOPPED, EXITED, FATAL */
const char *sv_state_word(long s);

/* The targets of the request: every service of every instance when none is named. */
int sv_select(struct sv_ctx *c, struct sv_selection *sel);
void sv_selection_release(struct sv_selection *sel);
/* Process i of t is among the request's targets (one process may be named alone). */
bool sv_proc_selected(const struct sv_ctx *c, const struct sv_target *t, unsigned i);
/* Every process of the selection that the request names (heap; caller frees), or NULL. */
struct sv_proc *sv_procs(const struct sv_ctx *c, const struct sv_selection *sel, size_t *ret_n);
/* "group:name", or "name" when they are equal. */
const char *sv_ns(const struct sv_proc *p);
/* getAllProcessInfo (release ret), and one process in it, or NULL. */
int sv_infos(struct sv_ctx *c, struct sv_reply *ret);
const struct sv_value *sv_info_find(const struct sv_reply *infos, const struct sv_proc *p);
/* The state of one process (-1 when supervisord does not know it) and its description (heap). */
int sv_proc_state(struct sv_ctx *c, const struct sv_proc *p, long *ret_state,
		  char **ret_description);
/*
 * Call method on one process and print supervisorctl's line (success, or
 * the fault).  1 when it succeeded, 0 when it failed (*fault has the
 * code), a negative errno when supervisord could not be asked.
 */
int sv_proc_call(struct sv_ctx *c, const char *ns, const char *method,
		 const struct sv_param *params, size_t n, double timeout_s, const char *success,
		 long *fault);
/* startProcess without waiting; ours: this command may have started it already. */
int sv_start_proc(struct sv_ctx *c, const struct sv_proc *p, bool ours, size_t *failures);
/* Start what is not running; stop what runs (together); both. */
int sv_start_procs(struct sv_ctx *c, const struct sv_proc *procs, size_t n);
int sv_stop_procs(struct sv_ctx *c, const struct sv_proc *procs, size_t n);
int sv_restart_procs(struct sv_ctx *c, const struct sv_proc *procs, size_t n);

/* ------------------------------------------------------------------ */
/* Operations (control.c, graceful.c, status.c)                        */

/*
 * Start supervisord when it is not running; the command then stops there,
 * as upstream does (*ret_was_running false, with a warning naming it).
 */
int sv_ensure_running(struct sv_ctx *c, const char *command, bool *ret_was_running);

int sv_op_start(struct sv_ctx *c);
int sv_op_stop(struct sv_ctx *c);
int sv_op_restart(struct sv_ctx *c);
int sv_op_graceful(struct sv_ctx *c);
int sv_op_status(struct sv_ctx *c, struct gx_status *st);
/* The selection's processes as `supervisorctl status` prints them (start does, as upstream's). */
int sv_print_status(struct sv_ctx *c);
int sv_op_follow(struct sv_ctx *c, bool quiet);
int sv_op_shutdown(struct sv_ctx *c);
int sv_op_pm(struct sv_ctx *c);

#endif
