/* SPDX-License-Identifier: MIT */
/* Validation of config sections against option tables, with defaults filled in. */
#ifndef GX_SETTINGS_H
#define GX_SETTINGS_H

#include "diag.h"
#include "galaxyctl/plugin.h"

/*
 * Validate section `in` (a mapping, or NULL/null for an empty section)
 * against table and build its effective mapping: every option of the table
 * present, in table order, defaults filled in (default nodes have a mark
 * with file NULL), values normalised to their type (a bool is "true" or
 * "false", an int its decimal text), keys in passthrough (NULL-terminated,
 * may be NULL) copied unvalidated.
 *
 * keypath names the section in messages ("gravity", "gravity.gunicorn[1]").
 * Unknown keys are warnings naming the nearest known key; wrong types,
 * values outside `allowed` or the bounds, and missing required options are
 * errors, each added to diag with its location.  Returns 0, or -EINVAL
 * when any error was added (ret_effective untouched), or -ENOMEM.
 */
int gx_settings_apply(const struct gx_option *table, const struct gx_node *in,
		      const char *keypath, const char *const *passthrough, struct gx_diag *diag,
		      struct gx_node **ret_effective);

const struct gx_option *gx_option_find(const struct gx_option *table, const char *name);
/* The known name closest to name (edit distance), or NULL if none is close. */
const char *gx_option_nearest(const struct gx_option *table, const char *const *extra,
			      const char *name);
const char *gx_type_name(enum gx_type type);

#endif
