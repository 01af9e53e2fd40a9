/* SPDX-License-Identifier: MIT */
/* Unit tests for core/fsutil.c: path arithmetic, mkdir -p, atomic writes and their failures. */
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "fsutil.h"

static char tmpdir[256];

static void tmp_setup(void)
{
	const char *base = getenv("TMPDIR");

	snprintf(tmpdir, sizeof(tmpdir), "%s/gx-fsutil-XXXXXX", base && *base ? base : "/tmp");
	cr_assert_not_null(mkdtemp(tmpdir), "mkdtemp: %s", strerror(errno));
	umask(022);
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static void tmp_teardown(void)
{
	if (tmpdir[0])
		nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	tmpdir[0] = '\0';
}

/* Heap tmpdir/rel. */
static char *tmp_path(const char *rel)
{
	char *p;

	cr_assert_neq(asprintf(&p, "%s/%s", tmpdir, rel), -1);
	return p;
}

static void put_file(const char *path, const char *content)
{
	FILE *f = fopen(path, "w");

	cr_assert_not_null(f, "%s: %s", path, strerror(errno));
	fputs(content, f);
	cr_assert_eq(fclose(f), 0);
}

/* The directory's entries other than . and .., counted; names starting with '.' separately. */
static size_t count_entries(const char *dir, size_t *ret_hidden)
{
	struct dirent *de;
	size_t n = 0;
	DIR *d = opendir(dir);

	cr_assert_not_null(d, "%s: %s", dir, strerror(errno));
	*ret_hidden = 0;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		n++;
		if (de->d_name[0] == '.')
			(*ret_hidden)++;
	}
	closedir(d);
	return n;
}

static void expect_content(const char *path, const char *want, size_t want_len)
{
	char *data = NULL;
	size_t len = 0;

	cr_assert_eq(gx_read_file(path, GX_CONFIG_MAX_BYTES, &data, &len, NULL), 0, "read %s", path);
	cr_expect_eq(len, want_len, "%s: %zu bytes, want %zu", path, len, want_len);
	if (len == want_len)
		cr_expect_eq(memcmp(data, want, len), 0, "%s: content differs", path);
	cr_expect_eq(data[len], '\0');
	free(data);
}

static void expect_str(char *got, const char *want, const char *what)
{
	cr_assert_not_null(got, "%s: NULL", what);
	cr_expect_str_eq(got, want, "%s", what);
	free(got);
}

Test(path, join)
{
	expect_str(gx_path_join("a", "b"), "a/b", "a + b");
	expect_str(gx_path_join("a/", "b"), "a/b", "a/ + b");
	expect_str(gx_path_join("/x/y", "b/c"), "/x/y/b/c", "/x/y + b/c");
	expect_str(gx_path_join("a", "/b"), "/b", "a + /b");
	expect_str(gx_path_join("", "b"), "b", "'' + b");
	expect_str(gx_path_join("/", "b"), "/b", "/ + b");
}

Test(path, abs_normalises_lexically)
{
	static const char *const cases[][3] = {
		{ "/a/./b//c/../d/", NULL, "/a/b/d" },
		{ "//a//b", NULL, "/a/b" },
		{ "/", NULL, "/" },
		{ "/..", NULL, "/" },
		{ "/../a/..", NULL, "/" },
		{ "/a/.../b", NULL, "/a/.../b" },
		{ "/a/..b/.c/", NULL, "/a/..b/.c" },
		{ "x/../y", "/base", "/base/y" },
		{ "../..", "/a/b/c", "/a" },
		{ "../../../../x", "/a/b", "/x" },
		{ ".", "/a", "/a" },
		{ "", "/a/", "/a" },
		{ "/abs", "/ignored", "/abs" },
	};
	char what[128];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(what, sizeof(what), "abs(%s, %s)", cases[i][0],
			 cases[i][1] ? cases[i][1] : "NULL");
		expect_str(gx_path_abs(cases[i][0], cases[i][1]), cases[i][2], what);
	}
}

Test(path, abs_relative_to_cwd, .init = tmp_setup, .fini = tmp_teardown)
{
	char *sub = tmp_path("sub");
	char *want;
	char *cwd;

	cr_assert_eq(mkdir(sub, 0755), 0);
	cr_assert_eq(chdir(sub), 0);
	cwd = getcwd(NULL, 0); /* tmpdir may sit behind a symlink */
	cr_assert_neq(asprintf(&want, "%s/x", cwd), -1);
	expect_str(gx_path_abs("./x/y/..", NULL), want, "abs(./x/y/.., cwd)");
	expect_str(gx_path_abs("x", "./"), want, "abs(x, ./)");
	free(want);
	cr_assert_neq(asprintf(&want, "%s/b/a", cwd), -1);
	expect_str(gx_path_abs("a", "b"), want, "abs(a, b)");
	free(want);
	*strrchr(cwd, '/') = '\0';
	expect_str(gx_path_abs("..", NULL), cwd, "abs(.., cwd)");
	free(cwd);
	free(sub);
}

Test(path, dirname)
{
	static const char *const cases[][2] = {
		{ "/a/b", "/a" }, { "a/b/c", "a/b" }, { "a", "." },   { "/a", "/" },
		{ "/", "/" },     { "a/b/", "a" },    { "", "." },    { "a//b", "a" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		expect_str(gx_path_dirname(cases[i][0]), cases[i][1], cases[i][0]);
}

Test(path, exists_and_is_dir, .init = tmp_setup, .fini = tmp_teardown)
{
	char *file = tmp_path("f");
	char *link = tmp_path("dangling");
	char *missing = tmp_path("missing");

	put_file(file, "x");
	cr_assert_eq(symlink("nowhere", link), 0);
	cr_expect(gx_path_exists(tmpdir));
	cr_expect(gx_path_is_dir(tmpdir));
	cr_expect(gx_path_exists(file));
	cr_expect_not(gx_path_is_dir(file));
	cr_expect_not(gx_path_exists(missing));
	cr_expect_not(gx_path_is_dir(missing));
	cr_expect_not(gx_path_exists(link));
	free(file);
	free(link);
	free(missing);
}

Test(mkdir_p, creates_every_missing_level, .init = tmp_setup, .fini = tmp_teardown)
{
	char *deep = tmp_path("a//b/c/");
	char *mid = tmp_path("a/b");
	struct stat st;

	umask(0);
	cr_assert_eq(gx_mkdir_p(deep, 0750), 0);
	cr_assert_eq(stat(deep, &st), 0);
	cr_expect(S_ISDIR(st.st_mode));
	cr_expect_eq(st.st_mode & 07777, 0750);
	cr_assert_eq(stat(mid, &st), 0);
	cr_expect_eq(st.st_mode & 07777, 0750);
	/* Existing directories are fine and keep their mode. */
	cr_expect_eq(gx_mkdir_p(deep, 0700), 0);
	cr_assert_eq(stat(deep, &st), 0);
	cr_expect_eq(st.st_mode & 07777, 0750);
	cr_expect_eq(gx_mkdir_p("/", 0755), 0);
	free(deep);
	free(mid);
}

Test(mkdir_p, file_in_the_way, .init = tmp_setup, .fini = tmp_teardown)
{
	char *file = tmp_path("f");
	char *below = tmp_path("f/sub/dir");

	put_file(file, "x");
	cr_expect_eq(gx_mkdir_p(file, 0755), -ENOTDIR);
	cr_expect_eq(gx_mkdir_p(below, 0755), -ENOTDIR);
	cr_expect_eq(gx_mkdir_p("", 0755), -ENOENT);
	free(file);
	free(below);
}

Test(write_file, creates_parents_and_sets_mode, .init = tmp_setup, .fini = tmp_teardown)
{
	char *path = tmp_path("etc/supervisor/conf.d/galaxy.conf");
	char *parent = tmp_path("etc/supervisor/conf.d");
	struct gx_error err = { 0 };
	struct stat st;
	size_t hidden;

	umask(0);
	cr_assert_eq(gx_write_file(path, "[program:x]\n", 12, 0640, &err), 0, "%s",
		     err.message);
	expect_content(path, "[program:x]\n", 12);
	cr_assert_eq(stat(path, &st), 0);
	cr_expect_eq(st.st_mode & 07777, 0640);
	cr_assert_eq(stat(parent, &st), 0);
	cr_expect_eq(st.st_mode & 07777, 0755);
	cr_expect_eq(count_entries(parent, &hidden), 1);
	cr_expect_eq(hidden, 0);
	free(path);
	free(parent);
}

Test(write_file, replaces_old_content, .init = tmp_setup, .fini = tmp_teardown)
{
	char *path = tmp_path("unit.service");
	struct gx_error err = { 0 };
	struct stat st;
	size_t hidden;
	char *big;

	put_file(path, "old content that is longer than the new one\n");
	cr_assert_eq(gx_write_file(path, "new\n", 4, 0600, &err), 0, "%s", err.message);
	expect_content(path, "new\n", 4);
	cr_assert_eq(stat(path, &st), 0);
	cr_expect_eq(st.st_mode & 07777, 0600);
	/* Empty, binary and large contents are written exactly. */
	cr_assert_eq(gx_write_file(path, "", 0, 0644, &err), 0, "%s", err.message);
	expect_content(path, "", 0);
	cr_assert_eq(gx_write_file(path, "a\0b\0", 4, 0644, &err), 0, "%s", err.message);
	expect_content(path, "a\0b\0", 4);
	big = malloc(3u << 20);
	cr_assert_not_null(big);
	for (size_t i = 0; i < 3u << 20; i++)
		big[i] = (char)('a' + i % 26);
	cr_assert_eq(gx_write_file(path, big, 3u << 20, 0644, &err), 0, "%s", err.message);
	expect_content(path, big, 3u << 20);
	free(big);
	cr_expect_eq(count_entries(tmpdir, &hidden), 1);
	cr_expect_eq(hidden, 0);
	free(path);
}

Test(write_file, relative_path_in_cwd, .init = tmp_setup, .fini = tmp_teardown)
{
	struct gx_error err = { 0 };
	size_t hidden;

	cr_assert_eq(chdir(tmpdir), 0);
	cr_assert_eq(gx_write_file("plain.txt", "x", 1, 0644, &err), 0, "%s", err.message);
	expect_content("plain.txt", "x", 1);
	cr_expect_eq(count_entries(".", &hidden), 1);
	cr_expect_eq(hidden, 0);
}

Test(write_file, parent_is_a_file, .init = tmp_setup, .fini = tmp_teardown)
{
	char *file = tmp_path("regular");
	char *path = tmp_path("regular/sub/x.conf");
	struct gx_error err = { 0 };
	char want[1024];
	size_t hidden;

	put_file(file, "keep");
	cr_expect_eq(gx_write_file(path, "data", 4, 0644, &err), -ENOTDIR);
	cr_expect_eq(err.code, -ENOTDIR);
	snprintf(want, sizeof(want), "cannot write %s: cannot create directory %s/regular/sub: %s",
		 path, tmpdir, strerror(ENOTDIR));
	cr_expect_str_eq(err.message, want);
	expect_content(file, "keep", 4);
	cr_expect_eq(count_entries(tmpdir, &hidden), 1);
	cr_expect_eq(hidden, 0);
	free(file);
	free(path);
}

Test(write_file, target_is_a_directory, .init = tmp_setup, .fini = tmp_teardown)
{
	char *path = tmp_path("conf.d");
	char *inside = tmp_path("conf.d/keep");
	struct gx_error err = { 0 };
	char want[1024];
	size_t hidden;

	cr_assert_eq(mkdir(path, 0755), 0);
	put_file(inside, "keep");
	/* The temporary file is made and filled; rename() is what fails. */
	cr_expect_eq(gx_write_file(path, "data", 4, 0644, &err), -EISDIR);
	snprintf(want, sizeof(want), "cannot write %s: %s", path, strerror(EISDIR));
	cr_expect_str_eq(err.message, want);
	cr_expect(gx_path_is_dir(path));
	expect_content(inside, "keep", 4);
	cr_expect_eq(count_entries(tmpdir, &hidden), 1);
	cr_expect_eq(hidden, 0);
	/* A path naming a directory by its trailing slash is refused up front. */
	memset(&err, 0, sizeof(err));
	snprintf(want, sizeof(want), "%s/", path);
	cr_expect_eq(gx_write_file(want, "data", 4, 0644, &err), -EISDIR);
	cr_expect_eq(count_entries(path, &hidden), 1);
	free(path);
	free(inside);
}

Test(write_file, unwritable_places_keep_old_content)
{
	static const char *const paths[] = { "/proc/sys/kernel/ostype", "/sys/gx-no-such-file" };
	struct gx_error err = { 0 };
	char *before = NULL;
	char *after = NULL;
	char prefix[256];

	cr_assert_eq(gx_read_file(paths[0], GX_CONFIG_MAX_BYTES, &before, NULL, NULL), 0);
	for (size_t i = 0; i < 2; i++) {
		memset(&err, 0, sizeof(err));
		cr_expect_lt(gx_write_file(paths[i], "x\n", 2, 0644, &err), 0, "%s", paths[i]);
		cr_expect_lt(err.code, 0);
		snprintf(prefix, sizeof(prefix), "cannot write %s: ", paths[i]);
		cr_expect_eq(strncmp(err.message, prefix, strlen(prefix)), 0, "%s", err.message);
		cr_expect_str_eq(err.message + strlen(prefix), strerror(-err.code));
	}
	cr_assert_eq(gx_read_file(paths[0], GX_CONFIG_MAX_BYTES, &after, NULL, NULL), 0);
	cr_expect_str_eq(after, before);
	cr_expect_not(gx_path_exists(paths[1]));
	free(before);
	free(after);
}

/* A skipped test gets no .fini, so the full-disk test sets up and cleans up itself. */
static void full_disk_teardown(void)
{
	char *mnt;

	if (!tmpdir[0])
		return;
	mnt = tmp_path("mnt");
	umount2(mnt, MNT_DETACH);
	free(mnt);
	tmp_teardown();
}

/*
 * A real full disk: a 16 KiB tmpfs in a mount namespace private to this
 * test's process (Criterion runs each test in its own).
 */
Test(write_file, full_disk_keeps_old_content, .fini = full_disk_teardown)
{
	struct gx_error err = { 0 };
	const size_t big_len = 256u << 10;
	char want[1024];
	size_t hidden;
	char *path;
	char *mnt;
	char *big;

	if (geteuid() != 0)
		cr_skip_test("needs root to mount a tmpfs");
	if (unshare(CLONE_NEWNS) < 0)
		cr_skip_test("unshare(CLONE_NEWNS): %s", strerror(errno));
	cr_assert_eq(mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL), 0, "%s", strerror(errno));
	tmp_setup();
	mnt = tmp_path("mnt");
	path = tmp_path("mnt/galaxy.conf");
	cr_assert_eq(mkdir(mnt, 0755), 0);
	if (mount("gx-test", mnt, "tmpfs", 0, "size=16k") < 0) {
		full_disk_teardown();
		cr_skip_test("mount tmpfs: %s", strerror(errno));
	}

	cr_assert_eq(gx_write_file(path, "old\n", 4, 0644, &err), 0, "%s", err.message);
	big = malloc(big_len);
	cr_assert_not_null(big);
	memset(big, 'x', big_len);
	cr_expect_eq(gx_write_file(path, big, big_len, 0644, &err), -ENOSPC, "%s", err.message);
	free(big);
	snprintf(want, sizeof(want), "cannot write %s: %s", path, strerror(ENOSPC));
	cr_expect_str_eq(err.message, want);
	expect_content(path, "old\n", 4);
	cr_expect_eq(count_entries(mnt, &hidden), 1);
	cr_expect_eq(hidden, 0);
	/* The space is given back: a small write still succeeds. */
	cr_expect_eq(gx_write_file(path, "new\n", 4, 0644, &err), 0, "%s", err.message);
	expect_content(path, "new\n", 4);
	free(mnt);
	free(path);
}

Test(read_file, reads_whole_files, .init = tmp_setup, .fini = tmp_teardown)
{
	char *path = tmp_path("r");
	char *data = NULL;
	size_t len = 0;

	put_file(path, "hello\nworld\n");
	cr_assert_eq(gx_read_file(path, GX_CONFIG_MAX_BYTES, &data, &len, NULL), 0);
	cr_expect_eq(len, 12);
	cr_expect_str_eq(data, "hello\nworld\n");
	free(data);
	data = NULL;
	/* ret_len is optional; /proc files report size 0 but have content. */
	cr_assert_eq(gx_read_file("/proc/self/status", GX_CONFIG_MAX_BYTES, &data, NULL, NULL), 0);
	cr_expect_not_null(strstr(data, "Name:"));
	free(data);
	free(path);
}

Test(read_file, failures_leave_outputs_alone, .init = tmp_setup, .fini = tmp_teardown)
{
	char *missing = tmp_path("missing");
	char sentinel;
	char *data = &sentinel;
	size_t len = 42;

	cr_expect_eq(gx_read_file(missing, GX_CONFIG_MAX_BYTES, &data, &len, NULL), -ENOENT);
	cr_expect_eq(gx_read_file(tmpdir, GX_CONFIG_MAX_BYTES, &data, &len, NULL), -EISDIR);
	cr_expect_eq(data, &sentinel);
	cr_expect_eq(len, 42);
	free(missing);
}

Test(read_file, refuses_what_is_not_a_regular_file, .init = tmp_setup, .fini = tmp_teardown)
{
	char *fifo = tmp_path("fifo");
	struct gx_error err = { 0 };
	char *data = NULL;

	/* A FIFO with no writer: open must not wait for one. */
	cr_assert_eq(mkfifo(fifo, 0600), 0);
	cr_expect_eq(gx_read_file(fifo, GX_CONFIG_MAX_BYTES, &data, NULL, &err), -EINVAL);
	cr_expect_not_null(strstr(err.message, "it is a FIFO, not a regular file"), "%s",
			   err.message);
	cr_expect_eq(gx_read_file("/dev/zero", GX_CONFIG_MAX_BYTES, &data, NULL, &err), -EINVAL);
	cr_expect_not_null(strstr(err.message, "/dev/zero: it is a character device"), "%s",
			   err.message);
	cr_expect_null(data);
	free(fifo);
}

Test(read_file, refuses_files_over_the_cap, .init = tmp_setup, .fini = tmp_teardown)
{
	char *path = tmp_path("big");
	struct gx_error err = { 0 };
	char *data = NULL;
	size_t len = 0;

	put_file(path, "0123456789");
	cr_expect_eq(gx_read_file(path, 9, &data, &len, &err), -EFBIG);
	cr_expect_not_null(strstr(err.message, "big: it holds 10 bytes, more than the 9 allowed"),
			   "%s", err.message);
	cr_expect_null(data);
	/* Exactly the cap is fine. */
	cr_assert_eq(gx_read_file(path, 10, &data, &len, &err), 0, "%s", err.message);
	cr_expect_eq(len, 10);
	cr_expect_str_eq(data, "0123456789");
	free(data);
	free(path);
}
