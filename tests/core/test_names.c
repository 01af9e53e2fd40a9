/* SPDX-License-Identifier: MIT */
/* Unit tests for core/name_check.c: the one rule for names. */
#include <string.h>

#include <criterion/criterion.h>

#include "name_check.h"

Test(names, real_world_names_are_valid)
{
	const char *ok[] = { "handler0", "main.web.1", "job-handlers", "a_0", "_default_",
			     "gunicorn", "celery-beat", "UPPER", NULL };

	for (size_t i = 0; ok[i]; i++)
		cr_expect_null(gx_name_problem(ok[i]), "%s", ok[i]);
}

Test(names, bad_names_are_refused)
{
	const char *bad[] = { "", "../x", "a/b", "h\n1", "h\x1b[2J", "-n", ".hidden", "a b",
			      "a:b", "a@b", "caf\xc3\xa9", NULL };
	char longname[GX_NAME_MAX + 2];

	for (size_t i = 0; bad[i]; i++)
		cr_expect_not_null(gx_name_problem(bad[i]), "%s", bad[i]);
	memset(longname, 'a', sizeof(longname) - 1);
	longname[GX_NAME_MAX + 1] = '\0';
	cr_expect_not_null(gx_name_problem(longname));
	longname[GX_NAME_MAX] = '\0';
	cr_expect_null(gx_name_problem(longname));
}
