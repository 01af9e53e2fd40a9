/* SPDX-License-Identifier: MIT */
/*
 * Test plugin: a service module as a plugin built against ABI 1.0 is, its
 * record saying 1.0.  Type "vintage" (section vintage) runs
 * `vintage-serve --port PORT`; it uses only what 1.0 offered.
 */
#include <errno.h>

#include <galaxyctl/plugin.h>

/* gx_module has not changed since 1.0, when it had this size. */
_Static_assert(sizeof(struct gx_module) == 5 * sizeof(void *), "gx_module is not 1.0's");

static const struct gx_option tp_abi10_service_options[] = {
	{ .name = "enable", .type = GX_TYPE_BOOL, .default_value = "true", .doc = "Run it." },
	{ .name = "port", .type = GX_TYPE_INT, .default_value = "9999", .min = 1, .max = 65535,
	  .doc = "Port to listen on." },
	GX_SERVICE_COMMON_OPTIONS("10", "10"),
	{ .name = NULL },
};

static int tp_abi10_service_argv(const struct gx_host *h, const struct gx_service *svc,
				 unsigned process, struct gx_strv *argv, struct gx_error *err)
{
	const struct gx_node *section = svc->settings[process];

	if (h->strv_push(argv, "vintage-serve") < 0 || h->strv_push(argv, "--port") < 0 ||
	    h->strv_pushf(argv, "%ld", h->get_int(section, "port")) < 0)
		return h->errorf(err, NULL, -ENOMEM, "out of memory");
	return 0;
}

static const struct gx_service_type tp_abi10_vintage = {
	.name = "vintage",
	.section = "vintage",
	.doc = "An ABI 1.0 service type (test)",
	.options = tp_abi10_service_options,
	.argv = tp_abi10_service_argv,
};

static const struct gx_service_type *const tp_abi10_service_types[] = {
	&tp_abi10_vintage,
	NULL,
};

const struct gx_module gx_module = {
	.abi_major = 1,
	.abi_minor = 0,
	.size = sizeof(struct gx_module),
	.name = "tp_abi10_service",
	.services = tp_abi10_service_types,
};
