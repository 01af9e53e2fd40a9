/* SPDX-License-Identifier: MIT */
/* The direct backend's update request (what its manager is told to run), built through the harness. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "cli.h"

static struct gx_test t;

static void teardown(void)
{
	gx_test_release(&t);
}

TestSuite(direct_render, .fini = teardown);

/* The update request's programs for the loaded config's one instance (a new reference). */
static json_t *programs_of(const char *yaml)
{
	const struct gx_instance *inst;
	struct gx_request rq = { 0 };
	struct gx_error err = { 0 };
	struct direct_ctx x;
	json_t *req = NULL, *programs;
	int r = gx_test_load(&t, yaml);

	if (r < 0) {
		char *diag = gx_test_diag_text(&t);

		cr_log_error("%s", diag);
		free(diag);
	}
	cr_assert_eq(r, 0);
	inst = t.insts.v[0];
	rq.instances = &inst;
	rq.n_instances = 1;
	cr_assert_eq(direct_ctx_init(&x, t.host, &rq, &err), 0, "%s", err.message);
	cr_assert_eq(x.n_groups, 1);
	cr_assert_eq(direct_update_request(&x, &x.groups[0], false, false, NULL, &req), 0, "%s",
		     err.message);
	direct_ctx_release(&x);
	programs = json_incref(json_object_get(req, "programs"));
	json_decref(req);
	return programs;
}

static json_t *program_named(json_t *programs, const char *name)
{
	size_t i;
	json_t *p;

	json_array_foreach (programs, i, p)
		if (strcmp(json_string_value(json_object_get(p, "name")), name) == 0)
			return p;
	cr_assert_fail("no program %s", name);
	return NULL;
}

/* The words of a program's argv or env joined with spaces (heap). */
static char *joined(json_t *program, const char *key)
{
	json_t *words = json_object_get(program, key), *w;
	char *buf = NULL;
	size_t len = 0, i;
	FILE *out = open_memstream(&buf, &len);

	json_array_foreach (words, i, w)
		fprintf(out, "%s%s", i ? " " : "", json_string_value(w));
	fclose(out);
	return buf;
}

Test(direct_render, a_celery_list_is_a_program_per_worker)
{
	json_t *programs = programs_of("gravity:\n"
				       "  virtualenv: @ROOT@/venv\n"
				       "  gunicorn: {enable: false}\n"
				       "  celery:\n"
				       "    - queues: galaxy.internal\n"
				       "      memory_limit: 2\n"
				       "      environment: {WHO: internal}\n"
				       "    - name: external\n"
				       "      queues: galaxy.external\n"
				       "      enable_beat: false\n"
				       "      environment: {WHO: external}\n"
				       "galaxy: {}\n");
	json_t *w0, *ext;
	char *argv0, *argv1, *env0, *env1, *log = NULL;

	cr_assert_eq(json_array_size(programs), 3);
	w0 = program_named(programs, "celery0");
	ext = program_named(programs, "external");
	program_named(programs, "celery-beat");
	argv0 = joined(w0, "argv");
	argv1 = joined(ext, "argv");
	env0 = joined(w0, "env");
	env1 = joined(ext, "env");
	cr_expect(strstr(argv0, " --queues galaxy.internal --hostname celery0@%h") != NULL, "%s",
		  argv0);
	cr_expect(strstr(argv1, " --queues galaxy.external --hostname external@%h") != NULL, "%s",
		  argv1);
	cr_expect(strstr(env0, " WHO=internal") != NULL, "%s", env0);
	cr_expect(strstr(env1, " WHO=external") != NULL, "%s", env1);
	cr_expect_eq(json_integer_value(json_object_get(w0, "memory_limit_kb")), 2 * 1024 * 1024);
	cr_expect_eq(json_integer_value(json_object_get(ext, "memory_limit_kb")), 0);
	cr_assert_geq(asprintf(&log, "%s/database/gravity/log/external.log", t.root), 0);
	cr_expect_str_eq(json_string_value(json_object_get(ext, "log")), log);
	free(log);
	free(argv0);
	free(argv1);
	free(env0);
	free(env1);
	json_decref(programs);
}
