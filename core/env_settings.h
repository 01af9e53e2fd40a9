/* SPDX-License-Identifier: MIT */
/*
 * Settings from the environment, as upstream's (pydantic BaseSettings with
 * the prefix GRAVITY_): GRAVITY_LOG_DIR=/x, GRAVITY_GUNICORN.BIND=:8080.
 */
#ifndef GX_ENV_SETTINGS_H
#define GX_ENV_SETTINGS_H

#include "galaxyctl/plugin.h"

/*
 * A copy of gravity (a mapping, or NULL for none) with every option the
 * YAML leaves out but envp sets: a variable GRAVITY_<OPTION> (any case)
 * for a top-level option of core, GRAVITY_<SECTION>.<KEY> for a key of
 * one of sections (NULL-terminated) when that section is absent or a
 * mapping.  The YAML wins over the environment, as upstream's.  Each added
 * node is marked with the variable's name ("$GRAVITY_LOG_DIR"), stored in
 * names, which must outlive the tree.  *ret is NULL when no variable
 * applies.  Returns 0 or -ENOMEM.
 */
int gx_env_settings_overlay(const struct gx_node *gravity, const struct gx_option *core,
			    const char *const *sections, char *const *envp, struct gx_strv *names,
			    struct gx_node **ret);

#endif
