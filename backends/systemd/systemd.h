/* SPDX-License-Identifier: MIT */
/* What the files of the systemd backend share: names, quoting, rendering, systemctl, commands. */
#ifndef GX_BACKEND_SYSTEMD_H
#define GX_BACKEND_SYSTEMD_H

#include <stdbool.h>
#include <stddef.h>

#include <galaxyctl/plugin.h>

/* The line that marks a target as written for one gravity config (upstream's ownership mark). */
#define SD_HASH_KEY "GRAVITY="
/* SHA-1 in hex, and its NUL. */
#define SD_HASH_LEN 40

/* systemctl's exit status for "no such unit" (start/stop/restart) and status's own. */
#define SD_RC_NOT_FOUND 5
#define SD_RC_STATUS_NOT_FOUND 4
/* The hint upstream gives for either. */
#define SD_NOT_FOUND_HINT \
	"Some expected systemd units were not found, did you forget to run `galaxyctl update`?"

/* ---------------------------------------------------------------------- */
/* A growable heap string (quote.c). */

struct sd_buf {
	char *s; /* NUL-terminated once anything was added */
	size_t len;
	size_t alloc;
	bool failed; /* an allocation failed; s is released */
};

void sd_buf_add(struct sd_buf *b, const char *s);
void sd_buf_addn(struct sd_buf *b, const char *s, size_t n);
void sd_buf_addf(struct sd_buf *b, const char *fmt, ...) GX_PRINTF(2, 3);
/* The string (heap, "" when empty), or NULL when an allocation failed; b is reset. */
char *sd_buf_steal(struct sd_buf *b);
void sd_buf_release(struct sd_buf *b);

/* ---------------------------------------------------------------------- */
/* Quoting for unit files (quote.c).  Each returns false when s cannot be represented. */

/*
 * One word of ExecStart=: Python's shlex.quote() as upstream writes it,
 * made exact for systemd: '\' doubled, '%' as "%%", '$' as "$$"; the
 * first word is also quoted when it starts like an ExecStart= prefix.
 */
bool sd_quote_exec_word(struct sd_buf *b, const char *s, bool first);
/* The value of Environment=NAME=VALUE: shlex.quote() with '\' and '%' escaped. */
bool sd_quote_env_value(struct sd_buf *b, const char *s);
/* A plain setting value (paths, names): '%' escaped, control characters refused. */
bool sd_escape_value(struct sd_buf *b, const char *s);
/* A usable environment variable name: no blanks, quotes, '=', '\' or control characters. */
bool sd_env_name_ok(const char *name, size_t len);
/* A string that may appear in a unit name: [A-Za-z0-9:_.-], not empty. */
bool sd_unit_name_part_ok(const char *s);
/* A value in GB as upstream writes it for MemoryMax=/MemoryHigh= ("8G", "1.5G"). */
void sd_format_gb(struct sd_buf *b, double gb);
/* The SHA-1 of path in lower-case hex (upstream's path_hash). */
void sd_path_hash(const char *path, char out[SD_HASH_LEN + 1]);
/* The hash on a ";  GRAVITY=<hex>" line of a target's text, or false. */
bool sd_find_hash(const char *text, char out[SD_HASH_LEN + 1]);

/* ---------------------------------------------------------------------- */
/* Unit names and unit files (unit.c). */

/* How one update renders: the mode and what the environment supplies. */
struct sd_render_opts {
	bool user_mode;
	const char *self_exe;     /* galaxyctl, for the gravity command style */
	const char *manager_path; /* PATH of the service manager (direct style); NULL: ours */
	const char *virtual_env;  /* $VIRTUAL_ENV, the user-mode fallback; may be NULL */
};

/* One rendered unit file: its file name in the unit dir and its contents. */
struct sd_file {
	char *name;
	char *text;
	bool is_target;
};

struct sd_files {
	struct sd_file *v;
	size_t n;
	size_t alloc;
};

void sd_files_release(struct sd_files *files);
/* The rendered file called name, or NULL. */
const struct sd_file *sd_files_find(const struct sd_files *files, const char *name);

/*
 * Whether units carry the instance name: upstream does so unless a single
 * instance with the default name is loaded.
 */
bool sd_use_instance_name(const struct gx_instance *inst, size_t n_instances);
/* "galaxy" or "galaxy-<instance>" (heap), NULL on ENOMEM. */
char *sd_prefix(const struct gx_instance *inst, bool use_name);
/* "galaxy[-<instance>].target" (heap). */
char *sd_target_name(const struct gx_instance *inst, bool use_name);
/* "galaxy[-<instance>]-<service>.service", or "…@.service" for several processes (heap). */
char *sd_unit_file_name(const struct gx_service *svc, bool use_name);
/* The unit of one process: "…-<service>.service" or "…-<service>@<process>.service" (heap). */
char *sd_unit_name(const struct gx_service *svc, unsigned process, bool use_name);
/* Append every process's unit name. -ENOMEM or 0. */
int sd_push_unit_names(const struct gx_host *h, const struct gx_service *svc, bool use_name,
		       struct gx_strv *out);

/*
 * Render every unit of inst (its services, then its target) into out,
 * in memory.  A value that cannot be written into a unit is an error, and
 * then nothing is added to out.
 */
int sd_render_instance(const struct gx_host *h, const struct sd_render_opts *o,
		       const struct gx_instance *inst, bool use_name, struct sd_files *out,
		       struct gx_error *err);

/* ---------------------------------------------------------------------- */
/* Running systemctl and journalctl (ctl.c). */

struct sd {
	const struct gx_host *h;
	const struct gx_request *rq;
	bool user_mode;
	char *unit_dir;
	/* update only: remove the units of other_instances (now under another backend) */
	bool clean_others;
};

/* Fill sd for a request: mode and unit dir.  Release with sd_release(). */
int sd_init(struct sd *sd, const struct gx_host *h, const struct gx_request *rq,
	    struct gx_error *err);
void sd_release(struct sd *sd);
/* Whether units of inst carry its instance name in this request. */
bool sd_use_name(const struct sd *sd, const struct gx_instance *inst);

/* What to make of systemctl's exit status. */
struct sd_call {
	bool capture;          /* collect stdout into *ret_out */
	bool quiet_stderr;     /* send stderr to /dev/null */
	int not_found_rc;      /* this status means "unit not found": the update hint; 0: none */
	const int *ignore_rc;  /* statuses that are not errors, ended by 0; may be NULL */
	bool any_rc;           /* no status is an error: the caller reads *ret_rc (pm) */
};

/*
 * systemctl [--user] [$GRAVITY_SYSTEMCTL_EXTRA_ARGS] args..., waited for.
 * ret_out (may be NULL) receives captured stdout (heap), ret_rc the exit
 * status (may be NULL).  A status that is not ignored is an error.
 */
int sd_systemctl(const struct sd *sd, const struct sd_call *call, const struct gx_strv *args,
		 char **ret_out, int *ret_rc, struct gx_error *err);
/* The same with a short argument list ended by NULL. */
int sd_systemctl_l(const struct sd *sd, const struct sd_call *call, char **ret_out,
		   struct gx_error *err, ...) __attribute__((sentinel));
/* journalctl [--user] args..., with the terminal; an interrupt ends it, not us. */
int sd_journalctl(const struct sd *sd, const struct gx_strv *args, struct gx_error *err);
/* The PATH of the service manager (heap), or NULL when it cannot be asked. */
char *sd_manager_path(const struct sd *sd);

/* ---------------------------------------------------------------------- */
/* Commands (update.c, status.c, graceful.c). */

int sd_update(const struct sd *sd, bool force, bool clean, struct gx_error *err);
/* Render every unit as sd_update would, writing and asking systemd nothing. */
int sd_check(const struct sd *sd, struct gx_error *err);
/*
 * update --dry-run: the units sd_update would write and remove, and the
 * systemctl calls it would make (disable --now, enable, daemon-reload),
 * asking systemd only list-units and show-environment.
 */
int sd_dry_run(const struct sd *sd, struct gx_plan *plan, bool force, bool clean,
	       struct gx_error *err);

/* One unit's state as systemctl show reports it. */
struct sd_unit_state {
	char *id;
	char *load_state;
	char *active_state;
	char *sub_state;
	char *result;
	long main_pid;
	unsigned long long start_usec; /* ExecMainStartTimestampMonotonic, 0: none */
	long restarts;                 /* -1: unknown */
	long long memory;              /* bytes, -1: unknown */
	int exit_status;               /* -1: unknown */
};

void sd_unit_state_release(struct sd_unit_state *st);
/*
 * Parse `systemctl show` output for n units (blocks in argument order)
 * into states[0..n).  Missing blocks leave a state with NULL fields.
 */
int sd_parse_show(const char *text, struct sd_unit_state *states, size_t n);
/* Map ActiveState/SubState to a gx_state. */
enum gx_state sd_state_of(const struct sd_unit_state *st);
/* Ask systemctl show for the states of the units. */
int sd_show_units(const struct sd *sd, const struct gx_strv *units, struct sd_unit_state *states,
		  struct gx_error *err);
int sd_status(const struct sd *sd, struct gx_status *st, struct gx_error *err);

int sd_graceful(const struct sd *sd, struct gx_error *err);

/* ---------------------------------------------------------------------- */
/* What a request names (systemd.c). */

/* Call fn for every service the request names (all services of named instances). */
int sd_for_each_service(const struct sd *sd,
			int (*fn)(const struct sd *sd, const struct gx_service *svc, void *data,
				  struct gx_error *err),
			void *data, struct gx_error *err);
/* Append the unit name of every process of svc that the request names. -ENOMEM or 0. */
int sd_push_selected_units(const struct sd *sd, const struct gx_service *svc, struct gx_strv *out);

#endif
