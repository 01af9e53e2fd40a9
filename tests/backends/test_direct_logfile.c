/* SPDX-License-Identifier: MIT */
/* Unit tests for backends/direct/logfile.c: appending, size-based rotation, backups, reopening. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "logfile.h"

static char dir[] = "/tmp/gx-test-logfile-XXXXXX";
static char path[256];

static void setup(void)
{
	cr_assert(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/svc.log", dir);
}

static void teardown(void)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	cr_expect_eq(system(cmd), 0);
}

static long file_size(const char *suffix)
{
	char p[300];
	struct stat st;

	snprintf(p, sizeof(p), "%s%s", path, suffix);
	return stat(p, &st) == 0 ? (long)st.st_size : -1;
}

static char *file_text(const char *suffix)
{
	char p[300];
	FILE *f;
	char *buf = calloc(1, 65536);
	size_t n;

	snprintf(p, sizeof(p), "%s%s", path, suffix);
	f = fopen(p, "r");
	cr_assert(f, "%s", p);
	n = fread(buf, 1, 65535, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* The file starts with (n > 0) or is exactly (n == 0) want. */
static void expect_text(const char *suffix, const char *want, size_t n)
{
	char *text = file_text(suffix);

	if (n)
		cr_expect(strncmp(text, want, n) == 0, "%s%s: %s", path, suffix, text);
	else
		cr_expect_str_eq(text, want, "%s%s", path, suffix);
	free(text);
}

TestSuite(direct_logfile, .init = setup, .fini = teardown);

Test(direct_logfile, appends_to_what_is_there)
{
	struct direct_logfile lf;
	FILE *f = fopen(path, "w");

	fputs("old\n", f);
	fclose(f);
	direct_logfile_init(&lf);
	cr_assert_eq(direct_logfile_open(&lf, path, 0, 3), 0);
	cr_expect_eq(lf.size, 4);
	cr_assert_eq(direct_logfile_write(&lf, "new\n", 4), 0);
	direct_logfile_release(&lf);
	expect_text("", "old\nnew\n", 0);
}

Test(direct_logfile, rotates_at_the_size_with_whole_lines)
{
	struct direct_logfile lf;
	char line[32];

	direct_logfile_init(&lf);
	cr_assert_eq(direct_logfile_open(&lf, path, 100, 2), 0);
	for (int i = 0; i < 30; i++) {
		snprintf(line, sizeof(line), "line %02d xxxxxxxx\n", i); /* 17 bytes */
		cr_assert_eq(direct_logfile_write(&lf, line, strlen(line)), 0);
	}
	direct_logfile_release(&lf);
	/* 5 lines (85 bytes) per file; 30 lines: 6 files, of which 3 are kept. */
	cr_expect_eq(file_size(""), 85);
	cr_expect_eq(file_size(".1"), 85);
	cr_expect_eq(file_size(".2"), 85);
	cr_expect_eq(file_size(".3"), -1);
	expect_text(".2", "line 15 ", 8);
	expect_text("", "line 25 ", 8);
}

Test(direct_logfile, splits_one_write_across_files)
{
	struct direct_logfile lf;
	char chunk[400];

	for (int i = 0; i < 20; i++)
		memcpy(chunk + i * 20, "0123456789abcdefghi\n", 20);
	direct_logfile_init(&lf);
	cr_assert_eq(direct_logfile_open(&lf, path, 100, 5), 0);
	cr_assert_eq(direct_logfile_write(&lf, chunk, sizeof(chunk)), 0);
	direct_logfile_release(&lf);
	cr_expect_eq(file_size(""), 100);
	cr_expect_eq(file_size(".1"), 100);
	cr_expect_eq(file_size(".3"), 100);
	cr_expect_eq(file_size(".4"), -1, "400 bytes fill four files");
}

Test(direct_logfile, a_line_longer_than_a_file_is_cut)
{
	struct direct_logfile lf;
	char big[250];

	memset(big, 'x', sizeof(big));
	direct_logfile_init(&lf);
	cr_assert_eq(direct_logfile_open(&lf, path, 100, 5), 0);
	cr_assert_eq(direct_logfile_write(&lf, "a\n", 2), 0);
	cr_assert_eq(direct_logfile_write(&lf, big, sizeof(big)), 0);
	direct_logfile_release(&lf);
	cr_expect_eq(file_size(".3"), 2, "the short line went alone");
	cr_expect_eq(file_size(".2"), 100);
	cr_expect_eq(file_size(".1"), 100);
	cr_expect_eq(file_size(""), 50);
}

Test(direct_logfile, no_backups_truncates)
{
	struct direct_logfile lf;

	direct_logfile_init(&lf);
	cr_assert_eq(direct_logfile_open(&lf, path, 10, 0), 0);
	cr_assert_eq(direct_logfile_write(&lf, "12345678\n", 9), 0);
	cr_assert_eq(direct_logfile_write(&lf, "abc\n", 4), 0);
	direct_logfile_release(&lf);
	expect_text("", "abc\n", 0);
	cr_expect_eq(file_size(".1"), -1);
}

Test(direct_logfile, reopen_follows_the_path)
{
	struct direct_logfile lf;
	char moved[300];

	direct_logfile_init(&lf);
	cr_assert_eq(direct_logfile_open(&lf, path, 0, 1), 0);
	cr_assert_eq(direct_logfile_write(&lf, "before\n", 7), 0);
	snprintf(moved, sizeof(moved), "%s.moved", path);
	cr_assert_eq(rename(path, moved), 0);
	cr_assert_eq(direct_logfile_reopen(&lf), 0);
	cr_assert_eq(direct_logfile_write(&lf, "after\n", 6), 0);
	direct_logfile_release(&lf);
	expect_text("", "after\n", 0);
	expect_text(".moved", "before\n", 0);
}

Test(direct_logfile, errors)
{
	struct direct_logfile lf;
	char bad[300];

	snprintf(bad, sizeof(bad), "%s/missing/dir.log", dir);
	direct_logfile_init(&lf);
	cr_expect_lt(direct_logfile_open(&lf, bad, 0, 1), 0);
	cr_expect_eq(lf.fd, -1);
	cr_expect_lt(direct_logfile_write(&lf, "x\n", 2), 0);
	direct_logfile_release(&lf);
	direct_logfile_release(&lf);
	/* Only an absolute, normal path: ".." would lead out of the checked directory. */
	snprintf(bad, sizeof(bad), "%s/../x.log", dir);
	cr_expect_eq(direct_logfile_open(&lf, bad, 0, 1), -EINVAL);
	cr_expect(strstr(lf.why, "not an absolute, normal file path"), "%s", lf.why);
	cr_expect_eq(direct_logfile_open(&lf, "x.log", 0, 1), -EINVAL);
	direct_logfile_release(&lf);
}

/* A full disk (/dev/full in place of the file): every byte that could not be written is counted,
 * for the manager to report once the disk has room again. */
Test(direct_logfile, counts_what_a_full_disk_drops)
{
	struct direct_logfile lf;
	int real, full = open("/dev/full", O_WRONLY | O_CLOEXEC);

	cr_assert_geq(full, 0);
	direct_logfile_init(&lf);
	cr_assert_eq(direct_logfile_open(&lf, path, 0, 3), 0);
	real = lf.fd;
	lf.fd = full;
	cr_expect_eq(direct_logfile_write(&lf, "lost one\n", 9), -ENOSPC);
	cr_expect_eq(direct_logfile_write(&lf, "lost two\n", 9), -ENOSPC);
	cr_expect_eq(lf.dropped, 18);
	lf.fd = real;
	close(full);
	cr_assert_eq(direct_logfile_write(&lf, "kept\n", 5), 0);
	cr_expect_eq(lf.dropped, 18, "counted until the manager reports it");
	direct_logfile_release(&lf);
	expect_text("", "kept\n", 0);
}
