/* SPDX-License-Identifier: MIT */
/* The plugin host: finds, loads and checks backend and service-type modules. */
#ifndef GX_PLUGINS_H
#define GX_PLUGINS_H

#include "galaxyctl/plugin.h"

struct gx_loaded_module {
	char *path;
	void *handle; /* lt_dlhandle */
	const struct gx_module *module;
};

/* Zero-initialise; release with gx_plugins_release(). */
struct gx_plugins {
	struct gx_loaded_module *modules;
	size_t n_modules;
	char **search_path; /* directories in search order, NULL-terminated */
	size_t n_env_dirs;  /* how many of them came from $GRAVITY_PLUGIN_PATH */
	const struct gx_service_type **types; /* every service type, load order */
	size_t n_types;
	const struct gx_backend **backends;
	size_t n_backends;
	const char **backend_paths; /* module path of each backend */
	unsigned *backend_minors;   /* ABI minor of each backend's module: which slots it has */
	const char **type_paths;    /* module path of each type */
};

/*
 * Build the search path: each directory of $GRAVITY_PLUGIN_PATH (colon
 * separated), then builddir's backends/.libs and services/.libs when
 * builddir is not NULL, then pkglibdir/backends and pkglibdir/services.
 */
int gx_plugins_init(struct gx_plugins *p, const char *builddir, const char *pkglibdir);
/*
 * Load every *.so of the search path, except those of the backends
 * directories of the build tree and pkglibdir: a backend there is opened
 * by gx_plugins_backend() when a command needs it, so that commands
 * which drive no backend never pay for its libraries.  A file name seen
 * earlier in the path shadows later ones.  Errors, each with one clear message in err:
 *   a module that fails to load (the loader's text), has no gx_module
 *   symbol, or has another ABI major version or a smaller struct
 *   (module, its version, ours); two modules claiming one service type or
 *   backend name (both paths).
 */
int gx_plugins_load(struct gx_plugins *p, struct gx_error *err);
/*
 * The backend called name, loading <name>.so from a backends directory when
 * it is not loaded yet; or NULL with err naming those available and the
 * paths searched (err.code -ENOENT: no module has that name), or why the
 * module could not be loaded (any other code).
 */
const struct gx_backend *gx_plugins_backend(struct gx_plugins *p, const char *name,
					    struct gx_error *err);
/*
 * Append the name of every backend to out: those loaded, then those a
 * backends directory holds unopened, each once.
 */
int gx_plugins_backend_names(const struct gx_plugins *p, struct gx_strv *out);
const struct gx_service_type *gx_plugins_type(const struct gx_plugins *p, const char *name);
typedef int (*gx_backend_slot)(const struct gx_host *h, const struct gx_request *rq,
			       struct gx_error *err);
/* b's check slot (ABI 1.2), or NULL when b's module is older or has none. */
gx_backend_slot gx_plugins_backend_check(const struct gx_plugins *p, const struct gx_backend *b);
/* The ABI minor version backend b's module was built with (0 when b is not loaded). */
unsigned gx_plugins_backend_minor(const struct gx_plugins *p, const struct gx_backend *b);
typedef int (*gx_plan_slot)(const struct gx_host *h, const struct gx_request *rq,
			    struct gx_plan *plan, struct gx_error *err);
/* b's plan slot (ABI 1.6), or NULL when b's module is older or has none. */
gx_plan_slot gx_plugins_backend_plan(const struct gx_plugins *p, const struct gx_backend *b);
typedef int (*gx_process_names_slot)(const struct gx_host *h, const struct gx_request *rq,
				     const struct gx_service *svc, struct gx_strv *out);
/* b's process_names slot (ABI 1.5), or NULL when b's module is older or has none. */
gx_process_names_slot gx_plugins_backend_process_names(const struct gx_plugins *p,
							const struct gx_backend *b);
void gx_plugins_release(struct gx_plugins *p);

#endif
