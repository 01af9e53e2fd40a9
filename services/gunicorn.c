/* SPDX-License-Identifier: MIT */
/* Service type gunicorn: Galaxy's web application under Gunicorn, one server or a list of them. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include <galaxyctl/plugin.h>

/* Gunicorn opens a control socket from this release on; Galaxy has no use for it. */
#define GUNICORN_CONTROL_SOCKET_MAJOR 25UL
#define GUNICORN_CONTROL_SOCKET_MINOR 1UL

static const struct gx_option gunicorn_options[] = {
	{ .name = "enable", .type = GX_TYPE_BOOL, .default_value = "true",
	  .doc = "Enable Galaxy gunicorn server." },
	{ .name = "bind", .type = GX_TYPE_STRING, .default_value = "localhost:8080",
	  .doc = "The socket to bind. A string of the form: ``HOST``, ``HOST:PORT``, "
		 "``unix:PATH``, ``fd://FD``. An IP is a valid HOST." },
	{ .name = "workers", .type = GX_TYPE_INT, .default_value = "1", .min = 1, .max = INT_MAX,
	  .doc = "Controls the number of Galaxy application processes Gunicorn will spawn.\n"
		 "Increased web performance can be attained by increasing this value.\n"
		 "If Gunicorn is the only application on the server, a good starting value is "
		 "the number of CPUs * 2 + 1.\n"
		 "4-12 workers should be able to handle hundreds if not thousands of requests "
		 "per second." },
	{ .name = "timeout", .type = GX_TYPE_INT, .default_value = "300", .min = 0, .max = INT_MAX,
	  .doc = "Gunicorn workers silent for more than this many seconds are killed and "
		 "restarted.\n"
		 "Value is a positive number or 0. Setting it to 0 has the effect of infinite "
		 "timeouts by disabling timeouts for all workers entirely.\n"
		 "If you disable the ``preload`` option workers need to have finished booting "
		 "within the timeout." },
	{ .name = "extra_args", .type = GX_TYPE_STRING, .default_value = "",
	  .doc = "Extra arguments to pass to Gunicorn command line." },
	{ .name = "preload", .type = GX_TYPE_BOOL, .default_value = "true",
	  .flags = GX_OPT_NULLABLE,
	  .doc = "Use Gunicorn's --preload option to fork workers after loading the Galaxy "
		 "Application.\n"
		 "Consumes less memory when multiple processes are configured. Default is "
		 "``false`` if using unicornherder, else ``true``." },
	/* The common options, with restart_timeout in upstream's place among them. */
	GX_SERVICE_PROCESS_OPTIONS("15", "65"),
	{ .name = "restart_timeout", .type = GX_TYPE_INT, .default_value = "300",
	  .doc = "Amount of time to wait for a server to become alive when performing rolling "
		 "restarts." },
	GX_SERVICE_LIMIT_OPTIONS,
	GX_SERVICE_RESTART_DELAY_OPTION, /* ours: after all of upstream's */
	{ .name = NULL },
};

static int gunicorn_oom(const struct gx_host *h, struct gx_error *err)
{
	return h->errorf(err, NULL, -ENOMEM, "out of memory");
}

/* ---------------------------------------------------------------------- */
/* Command */

static const char *gunicorn_skip_blanks(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/*
 * The version of one "==" specifier at p (after the "=="): major, and
 * minor when it is a number ("25.*" and "26" leave it unknown).
 */
static bool gunicorn_parse_version(const char *p, unsigned long *major, unsigned long *minor,
				   bool *has_minor)
{
	char *end;

	p = gunicorn_skip_blanks(p);
	if (*p == 'v' || *p == 'V')
		p++;
	if (!isdigit((unsigned char)*p))
		return false;
	*major = strtoul(p, &end, 10);
	*has_minor = end[0] == '.' && isdigit((unsigned char)end[1]);
	if (*has_minor)
		*minor = strtoul(end + 1, NULL, 10);
	return true;
}

/*
 * Does one requirements line pin gunicorn (name compared case-insensitively,
 * extras and environment markers allowed) with "==" at or above the release
 * that has the control socket?
 */
static bool gunicorn_line_pins_control_socket(const char *line)
{
	const char *p = gunicorn_skip_blanks(line);
	const char *name = p;
	const char *end;

	while (isalnum((unsigned char)*p) || (*p && strchr("-_.", *p)))
		p++;
	if (*p == '\0' || p - name != 8 || strncasecmp(name, "gunicorn", 8) != 0)
		return false;
	p = gunicorn_skip_blanks(p);
	if (*p == '[') {
		p = strchr(p, ']');
		if (!p)
			return false;
		p++;
	}
	end = p + strcspn(p, ";#");
	while (p < end) {
		const char *spec = gunicorn_skip_blanks(p);
		size_t len = strcspn(spec, ",;#");
		unsigned long major = 0, minor = 0;
		bool has_minor = false;

		if (!strncmp(spec, "==", 2) && gunicorn_parse_version(spec + 2 + (spec[2] == '='),
								      &major, &minor, &has_minor))
			return major > GUNICORN_CONTROL_SOCKET_MAJOR ||
			       (major == GUNICORN_CONTROL_SOCKET_MAJOR && has_minor &&
				minor >= GUNICORN_CONTROL_SOCKET_MINOR);
		p = spec + len + (spec[len] == ',');
	}
	return false;
}

/* Does <galaxy_root>/requirements.txt pin a gunicorn that opens a control socket? */
static bool gunicorn_wants_no_control_socket(const struct gx_instance *inst)
{
	char path[PATH_MAX];
	char *line = NULL;
	size_t size = 0;
	bool found = false;
	FILE *f;

	if (!inst->galaxy_root ||
	    snprintf(path, sizeof(path), "%s/requirements.txt", inst->galaxy_root) >=
		    (int)sizeof(path))
		return false;
	f = fopen(path, "re");
	if (!f)
		return false;
	while (!found && getline(&line, &size, f) >= 0) {
		line[strcspn(line, "\r\n")] = '\0';
		found = gunicorn_line_pins_control_socket(line);
	}
	free(line);
	fclose(f);
	return found;
}

/*
 * app_server: unicornherder (Gravity 1.0.x): the section runs as one
 * service "unicornherder", gunicorn under unicornherder, for zero-downtime
 * restarts by SIGHUP.
 */
#define GUNICORN_HERDER "unicornherder"

static bool gunicorn_herded(const struct gx_service *svc)
{
	return strcmp(svc->config_type, GUNICORN_HERDER) == 0;
}

/* preload: as set, else true, except under unicornherder, where an unset preload is false. */
static bool gunicorn_preload(const struct gx_host *h, const struct gx_service *svc,
			     const struct gx_node *s)
{
	const struct gx_node *v = h->get(s, "preload");

	/* Defaults the core filled in carry no file. */
	if (gunicorn_herded(svc) && (!v || !v->mark.file))
		return false;
	return h->get_bool(s, "preload");
}

/* The program, and for unicornherder the "--" after which gunicorn's arguments go. */
static int gunicorn_push_program(const struct gx_host *h, const struct gx_service *svc,
				 struct gx_strv *argv)
{
	const struct gx_instance *inst = svc->instance;
	const char *prog = gunicorn_herded(svc) ? GUNICORN_HERDER : "gunicorn";
	int r = inst->virtualenv ? h->strv_pushf(argv, "%s/bin/%s", inst->virtualenv, prog)
				 : h->strv_push(argv, prog);

	if (r == 0 && gunicorn_herded(svc))
		r = h->strv_push(argv, "--");
	return r;
}

static int gunicorn_expand(const struct gx_host *h, const struct gx_instance *inst,
			   const struct gx_node *section, struct gx_expand *ctx,
			   struct gx_error *err)
{
	const char *app_server = h->get_str(inst->gravity, "app_server");
	const struct gx_node *enable = h->get(section, "enable");
	struct gx_service_spec spec = {
		.name = GUNICORN_HERDER,
		.config_type = GUNICORN_HERDER,
		.count = 1,
		.settings = &section,
	};

	if (!app_server || strcmp(app_server, GUNICORN_HERDER) != 0)
		return h->expand_default(inst, section, ctx, err);
	if (section && section->kind == GX_NODE_SEQUENCE)
		return h->errorf(err, section, -EINVAL,
				 "Settings for unicornherder is a list, but lists are not allowed "
				 "for this service type");
	if (enable && !h->get_bool(section, "enable"))
		return 0;
	return h->add_service(ctx, &spec, err);
}

static int gunicorn_argv(const struct gx_host *h, const struct gx_service *svc, unsigned process,
			 struct gx_strv *argv, struct gx_error *err)
{
	const struct gx_node *s = svc->settings[process];

	if (gunicorn_push_program(h, svc, argv) < 0 ||
	    h->strv_push(argv, "galaxy.webapps.galaxy.fast_factory:factory()") < 0 ||
	    h->strv_push(argv, "--timeout") < 0 ||
	    h->strv_pushf(argv, "%ld", h->get_int(s, "timeout")) < 0 ||
	    h->strv_push(argv, "--pythonpath") < 0 || h->strv_push(argv, "lib") < 0 ||
	    h->strv_push(argv, "-k") < 0 ||
	    h->strv_push(argv, "galaxy.webapps.galaxy.workers.Worker") < 0 ||
	    h->strv_push(argv, "-b") < 0 || h->strv_push(argv, h->get_str(s, "bind")) < 0 ||
	    h->strv_pushf(argv, "--workers=%ld", h->get_int(s, "workers")) < 0 ||
	    h->strv_push(argv, "--config") < 0 ||
	    h->strv_push(argv, "python:galaxy.web_stack.gunicorn_config") < 0 ||
	    (gunicorn_preload(h, svc, s) && h->strv_push(argv, "--preload") < 0) ||
	    (gunicorn_wants_no_control_socket(svc->instance) &&
	     h->strv_push(argv, "--no-control-socket") < 0))
		return gunicorn_oom(h, err);
	return h->strv_split_option(argv, s, "extra_args", "gravity.gunicorn.extra_args", err);
}

static int gunicorn_env(const struct gx_host *h, const struct gx_service *svc, unsigned process,
			struct gx_strv *env, struct gx_error *err)
{
	const struct gx_instance *inst = svc->instance;
	const char *conf = inst->galaxy_config_file ? inst->galaxy_config_file : inst->config_file;

	/* No GALAXY_CONFIG_FILE without a config file: Galaxy's defaults. */
	if (h->strv_push(env, "PYTHONPATH=lib") < 0 ||
	    (conf && h->strv_pushf(env, "GALAXY_CONFIG_FILE=%s", conf) < 0))
		return gunicorn_oom(h, err);
	return 0;
}

/*
 * Rolling over several instances; otherwise SIGHUP, unless preloading
 * makes that useless.  unicornherder turns SIGHUP into a new gunicorn.
 */
static enum gx_graceful gunicorn_graceful(const struct gx_host *h, const struct gx_service *svc)
{
	if (gunicorn_herded(svc))
		return GX_GRACEFUL_SIGHUP;
	if (svc->count > 1)
		return GX_GRACEFUL_ROLLING;
	return gunicorn_preload(h, svc, svc->settings[0]) ? GX_GRACEFUL_DEFAULT
							  : GX_GRACEFUL_SIGHUP;
}

/* ---------------------------------------------------------------------- */
/* Readiness */

/* The quoted value of "NAME = '...'" in a line of version.py, or NULL (heap). */
static char *gunicorn_py_assignment(const char *line, const char *name)
{
	size_t len = strlen(name);
	const char *p = gunicorn_skip_blanks(line);
	const char *close;
	char quote;

	if (strncmp(p, name, len) != 0)
		return NULL;
	p = gunicorn_skip_blanks(p + len);
	if (*p != '=')
		return NULL;
	p = gunicorn_skip_blanks(p + 1);
	quote = *p;
	if (quote != '"' && quote != '\'')
		return NULL;
	close = strchr(p + 1, quote);
	return close ? strndup(p + 1, (size_t)(close - p - 1)) : NULL;
}

/*
 * Galaxy's version module, open, or NULL.  Galaxy 26.1 made version.py a
 * package; like upstream, the package is read only when version.py is absent.
 */
static FILE *gunicorn_open_version(const char *galaxy_root)
{
	static const char *const candidates[] = { "lib/galaxy/version.py",
						  "lib/galaxy/version/__init__.py" };
	char path[PATH_MAX];

	for (size_t i = 0; galaxy_root && i < sizeof(candidates) / sizeof(candidates[0]); i++) {
		FILE *f;

		if (snprintf(path, sizeof(path), "%s/%s", galaxy_root, candidates[i]) >=
		    (int)sizeof(path))
			return NULL;
		f = fopen(path, "re");
		if (f || errno != ENOENT)
			return f;
	}
	return NULL;
}

/* Galaxy's on-disk version, as its version module composes VERSION (heap; NULL: unknown). */
static char *gunicorn_disk_version(const struct gx_instance *inst)
{
	char *major = NULL, *minor = NULL, *line = NULL, *version = NULL;
	size_t size = 0;
	FILE *f = gunicorn_open_version(inst->galaxy_root);

	if (!f)
		return NULL;
	while (getline(&line, &size, f) >= 0) {
		char *v;

		if (!major && (v = gunicorn_py_assignment(line, "VERSION_MAJOR")))
			major = v;
		else if (!minor && (v = gunicorn_py_assignment(line, "VERSION_MINOR")))
			minor = v;
	}
	free(line);
	fclose(f);
	if (major && asprintf(&version, "%s%s%s", major, minor && *minor ? "." : "",
			      minor ? minor : "") < 0)
		version = NULL;
	free(major);
	free(minor);
	return version;
}

/* A JSON scalar as text (heap), or NULL. */
static char *gunicorn_json_text(const json_t *v)
{
	char *s = NULL;

	if (json_is_string(v))
		return strdup(json_string_value(v));
	if (json_is_integer(v) && asprintf(&s, "%" JSON_INTEGER_FORMAT, json_integer_value(v)) >= 0)
		return s;
	if (json_is_real(v) && asprintf(&s, "%g", json_real_value(v)) >= 0)
		return s;
	return NULL;
}

/* "major.minor" from an /api/version answer (heap), or NULL when it is not one. */
static char *gunicorn_live_version(const char *body)
{
	json_t *root = json_loads(body ? body : "", JSON_DECODE_ANY, NULL);
	char *major = gunicorn_json_text(json_object_get(root, "version_major"));
	char *minor = gunicorn_json_text(json_object_get(root, "version_minor"));
	char *version = NULL;

	if (major && asprintf(&version, "%s%s%s", major, minor ? "." : "", minor ? minor : "") < 0)
		version = NULL;
	free(major);
	free(minor);
	json_decref(root);
	return version;
}

/* <galaxy_url_prefix>/api/version, the prefix from the galaxy section without trailing '/'. */
static char *gunicorn_version_path(const struct gx_host *h, const struct gx_instance *inst)
{
	const char *prefix = inst->galaxy ? h->get_str(inst->galaxy, "galaxy_url_prefix") : NULL;
	size_t len = prefix ? strlen(prefix) : 0;
	char *path = NULL;

	while (len > 0 && prefix[len - 1] == '/')
		len--;
	if (asprintf(&path, "%s%.*s/api/version", len && prefix[0] != '/' ? "/" : "", (int)len,
		     prefix ? prefix : "") < 0)
		return NULL;
	return path;
}

static int gunicorn_ready(const struct gx_host *h, const struct gx_service *svc, unsigned process,
			  double timeout_s, struct gx_error *err)
{
	const char *bind = h->get_str(svc->settings[process], "bind");
	char *path = gunicorn_version_path(h, svc->instance);
	char *body = NULL, *live = NULL, *disk = NULL;
	struct gx_error probe = { 0 };
	long status = 0;
	int r;

	if (!path)
		return gunicorn_oom(h, err);
	r = h->http_get(bind, path, timeout_s, &status, &body, &probe);
	if (r == -ENOMEM) {
		r = gunicorn_oom(h, err);
		goto out_free;
	}
	if (r == -EINVAL) {
		h->errorf(err, NULL, r, "cannot check gunicorn on %s: %s", bind, probe.message);
		goto out_free;
	}
	if (r < 0) {
		r = h->errorf(err, NULL, -EAGAIN, "gunicorn on %s is not answering: %s", bind,
			      probe.message);
		goto out_free;
	}
	live = status == 200 ? gunicorn_live_version(body) : NULL;
	if (!live) {
		r = h->errorf(err, NULL, -EAGAIN, "gunicorn on %s answered %s with HTTP %ld%s", bind,
			      path, status, status == 200 ? " but no version_major" : "");
		goto out_free;
	}
	disk = gunicorn_disk_version(svc->instance);
	h->log(GX_LOG_INFO, "Gunicorn on %s running, version: %s (disk version: %s)", bind, live,
	       disk ? disk : "unknown");
out_free:
	free(disk);
	free(live);
	free(body);
	free(path);
	return r;
}

/* ---------------------------------------------------------------------- */

static const struct gx_service_type gunicorn_type = {
	.name = "gunicorn",
	.section = "gunicorn",
	.doc = "Configuration for Gunicorn. Can be a list to run multiple gunicorns for rolling "
	       "restarts.",
	.options = gunicorn_options,
	.list_allowed = true,
	.expand = gunicorn_expand,
	.argv = gunicorn_argv,
	.env = gunicorn_env,
	.graceful = gunicorn_graceful,
	.ready = gunicorn_ready,
};

static const struct gx_service_type *const gunicorn_types[] = {
	&gunicorn_type,
	NULL,
};

const struct gx_module gx_module = {
	GX_MODULE_HEADER("gunicorn"),
	.services = gunicorn_types,
};
