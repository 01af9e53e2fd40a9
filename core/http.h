/* SPDX-License-Identifier: MIT */
/* One-shot HTTP GET over TCP or a unix socket (libcurl), for readiness checks. */
#ifndef GX_HTTP_H
#define GX_HTTP_H

#include "galaxyctl/plugin.h"

/* See gx_host.http_get in galaxyctl/plugin.h. */
int gx_http_get(const char *bind, const char *path, double timeout_s, long *ret_status,
		char **ret_body, struct gx_error *err);

#endif
