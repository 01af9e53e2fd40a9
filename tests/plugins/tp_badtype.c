/* SPDX-License-Identifier: MIT */
/*
 * Test plugin: a good service type followed by one that lacks a required
 * slot, chosen at build time (TP_NO_NAME, TP_NO_SECTION, TP_NO_OPTIONS or
 * TP_NO_ARGV).
 */
#include "galaxyctl/plugin.h"

#ifdef TP_NO_NAME
#define TP_NAME NULL
#else
#define TP_NAME "flawed"
#endif
#ifdef TP_NO_SECTION
#define TP_SECTION NULL
#else
#define TP_SECTION "flawed"
#endif
#ifdef TP_NO_OPTIONS
#define TP_OPTIONS NULL
#else
#define TP_OPTIONS tp_badtype_options
#endif
#ifdef TP_NO_ARGV
#define TP_ARGV NULL
#else
#define TP_ARGV tp_badtype_argv
#endif

static const struct gx_option tp_badtype_options[] = {
	{ .name = "enable", .type = GX_TYPE_BOOL },
	{ .name = NULL },
};

static int tp_badtype_argv(const struct gx_host *h, const struct gx_service *svc,
			   unsigned process, struct gx_strv *argv, struct gx_error *err)
{
	return 0;
}

static const struct gx_service_type tp_badtype_good = {
	.name = "good",
	.section = "good",
	.options = tp_badtype_options,
	.argv = tp_badtype_argv,
};

static const struct gx_service_type tp_badtype_flawed = {
	.name = TP_NAME,
	.section = TP_SECTION,
	.options = TP_OPTIONS,
	.argv = TP_ARGV,
};

static const struct gx_service_type *const tp_badtype_types[] = {
	&tp_badtype_good,
	&tp_badtype_flawed,
	NULL,
};

const struct gx_module gx_module = {
	GX_MODULE_HEADER("tp_badtype"),
	.services = tp_badtype_types,
};
