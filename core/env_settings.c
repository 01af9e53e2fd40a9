/* SPDX-License-Identifier: MIT */
/* GRAVITY_* environment variables as settings, under what the YAML says. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "env_settings.h"
#include "node.h"
#include "settings.h"
#include "strv.h"

#define ENV_PREFIX "GRAVITY_"

/* Options that are settled before settings are read, or are not upstream Settings fields. */
static const char *const env_ignored[] = { "galaxy_config_file", NULL };

static bool env_listed(const char *const *list, const char *name)
{
	for (; list && *list; list++)
		if (strcmp(*list, name) == 0)
			return true;
	return false;
}

/* Add key: value (a plain scalar marked with the variable) to map. */
static int env_add(struct gx_node *map, const char *key, const char *value, const char *mark_file)
{
	struct gx_mark mark = { .file = mark_file };
	struct gx_node *k = gx_node_new_scalar(key, true, &mark);
	struct gx_node *v = gx_node_new_scalar(value, true, &mark);

	if (!k || !v || gx_node_map_append(map, k, v) < 0) {
		gx_node_free(k);
		gx_node_free(v);
		return -ENOMEM;
	}
	return 0;
}

/* The mapping where section.key goes, created when the YAML has no such section; NULL to skip. */
static struct gx_node *env_section(struct gx_node *gravity, const char *section,
				   const char *mark_file, int *r)
{
	struct gx_mark mark = { .file = mark_file };
	const struct gx_node *have = gx_node_get(gravity, section);
	struct gx_node *map;

	if (have && !gx_node_is_null(have))
		return have->kind == GX_NODE_MAPPING ? (struct gx_node *)have : NULL;
	map = gx_node_new(GX_NODE_MAPPING, &mark);
	*r = map ? gx_node_map_set(gravity, section, map) : -ENOMEM;
	if (!map)
		return NULL;
	return *r == 0 ? (struct gx_node *)gx_node_get(gravity, section) : NULL;
}

/*
 * One variable: name is the lowercased part after the prefix.  Adds to
 * gravity what applies; *used tells whether anything did.
 */
static int env_apply_one(struct gx_node *gravity, const struct gx_option *core,
			 const char *const *sections, char *name, const char *value,
			 const char *mark_file, bool *used)
{
	char *dot = strchr(name, '.');
	struct gx_node *section;
	int r = 0;

	if (!dot) {
		if (!gx_option_find(core, name) || env_listed(env_ignored, name) ||
		    env_listed(sections, name) || gx_node_get(gravity, name))
			return 0;
		*used = true;
		return env_add(gravity, name, value, mark_file);
	}
	*dot = '\0';
	if (!env_listed(sections, name) || !dot[1] || strchr(dot + 1, '.'))
		return 0;
	section = env_section(gravity, name, mark_file, &r);
	if (!section || gx_node_get(section, dot + 1))
		return r;
	*used = true;
	return env_add(section, dot + 1, value, mark_file);
}

int gx_env_settings_overlay(const struct gx_node *gravity, const struct gx_option *core,
			    const char *const *sections, char *const *envp, struct gx_strv *names,
			    struct gx_node **ret)
{
	struct gx_node *copy = NULL;
	bool used = false;
	int r = 0;

	*ret = NULL;
	for (char *const *e = envp; r == 0 && e && *e; e++) {
		const char *eq = strchr(*e, '=');
		size_t len = eq ? (size_t)(eq - *e) : 0;
		char *name;

		if (len <= strlen(ENV_PREFIX) || strncasecmp(*e, ENV_PREFIX, strlen(ENV_PREFIX)) != 0)
			continue;
		if (!copy)
			copy = gravity ? gx_node_dup(gravity) : gx_node_new(GX_NODE_MAPPING, NULL);
		name = strndup(*e + strlen(ENV_PREFIX), len - strlen(ENV_PREFIX));
		if (!copy || !name || gx_strv_pushf(names, "$%.*s", (int)len, *e) < 0) {
			free(name);
			r = -ENOMEM;
			break;
		}
		for (char *c = name; *c; c++)
			*c = (char)tolower((unsigned char)*c);
		r = env_apply_one(copy, core, sections, name, eq + 1, names->v[names->n - 1], &used);
		free(name);
	}
	if (r < 0 || !used) {
		gx_node_free(copy);
		return r;
	}
	*ret = copy;
	return 0;
}
