/* SPDX-License-Identifier: MIT */
/* Tests for services/handlers.c: the handler expansion matrix, job config variants, argv and environment. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"

#define ASSIGN_WARNING                                                                         \
	"Dynamic handlers are configured in Gravity but Galaxy is not configured to assign jobs " \
	"to handlers dynamically, so these handlers will not handle jobs. Set the job handler "  \
	"assignment method in the Galaxy job configuration to `db-skip-locked` or "             \
	"`db-transaction-isolation` to fix this."

/* One loaded config: the harness, what went to stderr, and the diagnostics. */
struct hl {
	struct gx_test t;
	int r;
	char *err;  /* stderr during the load (h->log output) */
	char *diag; /* the core's diagnostics */
};

static struct hl hl;

/* Load yaml into hl, keeping everything written to fd 2 meanwhile (heap). */
static char *hl_capture_load(const char *yaml)
{
	char path[] = "/tmp/gx-test-handlers-stderr-XXXXXX";
	int fd = mkstemp(path), saved;
	char *buf;
	long len;
	FILE *f;

	cr_assert_geq(fd, 0);
	fflush(stderr);
	saved = dup(2);
	dup2(fd, 2);
	close(fd);
	hl.r = gx_test_load_prepared(&hl.t, yaml);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	f = fopen(path, "r");
	cr_assert_not_null(f);
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	buf = calloc(1, (size_t)len + 1);
	cr_assert_not_null(buf);
	cr_assert_eq(fread(buf, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	unlink(path);
	return buf;
}

/* Load yaml after writing the (relpath, content) pairs of files under the root; NULL ends. */
static int hl_load(const char *yaml, ...)
{
	va_list ap;
	const char *rel;

	gx_test_prepare(&hl.t);
	va_start(ap, yaml);
	while ((rel = va_arg(ap, const char *)))
		gx_test_write(&hl.t, rel, va_arg(ap, const char *));
	va_end(ap);
	hl.err = hl_capture_load(yaml);
	hl.diag = gx_test_diag_text(&hl.t);
	return hl.r;
}

static void hl_teardown(void)
{
	free(hl.err);
	free(hl.diag);
	gx_test_release(&hl.t);
	memset(&hl, 0, sizeof(hl));
}

static const struct gx_service *hl_svc(const char *name)
{
	const struct gx_service *svc = gx_test_service(&hl.t, NULL, name);

	cr_assert_not_null(svc, "no service %s; stderr: %s; diag: %s", name, hl.err, hl.diag);
	return svc;
}

/* Names of the standalone services, space separated, in order (static buffer). */
static const char *hl_handlers(void)
{
	static char buf[1024];
	const struct gx_instance *inst = hl.t.insts.v[0];

	buf[0] = '\0';
	for (size_t i = 0; i < inst->n_services; i++) {
		if (strcmp(inst->services[i]->config_type, "standalone") != 0)
			continue;
		if (buf[0])
			strcat(buf, " ");
		strcat(buf, inst->services[i]->name);
	}
	return buf;
}

/* The expected argv of a handler process with virtualenv @ROOT@/venv (heap). */
static char *hl_cmd(const char *server_name_and_pools)
{
	char *s = NULL;

	cr_assert_geq(asprintf(&s, "%s/venv/bin/python ./scripts/galaxy-main -c %s "
				   "--server-name=%s",
			       hl.t.root, hl.t.config, server_name_and_pools),
		      0);
	return s;
}

static void hl_assert_argv(const struct gx_service *svc, unsigned process, const char *tail)
{
	char *want = hl_cmd(tail);
	char *got = gx_test_argv(&hl.t, svc, process);

	cr_assert_not_null(got);
	cr_assert_str_eq(got, want);
	free(got);
	free(want);
}

static void hl_assert_env(const struct gx_service *svc, unsigned process, const char *name,
			  const char *want)
{
	char *got = gx_test_env(&hl.t, svc, process, name);

	if (!want) {
		cr_assert_null(got, "%s is set to %s", name, got);
	} else {
		cr_assert_not_null(got, "%s is unset", name);
		cr_assert_str_eq(got, want);
	}
	free(got);
}

static void hl_assert_loaded(void)
{
	cr_assert_eq(hl.r, 0, "load failed: %s / %s", hl.diag, hl.err);
}

#define VENV "gravity:\n  virtualenv: @ROOT@/venv\n"

TestSuite(handlers_dynamic, .fini = hl_teardown);
TestSuite(handlers_static, .fini = hl_teardown);
TestSuite(handlers_assign, .fini = hl_teardown);

/* ---------------------------------------------------------------------- */
/* Dynamic handlers: gravity.handlers */

Test(handlers_dynamic, three_processes_are_one_service_with_instances)
{
	const struct gx_service *svc;

	hl_load(VENV "  handlers:\n    handler:\n      processes: 3\n", NULL);
	hl_assert_loaded();
	cr_assert_str_eq(hl_handlers(), "handler");
	svc = hl_svc("handler");
	cr_assert_eq(svc->count, 3);
	cr_assert(svc->instances);
	cr_assert_str_eq(svc->config_type, "standalone");
	hl_assert_argv(svc, 0, "handler_0");
	hl_assert_argv(svc, 1, "handler_1");
	hl_assert_argv(svc, 2, "handler_2");
	cr_assert_null(gx_test_argv(&hl.t, svc, 3));
}

Test(handlers_dynamic, one_process_without_digit_is_templated)
{
	const struct gx_service *svc;

	hl_load(VENV "  handlers:\n    handler: {}\n", NULL);
	hl_assert_loaded();
	svc = hl_svc("handler");
	cr_assert_eq(svc->count, 1);
	cr_assert(svc->instances);
	hl_assert_argv(svc, 0, "handler_0");
}

Test(handlers_dynamic, name_template_fields)
{
	const struct gx_service *svc;

	hl_load(VENV "  instance_name: main\n  handlers:\n    handler:\n      processes: 2\n"
		     "      name_template: '{name}-{process}-{instance_name}'\n",
		NULL);
	hl_assert_loaded();
	svc = hl_svc("handler");
	cr_assert_eq(svc->count, 2);
	hl_assert_argv(svc, 0, "handler-0-main");
	hl_assert_argv(svc, 1, "handler-1-main");
}

Test(handlers_dynamic, name_template_default_instance_name_escapes_and_spec)
{
	const struct gx_service *svc;

	hl_load(VENV "  handlers:\n    h:\n      processes: 2\n"
		     "      name_template: '  {{{instance_name}}}.{name}.{process:02d}  '\n",
		NULL);
	hl_assert_loaded();
	svc = hl_svc("h");
	hl_assert_argv(svc, 0, "{_default_}.h.00");
	hl_assert_argv(svc, 1, "{_default_}.h.01");
}

Test(handlers_dynamic, name_template_unknown_field_is_an_error)
{
	hl_load(VENV "  handlers:\n    handler:\n      name_template: '{name}_{proc}'\n", NULL);
	cr_assert_neq(hl.r, 0);
	cr_assert(strstr(hl.diag, "name_template: unknown field {proc}"), "%s", hl.diag);
	cr_assert(strstr(hl.diag, "galaxy.yml:5:"), "no location in: %s", hl.diag);
}

Test(handlers_dynamic, name_template_unbalanced_brace_is_an_error)
{
	hl_load(VENV "  handlers:\n    handler:\n      name_template: '{name'\n", NULL);
	cr_assert_neq(hl.r, 0);
	cr_assert(strstr(hl.diag, "single '{'"), "%s", hl.diag);
}

Test(handlers_dynamic, explicit_name_single_process)
{
	const struct gx_service *svc;

	hl_load(VENV "  handlers:\n    handler0:\n      processes: 1\n", NULL);
	hl_assert_loaded();
	cr_assert_str_eq(hl_handlers(), "handler0");
	svc = hl_svc("handler0");
	cr_assert_eq(svc->count, 1);
	cr_assert_not(svc->instances);
	hl_assert_argv(svc, 0, "handler0");
}

Test(handlers_dynamic, explicit_name_two_processes_is_templated)
{
	const struct gx_service *svc;

	hl_load(VENV "  handlers:\n    handler0:\n      processes: 2\n", NULL);
	hl_assert_loaded();
	svc = hl_svc("handler0");
	cr_assert_eq(svc->count, 2);
	cr_assert(svc->instances);
	hl_assert_argv(svc, 0, "handler0_0");
	hl_assert_argv(svc, 1, "handler0_1");
}

Test(handlers_dynamic, explicit_name_with_template_is_templated)
{
	hl_load(VENV "  handlers:\n    handler0:\n      name_template: '{name}x'\n", NULL);
	hl_assert_loaded();
	hl_assert_argv(hl_svc("handler0"), 0, "handler0x");
}

Test(handlers_dynamic, explicit_name_without_service_instances)
{
	const struct gx_service *svc;

	hl_load(VENV "  use_service_instances: false\n  handlers:\n    handler0: {}\n", NULL);
	hl_assert_loaded();
	cr_assert_str_eq(hl_handlers(), "handler0");
	svc = hl_svc("handler0");
	cr_assert_not(svc->instances);
	hl_assert_argv(svc, 0, "handler0");
}

Test(handlers_dynamic, without_service_instances_each_process_is_a_service)
{
	const struct gx_service *svc;

	hl_load(VENV "  use_service_instances: false\n  handlers:\n    handler:\n"
		     "      processes: 3\n      pools: [job-handlers]\n",
		NULL);
	hl_assert_loaded();
	cr_assert_str_eq(hl_handlers(), "handler_0 handler_1 handler_2");
	cr_assert_null(gx_test_service(&hl.t, NULL, "handler"));
	for (unsigned i = 0; i < 3; i++) {
		char name[32], tail[64];

		snprintf(name, sizeof(name), "handler_%u", i);
		snprintf(tail, sizeof(tail), "%s --attach-to-pool=job-handlers", name);
		svc = hl_svc(name);
		cr_assert_eq(svc->count, 1);
		cr_assert_not(svc->instances);
		hl_assert_argv(svc, 0, tail);
	}
}

Test(handlers_dynamic, direct_command_style_turns_service_instances_off)
{
	hl_load(VENV "  service_command_style: direct\n  handlers:\n    handler:\n"
		     "      processes: 2\n",
		NULL);
	hl_assert_loaded();
	cr_assert_str_eq(hl_handlers(), "handler_0 handler_1");
}

Test(handlers_dynamic, several_handlers_keep_their_order)
{
	hl_load(VENV "  handlers:\n    zeta:\n      processes: 2\n    alpha1: {}\n    mid: {}\n",
		NULL);
	hl_assert_loaded();
	cr_assert_str_eq(hl_handlers(), "zeta alpha1 mid");
	cr_assert_eq(hl_svc("zeta")->count, 2);
	hl_assert_argv(hl_svc("mid"), 0, "mid_0");
}

Test(handlers_dynamic, duplicate_name_after_expansion_warns)
{
	hl_load(VENV "  use_service_instances: false\n  handlers:\n    handler:\n"
		     "      processes: 2\n      name_template: same\n",
		NULL);
	hl_assert_loaded();
	cr_assert_str_eq(hl_handlers(), "same");
	cr_assert(strstr(hl.err, "warning: Duplicate handler name after expansion: same\n"),
		  "%s", hl.err);
	hl_assert_argv(hl_svc("same"), 0, "same");
}

Test(handlers_dynamic, duplicate_across_handlers_warns)
{
	hl_load(VENV "  use_service_instances: false\n  handlers:\n    a:\n      processes: 1\n"
		     "    b:\n      name_template: a_0\n",
		NULL);
	hl_assert_loaded();
	cr_assert_str_eq(hl_handlers(), "a_0");
	cr_assert(strstr(hl.err, "Duplicate handler name after expansion: a_0"), "%s", hl.err);
}

Test(handlers_dynamic, no_duplicate_warning_with_service_instances)
{
	hl_load(VENV "  handlers:\n    handler:\n      processes: 2\n      name_template: same\n",
		NULL);
	hl_assert_loaded();
	cr_assert_null(strstr(hl.err, "Duplicate"), "%s", hl.err);
	hl_assert_argv(hl_svc("handler"), 1, "same");
}

Test(handlers_dynamic, pools_become_attach_to_pool)
{
	const struct gx_service *svc;

	hl_load(VENV "  handlers:\n    handler:\n      processes: 2\n"
		     "      pools:\n        - job-handlers\n        - workflow-schedulers\n",
		NULL);
	hl_assert_loaded();
	svc = hl_svc("handler");
	hl_assert_argv(svc, 1, "handler_1 --attach-to-pool=job-handlers "
			       "--attach-to-pool=workflow-schedulers");
}

Test(handlers_dynamic, environment_timeouts_and_no_galaxy_defaults)
{
	const struct gx_service *svc;

	hl_load(VENV "  umask: '027'\n  handlers:\n    handler:\n      start_timeout: 30\n"
		     "      environment:\n        FOO: bar\n",
		NULL);
	hl_assert_loaded();
	svc = hl_svc("handler");
	cr_assert_eq(svc->start_timeout, 30);
	cr_assert_eq(svc->stop_timeout, 65);
	cr_assert_str_eq(svc->umask, "027");
	hl_assert_env(svc, 0, "FOO", "bar");
	hl_assert_env(svc, 0, "PYTHONPATH", NULL);
	hl_assert_env(svc, 0, "GALAXY_CONFIG_FILE", NULL);
	{
		char *venv = NULL;

		cr_assert_geq(asprintf(&venv, "%s/venv", hl.t.root), 0);
		hl_assert_env(svc, 0, "VIRTUAL_ENV", venv);
		free(venv);
	}
}

Test(handlers_dynamic, default_timeouts)
{
	const struct gx_service *svc;

	hl_load(VENV "  handlers:\n    handler: {}\n", NULL);
	hl_assert_loaded();
	svc = hl_svc("handler");
	cr_assert_eq(svc->start_timeout, 20);
	cr_assert_eq(svc->stop_timeout, 65);
	cr_assert_null(svc->type->graceful, "graceful must be the default method");
	cr_assert_null(svc->type->ready);
}

Test(handlers_dynamic, without_virtualenv_python_is_found_on_path)
{
	char *got, *want = NULL;

	hl_load("gravity:\n  handlers:\n    handler0: {}\n", NULL);
	hl_assert_loaded();
	got = gx_test_argv(&hl.t, hl_svc("handler0"), 0);
	cr_assert_geq(asprintf(&want, "python ./scripts/galaxy-main -c %s --server-name=handler0",
			       hl.t.config),
		      0);
	cr_assert_str_eq(got, want);
	free(got);
	free(want);
}

Test(handlers_dynamic, installed_galaxy_runs_the_galaxy_main_entry_point)
{
	char *got, *want = NULL;

	hl_load(VENV "  handlers:\n    handler:\n      pools: [job-handlers]\n",
		"venv/lib/python3.12/site-packages/galaxy/version.py", "VERSION_MAJOR = \"24.1\"\n",
		NULL);
	hl_assert_loaded();
	cr_assert(hl.t.insts.v[0]->galaxy_installed);
	got = gx_test_argv(&hl.t, hl_svc("handler"), 0);
	cr_assert_geq(asprintf(&want, "%s/venv/bin/galaxy-main -c %s --server-name=handler_0 "
				      "--attach-to-pool=job-handlers",
			       hl.t.root, hl.t.config),
		      0);
	cr_assert_str_eq(got, want);
	free(got);
	free(want);
}

Test(handlers_dynamic, zero_processes_is_an_error)
{
	hl_load(VENV "  handlers:\n    handler:\n      processes: 0\n", NULL);
	cr_assert_neq(hl.r, 0);
	cr_assert(strstr(hl.diag, "processes"), "%s", hl.diag);
}

Test(handlers_dynamic, no_handlers_no_services)
{
	hl_load(VENV, NULL);
	hl_assert_loaded();
	cr_assert_str_eq(hl_handlers(), "");
	cr_assert_null(strstr(hl.err, "Dynamic handlers"), "%s", hl.err);
}

/* ---------------------------------------------------------------------- */
/* Static handlers: the job config */

#define JOB_CONF_XML                                                                     \
	"<?xml version=\"1.0\"?>\n"                                                          \
	"<job_conf>\n"                                                                       \
	"    <plugins>\n"                                                                    \
	"        <plugin id=\"local\" type=\"runner\" load=\"x:Y\"/>\n"                      \
	"    </plugins>\n"                                                                   \
	"    <handlers assign_with=\"db-preassign, db-skip-locked\" default=\"handlers\">\n" \
	"        <!-- a comment is no handler -->\n"                                         \
	"        <handler id=\"main_handler0\" tags=\"handlers\"/>\n"                        \
	"        <handler id=\"main_handler1\" tags=\"handlers\">\n"                         \
	"            <plugin id=\"local\"/>\n"                                               \
	"        </handler>\n"                                                               \
	"    </handlers>\n"                                                                  \
	"</job_conf>\n"

Test(handlers_static, xml)
{
	const struct gx_service *svc;

	hl_load(VENV, "config/job_conf.xml", JOB_CONF_XML, NULL);
	hl_assert_loaded();
	cr_assert_str_eq(hl_handlers(), "main_handler0 main_handler1");
	svc = hl_svc("main_handler1");
	cr_assert_eq(svc->count, 1);
	cr_assert_not(svc->instances);
	cr_assert_str_eq(svc->config_type, "standalone");
	cr_assert_eq(svc->start_timeout, 20);
	cr_assert_eq(svc->stop_timeout, 65);
	cr_assert_str_eq(svc->umask, "022");
	hl_assert_argv(svc, 0, "main_handler1");
	hl_assert_argv(hl_svc("main_handler0"), 0, "main_handler0");
	hl_assert_env(svc, 0, "PYTHONPATH", NULL);
}

Test(handlers_static, xml_with_dynamic_handlers_and_assign_with)
{
	hl_load(VENV "  handlers:\n    dyn:\n      processes: 2\n", "config/job_conf.xml",
		JOB_CONF_XML, NULL);
	hl_assert_loaded();
	cr_assert_str_eq(hl_handlers(), "main_handler0 main_handler1 dyn");
	cr_assert_null(strstr(hl.err, "Dynamic handlers"), "%s", hl.err);
}

Test(handlers_static, xml_without_handlers)
{
	hl_load(VENV, "config/job_conf.xml",
		"<job_conf>\n  <plugins><plugin id=\"local\" type=\"runner\"/></plugins>\n"
		"</job_conf>\n",
		NULL);
	hl_assert_loaded();
	cr_assert_str_eq(hl_handlers(), "");
}

Test(handlers_static, xml_empty_handlers_still_assigns)
{
	hl_load(VENV "  handlers:\n    handler: {}\n", "config/job_conf.xml",
		"<job_conf>\n  <handlers assign_with=\"db-skip-locked\"/>\n</job_conf>\n", NULL);
	hl_assert_loaded();
	cr_assert_str_eq(hl_handlers(), "handler");
	cr_assert_null(strstr(hl.err, "Dynamic handlers"), "%s", hl.err);
}

Test(handlers_static, xml_nested_handlers_do_not_count)
{
	hl_load(VENV, "config/job_conf.xml",
		"<job_conf>\n  <tools>\n    <handlers><handler id=\"no\"/></handlers>\n"
		"  </tools>\n</job_conf>\n",
		NULL);
	hl_assert_loaded();
	cr_assert_str_eq(hl_handlers(), "");
}

Test(handlers_static, xml_handler_without_id_is_an_error)
{
	hl_load(VENV, "config/job_conf.xml",
		"<job_conf>\n  <handlers>\n    <handler id=\"a\"/>\n    <handler/>\n"
		"  </handlers>\n</job_conf>\n",
		NULL);
	cr_assert_neq(hl.r, 0);
	cr_assert(strstr(hl.diag, "job_conf.xml:4"), "%s", hl.diag);
	cr_assert(strstr(hl.diag, "<handler> in <handlers> has no id attribute"), "%s", hl.diag);
}

Test(handlers_static, xml_syntax_error)
{
	hl_load(VENV, "config/job_conf.xml", "<job_conf>\n  <handlers>\n</job_conf>\n", NULL);
	cr_assert_neq(hl.r, 0);
	cr_assert(strstr(hl.diag, "Failed to parse job config file"), "%s", hl.diag);
	cr_assert(strstr(hl.diag, "job_conf.xml:4: error: Failed to parse job config file "), "%s",
		  hl.diag);
}

Test(handlers_static, xml_duplicate_id_warns)
{
	hl_load(VENV, "config/job_conf.xml",
		"<job_conf><handlers><handler id=\"a\"/><handler id=\"a\"/></handlers></job_conf>",
		NULL);
	hl_assert_loaded();
	cr_assert_str_eq(hl_handlers(), "a");
	cr_assert(strstr(hl.err, "Duplicate handler id in job config"), "%s", hl.err);
}

#define JOB_CONF_YML                                  \
	"runners:\n"                                      \
	"  local:\n"                                      \
	"    load: galaxy.jobs.runners.local:LocalJobRunner\n" \
	"handling:\n"                                     \
	"  assign: [db-skip-locked]\n"                    \
	"  processes:\n"                                  \
	"    handler0:\n"                                 \
	"      environment:\n"                            \
	"        FOO: bar\n"                              \
	"        NUM: 12\n"                               \
	"        EMPTY:\n"                                \
	"    handler1:\n"                                 \
	"    handler2: {environment: ~}\n"

Test(handlers_static, yaml_with_environment)
{
	const struct gx_service *svc;

	hl_load(VENV, "config/job_conf.yml", JOB_CONF_YML, NULL);
	hl_assert_loaded();
	cr_assert_str_eq(hl_handlers(), "handler0 handler1 handler2");
	svc = hl_svc("handler0");
	cr_assert_eq(svc->count, 1);
	cr_assert_not(svc->instances);
	cr_assert_eq(svc->start_timeout, 20);
	cr_assert_eq(svc->stop_timeout, 65);
	hl_assert_argv(svc, 0, "handler0");
	hl_assert_env(svc, 0, "FOO", "bar");
	hl_assert_env(svc, 0, "NUM", "12");
	hl_assert_env(svc, 0, "EMPTY", "");
	hl_assert_env(svc, 0, "GALAXY_CONFIG_FILE", NULL);
	hl_assert_env(hl_svc("handler1"), 0, "FOO", NULL);
	hl_assert_argv(hl_svc("handler2"), 0, "handler2");
}

/* As upstream: the job config's variables are the handler's environment: option, after VIRTUAL_ENV. */
Test(handlers_static, yaml_environment_comes_after_virtual_env)
{
	const struct gx_service *svc;
	char *path = NULL;

	hl_load(VENV, "config/job_conf.yml",
		"handling:\n  processes:\n    h:\n      environment:\n"
		"        VIRTUAL_ENV: /other\n        PATH: /opt/bin\n",
		NULL);
	hl_assert_loaded();
	svc = hl_svc("h");
	hl_assert_env(svc, 0, "VIRTUAL_ENV", "/other");
	cr_assert_geq(asprintf(&path, "%s/venv/bin:/opt/bin", hl.t.root), 0);
	hl_assert_env(svc, 0, "PATH", path);
	free(path);
}

Test(handlers_static, yaml_aliases_and_yaml_extension)
{
	hl_load(VENV "galaxy:\n  job_config_file: jobs.yaml\n", "config/jobs.yaml",
		"env: &e {FOO: shared}\nhandling:\n  processes:\n    a: {environment: *e}\n"
		"    b: {environment: *e}\n",
		NULL);
	hl_assert_loaded();
	hl_assert_env(hl_svc("a"), 0, "FOO", "shared");
	hl_assert_env(hl_svc("b"), 0, "FOO", "shared");
}

Test(handlers_static, yaml_without_handlers)
{
	hl_load(VENV, "config/job_conf.yml",
		"runners:\n  local:\n    load: galaxy.jobs.runners.local:LocalJobRunner\n", NULL);
	hl_assert_loaded();
	cr_assert_str_eq(hl_handlers(), "");
}

Test(handlers_static, yaml_empty_file)
{
	hl_load(VENV, "config/job_conf.yml", "", NULL);
	hl_assert_loaded();
	cr_assert_str_eq(hl_handlers(), "");
}

Test(handlers_static, yaml_handling_not_a_mapping)
{
	hl_load(VENV, "config/job_conf.yml", "handling:\n  - a\n", NULL);
	cr_assert_neq(hl.r, 0);
	cr_assert(strstr(hl.diag, "job_conf.yml:2:3"), "%s", hl.diag);
	cr_assert(strstr(hl.diag, "handling: expected a mapping"), "%s", hl.diag);
}

Test(handlers_static, yaml_syntax_error)
{
	hl_load(VENV, "config/job_conf.yml", "handling: [\n", NULL);
	cr_assert_neq(hl.r, 0);
	cr_assert(strstr(hl.diag, "Failed to parse job config file"), "%s", hl.diag);
}

Test(handlers_static, yml_is_preferred_over_xml)
{
	hl_load(VENV, "config/job_conf.yml", "handling:\n  processes:\n    from_yml: {}\n",
		"config/job_conf.xml", JOB_CONF_XML, NULL);
	hl_assert_loaded();
	cr_assert_str_eq(hl_handlers(), "from_yml");
}

Test(handlers_static, inline_job_config)
{
	const struct gx_service *svc;

	hl_load(VENV "galaxy:\n  job_config:\n    handling:\n      assign: [db-skip-locked]\n"
		     "      processes:\n        inline0:\n          environment: {X: y}\n",
		"config/job_conf.yml", "handling:\n  processes:\n    from_file: {}\n", NULL);
	hl_assert_loaded();
	cr_assert_str_eq(hl_handlers(), "inline0");
	svc = hl_svc("inline0");
	hl_assert_argv(svc, 0, "inline0");
	hl_assert_env(svc, 0, "X", "y");
}

Test(handlers_static, job_config_file_wins_over_inline)
{
	hl_load(VENV "galaxy:\n  job_config_file: jobs/my_jobs.yml\n  job_config:\n"
		     "    handling:\n      processes:\n        inline0: {}\n",
		"config/jobs/my_jobs.yml", "handling:\n  processes:\n    from_file: {}\n", NULL);
	hl_assert_loaded();
	cr_assert_str_eq(hl_handlers(), "from_file");
}

Test(handlers_static, job_config_file_relative_to_galaxy_config)
{
	hl_load(VENV "galaxy:\n  job_config_file: ../elsewhere/jobs.xml\n", "elsewhere/jobs.xml",
		JOB_CONF_XML, NULL);
	hl_assert_loaded();
	cr_assert_str_eq(hl_handlers(), "main_handler0 main_handler1");
}

Test(handlers_static, job_config_file_absolute)
{
	hl_load(VENV "galaxy:\n  job_config_file: @ROOT@/jobs.yml\n", "jobs.yml",
		"handling:\n  processes:\n    abs0:\n", NULL);
	hl_assert_loaded();
	cr_assert_str_eq(hl_handlers(), "abs0");
}

/* An error at the option's value, "<config>:4:20: error: ...", the path resolved. */
static void hl_assert_missing_job_config_file(const char *resolved)
{
	char *want = NULL;

	cr_assert_neq(hl.r, 0, "missing job_config_file accepted: %s", hl.err);
	cr_assert_geq(asprintf(&want, "%s:4:20: error: galaxy.job_config_file: %s does not exist",
			       hl.t.config, resolved),
		      0);
	cr_assert(strstr(hl.diag, want), "'%s' not in: %s", want, hl.diag);
	cr_assert_eq(hl.t.insts.n, 0);
	free(want);
}

Test(handlers_static, missing_job_config_file_is_an_error)
{
	char *resolved = NULL;

	hl_load(VENV "galaxy:\n  job_config_file: nothere.yml\n", "config/job_conf.yml",
		"handling:\n  processes:\n    not_used: {}\n", NULL);
	cr_assert_geq(asprintf(&resolved, "%s/config/nothere.yml", hl.t.root), 0);
	hl_assert_missing_job_config_file(resolved);
	free(resolved);
}

Test(handlers_static, missing_absolute_job_config_file_is_an_error)
{
	hl_load(VENV "galaxy:\n  job_config_file: /nonexistent/job_conf.xml\n", NULL);
	hl_assert_missing_job_config_file("/nonexistent/job_conf.xml");
}

Test(handlers_static, missing_default_job_conf_is_silent)
{
	hl_load(VENV "galaxy:\n  job_config_file: ~\n", NULL);
	hl_assert_loaded();
	cr_assert_str_eq(hl_handlers(), "");
	cr_assert_str_eq(hl.err, "");
	cr_assert_str_eq(hl.diag, "");
}

Test(handlers_static, unknown_extension_is_an_error)
{
	char *want = NULL;

	hl_load(VENV "galaxy:\n  job_config_file: job_conf.txt\n", "config/job_conf.txt",
		"handling: {}\n", NULL);
	cr_assert_neq(hl.r, 0);
	cr_assert_geq(asprintf(&want, "Unknown job config file type: %s/config/job_conf.txt",
			       hl.t.root),
		      0);
	cr_assert(strstr(hl.diag, want), "%s", hl.diag);
	free(want);
}

Test(handlers_static, gravity_only_config_finds_job_conf_beside_galaxy_config)
{
	/* galaxy.yml here is a gravity-only file pointing at another galaxy config. */
	hl_load(VENV "  galaxy_root: @ROOT@\n  galaxy_config_file: sub/galaxy.yml\n",
		"config/sub/galaxy.yml",
		"galaxy:\n  job_config_file: job_conf.xml\n", "config/sub/job_conf.xml",
		JOB_CONF_XML, NULL);
	hl_assert_loaded();
	cr_assert_str_eq(hl_handlers(), "main_handler0 main_handler1");
}

Test(handlers_static, static_and_dynamic_name_clash)
{
	hl_load(VENV "  handlers:\n    handler0: {}\n", "config/job_conf.yml",
		"handling:\n  assign: [db-skip-locked]\n  processes:\n    handler0:\n"
		"      environment: {FROM: static}\n",
		NULL);
	hl_assert_loaded();
	cr_assert_str_eq(hl_handlers(), "handler0");
	hl_assert_env(hl_svc("handler0"), 0, "FROM", "static");
	cr_assert(strstr(hl.err, "Handler handler0 is defined both in the job config"), "%s",
		  hl.err);
}

/* ---------------------------------------------------------------------- */
/* The dynamic-handler assignment warning */

Test(handlers_assign, warns_without_job_config)
{
	hl_load(VENV "  handlers:\n    handler: {}\n", NULL);
	hl_assert_loaded();
	cr_assert(strstr(hl.err, "galaxyctl: warning: " ASSIGN_WARNING "\n"), "%s", hl.err);
}

Test(handlers_assign, warns_with_other_methods)
{
	hl_load(VENV "  handlers:\n    handler: {}\n", "config/job_conf.yml",
		"handling:\n  assign: [db-preassign, mem-self]\n", NULL);
	hl_assert_loaded();
	cr_assert(strstr(hl.err, ASSIGN_WARNING), "%s", hl.err);
}

Test(handlers_assign, warns_with_xml_other_method)
{
	hl_load(VENV "  handlers:\n    handler: {}\n", "config/job_conf.xml",
		"<job_conf><handlers assign_with=\"db-self\"><handler id=\"x\"/></handlers>"
		"</job_conf>",
		NULL);
	hl_assert_loaded();
	cr_assert(strstr(hl.err, ASSIGN_WARNING), "%s", hl.err);
}

Test(handlers_assign, quiet_with_db_skip_locked)
{
	hl_load(VENV "  handlers:\n    handler: {}\n", "config/job_conf.yml",
		"handling:\n  assign:\n    - db-skip-locked\n", NULL);
	hl_assert_loaded();
	cr_assert_null(strstr(hl.err, "Dynamic handlers"), "%s", hl.err);
}

Test(handlers_assign, quiet_with_db_transaction_isolation_in_xml)
{
	hl_load(VENV "  handlers:\n    handler: {}\n", "config/job_conf.xml",
		"<job_conf><handlers assign_with=\" mem-self , db-transaction-isolation \">"
		"<handler id=\"x\"/></handlers></job_conf>",
		NULL);
	hl_assert_loaded();
	cr_assert_null(strstr(hl.err, "Dynamic handlers"), "%s", hl.err);
}

Test(handlers_assign, quiet_with_inline_assign_string)
{
	hl_load(VENV "  handlers:\n    handler: {}\ngalaxy:\n  job_config:\n    handling:\n"
		     "      assign: db-transaction-isolation\n",
		NULL);
	hl_assert_loaded();
	cr_assert_null(strstr(hl.err, "Dynamic handlers"), "%s", hl.err);
}

Test(handlers_assign, quiet_without_dynamic_handlers)
{
	hl_load(VENV, "config/job_conf.xml", JOB_CONF_XML, NULL);
	hl_assert_loaded();
	cr_assert_null(strstr(hl.err, "Dynamic handlers"), "%s", hl.err);
}

/* Load yaml with a FIFO at root/rel: the job config must be refused, not waited on. */
static void hl_load_with_fifo(const char *yaml, const char *rel)
{
	char path[1024];

	gx_test_prepare(&hl.t);
	snprintf(path, sizeof(path), "%s/%s", hl.t.root, rel);
	cr_assert_eq(mkfifo(path, 0600), 0, "mkfifo %s: %s", path, strerror(errno));
	hl.err = hl_capture_load(yaml);
	hl.diag = gx_test_diag_text(&hl.t);
}

Test(handlers_static, job_conf_yml_fifo_is_refused)
{
	hl_load_with_fifo(VENV, "config/job_conf.yml");
	cr_assert_neq(hl.r, 0);
	cr_assert(strstr(hl.diag, "job_conf.yml: it is a FIFO, not a regular file"), "%s", hl.diag);
}

Test(handlers_static, job_conf_xml_fifo_is_refused)
{
	hl_load_with_fifo(VENV, "config/job_conf.xml");
	cr_assert_neq(hl.r, 0);
	cr_assert(strstr(hl.diag, "job_conf.xml: it is a FIFO, not a regular file"), "%s", hl.diag);
}
