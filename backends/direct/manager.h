/* SPDX-License-Identifier: MIT */
/* The direct manager: supervises programs in an event loop, controlled over a unix socket. */
#ifndef DIRECT_MANAGER_H
#define DIRECT_MANAGER_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

struct direct_manager;

struct direct_manager_opts {
	const char *state_dir; /* files under <state_dir>/direct/ */
	bool foreground;       /* also show every line of output on stdout, prefixed */
	bool quiet;            /* foreground: show only the manager's own lines (--quiet) */
};

/*
 * Take the manager's place for state_dir (its pid file lock), kill what a
 * crashed predecessor left running, and listen on the control socket.
 * Blocks the signals the loop reads.  -EEXIST when a manager already runs
 * there; other negative errnos with why filled.
 */
int direct_manager_new(const struct direct_manager_opts *opts, struct direct_manager **ret,
		       char *why, size_t len);

/*
 * Handle one request in-process, as if it came over the socket, without
 * waiting for programs to settle.  Returns the reply (new reference).
 */
json_t *direct_manager_request(struct direct_manager *m, json_t *request);

/*
 * Run until shut down (shutdown request, SIGTERM, SIGINT, or a FATAL
 * program with exit_on_fatal).  Returns 0 when every program stopped
 * within its stop_timeout and none forced the exit, 1 otherwise.
 */
int direct_manager_run(struct direct_manager *m);

/*
 * The daemon's whole life: set up, write "ok\n" (or "error: WHY\n") to
 * ready_fd and close it, run, clean up.  Returns the exit code.
 */
int direct_manager_serve(const char *state_dir, int ready_fd);

/* Remove the socket and pid file, restore the signal mask, free. */
void direct_manager_free(struct direct_manager *m);

#endif
