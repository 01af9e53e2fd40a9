/* SPDX-License-Identifier: MIT */
/* Unit tests for backends/direct/cgroup.c: a plain directory prepared like a delegated cgroup v2. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup.h"

static char dir[] = "/tmp/gx-test-cgroup-XXXXXX";
static struct direct_cgroup cg;

static void put(const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	cr_assert(f, "%s", path);
	fputs(text, f);
	fclose(f);
}

/* The text of dir/name, without its trailing newline; "" when missing. */
static const char *text_of(const char *name)
{
	static char buf[256];
	char path[512];
	FILE *f;
	size_t n = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "r");
	if (f) {
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
	}
	buf[n] = '\0';
	if (n && buf[n - 1] == '\n')
		buf[n - 1] = '\0';
	return buf;
}

static bool exists(const char *name)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return access(path, F_OK) == 0;
}

/* A delegated cgroup, as far as files go: memory is among its controllers. */
static void setup(void)
{
	cr_assert(mkdtemp(dir));
	chmod(dir, 0755);
	put("cgroup.controllers", "memory hugetlb\n");
	put("cgroup.subtree_control", "");
	direct_cgroup_init(&cg);
}

static void teardown(void)
{
	char cmd[300];

	direct_cgroup_release(&cg);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	cr_expect_eq(system(cmd), 0);
}

TestSuite(direct_cgroup, .init = setup, .fini = teardown);

Test(direct_cgroup, prepare_moves_the_manager_and_enables_memory)
{
	char pid[32];

	cr_assert_eq(direct_cgroup_prepare(&cg, dir), 0, "%s", cg.why);
	cr_expect_str_eq(cg.dir, dir);
	cr_expect_str_eq(cg.why, "");
	snprintf(pid, sizeof(pid), "%ld", (long)getpid());
	cr_expect_str_eq(text_of("manager/cgroup.procs"), pid);
	cr_expect_str_eq(text_of("cgroup.subtree_control"), "+memory");
	/* A second manager reuses the leaf. */
	cr_expect_eq(direct_cgroup_prepare(&cg, dir), 0, "%s", cg.why);
}

Test(direct_cgroup, program_cgroup_limits_move_and_removal)
{
	char why[512], want[600], *path = NULL, *again = NULL;
	int fd;

	cr_assert_eq(direct_cgroup_prepare(&cg, dir), 0, "%s", cg.why);
	cr_assert_eq(direct_cgroup_add(&cg, "gunicorn:gunicorn_0", 1073741824LL, 536870912LL, &path,
				       why, sizeof(why)), 0, "%s", why);
	snprintf(want, sizeof(want), "%s/gunicorn:gunicorn_0", dir);
	cr_expect_str_eq(path, want);
	cr_expect_str_eq(text_of("gunicorn:gunicorn_0/memory.max"), "1073741824");
	cr_expect_str_eq(text_of("gunicorn:gunicorn_0/memory.high"), "536870912");

	fd = direct_cgroup_open_procs(path);
	cr_assert_geq(fd, 0);
	cr_expect_eq(direct_cgroup_write_pid(fd, 4242), 0);
	close(fd);
	cr_expect_str_eq(text_of("gunicorn:gunicorn_0/cgroup.procs"), "4242");

	/* Added again (a new start, other limits): the same cgroup; 0 is no limit. */
	cr_assert_eq(direct_cgroup_add(&cg, "gunicorn:gunicorn_0", 2048, 0, &again, why, sizeof(why)),
		     0, "%s", why);
	cr_expect_str_eq(again, path);
	cr_expect_str_eq(text_of("gunicorn:gunicorn_0/memory.max"), "2048");
	cr_expect_str_eq(text_of("gunicorn:gunicorn_0/memory.high"), "max");
	cr_expect_eq(direct_cgroup_limit(path, 0, 4096, why, sizeof(why)), 0, "%s", why);
	cr_expect_str_eq(text_of("gunicorn:gunicorn_0/memory.max"), "max");
	cr_expect_str_eq(text_of("gunicorn:gunicorn_0/memory.high"), "4096");

	cr_expect_eq(direct_cgroup_remove(&cg, path), 0);
	cr_expect_not(exists("gunicorn:gunicorn_0"));
	cr_expect_eq(cg.n_stale, 0);
	cr_expect_eq(direct_cgroup_remove(&cg, path), 0, "a cgroup already gone is removed");
	free(path);
	free(again);
}

Test(direct_cgroup, program_names_are_escaped)
{
	static const char *const names[][2] = {
		{ "manager", "_manager" },   { "memory.max", "_memory.max" },
		{ "_x", "__x" },             { "a/b", "a_b" },
		{ "celery-beat", "celery-beat" },
	};
	char why[512], want[600], *path;

	cr_assert_eq(direct_cgroup_prepare(&cg, dir), 0, "%s", cg.why);
	for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++) {
		path = NULL;
		cr_assert_eq(direct_cgroup_add(&cg, names[i][0], 1024, 0, &path, why, sizeof(why)), 0,
			     "%s", why);
		snprintf(want, sizeof(want), "%s/%s", dir, names[i][1]);
		cr_expect_str_eq(path, want);
		cr_expect_eq(direct_cgroup_remove(&cg, path), 0);
		free(path);
	}
	cr_expect_eq(direct_cgroup_add(&cg, "", 1024, 0, &path, why, sizeof(why)), -EINVAL);
}

Test(direct_cgroup, add_needs_a_prepared_cgroup)
{
	char why[512], *path = NULL;

	cr_expect_eq(direct_cgroup_add(&cg, "gunicorn", 1024, 0, &path, why, sizeof(why)), -ENOENT);
	cr_expect_null(path);
	cr_expect_str_eq(why, cg.why);
}

Test(direct_cgroup, no_memory_controller)
{
	put("cgroup.controllers", "cpu io hugetlb\n");
	cr_expect_lt(direct_cgroup_prepare(&cg, dir), 0);
	cr_expect_null(cg.dir);
	cr_expect(strstr(cg.why, "memory controller"), "%s", cg.why);
	cr_expect_not(exists("manager"), "nothing changes when memory is missing");
	cr_expect_str_eq(text_of("cgroup.subtree_control"), "");
}

Test(direct_cgroup, not_a_cgroup)
{
	char want[600];

	snprintf(want, sizeof(want), "%s/cgroup.controllers", dir);
	cr_assert_eq(unlink(want), 0);
	cr_expect_eq(direct_cgroup_prepare(&cg, dir), -ENOENT);
	snprintf(want, sizeof(want), "%s is not a cgroup v2 directory (cannot read its "
		 "cgroup.controllers: No such file or directory)", dir);
	cr_expect_str_eq(cg.why, want);
}

Test(direct_cgroup, relative_dir)
{
	cr_expect_eq(direct_cgroup_prepare(&cg, "galaxy"), -EINVAL);
	cr_expect_str_eq(cg.why, "cgroup galaxy is not an absolute path");
}

/* As another user than the directory's owner: the reason prepare gives, through a pipe. */
static void prepare_as_nobody(char *why, size_t len)
{
	int fds[2];
	ssize_t n;
	pid_t pid;

	cr_assert_eq(pipe(fds), 0);
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		struct direct_cgroup other;

		close(fds[0]);
		if (geteuid() == 0 && (setgid(65534) < 0 || setuid(65534) < 0))
			_exit(2);
		direct_cgroup_init(&other);
		if (direct_cgroup_prepare(&other, dir) == 0)
			_exit(1);
		n = write(fds[1], other.why, strlen(other.why));
		_exit(n > 0 ? 0 : 3);
	}
	close(fds[1]);
	n = read(fds[0], why, len - 1);
	why[n > 0 ? n : 0] = '\0';
	close(fds[0]);
	cr_assert_eq(waitpid(pid, &(int){ 0 }, 0), pid);
}

Test(direct_cgroup, not_writable)
{
	char why[512], want[600];

	if (geteuid() != 0)
		chmod(dir, 0555); /* as root the directory's owner is root, and nobody may not write */
	prepare_as_nobody(why, sizeof(why));
	chmod(dir, 0755);
	snprintf(want, sizeof(want), "cgroup %s is not writable (not delegated)", dir);
	cr_expect_str_eq(why, want);
	cr_expect_not(exists("manager"));
}

Test(direct_cgroup, subtree_control_refused_is_undone)
{
	char want[600], pid[32];

	/* A directory where the file should be: writing "+memory" fails. */
	snprintf(want, sizeof(want), "%s/cgroup.subtree_control", dir);
	cr_assert_eq(unlink(want), 0);
	cr_assert_eq(mkdir(want, 0755), 0);
	cr_expect_eq(direct_cgroup_prepare(&cg, dir), -EISDIR);
	snprintf(want, sizeof(want), "cannot enable memory in %s/cgroup.subtree_control: Is a directory",
		 dir);
	cr_expect_str_eq(cg.why, want);
	cr_expect_null(cg.dir);
	/* The manager went back, and its leaf is gone. */
	snprintf(pid, sizeof(pid), "%ld", (long)getpid());
	cr_expect_str_eq(text_of("cgroup.procs"), pid);
	cr_expect_not(exists("manager"));
}

Test(direct_cgroup, move_refused)
{
	char want[600];

	snprintf(want, sizeof(want), "%s/manager", dir);
	cr_assert_eq(mkdir(want, 0755), 0);
	snprintf(want, sizeof(want), "%s/manager/cgroup.procs", dir);
	cr_assert_eq(mkdir(want, 0755), 0);
	cr_expect_eq(direct_cgroup_prepare(&cg, dir), -EISDIR);
	snprintf(want, sizeof(want), "cannot move the manager into cgroup %s/manager: Is a directory",
		 dir);
	cr_expect_str_eq(cg.why, want);
	cr_expect(exists("manager"), "a leaf that was there stays");
	cr_expect_str_eq(text_of("cgroup.subtree_control"), "");
}

/* ---------------------------------------------------------------------- */
/* The texts of /proc/self */

/* This machine's layout: cgroup v1 for memory, cgroup2 on the side. */
static const char hybrid[] =
	"31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
	"32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime shared:2 - cgroup cgroup rw,cpu\n"
	"35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
	"41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n";

static const char unified[] =
	"22 1 0:21 / /proc rw,nosuid - proc proc rw\n"
	"25 21 0:24 / /sys/fs/cgroup rw,nosuid,nodev shared:4 - cgroup2 cgroup2 rw,nsdelegate\n";

/* In a container: the cgroup2 mount's root is the container's cgroup, blanks escaped. */
static const char container[] =
	"605 600 0:24 /lxc/c1 /sys/fs/cg\\040x ro,nosuid master:4 - cgroup2 cgroup2 rw\n";

Test(direct_cgroup, locate)
{
	char why[512] = "", *d = NULL;

	cr_assert_eq(direct_cgroup_locate(unified, "0::/user.slice/galaxy.service\n", &d, why,
					  sizeof(why)), 0, "%s", why);
	cr_expect_str_eq(d, "/sys/fs/cgroup/user.slice/galaxy.service");
	free(d);
	cr_assert_eq(direct_cgroup_locate(unified, "0::/\n", &d, why, sizeof(why)), 0, "%s", why);
	cr_expect_str_eq(d, "/sys/fs/cgroup");
	free(d);
	cr_assert_eq(direct_cgroup_locate(hybrid, "4:memory:/init.scope\n0::/init.scope\n", &d, why,
					  sizeof(why)), 0, "%s", why);
	cr_expect_str_eq(d, "/sys/fs/cgroup/unified/init.scope");
	free(d);
	cr_assert_eq(direct_cgroup_locate(container, "0::/lxc/c1/galaxy", &d, why, sizeof(why)), 0,
		     "%s", why);
	cr_expect_str_eq(d, "/sys/fs/cg x/galaxy");
	free(d);
}

Test(direct_cgroup, locate_fails_with_a_reason)
{
	char why[512] = "", *d = NULL;

	/* cgroup v1 only: memory is there. */
	cr_expect_eq(direct_cgroup_locate(hybrid, "4:memory:/init.scope\n", &d, why, sizeof(why)),
		     -ENOENT);
	cr_expect_str_eq(why, "no cgroup v2 memory controller here (the memory controller is on cgroup v1)");
	cr_expect_eq(direct_cgroup_locate(unified, "1:name=systemd:/x\n", &d, why, sizeof(why)),
		     -ENOENT);
	cr_expect_str_eq(why, "the manager is in no cgroup v2 (no 0:: line in /proc/self/cgroup)");
	/* Outside what the container's mount shows ("/lxc/c10" is not under "/lxc/c1"). */
	cr_expect_eq(direct_cgroup_locate(container, "0::/lxc/c10\n", &d, why, sizeof(why)), -ENOENT);
	cr_expect_str_eq(why, "no cgroup2 mount shows the manager's cgroup /lxc/c10");
	cr_expect_eq(direct_cgroup_locate("garbage\n\n", "0::/a\n", &d, why, sizeof(why)), -ENOENT);
	cr_expect_null(d);
}

Test(direct_cgroup, v1_memory)
{
	cr_expect(direct_cgroup_v1_memory(hybrid));
	cr_expect_not(direct_cgroup_v1_memory(unified));
	cr_expect_not(direct_cgroup_v1_memory("1 0 0:1 / /m rw - cgroup cgroup rw,memoryless\n"));
	cr_expect_not(direct_cgroup_v1_memory(""));
	cr_expect_not(direct_cgroup_v1_memory(NULL));
}

Test(direct_cgroup, lists)
{
	cr_expect(direct_cgroup_lists("cpuset cpu io memory hugetlb pids\n", "memory"));
	cr_expect(direct_cgroup_lists("memory\n", "memory"));
	cr_expect_not(direct_cgroup_lists("cpu memoryx pids\n", "memory"));
	cr_expect_not(direct_cgroup_lists("hugetlb\n", "memory"));
	cr_expect_not(direct_cgroup_lists("", "memory"));
}

Test(direct_cgroup, write_pid)
{
	char path[512];
	int fd;

	snprintf(path, sizeof(path), "%s/procs", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	cr_assert_geq(fd, 0);
	cr_expect_eq(direct_cgroup_write_pid(fd, 1), 0);
	cr_expect_eq(direct_cgroup_write_pid(fd, 2147483647), 0);
	close(fd);
	cr_expect_str_eq(text_of("procs"), "1\n2147483647");
	cr_expect_eq(direct_cgroup_write_pid(-1, 1), -EBADF);
}
