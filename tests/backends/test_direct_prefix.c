/* SPDX-License-Identifier: MIT */
/* Unit tests for backends/direct/prefix.c: whole lines behind a label, on one output. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "prefix.h"

static int fds[2];

static void setup(void)
{
	cr_assert_eq(pipe2(fds, O_NONBLOCK), 0);
}

static void teardown(void)
{
	close(fds[0]);
	close(fds[1]);
}

/* Everything written to the pipe so far. */
static void expect_out(const char *want)
{
	static char buf[8192];
	ssize_t n = read(fds[0], buf, sizeof(buf) - 1);

	buf[n > 0 ? n : 0] = '\0';
	cr_expect_str_eq(buf, want);
}

TestSuite(direct_prefix, .init = setup, .fini = teardown);

Test(direct_prefix, whole_lines_only)
{
	struct direct_prefix px;

	cr_assert_eq(direct_prefix_init(&px, "celery", 8, -1), 0);
	direct_prefix_feed(&px, fds[1], "one\ntw", 6);
	expect_out("celery   | one\n");
	direct_prefix_feed(&px, fds[1], "o\nthree", 7);
	expect_out("celery   | two\n");
	direct_prefix_flush(&px, fds[1]);
	expect_out("celery   | three\n");
	direct_prefix_flush(&px, fds[1]);
	expect_out("");
	direct_prefix_release(&px);
}

Test(direct_prefix, colour_and_relabel)
{
	struct direct_prefix px;

	cr_assert_eq(direct_prefix_init(&px, "gunicorn", 0, 0), 0);
	direct_prefix_feed(&px, fds[1], "x\n", 2);
	expect_out("\033[36mgunicorn |\033[0m x\n");
	direct_prefix_feed(&px, fds[1], "y", 1);
	cr_assert_eq(direct_prefix_relabel(&px, "gunicorn", 10, -1), 0);
	direct_prefix_feed(&px, fds[1], "z\n", 2);
	expect_out("gunicorn   | yz\n");
	direct_prefix_release(&px);
}

Test(direct_prefix, long_lines_are_cut)
{
	struct direct_prefix px;
	char *big = malloc(DIRECT_PREFIX_LINE + 10), *want = malloc(DIRECT_PREFIX_LINE + 64);

	memset(big, 'a', DIRECT_PREFIX_LINE + 10);
	cr_assert_eq(direct_prefix_init(&px, "p", 0, -1), 0);
	direct_prefix_feed(&px, fds[1], big, DIRECT_PREFIX_LINE + 10);
	strcpy(want, "p | ");
	memset(want + 4, 'a', DIRECT_PREFIX_LINE);
	strcpy(want + 4 + DIRECT_PREFIX_LINE, "\n");
	expect_out(want);
	direct_prefix_flush(&px, fds[1]);
	expect_out("p | aaaaaaaaaa\n");
	direct_prefix_release(&px);
	free(big);
	free(want);
}
