/* SPDX-License-Identifier: MIT */
/* Escaping what galaxyctl prints: names in messages, and whole messages and rows. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "escape.h"

Test(escape, c_escapes_into_a_buffer)
{
	char buf[64];

	cr_expect_str_eq(gx_escape("h\n123", buf, sizeof(buf)), "h\\n123");
	cr_expect_str_eq(gx_escape("a\x1b]0;\a\"\\", buf, sizeof(buf)), "a\\x1b]0;\\x07\\\"\\\\");
	cr_expect_str_eq(gx_escape("plain", buf, 3), "");
}

/* What gx_fputs_printable writes for s. */
static char *printable(const char *s)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	cr_assert_not_null(f);
	gx_fputs_printable(s, f);
	fclose(f);
	return text;
}

Test(escape, printable_keeps_lines_and_escapes_terminal_controls)
{
	char *out = printable("a \"quoted\" line\n\tindented\n");

	cr_expect_str_eq(out, "a \"quoted\" line\n\tindented\n");
	free(out);
	/* Clear screen, retitle, bell, carriage return, DEL: none reach the terminal. */
	out = printable("h\x1b[2J\x1b]0;owned\a\r\x7f!");
	cr_expect_str_eq(out, "h\\x1b[2J\\x1b]0;owned\\x07\\x0d\\x7f!");
	free(out);
}
