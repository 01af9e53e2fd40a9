/* SPDX-License-Identifier: MIT */
/* Unit tests for core/strv.c: vectors, environment entries and POSIX-shell word splitting. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>

#include "strv.h"

struct split_case {
	const char *in;
	const char *out[8]; /* NULL-terminated */
};

/* Cases where POSIX sh and Python's shlex.split(s, posix=True) agree. */
static const struct split_case shlex_cases[] = {
	{ "a b c", { "a", "b", "c" } },
	{ "  a\t b\n c  ", { "a", "b", "c" } },
	{ "", { NULL } },
	{ " \t\n ", { NULL } },
	{ "'a b' c", { "a b", "c" } },
	{ "\"a b\" c", { "a b", "c" } },
	{ "''", { "" } },
	{ "\"\"", { "" } },
	{ "\"\" ''", { "", "" } },
	{ "a '' b", { "a", "", "b" } },
	{ "a'b'c", { "abc" } },
	{ "a\"\"b", { "ab" } },
	{ "a\"b c\"d", { "ab cd" } },
	{ "a\\ b", { "a b" } },
	{ "'a\\b'", { "a\\b" } },
	{ "'\\'", { "\\" } },
	{ "\"a\\\"b\"", { "a\"b" } },
	{ "\"a\\\\b\"", { "a\\b" } },
	{ "\"a\\nb\"", { "a\\nb" } },
	{ "\"$HOME\" $PATH `x`", { "$HOME", "$PATH", "`x`" } },
	{ "--forwarded-allow-ips=\"*\"", { "--forwarded-allow-ips=*" } },
	{ "\"it's\"", { "it's" } },
	{ "'say \"hi\"'", { "say \"hi\"" } },
	{ "\"'\"'\"'", { "'\"" } },
	{ "\\\"a", { "\"a" } },
	{ "\\'", { "'" } },
	{ "\\#a", { "#a" } },
	{ "a\\\\b", { "a\\b" } },
	{ "a;b|c&d>e", { "a;b|c&d>e" } },
	{ "h\xc3\xa9llo w\xc3\xb6rld", { "h\xc3\xa9llo", "w\xc3\xb6rld" } },
	{ "'#'", { "#" } },
	{ "--config '/srv/galaxy config/tusd.yml' -v",
	  { "--config", "/srv/galaxy config/tusd.yml", "-v" } },
	{ "-b 'unix:/tmp/x y.sock' --timeout=300 --pythonpath lib",
	  { "-b", "unix:/tmp/x y.sock", "--timeout=300", "--pythonpath", "lib" } },
	/* with shlex's comments=True */
	{ "a # b c", { "a", "#", "b", "c" } },
	{ "a #b\nc", { "a", "#b", "c" } },
	{ "#x", { "#x" } },
};

/*
 * Cases where shlex departs from POSIX sh (checked against dash): '#'
 * inside a word, backslash-newline, \$ and \` in double quotes, and '\r',
 * which is no blank to the shell.
 */
static const struct split_case posix_cases[] = {
	{ "a#b", { "a#b" } },
	{ "\"\"#x", { "#x" } },
	{ "a\\\nb", { "ab" } },
	{ "a \\\n b", { "a", "b" } },
	{ "\\\n#c", { "#c" } },
	{ "a\\\n#b", { "a#b" } },
	{ "\"a\\\nb\"", { "ab" } },
	{ "\"\\$x \\`y\\`\"", { "$x `y`" } },
	{ "a\rb", { "a\rb" } },
};

static void check_split(const struct split_case *c)
{
	struct gx_strv sv = { 0 };
	struct gx_error err = { 0 };
	size_t n = 0;
	int r;

	r = gx_strv_split(&sv, c->in, &err);
	cr_expect_eq(r, 0, "split(%s) = %d (%s)", c->in, r, err.message);
	while (c->out[n])
		n++;
	cr_expect_eq(sv.n, n, "split(%s): %zu words, want %zu", c->in, sv.n, n);
	for (size_t i = 0; i < n && i < sv.n; i++)
		cr_expect_str_eq(sv.v[i], c->out[i], "split(%s) word %zu", c->in, i);
	if (sv.v)
		cr_expect_null(sv.v[sv.n]);
	gx_strv_release(&sv);
}

Test(strv_split, agrees_with_shlex)
{
	for (size_t i = 0; i < sizeof(shlex_cases) / sizeof(shlex_cases[0]); i++)
		check_split(&shlex_cases[i]);
}

Test(strv_split, follows_posix_where_shlex_differs)
{
	for (size_t i = 0; i < sizeof(posix_cases) / sizeof(posix_cases[0]); i++)
		check_split(&posix_cases[i]);
}

Test(strv_split, appends_to_existing_words)
{
	struct gx_strv sv = { 0 };
	struct gx_error err = { 0 };

	cr_assert_eq(gx_strv_push(&sv, "gunicorn"), 0);
	cr_assert_eq(gx_strv_split(&sv, "--timeout 300 --forwarded-allow-ips=\"*\"", &err), 0);
	cr_assert_eq(sv.n, 4);
	cr_expect_str_eq(sv.v[0], "gunicorn");
	cr_expect_str_eq(sv.v[1], "--timeout");
	cr_expect_str_eq(sv.v[2], "300");
	cr_expect_str_eq(sv.v[3], "--forwarded-allow-ips=*");
	cr_expect_null(sv.v[4]);
	gx_strv_release(&sv);
}

static void check_split_error(const char *in, const char *message)
{
	struct gx_strv sv = { 0 };
	struct gx_error err = { 0 };

	cr_assert_eq(gx_strv_push(&sv, "kept"), 0);
	cr_expect_eq(gx_strv_split(&sv, in, &err), -EINVAL, "split(%s)", in);
	cr_expect_eq(err.code, -EINVAL);
	cr_expect_str_eq(err.message, message);
	/* Words split before the error are taken back. */
	cr_expect_eq(sv.n, 1, "split(%s) left %zu words", in, sv.n);
	cr_expect_str_eq(sv.v[0], "kept");
	cr_expect_null(sv.v[1]);
	gx_strv_release(&sv);
}

Test(strv_split, unterminated_quotes_are_errors)
{
	check_split_error("a b 'abc", "unterminated single quote in: a b 'abc");
	check_split_error("x \"abc", "unterminated double quote in: x \"abc");
	check_split_error("x \"abc\\\"", "unterminated double quote in: x \"abc\\\"");
	check_split_error("\"a'b' c", "unterminated double quote in: \"a'b' c");
	check_split_error("x abc\\", "trailing backslash in: x abc\\");
}

Test(strv, push_keeps_null_terminated_copies)
{
	struct gx_strv sv = { 0 };
	char buf[16];

	for (int i = 0; i < 100; i++) {
		snprintf(buf, sizeof(buf), "w%d", i);
		cr_assert_eq(gx_strv_push(&sv, buf), 0);
		cr_assert_null(sv.v[sv.n]);
	}
	buf[0] = 'X';
	cr_expect_eq(sv.n, 100);
	cr_expect_geq(sv.alloc, sv.n + 1);
	cr_expect_str_eq(sv.v[0], "w0");
	cr_expect_str_eq(sv.v[99], "w99");
	gx_strv_release(&sv);
	cr_expect_null(sv.v);
	cr_expect_eq(sv.n, 0);
	cr_expect_eq(sv.alloc, 0);
	/* A released vector is empty and can be reused or released again. */
	cr_expect_eq(gx_strv_push(&sv, "again"), 0);
	gx_strv_release(&sv);
	gx_strv_release(&sv);
	gx_strv_release(NULL);
}

Test(strv, pushf_formats)
{
	struct gx_strv sv = { 0 };

	cr_assert_eq(gx_strv_pushf(&sv, "--workers=%d", 4), 0);
	cr_assert_eq(gx_strv_pushf(&sv, "%s:%s", "gunicorn", "gunicorn_0"), 0);
	cr_expect_str_eq(sv.v[0], "--workers=4");
	cr_expect_str_eq(sv.v[1], "gunicorn:gunicorn_0");
	gx_strv_release(&sv);
}

Test(strv, push_take_owns_the_string)
{
	struct gx_strv sv = { 0 };
	char *s = strdup("owned");

	cr_assert_eq(gx_strv_push_take(&sv, s), 0);
	cr_expect_eq(sv.v[0], s);
	/* NULL stands for a failed allocation upstream. */
	cr_expect_eq(gx_strv_push_take(&sv, NULL), -ENOMEM);
	cr_expect_eq(sv.n, 1);
	gx_strv_release(&sv);
}

Test(strv_env, find_matches_whole_names)
{
	struct gx_strv env = { 0 };

	cr_expect_eq(gx_strv_env_find(&env, "PATH"), -1);
	cr_assert_eq(gx_strv_push(&env, "PATHX=1"), 0);
	cr_assert_eq(gx_strv_push(&env, "PAT=2"), 0);
	cr_assert_eq(gx_strv_push(&env, "PATH=/bin"), 0);
	cr_assert_eq(gx_strv_push(&env, "NOEQUALS"), 0);
	cr_expect_eq(gx_strv_env_find(&env, "PATH"), 2);
	cr_expect_eq(gx_strv_env_find(&env, "PAT"), 1);
	cr_expect_eq(gx_strv_env_find(&env, "PA"), -1);
	cr_expect_eq(gx_strv_env_find(&env, "NOEQUALS"), -1);
	cr_expect_eq(gx_strv_env_find(&env, ""), -1);
	cr_expect_eq(gx_strv_env_find(&env, "PATH=/bin"), -1);
	gx_strv_release(&env);
}

Test(strv_env, set_replaces_in_place)
{
	struct gx_strv env = { 0 };

	cr_assert_eq(gx_strv_env_set(&env, "A", "1"), 0);
	cr_assert_eq(gx_strv_env_set(&env, "B", "x=y"), 0);
	cr_assert_eq(gx_strv_env_set(&env, "A", ""), 0);
	cr_assert_eq(env.n, 2);
	cr_expect_str_eq(env.v[0], "A=");
	cr_expect_str_eq(env.v[1], "B=x=y");
	cr_expect_null(env.v[2]);
	cr_expect_eq(gx_strv_env_set(&env, "", "v"), -EINVAL);
	cr_expect_eq(gx_strv_env_set(&env, "C=D", "v"), -EINVAL);
	cr_expect_eq(env.n, 2);
	gx_strv_release(&env);
}
