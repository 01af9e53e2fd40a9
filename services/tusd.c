/* SPDX-License-Identifier: MIT */
/* Service type tusd: the resumable-upload server Galaxy's uploads go through (gravity.tusd). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <galaxyctl/plugin.h>

static const struct gx_option tusd_options[] = {
	{ .name = "enable", .type = GX_TYPE_BOOL, .default_value = "false",
	  .doc = "Enable tusd server.\n"
		 "If enabled, you also need to set up your proxy as outlined in "
		 "https://docs.galaxyproject.org/en/latest/admin/nginx.html"
		 "#receiving-files-via-the-tus-protocol." },
	{ .name = "tusd_path", .type = GX_TYPE_STRING, .default_value = "tusd",
	  .doc = "Path to tusd binary" },
	{ .name = "host", .type = GX_TYPE_STRING, .default_value = "localhost",
	  .doc = "Host to bind the tusd server to" },
	{ .name = "port", .type = GX_TYPE_INT, .default_value = "1080",
	  .doc = "Port to bind the tusd server to" },
	/* Required upstream, but its default section has it empty: checked only when enabled. */
	{ .name = "upload_dir", .type = GX_TYPE_STRING,
	  .doc = "Directory to store uploads in.\n"
		 "Must match ``tus_upload_store`` setting in ``galaxy:`` section." },
	{ .name = "hooks_http", .type = GX_TYPE_STRING, .default_value = "/api/upload/hooks",
	  .doc = "Value of tusd -hooks-httpd option\n"
		 "\n"
		 "the default of is suitable for using tusd for Galaxy uploads and should not be "
		 "changed unless you are using tusd for\n"
		 "other purposes such as Pulsar staging.\n"
		 "\n"
		 "The value of galaxy_infrastructure_url is automatically prepended if the option "
		 "starts with a `/`" },
	{ .name = "hooks_enabled_events", .type = GX_TYPE_STRING, .default_value = "pre-create",
	  .doc = "Comma-separated string of enabled tusd hooks.\n"
		 "\n"
		 "Leave at the default value to require authorization at upload creation time.\n"
		 "This means Galaxy's web process does not need to be running after creating the "
		 "initial\n"
		 "upload request.\n"
		 "\n"
		 "Set to empty string to disable all authorization. This means data can be "
		 "uploaded (but not processed)\n"
		 "without the Galaxy web process being available.\n"
		 "\n"
		 "You can find a list of available hooks at "
		 "https://github.com/tus/tusd/blob/master/docs/hooks.md#list-of-available-hooks." },
	{ .name = "extra_args", .type = GX_TYPE_STRING, .default_value = "",
	  .doc = "Extra arguments to pass to tusd command line." },
	GX_SERVICE_COMMON_OPTIONS("10", "10"),
	{ 0 },
};

/* ---------------------------------------------------------------------- */
/* Validation */

/* The section's key path for messages: gravity.tusd, or gravity.tusd[i] for a list item. */
static void tusd_path(const struct gx_host *h, const struct gx_service *svc,
		      const struct gx_node *s, char *buf, size_t size)
{
	const struct gx_node *section = h->get(svc->instance->gravity, "tusd");

	snprintf(buf, size, "gravity.tusd");
	for (size_t i = 0; section && section->kind == GX_NODE_SEQUENCE && i < section->n; i++)
		if (section->items[i] == s)
			snprintf(buf, size, "gravity.tusd[%zu]", i);
}

/* galaxy_infrastructure_url from the galaxy section, without trailing '/'; NULL when unset. */
static char *tusd_infrastructure_url(const struct gx_host *h, const struct gx_instance *inst)
{
	const char *url = h->get_str(inst->galaxy, "galaxy_infrastructure_url");
	size_t len = url ? strlen(url) : 0;

	while (len > 0 && url[len - 1] == '/')
		len--;
	return len ? strndup(url, len) : NULL;
}

/* The first of the nodes that has a location in a file, for error messages. */
static const struct gx_node *tusd_located(const struct gx_node *a, const struct gx_node *b,
					  const struct gx_node *c)
{
	if (a && a->mark.file)
		return a;
	if (b && b->mark.file)
		return b;
	return c;
}

/* Located at Galaxy's empty setting, else at hooks_http or enable when set in the file. */
static int tusd_url_missing(const struct gx_host *h, const struct gx_instance *inst,
			    const struct gx_node *s, struct gx_error *err)
{
	const struct gx_node *at = tusd_located(h->get(inst->galaxy, "galaxy_infrastructure_url"),
						h->get(s, "hooks_http"), h->get(s, "enable"));

	return h->errorf(err, at, -EINVAL,
			 "To run tusd you need to set galaxy_infrastructure_url in the galaxy "
			 "section of galaxy.yml");
}

/*
 * The -hooks-http URL of one process (heap): hooks_http, with Galaxy's
 * infrastructure URL in front when it is a path.
 */
static int tusd_hooks_url(const struct gx_host *h, const struct gx_service *svc,
			  const struct gx_node *s, char **ret, struct gx_error *err)
{
	const struct gx_instance *inst = svc->instance;
	const char *hooks = h->get_str(s, "hooks_http");
	char *base, *url = NULL;

	if (!hooks)
		hooks = "";
	if (hooks[0] != '/') {
		url = strdup(hooks);
	} else {
		base = tusd_infrastructure_url(h, inst);
		if (!base)
			return tusd_url_missing(h, inst, s, err);
		if (asprintf(&url, "%s%s", base, hooks) < 0)
			url = NULL;
		free(base);
	}
	if (!url)
		return h->errorf(err, NULL, -ENOMEM, "out of memory");
	*ret = url;
	return 0;
}

static int tusd_validate_one(const struct gx_host *h, const struct gx_service *svc,
			     const struct gx_node *s, struct gx_error *err)
{
	const char *dir = h->get_str(s, "upload_dir");
	char path[64], *url = NULL;
	int r;

	if (!dir) {
		tusd_path(h, svc, s, path, sizeof(path));
		return h->errorf(err, s, -EINVAL, "%s.upload_dir: required when tusd is enabled",
				 path);
	}
	r = tusd_hooks_url(h, svc, s, &url, err);
	free(url);
	return r;
}

static int tusd_validate(const struct gx_host *h, const struct gx_service *svc,
			 struct gx_error *err)
{
	int r = 0;

	for (unsigned i = 0; r == 0 && i < svc->count; i++)
		r = tusd_validate_one(h, svc, svc->settings[i], err);
	return r;
}

/* ---------------------------------------------------------------------- */
/* Command */

static int tusd_argv(const struct gx_host *h, const struct gx_service *svc, unsigned process,
		     struct gx_strv *argv, struct gx_error *err)
{
	const struct gx_node *s = svc->settings[process];
	const char *program = h->get_str(s, "tusd_path");
	const char *host = h->get_str(s, "host");
	const char *dir = h->get_str(s, "upload_dir");
	const char *events = h->get_str(s, "hooks_enabled_events");
	char *url = NULL;
	int r;

	r = tusd_hooks_url(h, svc, s, &url, err);
	if (r < 0)
		return r;
	/* tusd_path as given: a bare name is looked up on PATH, which has the venv's bin first. */
	r = h->strv_push(argv, program ? program : "tusd");
	if (r == 0)
		r = h->strv_pushf(argv, "-host=%s", host ? host : "");
	if (r == 0)
		r = h->strv_pushf(argv, "-port=%ld", h->get_int(s, "port"));
	if (r == 0)
		r = h->strv_pushf(argv, "-upload-dir=%s", dir ? dir : "");
	if (r == 0)
		r = h->strv_pushf(argv, "-hooks-http=%s", url);
	if (r == 0)
		r = h->strv_push(argv, "-hooks-http-forward-headers=X-Api-Key,Cookie");
	free(url);
	if (r == 0) {
		r = h->strv_split_option(argv, s, "extra_args", "gravity.tusd.extra_args", err);
		if (r < 0)
			return r;
	}
	if (r == 0)
		r = h->strv_push(argv, "-hooks-enabled-events");
	/* An empty value (all hooks off) stays a word of its own, as tusd expects a value. */
	if (r == 0)
		r = h->strv_push(argv, events ? events : "");
	return r < 0 ? h->errorf(err, NULL, r, "out of memory") : 0;
}

static enum gx_graceful tusd_graceful(const struct gx_host *h, const struct gx_service *svc)
{
	return GX_GRACEFUL_NONE;
}

static const struct gx_service_type tusd_type = {
	.name = "tusd",
	.section = "tusd",
	.doc = "Configuration for tusd server (https://github.com/tus/tusd).\n"
	       "The ``tusd`` binary must be installed manually and made available on PATH "
	       "(e.g in galaxy's .venv/bin directory).",
	.options = tusd_options,
	.list_allowed = true,
	.validate = tusd_validate,
	.argv = tusd_argv,
	.graceful = tusd_graceful,
};

static const struct gx_service_type *const tusd_types[] = {
	&tusd_type,
	NULL,
};

const struct gx_module gx_module = {
	GX_MODULE_HEADER("tusd"),
	.services = tusd_types,
};
