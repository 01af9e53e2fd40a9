/* SPDX-License-Identifier: MIT */
/*
 * galaxyctl plugin ABI: the one header a backend or service-type module is
 * built against.  Everything a module may touch is declared here: modules
 * are compiled with include/ alone, so nothing of core/ is visible to them.
 *
 * ABI history (bump GX_ABI_MAJOR on any incompatible change, GX_ABI_MINOR
 * when a struct grows at its end):
 *   1.0 (2026-11-27)  first version.
 *   1.1 (2026-12-07)  gx_host.read_file, yaml_load and yaml_free: files read
 *                     with the core's bounds on configs.
 *   1.2 (2026-12-07)  gx_backend.check.  gx_backend is the module's: the
 *                     core reads a slot only when the module's minor has it.
 *                     gx_host.graceful (one driver for every backend's
 *                     graceful) with gx_graceful_ops; gx_request.start_if_stopped;
 *                     gx_host.refuse_if_stopped.
 *   1.3 (2026-12-07)  gx_host.service_argv_with_virtualenv.
 *   1.4 (2026-12-07)  gx_instance.galaxy_installed and working_dir: Galaxy
 *                     installed as a package has no galaxy_root.
 *   1.5 (2026-12-07)  gx_backend.process_names, gx_request.target_process,
 *                     gx_host.request_has_process and graceful_request: one
 *                     process of a service named alone ("gunicorn:gunicorn_1").
 *   1.6 (2026-12-07)  update --dry-run: gx_backend.plan; gx_host.plan_file,
 *                     plan_remove, plan_dir and plan_action with struct
 *                     gx_plan and enum gx_plan_verb.
 *   1.7 (2026-12-07)  gx_request.graceful_delay_set and graceful_delay:
 *                     graceful --delay, read by the core's graceful driver.
 *
 * Rules for every callback below:
 *   - errors are returned as a negative errno, 0 is success;
 *   - error text travels in the caller-owned struct gx_error, filled with
 *     gx_host.errorf(), and is printed once, by the core;
 *   - out-parameters (ret_*) are left untouched on failure;
 *   - modules never exit(), never print to stdout directly and never keep
 *     pointers to core objects past the call, unless a slot says so.
 */
#ifndef GALAXYCTL_PLUGIN_H
#define GALAXYCTL_PLUGIN_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#define GX_ABI_MAJOR 1
#define GX_ABI_MINOR 7

/* The data symbol every module exports, and nothing else. */
#define GX_MODULE_SYMBOL "gx_module"

#if defined(__GNUC__)
#define GX_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define GX_PRINTF(fmt, args)
#endif

/* ------------------------------------------------------------------ */
/* Errors                                                              */

/* Where a config value came from.  file is NULL for built-in defaults. */
struct gx_mark {
	const char *file;
	unsigned line;   /* 1-based, 0 when unknown */
	unsigned column; /* 1-based, 0 when unknown */
};

/* Caller-owned error detail.  Zero-initialise before use. */
struct gx_error {
	int code; /* negative errno of the failure */
	char message[1024];
	char file[512]; /* empty when the error has no config location */
	unsigned line;
	unsigned column;
};

/* ------------------------------------------------------------------ */
/* The neutral config tree                                             */

enum gx_node_kind {
	GX_NODE_NULL,
	GX_NODE_SCALAR,
	GX_NODE_MAPPING,
	GX_NODE_SEQUENCE,
	GX_NODE_KIND_MAX
};

struct gx_node;

struct gx_pair {
	struct gx_node *key; /* always a scalar */
	struct gx_node *value;
};

/*
 * A YAML node.  Owned by the core and read-only for modules; it lives as
 * long as the instance it belongs to.
 */
/* A loaded YAML file, opaque to modules (gx_host.yaml_load). */
struct gx_yaml_doc;

struct gx_node {
	enum gx_node_kind kind;
	struct gx_mark mark;
	char *scalar; /* SCALAR: the text, never NULL */
	bool plain;   /* SCALAR: unquoted, so 'true'/'12'/'~' resolve as YAML 1.1 */
	size_t n;     /* SEQUENCE: number of items; MAPPING: number of pairs */
	struct gx_node **items; /* SEQUENCE */
	struct gx_pair *pairs;  /* MAPPING, in file order */
};

/* ------------------------------------------------------------------ */
/* Option tables: validation, defaults, documentation                  */

enum gx_type {
	GX_TYPE_BOOL,
	GX_TYPE_INT,
	GX_TYPE_FLOAT,
	GX_TYPE_STRING,  /* numbers are accepted and kept as their text */
	GX_TYPE_ENUM,    /* a string out of gx_option.allowed */
	GX_TYPE_STRMAP,  /* mapping of string to scalar (environment) */
	GX_TYPE_STRLIST, /* sequence of strings */
	GX_TYPE_MAPPING, /* any mapping, checked by the module itself */
	GX_TYPE_MAX
};

enum gx_option_flags {
	GX_OPT_REQUIRED = 1u << 0, /* an error when missing or null */
	GX_OPT_HIDDEN = 1u << 1,   /* accepted, left out of the sample config */
	GX_OPT_NULLABLE = 1u << 2, /* an explicit null is a valid value */
};

/*
 * One option of a config section.  Tables end with an entry whose name is
 * NULL.  default_value is YAML text ("true", "300", "localhost:8080") or
 * NULL for "unset" (the effective tree then holds a null node).  For INT
 * and FLOAT, min < max enables bounds checking.
 */
struct gx_option {
	const char *name;
	enum gx_type type;
	const char *default_value;
	const char *doc;
	const char *const *allowed; /* ENUM: NULL-terminated */
	double min;
	double max;
	unsigned flags;
};

/*
 * The options every service section shares.  start/stop are the service's
 * default start_timeout and stop_timeout as text.  Put
 * GX_SERVICE_COMMON_OPTIONS in the service's table after its own options;
 * a service with options of its own among them (gunicorn's restart_timeout)
 * uses the two halves around them.
 */
#define GX_SERVICE_COMMON_OPTIONS(start, stop)                                         \
	GX_SERVICE_PROCESS_OPTIONS(start, stop), GX_SERVICE_LIMIT_OPTIONS

#define GX_SERVICE_PROCESS_OPTIONS(start, stop)                                        \
	{ .name = "umask", .type = GX_TYPE_STRING,                                     \
	  .doc = "umask under which service should be executed" },                     \
	{ .name = "start_timeout", .type = GX_TYPE_INT, .default_value = start,       \
	  .doc = "Value of supervisor startsecs, systemd TimeoutStartSec" },           \
	{ .name = "stop_timeout", .type = GX_TYPE_INT, .default_value = stop,         \
	  .doc = "Value of supervisor stopwaitsecs, systemd TimeoutStopSec" }

/*
 * restart_delay, for a service whose several processes graceful restarts
 * one at a time (the core's graceful driver reads it; graceful --delay
 * overrides it).  A galaxyctl option: Gravity has none.
 */
#define GX_SERVICE_RESTART_DELAY_OPTION                                                \
	{ .name = "restart_delay", .type = GX_TYPE_FLOAT, .default_value = "0",       \
	  .min = 0, .max = 86400,                                                      \
	  .doc = "Seconds to wait, in a graceful restart, after one process is ready " \
		 "again before the next one is restarted (galaxyctl only; "           \
		 "``galaxyctl graceful --delay`` overrides it)." }

#define GX_SERVICE_LIMIT_OPTIONS                                                       \
	{ .name = "memory_limit", .type = GX_TYPE_FLOAT, .min = 0, .max = 1e9,        \
	  .doc = "Memory limit (in GB). If the service exceeds the limit, it will be " \
		 "killed. Default is no limit or the value of the\n``memory_limit`` "  \
		 "setting at the top level of the Gravity configuration, if set. "     \
		 "Ignored if ``process_manager`` is\n``supervisor``." },               \
	{ .name = "memory_high", .type = GX_TYPE_FLOAT, .min = 0, .max = 1e9,         \
	  .doc = "Memory usage throttle limit (in GB). If the service exceeds the "    \
		 "limit, processes are throttled and put under heavy\nreclaim "       \
		 "pressure. Default is no limit or the value of the ``memory_high`` "  \
		 "setting at the top level of the Gravity\nconfiguration, if set. "   \
		 "Ignored if ``process_manager`` is ``supervisor``." },                \
	{ .name = "environment", .type = GX_TYPE_STRMAP, .default_value = "{}",       \
	  .doc = "Extra environment variables and their values to set when running "   \
		 "the service. A dictionary where keys are the variable\nnames." }

/* ------------------------------------------------------------------ */
/* String vectors (argv, environment)                                  */

/* A NULL-terminated growable vector of heap strings, owned by whoever
 * embeds it; release with gx_host.strv_release().  Zero-initialise. */
struct gx_strv {
	char **v; /* v[n] == NULL once anything was pushed */
	size_t n;
	size_t alloc;
};

/* ------------------------------------------------------------------ */
/* Instances and services                                              */

enum gx_graceful {
	GX_GRACEFUL_DEFAULT, /* restart */
	GX_GRACEFUL_SIGHUP,
	GX_GRACEFUL_ROLLING, /* restart instances one at a time, readiness-gated */
	GX_GRACEFUL_NONE,
	GX_GRACEFUL_MAX
};

struct gx_service_type;

/* A process as a backend sees it, for the core's graceful driver. */
enum gx_proc_state {
	GX_PROC_DOWN,     /* stopped or exited: starting it would bring it up */
	GX_PROC_STARTING, /* started, not yet past its start time */
	GX_PROC_RUNNING,
	GX_PROC_FAILED,   /* the process manager gave up on it (FATAL, start limit) */
};

struct gx_service;

/*
 * What a backend does for gx_host.graceful, per process i of svc.  Each
 * returns 0 or a negative errno with err filled; ctx is the backend's.
 */
struct gx_graceful_ops {
	/* Its state; why (of len bytes) gets the manager's word for it ("EXITED"). */
	int (*state)(void *ctx, const struct gx_service *svc, unsigned i,
		     enum gx_proc_state *ret, char *why, size_t len, struct gx_error *err);
	/* Start it (also from FAILED), returning without waiting for it. */
	int (*start)(void *ctx, const struct gx_service *svc, unsigned i, struct gx_error *err);
	/* Stop and start it again, returning once it was started. */
	int (*restart)(void *ctx, const struct gx_service *svc, unsigned i, struct gx_error *err);
	/* Send it SIGHUP. */
	int (*sighup)(void *ctx, const struct gx_service *svc, unsigned i, struct gx_error *err);
};
struct gx_instance;

/*
 * A service of an instance, as expanded by its service type.  Owned by
 * the core; read-only for modules.  A service with count > 1 is run as
 * count process instances ("gunicorn:gunicorn_0", "galaxy-gunicorn@0").
 */
struct gx_service {
	char *name;        /* "gunicorn", "celery-beat", "handler", "gunicorn1" */
	char *config_type; /* the type name, used in file names: "gunicorn", "standalone" */
	const struct gx_service_type *type;
	const struct gx_instance *instance;
	unsigned count;    /* process instances, >= 1 */
	bool instances;    /* run as service instances (even when count == 1) */
	const struct gx_node **settings; /* count entries: effective section per process */
	void *data;        /* the service type's own, freed by spec.free_data */
	/* Common settings, already resolved against the top level. */
	char *umask;       /* "022" */
	long start_timeout;
	long stop_timeout;
	double memory_limit; /* GB, 0 when unset */
	double memory_high;  /* GB, 0 when unset */
};

/*
 * A Galaxy instance (one gravity config).  Owned by the core, read-only.
 * Paths are absolute.
 */
struct gx_instance {
	char *name;               /* instance_name, "_default_" when unset */
	char *config_file;        /* the gravity config file; NULL when there is none
				   * (an installed Galaxy run on defaults) */
	char *galaxy_config_file; /* galaxy.yml; may equal config_file, NULL with it */
	char *galaxy_root;        /* NULL when Galaxy is installed as a package */
	char *virtualenv;         /* NULL when unset */
	char *state_dir;
	char *log_dir;
	char *process_manager;    /* "supervisor", "systemd", "direct" */
	char *service_command_style; /* "gravity", "direct" */
	bool use_service_instances;
	char *galaxy_user;        /* NULL when unset */
	char *galaxy_group;       /* NULL when unset */
	const struct gx_node *gravity; /* effective gravity settings */
	const struct gx_node *galaxy;  /* the galaxy section, NULL when none */
	struct gx_service **services;
	size_t n_services;
	bool name_is_default;     /* instance_name was not set */
	/*
	 * Galaxy is a package of the virtualenv (pip or uv install), as
	 * upstream's importable galaxy.version: galaxy_root is NULL and
	 * handlers run the galaxy-main entry point, not scripts/galaxy-main.
	 */
	bool galaxy_installed;
	/* The services' working directory: galaxy_root, or for an installed Galaxy the
	 * directory galaxyctl ran in (upstream's `galaxy_root or os.getcwd()`). */
	char *working_dir;
};

/* What a service type's expand() hands to gx_host.add_service(). */
struct gx_service_spec {
	const char *name;
	const char *config_type; /* NULL: the type's name */
	unsigned count;          /* 0 is taken as 1 */
	bool instances;
	/*
	 * count entries, each the effective section of that process.  NULL
	 * (or a NULL entry) stands for the type's defaults, for services that
	 * come from elsewhere than the gravity config (static job handlers).
	 */
	const struct gx_node *const *settings;
	/*
	 * With settings NULL: a mapping of scalars that stands as the
	 * section's environment: option (a static handler's variables from
	 * the job config), so that it comes after VIRTUAL_ENV as upstream's.
	 * Copied; NULL for none.
	 */
	const struct gx_node *environment;
	void *data;                  /* ownership passes to the core, even on error */
	void (*free_data)(void *data);
};

struct gx_expand; /* the core's collector of services; opaque */

/* ------------------------------------------------------------------ */
/* Status                                                              */

enum gx_state {
	GX_STATE_STARTING,
	GX_STATE_RUNNING,
	GX_STATE_BACKOFF,
	GX_STATE_STOPPING,
	GX_STATE_STOPPED,
	GX_STATE_EXITED,
	GX_STATE_FATAL,
	GX_STATE_UNKNOWN,
	GX_STATE_MAX
};

/* One row of status; the core copies the strings. */
struct gx_status_row {
	const char *instance;
	const char *service;
	const char *name; /* process or unit name as the backend knows it */
	enum gx_state state;
	long pid;         /* 0 when none */
	double uptime_s;  /* < 0 when unknown */
	long restarts;    /* < 0 when unknown */
	int exit_status;  /* < 0 when unknown */
	const char *log;  /* NULL when unknown */
	long rss_kb;      /* < 0 when unknown */
	const char *detail; /* backend's own words, for the table; may be NULL */
};

struct gx_status; /* the core's collector of rows; opaque */

/* ------------------------------------------------------------------ */
/* What a command asks of a backend                                    */

/* A service or whole instance named on the command line. */
struct gx_target {
	const struct gx_instance *instance;
	const struct gx_service *service; /* NULL: the whole instance */
};

struct gx_request {
	const struct gx_instance *const *instances; /* every loaded instance of this backend */
	size_t n_instances;
	/*
	 * Every other loaded instance: those another backend manages.  update
	 * goes to every installed backend, those with no instance of their own
	 * too (n_instances == 0), so that each removes what it still keeps for
	 * these (upstream's rule for configs under other process managers), and
	 * rules that count all configs (the supervisor state dir) can.
	 */
	const struct gx_instance *const *other_instances;
	size_t n_other_instances;
	const struct gx_target *targets; /* what the command names; all when n_targets == 0 */
	size_t n_targets;
	bool force;      /* update --force */
	bool clean;      /* update --clean */
	bool foreground; /* start -f */
	bool quiet;
	bool user_mode;  /* systemd: --user */
	const char *state_dir_override; /* --state-dir or $GRAVITY_STATE_DIR, or NULL */
	int argc;        /* pm: arguments passed through */
	char *const *argv;
	/*
	 * status: the rows are printed as JSON.  When false, a backend whose
	 * process manager has a table of its own (systemctl list-units) may
	 * print that with h->out instead of adding rows.
	 */
	bool json;
	bool start_if_stopped; /* graceful --start-if-stopped (since 1.2) */
	/*
	 * Since 1.5.  NULL, or one entry per target: the process of the
	 * target's service that it names alone (0 .. count - 1), or -1 for all
	 * of them.  Only a backend with process_names gets entries other than
	 * -1, for names it gave.  h->request_has_process() reads it.
	 */
	const long *target_process;
	/*
	 * Since 1.7.  graceful --delay: when graceful_delay_set, the seconds
	 * to wait after one process is ready again before the next restarts,
	 * for every service, instead of each one's restart_delay.
	 */
	bool graceful_delay_set;
	double graceful_delay;
};

/* ------------------------------------------------------------------ */
/* update --dry-run (since 1.6)                                        */

/* What update would do to a process, a unit or the process manager. */
enum gx_plan_verb {
	GX_PLAN_START,   /* it would be started */
	GX_PLAN_RESTART, /* stopped and started again */
	GX_PLAN_STOP,    /* stopped (and, its config gone, forgotten) */
	GX_PLAN_ADD,     /* the process manager would learn of it without starting it */
	GX_PLAN_REMOVE,  /* the process manager would forget it; nothing runs to stop */
	GX_PLAN_CHANGE,  /* its settings would change in the process manager, no restart */
	GX_PLAN_ENABLE,  /* a unit would be enabled (systemctl enable) */
	GX_PLAN_RELOAD,  /* the process manager would reread its configuration */
	GX_PLAN_NOTE,    /* nothing is done: what the admin should know; not a change */
	GX_PLAN_VERB_MAX
};

struct gx_plan; /* the core's record of what update would do; opaque */

/* ------------------------------------------------------------------ */
/* The host: what the core offers modules                              */

enum gx_log_level { GX_LOG_DEBUG, GX_LOG_INFO, GX_LOG_WARNING, GX_LOG_ERROR, GX_LOG_MAX };

struct gx_host {
	unsigned abi_major;
	unsigned abi_minor;
	size_t size; /* sizeof(struct gx_host) of the core */

	/* Diagnostics to stderr ("galaxyctl: warning: ..."). */
	void (*log)(enum gx_log_level level, const char *fmt, ...) GX_PRINTF(2, 3);
	/* Command output meant for the user (stdout). */
	void (*out)(const char *fmt, ...) GX_PRINTF(1, 2);
	/*
	 * Fill err with a message located at node (NULL: no location) and
	 * return code, a negative errno, so that "return h->errorf(...)" works.
	 */
	int (*errorf)(struct gx_error *err, const struct gx_node *at, int code,
		      const char *fmt, ...) GX_PRINTF(4, 5);

	/*
	 * Typed reads of an effective (validated) section.  The key must be an
	 * option of the section's table; a null value reads as false, 0, NAN
	 * and NULL respectively.  get() returns NULL for an absent key.
	 */
	const struct gx_node *(*get)(const struct gx_node *map, const char *key);
	bool (*get_bool)(const struct gx_node *map, const char *key);
	long (*get_int)(const struct gx_node *map, const char *key);
	double (*get_float)(const struct gx_node *map, const char *key);
	const char *(*get_str)(const struct gx_node *map, const char *key);
	/* Is the node a YAML null (absent, ~, null, empty)? */
	bool (*is_null)(const struct gx_node *node);

	/* String vectors.  Each returns -ENOMEM or 0. */
	int (*strv_push)(struct gx_strv *sv, const char *s);
	int (*strv_pushf)(struct gx_strv *sv, const char *fmt, ...) GX_PRINTF(2, 3);
	/* Split words the way a POSIX shell does (quotes, backslashes; no expansion). */
	int (*strv_split)(struct gx_strv *sv, const char *words, struct gx_error *err);
	/*
	 * Append the words of the string option key of section (extra_args),
	 * split as strv_split does; nothing when it is unset or empty.  A bad
	 * quote is an error at the option, named name ("gravity.celery.extra_args").
	 */
	int (*strv_split_option)(struct gx_strv *sv, const struct gx_node *section, const char *key,
				 const char *name, struct gx_error *err);
	void (*strv_release)(struct gx_strv *sv);

	/* Register a service during expand(). */
	int (*add_service)(struct gx_expand *ctx, const struct gx_service_spec *spec,
			   struct gx_error *err);
	/*
	 * The expansion a type without expand() gets, for an expand() that
	 * differs only sometimes (gunicorn under unicornherder).
	 */
	int (*expand_default)(const struct gx_instance *inst, const struct gx_node *section,
			      struct gx_expand *ctx, struct gx_error *err);

	/* Add a row during status(). */
	int (*status_add)(struct gx_status *st, const struct gx_status_row *row);

	/*
	 * Write a whole file atomically (temporary file in the same directory,
	 * fsync, rename), creating missing parent directories.
	 */
	int (*write_file)(const char *path, const char *data, size_t len, mode_t mode,
			  struct gx_error *err);

	/*
	 * GET path from bind ("host:port", "host", "unix:/path") with a timeout.
	 * On success stores the HTTP status and a heap copy of the body (the
	 * caller frees it).  A refused connection is -ECONNREFUSED.
	 */
	int (*http_get)(const char *bind, const char *path, double timeout_s,
			long *ret_status, char **ret_body, struct gx_error *err);

	/*
	 * The full command and environment of one process of a service,
	 * including what the core adds (PATH with the virtualenv, VIRTUAL_ENV,
	 * the service's environment: option).  Vectors are appended to.
	 */
	int (*service_argv)(const struct gx_service *svc, unsigned process,
			    struct gx_strv *argv, struct gx_error *err);
	int (*service_env)(const struct gx_service *svc, unsigned process,
			   struct gx_strv *env, struct gx_error *err);

	/* Absolute path of galaxyctl as it was invoked (symlinks kept, as upstream writes it), for
	 * the "galaxyctl exec" commands that programs and units run. */
	const char *self_exe;
	/* The value of -d/--debug. */
	bool debug;

	/*
	 * Since 1.1.  A file that a config names (a job config), read with
	 * the bounds on configs: a regular file (a FIFO or device is refused
	 * without blocking) of at most 16 MiB.  *ret_text is the caller's,
	 * NUL-terminated; errors name the path.
	 */
	int (*read_file)(const char *path, char **ret_text, size_t *ret_len, struct gx_error *err);
	/*
	 * Since 1.1.  A YAML file loaded as the core loads galaxy.yml: bounded
	 * as read_file, aliases and merge keys resolved within node and depth
	 * limits, errors at file:line:col.  *ret_doc is the caller's, freed
	 * with yaml_free; *ret_root belongs to it (a null node when empty).
	 */
	int (*yaml_load)(const char *path, struct gx_yaml_doc **ret_doc,
			 const struct gx_node **ret_root, struct gx_error *err);
	void (*yaml_free)(struct gx_yaml_doc *doc);

	/*
	 * Since 1.2.  graceful, the same on every backend, over the n
	 * services the command selected, through ops:
	 *  - every process of every service that graceful acts on is checked
	 *    first: running, and for a rolling restart its readiness check
	 *    passing (waiting up to its restart_timeout for one that starts);
	 *    one down and nothing is restarted: the error names each;
	 *  - start_if_stopped instead starts what is down (tusd too) and waits
	 *    until it is ready; only what already ran is then restarted;
	 *  - then each service by its method: a rolling restart, one process
	 *    at a time, each ready again before the next; SIGHUP; or restart.
	 */
	int (*graceful)(const struct gx_graceful_ops *ops, void *ctx,
			const struct gx_service *const *svcs, size_t n, bool start_if_stopped,
			struct gx_error *err);

	/*
	 * Since 1.2.  0 unless the process manager's pid is stopped (SIGSTOP)
	 * or traced, by its state in /proc: it would take a request then and
	 * carry it out once continued, after the caller gave up.  Then
	 * -ETIMEDOUT, err saying "WHO (pid N) cannot answer: it is stopped
	 * (T); nothing was sent to it ...": the caller sends nothing.
	 */
	int (*refuse_if_stopped)(pid_t pid, const char *who, struct gx_error *err);

	/*
	 * Since 1.3.  service_argv() as if the instance's virtualenv were
	 * virtualenv: upstream's systemd user mode takes $VIRTUAL_ENV for the
	 * commands' {virtualenv_bin} when the config sets none, and only there.
	 */
	int (*service_argv_with_virtualenv)(const struct gx_service *svc, unsigned process,
					    const char *virtualenv, struct gx_strv *argv,
					    struct gx_error *err);

	/*
	 * Since 1.5.  Process i of svc is among rq's targets: there are none,
	 * or one names svc's instance, svc with all its processes, or process
	 * i alone.  Backends ask it wherever they go through processes.
	 */
	bool (*request_has_process)(const struct gx_request *rq, const struct gx_service *svc,
				    unsigned i);
	/*
	 * Since 1.5.  graceful() for rq (its start_if_stopped), over only the
	 * processes of svcs that rq's targets name (request_has_process).
	 */
	int (*graceful_request)(const struct gx_graceful_ops *ops, void *ctx,
				const struct gx_request *rq, const struct gx_service *const *svcs,
				size_t n, struct gx_error *err);

	/*
	 * Since 1.6.  For gx_backend.plan: what update would do, recorded in
	 * plan, which the core then prints (files as unified diffs).  what is
	 * a label for the user ("service gunicorn", "systemd unit
	 * galaxy.target"), may be NULL, and is copied like every string.
	 *
	 * plan_file: update would write len bytes of data to path with mode.
	 * 1 when that changes the file (it is missing, or its bytes or mode
	 * differ), 0 when it holds them already; the core reads the file, and
	 * with update --force an unchanged file is still rewritten.
	 * plan_remove: update would remove path; 1, or 0 when it is missing.
	 * plan_dir: update would create the directory path (and its parents);
	 * 1, or 0 when it exists.  Each returns a negative errno with err
	 * filled when the file cannot be read or memory runs out.
	 */
	int (*plan_file)(struct gx_plan *plan, const char *path, const char *data, size_t len,
			 mode_t mode, const char *what, struct gx_error *err);
	int (*plan_remove)(struct gx_plan *plan, const char *path, const char *what,
			   struct gx_error *err);
	int (*plan_dir)(struct gx_plan *plan, const char *path, const char *what,
			struct gx_error *err);
	/*
	 * Since 1.6.  Update would do verb to who (a program, unit or the
	 * process manager: "gunicorn:gunicorn_0", "galaxy.target"), by the
	 * means fmt says ("supervisord addProcessGroup"; NULL: none to say).
	 * 0, or -ENOMEM.
	 */
	int (*plan_action)(struct gx_plan *plan, enum gx_plan_verb verb, const char *who,
			   const char *fmt, ...) GX_PRINTF(4, 5);
};

/* ------------------------------------------------------------------ */
/* Service types                                                       */

/*
 * A service type.  Every slot except name, section and options may be NULL
 * and then has the default described.
 */
struct gx_service_type {
	const char *name;    /* type name: "gunicorn", "celery-beat" */
	/*
	 * The config section it reads ("gunicorn").  Several types may share a
	 * section (celery, celery-beat); the core validates a section once,
	 * with the table of the first type that names it.
	 */
	const char *section;
	const char *doc;     /* the section's doc line, for the sample config */
	const struct gx_option *options;
	bool list_allowed;   /* the section may be a list of sections */
	/*
	 * The section maps names to sections (handlers: {name: {...}}); the
	 * options table then applies to each named section.
	 */
	bool named_sections;
	const char *const *aliases; /* other section names accepted, NULL-terminated */

	/*
	 * Turn the effective section (list items already validated) into
	 * services with h->add_service().  section is a mapping or, when
	 * list_allowed, a sequence of mappings.  May add none (disabled).
	 * Default: one service named after the type, count 1, when the
	 * section's "enable" is true or absent; for a list, one service with a
	 * process per enabled item (use_service_instances), else a service
	 * "<type><index>" per enabled item.
	 */
	int (*expand)(const struct gx_host *h, const struct gx_instance *inst,
		      const struct gx_node *section, struct gx_expand *ctx,
		      struct gx_error *err);

	/*
	 * Checks that need more than the option table (a required file,
	 * a galaxy-section setting).  Called once per service after expand.
	 */
	int (*validate)(const struct gx_host *h, const struct gx_service *svc,
			struct gx_error *err);

	/* Append the command of one process to argv.  Required. */
	int (*argv)(const struct gx_host *h, const struct gx_service *svc, unsigned process,
		    struct gx_strv *argv, struct gx_error *err);

	/*
	 * Append the service's own NAME=VALUE pairs (not the environment:
	 * option, nor PATH/VIRTUAL_ENV, which the core adds).  Default: none.
	 */
	int (*env)(const struct gx_host *h, const struct gx_service *svc, unsigned process,
		   struct gx_strv *env, struct gx_error *err);

	/* How graceful restarts this service.  Default: GX_GRACEFUL_DEFAULT. */
	enum gx_graceful (*graceful)(const struct gx_host *h, const struct gx_service *svc);

	/*
	 * Is the process ready to serve?  0 when ready, -EAGAIN when not yet,
	 * another negative errno when it cannot be checked.  NULL: ready once
	 * started.  The timeout bounds this one probe.
	 */
	int (*ready)(const struct gx_host *h, const struct gx_service *svc, unsigned process,
		     double timeout_s, struct gx_error *err);
};

/* ------------------------------------------------------------------ */
/* Backends                                                            */

/*
 * A process-manager backend.  Every command slot gets the request of one
 * backend (every instance the config names for it).  A NULL slot makes
 * the command report that the backend does not support it.
 */
struct gx_backend {
	const char *name;    /* "supervisor", "systemd", "direct" */
	/*
	 * Unused: nothing reads it; leave it NULL.  It was meant for the
	 * "install the ... package" hint, but that hint is needed only when
	 * the module is missing, and then there is no module to read it from:
	 * the core names the package of each first-party backend itself.
	 * The slot stays so that the later ones keep their offsets.
	 */
	const char *package;

	/*
	 * Write or remove the process manager's files (force, clean).  Also
	 * called with no instance of its own (n_instances == 0): then it only
	 * removes what it keeps for other_instances, starting nothing.
	 */
	int (*update)(const struct gx_host *h, const struct gx_request *rq, struct gx_error *err);
	int (*start)(const struct gx_host *h, const struct gx_request *rq, struct gx_error *err);
	int (*stop)(const struct gx_host *h, const struct gx_request *rq, struct gx_error *err);
	int (*restart)(const struct gx_host *h, const struct gx_request *rq, struct gx_error *err);
	int (*graceful)(const struct gx_host *h, const struct gx_request *rq, struct gx_error *err);
	/*
	 * Add one row per process with h->status_add().  A backend may print
	 * the process manager's own view instead (systemd without --json):
	 * it then returns 1 when a selected service is not running, so that
	 * galaxyctl exits 3 as with rows.
	 */
	int (*status)(const struct gx_host *h, const struct gx_request *rq, struct gx_status *st,
		      struct gx_error *err);
	int (*follow)(const struct gx_host *h, const struct gx_request *rq, struct gx_error *err);
	int (*shutdown)(const struct gx_host *h, const struct gx_request *rq, struct gx_error *err);
	/*
	 * Run the process manager's own tool with rq->argv.  Its exit status
	 * (0 or more) is returned and becomes galaxyctl's; a negative errno
	 * when it could not be run.
	 */
	int (*pm)(const struct gx_host *h, const struct gx_request *rq, struct gx_error *err);

	/*
	 * Since 1.2.  Render everything update would write for rq's instances
	 * and fail as update would on what this process manager cannot hold;
	 * write, start and stop nothing.  The core calls it after loading the
	 * config, for every command, so that such a value is a config error
	 * before any backend changes anything.  NULL: nothing to check.
	 */
	int (*check)(const struct gx_host *h, const struct gx_request *rq, struct gx_error *err);

	/*
	 * Since 1.5.  Push the name of each of svc's count processes onto
	 * out, in process order, as status prints it ("gunicorn:gunicorn_1",
	 * "galaxy-gunicorn@1.service"): such a name on the command line then
	 * names that process alone.  rq holds every loaded instance (for
	 * naming rules that count them) and no targets.  -ENOMEM, or 0.
	 * NULL: processes are not named alone.
	 */
	int (*process_names)(const struct gx_host *h, const struct gx_request *rq,
			     const struct gx_service *svc, struct gx_strv *out);

	/*
	 * Since 1.6.  update --dry-run: tell plan, through h->plan_file,
	 * plan_remove, plan_dir and plan_action, everything update with rq
	 * (force, clean) would write, remove and create, and what it would do
	 * to running programs; write, create, start, stop and signal nothing,
	 * and ask the process manager only what changes nothing in it (its
	 * status).  Called as update is, also with no instance of its own.
	 * Fails as update would on what this process manager cannot hold.
	 * NULL (or a module older than 1.6): update --dry-run fails for this
	 * backend, saying it cannot tell.
	 */
	int (*plan)(const struct gx_host *h, const struct gx_request *rq, struct gx_plan *plan,
		    struct gx_error *err);
};

/* ------------------------------------------------------------------ */
/* The module                                                          */

/*
 * What a module exports as GX_MODULE_SYMBOL, e.g.
 *   const struct gx_module gx_module = {
 *           GX_MODULE_HEADER("celery"),
 *           .services = celery_types,
 *   };
 */
struct gx_module {
	unsigned abi_major;
	unsigned abi_minor;
	size_t size; /* sizeof(struct gx_module) the module was built with */
	const char *name;
	const struct gx_service_type *const *services; /* NULL-terminated, or NULL */
	const struct gx_backend *backend;              /* or NULL */
};

#define GX_MODULE_HEADER(module_name)                                          \
	.abi_major = GX_ABI_MAJOR, .abi_minor = GX_ABI_MINOR,                  \
	.size = sizeof(struct gx_module), .name = (module_name)

#ifdef __cplusplus
}
#endif

#endif
