/* SPDX-License-Identifier: MIT */
/* core/udiff.c: unified diffs as diff -u prints them, that patch back to the new text. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "udiff.h"

static char *diff(const char *a, const char *b)
{
	char *out = NULL;

	cr_assert_eq(gx_udiff(a, strlen(a), b, strlen(b), "a", "b", 3, &out), 0);
	cr_assert_not_null(out);
	return out;
}

#define EXPECT_DIFF(a, b, want)                                                          \
	do {                                                                             \
		char *got_ = diff(a, b);                                                 \
		cr_expect_str_eq(got_, want);                                            \
		free(got_);                                                              \
	} while (0)

Test(udiff, equal_texts_give_nothing)
{
	EXPECT_DIFF("", "", "");
	EXPECT_DIFF("a\nb\n", "a\nb\n", "");
}

Test(udiff, one_changed_line_with_context)
{
	EXPECT_DIFF("1\n2\n3\n4\n5\n6\n7\n8\n", "1\n2\n3\n4\nfive\n6\n7\n8\n",
		    "--- a\n+++ b\n@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n");
}

Test(udiff, whole_file_added_and_removed)
{
	EXPECT_DIFF("", "x\ny\n", "--- a\n+++ b\n@@ -0,0 +1,2 @@\n+x\n+y\n");
	EXPECT_DIFF("x\ny\n", "", "--- a\n+++ b\n@@ -1,2 +0,0 @@\n-x\n-y\n");
	/* A single line: the count is left out, as diff -u does. */
	EXPECT_DIFF("", "x\n", "--- a\n+++ b\n@@ -0,0 +1 @@\n+x\n");
}

Test(udiff, missing_final_newline_is_marked)
{
	EXPECT_DIFF("a\nb", "a\nb\n",
		    "--- a\n+++ b\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+b\n");
}

Test(udiff, insertion_at_the_start_and_the_end)
{
	EXPECT_DIFF("a\nb\n", "0\na\nb\n", "--- a\n+++ b\n@@ -1,2 +1,3 @@\n+0\n a\n b\n");
	EXPECT_DIFF("a\nb\n", "a\nb\nc\n", "--- a\n+++ b\n@@ -1,2 +1,3 @@\n a\n b\n+c\n");
}

Test(udiff, distant_changes_get_their_own_hunks)
{
	const char *a = "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n";
	/* Lines 1 and 12 change: 10 lines apart, more than 2 * 3 of context. */
	EXPECT_DIFF(a, "one\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\ntwelve\n",
		    "--- a\n+++ b\n@@ -1,4 +1,4 @@\n-1\n+one\n 2\n 3\n 4\n"
		    "@@ -9,4 +9,4 @@\n 9\n 10\n 11\n-12\n+twelve\n");
	/* Lines 2 and 8: 5 lines apart, one hunk. */
	EXPECT_DIFF(a, "1\ntwo\n3\n4\n5\n6\n7\neight\n9\n10\n11\n12\n",
		    "--- a\n+++ b\n@@ -1,11 +1,11 @@\n 1\n-2\n+two\n 3\n 4\n 5\n 6\n 7\n-8\n+eight\n"
		    " 9\n 10\n 11\n");
}

Test(udiff, binary_texts_are_named_not_shown)
{
	char *out = NULL;

	cr_assert_eq(gx_udiff("a\0b", 3, "a", 1, "old", "new", 3, &out), 0);
	cr_expect_str_eq(out, "Binary files old and new differ\n");
	free(out);
}

/* ---------------------------------------------------------------------- */
/* Random texts: the diff patches a into b, and is as small as diff's own. */

/* Apply a unified diff (our output) to a; returns the heap result. */
static char *apply(const char *a, const char *patch)
{
	char *out = NULL;
	size_t out_len = 0;
	FILE *f = open_memstream(&out, &out_len);
	const char *pa = a, *line = patch;
	long a_line = 1;

	cr_assert_not_null(f);
	for (int i = 0; i < 2 && *line; i++) /* --- and +++ */
		line = strchr(line, '\n') + 1;
	while (*line) {
		const char *end = strchr(line, '\n');
		long start = 0, count = 0;

		cr_assert_not_null(end);
		if (line[0] == '@') {
			cr_assert_geq(sscanf(line, "@@ -%ld", &start), 1);
			if (sscanf(line, "@@ -%ld,%ld", &start, &count) == 2 && count == 0)
				start++; /* "-N,0": the hunk comes after line N */
			for (; a_line < start; a_line++) { /* copy what the hunk skips */
				const char *nl = strchr(pa, '\n');

				fwrite(pa, 1, (size_t)(nl - pa + 1), f);
				pa = nl + 1;
			}
		} else if (line[0] == ' ' || line[0] == '-') {
			const char *nl = strchr(pa, '\n');

			cr_assert_not_null(nl);
			cr_assert(strncmp(pa, line + 1, (size_t)(nl - pa + 1)) == 0, "context mismatch");
			if (line[0] == ' ')
				fwrite(pa, 1, (size_t)(nl - pa + 1), f);
			pa = nl + 1;
			a_line++;
		} else if (line[0] == '+') {
			fwrite(line + 1, 1, (size_t)(end - line), f);
		} else {
			cr_assert_fail("unexpected line %.*s", (int)(end - line), line);
		}
		line = end + 1;
	}
	fputs(pa, f);
	fclose(f);
	return out;
}

/* How many lines start with c, after the two header lines. */
static long count_lines(const char *patch, char c)
{
	long n = 0;
	const char *line = patch;

	for (int i = 0; i < 2 && *line; i++)
		line = strchr(line, '\n') + 1;
	for (; *line; line = strchr(line, '\n') + 1)
		n += line[0] == c;
	return n;
}

static char *random_text(unsigned *seed, int max_lines)
{
	static const char *const words[] = { "a", "b", "c", "d", "[program:x]", "" };
	int n = rand_r(seed) % (max_lines + 1);
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	for (int i = 0; i < n; i++)
		fprintf(f, "%s\n", words[rand_r(seed) % 6]);
	fclose(f);
	return out;
}

/* Lines that diff -u marks with c, for the same two texts. */
static long gnu_count(const char *a, const char *b, char c)
{
	char pa[] = "/tmp/gx-udiff-a-XXXXXX", pb[] = "/tmp/gx-udiff-b-XXXXXX", cmd[128];
	int fa = mkstemp(pa), fb = mkstemp(pb);
	long n = 0;
	char line[256];
	FILE *p;

	cr_assert(fa >= 0 && fb >= 0);
	cr_assert_eq(write(fa, a, strlen(a)), (ssize_t)strlen(a));
	cr_assert_eq(write(fb, b, strlen(b)), (ssize_t)strlen(b));
	close(fa);
	close(fb);
	snprintf(cmd, sizeof(cmd), "diff -u %s %s | tail -n +3", pa, pb);
	p = popen(cmd, "r");
	cr_assert_not_null(p);
	while (fgets(line, sizeof(line), p))
		n += line[0] == c;
	pclose(p);
	unlink(pa);
	unlink(pb);
	return n;
}

Test(udiff, random_texts_patch_back_minimally)
{
	unsigned seed = 12345;
	bool have_diff = access("/usr/bin/diff", X_OK) == 0;

	for (int round = 0; round < 300; round++) {
		char *a = random_text(&seed, 30), *b = random_text(&seed, 30);
		char *patch = diff(a, b), *patched = apply(a, patch);

		cr_assert_str_eq(patched, b, "round %d: patching\n%s\nwith\n%s", round, a, patch);
		if (have_diff && round % 10 == 0) {
			cr_expect_eq(count_lines(patch, '-'), gnu_count(a, b, '-'), "round %d", round);
			cr_expect_eq(count_lines(patch, '+'), gnu_count(a, b, '+'), "round %d", round);
		}
		free(a);
		free(b);
		free(patch);
		free(patched);
	}
}

Test(udiff, beyond_the_edit_limit_still_patches)
{
	size_t n = GX_UDIFF_MAX_EDITS + 10;
	char *a = malloc(4 * n + 1), *b = malloc(4 * n + 1), *patch, *patched;

	cr_assert(a && b);
	for (size_t i = 0; i < n; i++) {
		memcpy(a + 2 * i, "a\n", 2);
		memcpy(b + 2 * i, "b\n", 2);
	}
	a[2 * n] = b[2 * n] = '\0';
	patch = diff(a, b);
	patched = apply(a, patch);
	cr_expect_str_eq(patched, b);
	free(a);
	free(b);
	free(patch);
	free(patched);
}
