/* SPDX-License-Identifier: MIT */
/* From raw configs to validated instances with their paths and services. */
#ifndef GX_INSTANCE_H
#define GX_INSTANCE_H

#include "config.h"
#include "diag.h"
#include "galaxyctl/plugin.h"
#include "plugins.h"

/* What the environment decides, filled by the CLI; strings borrowed. */
struct gx_instance_env {
	bool is_root;               /* root and GRAVITY_SKIP_SYSTEMD unset */
	const char *state_dir;      /* --state-dir or $GRAVITY_STATE_DIR, or NULL */
	const char *galaxy_root_dir; /* $GALAXY_ROOT_DIR, or NULL */
	const char *virtual_env;    /* $VIRTUAL_ENV, where to look for an installed Galaxy
				     * when virtualenv is unset; or NULL */
	char *const *envp;          /* for GRAVITY_<OPTION> settings; NULL: none */
};

/* Zero-initialise; release with gx_instances_release(). */
struct gx_instances {
	struct gx_instance **v;
	size_t n;
};

/*
 * Validate every raw instance of cfg against the core and plugin option
 * tables, derive paths and expand services.  All problems go to diag;
 * returns -EINVAL when any error was added (ret untouched).
 */
int gx_instances_build(const struct gx_config *cfg, const struct gx_plugins *plugins,
		       const struct gx_host *host, const struct gx_instance_env *env,
		       struct gx_diag *diag, struct gx_instances *ret);
void gx_instances_release(struct gx_instances *insts);

/*
 * Is Galaxy installed as a package in the virtualenv venv (NULL: no)?  As
 * upstream's importable galaxy.version: <venv>/lib/python* /site-packages/
 * galaxy/version.py, where pip and uv put it.
 */
bool gx_galaxy_installed(const char *venv);

/* Register a service for the instance being expanded (gx_host.add_service). */
int gx_expand_add(struct gx_expand *ctx, const struct gx_service_spec *spec,
		  struct gx_error *err);
/* The default expansion of a section (gx_host.expand_default). */
int gx_expand_default(const struct gx_instance *inst, const struct gx_node *section,
		      struct gx_expand *ctx, struct gx_error *err);

/* The instance called name, or NULL. */
struct gx_instance *gx_instances_find(const struct gx_instances *insts, const char *name);
/* The service called name in inst, or NULL. */
const struct gx_service *gx_instance_service(const struct gx_instance *inst, const char *name);

#endif
