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
	long long size;       /* bytes in the current file */
	long long max_bytes;  /* rotate before exceeding this; 0: never */
	unsigned backups;     /* keep path.1 ... path.N; 0: truncate instead */
	bool set_owner;       /* chown new files to uid:gid */
	uid_t uid;
	gid_t gid;
	int error;            /* the last write or open error, reported once */
};

void direct_logfile_init(struct direct_logfile *lf);
/* Open (creating, appending) path.  On failure fd stays -1 and the error is returned. */
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
/* Close and open the path again (after an outside rotation, SIGHUP). */
int direct_logfile_reopen(struct direct_logfile *lf);
void direct_logfile_close(struct direct_logfile *lf);
/* Close and forget the path. */
void direct_logfile_release(struct direct_logfile *lf);

#endif
