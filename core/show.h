/* SPDX-License-Identifier: MIT */
/* The list and show commands: instance tables, and an instance's config as upstream's JSON. */
#ifndef GX_SHOW_H
#define GX_SHOW_H

#include <stdio.h>

#include "instance.h"

/* "INSTANCE NAME  [VERSION  ]CONFIG PATH" rows, as upstream prints them. */
void gx_show_list(const struct gx_instances *insts, bool version, FILE *out);
/*
 * An instance's config as upstream's show prints it: the JSON object of
 * its derived paths and choices, in upstream's key order.  details (ours)
 * adds the services it expands to and every gravity setting with its
 * default.  -ENOMEM or -EIO on failure.
 */
int gx_show_instance(const struct gx_instance *inst, bool details, FILE *out);
/* VERSION from <galaxy_root>/lib/galaxy/version.py as a heap string, or NULL. */
char *gx_galaxy_version(const char *galaxy_root);

#endif
