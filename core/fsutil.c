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

int gx_read_file(const char *path, char **ret_data, size_t *ret_len)
{
	size_t len = 0;
	size_t alloc = 4096;
	char *data;
	char *grown;
	ssize_t n;
	int fd;
	int r = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	data = malloc(alloc);
	if (!data) {
		r = -ENOMEM;
		goto out_close;
	}
	for (;;) {
		if (alloc - len < 2) {
			grown = alloc > SIZE_MAX / 2 ? NULL : realloc(data, alloc * 2);
			if (!grown) {
				r = -ENOMEM;
				goto out_free_data;
			}
			data = grown;
			alloc *= 2;
		}
		n = read(fd, data + len, alloc - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = -errno;
			goto out_free_data;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	data[len] = '\0';
	*ret_data = data;
	if (ret_len)
		*ret_len = len;
	goto out_close;
out_free_data:
	free(data);
out_close:
	close(fd);
	return r;
}
