/* SPDX-License-Identifier: MIT */
/* Paths and files: joining, lexical normalisation, mkdir -p, atomic writes, whole-file reads. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "diag.h"
#include "fsutil.h"

char *gx_path_join(const char *a, const char *b)
{
	size_t la = strlen(a);
	char *s;

	if (b[0] == '/' || la == 0)
		return strdup(b);
	if (asprintf(&s, "%s%s%s", a, a[la - 1] == '/' ? "" : "/", b) < 0)
		return NULL;
	return s;
}

/* Rewrite an absolute path in place without ".", ".." and repeated slashes. */
static void path_normalise(char *path)
{
	const char *in = path;
	size_t out = 0;
	size_t len;

	while (*in) {
		while (*in == '/')
			in++;
		len = strcspn(in, "/");
		if (len == 0 || (len == 1 && in[0] == '.')) {
			/* nothing to keep */
		} else if (len == 2 && in[0] == '.' && in[1] == '.') {
			while (out > 0 && path[--out] != '/')
				;
		} else {
			path[out++] = '/';
			memmove(path + out, in, len);
			out += len;
		}
		in += len;
	}
	if (out == 0)
		path[out++] = '/';
	path[out] = '\0';
}

char *gx_path_abs(const char *path, const char *base)
{
	char *cwd = NULL;
	char *abs_base = NULL;
	char *joined;

	if (path[0] == '/') {
		joined = strdup(path);
	} else {
		if (!base) {
			cwd = getcwd(NULL, 0);
			if (!cwd)
				return NULL;
			base = cwd;
		} else if (base[0] != '/') {
			abs_base = gx_path_abs(base, NULL);
			if (!abs_base)
				return NULL;
			base = abs_base;
		}
		joined = gx_path_join(base, path);
	}
	free(cwd);
	free(abs_base);
	if (joined)
		path_normalise(joined);
	return joined;
}

char *gx_path_dirname(const char *path)
{
	char *copy = strdup(path);
	char *dir;

	if (!copy)
		return NULL;
	dir = strdup(dirname(copy));
	free(copy);
	return dir;
}

bool gx_path_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

bool gx_path_is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int mkdir_one(const char *path, mode_t mode)
{
	struct stat st;

	if (stat(path, &st) == 0)
		return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
	if (mkdir(path, mode) == 0)
		return 0;
	if (errno == EEXIST && gx_path_is_dir(path))
		return 0;
	return -errno;
}

int gx_mkdir_p(const char *path, mode_t mode)
{
	char *copy;
	char *slash;
	int r = 0;

	if (!*path)
		return -ENOENT;
	copy = strdup(path);
	if (!copy)
		return -ENOMEM;
	for (slash = strchr(copy + 1, '/'); slash && r == 0; slash = strchr(slash + 1, '/')) {
		if (slash[-1] == '/')
			continue;
		*slash = '\0';
		r = mkdir_one(copy, mode);
		*slash = '/';
	}
	if (r == 0)
		r = mkdir_one(copy, mode);
	free(copy);
	return r;
}

static int write_all(int fd, const char *data, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = write(fd, data, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EIO;
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Make the rename durable.  Filesystems that cannot sync a directory say EINVAL. */
static int fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int r = 0;

	if (fd < 0)
		return -errno;
	if (fsync(fd) < 0 && errno != EINVAL)
		r = -errno;
	close(fd);
	return r;
}

/* Fill the temporary file fd and give it its final mode; closes fd. */
static int write_temp(int fd, const char *data, size_t len, mode_t mode)
{
	int r = write_all(fd, data, len);

	if (r == 0 && fchmod(fd, mode) < 0)
		r = -errno;
	if (r == 0 && fsync(fd) < 0)
		r = -errno;
	if (close(fd) < 0 && r == 0)
		r = -errno;
	return r;
}

int gx_write_file(const char *path, const char *data, size_t len, mode_t mode,
		  struct gx_error *err)
{
	const char *name = strrchr(path, '/');
	char *dir = NULL;
	char *tmp = NULL;
	int fd;
	int r;

	name = name ? name + 1 : path;
	if (!*name)
		return gx_error_set(err, NULL, -EISDIR, "cannot write %s: %s", path,
				    strerror(EISDIR));
	dir = gx_path_dirname(path);
	if (!dir || asprintf(&tmp, "%s%s.%s.XXXXXX", dir, strcmp(dir, "/") ? "/" : "", name) < 0) {
		r = gx_error_set(err, NULL, -ENOMEM, "cannot write %s: %s", path,
				 strerror(ENOMEM));
		goto out_free_dir;
	}
	r = gx_mkdir_p(dir, 0755);
	if (r < 0) {
		gx_error_set(err, NULL, r, "cannot write %s: cannot create directory %s: %s",
			     path, dir, strerror(-r));
		goto out_free_tmp;
	}
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		r = -errno;
		gx_error_set(err, NULL, r, "cannot write %s: %s", path, strerror(-r));
		goto out_free_tmp;
	}
	r = write_temp(fd, data, len, mode);
	if (r == 0 && rename(tmp, path) < 0)
		r = -errno;
	if (r < 0) {
		gx_error_set(err, NULL, r, "cannot write %s: %s", path, strerror(-r));
		unlink(tmp);
		goto out_free_tmp;
	}
	r = fsync_dir(dir);
	if (r < 0)
		gx_error_set(err, NULL, r, "cannot write %s: syncing %s: %s", path, dir,
			     strerror(-r));
out_free_tmp:
	free(tmp);
out_free_dir:
	free(dir);
	return r;
}

/* What a file that is not a regular one is, for an error. */
static const char *file_kind(mode_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFDIR:
		return "a directory";
	case S_IFIFO:
		return "a FIFO";
	case S_IFCHR:
		return "a character device";
	case S_IFBLK:
		return "a block device";
	case S_IFSOCK:
		return "a socket";
	default:
		return "not a regular file";
	}
}

/*
 * Read all of fd, which fstat said holds size bytes (0 for /proc files),
 * refusing more than max.  Reads go in chunks: /proc/sys allocates what a
 * read asks for.
 */
static int read_fd_bounded(int fd, const char *path, off_t size, size_t max, char **ret_data,
			   size_t *ret_len, struct gx_error *err)
{
	size_t want = (size_t)size < max ? (size_t)size : max;
	/* Room for one byte past the cap, to tell a file that grew, and the NUL. */
	size_t alloc = want + 2 < 4096 ? (max + 2 < 4096 ? max + 2 : 4096) : want + 2, len = 0;
	char *data = malloc(alloc), *grown;
	ssize_t n;
	int r;

	if (!data)
		return gx_error_set(err, NULL, -ENOMEM, "out of memory");
	while (len <= max) {
		if (len == alloc - 1) {
			size_t next = alloc > (max + 2) / 2 ? max + 2 : alloc * 2;

			grown = realloc(data, next);
			if (!grown) {
				r = gx_error_set(err, NULL, -ENOMEM, "out of memory");
				goto out_free;
			}
			data = grown;
			alloc = next;
		}
		n = read(fd, data + len, alloc - 1 - len < 65536 ? alloc - 1 - len : 65536);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = gx_error_set(err, NULL, -errno, "cannot read %s: %s", path,
					 strerror(errno));
			goto out_free;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (len > max) {
		r = gx_error_set(err, NULL, -EFBIG, "cannot read %s: larger than %zu bytes", path,
				 max);
		goto out_free;
	}
	data[len] = '\0';
	*ret_data = data;
	if (ret_len)
		*ret_len = len;
	return 0;
out_free:
	free(data);
	return r;
}

int gx_read_file(const char *path, size_t max, char **ret_data, size_t *ret_len,
		 struct gx_error *err)
{
	struct stat st;
	int fd, r;

	/* O_NONBLOCK: opening a FIFO must not wait for a writer. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0) {
		r = -errno;
		return gx_error_set(err, NULL, r, "cannot read %s: %s", path, strerror(-r));
	}
	if (fstat(fd, &st) < 0) {
		r = gx_error_set(err, NULL, -errno, "cannot read %s: %s", path, strerror(errno));
	} else if (!S_ISREG(st.st_mode)) {
		r = gx_error_set(err, NULL, S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL,
				 "cannot read %s: it is %s, not a regular file", path,
				 file_kind(st.st_mode));
	} else if ((uintmax_t)st.st_size > max) {
		r = gx_error_set(err, NULL, -EFBIG,
				 "cannot read %s: it holds %jd bytes, more than the %zu allowed", path,
				 (intmax_t)st.st_size, max);
	} else {
		r = read_fd_bounded(fd, path, st.st_size, max, ret_data, ret_len, err);
	}
	close(fd);
	return r;
}
