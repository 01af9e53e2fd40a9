/* SPDX-License-Identifier: MIT */
/* Where the running galaxyctl is: the binary itself, and the path it was invoked by. */
#ifndef GX_SELF_PATH_H
#define GX_SELF_PATH_H

/* The running binary with every symlink resolved (/proc/self/exe), else argv0 made absolute.
 * Caller frees; NULL on allocation failure. */
char *gx_self_exe(const char *argv0);

/* The galaxyctl command that rendered programs and units call back into, as upstream writes it:
 * the path it was invoked by, symlinks kept (a /usr/local/bin/galaxyctl link stays that), found
 * on PATH when argv0 is a bare name; `galaxy` becomes the `galaxyctl` beside it. Falls back to
 * self_exe when argv0 does not name an executable galaxyctl. Caller frees; NULL on ENOMEM. */
char *gx_invoked_galaxyctl(const char *argv0, const char *self_exe);

#endif
