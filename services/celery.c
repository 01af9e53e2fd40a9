/* SPDX-License-Identifier: MIT */
/* Service types celery (task worker) and celery-beat (periodic tasks), both from gravity.celery. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>

#include <galaxyctl/plugin.h>

/* Where the beat scheduler keeps its state, inside the instance's state dir (as upstream). */
#define CELERY_BEAT_SCHEDULE "celerybeat-schedule"

static const char *const celery_loglevels[] = { "DEBUG", "INFO", "WARNING", "ERROR", NULL };

static const char *const celery_pools[] = {
	"prefork", "eventlet", "gevent", "solo", "processes", "threads", NULL,
};

/* One table for both types: the core validates the shared section with the first one. */
static const struct gx_option celery_options[] = {
	{ .name = "enable", .type = GX_TYPE_BOOL, .default_value = "true",
	  .doc = "Enable Celery distributed task queue." },
	{ .name = "enable_beat", .type = GX_TYPE_BOOL, .default_value = "true",
	  .doc = "Enable Celery Beat periodic task runner." },
	{ .name = "concurrency", .type = GX_TYPE_INT, .default_value = "2",
	  .doc = "Number of Celery Workers to start.", .min = 0, .max = (double)LONG_MAX },
	{ .name = "loglevel", .type = GX_TYPE_ENUM, .default_value = "DEBUG",
	  .doc = "Log Level to use for Celery Worker.", .allowed = celery_loglevels },
	{ .name = "queues", .type = GX_TYPE_STRING,
	  .default_value = "celery,galaxy.internal,galaxy.external", .doc = "Queues to join" },
	{ .name = "pool", .type = GX_TYPE_ENUM, .default_value = "threads",
	  .doc = "Pool implementation", .allowed = celery_pools },
	{ .name = "extra_args", .type = GX_TYPE_STRING, .default_value = "",
	  .doc = "Extra arguments to pass to Celery command line." },
	GX_SERVICE_COMMON_OPTIONS("10", "10"),
	{ 0 },
};

/* One service named after the type when the section's switch (enable or enable_beat) is on. */
static int celery_expand_if(const struct gx_host *h, const char *name, const char *key,
			    const struct gx_node *section, struct gx_expand *ctx,
			    struct gx_error *err)
{
	struct gx_service_spec spec = { .name = name, .count = 1, .settings = &section };

	if (!h->get_bool(section, key))
		return 0;
	return h->add_service(ctx, &spec, err);
}

/* "<venv>/bin/celery", or plain "celery" found on PATH when no virtualenv is set. */
static int celery_program(const struct gx_host *h, const struct gx_service *svc,
			  struct gx_strv *argv)
{
	const char *venv = svc->instance->virtualenv;

	if (venv)
		return h->strv_pushf(argv, "%s/bin/celery", venv);
	return h->strv_push(argv, "celery");
}

/* Push several words, stopping at the first failure. */
static int celery_push_all(const struct gx_host *h, struct gx_strv *argv,
			   const char *const *words)
{
	int r = 0;

	for (; r == 0 && *words; words++)
		r = h->strv_push(argv, *words);
	return r;
}

static int celery_worker_argv(const struct gx_host *h, const struct gx_service *svc,
			      unsigned process, struct gx_strv *argv, struct gx_error *err)
{
	const struct gx_node *s = svc->settings[process];
	const char *const head[] = { "--app", "galaxy.celery", "worker", NULL };
	const char *loglevel = h->get_str(s, "loglevel");
	const char *pool = h->get_str(s, "pool");
	const char *queues = h->get_str(s, "queues");
	int r;

	r = celery_program(h, svc, argv);
	if (r == 0)
		r = celery_push_all(h, argv, head);
	if (r == 0)
		r = h->strv_push(argv, "--concurrency");
	if (r == 0)
		r = h->strv_pushf(argv, "%ld", h->get_int(s, "concurrency"));
	if (r == 0) {
		const char *const opts[] = { "--loglevel", loglevel ? loglevel : "",
					     "--pool", pool ? pool : "",
					     "--queues", queues ? queues : "", NULL };

		r = celery_push_all(h, argv, opts);
	}
	if (r == 0)
		return h->strv_split_option(argv, s, "extra_args", "gravity.celery.extra_args", err);
	return h->errorf(err, NULL, r, "out of memory");
}

static int celery_beat_argv(const struct gx_host *h, const struct gx_service *svc,
			    unsigned process, struct gx_strv *argv, struct gx_error *err)
{
	const struct gx_node *s = svc->settings[process];
	const char *loglevel = h->get_str(s, "loglevel");
	const char *const words[] = { "--app", "galaxy.celery", "beat",
				      "--loglevel", loglevel ? loglevel : "", "--schedule", NULL };
	int r;

	r = celery_program(h, svc, argv);
	if (r == 0)
		r = celery_push_all(h, argv, words);
	if (r == 0)
		r = h->strv_pushf(argv, "%s/" CELERY_BEAT_SCHEDULE, svc->instance->state_dir);
	return r < 0 ? h->errorf(err, NULL, r, "out of memory") : 0;
}

/* What every Galaxy application process gets: its library path and its config file. */
static int celery_env(const struct gx_host *h, const struct gx_service *svc, unsigned process,
		      struct gx_strv *env, struct gx_error *err)
{
	const struct gx_instance *inst = svc->instance;
	const char *conf = inst->galaxy_config_file ? inst->galaxy_config_file : inst->config_file;
	int r;

	r = h->strv_push(env, "PYTHONPATH=lib");
	if (r == 0 && conf) /* none without a config file: Galaxy's defaults */
		r = h->strv_pushf(env, "GALAXY_CONFIG_FILE=%s", conf);
	return r < 0 ? h->errorf(err, NULL, r, "out of memory") : 0;
}

static int celery_worker_expand(const struct gx_host *h, const struct gx_instance *inst,
				const struct gx_node *section, struct gx_expand *ctx,
				struct gx_error *err)
{
	return celery_expand_if(h, "celery", "enable", section, ctx, err);
}

static int celery_beat_expand(const struct gx_host *h, const struct gx_instance *inst,
			      const struct gx_node *section, struct gx_expand *ctx,
			      struct gx_error *err)
{
	return celery_expand_if(h, "celery-beat", "enable_beat", section, ctx, err);
}

static const struct gx_service_type celery_worker_type = {
	.name = "celery",
	.section = "celery",
	.doc = "Configuration for Celery Processes.",
	.options = celery_options,
	.expand = celery_worker_expand,
	.argv = celery_worker_argv,
	.env = celery_env,
};

static const struct gx_service_type celery_beat_type = {
	.name = "celery-beat",
	.section = "celery",
	.doc = "Configuration for Celery Processes.",
	.options = celery_options,
	.expand = celery_beat_expand,
	.argv = celery_beat_argv,
	.env = celery_env,
};

static const struct gx_service_type *const celery_types[] = {
	&celery_worker_type,
	&celery_beat_type,
	NULL,
};

const struct gx_module gx_module = {
	GX_MODULE_HEADER("celery"),
	.services = celery_types,
};
