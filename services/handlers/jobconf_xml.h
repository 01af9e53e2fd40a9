/* SPDX-License-Identifier: MIT */
/* job_conf.xml: the handler ids under <handlers>, read with libxml2 opened on first use. */
#ifndef GX_HANDLERS_JOBCONF_XML_H
#define GX_HANDLERS_JOBCONF_XML_H

#include <stdbool.h>

#include <galaxyctl/plugin.h>

/* Called once per handler element, in file order; a negative errno stops the reading. */
typedef int (*handlers_xml_each_fn)(void *ctx, const char *id);

/*
 * Read path: *ret_dynamic tells whether <handlers assign_with="..."> names
 * a dynamic method (db-skip-locked, db-transaction-isolation), and each
 * element under <handlers> goes to each() with its id.  Errors, with
 * file and line: libxml2 missing, unparsable XML, an element without id.
 */
int handlers_xml_read(const struct gx_host *h, const char *path, bool *ret_dynamic,
		      handlers_xml_each_fn each, void *ctx, struct gx_error *err);

#endif
