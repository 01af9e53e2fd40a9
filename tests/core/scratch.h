/* SPDX-License-Identifier: MIT */
/* Scratch directories and files for the core tests; each Criterion test runs in its own process. */
#ifndef GX_TEST_SCRATCH_H
#define GX_TEST_SCRATCH_H

#include <criterion/criterion.h>
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char scratch_root[PATH_MAX];

/* Checked snprintf into a buffer: test paths must never be cut short. */
static inline void scratch_print(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static inline void scratch_print(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	cr_assert(n >= 0 && (size_t)n < size, "scratch_print: %s... does not fit", buf);
}

/* A fresh scratch directory (its real path, so results compare as strings). */
static inline void scratch_setup(void)
{
	const char *tmp = getenv("TMPDIR");
	char tmpl[PATH_MAX];

	scratch_print(tmpl, sizeof(tmpl), "%s/gx-test-core-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	cr_assert_not_null(mkdtemp(tmpl), "mkdtemp: %s", strerror(errno));
	cr_assert_not_null(realpath(tmpl, scratch_root), "realpath: %s", strerror(errno));
}

static inline int scratch_remove(const char *path, const struct stat *st, int flag,
				 struct FTW *ftw)
{
	return remove(path);
}

static inline void scratch_teardown(void)
{
	if (scratch_root[0])
		nftw(scratch_root, scratch_remove, 16, FTW_DEPTH | FTW_PHYS);
}

/* scratch_root/sub (sub "" is the root itself), in a buffer that lives as long as the test. */
static inline const char *scratch_path(const char *sub)
{
	static char bufs[64][PATH_MAX];
	static unsigned next;

	cr_assert_lt(next, 64, "scratch_path: out of buffers");
	if (sub[0])
		scratch_print(bufs[next], PATH_MAX, "%s/%s", scratch_root, sub);
	else
		scratch_print(bufs[next], PATH_MAX, "%s", scratch_root);
	return bufs[next++];
}

/* Create the parent directories of scratch_root/sub. */
static inline void scratch_parents(const char *sub)
{
	char buf[PATH_MAX];

	scratch_print(buf, sizeof(buf), "%s/%s", scratch_root, sub);
	for (char *s = buf + strlen(scratch_root) + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		cr_assert(mkdir(buf, 0755) == 0 || errno == EEXIST, "mkdir %s: %s", buf,
			  strerror(errno));
		*s = '/';
	}
}

/* Create directory scratch_root/sub and its parents; returns its path. */
static inline const char *scratch_mkdir(const char *sub)
{
	const char *path = scratch_path(sub);

	scratch_parents(sub);
	cr_assert(mkdir(path, 0755) == 0 || errno == EEXIST, "mkdir %s: %s", path,
		  strerror(errno));
	return path;
}

/* Write text to scratch_root/sub (parents created); returns its path. */
static inline const char *scratch_write(const char *sub, const char *text)
{
	const char *path = scratch_path(sub);
	FILE *f;

	scratch_parents(sub);
	f = fopen(path, "w");
	cr_assert_not_null(f, "fopen %s: %s", path, strerror(errno));
	fputs(text, f);
	cr_assert_eq(fclose(f), 0);
	return path;
}

/* Like scratch_write, with printf formatting of the content. */
static inline const char *scratch_writef(const char *sub, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static inline const char *scratch_writef(const char *sub, const char *fmt, ...)
{
	char *text = NULL;
	const char *path;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&text, fmt, ap);
	va_end(ap);
	cr_assert(n >= 0, "vasprintf failed");
	path = scratch_write(sub, text);
	free(text);
	return path;
}

#endif
