/* SPDX-License-Identifier: MIT */
/* Tests of services/tusd.c: the tusd type, single and as a list, through the real core. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

static struct gx_test t;

static void teardown(void)
{
	gx_test_release(&t);
}

TestSuite(tusd, .fini = teardown);

static void load_ok(const char *yaml)
{
	int r = gx_test_load(&t, yaml);

	if (r < 0) {
		char *diag = gx_test_diag_text(&t);

		cr_log_error("%s", diag);
		free(diag);
	}
	cr_assert_eq(r, 0, "load failed: %d", r);
}

/* Expect the load to have failed with line (after "galaxyctl: <config>:") among the diagnostics. */
static void expect_diag(const char *line)
{
	char *diag = gx_test_diag_text(&t);
	char *want = NULL;

	cr_assert_geq(asprintf(&want, "galaxyctl: %s:%s\n", t.config, line), 0);
	cr_expect(strstr(diag, want) != NULL, "expected\n  %s\nin\n%s", want, diag);
	free(want);
	free(diag);
}

static void expect_argv(const char *name, unsigned process, const char *fmt)
{
	const struct gx_service *svc = gx_test_service(&t, NULL, name);
	char *want = NULL, *got;

	cr_assert_not_null(svc, "no service %s", name);
	cr_assert_geq(asprintf(&want, fmt, t.root), 0);
	got = gx_test_argv(&t, svc, process);
	cr_expect_str_eq(got ? got : "(null)", want);
	free(got);
	free(want);
}

/* Names of the instance's services, space-separated, for comparing expansion results. */
static char *service_names(void)
{
	const struct gx_instance *inst = t.insts.v[0];
	char *out = calloc(1, 1);

	for (size_t i = 0; out && i < inst->n_services; i++) {
		char *grown = NULL;

		cr_assert_geq(asprintf(&grown, "%s%s%s", out, *out ? " " : "",
				       inst->services[i]->name), 0);
		free(out);
		out = grown;
	}
	return out;
}

static void expect_no_tusd(void)
{
	char *names = service_names();

	cr_expect(!strstr(names, "tusd"), "services: %s", names);
	free(names);
}

Test(tusd, disabled_by_default_and_upload_dir_not_needed)
{
	load_ok("gravity:\n"
		"  tusd:\n"
		"    port: 1234\n"
		"galaxy:\n"
		"  brand: test\n");
	expect_no_tusd();
}

Test(tusd, absent_section_is_fine)
{
	load_ok("gravity:\n"
		"  virtualenv: @ROOT@/venv\n"
		"galaxy:\n"
		"  brand: test\n");
	expect_no_tusd();
}

Test(tusd, default_command)
{
	const struct gx_service *svc;
	char *venv = NULL, *got;

	load_ok("gravity:\n"
		"  virtualenv: @ROOT@/venv\n"
		"  tusd:\n"
		"    enable: true\n"
		"    upload_dir: /data/tus\n"
		"galaxy:\n"
		"  galaxy_infrastructure_url: https://galaxy.example.org/\n");
	svc = gx_test_service(&t, NULL, "tusd");
	cr_assert_not_null(svc);
	cr_expect_eq(svc->count, 1);
	cr_expect_not(svc->instances);
	cr_expect_str_eq(svc->config_type, "tusd");
	cr_expect_eq(svc->start_timeout, 10);
	cr_expect_eq(svc->stop_timeout, 10);
	/* The infrastructure URL loses its trailing '/' before the hooks path goes on. */
	expect_argv("tusd", 0,
		    "tusd -host=localhost -port=1080 -upload-dir=/data/tus "
		    "-hooks-http=https://galaxy.example.org/api/upload/hooks "
		    "-hooks-http-forward-headers=X-Api-Key,Cookie -hooks-enabled-events pre-create");
	/* No Galaxy variables of its own; the virtualenv still goes on PATH. */
	cr_expect_null(got = gx_test_env(&t, svc, 0, "PYTHONPATH"));
	free(got);
	cr_expect_null(got = gx_test_env(&t, svc, 0, "GALAXY_CONFIG_FILE"));
	free(got);
	cr_assert_geq(asprintf(&venv, "%s/venv", t.root), 0);
	got = gx_test_env(&t, svc, 0, "VIRTUAL_ENV");
	cr_expect_str_eq(got ? got : "(unset)", venv);
	free(got);
	free(venv);
}

Test(tusd, graceful_is_none)
{
	const struct gx_service *svc;

	load_ok("gravity:\n"
		"  tusd: {enable: true, upload_dir: /data/tus}\n"
		"galaxy:\n"
		"  galaxy_infrastructure_url: http://localhost:8080\n");
	svc = gx_test_service(&t, NULL, "tusd");
	cr_assert_not_null(svc);
	cr_assert_not_null(svc->type->graceful);
	cr_expect_eq(svc->type->graceful(t.host, svc), GX_GRACEFUL_NONE);
	cr_expect_null(svc->type->ready);
}

Test(tusd, non_default_settings)
{
	const struct gx_service *svc;
	char *got;

	load_ok("gravity:\n"
		"  virtualenv: @ROOT@/venv\n"
		"  tusd:\n"
		"    enable: true\n"
		"    tusd_path: /opt/tusd/bin/tusd\n"
		"    host: 0.0.0.0\n"
		"    port: 1999\n"
		"    upload_dir: /srv/uploads\n"
		"    hooks_http: https://pulsar.example.org/hooks\n"
		"    hooks_enabled_events: pre-create,post-finish\n"
		"    extra_args: -behind-proxy -base-path '/api/upload/resumable_upload/'\n"
		"    environment:\n"
		"      TUSD_X: '1'\n"
		"    start_timeout: 5\n"
		"galaxy:\n"
		"  brand: test\n");
	/* A full URL needs no galaxy_infrastructure_url and is used as it is. */
	expect_argv("tusd", 0,
		    "/opt/tusd/bin/tusd -host=0.0.0.0 -port=1999 -upload-dir=/srv/uploads "
		    "-hooks-http=https://pulsar.example.org/hooks "
		    "-hooks-http-forward-headers=X-Api-Key,Cookie -behind-proxy -base-path "
		    "/api/upload/resumable_upload/ -hooks-enabled-events pre-create,post-finish");
	svc = gx_test_service(&t, NULL, "tusd");
	cr_expect_eq(svc->start_timeout, 5);
	got = gx_test_env(&t, svc, 0, "TUSD_X");
	cr_expect_str_eq(got ? got : "(unset)", "1");
	free(got);
}

Test(tusd, relative_tusd_path_is_kept_as_given)
{
	load_ok("gravity:\n"
		"  virtualenv: @ROOT@/venv\n"
		"  tusd:\n"
		"    enable: true\n"
		"    tusd_path: bin/tusd\n"
		"    upload_dir: uploads\n"
		"    hooks_http: /hooks\n"
		"galaxy:\n"
		"  galaxy_infrastructure_url: http://gx:8080\n");
	expect_argv("tusd", 0,
		    "bin/tusd -host=localhost -port=1080 -upload-dir=uploads "
		    "-hooks-http=http://gx:8080/hooks -hooks-http-forward-headers=X-Api-Key,Cookie "
		    "-hooks-enabled-events pre-create");
}

Test(tusd, empty_hooks_enabled_events_stays_a_word)
{
	struct gx_strv argv = { 0 };
	struct gx_error err = { 0 };

	load_ok("gravity:\n"
		"  tusd: {enable: true, upload_dir: /u, hooks_enabled_events: ''}\n"
		"galaxy:\n"
		"  galaxy_infrastructure_url: http://gx\n");
	cr_assert_eq(t.host->service_argv(gx_test_service(&t, NULL, "tusd"), 0, &argv, &err), 0);
	cr_assert_eq(argv.n, 8);
	cr_expect_str_eq(argv.v[6], "-hooks-enabled-events");
	cr_expect_str_eq(argv.v[7], "");
	t.host->strv_release(&argv);
}

Test(tusd, enabled_without_upload_dir)
{
	cr_assert_eq(gx_test_load(&t, "gravity:\n"
				      "  tusd:\n"
				      "    enable: true\n"
				      "galaxy:\n"
				      "  galaxy_infrastructure_url: http://gx\n"),
		     -EINVAL);
	expect_diag("3:5: error: gravity.tusd.upload_dir: required when tusd is enabled");
}

Test(tusd, null_upload_dir_is_missing)
{
	cr_assert_eq(gx_test_load(&t, "gravity:\n"
				      "  tusd:\n"
				      "    enable: true\n"
				      "    upload_dir: ~\n"
				      "galaxy:\n"
				      "  galaxy_infrastructure_url: http://gx\n"),
		     -EINVAL);
	expect_diag("3:5: error: gravity.tusd.upload_dir: required when tusd is enabled");
}

Test(tusd, hooks_path_needs_galaxy_infrastructure_url)
{
	cr_assert_eq(gx_test_load(&t, "gravity:\n"
				      "  tusd:\n"
				      "    enable: true\n"
				      "    upload_dir: /u\n"
				      "galaxy:\n"
				      "  brand: test\n"),
		     -EINVAL);
	expect_diag("3:13: error: To run tusd you need to set galaxy_infrastructure_url in the "
		    "galaxy section of galaxy.yml");
}

Test(tusd, empty_galaxy_infrastructure_url_is_unset)
{
	cr_assert_eq(gx_test_load(&t, "gravity:\n"
				      "  tusd:\n"
				      "    enable: true\n"
				      "    upload_dir: /u\n"
				      "    hooks_http: /my/hooks\n"
				      "galaxy:\n"
				      "  galaxy_infrastructure_url: '/'\n"),
		     -EINVAL);
	expect_diag("7:30: error: To run tusd you need to set galaxy_infrastructure_url in the "
		    "galaxy section of galaxy.yml");
}

Test(tusd, error_without_a_galaxy_section)
{
	cr_assert_eq(gx_test_load(&t, "gravity:\n"
				      "  galaxy_root: @ROOT@\n"
				      "  tusd:\n"
				      "    enable: true\n"
				      "    upload_dir: /u\n"),
		     -EINVAL);
	expect_diag("4:13: error: To run tusd you need to set galaxy_infrastructure_url in the "
		    "galaxy section of galaxy.yml");
}

static const char list_yaml[] =
	"gravity:\n"
	"  virtualenv: @ROOT@/venv\n"
	"  use_service_instances: %s\n"
	"  tusd:\n"
	"    - enable: true\n"
	"      port: 1081\n"
	"      upload_dir: /u/a\n"
	"    - enable: false\n"
	"      port: 1082\n"
	"    - enable: true\n"
	"      port: 1083\n"
	"      upload_dir: /u/c\n"
	"      hooks_http: http://other/hooks\n"
	"galaxy:\n"
	"  galaxy_infrastructure_url: http://gx\n";

static void load_list(const char *use_instances)
{
	char *yaml = NULL;

	cr_assert_geq(asprintf(&yaml, list_yaml, use_instances), 0);
	load_ok(yaml);
	free(yaml);
}

Test(tusd, list_as_service_instances)
{
	const struct gx_service *svc;
	char *names;

	load_list("true");
	svc = gx_test_service(&t, NULL, "tusd");
	cr_assert_not_null(svc);
	cr_expect_eq(svc->count, 2);
	cr_expect(svc->instances);
	names = service_names();
	cr_expect(strstr(names, "tusd0") == NULL && strstr(names, "tusd2") == NULL, "%s", names);
	free(names);
	expect_argv("tusd", 0,
		    "tusd -host=localhost -port=1081 -upload-dir=/u/a "
		    "-hooks-http=http://gx/api/upload/hooks "
		    "-hooks-http-forward-headers=X-Api-Key,Cookie -hooks-enabled-events pre-create");
	expect_argv("tusd", 1,
		    "tusd -host=localhost -port=1083 -upload-dir=/u/c -hooks-http=http://other/hooks "
		    "-hooks-http-forward-headers=X-Api-Key,Cookie -hooks-enabled-events pre-create");
	cr_expect_null(gx_test_argv(&t, svc, 2));
	cr_expect_eq(svc->type->graceful(t.host, svc), GX_GRACEFUL_NONE);
}

Test(tusd, list_as_separate_services)
{
	const struct gx_service *a, *c;

	load_list("false");
	cr_expect_null(gx_test_service(&t, NULL, "tusd"));
	/* Named by position in the list: the disabled item keeps its number. */
	cr_expect_null(gx_test_service(&t, NULL, "tusd1"));
	a = gx_test_service(&t, NULL, "tusd0");
	c = gx_test_service(&t, NULL, "tusd2");
	cr_assert_not_null(a);
	cr_assert_not_null(c);
	cr_expect_eq(a->count, 1);
	cr_expect_eq(c->count, 1);
	cr_expect_not(a->instances);
	cr_expect_str_eq(c->config_type, "tusd");
	expect_argv("tusd0", 0,
		    "tusd -host=localhost -port=1081 -upload-dir=/u/a "
		    "-hooks-http=http://gx/api/upload/hooks "
		    "-hooks-http-forward-headers=X-Api-Key,Cookie -hooks-enabled-events pre-create");
	expect_argv("tusd2", 0,
		    "tusd -host=localhost -port=1083 -upload-dir=/u/c -hooks-http=http://other/hooks "
		    "-hooks-http-forward-headers=X-Api-Key,Cookie -hooks-enabled-events pre-create");
}

Test(tusd, direct_style_gives_separate_services)
{
	load_ok("gravity:\n"
		"  service_command_style: direct\n"
		"  tusd:\n"
		"    - {enable: true, upload_dir: /a, hooks_http: 'http://h/1'}\n"
		"    - {enable: true, upload_dir: /b, hooks_http: 'http://h/2'}\n"
		"galaxy:\n"
		"  brand: test\n");
	cr_expect_null(gx_test_service(&t, NULL, "tusd"));
	cr_expect_not_null(gx_test_service(&t, NULL, "tusd0"));
	cr_expect_not_null(gx_test_service(&t, NULL, "tusd1"));
}

Test(tusd, list_with_nothing_enabled)
{
	load_ok("gravity:\n"
		"  tusd:\n"
		"    - {port: 1}\n"
		"    - {enable: false, upload_dir: /b}\n"
		"galaxy:\n"
		"  brand: test\n");
	expect_no_tusd();
}

Test(tusd, empty_list)
{
	load_ok("gravity:\n"
		"  tusd: []\n"
		"galaxy:\n"
		"  brand: test\n");
	expect_no_tusd();
}

Test(tusd, list_item_without_upload_dir)
{
	cr_assert_eq(gx_test_load(&t, "gravity:\n"
				      "  use_service_instances: false\n"
				      "  tusd:\n"
				      "    - {enable: true, upload_dir: /a}\n"
				      "    - enable: true\n"
				      "      port: 1090\n"
				      "galaxy:\n"
				      "  galaxy_infrastructure_url: http://gx\n"),
		     -EINVAL);
	expect_diag("5:7: error: gravity.tusd[1].upload_dir: required when tusd is enabled");
}

Test(tusd, list_item_without_upload_dir_as_instances)
{
	cr_assert_eq(gx_test_load(&t, "gravity:\n"
				      "  tusd:\n"
				      "    - {enable: true, upload_dir: /a}\n"
				      "    - {enable: false}\n"
				      "    - enable: true\n"
				      "galaxy:\n"
				      "  galaxy_infrastructure_url: http://gx\n"),
		     -EINVAL);
	expect_diag("5:7: error: gravity.tusd[2].upload_dir: required when tusd is enabled");
}

Test(tusd, list_items_are_validated_by_the_table)
{
	cr_assert_eq(gx_test_load(&t, "gravity:\n"
				      "  tusd:\n"
				      "    - enable: true\n"
				      "      upload_dir: /a\n"
				      "      port: http\n"
				      "galaxy:\n"
				      "  galaxy_infrastructure_url: http://gx\n"),
		     -EINVAL);
	expect_diag("5:13: error: gravity.tusd[0].port: expected an integer, got 'http'");
}

Test(tusd, bad_extra_args_are_reported_at_the_option)
{
	struct gx_strv argv = { 0 };
	struct gx_error err = { 0 };

	load_ok("gravity:\n"
		"  tusd:\n"
		"    enable: true\n"
		"    upload_dir: /u\n"
		"    extra_args: '-x \"y'\n"
		"galaxy:\n"
		"  galaxy_infrastructure_url: http://gx\n");
	cr_expect_eq(t.host->service_argv(gx_test_service(&t, NULL, "tusd"), 0, &argv, &err),
		     -EINVAL);
	cr_expect_str_eq(err.message,
			 "gravity.tusd.extra_args: unterminated double quote in: -x \"y");
	cr_expect_eq(err.line, 5);
	t.host->strv_release(&argv);
}
