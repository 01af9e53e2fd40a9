/* SPDX-License-Identifier: MIT */
/* The children record: numbers that name what a manager runs, for its successor after a crash. */
#ifndef DIRECT_CHILDREN_H
#define DIRECT_CHILDREN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * The file holds numbers only, so that nothing a config says can end up
 * in it as a line of its own:
 *
 *   galaxyctl-direct-children 1 boot BOOT_ID
 *   PID STARTTIME KEY
 *
 * BOOT_ID is /proc/sys/kernel/random/boot_id when the manager wrote it,
 * STARTTIME field 22 of /proc/PID/stat (clock ticks after boot), KEY 16
 * hex digits (direct_children_key() of the program's name), which lets a
 * status without a manager say which program a process was.
 */

#define DIRECT_BOOT_ID_LEN 36

struct direct_child_rec {
	pid_t pid;
	long long starttime;
	uint64_t key;
};

struct direct_children {
	char boot_id[DIRECT_BOOT_ID_LEN + 1];
	struct direct_child_rec *v;
	size_t n;
};

/* This boot's id into ret (DIRECT_BOOT_ID_LEN + 1 bytes): 0, or a negative errno. */
int direct_boot_id(char *ret);

/* The key of a program name (FNV-1a, 64 bits): what the record keeps of it. */
uint64_t direct_children_key(const char *name);

/*
 * Write the record to path atomically (path.tmp, mode 0600, fsync,
 * rename): 0, or a negative errno with nothing left but the old file.
 */
int direct_children_write(const char *path, const char *boot_id, const struct direct_child_rec *v,
			  size_t n);

/*
 * Read the record at path into *ret (release it with
 * direct_children_release()).  A line that does not parse exactly is
 * skipped, and bad() told its number and why; a header that does not, a
 * file that is not a regular file of this user's, or one that others may
 * write, gives -EBADMSG (or -EPERM) with nothing read.  -ENOENT: no
 * record.
 */
int direct_children_read(const char *path, struct direct_children *ret,
			 void (*bad)(void *ctx, unsigned line, const char *why), void *ctx);
void direct_children_release(struct direct_children *c);

/*
 * Is rec the very process that c recorded, still alive: the same boot,
 * the same pid and the same start time?  boot_id_now: direct_boot_id().
 */
bool direct_children_alive(const struct direct_children *c, const struct direct_child_rec *rec,
			   const char *boot_id_now);

#endif
