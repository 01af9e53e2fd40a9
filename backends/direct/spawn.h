/* SPDX-License-Identifier: MIT */
/* Starting one supervised process: its own process group, directory, umask, credentials, environment. */
#ifndef DIRECT_SPAWN_H
#define DIRECT_SPAWN_H

#include <stddef.h>
#include <sys/types.h>

#include "program.h"

/*
 * Fork and exec spec.  The child leads a new process group, dies with
 * SIGTERM when the manager dies, reads /dev/null, writes stdout and
 * stderr into a pipe whose read end (non-blocking) is returned in
 * *ret_out, runs in spec->cwd under spec->umask, as spec's user when
 * set_user, with exactly spec->env (PATH from there finds argv[0]).
 * Returns 0 once exec succeeded; if it failed, the child is reaped and a
 * negative errno returned with the reason in why.
 */
int direct_spawn(const struct direct_spec *spec, pid_t *ret_pid, int *ret_out, char *why,
		 size_t len);

#endif
