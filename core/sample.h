/* SPDX-License-Identifier: MIT */
/* show --sample-config: a fully commented gravity section generated from the option tables. */
#ifndef GX_SAMPLE_H
#define GX_SAMPLE_H

#include <stdio.h>

#include "galaxyctl/plugin.h"

/*
 * Write the sample: the top-level options of core (gx_core_options), then
 * one section per distinct section name of types (n entries, in load
 * order), upstream's sections first in upstream's order.  Each option is
 * its doc as comment lines and "# key: default"; hidden options are left
 * out.  Returns 0 or -EIO.
 */
int gx_sample_write(const struct gx_option *core, const struct gx_service_type *const *types,
		    size_t n, FILE *out);

#endif
