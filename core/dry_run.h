/* SPDX-License-Identifier: MIT */
/* update --dry-run: what the backends say update would do, printed with diffs in one place. */
#ifndef GX_DRY_RUN_H
#define GX_DRY_RUN_H

#include <stdio.h>

#include "galaxyctl/plugin.h"

/*
 * What update would do, backend by backend.  Zero-initialise, set force
 * (update --force: an unchanged file is still rewritten), and release with
 * gx_plan_release().
 */
struct gx_plan {
	struct gx_plan_entry *v;
	size_t n;
	size_t alloc;
	bool force;
	char *backend; /* the backend whose entries come next */
};

/* The entries that follow are backend's.  -ENOMEM or 0. */
int gx_plan_begin(struct gx_plan *plan, const char *backend);
void gx_plan_release(struct gx_plan *plan);

/* The host's plan_* slots (see plugin.h). */
int gx_plan_file(struct gx_plan *plan, const char *path, const char *data, size_t len,
		 mode_t mode, const char *what, struct gx_error *err);
int gx_plan_remove(struct gx_plan *plan, const char *path, const char *what,
		   struct gx_error *err);
int gx_plan_dir(struct gx_plan *plan, const char *path, const char *what, struct gx_error *err);
int gx_plan_action(struct gx_plan *plan, enum gx_plan_verb verb, const char *who,
		   const char *fmt, ...) GX_PRINTF(4, 5);

/* How many changes the plan holds: files, directories and actions (notes are none). */
size_t gx_plan_changes(const struct gx_plan *plan);
/*
 * Print the plan: each file added, changed, rewritten or removed with its
 * unified diff, each directory created, each action, then a summary line.
 * -ENOMEM or 0.
 */
int gx_plan_print(const struct gx_plan *plan, FILE *out);

#endif
