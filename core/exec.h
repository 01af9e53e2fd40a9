/* SPDX-License-Identifier: MIT */
/* galaxyctl exec: one process of a service, run in galaxyctl's place. */
#ifndef GX_EXEC_H
#define GX_EXEC_H

#include <stdbool.h>

#include "galaxyctl/plugin.h"

struct gx_exec_opts {
	bool quiet;       /* no "Working directory:" and "Executing:" lines */
	bool no_exec;     /* print them only */
	bool check_ready; /* run the readiness check once instead (exit 0 ready, 1 not) */
	bool debug;       /* say why it is not ready */
};

/*
 * Print process's working directory and command line (as upstream, on
 * stdout: they head the service's log), then chdir, make the state dir,
 * set its umask and environment and execvp it.  Returns only when it
 * did not exec: a GX_EXIT_* code (GX_EXIT_OK for no_exec and a passing
 * check_ready).
 */
int gx_exec_process(const struct gx_host *h, const struct gx_instance *inst,
		    const struct gx_service *svc, unsigned process, const struct gx_exec_opts *opts);

#endif
