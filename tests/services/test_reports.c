/* SPDX-License-Identifier: MIT */
/* Unit tests for services/reports.c: options, config file check, command, environment, graceful. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "harness.h"

#define FACTORY "galaxy.webapps.reports.fast_factory:factory()"
#define WORKER "-k uvicorn.workers.UvicornWorker"
#define CONFIG "--config python:galaxy.web_stack.gunicorn_config"

static struct gx_test t;

static void release(void)
{
	gx_test_release(&t);
}

TestSuite(reports, .fini = release);

/* Stand-in root with config/reports.yml, then yaml loaded; insists that it worked. */
static void load(const char *yaml)
{
	int r;
	char *diag;

	gx_test_prepare(&t);
	gx_test_write(&t, "config/reports.yml", "# reports config\n");
	r = gx_test_load_prepared(&t, yaml);
	diag = r < 0 ? gx_test_diag_text(&t) : NULL;
	cr_assert_eq(r, 0, "load failed (%d):\n%s", r, diag ? diag : "");
	free(diag);
}

/* Load yaml without config/reports.yml; it must fail.  Returns the diagnostics (heap). */
static char *load_fails(const char *yaml)
{
	int r = gx_test_load(&t, yaml);

	cr_assert_lt(r, 0, "load succeeded but should have failed");
	return gx_test_diag_text(&t);
}

static const struct gx_service *service(void)
{
	const struct gx_service *svc = gx_test_service(&t, NULL, "reports");

	cr_assert_not_null(svc, "no service reports");
	return svc;
}

static void expect_argv(const struct gx_service *svc, const char *want)
{
	char *got = gx_test_argv(&t, svc, 0);

	cr_assert_not_null(got);
	cr_expect_str_eq(got, want);
	free(got);
}

static void expect_env(const struct gx_service *svc, const char *name, const char *want)
{
	char *got = gx_test_env(&t, svc, 0, name);

	cr_assert_not_null(got, "%s not in the environment", name);
	cr_expect_str_eq(got, want, "%s", name);
	free(got);
}

Test(reports, disabled_by_default)
{
	load("gravity: {}\n");
	cr_expect_null(gx_test_service(&t, NULL, "reports"));
}

Test(reports, disabled_needs_no_config_file)
{
	int r = gx_test_load(&t, "gravity:\n  reports:\n    enable: false\n");

	cr_expect_eq(r, 0);
	cr_expect_null(gx_test_service(&t, NULL, "reports"));
}

Test(reports, defaults)
{
	const struct gx_service *svc;
	char want[2048];

	load("gravity:\n"
	     "  virtualenv: @ROOT@/venv\n"
	     "  reports:\n"
	     "    enable: true\n");
	svc = service();
	cr_expect_eq(svc->count, 1);
	cr_expect_not(svc->instances);
	cr_expect_eq(svc->start_timeout, 10);
	cr_expect_eq(svc->stop_timeout, 10);
	snprintf(want, sizeof(want),
		 "%s/venv/bin/gunicorn " FACTORY " --timeout 300 --pythonpath lib " WORKER
		 " -b localhost:9001 --workers=1 " CONFIG,
		 t.root);
	expect_argv(svc, want);
	expect_env(svc, "PYTHONPATH", "lib");
	snprintf(want, sizeof(want), "%s/config/reports.yml", t.root);
	expect_env(svc, "GALAXY_REPORTS_CONFIG", want);
	snprintf(want, sizeof(want), "%s/venv", t.root);
	expect_env(svc, "VIRTUAL_ENV", want);
	cr_expect_null(gx_test_env(&t, svc, 0, "GALAXY_CONFIG_FILE"));
	cr_expect_eq(svc->type->graceful(t.host, svc), GX_GRACEFUL_SIGHUP);
}

Test(reports, option_table_in_upstream_order)
{
	static const char *const want[] = {
		"enable", "config_file", "bind", "workers", "timeout", "url_prefix", "extra_args",
		"umask", "start_timeout", "stop_timeout", "memory_limit", "memory_high",
		"environment", NULL,
	};
	const struct gx_option *opt;
	size_t i = 0;

	load("gravity:\n  reports:\n    enable: true\n");
	opt = service()->type->options;
	for (; want[i] && opt[i].name; i++)
		cr_expect_str_eq(opt[i].name, want[i]);
	cr_expect_null(want[i]);
	cr_expect_null(opt[i].name);
	cr_expect_not(service()->type->list_allowed);
}

Test(reports, non_defaults)
{
	const struct gx_service *svc;

	load("gravity:\n"
	     "  reports:\n"
	     "    enable: true\n"
	     "    config_file: @ROOT@/config/reports.yml\n"
	     "    bind: unix:/run/reports.sock\n"
	     "    workers: 3\n"
	     "    timeout: 0\n"
	     "    url_prefix: /reports\n"
	     "    extra_args: --log-level debug --name 'galaxy reports'\n"
	     "    start_timeout: 20\n"
	     "    environment:\n"
	     "      GALAXY_REPORTS_CONFIG: /elsewhere.yml\n");
	svc = service();
	expect_argv(svc, "gunicorn " FACTORY " --timeout 0 --pythonpath lib " WORKER
			 " -b unix:/run/reports.sock --workers=3 " CONFIG
			 " --env SCRIPT_NAME=/reports --log-level debug --name galaxy reports");
	expect_env(svc, "GALAXY_REPORTS_CONFIG", "/elsewhere.yml");
	cr_expect_eq(svc->start_timeout, 20);
	cr_expect_eq(svc->stop_timeout, 10);
}

Test(reports, url_prefix_is_one_word)
{
	struct gx_strv argv = { 0 };
	struct gx_error err = { 0 };

	load("gravity:\n"
	     "  reports:\n"
	     "    enable: true\n"
	     "    url_prefix: /my reports\n");
	cr_assert_eq(t.host->service_argv(service(), 0, &argv, &err), 0, "%s", err.message);
	cr_assert_geq(argv.n, 2);
	cr_expect_str_eq(argv.v[argv.n - 2], "--env");
	cr_expect_str_eq(argv.v[argv.n - 1], "SCRIPT_NAME=/my reports");
	t.host->strv_release(&argv);
}

Test(reports, empty_or_null_url_prefix)
{
	const char *const yaml[] = {
		"gravity:\n  reports:\n    enable: true\n    url_prefix: ''\n",
		"gravity:\n  reports:\n    enable: true\n    url_prefix: null\n",
	};

	for (size_t i = 0; i < 2; i++) {
		char *argv;

		load(yaml[i]);
		argv = gx_test_argv(&t, service(), 0);
		cr_assert_not_null(argv);
		cr_expect_null(strstr(argv, "--env"), "%s", argv);
		free(argv);
		gx_test_release(&t);
	}
}

Test(reports, relative_config_file_beside_galaxy_yml)
{
	char want[1024];

	gx_test_prepare(&t);
	gx_test_write(&t, "reports/r.yml", "\n");
	cr_assert_eq(gx_test_load_prepared(&t, "gravity:\n"
					       "  reports:\n"
					       "    enable: true\n"
					       "    config_file: ../reports/r.yml\n"),
		     0);
	snprintf(want, sizeof(want), "%s/config/../reports/r.yml", t.root);
	expect_env(service(), "GALAXY_REPORTS_CONFIG", want);
}

Test(reports, split_config_is_relative_to_galaxy_yml)
{
	char want[1024];

	/* gravity.yml in the root, galaxy.yml (and reports.yml) in conf/. */
	gx_test_prepare(&t);
	gx_test_write(&t, "conf/galaxy.yml", "galaxy:\n  brand: split\n");
	gx_test_write(&t, "conf/reports.yml", "\n");
	cr_assert_eq(gx_test_load_prepared(&t, "gravity:\n"
					       "  galaxy_root: @ROOT@\n"
					       "  galaxy_config_file: ../conf/galaxy.yml\n"
					       "  reports:\n"
					       "    enable: true\n"),
		     0);
	snprintf(want, sizeof(want), "%s/conf/reports.yml", t.root);
	expect_env(service(), "GALAXY_REPORTS_CONFIG", want);
}

Test(reports, missing_config_file)
{
	char *diag = load_fails("gravity:\n"
				"  reports:\n"
				"    enable: true\n");
	char want[1024];

	snprintf(want, sizeof(want),
		 "%s:3:13: error: Reports enabled but reports config file does not exist: "
		 "%s/config/reports.yml\n",
		 t.config, t.root);
	cr_expect_not_null(strstr(diag, want), "%s", diag);
	free(diag);
}

Test(reports, missing_config_file_named)
{
	char *diag = load_fails("gravity:\n"
				"  reports:\n"
				"    enable: true\n"
				"    config_file: /nonexistent/reports.yml\n");
	char want[1024];

	snprintf(want, sizeof(want),
		 "%s:4:18: error: Reports enabled but reports config file does not exist: "
		 "/nonexistent/reports.yml\n",
		 t.config);
	cr_expect_not_null(strstr(diag, want), "%s", diag);
	free(diag);
}

Test(reports, wrong_type_is_located)
{
	char *diag = load_fails("gravity:\n"
				"  reports:\n"
				"    enable: true\n"
				"    workers: many\n");
	char want[1024];

	snprintf(want, sizeof(want), "%s:4:", t.config);
	cr_expect_not_null(strstr(diag, want), "%s", diag);
	cr_expect_not_null(strstr(diag, "gravity.reports.workers: expected an integer"), "%s",
			   diag);
	free(diag);
}

Test(reports, list_not_allowed)
{
	char *diag = load_fails("gravity:\n"
				"  reports:\n"
				"    - enable: true\n");

	cr_expect_not_null(strstr(diag, "gravity.reports: expected a mapping, got a"), "%s", diag);
	free(diag);
}
