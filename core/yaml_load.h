/* SPDX-License-Identifier: MIT */
/* libyaml reader: a YAML file into a gx_node tree that remembers file:line:column. */
#ifndef GX_YAML_LOAD_H
#define GX_YAML_LOAD_H

#include "galaxyctl/plugin.h"

/* A loaded file. Nodes' marks point at path, so the doc outlives its nodes. */
struct gx_yaml_doc {
	char *path;
	struct gx_node *root; /* NULL node (GX_NODE_NULL) for an empty file */
};

/*
 * Load the first document of a file. Anchors/aliases are resolved by
 * copying; merge keys ("<<") are applied.  Errors (missing file, syntax)
 * fill err with file:line:col and return a negative errno.
 */
int gx_yaml_load_file(const char *path, struct gx_yaml_doc **ret_doc, struct gx_error *err);
/* Same from memory; name is used as the file name in marks. */
int gx_yaml_load_string(const char *name, const char *text, size_t len,
			struct gx_yaml_doc **ret_doc, struct gx_error *err);
void gx_yaml_doc_free(struct gx_yaml_doc *doc);

#endif
