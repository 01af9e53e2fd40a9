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
#include <sys/xattr.h>
#include <unistd.h>

#include "cgroup.h"

static char dir[] = "/tmp/gx-test-cgroup-XXXXXX";
static struct direct_cgroup cg;

/* The state dir whose manager the tests are, and the start of its program cgroups' names. */
#define OWNER "/srv/galaxy/database/gravity"
#define PREFIX "fe1b9a29_" /* 32-bit FNV-1a of OWNER */

/* GRAVITY_DIRECT_CGROUP=dir, for OWNER's manager. */
static int prepare(struct direct_cgroup *c, const char *d)
{
	struct direct_cgroup_opts opts = { .dir = d, .owner = OWNER };

	return direct_cgroup_prepare(c, &opts);
}

/* The same, with processes of the chain that started the manager. */
static int prepare_chain(struct direct_cgroup *c, const char *d, const pid_t *chain, size_t n)
{
	struct direct_cgroup_opts opts = { .dir = d, .owner = OWNER, .chain = chain, .n_chain = n };

	return direct_cgroup_prepare(c, &opts);
}

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

	cr_assert_eq(prepare(&cg, dir), 0, "%s", cg.why);
	cr_expect_str_eq(cg.dir, dir);
	cr_expect_str_eq(cg.why, "");
	snprintf(pid, sizeof(pid), "%ld", (long)getpid());
	cr_expect_str_eq(text_of("manager/cgroup.procs"), pid);
	cr_expect_str_eq(text_of("cgroup.subtree_control"), "+memory");
	cr_expect_str_eq(cg.prefix, PREFIX);
	cr_expect_not(exists("cgroup.procs"), "the manager was not in DIR: nothing goes there");
	/* A second manager reuses the leaf. */
	cr_expect_eq(prepare(&cg, dir), 0, "%s", cg.why);
}

/*
 * galaxyctl waits in DIR for the word of the manager it started: the
 * manager takes it (and what else of its chain DIR holds) into its leaf,
 * else "+memory" would be refused (EBUSY).  What DIR does not hold stays.
 */
Test(direct_cgroup, prepare_takes_the_chain_along)
{
	const pid_t chain[] = { 4242, 4444, getpid() };
	char want[64];

	put("cgroup.procs", "4242\n4343\n");
	cr_assert_eq(prepare_chain(&cg, dir, chain, 3), 0, "%s", cg.why);
	snprintf(want, sizeof(want), "%ld\n4242", (long)getpid());
	cr_expect_str_eq(text_of("manager/cgroup.procs"), want);
	cr_expect_str_eq(text_of("cgroup.subtree_control"), "+memory");
}

Test(direct_cgroup, program_cgroup_limits_move_and_removal)
{
	char why[512], want[600], *path = NULL, *again = NULL;
	int fd;

	cr_assert_eq(prepare(&cg, dir), 0, "%s", cg.why);
	cr_assert_eq(direct_cgroup_add(&cg, "gunicorn:gunicorn_0", 1073741824LL, 536870912LL, &path,
				       why, sizeof(why)), 0, "%s", why);
	snprintf(want, sizeof(want), "%s/" PREFIX "gunicorn:gunicorn_0", dir);
	cr_expect_str_eq(path, want);
	cr_expect_str_eq(text_of(PREFIX "gunicorn:gunicorn_0/memory.max"), "1073741824");
	cr_expect_str_eq(text_of(PREFIX "gunicorn:gunicorn_0/memory.high"), "536870912");
	cr_expect_eq(direct_cgroup_oom_group(path, why, sizeof(why)), 0, "%s", why);
	cr_expect_str_eq(text_of(PREFIX "gunicorn:gunicorn_0/memory.oom.group"), "1");

	fd = direct_cgroup_open_procs(path);
	cr_assert_geq(fd, 0);
	cr_expect_eq(direct_cgroup_write_pid(fd, 4242), 0);
	close(fd);
	cr_expect_str_eq(text_of(PREFIX "gunicorn:gunicorn_0/cgroup.procs"), "4242");

	/* Added again (a new start, other limits): the same cgroup; 0 is no limit. */
	cr_assert_eq(direct_cgroup_add(&cg, "gunicorn:gunicorn_0", 2048, 0, &again, why, sizeof(why)),
		     0, "%s", why);
	cr_expect_str_eq(again, path);
	cr_expect_str_eq(text_of(PREFIX "gunicorn:gunicorn_0/memory.max"), "2048");
	cr_expect_str_eq(text_of(PREFIX "gunicorn:gunicorn_0/memory.high"), "max");
	cr_expect_eq(direct_cgroup_limit(path, 0, 4096, why, sizeof(why)), 0, "%s", why);
	cr_expect_str_eq(text_of(PREFIX "gunicorn:gunicorn_0/memory.max"), "max");
	cr_expect_str_eq(text_of(PREFIX "gunicorn:gunicorn_0/memory.high"), "4096");

	cr_expect_eq(direct_cgroup_remove(&cg, path), 0);
	cr_expect_not(exists(PREFIX "gunicorn:gunicorn_0"));
	cr_expect_eq(cg.n_stale, 0);
	cr_expect_eq(direct_cgroup_remove(&cg, path), 0, "a cgroup already gone is removed");
	free(path);
	free(again);
}

Test(direct_cgroup, program_names_are_escaped)
{
	static const char *const names[][2] = {
		{ "manager", PREFIX "manager" },     { "memory.max", PREFIX "memory.max" },
		{ "_x", PREFIX "_x" },               { "a/b", PREFIX "a%2fb" },
		{ "a_b", PREFIX "a_b" },             { "50%", PREFIX "50%25" },
		{ "x\ny\x7f", PREFIX "x%0ay%7f" },   { "celery-beat", PREFIX "celery-beat" },
		{ "handler:a.b", PREFIX "handler:a.b" },
	};
	char why[512], want[600], *path;

	cr_assert_eq(prepare(&cg, dir), 0, "%s", cg.why);
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

/* Two managers (two state dirs) on one GRAVITY_DIRECT_CGROUP: each its own program cgroups. */
Test(direct_cgroup, managers_sharing_dir_have_their_own_cgroups)
{
	struct direct_cgroup other;
	struct direct_cgroup_opts opts = { .dir = dir, .owner = "/srv/other/gravity" };
	char why[512], want[600], *mine = NULL, *theirs = NULL;

	direct_cgroup_init(&other);
	cr_assert_eq(prepare(&cg, dir), 0, "%s", cg.why);
	cr_assert_eq(direct_cgroup_prepare(&other, &opts), 0, "%s", other.why);
	cr_expect_str_eq(other.prefix, "11f31a5b_");
	cr_assert_eq(direct_cgroup_add(&cg, "gunicorn", 1024, 0, &mine, why, sizeof(why)), 0, "%s", why);
	cr_assert_eq(direct_cgroup_add(&other, "gunicorn", 2048, 0, &theirs, why, sizeof(why)), 0,
		     "%s", why);
	snprintf(want, sizeof(want), "%s/11f31a5b_gunicorn", dir);
	cr_expect_str_eq(theirs, want);
	cr_expect_str_neq(mine, theirs);
	cr_expect_str_eq(text_of(PREFIX "gunicorn/memory.max"), "1024");
	cr_expect_str_eq(text_of("11f31a5b_gunicorn/memory.max"), "2048");
	cr_expect_eq(direct_cgroup_remove(&other, theirs), 0);
	cr_expect(exists(PREFIX "gunicorn"), "the other manager's removal left this one's cgroup");
	free(mine);
	free(theirs);
	direct_cgroup_release(&other);
}

/* A stale cgroup (its processes outlived its program) reused: it stays stale until the add works. */
Test(direct_cgroup, stale_cgroup_stays_tracked_when_reuse_fails)
{
	char why[512], path[600], file[700], *got = NULL;

	cr_assert_eq(prepare(&cg, dir), 0, "%s", cg.why);
	snprintf(path, sizeof(path), "%s/" PREFIX "gunicorn", dir);
	cr_assert_eq(mkdir(path, 0755), 0);
	/* As direct_cgroup_remove() keeps one a real cgroup refuses to remove (EBUSY). */
	cg.stale = malloc(sizeof(*cg.stale));
	cr_assert(cg.stale);
	cg.stale[0] = strdup(path);
	cg.n_stale = 1;
	/* memory.max cannot be written: the add fails. */
	snprintf(file, sizeof(file), "%s/memory.max", path);
	cr_assert_eq(mkdir(file, 0755), 0);
	cr_expect_eq(direct_cgroup_add(&cg, "gunicorn", 1024, 0, &got, why, sizeof(why)), -EISDIR);
	cr_expect_null(got);
	cr_expect(exists(PREFIX "gunicorn"), "a cgroup not created here is not removed here");
	cr_assert_eq(cg.n_stale, 1, "a reused stale cgroup whose add failed is still tracked");
	cr_expect_str_eq(cg.stale[0], path);
	/* Once the add works, it is in use again: no longer stale. */
	cr_assert_eq(rmdir(file), 0);
	cr_expect_eq(direct_cgroup_add(&cg, "gunicorn", 1024, 0, &got, why, sizeof(why)), 0, "%s", why);
	cr_expect_eq(cg.n_stale, 0);
	cr_expect_str_eq(got, path);
	free(got);
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
	cr_expect_lt(prepare(&cg, dir), 0);
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
	cr_expect_eq(prepare(&cg, dir), -ENOENT);
	snprintf(want, sizeof(want), "%s is not a cgroup v2 directory (cannot read its "
		 "cgroup.controllers: No such file or directory)", dir);
	cr_expect_str_eq(cg.why, want);
}

Test(direct_cgroup, relative_dir)
{
	cr_expect_eq(prepare(&cg, "galaxy"), -EINVAL);
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
		if (prepare(&other, dir) == 0)
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

/* A directory where the file should be: writing "+memory" fails. */
static void refuse_subtree_control(void)
{
	char path[600];

	snprintf(path, sizeof(path), "%s/cgroup.subtree_control", dir);
	cr_assert_eq(unlink(path), 0);
	cr_assert_eq(mkdir(path, 0755), 0);
}

static void expect_refused_why(void)
{
	char want[600];

	snprintf(want, sizeof(want), "cannot enable memory in %s/cgroup.subtree_control: Is a directory",
		 dir);
	cr_expect_str_eq(cg.why, want);
}

/* DIR held the manager and galaxyctl: both go back there, and the leaf goes. */
Test(direct_cgroup, subtree_control_refused_is_undone)
{
	const pid_t chain[] = { 4242 };
	char procs[64];

	snprintf(procs, sizeof(procs), "4242\n%ld\n", (long)getpid());
	put("cgroup.procs", procs);
	refuse_subtree_control();
	cr_expect_eq(prepare_chain(&cg, dir, chain, 1), -EISDIR);
	expect_refused_why();
	cr_expect_null(cg.dir);
	snprintf(procs, sizeof(procs), "%ld\n4242", (long)getpid());
	cr_expect_str_eq(text_of("cgroup.procs"), procs);
	cr_expect_not(exists("manager"));
}

/* The test's own cgroup v2 directory, as the manager finds its own; NULL when none is found. */
static char *own_cgroup(void)
{
	static const char *const files[] = { "/proc/self/mountinfo", "/proc/self/cgroup" };
	char *text[2] = { NULL, NULL }, *d = NULL, why[512];

	for (size_t i = 0; i < 2; i++) {
		FILE *f = fopen(files[i], "r");
		size_t n = 0, alloc = 0;
		ssize_t got;
		char *line = NULL;

		cr_assert(f, "%s", files[i]);
		text[i] = strdup("");
		while ((got = getline(&line, &alloc, f)) > 0) {
			char *grown = realloc(text[i], n + (size_t)got + 1);

			cr_assert(grown);
			memcpy(grown + n, line, (size_t)got + 1);
			text[i] = grown;
			n += (size_t)got;
		}
		free(line);
		fclose(f);
	}
	if (direct_cgroup_locate(text[0], text[1], &d, NULL, why, sizeof(why)) < 0)
		d = NULL;
	free(text[0]);
	free(text[1]);
	return d;
}

/*
 * DIR did not hold the manager: it goes back to its own cgroup (here, the
 * test's, where it still is: a move that changes nothing), never into DIR.
 */
Test(direct_cgroup, refused_manager_goes_back_to_its_own_cgroup)
{
	char *own = own_cgroup();

	refuse_subtree_control();
	cr_expect_eq(prepare(&cg, dir), -EISDIR);
	cr_expect_null(cg.dir);
	cr_expect_not(exists("cgroup.procs"), "the manager went into DIR, where it never was");
	if (own) {
		expect_refused_why();
		cr_expect_not(exists("manager"));
	} else {
		cr_expect(strstr(cg.why, "the manager stays in"), "%s", cg.why);
		cr_expect(exists("manager"), "with nowhere to go back to, the manager stays in its leaf");
	}
	free(own);
}

Test(direct_cgroup, delegated_by_owner)
{
	char why[512] = "", want[700];
	uid_t owner = geteuid();

	if (owner == 0) { /* as systemd hands a delegated cgroup to the unit's user */
		owner = 65534;
		cr_assert_eq(chown(dir, owner, (gid_t)-1), 0);
	}
	cr_expect_eq(direct_cgroup_delegated(dir, owner, why, sizeof(why)), 0, "%s", why);
	cr_expect_eq(direct_cgroup_delegated(dir, owner + 1, why, sizeof(why)), -EPERM);
	snprintf(want, sizeof(want), "cgroup %s is not delegated to the manager (it belongs to uid %ld, "
		 "the manager runs as uid %ld); set GRAVITY_DIRECT_CGROUP to a cgroup delegated to the "
		 "manager", dir, (long)owner, (long)owner + 1);
	cr_expect_str_eq(why, want);
}

/* Root owns every cgroup: only systemd's xattr says that one is delegated. */
Test(direct_cgroup, delegated_by_xattr_for_root)
{
	char why[512] = "", want[700];

	cr_expect_eq(direct_cgroup_delegated(dir, 0, why, sizeof(why)), -EPERM);
	snprintf(want, sizeof(want), "cgroup %s is not delegated to the manager (it has no "
		 "trusted.delegate or user.delegate xattr, which systemd sets with Delegate=yes); set "
		 "GRAVITY_DIRECT_CGROUP to a cgroup delegated to the manager", dir);
	cr_expect_str_eq(why, want);
	if (setxattr(dir, "user.delegate", "1", 1, 0) < 0)
		cr_skip_test("no user xattrs on %s: %s", dir, strerror(errno));
	cr_expect_eq(direct_cgroup_delegated(dir, 0, why, sizeof(why)), 0, "%s", why);
	cr_assert_eq(removexattr(dir, "user.delegate"), 0);
	if (setxattr(dir, "trusted.delegate", "1", 1, 0) == 0) /* needs CAP_SYS_ADMIN */
		cr_expect_eq(direct_cgroup_delegated(dir, 0, why, sizeof(why)), 0, "%s", why);
}

Test(direct_cgroup, move_refused)
{
	char want[600];

	snprintf(want, sizeof(want), "%s/manager", dir);
	cr_assert_eq(mkdir(want, 0755), 0);
	snprintf(want, sizeof(want), "%s/manager/cgroup.procs", dir);
	cr_assert_eq(mkdir(want, 0755), 0);
	cr_expect_eq(prepare(&cg, dir), -EISDIR);
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
	bool root = true;

	cr_assert_eq(direct_cgroup_locate(unified, "0::/user.slice/galaxy.service\n", &d, &root, why,
					  sizeof(why)), 0, "%s", why);
	cr_expect_str_eq(d, "/sys/fs/cgroup/user.slice/galaxy.service");
	cr_expect_not(root);
	free(d);
	cr_assert_eq(direct_cgroup_locate(hybrid, "4:memory:/init.scope\n0::/init.scope\n", &d, &root,
					  why, sizeof(why)), 0, "%s", why);
	cr_expect_str_eq(d, "/sys/fs/cgroup/unified/init.scope");
	cr_expect_not(root);
	free(d);
	cr_assert_eq(direct_cgroup_locate(container, "0::/lxc/c1/galaxy", &d, &root, why, sizeof(why)),
		     0, "%s", why);
	cr_expect_str_eq(d, "/sys/fs/cg x/galaxy");
	cr_expect_not(root);
	free(d);
}

/* The host's root cgroup, or a container's: never taken for a delegated one. */
Test(direct_cgroup, locate_says_mount_root)
{
	char why[512] = "", *d = NULL;
	bool root = false;

	cr_assert_eq(direct_cgroup_locate(unified, "0::/\n", &d, &root, why, sizeof(why)), 0, "%s", why);
	cr_expect_str_eq(d, "/sys/fs/cgroup");
	cr_expect(root);
	free(d);
	root = false;
	/* Without a cgroup namespace: the container's mount root is its cgroup. */
	cr_assert_eq(direct_cgroup_locate(container, "0::/lxc/c1\n", &d, &root, why, sizeof(why)), 0,
		     "%s", why);
	cr_expect_str_eq(d, "/sys/fs/cg x");
	cr_expect(root);
	free(d);
	root = false;
	/* With one: "0::/" again, and the mount's root is "/". */
	cr_assert_eq(direct_cgroup_locate(unified, "0::/\n", &d, NULL, why, sizeof(why)), 0, "%s", why);
	free(d);
}

Test(direct_cgroup, locate_fails_with_a_reason)
{
	char why[512] = "", *d = NULL;

	/* cgroup v1 only: memory is there. */
	cr_expect_eq(direct_cgroup_locate(hybrid, "4:memory:/init.scope\n", &d, NULL, why, sizeof(why)),
		     -ENOENT);
	cr_expect_str_eq(why, "no cgroup v2 memory controller here (the memory controller is on cgroup v1)");
	cr_expect_eq(direct_cgroup_locate(unified, "1:name=systemd:/x\n", &d, NULL, why, sizeof(why)),
		     -ENOENT);
	cr_expect_str_eq(why, "the manager is in no cgroup v2 (no 0:: line in /proc/self/cgroup)");
	/* Outside what the container's mount shows ("/lxc/c10" is not under "/lxc/c1"). */
	cr_expect_eq(direct_cgroup_locate(container, "0::/lxc/c10\n", &d, NULL, why, sizeof(why)), -ENOENT);
	cr_expect_str_eq(why, "no cgroup2 mount shows the manager's cgroup /lxc/c10");
	cr_expect_eq(direct_cgroup_locate("garbage\n\n", "0::/a\n", &d, NULL, why, sizeof(why)), -ENOENT);
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
