/* SPDX-License-Identifier: MIT */
/* Opening paths beside users who can write parts of them: no link they could plant is followed. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "safefs.h"

/* The kernel's own limit on links in one lookup. */
#define SAFE_MAX_LINKS 40

/* "uid 65534": no name, which the static manager could only get from NSS at run time. */
static const char *safe_who(uid_t uid, char *buf, size_t len)
{
	snprintf(buf, len, "uid %u", (unsigned)uid);
	return buf;
}

/* Nobody but root and us can change what a directory holds. */
static bool safe_dir_trusted(const struct stat *dir)
{
	return (dir->st_uid == 0 || dir->st_uid == geteuid()) &&
	       !(dir->st_mode & (S_IWGRP | S_IWOTH));
}

/* A link in dir (fd) that we may follow: see direct_safe_opendir(). */
static bool safe_may_follow(int dirfd, const struct stat *link)
{
	struct stat dir;

	if (fstat(dirfd, &dir) < 0)
		return false;
	if (safe_dir_trusted(&dir))
		return true;
	/* A sticky directory lets no one else replace a link of root's or ours. */
	return (dir.st_mode & S_ISVTX) && (link->st_uid == 0 || link->st_uid == geteuid());
}

/* The target of the link name in dirfd, then what remained after it: a new path to walk. */
static char *safe_splice(int dirfd, const char *name, const char *rest)
{
	char target[PATH_MAX], *s = NULL;
	ssize_t n = readlinkat(dirfd, name, target, sizeof(target) - 1);

	if (n < 0)
		return NULL;
	target[n] = '\0';
	if (asprintf(&s, "%s/%s", target, rest) < 0)
		return NULL;
	return s;
}

/* One step of the walk: name in *fd, which becomes the directory (or *todo the link's target). */
static int safe_step(int *fd, const char *name, const char *rest, char **todo, unsigned *links,
		     const char *path, char *why, size_t len)
{
	struct stat st;
	char who[64], *spliced;
	int next = openat(*fd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);

	if (next < 0 || fstat(next, &st) < 0) {
		int r = -errno;

		if (next >= 0)
			close(next);
		snprintf(why, len, "cannot open %s (at %s): %s", path, name, strerror(-r));
		return r;
	}
	if (S_ISDIR(st.st_mode)) {
		close(*fd);
		*fd = next;
		return 0;
	}
	close(next);
	if (!S_ISLNK(st.st_mode)) {
		snprintf(why, len, "%s: %s is not a directory", path, name);
		return -ENOTDIR;
	}
	if (!safe_may_follow(*fd, &st)) {
		struct stat dir = { 0 };

		fstat(*fd, &dir);
		if (dir.st_uid == 0 || dir.st_uid == geteuid())
			snprintf(why, len, "%s: %s is a symbolic link in a directory of mode %04o, "
				 "which others can write", path, name, (unsigned)(dir.st_mode & 07777));
		else
			snprintf(why, len, "%s: %s is a symbolic link in a directory of %s", path, name,
				 safe_who(dir.st_uid, who, sizeof(who)));
		return -ELOOP;
	}
	if (++*links > SAFE_MAX_LINKS) {
		snprintf(why, len, "%s: too many symbolic links", path);
		return -ELOOP;
	}
	spliced = safe_splice(*fd, name, rest);
	if (!spliced) {
		snprintf(why, len, "cannot read the link %s in %s: %s", name, path, strerror(errno));
		return -errno;
	}
	free(*todo); /* name and rest pointed into it */
	*todo = spliced;
	if ((*todo)[0] == '/') {
		close(*fd);
		*fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (*fd < 0)
			return -errno;
	}
	return 1;
}

int direct_safe_opendir(const char *path, char *why, size_t len)
{
	char *todo = strdup(path), *p = todo;
	unsigned links = 0;
	int r = 0, fd = open(path[0] == '/' ? "/" : ".", O_PATH | O_DIRECTORY | O_CLOEXEC);

	if (!todo || fd < 0) {
		r = !todo ? -ENOMEM : -errno;
		snprintf(why, len, "cannot open %s: %s", path, strerror(-r));
		goto out;
	}
	while (r >= 0) {
		char *end;

		p += strspn(p, "/");
		if (!*p)
			break;
		end = p + strcspn(p, "/");
		if (*end)
			*end++ = '\0';
		if (strcmp(p, ".") == 0) {
			p = end;
			continue;
		}
		r = safe_step(&fd, p, end, &todo, &links, path, why, len);
		p = r > 0 ? todo : end;
	}
	if (r >= 0) {
		r = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (r < 0) {
			r = -errno;
			snprintf(why, len, "cannot open %s: %s", path, strerror(-r));
		}
	}
out:
	if (fd >= 0)
		close(fd);
	free(todo);
	return r;
}

/* Why the open of an existing name failed, in words. */
static void safe_open_why(int dirfd, const char *name, int err, char *buf, size_t len)
{
	struct stat st;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode))
		snprintf(buf, len, "it is a symbolic link");
	else if (err == ENXIO || err == ELOOP || (err == EISDIR))
		snprintf(buf, len, "it is not a regular file");
	else
		snprintf(buf, len, "%s", strerror(err));
}

/* What is wrong with the open log file st, or NULL. */
static const char *safe_log_wrong(const struct stat *st, bool created, uid_t owner, char *buf,
				  size_t len)
{
	char who[64], want[64];

	if (!S_ISREG(st->st_mode))
		return "it is not a regular file";
	if (st->st_nlink != 1) {
		snprintf(buf, len, "it has %lu hard links", (unsigned long)st->st_nlink);
		return buf;
	}
	if (!created && st->st_uid != owner) {
		snprintf(buf, len, "it belongs to %s, not to %s", safe_who(st->st_uid, who, sizeof(who)),
			 safe_who(owner, want, sizeof(want)));
		return buf;
	}
	return NULL;
}

int direct_safe_open_log(int dirfd, const char *dir, const char *name, bool set_owner, uid_t uid,
			 gid_t gid, long long *size, char *why, size_t len)
{
	const int flags = O_WRONLY | O_APPEND | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW | O_NONBLOCK;
	uid_t owner = set_owner ? uid : geteuid();
	bool created = true;
	const char *wrong;
	char buf[160];
	struct stat st;
	int fd;

	/* The core allows no "/" in names: one here would lead out of the checked directory. */
	if (!*name || strchr(name, '/') || strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
		snprintf(why, len, "refusing log %s/%s: the name is not one file name", dir, name);
		return -EINVAL;
	}
	fd = openat(dirfd, name, flags | O_CREAT | O_EXCL, 0644);
	if (fd < 0 && errno == EEXIST) {
		created = false;
		fd = openat(dirfd, name, flags);
	}
	if (fd < 0) {
		int r = -errno;

		safe_open_why(dirfd, name, -r, buf, sizeof(buf));
		snprintf(why, len, "refusing log %s/%s: %s", dir, name, buf);
		return r == -ENXIO || r == -EISDIR ? -EINVAL : r;
	}
	if (fstat(fd, &st) < 0) {
		int r = -errno;

		close(fd);
		snprintf(why, len, "cannot stat %s/%s: %s", dir, name, strerror(-r));
		return r;
	}
	wrong = safe_log_wrong(&st, created, owner, buf, sizeof(buf));
	if (!wrong && set_owner && (st.st_uid != uid || st.st_gid != gid) && fchown(fd, uid, gid) < 0)
		wrong = strerror(errno);
	if (wrong) {
		snprintf(why, len, "refusing log %s/%s: %s", dir, name, wrong);
		close(fd);
		return -EPERM;
	}
	*size = st.st_size;
	return fd;
}

/* path's parent and last component, in a copy (*base points into it). */
static char *safe_split(const char *path, const char **base)
{
	char *copy = strdup(path), *slash;

	if (!copy)
		return NULL;
	slash = strrchr(copy, '/');
	if (!slash) {
		*base = copy;
		return copy; /* parent "" stands for "." */
	}
	*slash = '\0';
	*base = slash + 1;
	return copy;
}

/* The verdict on an open private directory fd. */
static int safe_private_check(int fd, const char *path, char *why, size_t len)
{
	char who[64], want[64];
	struct stat st;

	if (fstat(fd, &st) < 0) {
		snprintf(why, len, "cannot stat %s: %s", path, strerror(errno));
		return -errno;
	}
	if (st.st_uid != geteuid()) {
		snprintf(why, len, "refusing %s: it belongs to %s, not to %s", path,
			 safe_who(st.st_uid, who, sizeof(who)), safe_who(geteuid(), want, sizeof(want)));
		return -EPERM;
	}
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		snprintf(why, len, "refusing %s (owner %s): mode %04o lets others write it", path,
			 safe_who(st.st_uid, who, sizeof(who)), (unsigned)(st.st_mode & 07777));
		return -EPERM;
	}
	/* Ours, and no one else could have written it: what others may read, they may not. */
	if ((st.st_mode & 077) && fchmod(fd, st.st_mode & 0700) < 0) {
		snprintf(why, len, "cannot chmod %s: %s", path, strerror(errno));
		return -errno;
	}
	return 0;
}

int direct_private_dir(const char *path, bool create, char *why, size_t len)
{
	const char *base;
	char *parent = safe_split(path, &base);
	struct stat st;
	int pfd, fd, r;

	if (!parent)
		return -ENOMEM;
	pfd = direct_safe_opendir(base == parent ? "." : *parent ? parent : "/", why, len);
	if (pfd < 0) {
		free(parent);
		return pfd;
	}
	if (create && mkdirat(pfd, base, 0700) < 0 && errno != EEXIST) {
		r = -errno;
		snprintf(why, len, "cannot create %s: %s", path, strerror(-r));
		goto out;
	}
	fd = openat(pfd, base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		r = -errno;
		if (fstatat(pfd, base, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode))
			snprintf(why, len, "refusing %s: it is a symbolic link", path);
		else
			snprintf(why, len, "cannot open %s: %s", path, strerror(-r));
		goto out;
	}
	r = safe_private_check(fd, path, why, len);
	close(fd);
out:
	close(pfd);
	free(parent);
	return r;
}
