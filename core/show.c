/* SPDX-License-Identifier: MIT */
/* The list and show commands: instance tables, and an instance's config as upstream's JSON. */
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "fsutil.h"
#include "node.h"
#include "show.h"

/* The value of NAME = "..." (or '...') in a Python file, as a heap string. */
static char *show_py_assignment(const char *text, const char *name)
{
	size_t len = strlen(name);

	for (const char *line = text; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
		const char *p = line, *end;
		char quote;

		if (strncmp(p, name, len) != 0)
			continue;
		p += len;
		p += strspn(p, " \t");
		if (*p++ != '=')
			continue;
		p += strspn(p, " \t");
		quote = *p;
		if (quote != '"' && quote != '\'')
			continue;
		end = strchr(p + 1, quote);
		if (end)
			return strndup(p + 1, (size_t)(end - p - 1));
	}
	return NULL;
}

/* lib/galaxy/version.py, or since Galaxy 26.1 the package lib/galaxy/version/__init__.py. */
static int show_read_version_file(const char *galaxy_root, char **text)
{
	static const char *const candidates[] = { "lib/galaxy/version.py",
						  "lib/galaxy/version/__init__.py" };
	size_t len;

	for (size_t i = 0; i < sizeof(candidates) / sizeof(*candidates); i++) {
		char *path = gx_path_join(galaxy_root, candidates[i]);
		int r = path ? gx_read_file(path, GX_CONFIG_MAX_BYTES, text, &len, NULL) : -ENOMEM;

		free(path);
		if (r == 0)
			return 0;
	}
	return -ENOENT;
}

char *gx_galaxy_version(const char *galaxy_root)
{
	char *text = NULL, *major, *minor, *version = NULL;

	if (!galaxy_root || show_read_version_file(galaxy_root, &text) < 0)
		return NULL;
	version = show_py_assignment(text, "VERSION");
	if (!version) {
		major = show_py_assignment(text, "VERSION_MAJOR");
		minor = show_py_assignment(text, "VERSION_MINOR");
		if (major && minor && *minor) {
			if (asprintf(&version, "%s.%s", major, minor) < 0)
				version = NULL;
		} else if (major) {
			version = major;
			major = NULL;
		}
		free(major);
		free(minor);
	}
	free(text);
	return version;
}

/* Upstream 1.1+'s columns: the TYPE column left with config_type. */
void gx_show_list(const struct gx_instances *insts, bool version, FILE *out)
{
	if (insts->n == 0) {
		fputs("No configured instances\n", out);
		return;
	}
	if (version)
		fprintf(out, "%-18s  %-12s  %s\n", "INSTANCE NAME", "VERSION", "CONFIG PATH");
	else
		fprintf(out, "%-18s  %s\n", "INSTANCE NAME", "CONFIG PATH");
	for (size_t i = 0; i < insts->n; i++) {
		const struct gx_instance *inst = insts->v[i];

		if (version) {
			char *v = gx_galaxy_version(inst->galaxy_root);

			fprintf(out, "%-18s  %-12s  %s\n", inst->name, v ? v : "unknown",
				inst->config_file ? inst->config_file : "(none)");
			free(v);
		} else {
			fprintf(out, "%-18s  %s\n", inst->name,
				inst->config_file ? inst->config_file : "(none)");
		}
	}
}

/* ---------------------------------------------------------------------- */
/* JSON model */

static json_t *show_node_json(const struct gx_node *n);

static json_t *show_scalar_json(const struct gx_node *n)
{
	bool b;
	long l;
	double d;

	if (gx_node_is_null(n))
		return json_null();
	if (n->plain && gx_node_as_bool(n, &b))
		return json_boolean(b);
	if (n->plain && gx_node_as_long(n, &l))
		return json_integer(l);
	if (n->plain && gx_node_as_double(n, &d))
		return json_real(d);
	return json_string(n->scalar);
}

static json_t *show_node_json(const struct gx_node *n)
{
	json_t *j;

	if (!n || n->kind == GX_NODE_NULL || n->kind == GX_NODE_SCALAR)
		return show_scalar_json(n);
	j = n->kind == GX_NODE_MAPPING ? json_object() : json_array();
	for (size_t i = 0; j && i < n->n; i++) {
		int r = n->kind == GX_NODE_MAPPING ?
				json_object_set_new(j, n->pairs[i].key->scalar,
						    show_node_json(n->pairs[i].value)) :
				json_array_append_new(j, show_node_json(n->items[i]));

		if (r < 0) {
			json_decref(j);
			return NULL;
		}
	}
	return j;
}

static json_t *show_str(const char *s)
{
	return s ? json_string(s) : json_null();
}

/* A float setting as upstream's pydantic model dumps it (2 -> 2.0), null when unset. */
static json_t *show_float(const struct gx_node *n)
{
	double d;

	return !gx_node_is_null(n) && gx_node_as_double(n, &d) ? json_real(d) : json_null();
}

/* galaxy_infrastructure_url as upstream keeps it: a string, without its trailing '/'s. */
static json_t *show_infrastructure_url(const struct gx_node *v)
{
	const char *url = v && v->kind == GX_NODE_SCALAR && !gx_node_is_null(v) ? v->scalar : "";
	size_t len = strlen(url);

	while (len > 0 && url[len - 1] == '/')
		len--;
	return json_stringn(url, len);
}

/*
 * Upstream's app_config: the two keys it always holds, then those it
 * copies from the galaxy section only when they are set there.
 */
static json_t *show_app_config(const struct gx_instance *inst)
{
	static const char *const optional[] = {
		"interactivetools_map", "interactivetools_base_path", "interactivetools_prefix",
		"galaxy_url_prefix", NULL,
	};
	json_t *o = json_object();
	bool failed = !o;

	failed = failed || json_object_set_new(o, "galaxy_infrastructure_url",
					       show_infrastructure_url(gx_node_get(
						       inst->galaxy, "galaxy_infrastructure_url"))) < 0;
	failed = failed || json_object_set_new(o, "interactivetools_enable",
					       show_node_json(gx_node_get(
						       inst->galaxy, "interactivetools_enable"))) < 0;
	for (size_t i = 0; !failed && optional[i]; i++) {
		const struct gx_node *v = gx_node_get(inst->galaxy, optional[i]);

		if (v)
			failed = json_object_set_new(o, optional[i], show_node_json(v)) < 0;
	}
	if (failed) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *show_services(const struct gx_instance *inst)
{
	json_t *arr = json_array();

	for (size_t i = 0; arr && i < inst->n_services; i++) {
		const struct gx_service *s = inst->services[i];
		json_t *o = json_pack("{s:s, s:s, s:I, s:b}", "service_name", s->name,
				      "service_type", s->config_type, "processes",
				      (json_int_t)s->count, "service_instances", s->instances);

		if (json_array_append_new(arr, o) < 0) {
			json_decref(arr);
			return NULL;
		}
	}
	return arr;
}

/* Upstream's ConfigFile, its keys in its order; with details, our services and settings after. */
static json_t *show_instance_json(const struct gx_instance *inst, bool details)
{
	json_t *o = json_object();
	const struct gx_node *g = inst->gravity;
	struct {
		const char *key;
		json_t *value;
	} fields[] = {
		{ "app_config", show_app_config(inst) },
		{ "gravity_config_file", show_str(inst->config_file) },
		{ "galaxy_config_file", show_str(inst->galaxy_config_file) },
		{ "instance_name", show_str(inst->name) },
		{ "process_manager", show_str(inst->process_manager) },
		{ "service_command_style", show_str(inst->service_command_style) },
		{ "app_server", show_node_json(gx_node_get(g, "app_server")) },
		{ "virtualenv", show_str(inst->virtualenv) },
		{ "galaxy_root", show_str(inst->galaxy_root) },
		{ "galaxy_user", show_str(inst->galaxy_user) },
		{ "galaxy_group", show_str(inst->galaxy_group) },
		{ "umask", show_node_json(gx_node_get(g, "umask")) },
		{ "memory_limit", show_float(gx_node_get(g, "memory_limit")) },
		{ "memory_high", show_float(gx_node_get(g, "memory_high")) },
		{ "gravity_data_dir", show_str(inst->state_dir) },
		{ "log_dir", show_str(inst->log_dir) },
		{ "log_namespace", show_node_json(gx_node_get(g, "log_namespace")) },
		{ "services", details ? show_services(inst) : NULL },
		{ "settings", details ? show_node_json(g) : NULL },
	};
	size_t n = sizeof(fields) / sizeof(fields[0]) - (details ? 0 : 2);
	bool failed = !o;

	for (size_t i = 0; i < n; i++) {
		if (!fields[i].value || failed) {
			failed = true;
			json_decref(fields[i].value);
			continue;
		}
		failed = json_object_set_new(o, fields[i].key, fields[i].value) < 0;
	}
	if (failed) {
		json_decref(o);
		return NULL;
	}
	return o;
}

int gx_show_instance(const struct gx_instance *inst, bool details, FILE *out)
{
	json_t *doc = show_instance_json(inst, details);
	int r;

	if (!doc)
		return -ENOMEM;
	/* As Python's json.dumps(indent=4): ", " and ": " separators, keys in order. */
	r = json_dumpf(doc, out, JSON_INDENT(4) | JSON_PRESERVE_ORDER) < 0 ? -EIO : 0;
	if (r == 0)
		fputc('\n', out);
	json_decref(doc);
	return r;
}
