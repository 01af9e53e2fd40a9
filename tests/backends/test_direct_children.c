/* SPDX-License-Identifier: MIT */
/* Unit tests for backends/direct/children.c: the children record, written and read strictly. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "children.h"

static char dir[] = "/tmp/gx-children-XXXXXX";
static char path[64];
static unsigned bad_lines[16];
static size_t n_bad;

static void children_setup(void)
{
	cr_assert(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/children", dir);
	n_bad = 0;
}

static void children_teardown(void)
{
	char tmp[80];

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	unlink(tmp);
	unlink(path);
	rmdir(dir);
}

static void note_bad(void *ctx, unsigned line, const char *why)
{
	(void)ctx;
	cr_expect(why && *why);
	if (n_bad < 16)
		bad_lines[n_bad++] = line;
}

static void write_text(const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");

	cr_assert(f);
	fputs(text, f);
	fclose(f);
	chmod(path, mode);
}

#define BOOT "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"

TestSuite(direct_children, .init = children_setup, .fini = children_teardown);

Test(direct_children, round_trip)
{
	struct direct_child_rec v[] = {
		{ .pid = 1234, .starttime = 987654321, .key = direct_children_key("gunicorn") },
		{ .pid = 2, .starttime = 0, .key = direct_children_key("h\n1 0 injected") },
	};
	struct direct_children c;
	struct stat st;

	cr_assert_eq(direct_children_write(path, BOOT, v, 2), 0);
	cr_assert_eq(stat(path, &st), 0);
	cr_expect_eq(st.st_mode & 0777, 0600);
	cr_assert_eq(direct_children_read(path, &c, note_bad, NULL), 0);
	cr_expect_str_eq(c.boot_id, BOOT);
	cr_assert_eq(c.n, 2);
	cr_expect_eq(c.v[0].pid, 1234);
	cr_expect_eq(c.v[0].starttime, 987654321);
	cr_expect_eq(c.v[0].key, direct_children_key("gunicorn"));
	cr_expect_eq(c.v[1].key, direct_children_key("h\n1 0 injected"));
	cr_expect_eq(n_bad, 0);
	direct_children_release(&c);
}

Test(direct_children, names_never_reach_the_file)
{
	struct direct_child_rec v = { .pid = 99, .starttime = 5,
				      .key = direct_children_key("a\n1 0 zz") };
	char text[256] = "";
	FILE *f;

	cr_assert_eq(direct_children_write(path, BOOT, &v, 1), 0);
	f = fopen(path, "r");
	cr_assert(f);
	cr_expect_gt(fread(text, 1, sizeof(text) - 1, f), 0);
	fclose(f);
	cr_expect_null(strstr(text, "zz"), "no part of a name is in the record: %s", text);
	cr_expect_eq(strchr(strchr(text, '\n') + 1, '\n') - text, (long)strlen(text) - 1,
		     "two lines only: %s", text);
}

Test(direct_children, bad_lines_skipped_and_told)
{
	struct direct_children c;

	write_text("galaxyctl-direct-children 1 boot " BOOT "\n"
		   "100 200 0123456789abcdef\n" /* 2: good */
		   "101 0 injected\n"           /* 3: a name */
		   "102 200\n"                  /* 4: no key */
		   " 103 200 0123456789abcdef\n" /* 5: a space first */
		   "104 200 0123456789ABCDEF\n" /* 6: upper case */
		   "1 200 0123456789abcdef\n"   /* 7: pid 1 */
		   "0105 200 0123456789abcdef\n" /* 8: a leading zero */
		   "106 -5 0123456789abcdef\n"  /* 9: a sign */
		   "99999999999 5 0123456789abcdef\n" /* 10: too big a pid */
		   "107 200 0123456789abcdef \n" /* 11: trailing space */
		   "\n"                         /* 12: empty */
		   "108 200 0123456789abcdef",  /* 13: no newline */
		   0600);
	cr_assert_eq(direct_children_read(path, &c, note_bad, NULL), 0);
	cr_assert_eq(c.n, 1);
	cr_expect_eq(c.v[0].pid, 100);
	cr_assert_eq(n_bad, 11, "%zu bad lines, the last %u", n_bad, n_bad ? bad_lines[n_bad - 1] : 0);
	for (unsigned i = 0; i < 11; i++)
		cr_expect_eq(bad_lines[i], i + 3);
	direct_children_release(&c);
}

Test(direct_children, bad_header_nothing_read)
{
	struct direct_children c;

	write_text("100 200 gunicorn\n", 0600);
	cr_expect_eq(direct_children_read(path, &c, note_bad, NULL), -EBADMSG, "the old format");
	write_text("galaxyctl-direct-children 2 boot " BOOT "\n100 200 0123456789abcdef\n", 0600);
	cr_expect_eq(direct_children_read(path, &c, note_bad, NULL), -EBADMSG, "another version");
	write_text("galaxyctl-direct-children 1 boot 0f1e2d3c\n", 0600);
	cr_expect_eq(direct_children_read(path, &c, note_bad, NULL), -EBADMSG, "a short boot id");
	write_text("", 0600);
	cr_expect_eq(direct_children_read(path, &c, note_bad, NULL), -EBADMSG, "an empty file");
	cr_expect_eq(n_bad, 0);
}

Test(direct_children, others_may_not_write_it)
{
	struct direct_children c;
	char link[80];

	write_text("galaxyctl-direct-children 1 boot " BOOT "\n", 0620);
	cr_expect_eq(direct_children_read(path, &c, note_bad, NULL), -EPERM, "group-writable");
	write_text("galaxyctl-direct-children 1 boot " BOOT "\n", 0602);
	cr_expect_eq(direct_children_read(path, &c, note_bad, NULL), -EPERM, "world-writable");
	chmod(path, 0644);
	snprintf(link, sizeof(link), "%s/link", dir);
	cr_assert_eq(symlink(path, link), 0);
	cr_expect_eq(direct_children_read(link, &c, note_bad, NULL), -EPERM, "a symlink");
	unlink(link);
	unlink(path);
	cr_expect_eq(direct_children_read(path, &c, note_bad, NULL), -ENOENT);
}

Test(direct_children, alive_needs_boot_pid_and_start)
{
	struct direct_children c = { .boot_id = BOOT };
	struct direct_child_rec me = { .pid = getpid() };
	char boot[DIRECT_BOOT_ID_LEN + 1];
	FILE *f = fopen("/proc/self/stat", "r");
	char buf[1024];

	cr_assert_eq(direct_boot_id(boot), 0);
	cr_assert(f);
	cr_assert(fgets(buf, sizeof(buf), f));
	fclose(f);
	/* field 22, counted after the command name's ')' */
	{
		char *p = strrchr(buf, ')') + 2;

		for (int field = 3; field < 22; field++)
			p = strchr(p, ' ') + 1;
		me.starttime = strtoll(p, NULL, 10);
	}
	memcpy(c.boot_id, boot, sizeof(boot));
	cr_expect(direct_children_alive(&c, &me, boot));
	cr_expect_not(direct_children_alive(&c, &me, BOOT), "another boot");
	me.starttime++;
	cr_expect_not(direct_children_alive(&c, &me, boot), "another start time");
}
