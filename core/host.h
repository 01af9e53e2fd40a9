/* SPDX-License-Identifier: MIT */
/* The gx_host instance the core hands to modules. */
#ifndef GX_HOST_H
#define GX_HOST_H

#include "galaxyctl/plugin.h"

/*
 * Set up the host once, before any module is called.  self_exe is copied;
 * debug enables GX_LOG_DEBUG messages.  Returns the host, valid until
 * gx_host_release().
 */
const struct gx_host *gx_host_init(const char *self_exe, bool debug);
void gx_host_release(void);
/* Diagnostics to stderr as "galaxyctl: warning: ...", shared by the core. */
void gx_log(enum gx_log_level level, const char *fmt, ...) GX_PRINTF(2, 3);
/* Quiet mode: drop INFO messages (start --quiet). */
void gx_log_set_quiet(bool quiet);
/* Drop everything below errors (a check renders what the command then renders again, loudly). */
void gx_log_mute(bool mute);

/* update --dry-run: the host's write_file refuses to write (a backend bug stops there). */
void gx_host_set_dry_run(bool dry_run);

#endif
