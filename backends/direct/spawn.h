/* SPDX-License-Identifier: MIT */
/* Starting one supervised process: process group, directory, umask, credentials, environment. */
#ifndef DIRECT_SPAWN_H
#define DIRECT_SPAWN_H

#include <stddef.h>
#include <sys/types.h>

#include "program.h"

/* A process direct_spawn() started. */
struct direct_child {
	pid_t pid;
	int out;          /* its stdout and stderr: the pipe's read end, non-blocking */
	int report;       /* how the exec went, for direct_spawn_check(); non-blocking */
	int cgroup_error; /* 0, or the errno of its move into the cgroup (it runs anyway) */
};

/*
 * Fork and exec spec, without waiting for the exec.  The child moves
 * into the cgroup whose cgroup.procs is open as cgroup_procs (-1: stays
 * in the manager's) before anything else, and starts whether or not that
 * worked (ret->cgroup_error says); the parent waits for that much only.
 * The child leads a new process group, dies with SIGTERM when the manager
 * dies, reads /dev/null, writes stdout and stderr into a pipe (ret->out),
 * runs in spec->cwd under spec->umask, as spec's user when set_user, with
 * exactly spec->env (PATH from there finds argv[0]).  ret->report tells
 * how the exec went.  0 with *ret filled, or a negative errno with why
 * filled when not even the fork happened.
 */
int direct_spawn(const struct direct_spec *spec, int cgroup_procs, struct direct_child *ret,
		 char *why, size_t len);

/*
 * What a report fd says: 1 once the exec succeeded, 0 while not known,
 * or the negative errno of the failure (the child then exits 127) with the
 * reason in why.
 */
int direct_spawn_check(int report_fd, const struct direct_spec *spec, char *why, size_t len);

/*
 * Fork and exec spec->ready_argv, the readiness probe: as spec's user, in
 * its directory and environment, every fd on /dev/null, in a process group
 * of its own, dying with the manager.  Its pid, or a negative errno.
 */
pid_t direct_spawn_probe(const struct direct_spec *spec);

#endif
