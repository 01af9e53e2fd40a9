/* SPDX-License-Identifier: MIT */
/* tail -f of several log files on one terminal, each line prefixed with its program's name. */
#ifndef DIRECT_FOLLOW_H
#define DIRECT_FOLLOW_H

#include <stddef.h>

struct direct_follow_file {
	const char *name; /* the prefix */
	const char *path;
};

/*
 * Print the last `backlog` lines of each file, then everything written to
 * them, to out_fd, following rotations and truncations, until SIGINT,
 * SIGTERM or SIGHUP.  Returns 0, or a negative errno when following could
 * not be set up.
 */
int direct_follow(const struct direct_follow_file *files, size_t n, int out_fd, unsigned backlog);

#endif
