/* SPDX-License-Identifier: MIT */
/* A service's log file: appends, size-based rotation with numbered backups, reopening. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "logfile.h"
#include "safefs.h"

/* The file in the directory already open. */
static int logfile_open_file(struct direct_logfile *lf)
{
	int fd;

	/* path cut before the file's name: the directory ("" for "/"), as messages name it. */
	lf->path[lf->name - lf->path - 1] = '\0';
	fd = direct_safe_open_log(lf->dirfd, lf->path, lf->name, lf->set_owner, lf->uid, lf->gid,
				  &lf->size, lf->why, sizeof(lf->why));
	lf->path[lf->name - lf->path - 1] = '/';
	if (fd < 0)
		return fd;
	lf->fd = fd;
	lf->why[0] = '\0';
	return 0;
}

/* The directory, then the file. */
static int logfile_open_fd(struct direct_logfile *lf)
{
	char *slash = strrchr(lf->path, '/');
	int r;

	if (lf->dirfd >= 0)
		close(lf->dirfd);
	lf->dirfd = -1;
	/* The core makes log paths absolute and normal: ".." would only lead elsewhere. */
	if (!slash || slash[1] == '\0' || lf->path[0] != '/' || strstr(lf->path, "/../") ||
	    strstr(lf->path, "/./")) {
		snprintf(lf->why, sizeof(lf->why), "refusing log %s: not an absolute, normal file path",
			 lf->path);
		return -EINVAL;
	}
	lf->name = slash + 1;
	*slash = '\0';
	r = direct_safe_opendir(slash == lf->path ? "/" : lf->path, lf->why, sizeof(lf->why));
	*slash = '/';
	if (r < 0) {
		char inner[sizeof(lf->why)];

		snprintf(inner, sizeof(inner), "%s", lf->why);
		if (snprintf(lf->why, sizeof(lf->why), "refusing log %s: %s", lf->path, inner) < 0)
			lf->why[0] = '\0';
		return r;
	}
	lf->dirfd = r;
	return logfile_open_file(lf);
}

void direct_logfile_init(struct direct_logfile *lf)
{
	memset(lf, 0, sizeof(*lf));
	lf->fd = -1;
	lf->dirfd = -1;
}

int direct_logfile_open(struct direct_logfile *lf, const char *path, long long max_bytes,
			unsigned backups)
{
	char *copy = strdup(path);

	if (!copy)
		return -ENOMEM;
	direct_logfile_close(lf);
	free(lf->path);
	lf->path = copy;
	lf->max_bytes = max_bytes;
	lf->backups = backups;
	lf->error = logfile_open_fd(lf);
	return lf->error;
}

int direct_logfile_reopen(struct direct_logfile *lf)
{
	if (lf->fd >= 0)
		close(lf->fd);
	lf->fd = -1;
	if (!lf->path)
		return -EBADF;
	lf->error = logfile_open_fd(lf);
	return lf->error;
}

int direct_logfile_rotate(struct direct_logfile *lf)
{
	size_t len = strlen(lf->name) + 16;
	char *from = malloc(len), *to = malloc(len);
	int r = 0;

	if (!from || !to) {
		free(from);
		free(to);
		return -ENOMEM;
	}
	if (lf->backups == 0) {
		if (lf->fd >= 0 && ftruncate(lf->fd, 0) < 0)
			r = -errno;
		lf->size = 0;
		goto out;
	}
	if (lf->dirfd < 0) {
		r = -EBADF;
		goto out;
	}
	/* In the directory the file was found in: renameat() follows no link. */
	for (unsigned i = lf->backups; i > 1; i--) {
		snprintf(from, len, "%s.%u", lf->name, i - 1);
		snprintf(to, len, "%s.%u", lf->name, i);
		if (renameat(lf->dirfd, from, lf->dirfd, to) < 0 && errno != ENOENT)
			r = -errno;
	}
	snprintf(to, len, "%s.1", lf->name);
	if (renameat(lf->dirfd, lf->name, lf->dirfd, to) < 0 && errno != ENOENT)
		r = -errno;
	if (r == 0) {
		if (lf->fd >= 0)
			close(lf->fd);
		lf->fd = -1;
		r = lf->error = logfile_open_file(lf);
	}
out:
	free(from);
	free(to);
	return r;
}

/* How much of data goes into the current file before a rotation. */
static size_t logfile_fit(const struct direct_logfile *lf, const char *data, size_t len)
{
	size_t room;
	const char *nl;

	if (lf->max_bytes <= 0 || lf->size + (long long)len <= lf->max_bytes)
		return len;
	room = lf->size < lf->max_bytes ? (size_t)(lf->max_bytes - lf->size) : 0;
	for (nl = NULL; room > 0 && !nl; room--)
		if (data[room - 1] == '\n')
			nl = data + room - 1;
	if (nl)
		return (size_t)(nl - data) + 1;
	/* No whole line fits: start a new file, or split a line longer than a whole file. */
	return lf->size == 0 ? (size_t)lf->max_bytes : 0;
}

/* Write all of data; on failure *left says how much of it was not written. */
static int logfile_append(struct direct_logfile *lf, const char *data, size_t len, size_t *left)
{
	while (len > 0) {
		ssize_t n = write(lf->fd, data, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			*left = len;
			return -errno;
		}
		data += n;
		len -= (size_t)n;
		lf->size += n;
	}
	return 0;
}

int direct_logfile_write(struct direct_logfile *lf, const char *data, size_t len)
{
	int r = 0;

	while (len > 0 && r == 0) {
		size_t part;

		if (lf->fd < 0)
			return lf->error ? lf->error : -EBADF;
		part = logfile_fit(lf, data, len);
		if (part > 0) {
			size_t left = 0;

			r = logfile_append(lf, data, part, &left);
			if (r < 0)
				lf->dropped += (long long)(len - part + left);
		}
		data += part;
		len -= part;
		if (r == 0 && len > 0) {
			r = direct_logfile_rotate(lf);
			if (r < 0)
				lf->dropped += (long long)len;
		}
	}
	if (r < 0)
		lf->error = r;
	return r;
}

void direct_logfile_close(struct direct_logfile *lf)
{
	if (lf->fd >= 0)
		close(lf->fd);
	lf->fd = -1;
	if (lf->dirfd >= 0)
		close(lf->dirfd);
	lf->dirfd = -1;
}

void direct_logfile_release(struct direct_logfile *lf)
{
	direct_logfile_close(lf);
	free(lf->path);
	lf->path = NULL;
}
