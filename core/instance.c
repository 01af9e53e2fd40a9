/* SPDX-License-Identifier: MIT */
/* From raw configs to validated instances with their paths and services. */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core_options.h"
#include "fsutil.h"
#include "env_settings.h"
#include "escape.h"
#include "instance.h"
#include "name_check.h"
#include "node.h"
#include "settings.h"
#include "strv.h"

/* The core's view of an instance: the public part plus what it owns. */
struct instance_priv {
	struct gx_instance pub;
	struct gx_node *gravity; /* effective settings, owned */
	struct gx_strv env_names; /* "$GRAVITY_X" of settings from the environment: their marks */
};

struct service_priv {
	struct gx_service pub;
	void (*free_data)(void *data);
	struct gx_node *defaults; /* the type's defaults, for processes without settings */
};

struct gx_expand {
	struct instance_priv *inst;
	const struct gx_service_type *type;
	const struct gx_host *host;
};

/* A config section and the type whose table validates it. */
struct section {
	const char *name;
	const struct gx_service_type *type;
};

#define container_of(ptr, type, member) ((type *)((char *)(ptr) - offsetof(type, member)))

static void service_free(struct gx_service *svc)
{
	struct service_priv *p;

	if (!svc)
		return;
	p = container_of(svc, struct service_priv, pub);
	if (p->free_data)
		p->free_data(svc->data);
	free(svc->name);
	free(svc->config_type);
	free(svc->settings);
	free(svc->umask);
	gx_node_free(p->defaults);
	free(p);
}

static void instance_free(struct gx_instance *inst)
{
	struct instance_priv *p;

	if (!inst)
		return;
	p = container_of(inst, struct instance_priv, pub);
	for (size_t i = 0; i < inst->n_services; i++)
		service_free(inst->services[i]);
	free(inst->services);
	free(inst->name);
	free(inst->config_file);
	free(inst->galaxy_config_file);
	free(inst->galaxy_root);
	free(inst->working_dir);
	free(inst->virtualenv);
	free(inst->state_dir);
	free(inst->log_dir);
	free(inst->process_manager);
	free(inst->service_command_style);
	free(inst->galaxy_user);
	free(inst->galaxy_group);
	gx_node_free(p->gravity);
	gx_strv_release(&p->env_names);
	free(p);
}

/* Heap copy of a string setting, or NULL when unset. */
static char *instance_strdup_opt(const struct gx_node *map, const char *key, bool *oom)
{
	const char *value = gx_node_get_str(map, key);
	char *s = value ? strdup(value) : NULL;

	if (value && !s)
		*oom = true;
	return s;
}

/* ---------------------------------------------------------------------- */
/* Sections */

static size_t instance_sections(const struct gx_plugins *plugins, struct section *out,
				size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < plugins->n_types; i++) {
		const struct gx_service_type *t = plugins->types[i];
		bool seen = false;

		for (size_t j = 0; j < n; j++)
			seen = seen || strcmp(out[j].name, t->section) == 0;
		if (!seen && n < max)
			out[n++] = (struct section){ .name = t->section, .type = t };
	}
	return n;
}

/* Section names and aliases, NULL-terminated, for settings' passthrough. */
static const char **instance_passthrough(const struct section *secs, size_t n)
{
	size_t count = n + 1;
	const char **names;
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		for (size_t a = 0; secs[i].type->aliases && secs[i].type->aliases[a]; a++)
			count++;
	names = calloc(count, sizeof(*names));
	if (!names)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		names[k++] = secs[i].name;
		for (size_t a = 0; secs[i].type->aliases && secs[i].type->aliases[a]; a++)
			names[k++] = secs[i].type->aliases[a];
	}
	return names;
}

/* The raw node of a section, by name or alias (the name wins, with a warning). */
static const struct gx_node *instance_raw_section(const struct gx_node *gravity,
						  const struct section *sec, struct gx_diag *diag)
{
	const struct gx_node *n = gx_node_get(gravity, sec->name);
	const char *const *aliases = sec->type->aliases;

	for (size_t a = 0; aliases && aliases[a]; a++) {
		const struct gx_node *alias = gx_node_get(gravity, aliases[a]);

		if (!alias)
			continue;
		if (n) {
			gx_diag_add(diag, GX_LOG_WARNING, &alias->mark,
				    "gravity.%s is ignored: gravity.%s is also set", aliases[a],
				    sec->name);
			continue;
		}
		n = alias;
	}
	return n;
}

/* Is the name at node broken?  The error names the key and the rule, the name escaped. */
static bool instance_name_bad(const struct gx_node *node, const char *prefix, const char *key,
			      const char *what, struct gx_diag *diag)
{
	const char *problem = gx_name_problem(node->scalar);
	char esc[GX_NAME_MAX * 4 + 8];

	if (!problem)
		return false;
	gx_diag_add(diag, GX_LOG_ERROR, node->mark.file ? &node->mark : NULL,
		    "%s%s: %s \"%s%s\" %s", prefix, key, what,
		    gx_escape(node->scalar, esc, sizeof(esc)),
		    strlen(node->scalar) > GX_NAME_MAX ? "..." : "", problem);
	return true;
}

static int instance_apply(const struct gx_option *table, const struct gx_node *in,
			  const char *keypath, struct gx_diag *diag, struct gx_node **ret)
{
	return gx_settings_apply(table, in, keypath, NULL, diag, ret);
}

/* Validate one section into its effective node (mapping, list or named mapping). */
static int instance_section(const struct section *sec, const struct gx_node *raw,
			    struct gx_diag *diag, struct gx_node **ret)
{
	const struct gx_service_type *t = sec->type;
	char path[256];
	struct gx_node *out, *item;
	int r = 0;

	snprintf(path, sizeof(path), "gravity.%s", sec->name);
	if (gx_node_is_null(raw) || raw->kind == GX_NODE_MAPPING) {
		if (!t->named_sections)
			return instance_apply(t->options, raw, path, diag, ret);
	} else if (raw->kind != GX_NODE_SEQUENCE || !t->list_allowed) {
		gx_diag_add(diag, GX_LOG_ERROR, &raw->mark, "%s: expected a mapping%s, got a %s",
			    path, t->list_allowed ? " or a list of mappings" : "",
			    gx_node_kind_name(raw->kind));
		return -EINVAL;
	}
	out = gx_node_new(t->named_sections ? GX_NODE_MAPPING : GX_NODE_SEQUENCE,
			  raw ? &raw->mark : NULL);
	if (!out)
		return -ENOMEM;
	for (size_t i = 0; !gx_node_is_null(raw) && i < raw->n; i++) {
		int q;

		if (t->named_sections && instance_name_bad(raw->pairs[i].key, "gravity.", sec->name,
							   "name", diag)) {
			r = -EINVAL;
			continue;
		}
		if (t->named_sections)
			snprintf(path, sizeof(path), "gravity.%s.%s", sec->name,
				 raw->pairs[i].key->scalar);
		else
			snprintf(path, sizeof(path), "gravity.%s[%zu]", sec->name, i);
		q = instance_apply(t->options, t->named_sections ? raw->pairs[i].value
								 : raw->items[i],
				   path, diag, &item);
		if (q == 0) {
			if (t->named_sections) {
				struct gx_node *key = gx_node_dup(raw->pairs[i].key);

				q = key ? gx_node_map_append(out, key, item) : -ENOMEM;
				if (q < 0)
					gx_node_free(key);
			} else {
				q = gx_node_seq_append(out, item);
			}
			if (q < 0)
				gx_node_free(item);
		}
		if (q < 0 && r == 0)
			r = q;
	}
	if (r < 0) {
		gx_node_free(out);
		return r;
	}
	*ret = out;
	return 0;
}

/*
 * The effective gravity tree: core options, then each plugin section, from
 * the YAML and, under it, GRAVITY_* variables (their names go to env_names).
 */
static int instance_validate(const struct gx_raw_instance *raw, const struct section *secs,
			     size_t n_secs, char *const *envp, struct gx_strv *env_names,
			     struct gx_diag *diag, struct gx_node **ret)
{
	const char **passthrough = instance_passthrough(secs, n_secs);
	const struct gx_node *in = raw->gravity;
	struct gx_node *gravity = NULL, *overlay = NULL;
	int r;

	if (!passthrough)
		return -ENOMEM;
	r = gx_env_settings_overlay(raw->gravity, gx_core_options, passthrough, envp, env_names,
				    &overlay);
	if (overlay)
		in = overlay;
	if (r == 0)
		r = gx_settings_apply(gx_core_options, in, "gravity", passthrough, diag, &gravity);
	free(passthrough);
	for (size_t i = 0; r != -ENOMEM && i < n_secs; i++) {
		struct gx_node *eff = NULL;
		int q = instance_section(&secs[i], instance_raw_section(in, &secs[i], diag), diag,
					 &eff);

		if (q == 0 && gravity)
			q = gx_node_map_set(gravity, secs[i].name, eff);
		else if (q == 0)
			gx_node_free(eff);
		if (q < 0 && r == 0)
			r = q;
	}
	/* Aliases were validated under their section's name; drop the raw copies. */
	for (size_t i = 0; gravity && i < n_secs; i++)
		for (size_t a = 0; secs[i].type->aliases && secs[i].type->aliases[a]; a++)
			gx_node_map_remove(gravity, secs[i].type->aliases[a]);
	gx_node_free(overlay);
	if (r < 0) {
		gx_node_free(gravity);
		return r;
	}
	*ret = gravity;
	return 0;
}

/* ---------------------------------------------------------------------- */
/* Paths */

static bool instance_has_suffix(const char *s, const char *suffix)
{
	size_t ls = strlen(s), lx = strlen(suffix);

	return ls >= lx && strcmp(s + ls - lx, suffix) == 0;
}

/*
 * Is Galaxy a package of the virtualenv venv, importable by its Python?
 * Upstream asks its own interpreter (`import galaxy.version`); without one,
 * we look where pip and uv put it: <venv>/lib/python3.X/site-packages.
 */
bool gx_galaxy_installed(const char *venv)
{
	char *lib = venv ? gx_path_join(venv, "lib") : NULL;
	DIR *d = lib ? opendir(lib) : NULL;
	struct dirent *e;
	bool found = false;

	while (d && !found && (e = readdir(d))) {
		char *version = NULL;

		if (strncmp(e->d_name, "python", 6) != 0)
			continue;
		if (asprintf(&version, "%s/%s/site-packages/galaxy/version.py", lib, e->d_name) < 0)
			break;
		found = gx_path_exists(version);
		free(version);
	}
	if (d)
		closedir(d);
	free(lib);
	return found;
}

/*
 * galaxy_root, in upstream's order: the gravity option, the galaxy
 * section's root, $GALAXY_ROOT_DIR; none when Galaxy is installed in the
 * virtualenv (the option, else $VIRTUAL_ENV); the parent of the galaxy
 * config's dir when it holds lib/galaxy, and for the sample config inside
 * a checkout (lib/galaxy/config/sample/galaxy.yml.sample) that checkout.
 * Relative values are taken from the working directory, as upstream does.
 */
static int instance_galaxy_root(struct gx_instance *inst, const struct gx_raw_instance *raw,
				const struct gx_instance_env *env, struct gx_diag *diag)
{
	const char *opt = gx_node_get_str(inst->gravity, "galaxy_root");
	const char *galaxy_file = inst->galaxy_config_file ? inst->galaxy_config_file
							   : inst->config_file;
	char *dir, *lib;

	if (!opt)
		opt = gx_node_get_str(raw->galaxy, "root");
	if (!opt && env->galaxy_root_dir && *env->galaxy_root_dir)
		opt = env->galaxy_root_dir;
	if (opt) {
		inst->galaxy_root = gx_path_abs(opt, NULL);
		return inst->galaxy_root ? 0 : -ENOMEM;
	}
	if (gx_galaxy_installed(inst->virtualenv ? inst->virtualenv : env->virtual_env)) {
		inst->galaxy_installed = true;
		return 0;
	}
	if (!galaxy_file) {
		gx_diag_add(diag, GX_LOG_ERROR, NULL, "Cannot locate Galaxy root directory: set "
			    "$GALAXY_ROOT_DIR, or use a config file");
		return 0;
	}
	dir = gx_path_dirname(galaxy_file);
	lib = dir ? gx_path_abs("../lib/galaxy", dir) : NULL;
	if (!lib) {
		free(dir);
		return -ENOMEM;
	}
	if (gx_path_is_dir(lib))
		inst->galaxy_root = gx_path_abs("..", dir);
	else if (instance_has_suffix(galaxy_file, "galaxy/config/sample/galaxy.yml.sample"))
		inst->galaxy_root = gx_path_abs("../../../..", dir);
	else
		gx_diag_add(diag, GX_LOG_ERROR, raw->at ? &raw->at->mark : NULL,
			    "Cannot locate Galaxy root directory: set $GALAXY_ROOT_DIR, the "
			    "Gravity `galaxy_root` option, or `root' in the Galaxy config");
	free(lib);
	free(dir);
	return 0;
}

/*
 * The state dir (upstream's gravity_data_dir): --state-dir as given, else
 * <data_dir>/gravity with data_dir from the galaxy section ("database" by
 * default, "data" for an installed Galaxy), relative to the working dir
 * (galaxy_root, or the cwd for an installed Galaxy).  log_dir defaults to
 * <state>/log, and a relative log_dir is relative to the working dir too.
 */
static int instance_paths(struct gx_instance *inst, const struct gx_raw_instance *raw,
			  const struct gx_instance_env *env, struct gx_diag *diag)
{
	const char *data_dir = gx_node_get_str(raw->galaxy, "data_dir");
	const char *log_dir = gx_node_get_str(inst->gravity, "log_dir");
	const char *venv = gx_node_get_str(inst->gravity, "virtualenv");
	char *data;
	int r;

	if (venv && !(inst->virtualenv = gx_path_abs(venv, NULL)))
		return -ENOMEM;
	r = instance_galaxy_root(inst, raw, env, diag);
	if (r < 0 || (!inst->galaxy_root && !inst->galaxy_installed))
		return r;
	inst->working_dir = inst->galaxy_root ? strdup(inst->galaxy_root) : gx_path_abs(".", NULL);
	if (!inst->working_dir)
		return -ENOMEM;
	if (!data_dir)
		data_dir = inst->galaxy_installed ? "data" : "database";
	if (env->state_dir && *env->state_dir) {
		inst->state_dir = gx_path_abs(env->state_dir, NULL);
	} else {
		data = gx_path_abs(data_dir, inst->working_dir);
		inst->state_dir = data ? gx_path_join(data, "gravity") : NULL;
		free(data);
	}
	if (!inst->state_dir)
		return -ENOMEM;
	inst->log_dir = log_dir ? gx_path_abs(log_dir, inst->working_dir)
				: gx_path_join(inst->state_dir, "log");
	return inst->log_dir ? 0 : -ENOMEM;
}

/* ---------------------------------------------------------------------- */
/* Services */

/* An effective section holding only the type's defaults. */
static int instance_type_defaults(const struct gx_service_type *type, struct gx_node **ret)
{
	struct gx_diag diag = { 0 };
	int r = gx_settings_apply(type->options, NULL, type->section, NULL, &diag, ret);

	gx_diag_release(&diag);
	return r;
}

/* A service without settings: its environment: comes from the spec (a static handler's). */
static int instance_defaults_env(struct service_priv *p, const struct gx_node *environment)
{
	struct gx_node *copy = gx_node_dup(environment);

	return copy ? gx_node_map_set(p->defaults, "environment", copy) : -ENOMEM;
}

/* Is b one of the process names of a service a with n processes (a_0 ... a_<n-1>)? */
static bool instance_is_process_name(const char *a, unsigned n, const char *b)
{
	size_t la = strlen(a);
	char *end;
	unsigned long i;

	if (n <= 1 || strncmp(a, b, la) != 0 || b[la] != '_' || b[la + 1] < '0' || b[la + 1] > '9')
		return false;
	i = strtoul(b + la + 1, &end, 10);
	return *end == '\0' && i < n && (b[la + 1] != '0' || b[la + 2] == '\0');
}

/*
 * Do two services' program names meet?  a_i == b_j with a != b cannot
 * happen (one of i, j would have to hold a '_'), so this is all.
 */
static bool instance_names_clash(const char *a, unsigned na, const char *b, unsigned nb)
{
	return strcmp(a, b) == 0 || instance_is_process_name(a, na, b) ||
	       instance_is_process_name(b, nb, a);
}

/* Where a service's name came from: the section's name option when it set it, else the section. */
static const struct gx_node *instance_name_at(const struct gx_service_spec *spec)
{
	const struct gx_node *section = spec->settings ? spec->settings[0] : NULL;
	const struct gx_node *name = section && section->kind == GX_NODE_MAPPING
					     ? gx_node_get(section, "name")
					     : NULL;

	if (name && name->kind == GX_NODE_SCALAR && name->mark.file &&
	    strcmp(name->scalar, spec->name) == 0)
		return name;
	return section;
}

int gx_expand_add(struct gx_expand *ctx, const struct gx_service_spec *spec,
		  struct gx_error *err)
{
	struct gx_instance *inst = &ctx->inst->pub;
	unsigned count = spec->count ? spec->count : 1;
	const char *problem = gx_name_problem(spec->name);
	const struct gx_node *at = instance_name_at(spec);
	struct service_priv *p;
	struct gx_service **grown;
	char esc[GX_NAME_MAX * 4 + 8];

	if (problem) {
		if (spec->free_data)
			spec->free_data(spec->data);
		return gx_error_set(err, at, -EINVAL, "gravity.%s: service name \"%s\" %s",
				    ctx->type->section, gx_escape(spec->name, esc, sizeof(esc)),
				    problem);
	}
	for (size_t i = 0; i < inst->n_services; i++)
		if (instance_names_clash(inst->services[i]->name, inst->services[i]->count,
					 spec->name, count)) {
			if (spec->free_data)
				spec->free_data(spec->data);
			return gx_error_set(err, at, -EINVAL,
					    "gravity.%s: service name \"%s\" is already used by a "
					    "%s service", ctx->type->section, spec->name,
					    inst->services[i]->config_type);
		}
	p = calloc(1, sizeof(*p));

	if (p) {
		p->free_data = spec->free_data;
		p->pub.data = spec->data;
		p->pub.type = ctx->type;
		p->pub.instance = inst;
		p->pub.count = count;
		p->pub.instances = spec->instances;
		p->pub.name = strdup(spec->name);
		p->pub.config_type = strdup(spec->config_type ? spec->config_type : ctx->type->name);
		p->pub.settings = calloc(count, sizeof(*p->pub.settings));
	} else if (spec->free_data) {
		spec->free_data(spec->data);
	}
	grown = p ? realloc(inst->services, (inst->n_services + 1) * sizeof(*grown)) : NULL;
	if (!p || !p->pub.name || !p->pub.config_type || !p->pub.settings || !grown) {
		service_free(p ? &p->pub : NULL);
		return gx_error_set(err, NULL, -ENOMEM, "out of memory");
	}
	inst->services = grown;
	for (unsigned i = 0; i < count; i++) {
		p->pub.settings[i] = spec->settings ? spec->settings[i] : NULL;
		if (!p->pub.settings[i] && !p->defaults &&
		    instance_type_defaults(ctx->type, &p->defaults) < 0) {
			service_free(&p->pub);
			return gx_error_set(err, NULL, -ENOMEM, "out of memory");
		}
		if (!p->pub.settings[i])
			p->pub.settings[i] = p->defaults;
	}
	if (p->defaults && spec->environment && instance_defaults_env(p, spec->environment) < 0) {
		service_free(&p->pub);
		return gx_error_set(err, NULL, -ENOMEM, "out of memory");
	}
	inst->services[inst->n_services++] = &p->pub;
	return 0;
}

static bool instance_enabled(const struct gx_node *section)
{
	const struct gx_node *enable = gx_node_get(section, "enable");
	bool on = true;

	return !enable || (gx_node_as_bool(enable, &on) && on);
}

/*
 * A list section, as upstream's services_if_enabled() expands it: one
 * service named after the type with a process per enabled item
 * (use_service_instances), or a service "<type><index>" per enabled item,
 * the index counting every item.
 */
static int instance_expand_list(const struct gx_instance *inst, const struct gx_node *list,
				struct gx_expand *ctx, struct gx_error *err)
{
	const struct gx_node **enabled = calloc(list->n ? list->n : 1, sizeof(*enabled));
	struct gx_service_spec spec = { .name = ctx->type->name, .instances = true };
	int r = 0;

	if (!enabled)
		return gx_error_set(err, NULL, -ENOMEM, "out of memory");
	for (size_t i = 0; r == 0 && i < list->n; i++) {
		const struct gx_node *item = list->items[i];
		char name[128];
		struct gx_service_spec one = { .name = name, .count = 1, .settings = &item };

		if (!instance_enabled(item))
			continue;
		enabled[spec.count++] = item;
		if (inst->use_service_instances)
			continue;
		snprintf(name, sizeof(name), "%s%zu", ctx->type->name, i);
		r = gx_expand_add(ctx, &one, err);
	}
	spec.settings = enabled;
	if (r == 0 && spec.count > 0 && inst->use_service_instances)
		r = gx_expand_add(ctx, &spec, err);
	free(enabled);
	return r;
}

/* One service named after the type when the section is enabled; lists as above. */
int gx_expand_default(const struct gx_instance *inst, const struct gx_node *section,
		      struct gx_expand *ctx, struct gx_error *err)
{
	struct gx_service_spec spec = {
		.name = ctx->type->name,
		.count = 1,
		.settings = &section,
	};

	if (section && section->kind == GX_NODE_SEQUENCE)
		return instance_expand_list(inst, section, ctx, err);
	if (!instance_enabled(section))
		return 0;
	return gx_expand_add(ctx, &spec, err);
}

static bool instance_umask_ok(const char *umask)
{
	return umask[0] != '\0' && strspn(umask, "01234567") == strlen(umask) &&
	       strtol(umask, NULL, 8) <= 0777;
}

/* The top-level umask, checked once rather than for every service that inherits it. */
static int instance_check_umask(const struct gx_node *gravity, struct gx_diag *diag)
{
	const struct gx_node *n = gx_node_get(gravity, "umask");

	if (gx_node_is_null(n) || instance_umask_ok(n->scalar))
		return 0;
	gx_diag_add(diag, GX_LOG_ERROR, &n->mark,
		    "gravity.umask: '%s' is not an octal mode between 000 and 777", n->scalar);
	return -EINVAL;
}

/* A service's memory limit, else the global one: upstream's `service value or global value`,
 * so a service's 0 (falsy) means "the global value", not "no limit". */
static double instance_memory(const struct gx_node *s, const struct gx_node *gravity,
			      const char *key)
{
	double v = 0;

	if (gx_node_as_double(gx_node_get(s, key), &v) && v != 0)
		return v;
	v = 0;
	gx_node_as_double(gx_node_get(gravity, key), &v);
	return v;
}

/* umask, timeouts and memory settings, falling back to the top level. */
static int instance_resolve_common(struct gx_service *svc, const struct gx_node *gravity,
				   struct gx_diag *diag)
{
	const struct gx_node *s = svc->settings[0];
	const char *umask = NULL;
	const struct gx_node *n;

	n = gx_node_get(s, "umask");
	if (gx_node_is_null(n))
		n = gx_node_get(gravity, "umask");
	umask = gx_node_is_null(n) ? "022" : n->scalar;
	if (!instance_umask_ok(umask)) {
		gx_diag_add(diag, GX_LOG_ERROR, n ? &n->mark : NULL,
			    "%s: umask '%s' is not an octal mode between 000 and 777", svc->name,
			    umask);
		return -EINVAL;
	}
	svc->umask = strdup(umask);
	if (!svc->umask)
		return -ENOMEM;
	gx_node_as_long(gx_node_get(s, "start_timeout"), &svc->start_timeout);
	gx_node_as_long(gx_node_get(s, "stop_timeout"), &svc->stop_timeout);
	svc->memory_limit = instance_memory(s, gravity, "memory_limit");
	svc->memory_high = instance_memory(s, gravity, "memory_high");
	return 0;
}

/* Upstream's service order (gunicorn first, handlers last); other types after, in load order. */
static size_t instance_type_rank(const struct gx_service_type *t)
{
	static const char *const order[] = { "gunicorn", "celery", "celery-beat", "tusd",
					     "gx-it-proxy", "reports", "standalone" };
	const size_t n = sizeof(order) / sizeof(order[0]);

	for (size_t i = 0; i < n; i++)
		if (strcmp(t->name, order[i]) == 0)
			return i;
	return n;
}

static int instance_expand(struct instance_priv *p, const struct gx_plugins *plugins,
			   const struct gx_host *host, struct gx_diag *diag)
{
	struct gx_instance *inst = &p->pub;
	int result = 0;

	for (size_t k = 0; k < plugins->n_types * 8; k++) {
		const struct gx_service_type *t = plugins->types[k % plugins->n_types];

		if (instance_type_rank(t) != k / plugins->n_types)
			continue;
		struct gx_expand ctx = { .inst = p, .type = t, .host = host };
		const struct gx_node *section = gx_node_get(p->gravity, t->section);
		struct gx_error err = { 0 };
		size_t first = inst->n_services;
		int r;

		r = t->expand ? t->expand(host, inst, section, &ctx, &err)
			      : gx_expand_default(inst, section, &ctx, &err);
		for (size_t s = first; r == 0 && s < inst->n_services; s++) {
			r = instance_resolve_common(inst->services[s], p->gravity, diag);
			if (r == 0 && t->validate)
				r = t->validate(host, inst->services[s], &err);
		}
		if (r == -ENOMEM)
			return r;
		if (r < 0 && err.message[0])
			gx_diag_add_error(diag, &err);
		if (r < 0)
			result = r;
	}
	return result;
}

/* ---------------------------------------------------------------------- */
/* Instances */

static int instance_fill(struct instance_priv *p, const struct gx_raw_instance *raw,
			 const struct gx_instance_env *env, struct gx_diag *diag)
{
	struct gx_instance *inst = &p->pub;
	bool oom = false;

	inst->gravity = p->gravity;
	inst->galaxy = raw->galaxy;
	inst->config_file = raw->config_file ? strdup(raw->config_file) : NULL;
	inst->galaxy_config_file = raw->galaxy_config_file ? strdup(raw->galaxy_config_file) : NULL;
	inst->name = instance_strdup_opt(p->gravity, "instance_name", &oom);
	/* Upstream tells the default instance by its name, even when set explicitly. */
	inst->name_is_default = inst->name && strcmp(inst->name, "_default_") == 0;
	inst->process_manager = instance_strdup_opt(p->gravity, "process_manager", &oom);
	if (!inst->process_manager && !oom)
		inst->process_manager = strdup(env->is_root ? "systemd" : "supervisor");
	if (inst->process_manager && strcmp(inst->process_manager, "multiprocessing") == 0) {
		free(inst->process_manager);
		inst->process_manager = strdup("direct");
	}
	inst->service_command_style = instance_strdup_opt(p->gravity, "service_command_style", &oom);
	inst->use_service_instances = gx_node_as_bool(gx_node_get(p->gravity, "use_service_instances"),
						      &inst->use_service_instances) &&
				      inst->use_service_instances && inst->service_command_style &&
				      strcmp(inst->service_command_style, "gravity") == 0;
	inst->galaxy_user = instance_strdup_opt(p->gravity, "galaxy_user", &oom);
	inst->galaxy_group = instance_strdup_opt(p->gravity, "galaxy_group", &oom);
	if (oom || (raw->config_file && !inst->config_file) || !inst->name ||
	    !inst->process_manager || !inst->service_command_style ||
	    (raw->galaxy_config_file && !inst->galaxy_config_file))
		return -ENOMEM;
	return instance_paths(inst, raw, env, diag);
}

static int instance_build_one(const struct gx_raw_instance *raw, const struct section *secs,
			      size_t n_secs, const struct gx_plugins *plugins,
			      const struct gx_host *host, const struct gx_instance_env *env,
			      struct gx_diag *diag, struct gx_instance **ret)
{
	struct instance_priv *p = calloc(1, sizeof(*p));
	int r;

	if (!p)
		return -ENOMEM;
	r = instance_validate(raw, secs, n_secs, env->envp, &p->env_names, diag, &p->gravity);
	if (r == 0)
		r = instance_check_umask(p->gravity, diag);
	if (r == 0 && !gx_node_is_null(gx_node_get(p->gravity, "instance_name")) &&
	    instance_name_bad(gx_node_get(p->gravity, "instance_name"), "gravity.", "instance_name",
			      "instance name", diag))
		r = -EINVAL;
	if (r == 0)
		r = instance_fill(p, raw, env, diag);
	if (r == 0 && !p->pub.working_dir)
		r = -EINVAL;
	if (r == 0)
		r = instance_expand(p, plugins, host, diag);
	if (r < 0) {
		instance_free(&p->pub);
		return r;
	}
	*ret = &p->pub;
	return 0;
}

static bool instance_names_unique(const struct gx_instances *insts,
				  const struct gx_config *cfg, struct gx_diag *diag)
{
	bool ok = true;

	for (size_t i = 0; i < insts->n; i++)
		for (size_t j = 0; j < i; j++) {
			if (strcmp(insts->v[i]->name, insts->v[j]->name) != 0)
				continue;
			gx_diag_add(diag, GX_LOG_ERROR, cfg->raw[i].at ? &cfg->raw[i].at->mark : NULL,
				    "Duplicate instance name %s, instance names must be unique "
				    "(Galaxy instance %s already loaded from file: %s)",
				    insts->v[i]->name, insts->v[i]->name,
				    insts->v[j]->config_file ? insts->v[j]->config_file : "(none)");
			ok = false;
		}
	return ok;
}

int gx_instances_build(const struct gx_config *cfg, const struct gx_plugins *plugins,
		       const struct gx_host *host, const struct gx_instance_env *env,
		       struct gx_diag *diag, struct gx_instances *ret)
{
	struct gx_instances out = { 0 };
	struct section secs[64];
	size_t n_secs = instance_sections(plugins, secs, 64);
	int result = 0;

	out.v = calloc(cfg->n_raw ? cfg->n_raw : 1, sizeof(*out.v));
	if (!out.v)
		return -ENOMEM;
	for (size_t i = 0; i < cfg->n_raw; i++) {
		struct gx_instance *inst = NULL;
		int r = instance_build_one(&cfg->raw[i], secs, n_secs, plugins, host, env, diag,
					   &inst);

		if (r == -ENOMEM) {
			gx_instances_release(&out);
			return r;
		}
		if (r < 0)
			result = r;
		else
			out.v[out.n++] = inst;
	}
	if (result == 0 && !instance_names_unique(&out, cfg, diag))
		result = -EINVAL;
	if (result < 0 || diag->n_errors) {
		gx_instances_release(&out);
		return -EINVAL;
	}
	*ret = out;
	return 0;
}

void gx_instances_release(struct gx_instances *insts)
{
	for (size_t i = 0; i < insts->n; i++)
		instance_free(insts->v[i]);
	free(insts->v);
	insts->v = NULL;
	insts->n = 0;
}

struct gx_instance *gx_instances_find(const struct gx_instances *insts, const char *name)
{
	for (size_t i = 0; i < insts->n; i++)
		if (strcmp(insts->v[i]->name, name) == 0)
			return insts->v[i];
	return NULL;
}

const struct gx_service *gx_instance_service(const struct gx_instance *inst, const char *name)
{
	for (size_t i = 0; i < inst->n_services; i++)
		if (strcmp(inst->services[i]->name, name) == 0)
			return inst->services[i];
	return NULL;
}
