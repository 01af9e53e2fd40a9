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

static int logfile_open_fd(struct direct_logfile *lf)
{
	struct stat st;
	int fd = open(lf->path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOCTTY, 0644);

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		int r = -errno;

		close(fd);
		return r;
	}
	if (lf->set_owner && (st.st_uid != lf->uid || st.st_gid != lf->gid) &&
	    fchown(fd, lf->uid, lf->gid) < 0) {
		int r = -errno;

		close(fd);
		return r;
	}
	lf->fd = fd;
	lf->size = st.st_size;
	return 0;
}

void direct_logfile_init(struct direct_logfile *lf)
{
	memset(lf, 0, sizeof(*lf));
	lf->fd = -1;
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
	size_t len = strlen(lf->path) + 16;
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
	for (unsigned i = lf->backups; i > 1; i--) {
		snprintf(from, len, "%s.%u", lf->path, i - 1);
		snprintf(to, len, "%s.%u", lf->path, i);
		if (rename(from, to) < 0 && errno != ENOENT)
			r = -errno;
	}
	snprintf(to, len, "%s.1", lf->path);
	if (rename(lf->path, to) < 0 && errno != ENOENT)
		r = -errno;
	if (r == 0)
		r = direct_logfile_reopen(lf);
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

static int logfile_append(struct direct_logfile *lf, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t n = write(lf->fd, data, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
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
		if (part > 0)
			r = logfile_append(lf, data, part);
		data += part;
		len -= part;
		if (r == 0 && len > 0)
			r = direct_logfile_rotate(lf);
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
}

void direct_logfile_release(struct direct_logfile *lf)
{
	direct_logfile_close(lf);
	free(lf->path);
	lf->path = NULL;
}
