/* SPDX-License-Identifier: MIT */
/* A service's log file: appends, size-based rotation with numbered backups, reopening. */
#ifndef DIRECT_LOGFILE_H
#define DIRECT_LOGFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* direct_logfile_init(), then direct_logfile_open().  fd is -1 while closed. */
struct direct_logfile {
	int fd;
	char *path;           /* owned copy */
	int dirfd;            /* its directory, as opened for the file: -1 when closed */
	const char *name;     /* path's last component (points into path) */
	long long size;       /* bytes in the current file */
	long long max_bytes;  /* rotate before exceeding this; 0: never */
	unsigned backups;     /* keep path.1 ... path.N; 0: truncate instead */
	bool set_owner;       /* chown new files to uid:gid */
	uid_t uid;
	gid_t gid;
	int error;            /* the last write or open error, reported once */
	long long dropped;    /* bytes lost to write errors (a full disk) since last reported */
	char why[512];        /* why the last open failed, naming the path */
};

void direct_logfile_init(struct direct_logfile *lf);
/*
 * Open (creating, appending) path, safely beside a log directory that
 * others can write (safefs.h: no link is followed there, and only a
 * regular file of the expected owner is used).  On failure fd stays -1,
 * the error is returned and why says it.
 */
int direct_logfile_open(struct direct_logfile *lf, const char *path, long long max_bytes,
			unsigned backups);
/*
 * Append data, rotating whenever the file would exceed max_bytes; whole
 * lines move to the next file when they fit in one.  Returns 0, or the
 * negative errno of a failed write (data is then dropped).
 */
int direct_logfile_write(struct direct_logfile *lf, const char *data, size_t len);
/* Rename path.N-1 to path.N ... path to path.1 and start an empty file. */
int direct_logfile_rotate(struct direct_logfile *lf);
/* Close and open the path (and its directory) again (after an outside rotation, SIGHUP). */
int direct_logfile_reopen(struct direct_logfile *lf);
void direct_logfile_close(struct direct_logfile *lf);
/* Close and forget the path. */
void direct_logfile_release(struct direct_logfile *lf);

#endif
