/* SPDX-License-Identifier: MIT */
/* The list and show commands: instance tables and effective config as YAML or JSON. */
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

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

char *gx_galaxy_version(const char *galaxy_root)
{
	char *path = galaxy_root ? gx_path_join(galaxy_root, "lib/galaxy/version.py") : NULL;
	char *text = NULL, *major, *minor, *version = NULL;
	size_t len;

	if (!path || gx_read_file(path, GX_CONFIG_MAX_BYTES, &text, &len, NULL) < 0) {
		free(path);
		return NULL;
	}
	free(path);
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
				inst->config_file);
			free(v);
		} else {
			fprintf(out, "%-18s  %s\n", inst->name, inst->config_file);
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

/* The galaxy settings the services read, as upstream's app_config. */
static json_t *show_app_config(const struct gx_instance *inst)
{
	static const char *const keys[] = {
		"galaxy_infrastructure_url", "interactivetools_enable", "interactivetools_map",
		"interactivetoolsproxy_map", "interactivetools_base_path", "interactivetools_prefix",
		"galaxy_url_prefix", NULL,
	};
	json_t *o = json_object();

	for (size_t i = 0; o && keys[i]; i++) {
		const struct gx_node *v = gx_node_get(inst->galaxy, keys[i]);

		if (v && json_object_set_new(o, keys[i], show_node_json(v)) < 0) {
			json_decref(o);
			return NULL;
		}
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

static json_t *show_instance_json(const struct gx_instance *inst)
{
	json_t *o = json_object();
	const struct gx_node *g = inst->gravity;
	struct {
		const char *key;
		json_t *value;
	} fields[] = {
		{ "instance_name", show_str(inst->name) },
		{ "gravity_config_file", show_str(inst->config_file) },
		{ "galaxy_config_file", show_str(inst->galaxy_config_file) },
		{ "process_manager", show_str(inst->process_manager) },
		{ "service_command_style", show_str(inst->service_command_style) },
		{ "use_service_instances", json_boolean(inst->use_service_instances) },
		{ "app_server", show_node_json(gx_node_get(g, "app_server")) },
		{ "virtualenv", show_str(inst->virtualenv) },
		{ "galaxy_root", show_str(inst->galaxy_root) },
		{ "galaxy_user", show_str(inst->galaxy_user) },
		{ "galaxy_group", show_str(inst->galaxy_group) },
		{ "umask", show_node_json(gx_node_get(g, "umask")) },
		{ "memory_limit", show_node_json(gx_node_get(g, "memory_limit")) },
		{ "memory_high", show_node_json(gx_node_get(g, "memory_high")) },
		{ "gravity_data_dir", show_str(inst->state_dir) },
		{ "log_dir", show_str(inst->log_dir) },
		{ "log_namespace", show_node_json(gx_node_get(g, "log_namespace")) },
		{ "app_config", show_app_config(inst) },
		{ "services", show_services(inst) },
		{ "settings", show_node_json(g) },
	};
	bool failed = !o;

	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
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

/* ---------------------------------------------------------------------- */
/* YAML rendering of the JSON model */

static int show_yaml_write(void *data, unsigned char *buffer, size_t size)
{
	return fwrite(buffer, 1, size, data) == size;
}

/* Would this text read back as something other than a string if left unquoted? */
static bool show_needs_quotes(const char *text)
{
	struct gx_node n = { .kind = GX_NODE_SCALAR, .scalar = (char *)text, .plain = true };
	bool b;
	long l;
	double d;

	return gx_node_is_null(&n) || gx_node_as_bool(&n, &b) || gx_node_as_long(&n, &l) ||
	       gx_node_as_double(&n, &d);
}

static int show_emit_scalar(yaml_emitter_t *em, const char *text, bool string)
{
	yaml_event_t ev;
	bool plain_ok = !string || !show_needs_quotes(text);

	if (!yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)text, (int)strlen(text),
					  plain_ok, !plain_ok || string, YAML_ANY_SCALAR_STYLE))
		return -ENOMEM;
	return yaml_emitter_emit(em, &ev) ? 0 : -EIO;
}

/* YAML 1.1 floats need a '.': "2" and "1e+09" would read back as an int and a string. */
static void show_float_dot(char *buf, size_t size)
{
	char *e = strpbrk(buf, "eE");
	size_t len = strlen(buf);

	if (strchr(buf, '.') || strchr(buf, 'n') || len + 3 > size)
		return;
	if (!e) {
		strcat(buf, ".0");
		return;
	}
	memmove(e + 2, e, strlen(e) + 1);
	e[0] = '.';
	e[1] = '0';
}

static int show_emit(yaml_emitter_t *em, json_t *j)
{
	yaml_event_t ev;
	char buf[64];
	int r = 0;

	switch (json_typeof(j)) {
	case JSON_OBJECT: {
		const char *key;
		json_t *value;

		yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_MAPPING_STYLE);
		if (!yaml_emitter_emit(em, &ev))
			return -EIO;
		json_object_foreach(j, key, value) {
			r = show_emit_scalar(em, key, true);
			if (r == 0)
				r = show_emit(em, value);
			if (r < 0)
				return r;
		}
		yaml_mapping_end_event_initialize(&ev);
		return yaml_emitter_emit(em, &ev) ? 0 : -EIO;
	}
	case JSON_ARRAY: {
		size_t i;
		json_t *value;

		yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1,
						     json_array_size(j) ? YAML_BLOCK_SEQUENCE_STYLE
									: YAML_FLOW_SEQUENCE_STYLE);
		if (!yaml_emitter_emit(em, &ev))
			return -EIO;
		json_array_foreach(j, i, value) {
			r = show_emit(em, value);
			if (r < 0)
				return r;
		}
		yaml_sequence_end_event_initialize(&ev);
		return yaml_emitter_emit(em, &ev) ? 0 : -EIO;
	}
	case JSON_STRING:
		return show_emit_scalar(em, json_string_value(j), true);
	case JSON_INTEGER:
		snprintf(buf, sizeof(buf), "%" JSON_INTEGER_FORMAT, json_integer_value(j));
		return show_emit_scalar(em, buf, false);
	case JSON_REAL:
		snprintf(buf, sizeof(buf), "%.17g", json_real_value(j));
		for (int p = 1; p < 17; p++) {
			char shorter[64];

			snprintf(shorter, sizeof(shorter), "%.*g", p, json_real_value(j));
			if (strtod(shorter, NULL) == json_real_value(j)) {
				memcpy(buf, shorter, sizeof(shorter));
				break;
			}
		}
		show_float_dot(buf, sizeof(buf));
		return show_emit_scalar(em, buf, false);
	case JSON_TRUE:
	case JSON_FALSE:
		return show_emit_scalar(em, json_is_true(j) ? "true" : "false", false);
	case JSON_NULL:
	default:
		return show_emit_scalar(em, "null", false);
	}
}

static int show_yaml(json_t *doc, FILE *out)
{
	yaml_emitter_t em;
	yaml_event_t ev;
	int r = -EIO;

	if (!yaml_emitter_initialize(&em))
		return -ENOMEM;
	yaml_emitter_set_output(&em, show_yaml_write, out);
	yaml_emitter_set_unicode(&em, 1);
	yaml_emitter_set_width(&em, -1);
	yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING);
	if (!yaml_emitter_emit(&em, &ev))
		goto out_delete;
	yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1);
	if (!yaml_emitter_emit(&em, &ev))
		goto out_delete;
	r = show_emit(&em, doc);
	if (r < 0)
		goto out_delete;
	r = -EIO;
	yaml_document_end_event_initialize(&ev, 1);
	if (!yaml_emitter_emit(&em, &ev))
		goto out_delete;
	yaml_stream_end_event_initialize(&ev);
	if (yaml_emitter_emit(&em, &ev) && yaml_emitter_flush(&em))
		r = 0;
out_delete:
	yaml_emitter_delete(&em);
	return r;
}

int gx_show_instance(const struct gx_instance *inst, bool json, FILE *out)
{
	json_t *doc = show_instance_json(inst);
	int r;

	if (!doc)
		return -ENOMEM;
	if (json) {
		r = json_dumpf(doc, out, JSON_INDENT(4) | JSON_PRESERVE_ORDER) < 0 ? -EIO : 0;
		if (r == 0)
			fputc('\n', out);
	} else {
		r = show_yaml(doc, out);
	}
	json_decref(doc);
	return r;
}
