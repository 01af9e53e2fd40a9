/* SPDX-License-Identifier: MIT */
/* Unit tests for backends/direct/safefs.c: links, FIFOs, hard links, owners and modes refused. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "safefs.h"

static char dir[] = "/tmp/gx-test-safefs-XXXXXX";
static char why[600];

static void setup(void)
{
	cr_assert(mkdtemp(dir));
}

static void teardown(void)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	cr_expect_eq(system(cmd), 0);
}

TestSuite(direct_safefs, .init = setup, .fini = teardown);

static char *at(const char *name)
{
	static char p[4][300];
	static int k;

	k = (k + 1) % 4;
	snprintf(p[k], sizeof(p[k]), "%s/%s", dir, name);
	return p[k];
}

/* Open name in dir as a log (not set_owner); the fd or a negative errno. */
static int open_log(const char *name)
{
	int dfd = direct_safe_opendir(dir, why, sizeof(why)), fd;
	long long size = -1;

	cr_assert_geq(dfd, 0, "%s", why);
	fd = direct_safe_open_log(dfd, dir, name, false, 0, 0, &size, why, sizeof(why));
	close(dfd);
	return fd;
}

Test(direct_safefs, a_log_is_created_then_appended)
{
	int fd = open_log("a.log");

	cr_assert_geq(fd, 0, "%s", why);
	cr_expect_eq(write(fd, "x\n", 2), 2);
	close(fd);
	fd = open_log("a.log");
	cr_assert_geq(fd, 0, "%s", why);
	close(fd);
}

Test(direct_safefs, a_log_link_fifo_hard_link_or_path_is_refused)
{
	char want[400];

	cr_assert_eq(symlink("/etc/passwd", at("link.log")), 0);
	cr_expect_lt(open_log("link.log"), 0);
	snprintf(want, sizeof(want), "refusing log %s: it is a symbolic link", at("link.log"));
	cr_expect_str_eq(why, want);
	cr_assert_eq(symlink(at("missing"), at("dangling.log")), 0);
	cr_expect_lt(open_log("dangling.log"), 0);
	cr_expect(strstr(why, "it is a symbolic link"), "%s", why);
	cr_expect_eq(access(at("missing"), F_OK), -1, "a dangling link was followed");
	cr_assert_eq(mkfifo(at("fifo.log"), 0644), 0);
	cr_expect_lt(open_log("fifo.log"), 0);
	cr_expect(strstr(why, "it is not a regular file"), "%s", why);
	close(open(at("one"), O_CREAT | O_WRONLY, 0644));
	cr_assert_eq(link(at("one"), at("two.log")), 0);
	cr_expect_lt(open_log("two.log"), 0);
	cr_expect(strstr(why, "it has 2 hard links"), "%s", why);
	cr_expect_eq(open_log("sub/x.log"), -EINVAL);
	cr_expect_eq(open_log(".."), -EINVAL);
}

Test(direct_safefs, a_log_of_another_user_is_refused)
{
	if (geteuid() != 0)
		cr_skip_test("needs root");
	close(open(at("theirs.log"), O_CREAT | O_WRONLY, 0644));
	cr_assert_eq(chown(at("theirs.log"), 65534, 65534), 0);
	cr_expect_lt(open_log("theirs.log"), 0);
	cr_expect(strstr(why, "it belongs to uid 65534, not to uid 0"), "%s", why);
}

Test(direct_safefs, a_link_in_a_directory_of_another_user_is_not_followed)
{
	char real[400], linked[400];
	int fd;

	cr_assert_eq(mkdir(at("real"), 0755), 0);
	cr_assert_eq(symlink("real", at("ours")), 0);
	snprintf(linked, sizeof(linked), "%s/ours", dir);
	fd = direct_safe_opendir(linked, why, sizeof(why));
	cr_expect_geq(fd, 0, "a link in our own directory: %s", why);
	close(fd);
	if (geteuid() != 0)
		return;
	/* dir/theirs (nobody's) holds a link: nobody could point it anywhere. */
	cr_assert_eq(mkdir(at("theirs"), 0755), 0);
	snprintf(real, sizeof(real), "%s/theirs/log", dir);
	cr_assert_eq(symlink("/etc", real), 0);
	cr_assert_eq(chown(at("theirs"), 65534, 65534), 0);
	cr_expect_eq(direct_safe_opendir(real, why, sizeof(why)), -ELOOP);
	cr_expect(strstr(why, "log is a symbolic link in a directory of uid 65534"), "%s", why);
}

Test(direct_safefs, a_private_dir_is_a_directory_of_ours_no_one_else_writes)
{
	struct stat st;
	char want[400];

	cr_expect_eq(direct_private_dir(at("own"), false, why, sizeof(why)), -ENOENT);
	cr_assert_eq(direct_private_dir(at("own"), true, why, sizeof(why)), 0, "%s", why);
	cr_assert_eq(stat(at("own"), &st), 0);
	cr_expect_eq(st.st_mode & 07777, 0700);
	cr_assert_eq(chmod(at("own"), 0755), 0);
	cr_expect_eq(direct_private_dir(at("own"), true, why, sizeof(why)), 0, "%s", why);
	cr_assert_eq(stat(at("own"), &st), 0);
	cr_expect_eq(st.st_mode & 07777, 0700, "0755 was not tightened");
	cr_assert_eq(chmod(at("own"), 0777), 0);
	cr_expect_eq(direct_private_dir(at("own"), true, why, sizeof(why)), -EPERM);
	cr_expect(strstr(why, "mode 0777 lets others write it"), "%s", why);
	cr_assert_eq(symlink("own", at("link")), 0);
	cr_expect_lt(direct_private_dir(at("link"), true, why, sizeof(why)), 0);
	snprintf(want, sizeof(want), "refusing %s: it is a symbolic link", at("link"));
	cr_expect_str_eq(why, want);
	if (geteuid() != 0)
		return;
	cr_assert_eq(chmod(at("own"), 0700), 0);
	cr_assert_eq(chown(at("own"), 65534, 65534), 0);
	cr_expect_eq(direct_private_dir(at("own"), true, why, sizeof(why)), -EPERM);
	snprintf(want, sizeof(want), "refusing %s: it belongs to uid 65534, not to uid 0", at("own"));
	cr_expect_str_eq(why, want);
}
