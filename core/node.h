/* SPDX-License-Identifier: MIT */
/* The neutral config tree: construction, lookup and YAML 1.1 scalar resolution. */
#ifndef GX_NODE_H
#define GX_NODE_H

#include "galaxyctl/plugin.h"

/* A new empty node of kind; file is borrowed and must outlive the node. NULL on ENOMEM. */
struct gx_node *gx_node_new(enum gx_node_kind kind, const struct gx_mark *mark);
struct gx_node *gx_node_new_scalar(const char *text, bool plain, const struct gx_mark *mark);
/* Frees node and everything below it; NULL is fine. */
void gx_node_free(struct gx_node *node);
/* Deep copy (marks are shared by pointer). NULL on ENOMEM. */
struct gx_node *gx_node_dup(const struct gx_node *node);

/* Append to a sequence / mapping; on success the parent owns the children. -ENOMEM on failure. */
int gx_node_seq_append(struct gx_node *seq, struct gx_node *item);
int gx_node_map_append(struct gx_node *map, struct gx_node *key, struct gx_node *value);
/* Set key to value, replacing (and freeing) an existing value. Takes value. */
int gx_node_map_set(struct gx_node *map, const char *key, struct gx_node *value);

/* Remove every pair with key (NULL map or absent key: nothing happens). */
void gx_node_map_remove(struct gx_node *map, const char *key);

/* Value for key in a mapping (last one wins, as in YAML loaders), or NULL. */
const struct gx_node *gx_node_get(const struct gx_node *map, const char *key);
const struct gx_pair *gx_node_get_pair(const struct gx_node *map, const char *key);

/* The text of a scalar value for key, or NULL when absent, null or not a scalar. */
const char *gx_node_get_str(const struct gx_node *map, const char *key);

/* NULL node, GX_NODE_NULL, or a plain scalar "", "~", "null", "Null", "NULL". */
bool gx_node_is_null(const struct gx_node *node);
/*
 * YAML 1.1 resolution of plain scalars.  Each returns false when the node
 * is not of that type; quoted scalars are strings only.
 *   bool:  true/false/yes/no/on/off (any case form YAML 1.1 allows)
 *   int:   decimal, 0x hex, 0o/leading-0 octal, with sign and '_'
 *   float: decimal with '.', exponent, .inf, .nan; ints are floats too
 */
bool gx_node_as_bool(const struct gx_node *node, bool *ret);
bool gx_node_as_long(const struct gx_node *node, long *ret);
bool gx_node_as_double(const struct gx_node *node, double *ret);
/* "null", "scalar", "mapping", "sequence". */
const char *gx_node_kind_name(enum gx_node_kind kind);

#endif
