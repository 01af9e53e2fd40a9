/* SPDX-License-Identifier: MIT */
/* Test plugin: a backend module whose name (TP_BACKEND_NAME, may be NULL) is chosen at build time. */
#include "galaxyctl/plugin.h"

static int tp_backend_update(const struct gx_host *h, const struct gx_request *rq,
			     struct gx_error *err)
{
	return 0;
}

static const struct gx_backend tp_backend = {
	.name = TP_BACKEND_NAME,
	.update = tp_backend_update,
};

const struct gx_module gx_module = {
	GX_MODULE_HEADER("tp_backend"),
	.backend = &tp_backend,
};
