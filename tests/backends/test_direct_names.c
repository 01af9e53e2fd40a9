/* SPDX-License-Identifier: MIT */
/* Unit tests for backends/direct/names.c: program and log names as upstream's supervisor backend has them. */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "names.h"

static void expect_name(bool uin, const char *svc, unsigned count, unsigned i, const char *want)
{
	char *got = direct_names_program(uin, "main", svc, count, i);

	cr_expect_str_eq(got, want);
	free(got);
}

static void expect_log(bool uin, const char *type, const char *svc, unsigned count, unsigned i,
		       const char *want)
{
	char *got = direct_names_log(uin, "/var/log/g", "main", type, svc, count, i);

	cr_expect_str_eq(got, want);
	free(got);
}

Test(direct_names, program)
{
	expect_name(false, "celery", 1, 0, "celery");
	expect_name(false, "gunicorn", 2, 0, "gunicorn:gunicorn_0");
	expect_name(false, "gunicorn", 2, 1, "gunicorn:gunicorn_1");
	expect_name(true, "celery", 1, 0, "main:celery");
	expect_name(true, "gunicorn", 2, 1, "main:gunicorn1");
	expect_name(false, "handler", 3, 2, "handler:handler_2");
}

Test(direct_names, log)
{
	expect_log(false, "celery", "celery", 1, 0, "/var/log/g/celery.log");
	expect_log(false, "gunicorn", "gunicorn", 2, 1, "/var/log/g/gunicorn_1.log");
	expect_log(true, "celery-beat", "celery-beat", 1, 0,
		   "/var/log/g/main_celery-beat_celery-beat.log");
	expect_log(true, "gunicorn", "gunicorn", 2, 0, "/var/log/g/main_gunicorn_gunicorn_0.log");
	expect_log(true, "standalone", "handler", 2, 1,
		   "/var/log/g/main_standalone_handler_1.log");
}

Test(direct_names, use_instance)
{
	cr_expect(!direct_names_use_instance(1, "_default_"));
	cr_expect(direct_names_use_instance(1, "main"));
	cr_expect(direct_names_use_instance(2, "_default_"));
	cr_expect(!direct_names_use_instance(0, ""));
}
