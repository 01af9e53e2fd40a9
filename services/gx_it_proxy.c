/* SPDX-License-Identifier: MIT */
/* Service type gx-it-proxy: the proxy in front of interactive tools (gravity.gx_it_proxy). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <galaxyctl/plugin.h>

#define GX_IT_PROXY_ADVANCED                                                          \
	"This is an advanced option that is only needed when proxying to remote "     \
	"interactive tool container that cannot be reached through the local network."

static const struct gx_option gx_it_proxy_options[] = {
	{ .name = "enable", .type = GX_TYPE_BOOL, .default_value = "false",
	  .doc = "Set to true to start gx-it-proxy" },
	{ .name = "version", .type = GX_TYPE_STRING, .default_value = ">=0.0.6",
	  .doc = "gx-it-proxy version" },
	{ .name = "ip", .type = GX_TYPE_STRING, .default_value = "localhost",
	  .doc = "Public-facing IP of the proxy" },
	{ .name = "port", .type = GX_TYPE_INT, .default_value = "4002",
	  .doc = "Public-facing port of the proxy" },
	{ .name = "sessions", .type = GX_TYPE_STRING,
	  .default_value = "database/interactivetools_map.sqlite",
	  .doc = "Database to monitor.\n"
		 "Should be set to the same value as ``interactivetools_map`` (or "
		 "``interactivetoolsproxy_map``) in the ``galaxy:`` section. This is\n"
		 "ignored if either ``interactivetools_map`` or ``interactivetoolsproxy_map`` "
		 "are set." },
	{ .name = "verbose", .type = GX_TYPE_BOOL, .default_value = "true",
	  .doc = "Include verbose messages in gx-it-proxy" },
	{ .name = "forward_ip", .type = GX_TYPE_STRING, .flags = GX_OPT_NULLABLE,
	  .doc = "Forward all requests to IP.\n" GX_IT_PROXY_ADVANCED },
	{ .name = "forward_port", .type = GX_TYPE_INT, .flags = GX_OPT_NULLABLE,
	  .doc = "Forward all requests to port.\n" GX_IT_PROXY_ADVANCED },
	{ .name = "reverse_proxy", .type = GX_TYPE_BOOL, .default_value = "false",
	  .flags = GX_OPT_NULLABLE,
	  .doc = "Rewrite location blocks with proxy port.\n" GX_IT_PROXY_ADVANCED },
	GX_SERVICE_COMMON_OPTIONS("10", "10"),
	{ 0 },
};

/* ---------------------------------------------------------------------- */
/* What the galaxy section decides */

/*
 * Would Python see this YAML value as true?  The galaxy section is not
 * validated, so any node may turn up: null, false/no/off, zero, an empty
 * string or collection are false, anything else is true.
 */
static bool gx_it_proxy_truthy(const struct gx_host *h, const struct gx_node *n)
{
	static const char *const falses[] = { "false", "False", "FALSE", "no", "No", "NO",
					      "off", "Off", "OFF", NULL };
	char *end;
	double d;

	if (h->is_null(n))
		return false;
	if (n->kind == GX_NODE_MAPPING || n->kind == GX_NODE_SEQUENCE)
		return n->n > 0;
	if (n->kind != GX_NODE_SCALAR || !n->scalar[0])
		return false;
	if (!n->plain)
		return true;
	for (const char *const *f = falses; *f; f++)
		if (strcmp(n->scalar, *f) == 0)
			return false;
	d = strtod(n->scalar, &end);
	return !(end != n->scalar && !*end && d == 0);
}

/* A string of the galaxy section, or NULL when unset, null or not a string. */
static const char *gx_it_proxy_galaxy_str(const struct gx_host *h,
					  const struct gx_instance *inst, const char *key)
{
	return inst->galaxy ? h->get_str(inst->galaxy, key) : NULL;
}

/*
 * The sessions database: Galaxy's interactivetoolsproxy_map, else its
 * interactivetools_map, else the option.  Upstream checks them in this
 * order, so interactivetoolsproxy_map wins when both are set.
 */
static const char *gx_it_proxy_sessions(const struct gx_host *h, const struct gx_service *svc,
					const struct gx_node *s)
{
	const char *keys[] = { "interactivetoolsproxy_map", "interactivetools_map" };

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const char *v = gx_it_proxy_galaxy_str(h, svc->instance, keys[i]);

		if (v && *v)
			return v;
	}
	return h->get_str(s, "sessions");
}

/*
 * --proxyPathPrefix: interactivetools_base_path as "/" or "/base/", then
 * interactivetools_prefix, then "/ep" (heap).
 */
static char *gx_it_proxy_path_prefix(const struct gx_host *h, const struct gx_instance *inst)
{
	const char *base = gx_it_proxy_galaxy_str(h, inst, "interactivetools_base_path");
	const char *prefix = gx_it_proxy_galaxy_str(h, inst, "interactivetools_prefix");
	size_t len;
	char *out;

	if (!base)
		base = "/";
	if (!prefix)
		prefix = "interactivetool";
	base += strspn(base, "/");
	len = strlen(base);
	while (len > 0 && base[len - 1] == '/')
		len--;
	if (len == 0)
		return asprintf(&out, "/%s/ep", prefix) < 0 ? NULL : out;
	return asprintf(&out, "/%.*s/%s/ep", (int)len, base, prefix) < 0 ? NULL : out;
}

static int gx_it_proxy_validate(const struct gx_host *h, const struct gx_service *svc,
				struct gx_error *err)
{
	const struct gx_instance *inst = svc->instance;
	const struct gx_node *flag = inst->galaxy ? h->get(inst->galaxy, "interactivetools_enable")
						  : NULL;

	if (gx_it_proxy_truthy(h, flag))
		return 0;
	return h->errorf(err, flag ? flag : h->get(svc->settings[0], "enable"), -EINVAL,
			 "To run gx-it-proxy you need to set interactivetools_enable in the galaxy "
			 "section of galaxy.yml");
}

/* ---------------------------------------------------------------------- */
/* Command and environment */

static int gx_it_proxy_argv(const struct gx_host *h, const struct gx_service *svc,
			    unsigned process, struct gx_strv *argv, struct gx_error *err)
{
	const struct gx_node *s = svc->settings[process];
	const char *venv = svc->instance->virtualenv;
	const char *version = h->get_str(s, "version");
	const char *ip = h->get_str(s, "ip");
	const char *sessions = gx_it_proxy_sessions(h, svc, s);
	const char *forward_ip = h->get_str(s, "forward_ip");
	long forward_port = h->get_int(s, "forward_port");
	char *prefix = gx_it_proxy_path_prefix(h, svc->instance);
	int r = prefix ? 0 : -ENOMEM;

	/* npx's shebang runs node from PATH, which has the virtualenv's bin first. */
	if (r == 0)
		r = venv ? h->strv_pushf(argv, "%s/bin/npx", venv) : h->strv_push(argv, "npx");
	if (r == 0)
		r = h->strv_pushf(argv, "@galaxyproject/gx-it-proxy@%s", version ? version : "");
	if (r == 0)
		r = h->strv_push(argv, "--ip");
	if (r == 0)
		r = h->strv_push(argv, ip ? ip : "");
	if (r == 0)
		r = h->strv_push(argv, "--port");
	if (r == 0)
		r = h->strv_pushf(argv, "%ld", h->get_int(s, "port"));
	if (r == 0)
		r = h->strv_push(argv, "--sessions");
	if (r == 0)
		r = h->strv_push(argv, sessions ? sessions : "");
	if (r == 0 && h->get_bool(s, "verbose"))
		r = h->strv_push(argv, "--verbose");
	if (r == 0 && forward_ip && *forward_ip) {
		r = h->strv_push(argv, "--forwardIP");
		if (r == 0)
			r = h->strv_push(argv, forward_ip);
	}
	if (r == 0 && forward_port) {
		r = h->strv_push(argv, "--forwardPort");
		if (r == 0)
			r = h->strv_pushf(argv, "%ld", forward_port);
	}
	if (r == 0 && h->get_bool(s, "reverse_proxy"))
		r = h->strv_push(argv, "--reverseProxy");
	if (r == 0)
		r = h->strv_push(argv, "--proxyPathPrefix");
	if (r == 0)
		r = h->strv_push(argv, prefix);
	free(prefix);
	return r < 0 ? h->errorf(err, NULL, r, "out of memory") : 0;
}

/* npx would otherwise stop to ask before installing the package. */
static int gx_it_proxy_env(const struct gx_host *h, const struct gx_service *svc,
			   unsigned process, struct gx_strv *env, struct gx_error *err)
{
	if (h->strv_push(env, "npm_config_yes=true") < 0)
		return h->errorf(err, NULL, -ENOMEM, "out of memory");
	return 0;
}

static const struct gx_service_type gx_it_proxy_type = {
	.name = "gx-it-proxy",
	.section = "gx_it_proxy",
	.doc = "Configuration for gx-it-proxy.",
	.options = gx_it_proxy_options,
	.validate = gx_it_proxy_validate,
	.argv = gx_it_proxy_argv,
	.env = gx_it_proxy_env,
};

static const struct gx_service_type *const gx_it_proxy_types[] = {
	&gx_it_proxy_type,
	NULL,
};

const struct gx_module gx_module = {
	GX_MODULE_HEADER("gx_it_proxy"),
	.services = gx_it_proxy_types,
};
