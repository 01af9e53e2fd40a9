/* SPDX-License-Identifier: MIT */
/* Unit tests for backends/direct/program.c: a program's JSON form both ways, and what counts as a change. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "program.h"

static char *argv_[] = { "/venv/bin/celery", "--app", "galaxy.celery", "worker", NULL };
static char *env_[] = { "PYTHONPATH=lib", "PATH=/venv/bin:/usr/bin", NULL };
static gid_t groups_[] = { 65534, 100 };

static struct direct_spec sample(void)
{
	return (struct direct_spec){
		.name = "celery", .instance = "_default_", .service = "celery", .process = 0,
		.argv = argv_, .env = env_, .cwd = "/srv/galaxy", .umask = 027,
		.start_timeout = 10, .stop_timeout = 65, .log = "/srv/log/celery.log",
		.log_max_bytes = 1 << 20, .log_backups = 4, .start_retries = 5,
		.set_user = true, .uid = 65534, .gid = 65534, .groups = groups_, .n_groups = 2,
		.memory_limit_kb = 2048, .memory_high_kb = 1024,
	};
}

static struct direct_spec *roundtrip(const struct direct_spec *in)
{
	json_t *o = direct_spec_to_json(in);
	char *text = json_dumps(o, 0);
	json_t *back = json_loads(text, 0, NULL);
	struct direct_spec *out = NULL;
	char why[256] = "";

	cr_assert(o && text && back);
	cr_assert_eq(direct_spec_from_json(back, &out, why, sizeof(why)), 0, "%s", why);
	json_decref(o);
	json_decref(back);
	free(text);
	return out;
}

Test(direct_program, roundtrip)
{
	struct direct_spec in = sample();
	struct direct_spec *out = roundtrip(&in);

	cr_expect_str_eq(out->name, "celery");
	cr_expect_str_eq(out->argv[3], "worker");
	cr_expect_null(out->argv[4]);
	cr_expect_str_eq(out->env[1], "PATH=/venv/bin:/usr/bin");
	cr_expect_eq(out->umask, 027);
	cr_expect_eq(out->stop_timeout, 65);
	cr_expect_eq(out->log_max_bytes, 1 << 20);
	cr_expect_eq(out->log_backups, 4);
	cr_expect_eq(out->start_retries, 5);
	cr_expect(out->set_user);
	cr_expect_eq(out->n_groups, 2);
	cr_expect_eq(out->groups[1], 100);
	cr_expect_eq(out->memory_limit_kb, 2048);
	cr_expect(direct_spec_same_exec(&in, out));
	direct_spec_free(out);
}

static int parse(const char *text, char *why, size_t len)
{
	json_t *o = json_loads(text, 0, NULL);
	struct direct_spec *s = NULL;
	int r;

	cr_assert(o, "bad test JSON: %s", text);
	r = direct_spec_from_json(o, &s, why, len);
	json_decref(o);
	direct_spec_free(s);
	return r;
}

Test(direct_program, rejects_bad_programs)
{
	char why[256];

	cr_expect_eq(parse("{\"name\": \"x\"}", why, sizeof(why)), -EINVAL);
	cr_expect(strstr(why, "invalid program"), "%s", why);
	cr_expect_eq(parse("{\"name\": \"x\", \"instance\": \"i\", \"service\": \"s\", \"argv\": [],"
			   " \"env\": [], \"cwd\": \"/\", \"log\": \"/l\"}", why, sizeof(why)), -EINVAL);
	cr_expect(strstr(why, "empty name or command"), "%s", why);
	cr_expect_eq(parse("{\"name\": \"x\", \"instance\": \"i\", \"service\": \"s\", \"argv\": [1],"
			   " \"env\": [], \"cwd\": \"/\", \"log\": \"/l\"}", why, sizeof(why)), -EINVAL);
	cr_expect(strstr(why, "lists of strings"), "%s", why);
	cr_expect_eq(parse("{\"name\": \"x\", \"instance\": \"i\", \"service\": \"s\", \"argv\": [\"a\"],"
			   " \"env\": [], \"cwd\": \"/\", \"log\": \"/l\", \"umask\": 4096}", why,
			   sizeof(why)), -EINVAL);
	cr_expect(strstr(why, "out of range"), "%s", why);
	cr_expect_eq(parse("{\"name\": \"../x\", \"instance\": \"i\", \"service\": \"s\", \"argv\": [\"a\"],"
			   " \"env\": [], \"cwd\": \"/\", \"log\": \"/l\"}", why, sizeof(why)), -EINVAL);
	cr_expect(strstr(why, "a program name with \"/\""), "%s", why);
	cr_expect_eq(parse("{\"name\": \"x\", \"instance\": \"i\", \"service\": \"s\", \"argv\": [\"a\"],"
			   " \"env\": [], \"cwd\": \"/\", \"log\": \"/l\"}", why, sizeof(why)), 0);
}

Test(direct_program, same_exec_sees_what_changes_the_process)
{
	struct direct_spec a = sample(), b = sample();
	char *argv2[] = { "/venv/bin/celery", "--app", "galaxy.celery", "beat", NULL };
	char *argv3[] = { "/venv/bin/celery", "--app", "galaxy.celery", NULL };
	char *env2[] = { "PYTHONPATH=lib", NULL };
	gid_t groups2[] = { 65534, 101 };

	b.stop_timeout = 1;
	b.log = "/elsewhere.log";
	b.log_max_bytes = 5;
	b.start_retries = 1;
	cr_expect(direct_spec_same_exec(&a, &b), "timeouts, log and retries restart nothing");
	b = sample();
	b.argv = argv2;
	cr_expect(!direct_spec_same_exec(&a, &b));
	b.argv = argv3;
	cr_expect(!direct_spec_same_exec(&a, &b));
	b = sample();
	b.env = env2;
	cr_expect(!direct_spec_same_exec(&a, &b));
	b = sample();
	b.cwd = "/srv";
	cr_expect(!direct_spec_same_exec(&a, &b));
	b = sample();
	b.umask = 022;
	cr_expect(!direct_spec_same_exec(&a, &b));
	b = sample();
	b.uid = 0;
	cr_expect(!direct_spec_same_exec(&a, &b));
	b = sample();
	b.groups = groups2;
	cr_expect(!direct_spec_same_exec(&a, &b));
}

Test(direct_program, strv_dup)
{
	char **v = direct_strv_dup(argv_, (size_t)-1);

	cr_assert(v);
	cr_expect_str_eq(v[0], argv_[0]);
	cr_expect_null(v[4]);
	direct_strv_free(v);
	v = direct_strv_dup(argv_, 2);
	cr_expect_null(v[2]);
	direct_strv_free(v);
	direct_strv_free(NULL);
}
