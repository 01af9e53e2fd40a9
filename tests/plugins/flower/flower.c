/* SPDX-License-Identifier: MIT */
/* A third-party service plugin built outside galaxyctl's tree: Flower, the Celery monitor. */
#include <errno.h>
#include <stddef.h>

#include <galaxyctl/plugin.h>

static const struct gx_option flower_options[] = {
	{ .name = "enable", .type = GX_TYPE_BOOL, .default_value = "false",
	  .doc = "Enable Flower, the Celery monitoring web UI." },
	{ .name = "address", .type = GX_TYPE_STRING, .default_value = "localhost",
	  .doc = "Address Flower listens on." },
	{ .name = "port", .type = GX_TYPE_INT, .default_value = "5555", .min = 1, .max = 65535,
	  .doc = "Port Flower listens on." },
	{ .name = "url_prefix", .type = GX_TYPE_STRING, .flags = GX_OPT_NULLABLE,
	  .doc = "URL prefix to serve Flower from, when it runs behind a proxy." },
	{ .name = "extra_args", .type = GX_TYPE_STRING, .default_value = "",
	  .doc = "Extra arguments to pass to Flower command line." },
	GX_SERVICE_COMMON_OPTIONS("10", "10"),
	{ .name = NULL },
};

static int flower_oom(const struct gx_host *h, struct gx_error *err)
{
	return h->errorf(err, NULL, -ENOMEM, "out of memory");
}

/* celery --app galaxy.celery flower --address=A --port=P [--url_prefix=U] [extra_args] */
static int flower_argv(const struct gx_host *h, const struct gx_service *svc, unsigned process,
		       struct gx_strv *argv, struct gx_error *err)
{
	const struct gx_node *s = svc->settings[process];
	const char *venv = svc->instance->virtualenv;
	const char *prefix = h->get_str(s, "url_prefix");
	const char *extra = h->get_str(s, "extra_args");
	struct gx_error split = { 0 };
	int r;

	if ((venv ? h->strv_pushf(argv, "%s/bin/celery", venv) : h->strv_push(argv, "celery")) < 0 ||
	    h->strv_push(argv, "--app") < 0 || h->strv_push(argv, "galaxy.celery") < 0 ||
	    h->strv_push(argv, "flower") < 0 ||
	    h->strv_pushf(argv, "--address=%s", h->get_str(s, "address")) < 0 ||
	    h->strv_pushf(argv, "--port=%ld", h->get_int(s, "port")) < 0 ||
	    (prefix && *prefix && h->strv_pushf(argv, "--url_prefix=%s", prefix) < 0))
		return flower_oom(h, err);
	if (!extra || !*extra)
		return 0;
	r = h->strv_split(argv, extra, &split);
	if (r == -ENOMEM)
		return flower_oom(h, err);
	if (r < 0)
		return h->errorf(err, h->get(s, "extra_args"), r, "gravity.flower.extra_args: %s",
				 split.message);
	return 0;
}

/* Flower loads Galaxy's Celery app, so it needs what celery needs. */
static int flower_env(const struct gx_host *h, const struct gx_service *svc, unsigned process,
		      struct gx_strv *env, struct gx_error *err)
{
	const struct gx_instance *inst = svc->instance;

	if (h->strv_push(env, "PYTHONPATH=lib") < 0 ||
	    h->strv_pushf(env, "GALAXY_CONFIG_FILE=%s",
			  inst->galaxy_config_file ? inst->galaxy_config_file
						   : inst->config_file) < 0)
		return flower_oom(h, err);
	return 0;
}

static const struct gx_service_type flower_type = {
	.name = "flower",
	.section = "flower",
	.doc = "Configuration for Flower, the Celery monitor (a third-party plugin).",
	.options = flower_options,
	.argv = flower_argv,
	.env = flower_env,
};

static const struct gx_service_type *const flower_types[] = {
	&flower_type,
	NULL,
};

const struct gx_module gx_module = {
	GX_MODULE_HEADER("flower"),
	.services = flower_types,
};
