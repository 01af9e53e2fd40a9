/* SPDX-License-Identifier: MIT */
/* Finding config files and splitting them into raw (unvalidated) instances. */
#ifndef GX_CONFIG_H
#define GX_CONFIG_H

#include "diag.h"
#include "galaxyctl/plugin.h"
#include "yaml_load.h"

/* Where to look, filled by the CLI; strings are borrowed. */
struct gx_config_sources {
	char *const *files; /* -c, in order */
	size_t n_files;
	bool is_root;       /* root and GRAVITY_SKIP_SYSTEMD unset */
	const char *cwd;    /* NULL: the process's */
	const char *etc_dir; /* NULL: /etc/galaxy (tests point it elsewhere) */
};

/* One gravity config before validation.  Nodes point into gx_config's docs. */
struct gx_raw_instance {
	const char *config_file;         /* absolute path of the gravity config; NULL: none */
	const struct gx_node *gravity;   /* mapping, or NULL when the file has none */
	char *galaxy_config_file;        /* absolute; NULL when unknown */
	const struct gx_node *galaxy;    /* mapping, or NULL */
	const struct gx_node *at;        /* where this instance is defined, for messages */
};

/* Zero-initialise; release with gx_config_release(). */
struct gx_config {
	char **paths; /* the config files found, absolute, in search order */
	size_t n_paths;
	bool none_found; /* gx_config_find looked everywhere and found no file */
	struct gx_yaml_doc **docs; /* every file read, gravity and galaxy */
	size_t n_docs;
	struct gx_raw_instance *raw;
	size_t n_raw;
};

/*
 * Find the config files (docs 4.2.1 order): -c files; else each entry of
 * $GRAVITY_CONFIG_FILE (colon-separated); else $GALAXY_CONFIG_FILE; else
 * the first of config/galaxy.yml, galaxy.yml, config/galaxy.yml.sample in
 * cwd; then, as root and without -c or $GRAVITY_CONFIG_FILE,
 * /etc/galaxy/gravity.yml, /etc/galaxy/galaxy.yml and
 * /etc/galaxy/gravity.d/ *.yml and *.yaml (sorted).  A named file that
 * does not exist is an error.  No file at all is -ENOENT with a hint, and
 * cfg->none_found set.
 */
int gx_config_find(struct gx_config *cfg, const struct gx_config_sources *src,
		   struct gx_error *err);
/*
 * Read every found file and split it into raw instances: a file with
 * gravity: and galaxy:; a gravity-only file whose galaxy_config_file is
 * relative to it; a gravity: list.  Warnings and errors go to diag;
 * returns -EINVAL when any error was added.
 */
int gx_config_load(struct gx_config *cfg, struct gx_diag *diag);
/*
 * Add an instance with no config file at all, every setting its default,
 * as upstream runs when it finds no config but Galaxy is installed.
 */
int gx_config_add_defaults(struct gx_config *cfg);
void gx_config_release(struct gx_config *cfg);

#endif
