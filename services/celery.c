/* SPDX-License-Identifier: MIT */
/* Service types celery (task workers) and celery-beat (periodic tasks), both from gravity.celery. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

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
	  .doc = "Enable Celery Beat periodic task runner.\n"
		 "In a list, beat runs once, from the first entry that has it on." },
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
	{ .name = "name", .type = GX_TYPE_STRING,
	  .doc = "Name of this worker: its program and unit name, and its ``--hostname`` "
		 "(``<name>@%h``).\n"
		 "Default: ``celery``, or ``celery0``, ``celery1``, ... by position in a list." },
	GX_SERVICE_COMMON_OPTIONS("10", "10"),
	{ 0 },
};

/* The worker's name: its name option, else the type's name with the list index, if any. */
static void celery_worker_name(const struct gx_host *h, const struct gx_node *entry, long index,
			       char *buf, size_t size)
{
	const char *name = h->get_str(entry, "name");

	if (name)
		snprintf(buf, size, "%s", name);
	else if (index >= 0)
		snprintf(buf, size, "celery%ld", index);
	else
		snprintf(buf, size, "celery");
}

static int celery_add(const struct gx_host *h, const char *name, const struct gx_node *entry,
		      struct gx_expand *ctx, struct gx_error *err)
{
	struct gx_service_spec spec = { .name = name, .count = 1, .settings = &entry };

	return h->add_service(ctx, &spec, err);
}

/*
 * A worker per enabled entry.  A list never becomes one templated service
 * (use_service_instances): a template unit or a numprocs program has one
 * environment and one memory limit, and each entry has its own.
 */
static int celery_worker_expand(const struct gx_host *h, const struct gx_instance *inst,
				const struct gx_node *section, struct gx_expand *ctx,
				struct gx_error *err)
{
	char name[256];
	int r = 0;

	if (!section || section->kind != GX_NODE_SEQUENCE) {
		if (!h->get_bool(section, "enable"))
			return 0;
		celery_worker_name(h, section, -1, name, sizeof(name));
		return celery_add(h, name, section, ctx, err);
	}
	for (size_t i = 0; r == 0 && i < section->n; i++) {
		if (!h->get_bool(section->items[i], "enable"))
			continue;
		celery_worker_name(h, section->items[i], (long)i, name, sizeof(name));
		r = celery_add(h, name, section->items[i], ctx, err);
	}
	return r;
}

static int celery_second_beat(const struct gx_host *h, const struct gx_node *list, long first,
			      size_t second, struct gx_error *err)
{
	const struct gx_node *on = h->get(list->items[first], "enable_beat");

	return h->errorf(err, h->get(list->items[second], "enable_beat"), -EINVAL,
			 "gravity.celery[%zu].enable_beat: celery beat already runs from "
			 "gravity.celery[%ld]%s; only one entry may run it", second, first,
			 on && on->mark.file ? "" : " (enable_beat is true by default)");
}

/*
 * One beat, from the first entry whose enable_beat is on (it is by default).
 * A later entry that sets it on itself asks for a second beat, which would
 * run every periodic task twice: an error at that entry's enable_beat.
 */
static int celery_beat_expand(const struct gx_host *h, const struct gx_instance *inst,
			      const struct gx_node *section, struct gx_expand *ctx,
			      struct gx_error *err)
{
	long first = -1;

	if (!section || section->kind != GX_NODE_SEQUENCE)
		return h->get_bool(section, "enable_beat")
			       ? celery_add(h, "celery-beat", section, ctx, err)
			       : 0;
	for (size_t i = 0; i < section->n; i++) {
		const struct gx_node *on = h->get(section->items[i], "enable_beat");

		if (!h->get_bool(section->items[i], "enable_beat"))
			continue;
		if (first < 0) {
			first = (long)i;
			continue;
		}
		if (on && on->mark.file)
			return celery_second_beat(h, section, first, i, err);
	}
	return first < 0 ? 0 : celery_add(h, "celery-beat", section->items[first], ctx, err);
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

/* An option's key path for messages: gravity.celery.KEY, or gravity.celery[i].KEY in a list. */
static void celery_key(const struct gx_host *h, const struct gx_service *svc,
		       const struct gx_node *entry, const char *key, char *buf, size_t size)
{
	const struct gx_node *section = h->get(svc->instance->gravity, "celery");

	snprintf(buf, size, "gravity.celery.%s", key);
	for (size_t i = 0; section && section->kind == GX_NODE_SEQUENCE && i < section->n; i++)
		if (section->items[i] == entry)
			snprintf(buf, size, "gravity.celery[%zu].%s", i, key);
}

static int celery_worker_argv(const struct gx_host *h, const struct gx_service *svc,
			      unsigned process, struct gx_strv *argv, struct gx_error *err)
{
	const struct gx_node *s = svc->settings[process];
	const char *const head[] = { "--app", "galaxy.celery", "worker", NULL };
	const char *loglevel = h->get_str(s, "loglevel");
	const char *pool = h->get_str(s, "pool");
	const char *queues = h->get_str(s, "queues");
	char key[64];
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
	/* celery's own default is celery@%h: a worker called so needs no option, and today's
	 * single worker keeps its command line.  Before extra_args, so that theirs wins. */
	if (r == 0 && strcmp(svc->name, "celery") != 0)
		r = h->strv_push(argv, "--hostname");
	if (r == 0 && strcmp(svc->name, "celery") != 0)
		r = h->strv_pushf(argv, "%s@%%h", svc->name);
	if (r < 0)
		return h->errorf(err, NULL, r, "out of memory");
	celery_key(h, svc, s, "extra_args", key, sizeof(key));
	return h->strv_split_option(argv, s, "extra_args", key, err);
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

static const struct gx_service_type celery_worker_type = {
	.name = "celery",
	.section = "celery",
	.doc = "Configuration for Celery Processes. Can be a list to run several workers, each "
	       "with its own queues.",
	.options = celery_options,
	.list_allowed = true,
	.expand = celery_worker_expand,
	.argv = celery_worker_argv,
	.env = celery_env,
};

static const struct gx_service_type celery_beat_type = {
	.name = "celery-beat",
	.section = "celery",
	.doc = "Configuration for Celery Processes.",
	.options = celery_options,
	.list_allowed = true,
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
