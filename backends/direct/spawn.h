/* SPDX-License-Identifier: MIT */
/* Starting one supervised process: process group, directory, umask, credentials, environment. */
#ifndef DIRECT_SPAWN_H
#define DIRECT_SPAWN_H

#include <stddef.h>
#include <sys/types.h>

#include "program.h"

/*
 * Fork and exec spec, without waiting for the exec.  The child leads a
 * new process group, dies with SIGTERM when the manager dies, reads
 * /dev/null, writes stdout and stderr into a pipe whose read end (non-
 * blocking) is returned in *ret_out, runs in spec->cwd under spec->umask,
 * as spec's user when set_user, with exactly spec->env (PATH from there
 * finds argv[0]).  *ret_report (non-blocking) tells how the exec went:
 * see direct_spawn_check().  0, or a negative errno with why filled when
 * not even the fork happened.
 */
int direct_spawn(const struct direct_spec *spec, pid_t *ret_pid, int *ret_out, int *ret_report,
		 char *why, size_t len);

/*
 * What a report fd says: 1 once the exec succeeded, 0 while not known,
 * or the negative errno of the failure (the child then exits 127) with the
 * reason in why.
 */
int direct_spawn_check(int report_fd, const struct direct_spec *spec, char *why, size_t len);

#endif
