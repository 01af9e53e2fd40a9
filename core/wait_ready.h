/* SPDX-License-Identifier: MIT */
/* galaxyctl wait: is every selected process ready, by the backends' status rows? */
#ifndef GX_WAIT_READY_H
#define GX_WAIT_READY_H

#include <stdbool.h>
#include <stddef.h>

#include "galaxyctl/plugin.h"
#include "instance.h"
#include "status.h"

/*
 * Ready means RUNNING, and for a service with a readiness check (gunicorn:
 * answering /api/version on its bind) that check passing.  Returns 0 when
 * every row of st is ready, -EAGAIN when some are not (each named, with
 * why, in *not_ready: heap text, caller frees), -ECANCELED as -EAGAIN when
 * one of them is FATAL (the process manager gave up on it), -ENOMEM.
 */
int gx_wait_check(const struct gx_host *h, const struct gx_instances *insts,
		  const struct gx_status *st, char **not_ready);

#endif
