/* SPDX-License-Identifier: MIT */
/* The direct manager's control protocol: JSON lines over a unix socket; where its files live. */
#ifndef DIRECT_PROTO_H
#define DIRECT_PROTO_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/*
 * Requests (one JSON object per line; "names" absent or null means every
 * program the manager holds):
 *   {"op": "ping"}
 *   {"op": "update", "instances": [NAME...], "programs": [PROGRAM...],
 *    "start": BOOL, "exit_on_fatal": BOOL}
 *       the programs of those instances become exactly the list given:
 *       new ones are added (and started when "start"), missing ones are
 *       stopped and dropped, and those whose command, environment,
 *       directory, umask or credentials changed are restarted (if active).
 *   {"op": "start"|"stop"|"restart", "names": [...]}
 *   {"op": "signal", "signal": N, "names": [...]}
 *   {"op": "status", "names": [...]}
 *   {"op": "shutdown"}
 * Every reply is {"ok": true, ...} or {"ok": false, "error": TEXT}.  The
 * replies to stop, restart, update and shutdown come once every program
 * concerned has settled; each reply that concerns programs carries
 * "programs": [STATUS...], STATUS being {"name", "instance", "service",
 * "process", "state", "pid", "uptime", "restarts", "exit_status", "log",
 * "error"}.
 */

/* Most a reply line may hold: the status of a few thousand programs. */
#define DIRECT_LINE_MAX (64u << 20)
/* Most a request may hold, as the root manager reads it from any client: an update of a few
 * hundred programs.  The client refuses to send more, with a clear error. */
#define DIRECT_REQUEST_MAX (1u << 20)

/* Bytes received but not yet consumed as lines.  Zero-initialise; max 0 is DIRECT_LINE_MAX. */
struct direct_linebuf {
	char *data;
	size_t len;
	size_t alloc;
	size_t max;
};

/*
 * Read what fd has (one read) into lb.  Returns the bytes read, 0 at end
 * of file, -EAGAIN when nothing is ready, -E2BIG when a line exceeds
 * lb->max, another negative errno on failure.
 */
long direct_linebuf_fill(struct direct_linebuf *lb, int fd);
/* The next complete line as a JSON value (new reference), NULL when none is complete.  *bad is
 * set when a complete line is not a JSON object (the line is dropped). */
json_t *direct_linebuf_next(struct direct_linebuf *lb, int *bad);
void direct_linebuf_release(struct direct_linebuf *lb);

/* Send one JSON value as a line, waiting up to timeout_ms for room (fd may be non-blocking).
 * -E2BIG (nothing sent) when the line would reach max_len bytes. */
int direct_send(int fd, const json_t *msg, size_t max_len, int timeout_ms);

/* Where a root manager keeps its files, each state dir's in a directory of its own. */
#define DIRECT_RUN_DIR "/run/galaxyctl"

/*
 * The files of one manager, all in dir: <state_dir>/direct/ when not
 * root; as root DIRECT_RUN_DIR/<hash>/, the hash (FNV-1a 64, 16 hex
 * digits) of the state dir's canonical path, since the state dir belongs
 * to galaxy_user, who could replace what root finds in it.
 */
struct direct_paths {
	char *dir;
	char *lock;   /* serialises galaxyctl runs */
	char *pid;    /* the manager's pid, flock'ed by it while it lives */
	char *sock;   /* the control socket */
	char *log;    /* the daemon's own log */
	char *children; /* pids of what it runs, for cleanup after a crash */
};

int direct_paths_init(struct direct_paths *p, const char *state_dir);
/*
 * p->dir (and DIRECT_RUN_DIR above it) are private directories of ours
 * (safefs.h), created when missing and create; before anything in them is
 * used.  Returns 0, or a negative errno (-ENOENT: missing) with why.
 */
int direct_paths_check(const struct direct_paths *p, bool create, char *why, size_t len);
void direct_paths_release(struct direct_paths *p);

#endif
