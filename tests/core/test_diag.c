/* SPDX-License-Identifier: MIT */
/* Tests of core/diag.c: collected messages, their printed form and gx_error filling. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"

/* What gx_diag_print writes, as a heap string. */
static char *print_to_string(const struct gx_diag *d, enum gx_log_level min_level)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	cr_assert_not_null(f);
	gx_diag_print(d, f, min_level);
	fclose(f);
	return buf;
}

Test(diag, full_location)
{
	struct gx_diag d = { 0 };
	struct gx_mark at = { .file = "galaxy.yml", .line = 3, .column = 5 };
	char *out;

	gx_diag_add(&d, GX_LOG_ERROR, &at, "bad %s", "value");
	out = print_to_string(&d, GX_LOG_DEBUG);
	cr_assert_str_eq(out, "galaxyctl: galaxy.yml:3:5: error: bad value\n");
	free(out);
	gx_diag_release(&d);
}

Test(diag, unknown_parts_left_out)
{
	struct gx_diag d = { 0 };
	struct gx_mark no_col = { .file = "a.yml", .line = 7 };
	struct gx_mark no_line = { .file = "b.yml" };
	struct gx_mark no_file = { .line = 4, .column = 2 };
	char *out;

	gx_diag_add(&d, GX_LOG_WARNING, &no_col, "one");
	gx_diag_add(&d, GX_LOG_ERROR, &no_line, "two");
	gx_diag_add(&d, GX_LOG_ERROR, &no_file, "three");
	gx_diag_add(&d, GX_LOG_INFO, NULL, "four");
	out = print_to_string(&d, GX_LOG_DEBUG);
	cr_assert_str_eq(out, "galaxyctl: a.yml:7: warning: one\n"
			      "galaxyctl: b.yml: error: two\n"
			      "galaxyctl: error: three\n"
			      "galaxyctl: info: four\n");
	free(out);
	cr_assert_null(d.msgs[2].file);
	cr_assert_eq(d.msgs[2].line, 0);
	gx_diag_release(&d);
}

Test(diag, min_level_and_error_count)
{
	struct gx_diag d = { 0 };
	char *out;

	gx_diag_add(&d, GX_LOG_DEBUG, NULL, "d");
	gx_diag_add(&d, GX_LOG_WARNING, NULL, "w");
	gx_diag_add(&d, GX_LOG_ERROR, NULL, "e1");
	gx_diag_add(&d, GX_LOG_ERROR, NULL, "e2");
	cr_assert_eq(d.n, 4);
	cr_assert_eq(d.n_errors, 2);
	out = print_to_string(&d, GX_LOG_WARNING);
	cr_assert_str_eq(out, "galaxyctl: warning: w\n"
			      "galaxyctl: error: e1\n"
			      "galaxyctl: error: e2\n");
	free(out);
	out = print_to_string(&d, GX_LOG_ERROR);
	cr_assert_str_eq(out, "galaxyctl: error: e1\ngalaxyctl: error: e2\n");
	free(out);
	gx_diag_release(&d);
	cr_assert_eq(d.n, 0);
	cr_assert_eq(d.n_errors, 0);
	cr_assert_null(d.msgs);
}

Test(diag, file_name_is_copied)
{
	struct gx_diag d = { 0 };
	char *name = strdup("tmp.yml");
	struct gx_mark at = { .file = name, .line = 1, .column = 1 };
	char *out;

	gx_diag_add(&d, GX_LOG_ERROR, &at, "x");
	free(name);
	out = print_to_string(&d, GX_LOG_DEBUG);
	cr_assert_str_eq(out, "galaxyctl: tmp.yml:1:1: error: x\n");
	free(out);
	gx_diag_release(&d);
}

Test(diag, many_messages_keep_order)
{
	struct gx_diag d = { 0 };
	size_t i;

	for (i = 0; i < 100; i++)
		gx_diag_add(&d, GX_LOG_WARNING, NULL, "message %zu", i);
	cr_assert_eq(d.n, 100);
	cr_assert_eq(d.n_errors, 0);
	cr_assert_str_eq(d.msgs[0].text, "message 0");
	cr_assert_str_eq(d.msgs[99].text, "message 99");
	gx_diag_release(&d);
}

Test(diag, release_empty_and_null)
{
	struct gx_diag d = { 0 };

	gx_diag_release(&d);
	gx_diag_release(NULL);
	gx_diag_print(NULL, stdout, GX_LOG_DEBUG);
}

Test(diag, add_error_with_location)
{
	struct gx_diag d = { 0 };
	struct gx_error err = { 0 };
	struct gx_node at = { .kind = GX_NODE_SCALAR,
			      .mark = { .file = "gravity.yml", .line = 12, .column = 9 } };
	char *out;

	cr_assert_eq(gx_error_set(&err, &at, -EINVAL, "expected %s", "a mapping"), -EINVAL);
	gx_diag_add_error(&d, &err);
	cr_assert_eq(d.n_errors, 1);
	out = print_to_string(&d, GX_LOG_DEBUG);
	cr_assert_str_eq(out, "galaxyctl: gravity.yml:12:9: error: expected a mapping\n");
	free(out);
	gx_diag_release(&d);
}

Test(diag, add_error_without_location_or_text)
{
	struct gx_diag d = { 0 };
	struct gx_error err = { 0 };
	char *out;

	gx_error_set(&err, NULL, -ENOENT, "cannot read %s", "x.yml");
	gx_diag_add_error(&d, &err);
	memset(&err, 0, sizeof(err));
	err.code = -EACCES;
	gx_diag_add_error(&d, &err);
	gx_diag_add_error(&d, NULL);
	out = print_to_string(&d, GX_LOG_DEBUG);
	cr_assert_str_eq(out, "galaxyctl: error: cannot read x.yml\n"
			      "galaxyctl: error: Permission denied\n");
	free(out);
	gx_diag_release(&d);
}

Test(error, set_fills_every_field)
{
	struct gx_error err = { 0 };
	struct gx_node at = { .kind = GX_NODE_MAPPING,
			      .mark = { .file = "g.yml", .line = 2, .column = 3 } };

	cr_assert_eq(gx_error_set(&err, &at, -ERANGE, "%d is too big", 7), -ERANGE);
	cr_assert_eq(err.code, -ERANGE);
	cr_assert_str_eq(err.message, "7 is too big");
	cr_assert_str_eq(err.file, "g.yml");
	cr_assert_eq(err.line, 2);
	cr_assert_eq(err.column, 3);
}

Test(error, set_clears_an_old_location)
{
	struct gx_error err = { 0 };
	struct gx_node at = { .kind = GX_NODE_SCALAR,
			      .mark = { .file = "g.yml", .line = 2, .column = 3 } };
	struct gx_node builtin = { .kind = GX_NODE_SCALAR }; /* a default: mark.file NULL */

	gx_error_set(&err, &at, -EINVAL, "first");
	gx_error_set(&err, &builtin, -EIO, "second");
	cr_assert_str_eq(err.message, "second");
	cr_assert_str_eq(err.file, "");
	cr_assert_eq(err.line, 0);
	cr_assert_eq(err.column, 0);
	gx_error_set(&err, &at, -EINVAL, "third");
	gx_error_set(&err, NULL, -EIO, "fourth");
	cr_assert_str_eq(err.file, "");
	cr_assert_eq(err.code, -EIO);
}

Test(error, set_may_quote_its_own_message)
{
	struct gx_error err = { 0 };

	gx_error_set(&err, NULL, -EINVAL, "inner problem");
	gx_error_set(&err, NULL, err.code, "while loading: %s", err.message);
	cr_assert_str_eq(err.message, "while loading: inner problem");
}

Test(error, long_text_is_truncated)
{
	struct gx_error err = { 0 };
	char big[3000];

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	gx_error_set(&err, NULL, -EINVAL, "%s", big);
	cr_assert_eq(strlen(err.message), sizeof(err.message) - 1);
}

Test(error, null_err_still_returns_code)
{
	cr_assert_eq(gx_error_set(NULL, NULL, -ENOMEM, "x"), -ENOMEM);
}
