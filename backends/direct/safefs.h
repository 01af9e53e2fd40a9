/* SPDX-License-Identifier: MIT */
/* Opening paths beside users who can write parts of them: no link they could plant is followed. */
#ifndef DIRECT_SAFEFS_H
#define DIRECT_SAFEFS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/*
 * Open the directory path (O_RDONLY | O_DIRECTORY).  A symbolic link on
 * the way is followed only where no other user could have planted it: in
 * a directory that belongs to root or to us and that neither group nor
 * others may write, or in a sticky one when the link is root's or ours.
 * Returns the descriptor, or a negative errno with the reason in why.
 */
int direct_safe_opendir(const char *path, char *why, size_t len);

/*
 * Open name (one component) in dirfd, whose path is dir, for appending,
 * creating it 0644: never through a symbolic link, only a regular file
 * with one link that belongs to uid (when set_owner, else to us); one we
 * create is given to uid:gid when set_owner.  *size: its size.  Returns
 * the descriptor, or a negative errno with "refusing log PATH: why".
 */
int direct_safe_open_log(int dirfd, const char *dir, const char *name, bool set_owner, uid_t uid,
			 gid_t gid, long long *size, char *why, size_t len);

/*
 * The directory path is a private one of ours: created 0700 when missing
 * (create), a directory and not a link, ours, writable by no one else
 * (readable by others is tightened to 0700).  Returns 0, or a negative
 * errno (-ENOENT: missing) with the reason in why.
 */
int direct_private_dir(const char *path, bool create, char *why, size_t len);

#endif
