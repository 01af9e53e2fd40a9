/* SPDX-License-Identifier: MIT */
/* Collected diagnostics (warnings and errors with config locations), printed once by the CLI. */
#ifndef GX_DIAG_H
#define GX_DIAG_H

#include <stdio.h>

#include "galaxyctl/plugin.h"

struct gx_diag_msg {
	enum gx_log_level level;
	char *file; /* NULL when the message has no location */
	unsigned line;
	unsigned column;
	char *text;
};

/* Zero-initialise; release with gx_diag_release(). */
struct gx_diag {
	struct gx_diag_msg *msgs;
	size_t n;
	size_t alloc;
	unsigned n_errors;
};

/* Add a message; at may be NULL.  Allocation failure is reported to stderr and dropped. */
void gx_diag_add(struct gx_diag *d, enum gx_log_level level, const struct gx_mark *at,
		 const char *fmt, ...) GX_PRINTF(4, 5);
/* Add the content of a gx_error as an error. */
void gx_diag_add_error(struct gx_diag *d, const struct gx_error *err);
/*
 * Print each message as "galaxyctl: FILE:LINE:COL: error: TEXT" (location
 * parts left out when unknown), in the order added.  Messages below
 * min_level are skipped.
 */
void gx_diag_print(const struct gx_diag *d, FILE *out, enum gx_log_level min_level);
void gx_diag_release(struct gx_diag *d);
/* One error as config errors print: "galaxyctl: FILE:LINE:COL: error: ..." when it has a place. */
void gx_diag_print_error(const struct gx_error *err, FILE *out);

/* Fill err like gx_host.errorf() does; returns code. */
int gx_error_set(struct gx_error *err, const struct gx_node *at, int code, const char *fmt, ...)
	GX_PRINTF(4, 5);
int gx_error_setv(struct gx_error *err, const struct gx_node *at, int code, const char *fmt,
		  va_list ap) GX_PRINTF(4, 0);

#endif
