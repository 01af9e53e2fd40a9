/* SPDX-License-Identifier: MIT */
/* Finding config files and splitting them into raw (unvalidated) instances. */
#include <errno.h>
#include <glob.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "fsutil.h"
#include "node.h"

static const char *const cwd_candidates[] = {
	"config/galaxy.yml",
	"galaxy.yml",
	"config/galaxy.yml.sample",
	NULL,
};

static bool config_has_path(const struct gx_config *cfg, const char *path)
{
	for (size_t i = 0; i < cfg->n_paths; i++)
		if (strcmp(cfg->paths[i], path) == 0)
			return true;
	return false;
}

/* Append an absolute copy of path (relative to cwd), once. */
static int config_add_path(struct gx_config *cfg, const char *path, const char *cwd)
{
	char *abs = gx_path_abs(path, cwd);
	char **grown;

	if (!abs)
		return -ENOMEM;
	if (config_has_path(cfg, abs)) {
		free(abs);
		return 0;
	}
	grown = realloc(cfg->paths, (cfg->n_paths + 2) * sizeof(*grown));
	if (!grown) {
		free(abs);
		return -ENOMEM;
	}
	cfg->paths = grown;
	cfg->paths[cfg->n_paths++] = abs;
	cfg->paths[cfg->n_paths] = NULL;
	return 0;
}

/*
 * A file the user named must exist.  With resolve, symlinks are resolved,
 * as upstream's --config-file does (the systemd backend hashes this path).
 */
static int config_add_named(struct gx_config *cfg, const char *path, const char *cwd,
			    const char *how, bool resolve, struct gx_error *err)
{
	char *abs = gx_path_abs(path, cwd), *real = NULL;
	bool is_dir, ok;
	int r;

	if (!abs)
		return -ENOMEM;
	is_dir = gx_path_is_dir(abs);
	ok = !is_dir && gx_path_exists(abs);
	if (!ok) {
		free(abs);
		return gx_error_set(err, NULL, -ENOENT, "config file %s (from %s) does not exist%s",
					  path, how, is_dir ? " (it is a directory)" : "");
	}
	if (resolve)
		real = realpath(abs, NULL);
	r = config_add_path(cfg, real ? real : abs, NULL);
	free(real);
	free(abs);
	return r;
}

static int config_add_env_list(struct gx_config *cfg, const char *list, const char *cwd,
			       struct gx_error *err)
{
	char *copy = strdup(list), *save = NULL;
	int r = copy ? 0 : -ENOMEM;

	for (char *p = copy ? strtok_r(copy, ":", &save) : NULL; p && r == 0;
	     p = strtok_r(NULL, ":", &save))
		r = config_add_named(cfg, p, cwd, "$GRAVITY_CONFIG_FILE", true, err);
	free(copy);
	return r;
}

static int config_add_etc(struct gx_config *cfg, const char *etc_dir)
{
	static const char *const patterns[] = { "gravity.d/*.yml", "gravity.d/*.yaml" };
	static const char *const names[] = { "gravity.yml", "galaxy.yml" };
	glob_t g = { 0 };
	int r = 0;

	for (size_t i = 0; i < 2 && r == 0; i++) {
		char *p = gx_path_join(etc_dir, names[i]);

		if (!p)
			return -ENOMEM;
		if (gx_path_exists(p))
			r = config_add_path(cfg, p, NULL);
		free(p);
	}
	for (size_t i = 0; i < 2 && r == 0; i++) {
		char *pat = gx_path_join(etc_dir, patterns[i]);

		if (!pat)
			return -ENOMEM;
		/* GLOB_APPEND keeps both patterns in one sorted-per-pattern list. */
		glob(pat, i ? GLOB_APPEND : 0, NULL, &g);
		free(pat);
	}
	for (size_t i = 0; i < g.gl_pathc && r == 0; i++)
		r = config_add_path(cfg, g.gl_pathv[i], NULL);
	globfree(&g);
	return r;
}

int gx_config_find(struct gx_config *cfg, const struct gx_config_sources *src,
		   struct gx_error *err)
{
	const char *gravity_env = getenv("GRAVITY_CONFIG_FILE");
	const char *galaxy_env = getenv("GALAXY_CONFIG_FILE");
	const char *cwd = src->cwd;
	bool explicit = src->n_files > 0 || (gravity_env && *gravity_env);
	int r = 0;

	if (src->n_files > 0) {
		for (size_t i = 0; i < src->n_files && r == 0; i++)
			r = config_add_named(cfg, src->files[i], cwd, "--config-file", true, err);
	} else if (gravity_env && *gravity_env) {
		r = config_add_env_list(cfg, gravity_env, cwd, err);
	} else if (galaxy_env && *galaxy_env) {
		r = config_add_named(cfg, galaxy_env, cwd, "$GALAXY_CONFIG_FILE", false, err);
	} else if (src->is_root) {
		/* As upstream: root reads every config in /etc/galaxy, instead of the working directory's. */
		r = config_add_etc(cfg, src->etc_dir ? src->etc_dir : "/etc/galaxy");
	}
	/* Not upstream's: root with nothing in /etc/galaxy still finds a Galaxy root's config. */
	if (r == 0 && cfg->n_paths == 0 && src->n_files == 0 && !explicit &&
	    !(galaxy_env && *galaxy_env)) {
		for (size_t i = 0; cwd_candidates[i]; i++) {
			char *p = gx_path_abs(cwd_candidates[i], cwd);
			bool found;

			if (!p)
				return -ENOMEM;
			found = gx_path_exists(p) && !gx_path_is_dir(p);
			free(p);
			if (found) {
				r = config_add_path(cfg, cwd_candidates[i], cwd);
				break;
			}
		}
	}
	cfg->none_found = r == 0 && cfg->n_paths == 0;
	if (cfg->none_found)
		r = gx_error_set(err, NULL, -ENOENT,
				       "no config file found: use --config-file, set "
				       "$GRAVITY_CONFIG_FILE, or run from a Galaxy root (looked "
				       "for config/galaxy.yml, galaxy.yml, config/galaxy.yml.sample%s)",
				       src->is_root && !explicit ? " and /etc/galaxy" : "");
	if (r == -ENOMEM)
		gx_error_set(err, NULL, r, "out of memory");
	return r;
}

/* The doc for path, loading it once; NULL with a diag error on failure. */
static struct gx_yaml_doc *config_doc(struct gx_config *cfg, const char *path,
				      struct gx_diag *diag)
{
	struct gx_yaml_doc **grown, *doc = NULL;
	struct gx_error err = { 0 };

	for (size_t i = 0; i < cfg->n_docs; i++)
		if (strcmp(cfg->docs[i]->path, path) == 0)
			return cfg->docs[i];
	if (gx_yaml_load_file(path, &doc, &err) < 0) {
		gx_diag_add_error(diag, &err);
		return NULL;
	}
	grown = realloc(cfg->docs, (cfg->n_docs + 1) * sizeof(*grown));
	if (!grown) {
		gx_yaml_doc_free(doc);
		gx_diag_add(diag, GX_LOG_ERROR, NULL, "out of memory");
		return NULL;
	}
	cfg->docs = grown;
	cfg->docs[cfg->n_docs++] = doc;
	return doc;
}

/* A top-level section as a mapping (or sequence, when allowed); NULL when absent or null. */
static const struct gx_node *config_section(const struct gx_node *root, const char *name,
					    bool seq_ok, struct gx_diag *diag, bool *bad)
{
	const struct gx_node *n = gx_node_get(root, name);

	if (gx_node_is_null(n))
		return NULL;
	if (n->kind == GX_NODE_MAPPING || (seq_ok && n->kind == GX_NODE_SEQUENCE))
		return n;
	gx_diag_add(diag, GX_LOG_ERROR, &n->mark, "%s: expected a mapping%s, got a %s", name,
		    seq_ok ? " or a list of mappings" : "", gx_node_kind_name(n->kind));
	*bad = true;
	return NULL;
}

static struct gx_raw_instance *config_new_raw(struct gx_config *cfg)
{
	struct gx_raw_instance *grown = realloc(cfg->raw, (cfg->n_raw + 1) * sizeof(*grown));

	if (!grown)
		return NULL;
	cfg->raw = grown;
	memset(&cfg->raw[cfg->n_raw], 0, sizeof(*grown));
	return &cfg->raw[cfg->n_raw++];
}

/*
 * Point raw at its galaxy config: the gravity file itself when it has a
 * galaxy section (galaxy_config_file is then ignored, as upstream does),
 * else the galaxy_config_file option, relative to the gravity file.
 */
static int config_link_galaxy(struct gx_config *cfg, struct gx_raw_instance *raw,
			      const struct gx_node *own_galaxy, struct gx_diag *diag)
{
	const struct gx_node *opt = gx_node_get(raw->gravity, "galaxy_config_file");
	struct gx_yaml_doc *doc;
	bool bad = false;
	char *dir;

	if (own_galaxy || gx_node_is_null(opt)) {
		raw->galaxy = own_galaxy;
		raw->galaxy_config_file = strdup(raw->config_file);
		return raw->galaxy_config_file ? 0 : -ENOMEM;
	}
	if (opt->kind != GX_NODE_SCALAR) {
		gx_diag_add(diag, GX_LOG_ERROR, &opt->mark,
			    "gravity.galaxy_config_file: expected a path, got a %s",
			    gx_node_kind_name(opt->kind));
		return -EINVAL;
	}
	dir = gx_path_dirname(raw->config_file);
	raw->galaxy_config_file = dir ? gx_path_abs(opt->scalar, dir) : NULL;
	free(dir);
	if (!raw->galaxy_config_file)
		return -ENOMEM;
	doc = config_doc(cfg, raw->galaxy_config_file, diag);
	if (!doc)
		return -EINVAL;
	if (!gx_node_get(doc->root, "galaxy")) {
		gx_diag_add(diag, GX_LOG_ERROR, &opt->mark,
			    "Galaxy config file does not contain a galaxy section: %s",
			    raw->galaxy_config_file);
		return -EINVAL;
	}
	raw->galaxy = config_section(doc->root, "galaxy", false, diag, &bad);
	return bad ? -EINVAL : 0;
}

static int config_split_list(struct gx_config *cfg, const char *path,
			     const struct gx_node *list, struct gx_diag *diag)
{
	int r = 0;

	for (size_t i = 0; i < list->n; i++) {
		const struct gx_node *item = list->items[i];
		struct gx_raw_instance *raw;

		if (item->kind != GX_NODE_MAPPING) {
			gx_diag_add(diag, GX_LOG_ERROR, &item->mark,
				    "gravity[%zu]: expected a mapping, got a %s", i,
				    gx_node_kind_name(item->kind));
			r = -EINVAL;
			continue;
		}
		if (gx_node_is_null(gx_node_get(item, "galaxy_config_file"))) {
			gx_diag_add(diag, GX_LOG_ERROR, &item->mark,
				    "The `galaxy_config_file` option must be set when multiple "
				    "Gravity configurations are present: %s", path);
			r = -EINVAL;
			continue;
		}
		raw = config_new_raw(cfg);
		if (!raw)
			return -ENOMEM;
		raw->config_file = path;
		raw->gravity = item;
		raw->at = item;
		if (config_link_galaxy(cfg, raw, NULL, diag) < 0)
			r = -EINVAL;
	}
	return r;
}

static int config_split(struct gx_config *cfg, struct gx_yaml_doc *doc, struct gx_diag *diag)
{
	const struct gx_node *root = doc->root, *gravity, *galaxy;
	struct gx_mark whole = { .file = doc->path };
	struct gx_raw_instance *raw;
	bool has_gravity, has_galaxy, bad = false;

	if (root->kind != GX_NODE_MAPPING) {
		gx_diag_add(diag, GX_LOG_ERROR, &whole,
			    "Config file does not look like valid Galaxy or Gravity configuration "
			    "file: %s", doc->path);
		return -EINVAL;
	}
	has_gravity = gx_node_get(root, "gravity") != NULL;
	has_galaxy = gx_node_get(root, "galaxy") != NULL;
	gravity = config_section(root, "gravity", true, diag, &bad);
	galaxy = config_section(root, "galaxy", false, diag, &bad);
	if (bad)
		return -EINVAL;
	if (!has_gravity && !has_galaxy) {
		gx_diag_add(diag, GX_LOG_ERROR, &whole,
			    "Config file does not look like valid Galaxy or Gravity configuration "
			    "file: %s", doc->path);
		return -EINVAL;
	}
	if (gravity && gravity->kind == GX_NODE_SEQUENCE) {
		if (has_galaxy) {
			gx_diag_add(diag, GX_LOG_ERROR, &gravity->mark,
				    "Multiple Gravity configurations in a shared Galaxy configuration "
				    "file is ambiguous, set `galaxy_config_file` and remove the Galaxy "
				    "configuration: %s", doc->path);
			return -EINVAL;
		}
		return config_split_list(cfg, doc->path, gravity, diag);
	}
	if (!has_gravity)
		gx_diag_add(diag, GX_LOG_WARNING, &whole,
			    "Config file appears to be a Galaxy config but contains no gravity "
			    "section, Gravity defaults will be used: %s", doc->path);
	else if (!has_galaxy && gx_node_is_null(gx_node_get(gravity, "galaxy_config_file")))
		gx_diag_add(diag, GX_LOG_WARNING, &whole,
			    "Config file appears to be a Gravity config but contains no galaxy "
			    "section, Galaxy defaults will be used: %s", doc->path);
	raw = config_new_raw(cfg);
	if (!raw)
		return -ENOMEM;
	raw->config_file = doc->path;
	raw->gravity = gravity;
	raw->at = gravity ? gravity : root;
	return config_link_galaxy(cfg, raw, galaxy, diag);
}

int gx_config_load(struct gx_config *cfg, struct gx_diag *diag)
{
	int result = 0;

	for (size_t i = 0; i < cfg->n_paths; i++) {
		struct gx_yaml_doc *doc = config_doc(cfg, cfg->paths[i], diag);
		int r;

		if (!doc) {
			result = -EINVAL;
			continue;
		}
		r = config_split(cfg, doc, diag);
		if (r == -ENOMEM)
			return r;
		if (r < 0)
			result = r;
	}
	return diag->n_errors ? -EINVAL : result;
}

int gx_config_add_defaults(struct gx_config *cfg)
{
	return config_new_raw(cfg) ? 0 : -ENOMEM;
}

void gx_config_release(struct gx_config *cfg)
{
	for (size_t i = 0; i < cfg->n_paths; i++)
		free(cfg->paths[i]);
	free(cfg->paths);
	for (size_t i = 0; i < cfg->n_docs; i++)
		gx_yaml_doc_free(cfg->docs[i]);
	free(cfg->docs);
	for (size_t i = 0; i < cfg->n_raw; i++)
		free(cfg->raw[i].galaxy_config_file);
	free(cfg->raw);
	memset(cfg, 0, sizeof(*cfg));
}
