/* SPDX-License-Identifier: MIT */
/* memory_limit and memory_high in cgroup v2: the delegated cgroup, a child cgroup per program. */
#ifndef DIRECT_CGROUP_H
#define DIRECT_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/*
 * The delegated cgroup, once prepared:
 *
 *   DIR/cgroup.subtree_control   "+memory": children get memory.max and memory.high
 *   DIR/manager/                 the manager, and the programs it runs without limits
 *   DIR/HASH_PROGRAM/            one per limited program: its process group, its limits;
 *                                HASH (8 hex digits) is the manager's, from its state dir,
 *                                so that managers sharing DIR never share a program cgroup
 *
 * cgroup v2 lets no process stay beside child cgroups that use a
 * controller, so the manager leaves DIR for a leaf of its own (and takes
 * along the galaxyctl that started it, while that still waits in DIR).
 * Nothing here logs: failures come back as reasons, which the manager logs.
 */
struct direct_cgroup {
	char *dir;      /* DIR; NULL when not prepared (yet), for the reason in why */
	char prefix[16]; /* "HASH_": what this manager's program cgroups' names start with */
	char why[512];  /* why DIR is NULL */
	char **stale;   /* program cgroups that still held processes when removed */
	size_t n_stale;
};

/* The most processes direct_cgroup_opts.chain may name. */
#define DIRECT_CGROUP_CHAIN_MAX 4

/* What direct_cgroup_prepare() prepares. */
struct direct_cgroup_opts {
	/*
	 * The cgroup to use (absolute; GRAVITY_DIRECT_CGROUP), trusted to be
	 * delegated; NULL: the manager's own cgroup v2, which must show that it
	 * is delegated (see direct_cgroup_delegated(); never a cgroup2 mount's root).
	 */
	const char *dir;
	/* Whose program cgroups these are (the state dir): HASH is hashed from it. */
	const char *owner;
	/*
	 * Processes of the chain that started the manager (the galaxyctl
	 * client, the process that detached the daemon): those that DIR holds
	 * move into DIR/manager with the manager, since they would keep
	 * "+memory" from DIR/cgroup.subtree_control (EBUSY).
	 */
	const pid_t *chain;
	size_t n_chain;
};

/* Not prepared, with a reason that says so.  Release with direct_cgroup_release(). */
void direct_cgroup_init(struct direct_cgroup *cg);

/*
 * Try the stale cgroups a last time and free.  DIR/manager stays: the
 * manager is in it until it exits.
 */
void direct_cgroup_release(struct direct_cgroup *cg);

/*
 * Prepare opts->dir, or the manager's own cgroup (found in
 * /proc/self/mountinfo and /proc/self/cgroup): memory must be in its
 * cgroup.controllers and the manager able to create DIR/manager; the
 * manager (with the processes of opts->chain that DIR holds) moves into
 * that, then "+memory" goes into DIR/cgroup.subtree_control.  0 with
 * cg->dir set, or a negative errno with cg->why filled and everyone
 * where they were: the chain in DIR, the manager in the cgroup it was in
 * (DIR when DIR/cgroup.procs listed it, else its own as
 * /proc/self/cgroup said; only when that cannot be found does it stay
 * in DIR/manager, and why says so).
 */
int direct_cgroup_prepare(struct direct_cgroup *cg, const struct direct_cgroup_opts *opts);

/*
 * The manager's own cgroup v2 directory, from the texts of
 * /proc/self/mountinfo and /proc/self/cgroup ("0::/path").  0 with
 * *ret_dir (malloc'd) and *ret_mount_root (may be NULL) true when that
 * directory is the root of its cgroup2 mount (the host's root cgroup, or
 * a container's), or -ENOENT with why filled.
 */
int direct_cgroup_locate(const char *mountinfo, const char *self, char **ret_dir,
			 bool *ret_mount_root, char *why, size_t len);

/*
 * Does the cgroup at dir show that it is delegated to a manager running
 * as euid?  Not root: dir belongs to euid (systemd chowns a delegated
 * cgroup to the unit's user).  Root: dir carries the xattr
 * trusted.delegate or user.delegate (systemd >= 251 sets it with
 * Delegate=yes).  0, or a negative errno with why filled.
 */
int direct_cgroup_delegated(const char *dir, uid_t euid, char *why, size_t len);

/* Does mountinfo text hold a cgroup v1 hierarchy with the memory controller? */
bool direct_cgroup_v1_memory(const char *mountinfo);

/* Does a cgroup.controllers (or cgroup.subtree_control) text list controller? */
bool direct_cgroup_lists(const char *controllers, const char *controller);

/*
 * The cgroup of program name under the prepared cg: DIR/HASH_NAME (NAME
 * with "/", "%" and control characters as %XX), created or reused, with
 * its limits set as by direct_cgroup_limit().  0 with *ret_path
 * (malloc'd), or a negative errno with why filled.
 */
int direct_cgroup_add(struct direct_cgroup *cg, const char *name, long long max_bytes,
		      long long high_bytes, char **ret_path, char *why, size_t len);

/* memory.max and memory.high of the cgroup at path, in bytes (0: "max"). 0, or -errno with why. */
int direct_cgroup_limit(const char *path, long long max_bytes, long long high_bytes, char *why,
			size_t len);

/*
 * memory.oom.group = 1 in the cgroup at path: at memory.max the kernel's
 * OOM killer takes the whole program down (its manager then restarts
 * it), not one of its processes.  0, or -errno with why.
 */
int direct_cgroup_oom_group(const char *path, char *why, size_t len);

/* path/cgroup.procs, open for writing with O_CLOEXEC: an fd, or a negative errno. */
int direct_cgroup_open_procs(const char *path);

/*
 * Move pid into the cgroup whose cgroup.procs is open as procs_fd.
 * Async-signal-safe, for a child between fork and exec.  0, or -errno.
 */
int direct_cgroup_write_pid(int procs_fd, pid_t pid);

/*
 * Remove the cgroup at path (a copy is kept when it still holds processes,
 * for direct_cgroup_sweep()).  0, or a negative errno (-EBUSY: kept).
 */
int direct_cgroup_remove(struct direct_cgroup *cg, const char *path);

/* Remove the stale cgroups that no longer hold processes. */
void direct_cgroup_sweep(struct direct_cgroup *cg);

#endif
