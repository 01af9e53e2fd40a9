/* SPDX-License-Identifier: MIT */
/* core/dry_run.c: what a plan makes of the disk (added, changed, unchanged, removed) and prints. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "dry_run.h"

static char dir[] = "/tmp/gx-plan-XXXXXX";

static void setup(void)
{
	cr_assert_not_null(mkdtemp(dir));
}

static void teardown(void)
{
	char cmd[64];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	cr_expect_eq(system(cmd), 0);
}

static char *path_of(const char *name)
{
	char *p = NULL;

	cr_assert_geq(asprintf(&p, "%s/%s", dir, name), 0);
	return p;
}

static void put(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");

	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
	chmod(path, mode);
}

static char *printed(const struct gx_plan *plan)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	cr_assert_eq(gx_plan_print(plan, f), 0);
	fclose(f);
	return text;
}

Test(dry_run, files_compared_with_the_disk, .init = setup, .fini = teardown)
{
	struct gx_plan plan = { 0 };
	struct gx_error err = { 0 };
	char *same = path_of("same.conf"), *changed = path_of("changed.conf"),
	     *added = path_of("sub/added.conf"), *gone = path_of("gone.conf"), *out;
	struct stat before, after;

	put(same, "a\n", 0644);
	put(changed, "a\nb\n", 0644);
	put(gone, "old\n", 0644);
	cr_assert_eq(stat(same, &before), 0);
	cr_assert_eq(gx_plan_begin(&plan, "test"), 0);
	cr_expect_eq(gx_plan_file(&plan, same, "a\n", 2, 0644, "same", &err), 0);
	cr_expect_eq(gx_plan_file(&plan, changed, "a\nc\n", 4, 0644, "service x", &err), 1);
	cr_expect_eq(gx_plan_file(&plan, added, "new\n", 4, 0644, NULL, &err), 1);
	cr_expect_eq(gx_plan_remove(&plan, gone, "old config", &err), 1);
	cr_expect_eq(gx_plan_remove(&plan, added, NULL, &err), 0); /* not there */
	cr_expect_eq(gx_plan_dir(&plan, dir, NULL, &err), 0);
	cr_expect_eq(gx_plan_dir(&plan, "/nonexistent/gx-plan", "log dir", &err), 1);
	cr_expect_eq(gx_plan_action(&plan, GX_PLAN_RESTART, "x", "by %s", "magic"), 0);
	cr_expect_eq(gx_plan_action(&plan, GX_PLAN_NOTE, "", "just so you know"), 0);
	cr_expect_eq(gx_plan_changes(&plan), 5);
	out = printed(&plan);
	cr_expect(strstr(out, "test: change ") && strstr(out, "changed.conf (service x)\n"), "%s", out);
	cr_expect(strstr(out, "@@ -1,2 +1,2 @@\n a\n-b\n+c\n"), "%s", out);
	cr_expect(strstr(out, "--- /dev/null\n") && strstr(out, "@@ -0,0 +1 @@\n+new\n"), "%s", out);
	cr_expect(strstr(out, "+++ /dev/null\n@@ -1 +0,0 @@\n-old\n"), "%s", out);
	cr_expect(strstr(out, "test: create directory /nonexistent/gx-plan (log dir)\n"), "%s", out);
	cr_expect(strstr(out, "test: restart x (by magic)\n"), "%s", out);
	cr_expect(strstr(out, "test: note: just so you know\n"), "%s", out);
	cr_expect(!strstr(out, "same.conf"), "%s", out);
	cr_expect(strstr(out, "update --dry-run: would write 2 files, remove 1 file or directory, "
			      "create 1 directory, take 1 action on processes\n"), "%s", out);
	/* Nothing was written or created. */
	cr_expect_eq(access(added, F_OK), -1);
	cr_expect_eq(access(gone, F_OK), 0);
	cr_assert_eq(stat(same, &after), 0);
	cr_expect_eq(after.st_mtim.tv_nsec, before.st_mtim.tv_nsec);
	free(out);
	gx_plan_release(&plan);
	free(same);
	free(changed);
	free(added);
	free(gone);
}

Test(dry_run, force_and_modes, .init = setup, .fini = teardown)
{
	struct gx_plan plan = { .force = true };
	struct gx_error err = { 0 };
	char *same = path_of("same.conf"), *mode = path_of("mode.conf"), *out;

	put(same, "a\n", 0644);
	put(mode, "a\n", 0600);
	cr_assert_eq(gx_plan_begin(&plan, "t"), 0);
	/* --force rewrites an unchanged file: a change, though not of its bytes. */
	cr_expect_eq(gx_plan_file(&plan, same, "a\n", 2, 0644, NULL, &err), 0);
	cr_expect_eq(gx_plan_file(&plan, mode, "a\n", 2, 0644, NULL, &err), 1);
	cr_expect_eq(gx_plan_changes(&plan), 2);
	out = printed(&plan);
	cr_expect(strstr(out, "t: rewrite (unchanged, --force) "), "%s", out);
	cr_expect(strstr(out, "mode 0600 -> 0644\n"), "%s", out);
	free(out);
	gx_plan_release(&plan);
	free(same);
	free(mode);
}

Test(dry_run, nothing_to_do)
{
	struct gx_plan plan = { 0 };
	char *out;

	cr_assert_eq(gx_plan_begin(&plan, "t"), 0);
	cr_expect_eq(gx_plan_action(&plan, GX_PLAN_NOTE, "", "not running"), 0);
	cr_expect_eq(gx_plan_changes(&plan), 0);
	out = printed(&plan);
	cr_expect_str_eq(out, "t: note: not running\nupdate --dry-run: nothing would change\n");
	free(out);
	gx_plan_release(&plan);
}
