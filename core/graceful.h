/* SPDX-License-Identifier: MIT */
/* graceful on every backend: check (or start) everything first, then roll, SIGHUP or restart. */
#ifndef GX_GRACEFUL_H
#define GX_GRACEFUL_H

#include "galaxyctl/plugin.h"

/* How graceful restarts svc: its type's method, rolling for several processes with a ready check. */
enum gx_graceful gx_graceful_method(const struct gx_host *h, const struct gx_service *svc);

/*
 * gx_host.graceful and graceful_request (see there): rq NULL is every
 * process of svcs; else only those rq's targets name, with its
 * start_if_stopped.
 */
int gx_graceful_run(const struct gx_host *h, const struct gx_graceful_ops *ops, void *ctx,
		    const struct gx_request *rq, const struct gx_service *const *svcs, size_t n,
		    bool start_if_stopped, struct gx_error *err);

#endif
