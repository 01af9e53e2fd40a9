/* SPDX-License-Identifier: MIT */
/* Paths and files: joining, absolutising, atomic writes. */
#ifndef GX_FSUTIL_H
#define GX_FSUTIL_H

#include <stdbool.h>
#include <sys/types.h>

#include "galaxyctl/plugin.h"

/* Heap "a/b" (b alone when absolute). NULL on ENOMEM. */
char *gx_path_join(const char *a, const char *b);
/* Heap absolute, lexically normalised path (no symlink resolution). base NULL: cwd. */
char *gx_path_abs(const char *path, const char *base);
/* Heap directory part of path ("." when none). */
char *gx_path_dirname(const char *path);
bool gx_path_exists(const char *path);
bool gx_path_is_dir(const char *path);
/* mkdir -p with mode for created dirs. */
int gx_mkdir_p(const char *path, mode_t mode);
/* Write data to path atomically: temp file beside it, fsync, rename; parents created. */
int gx_write_file(const char *path, const char *data, size_t len, mode_t mode, struct gx_error *err);
/* The most a config file may hold (galaxy.yml, gravity.yml, job configs): 16 MiB. */
#define GX_CONFIG_MAX_BYTES ((size_t)16 << 20)
/*
 * A whole regular file of at most max bytes into a heap NUL-terminated
 * buffer (the caller frees it).  FIFOs, devices and directories are refused
 * without blocking; errors name the path.  err may be NULL.
 */
int gx_read_file(const char *path, size_t max, char **ret_data, size_t *ret_len,
		 struct gx_error *err);

#endif
