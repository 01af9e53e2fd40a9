/* SPDX-License-Identifier: MIT */
/* Test plugin: a well-formed service module carrying two types, alpha and beta, on section alpha. */
#include "galaxyctl/plugin.h"

static const struct gx_option tp_services_options[] = {
	{ .name = "enable", .type = GX_TYPE_BOOL, .default_value = "true", .doc = "Run it." },
	{ .name = NULL },
};

static int tp_services_argv(const struct gx_host *h, const struct gx_service *svc,
			    unsigned process, struct gx_strv *argv, struct gx_error *err)
{
	return h->strv_push(argv, svc->name);
}

static const struct gx_service_type tp_services_alpha = {
	.name = "alpha",
	.section = "alpha",
	.options = tp_services_options,
	.argv = tp_services_argv,
};

static const struct gx_service_type tp_services_beta = {
	.name = "beta",
	.section = "alpha",
	.options = tp_services_options,
	.argv = tp_services_argv,
};

static const struct gx_service_type *const tp_services_types[] = {
	&tp_services_alpha,
	&tp_services_beta,
	NULL,
};

const struct gx_module gx_module = {
	GX_MODULE_HEADER("tp_services"),
	.services = tp_services_types,
};
