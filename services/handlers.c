/* SPDX-License-Identifier: MIT */
/* Service type "standalone": Galaxy job handlers, static (job config) and dynamic (gravity.handlers). */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <galaxyctl/plugin.h>

#include "handlers/jobconf_xml.h"

#define HANDLERS_DEFAULT_TEMPLATE "{name}_{process}"

/* Looked for beside galaxy.yml when job_config_file is unset, in this order. */
static const char *const handlers_default_job_confs[] = { "job_conf.yml", "job_conf.xml", NULL };

static const char handlers_assign_warning[] =
	"Dynamic handlers are configured in Gravity but Galaxy is not configured to assign jobs to "
	"handlers dynamically, so these handlers will not handle jobs. Set the job handler "
	"assignment method in the Galaxy job configuration to `db-skip-locked` or "
	"`db-transaction-isolation` to fix this.";

/* What a handler service keeps: each process's server name. */
struct handlers_data {
	unsigned count;
	char **server_names; /* count entries */
};

/* A handler the job config defines. */
struct handlers_static {
	char *id;
	const struct gx_node *env; /* its environment: mapping of scalars, borrowed; NULL: none */
};

/* What the job config says about handlers. */
struct handlers_jobconf {
	bool dynamic_assign; /* assigns with db-skip-locked or db-transaction-isolation */
	struct handlers_static *v;
	size_t n;
	char *path;             /* the file read, NULL for the inline job_config */
	struct gx_yaml_doc *doc; /* the YAML file read, NULL for XML and inline */
};

struct handlers_xml_ctx {
	const struct gx_host *h;
	struct handlers_jobconf *jc;
};

/* One dynamic handler service after expansion, in upstream's dict order. */
struct handlers_dynamic {
	char *name;
	const struct gx_node *settings;
	bool list; /* one service with count service instances */
	unsigned count;
	char **server_names; /* count entries */
};

struct handlers_dynamics {
	struct handlers_dynamic *v;
	size_t n;
};

static const struct gx_option handlers_options[] = {
	{ .name = "processes", .type = GX_TYPE_INT, .default_value = "1", .min = 1, .max = 1e6,
	  .doc = "Number of handler processes to run from this handler definition." },
	{ .name = "pools", .type = GX_TYPE_STRLIST,
	  .doc = "Handler pools the processes attach to (each is passed as "
		 "``--attach-to-pool``), e.g. ``job-handlers`` and ``workflow-schedulers``." },
	{ .name = "name_template", .type = GX_TYPE_STRING, .flags = GX_OPT_NULLABLE,
	  .doc = "Server name of each process, formatted with ``{name}`` (the handler's name), "
		 "``{process}`` (the process number, from 0) and ``{instance_name}``.\n"
		 "Defaults to ``{name}_{process}``, or to the name alone for a single process "
		 "whose name ends in a digit." },
	GX_SERVICE_COMMON_OPTIONS("20", "65"),
	GX_SERVICE_RESTART_DELAY_OPTION,
	{ 0 },
};

/* ---------------------------------------------------------------------- */
/* Small helpers */

static void handlers_strings_free(char **v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		free(v[i]);
	free(v);
}

static void handlers_data_free(void *data)
{
	struct handlers_data *d = data;

	if (!d)
		return;
	handlers_strings_free(d->server_names, d->count);
	free(d);
}

/* Is the node a YAML null (absent, ~, null, empty plain scalar)? */
static bool handlers_is_null(const struct gx_node *n)
{
	if (!n || n->kind == GX_NODE_NULL)
		return true;
	if (n->kind != GX_NODE_SCALAR || !n->plain)
		return false;
	return !*n->scalar || strcmp(n->scalar, "~") == 0 || strcmp(n->scalar, "null") == 0 ||
	       strcmp(n->scalar, "Null") == 0 || strcmp(n->scalar, "NULL") == 0;
}

/* The value of key in a mapping (the last one wins, as in Python's YAML), or NULL. */
static const struct gx_node *handlers_map_get(const struct gx_node *map, const char *key)
{
	const struct gx_node *found = NULL;

	if (!map || map->kind != GX_NODE_MAPPING)
		return NULL;
	for (size_t i = 0; i < map->n; i++)
		if (map->pairs[i].key->kind == GX_NODE_SCALAR &&
		    strcmp(map->pairs[i].key->scalar, key) == 0)
			found = map->pairs[i].value;
	return found;
}

static bool handlers_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

static bool handlers_has_suffix(const char *s, const char *suffix)
{
	size_t ls = strlen(s), lx = strlen(suffix);

	return ls >= lx && strcmp(s + ls - lx, suffix) == 0;
}

/* path made absolute against dir, with "." and ".." resolved textually (heap). */
static char *handlers_path_abs(const char *path, const char *dir)
{
	size_t cap = strlen(path) + strlen(dir) + 3, len = 0;
	char *out = malloc(cap), *copy;
	char *save = NULL;

	if (!out)
		return NULL;
	copy = path[0] == '/' ? strdup(path) : NULL;
	if (!copy && path[0] != '/' && asprintf(&copy, "%s/%s", dir, path) < 0)
		copy = NULL;
	if (!copy) {
		free(out);
		return NULL;
	}
	for (char *part = strtok_r(copy, "/", &save); part; part = strtok_r(NULL, "/", &save)) {
		if (strcmp(part, ".") == 0)
			continue;
		if (strcmp(part, "..") == 0) {
			while (len > 0 && out[len - 1] != '/')
				len--;
			if (len > 0)
				len--;
			continue;
		}
		out[len++] = '/';
		memcpy(out + len, part, strlen(part));
		len += strlen(part);
	}
	if (len == 0)
		out[len++] = '/';
	out[len] = '\0';
	free(copy);
	return out;
}

/* The galaxy config file, as upstream's {galaxy_conf}: the gravity file when there is none;
 * NULL when galaxyctl runs on defaults, without a config file. */
static const char *handlers_galaxy_conf(const struct gx_instance *inst)
{
	return inst->galaxy_config_file ? inst->galaxy_config_file : inst->config_file;
}

/* ---------------------------------------------------------------------- */
/* Job config: handlers and their assignment method */

static void handlers_jobconf_release(const struct gx_host *h, struct handlers_jobconf *jc)
{
	for (size_t i = 0; i < jc->n; i++) {
		free(jc->v[i].id);
	}
	free(jc->v);
	if (jc->doc)
		h->yaml_free(jc->doc);
	free(jc->path);
	memset(jc, 0, sizeof(*jc));
}

/*
 * Add handler id.  A second definition of one id replaces the first
 * (YAML mapping keys) or is dropped with a warning (XML elements).
 */
static struct handlers_static *handlers_static_add(const struct gx_host *h,
						   struct handlers_jobconf *jc, const char *id,
						   bool replace, int *ret_code)
{
	struct handlers_static *grown;

	*ret_code = 0;
	for (size_t i = 0; i < jc->n; i++) {
		if (strcmp(jc->v[i].id, id) != 0)
			continue;
		if (!replace) {
			h->log(GX_LOG_WARNING, "Duplicate handler id in job config %s: %s",
			       jc->path ? jc->path : "job_config", id);
			return NULL;
		}
		jc->v[i].env = NULL;
		return &jc->v[i];
	}
	grown = realloc(jc->v, (jc->n + 1) * sizeof(*grown));
	if (!grown) {
		*ret_code = -ENOMEM;
		return NULL;
	}
	jc->v = grown;
	grown[jc->n] = (struct handlers_static){ .id = strdup(id) };
	if (!grown[jc->n].id) {
		*ret_code = -ENOMEM;
		return NULL;
	}
	return &jc->v[jc->n++];
}

/* Python's `value in assign` for the assign: node (a list, a string or a mapping). */
static bool handlers_assign_has(const struct gx_node *assign, const char *value)
{
	if (handlers_is_null(assign))
		return false;
	if (assign->kind == GX_NODE_SCALAR)
		return strstr(assign->scalar, value) != NULL;
	for (size_t i = 0; i < assign->n; i++) {
		const struct gx_node *item = assign->kind == GX_NODE_SEQUENCE ? assign->items[i]
									 : assign->pairs[i].key;

		if (item->kind == GX_NODE_SCALAR && strcmp(item->scalar, value) == 0)
			return true;
	}
	return false;
}

/* One handler of handling.processes: its environment. */
static int handlers_dict_handler(const struct gx_host *h, struct handlers_jobconf *jc,
				 const struct gx_pair *pair, struct gx_error *err)
{
	const struct gx_node *opts = pair->value, *env;
	struct handlers_static *s;
	int r;

	if (!handlers_is_null(opts) && opts->kind != GX_NODE_MAPPING)
		return h->errorf(err, opts, -EINVAL,
				 "handling.processes.%s: expected a mapping, got a %s",
				 pair->key->scalar,
				 opts->kind == GX_NODE_SEQUENCE ? "sequence" : "scalar");
	env = handlers_map_get(opts, "environment");
	if (!handlers_is_null(env) && env->kind != GX_NODE_MAPPING)
		return h->errorf(err, env, -EINVAL,
				 "handling.processes.%s.environment: expected a mapping",
				 pair->key->scalar);
	s = handlers_static_add(h, jc, pair->key->scalar, true, &r);
	if (!s)
		return r < 0 ? h->errorf(err, NULL, r, "out of memory") : 0;
	for (size_t i = 0; !handlers_is_null(env) && i < env->n; i++) {
		const struct gx_node *v = env->pairs[i].value;

		if (!handlers_is_null(v) && v->kind != GX_NODE_SCALAR)
			return h->errorf(err, v, -EINVAL,
					 "handling.processes.%s.environment.%s: expected a string",
					 pair->key->scalar, env->pairs[i].key->scalar);
	}
	s->env = handlers_is_null(env) ? NULL : env;
	return 0;
}

/* The handling: section of a job config as a mapping (job_conf.yml or the inline job_config). */
static int handlers_read_handling(const struct gx_host *h, const struct gx_node *handling,
				  struct handlers_jobconf *jc, struct gx_error *err)
{
	const struct gx_node *assign, *processes;

	if (handlers_is_null(handling))
		return 0;
	if (handling->kind != GX_NODE_MAPPING)
		return h->errorf(err, handling, -EINVAL, "handling: expected a mapping");
	assign = handlers_map_get(handling, "assign");
	jc->dynamic_assign = handlers_assign_has(assign, "db-skip-locked") ||
			     handlers_assign_has(assign, "db-transaction-isolation");
	processes = handlers_map_get(handling, "processes");
	if (handlers_is_null(processes))
		return 0;
	if (processes->kind != GX_NODE_MAPPING)
		return h->errorf(err, processes, -EINVAL, "handling.processes: expected a mapping");
	for (size_t i = 0; i < processes->n; i++) {
		int r = handlers_dict_handler(h, jc, &processes->pairs[i], err);

		if (r < 0)
			return r;
	}
	return 0;
}

/* job_conf.xml's handlers: a repeated id is dropped with a warning. */
static int handlers_xml_add(void *ctx, const char *id)
{
	struct handlers_xml_ctx *x = ctx;
	int r;

	handlers_static_add(x->h, x->jc, id, false, &r);
	return r;
}

static int handlers_read_xml(const struct gx_host *h, struct handlers_jobconf *jc,
			     struct gx_error *err)
{
	struct handlers_xml_ctx x = { h, jc };

	return handlers_xml_read(h, jc->path, &jc->dynamic_assign, handlers_xml_add, &x, err);
}

/*
 * Which job config applies, as upstream decides: the inline job_config
 * when job_config_file is unset, else job_config_file (relative to the
 * galaxy config's directory), else job_conf.yml or job_conf.xml beside it.
 * *ret_inline or jc->path is set; neither when there is none.  A
 * job_config_file that does not exist is an error at the option: upstream
 * fails on it too (a traceback), where we would run no static handlers.
 */
static int handlers_jobconf_find(const struct gx_host *h, const struct gx_instance *inst,
				 struct handlers_jobconf *jc, const struct gx_node **ret_inline,
				 struct gx_error *err)
{
	const struct gx_node *file = h->get(inst->galaxy, "job_config_file");
	const struct gx_node *inline_conf = h->get(inst->galaxy, "job_config");
	const char *conf = handlers_galaxy_conf(inst);
	char *dir, *slash;
	int r = 0;

	if (!conf)
		return 0; /* no config, no job config beside it */
	dir = strdup(conf);
	if (!dir)
		return h->errorf(err, NULL, -ENOMEM, "out of memory");
	slash = strrchr(dir, '/');
	if (slash)
		*(slash == dir ? slash + 1 : slash) = '\0';
	if (!h->is_null(file) && (file->kind != GX_NODE_SCALAR)) {
		free(dir);
		return h->errorf(err, file, -EINVAL, "galaxy.job_config_file: expected a path");
	}
	if ((h->is_null(file) || !*file->scalar) && inline_conf &&
	    inline_conf->kind == GX_NODE_MAPPING && inline_conf->n > 0) {
		*ret_inline = inline_conf;
	} else if (h->is_null(file) || !*file->scalar) {
		for (size_t i = 0; !jc->path && handlers_default_job_confs[i]; i++) {
			char *path = handlers_path_abs(handlers_default_job_confs[i], dir);

			if (!path) {
				free(dir);
				return h->errorf(err, NULL, -ENOMEM, "out of memory");
			}
			if (handlers_exists(path))
				jc->path = path;
			else
				free(path);
		}
	} else {
		jc->path = handlers_path_abs(file->scalar, dir);
		if (!jc->path) {
			free(dir);
			return h->errorf(err, NULL, -ENOMEM, "out of memory");
		}
		if (!handlers_exists(jc->path)) {
			r = h->errorf(err, file, -ENOENT,
				      "galaxy.job_config_file: %s does not exist", jc->path);
			free(jc->path);
			jc->path = NULL;
		}
	}
	free(dir);
	return r;
}

/* A YAML error at a place in the file says which file failed to parse; read errors say it already. */
static int handlers_yaml_failed(const struct gx_host *h, const char *path, int r,
				struct gx_error *err)
{
	struct gx_node at = { .mark = { .file = path, .line = err->line, .column = err->column } };

	if (!err->line)
		return r;
	return h->errorf(err, &at, r, "Failed to parse job config file %s: %s", path, err->message);
}

/* Read the job config that applies, if any, into jc. */
static int handlers_jobconf_read(const struct gx_host *h, const struct gx_instance *inst,
				 struct handlers_jobconf *jc, struct gx_error *err)
{
	const struct gx_node *inline_conf = NULL, *root;
	int r = handlers_jobconf_find(h, inst, jc, &inline_conf, err);

	if (r < 0)
		return r;
	if (inline_conf)
		return handlers_read_handling(h, handlers_map_get(inline_conf, "handling"), jc, err);
	if (!jc->path)
		return 0;
	if (handlers_has_suffix(jc->path, ".xml"))
		return handlers_read_xml(h, jc, err);
	if (!handlers_has_suffix(jc->path, ".yml") && !handlers_has_suffix(jc->path, ".yaml"))
		return h->errorf(err, h->get(inst->galaxy, "job_config_file"), -EINVAL,
				 "Unknown job config file type: %s", jc->path);
	r = h->yaml_load(jc->path, &jc->doc, &root, err);
	if (r < 0)
		return handlers_yaml_failed(h, jc->path, r, err);
	/* Its handling: section; none, or a file that is no mapping, means no handlers, as upstream. */
	return handlers_read_handling(h, handlers_map_get(root, "handling"), jc, err);
}

/* ---------------------------------------------------------------------- */
/* Dynamic handlers: gravity.handlers expanded as upstream does */

/* Append one replacement field of a name_template to f. */
static int handlers_format_field(const struct gx_host *h, const struct gx_node *at,
				 const char *field, const char *name, unsigned process,
				 const char *instance_name, FILE *f, struct gx_error *err)
{
	const char *colon = strchr(field, ':');
	size_t flen = colon ? (size_t)(colon - field) : strlen(field);
	const char *spec = colon ? colon + 1 : "";
	bool zero = spec[0] == '0';
	const char *type = spec + zero;
	int width = 0;
	bool is_process = flen == 7 && strncmp(field, "process", 7) == 0;
	const char *value = NULL;

	for (; isdigit((unsigned char)*type) && width <= 256; type++)
		width = width * 10 + (*type - '0');
	if (flen == 4 && strncmp(field, "name", 4) == 0)
		value = name;
	else if (flen == 13 && strncmp(field, "instance_name", 13) == 0)
		value = instance_name;
	else if (!is_process)
		return h->errorf(err, at, -EINVAL,
				 "name_template: unknown field {%s}; use {name}, {process} or "
				 "{instance_name}", field);
	if (strlen(type) > 1 || (*type && *type != (is_process ? 'd' : 's')) ||
	    (zero && !is_process) || width > 256)
		return h->errorf(err, at, -EINVAL, "name_template: unsupported format spec in {%s}",
				 field);
	if (is_process)
		fprintf(f, zero ? "%0*u" : "%*u", width, process);
	else
		fprintf(f, "%-*s", width, value);
	return 0;
}

/* Python's str.format() of tmpl with {name}, {process} and {instance_name} (heap). */
static int handlers_format(const struct gx_host *h, const struct gx_node *at, const char *tmpl,
			   const char *name, unsigned process, const char *instance_name,
			   char **ret, struct gx_error *err)
{
	char *buf = NULL, *field;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int r = 0;

	if (!f)
		return h->errorf(err, NULL, -ENOMEM, "out of memory");
	for (const char *p = tmpl; r == 0 && *p;) {
		const char *end;

		if ((p[0] == '{' && p[1] == '{') || (p[0] == '}' && p[1] == '}')) {
			fputc(*p, f);
			p += 2;
		} else if (*p == '}') {
			r = h->errorf(err, at, -EINVAL,
				      "name_template: single '}' encountered in format string");
		} else if (*p != '{') {
			fputc(*p++, f);
		} else if (!(end = strchr(p, '}'))) {
			r = h->errorf(err, at, -EINVAL,
				      "name_template: single '{' encountered in format string");
		} else {
			field = strndup(p + 1, (size_t)(end - p - 1));
			r = field ? handlers_format_field(h, at, field, name, process,
							  instance_name, f, err)
				  : h->errorf(err, NULL, -ENOMEM, "out of memory");
			free(field);
			p = end + 1;
		}
	}
	if (fclose(f) != 0 && r == 0)
		r = h->errorf(err, NULL, -ENOMEM, "out of memory");
	if (r < 0) {
		free(buf);
		return r;
	}
	*ret = buf;
	return 0;
}

static void handlers_dynamics_release(struct handlers_dynamics *dyn)
{
	for (size_t i = 0; i < dyn->n; i++) {
		free(dyn->v[i].name);
		handlers_strings_free(dyn->v[i].server_names, dyn->v[i].count);
	}
	free(dyn->v);
	memset(dyn, 0, sizeof(*dyn));
}

static struct handlers_dynamic *handlers_dynamic_find(struct handlers_dynamics *dyn,
						      const char *name)
{
	for (size_t i = 0; i < dyn->n; i++)
		if (strcmp(dyn->v[i].name, name) == 0)
			return &dyn->v[i];
	return NULL;
}

/* Set entry name (a Python dict assignment: an existing one keeps its place). Takes names. */
static int handlers_dynamic_set(struct handlers_dynamics *dyn, const char *name,
				const struct gx_node *settings, bool list, unsigned count,
				char **server_names)
{
	struct handlers_dynamic *d = handlers_dynamic_find(dyn, name), *grown;

	if (!d) {
		grown = realloc(dyn->v, (dyn->n + 1) * sizeof(*grown));
		if (grown)
			dyn->v = grown;
		d = grown ? &grown[dyn->n] : NULL;
		if (d) {
			*d = (struct handlers_dynamic){ .name = strdup(name) };
			if (!d->name)
				d = NULL;
			else
				dyn->n++;
		}
		if (!d) {
			handlers_strings_free(server_names, count);
			return -ENOMEM;
		}
	} else {
		handlers_strings_free(d->server_names, d->count);
	}
	d->settings = settings;
	d->list = list;
	d->count = count;
	d->server_names = server_names;
	return 0;
}

/* A one-entry vector holding a copy of s, or NULL. */
static char **handlers_names_one(const char *s)
{
	char **v = calloc(1, sizeof(*v));

	if (v && !(v[0] = strdup(s))) {
		free(v);
		v = NULL;
	}
	return v;
}

/* Expand one gravity.handlers entry into dyn. */
static int handlers_expand_one(const struct gx_host *h, const struct gx_instance *inst,
			       const char *name, const struct gx_node *cfg,
			       struct handlers_dynamics *dyn, struct gx_error *err)
{
	const struct gx_node *tmpl_node = h->get(cfg, "name_template");
	const char *tmpl = h->get_str(cfg, "name_template");
	long processes = h->get_int(cfg, "processes");
	unsigned count = processes > 0 ? (unsigned)processes : 1;
	size_t nlen = strlen(name);
	char **names = NULL, *stripped;
	const char *end;
	int r = 0;

	if (!tmpl && count == 1 && nlen && isdigit((unsigned char)name[nlen - 1])) {
		names = handlers_names_one(name);
		if (!names || handlers_dynamic_set(dyn, name, cfg, false, 1, names) < 0)
			return h->errorf(err, NULL, -ENOMEM, "out of memory");
		return 0;
	}
	if (!tmpl || !*tmpl)
		tmpl = HANDLERS_DEFAULT_TEMPLATE;
	while (isspace((unsigned char)*tmpl))
		tmpl++;
	for (end = tmpl + strlen(tmpl); end > tmpl && isspace((unsigned char)end[-1]);)
		end--;
	stripped = strndup(tmpl, (size_t)(end - tmpl));
	if (inst->use_service_instances)
		names = calloc(count, sizeof(*names));
	if (!stripped || (inst->use_service_instances && !names)) {
		free(stripped);
		free(names);
		return h->errorf(err, NULL, -ENOMEM, "out of memory");
	}
	for (unsigned i = 0; r == 0 && i < count; i++) {
		char *expanded = NULL, **one;

		r = handlers_format(h, tmpl_node, stripped, name, i, inst->name, &expanded, err);
		if (r < 0)
			break;
		if (inst->use_service_instances) {
			names[i] = expanded;
			continue;
		}
		if (handlers_dynamic_find(dyn, expanded)) {
			h->log(GX_LOG_WARNING, "Duplicate handler name after expansion: %s", expanded);
			free(expanded);
			continue;
		}
		one = handlers_names_one(expanded);
		r = one ? handlers_dynamic_set(dyn, expanded, cfg, false, 1, one) : -ENOMEM;
		free(expanded);
		if (r < 0)
			r = h->errorf(err, NULL, r, "out of memory");
	}
	free(stripped);
	if (inst->use_service_instances) {
		if (r < 0)
			handlers_strings_free(names, count);
		else if (handlers_dynamic_set(dyn, name, cfg, true, count, names) < 0)
			r = h->errorf(err, NULL, -ENOMEM, "out of memory");
	}
	return r;
}

/* ---------------------------------------------------------------------- */
/* Registering the services */

/* Does the job config define a handler called name? */
static bool handlers_static_has(const struct handlers_jobconf *jc, const char *name)
{
	for (size_t i = 0; i < jc->n; i++)
		if (strcmp(jc->v[i].id, name) == 0)
			return true;
	return false;
}

static int handlers_add_static(const struct gx_host *h, struct handlers_static *s,
			       struct gx_expand *ctx, struct gx_error *err)
{
	struct handlers_data *d = calloc(1, sizeof(*d));
	struct gx_service_spec spec = {
		.name = s->id,
		.count = 1,
		.settings = NULL, /* the type's defaults */
		.environment = s->env,
		.data = d,
		.free_data = handlers_data_free,
	};

	if (!d || !(d->server_names = handlers_names_one(s->id))) {
		free(d);
		return h->errorf(err, NULL, -ENOMEM, "out of memory");
	}
	d->count = 1;
	return h->add_service(ctx, &spec, err);
}

static int handlers_add_dynamic(const struct gx_host *h, struct handlers_dynamic *dyn,
				struct gx_expand *ctx, struct gx_error *err)
{
	struct handlers_data *d = calloc(1, sizeof(*d));
	const struct gx_node **settings = calloc(dyn->count, sizeof(*settings));
	struct gx_service_spec spec = {
		.name = dyn->name,
		.count = dyn->count,
		.instances = dyn->list,
		.data = d,
		.free_data = handlers_data_free,
	};
	int r;

	if (!d || !settings) {
		free(d);
		free(settings);
		return h->errorf(err, NULL, -ENOMEM, "out of memory");
	}
	for (unsigned i = 0; i < dyn->count; i++)
		settings[i] = dyn->settings;
	spec.settings = settings;
	d->count = dyn->count;
	d->server_names = dyn->server_names;
	dyn->server_names = NULL;
	dyn->count = 0;
	r = h->add_service(ctx, &spec, err);
	free(settings);
	return r;
}

/*
 * Static handlers from the job config, then gravity.handlers expanded.
 * section maps handler names to their validated settings.
 */
static int handlers_expand(const struct gx_host *h, const struct gx_instance *inst,
			   const struct gx_node *section, struct gx_expand *ctx,
			   struct gx_error *err)
{
	struct handlers_jobconf jc = { 0 };
	struct handlers_dynamics dyn = { 0 };
	int r = handlers_jobconf_read(h, inst, &jc, err);

	for (size_t i = 0; r == 0 && section && section->kind == GX_NODE_MAPPING &&
			   i < section->n; i++)
		r = handlers_expand_one(h, inst, section->pairs[i].key->scalar,
					section->pairs[i].value, &dyn, err);
	if (r == 0 && dyn.n > 0 && !jc.dynamic_assign)
		h->log(GX_LOG_WARNING, "%s", handlers_assign_warning);
	for (size_t i = 0; r == 0 && i < jc.n; i++)
		r = handlers_add_static(h, &jc.v[i], ctx, err);
	for (size_t i = 0; r == 0 && i < dyn.n; i++) {
		if (handlers_static_has(&jc, dyn.v[i].name)) {
			h->log(GX_LOG_WARNING,
			       "Handler %s is defined both in the job config and in "
			       "gravity.handlers; the gravity.handlers one is ignored",
			       dyn.v[i].name);
			continue;
		}
		r = handlers_add_dynamic(h, &dyn.v[i], ctx, err);
	}
	handlers_dynamics_release(&dyn);
	handlers_jobconf_release(h, &jc);
	return r;
}

/* ---------------------------------------------------------------------- */
/* Command and environment */

static const char *handlers_server_name(const struct gx_service *svc, unsigned process)
{
	const struct handlers_data *d = svc->data;

	return d && process < d->count ? d->server_names[process] : svc->name;
}

/*
 * Galaxy's main program: python ./scripts/galaxy-main in a source tree,
 * the galaxy-main entry point of the virtualenv for an installed Galaxy
 * (from PATH without a virtualenv, as python is).
 */
static int handlers_main(const struct gx_host *h, const struct gx_instance *inst,
			 struct gx_strv *argv)
{
	const char *program = inst->galaxy_installed ? "galaxy-main" : "python";
	int r = inst->virtualenv ? h->strv_pushf(argv, "%s/bin/%s", inst->virtualenv, program)
				 : h->strv_push(argv, program);

	if (r == 0 && !inst->galaxy_installed)
		r = h->strv_push(argv, "./scripts/galaxy-main");
	return r;
}

/* galaxy-main -c GALAXY_CONF --server-name=NAME [--attach-to-pool=POOL]... */
static int handlers_argv(const struct gx_host *h, const struct gx_service *svc, unsigned process,
			 struct gx_strv *argv, struct gx_error *err)
{
	const struct gx_instance *inst = svc->instance;
	const struct gx_node *pools = h->get(svc->settings[process], "pools");
	int r = handlers_main(h, inst, argv);

	/* Without a config file, galaxy-main runs on Galaxy's defaults. */
	if (r == 0 && handlers_galaxy_conf(inst))
		r = h->strv_push(argv, "-c");
	if (r == 0 && handlers_galaxy_conf(inst))
		r = h->strv_push(argv, handlers_galaxy_conf(inst));
	if (r == 0)
		r = h->strv_pushf(argv, "--server-name=%s", handlers_server_name(svc, process));
	for (size_t i = 0; r == 0 && pools && pools->kind == GX_NODE_SEQUENCE && i < pools->n; i++)
		r = h->strv_pushf(argv, "--attach-to-pool=%s", pools->items[i]->scalar);
	if (r < 0)
		return h->errorf(err, NULL, r, "out of memory");
	return 0;
}

static const struct gx_service_type handlers_standalone = {
	.name = "standalone",
	.section = "handlers",
	.doc = "Configure dynamic handlers in this section.\n"
	       "See https://docs.galaxyproject.org/en/latest/admin/scaling.html"
	       "#dynamically-defined-handlers for details.",
	.options = handlers_options,
	.named_sections = true,
	.expand = handlers_expand,
	.argv = handlers_argv,
};

static const struct gx_service_type *const handlers_types[] = {
	&handlers_standalone,
	NULL,
};

const struct gx_module gx_module = {
	GX_MODULE_HEADER("handlers"),
	.services = handlers_types,
};
