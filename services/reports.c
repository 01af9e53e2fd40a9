/* SPDX-License-Identifier: MIT */
/* Service type reports: the Galaxy Reports web application under Gunicorn and uvicorn. */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <galaxyctl/plugin.h>

static const struct gx_option reports_options[] = {
	{ .name = "enable", .type = GX_TYPE_BOOL, .default_value = "false",
	  .doc = "Enable Galaxy Reports server." },
	{ .name = "config_file", .type = GX_TYPE_STRING, .default_value = "reports.yml",
	  .doc = "Path to reports.yml, relative to galaxy.yml if not absolute" },
	{ .name = "bind", .type = GX_TYPE_STRING, .default_value = "localhost:9001",
	  .doc = "The socket to bind. A string of the form: ``HOST``, ``HOST:PORT``, "
		 "``unix:PATH``, ``fd://FD``. An IP is a valid HOST." },
	{ .name = "workers", .type = GX_TYPE_INT, .default_value = "1", .min = 1, .max = INT_MAX,
	  .doc = "Controls the number of Galaxy Reports application processes Gunicorn will "
		 "spawn.\n"
		 "It is not generally necessary to increase this for the low-traffic Reports "
		 "server." },
	{ .name = "timeout", .type = GX_TYPE_INT, .default_value = "300", .min = 0, .max = INT_MAX,
	  .doc = "Gunicorn workers silent for more than this many seconds are killed and "
		 "restarted.\n"
		 "Value is a positive number or 0. Setting it to 0 has the effect of infinite "
		 "timeouts by disabling timeouts for all workers entirely." },
	{ .name = "url_prefix", .type = GX_TYPE_STRING, .flags = GX_OPT_NULLABLE,
	  .doc = "URL prefix to serve from.\n"
		 "The corresponding nginx configuration is (replace <url_prefix> and <bind> "
		 "with the values from these options):\n"
		 "\n"
		 "location /<url_prefix>/ {\n"
		 "    proxy_pass http://<bind>/;\n"
		 "}\n"
		 "\n"
		 "If <bind> is a unix socket, you will need a ``:`` after the socket path but "
		 "before the trailing slash like so:\n"
		 "    proxy_pass http://unix:/run/reports.sock:/;" },
	{ .name = "extra_args", .type = GX_TYPE_STRING, .default_value = "",
	  .doc = "Extra arguments to pass to Gunicorn command line." },
	GX_SERVICE_COMMON_OPTIONS("10", "10"),
	{ .name = NULL },
};

static int reports_oom(const struct gx_host *h, struct gx_error *err)
{
	return h->errorf(err, NULL, -ENOMEM, "out of memory");
}

/* config_file made absolute against the galaxy config's directory (heap). */
static char *reports_config_path(const struct gx_host *h, const struct gx_instance *inst,
				 const struct gx_node *s)
{
	const char *file = h->get_str(s, "config_file");
	const char *galaxy = inst->galaxy_config_file ? inst->galaxy_config_file
						      : inst->config_file;
	const char *slash = galaxy ? strrchr(galaxy, '/') : NULL;
	char *path = NULL;

	if (!file || !*file)
		file = "reports.yml";
	if (file[0] == '/')
		return strdup(file);
	/* Without a galaxy config, from the working directory. */
	if (!galaxy)
		return asprintf(&path, "%s/%s", inst->working_dir, file) < 0 ? NULL : path;
	if (asprintf(&path, "%.*s/%s", slash ? (int)(slash - galaxy) : 1, slash ? galaxy : ".",
		     file) < 0)
		return NULL;
	return path;
}

/* One service "reports" when enabled; it keeps its config file's absolute path. */
static int reports_expand(const struct gx_host *h, const struct gx_instance *inst,
			  const struct gx_node *section, struct gx_expand *ctx,
			  struct gx_error *err)
{
	struct gx_service_spec spec = {
		.name = "reports",
		.count = 1,
		.settings = &section,
		.free_data = free,
	};

	if (!h->get_bool(section, "enable"))
		return 0;
	spec.data = reports_config_path(h, inst, section);
	if (!spec.data)
		return reports_oom(h, err);
	return h->add_service(ctx, &spec, err);
}

static int reports_validate(const struct gx_host *h, const struct gx_service *svc,
			    struct gx_error *err)
{
	const struct gx_node *at = h->get(svc->settings[0], "config_file");
	const char *path = svc->data;

	if (access(path, F_OK) == 0)
		return 0;
	/* A default has no location; the enable that asked for reports has one. */
	if (!at || !at->mark.file)
		at = h->get(svc->settings[0], "enable");
	return h->errorf(err, at, -EINVAL,
			 "Reports enabled but reports config file does not exist: %s", path);
}

static int reports_argv(const struct gx_host *h, const struct gx_service *svc, unsigned process,
			struct gx_strv *argv, struct gx_error *err)
{
	const struct gx_node *s = svc->settings[process];
	const char *venv = svc->instance->virtualenv;
	const char *prefix = h->get_str(s, "url_prefix");

	if ((venv ? h->strv_pushf(argv, "%s/bin/gunicorn", venv)
		  : h->strv_push(argv, "gunicorn")) < 0 ||
	    h->strv_push(argv, "galaxy.webapps.reports.fast_factory:factory()") < 0 ||
	    h->strv_push(argv, "--timeout") < 0 ||
	    h->strv_pushf(argv, "%ld", h->get_int(s, "timeout")) < 0 ||
	    h->strv_push(argv, "--pythonpath") < 0 || h->strv_push(argv, "lib") < 0 ||
	    h->strv_push(argv, "-k") < 0 || h->strv_push(argv, "uvicorn.workers.UvicornWorker") < 0 ||
	    h->strv_push(argv, "-b") < 0 || h->strv_push(argv, h->get_str(s, "bind")) < 0 ||
	    h->strv_pushf(argv, "--workers=%ld", h->get_int(s, "workers")) < 0 ||
	    h->strv_push(argv, "--config") < 0 ||
	    h->strv_push(argv, "python:galaxy.web_stack.gunicorn_config") < 0 ||
	    (prefix && *prefix &&
	     (h->strv_push(argv, "--env") < 0 ||
	      h->strv_pushf(argv, "SCRIPT_NAME=%s", prefix) < 0)))
		return reports_oom(h, err);
	return h->strv_split_option(argv, s, "extra_args", "gravity.reports.extra_args", err);
}

static int reports_env(const struct gx_host *h, const struct gx_service *svc, unsigned process,
		       struct gx_strv *env, struct gx_error *err)
{
	if (h->strv_push(env, "PYTHONPATH=lib") < 0 ||
	    h->strv_pushf(env, "GALAXY_REPORTS_CONFIG=%s", (const char *)svc->data) < 0)
		return reports_oom(h, err);
	return 0;
}

static enum gx_graceful reports_graceful(const struct gx_host *h, const struct gx_service *svc)
{
	return GX_GRACEFUL_SIGHUP;
}

static const struct gx_service_type reports_type = {
	.name = "reports",
	.section = "reports",
	.doc = "Configuration for Galaxy Reports.",
	.options = reports_options,
	.expand = reports_expand,
	.validate = reports_validate,
	.argv = reports_argv,
	.env = reports_env,
	.graceful = reports_graceful,
};

static const struct gx_service_type *const reports_types[] = {
	&reports_type,
	NULL,
};

const struct gx_module gx_module = {
	GX_MODULE_HEADER("reports"),
	.services = reports_types,
};
