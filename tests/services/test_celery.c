/* SPDX-License-Identifier: MIT */
/* Tests of services/celery.c: the celery and celery-beat types through the real core. */
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

TestSuite(celery, .fini = teardown);

/* Load yaml and insist that it loads cleanly, showing the diagnostics if not. */
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

/* Load yaml, expect it to fail, and expect the diagnostics to hold line (file path prefixed). */
static void load_fails_with(const char *line)
{
	char *diag = gx_test_diag_text(&t);
	char *want = NULL;

	cr_assert_geq(asprintf(&want, "galaxyctl: %s:%s\n", t.config, line), 0);
	cr_expect(strstr(diag, want) != NULL, "expected\n  %s\nin\n%s", want, diag);
	free(want);
	free(diag);
}

static void expect_argv(const char *name, unsigned process, const char *expected)
{
	const struct gx_service *svc = gx_test_service(&t, NULL, name);
	char *rooted, *want, *got;

	cr_assert_not_null(svc, "no service %s", name);
	/* expected may hold @ROOT@ for the root and @STATE@ for the state dir. */
	rooted = gx_test_subst(expected, "@ROOT@", t.root);
	want = gx_test_subst(rooted, "@STATE@", svc->instance->state_dir);
	free(rooted);
	got = gx_test_argv(&t, svc, process);
	cr_expect_str_eq(got ? got : "(null)", want);
	free(got);
	free(want);
}

static void expect_env(const char *name, const char *var, const char *value)
{
	const struct gx_service *svc = gx_test_service(&t, NULL, name);
	char *got;

	cr_assert_not_null(svc, "no service %s", name);
	got = gx_test_env(&t, svc, 0, var);
	if (!value)
		cr_expect_null(got, "%s=%s in %s's environment", var, got, name);
	else
		cr_expect_str_eq(got ? got : "(unset)", value, "%s of %s", var, name);
	free(got);
}

Test(celery, defaults_give_both_services_with_upstream_commands)
{
	const struct gx_service *worker, *beat;
	char *state = NULL;

	load_ok("gravity:\n"
		"  virtualenv: @ROOT@/venv\n"
		"galaxy:\n"
		"  brand: test\n");
	worker = gx_test_service(&t, NULL, "celery");
	beat = gx_test_service(&t, NULL, "celery-beat");
	cr_assert_not_null(worker);
	cr_assert_not_null(beat);
	cr_expect_eq(worker->count, 1);
	cr_expect_eq(beat->count, 1);
	cr_expect_not(worker->instances);
	cr_expect_not(beat->instances);
	cr_expect_str_eq(worker->config_type, "celery");
	cr_expect_str_eq(beat->config_type, "celery-beat");
	cr_expect_eq(worker->start_timeout, 10);
	cr_expect_eq(worker->stop_timeout, 10);
	cr_expect_eq(beat->start_timeout, 10);
	cr_expect_eq(beat->stop_timeout, 10);
	expect_argv("celery", 0,
		    "@ROOT@/venv/bin/celery --app galaxy.celery worker --concurrency 2 --loglevel DEBUG "
		    "--pool threads --queues celery,galaxy.internal,galaxy.external");
	expect_argv("celery-beat", 0,
		    "@ROOT@/venv/bin/celery --app galaxy.celery beat --loglevel DEBUG "
		    "--schedule @STATE@/celerybeat-schedule");
	cr_assert_geq(asprintf(&state, "%s/database/gravity", t.root), 0);
	cr_expect_str_eq(beat->instance->state_dir, state);
	free(state);
}

Test(celery, environment_is_galaxys)
{
	char *venv_path = NULL;

	load_ok("gravity:\n"
		"  virtualenv: @ROOT@/venv\n"
		"galaxy:\n"
		"  brand: test\n");
	for (int i = 0; i < 2; i++) {
		const char *name = i ? "celery-beat" : "celery";
		char *venv = NULL, *path;

		expect_env(name, "PYTHONPATH", "lib");
		expect_env(name, "GALAXY_CONFIG_FILE", t.config);
		cr_assert_geq(asprintf(&venv, "%s/venv", t.root), 0);
		expect_env(name, "VIRTUAL_ENV", venv);
		path = gx_test_env(&t, gx_test_service(&t, NULL, name), 0, "PATH");
		cr_assert_geq(asprintf(&venv_path, "%s/venv/bin:", t.root), 0);
		cr_expect(path && strncmp(path, venv_path, strlen(venv_path)) == 0, "PATH=%s", path);
		expect_env(name, "npm_config_yes", NULL);
		free(path);
		free(venv);
		free(venv_path);
	}
}

Test(celery, user_environment_wins)
{
	load_ok("gravity:\n"
		"  virtualenv: @ROOT@/venv\n"
		"  celery:\n"
		"    environment:\n"
		"      PYTHONPATH: /opt/lib\n"
		"      EXTRA: 'a b'\n"
		"galaxy:\n"
		"  brand: test\n");
	expect_env("celery", "PYTHONPATH", "/opt/lib");
	expect_env("celery-beat", "PYTHONPATH", "/opt/lib");
	expect_env("celery", "EXTRA", "a b");
	expect_env("celery", "GALAXY_CONFIG_FILE", t.config);
}

Test(celery, non_default_settings)
{
	const struct gx_service *worker;

	load_ok("gravity:\n"
		"  virtualenv: @ROOT@/venv\n"
		"  umask: '027'\n"
		"  celery:\n"
		"    concurrency: 0\n"
		"    loglevel: ERROR\n"
		"    pool: solo\n"
		"    queues: celery,galaxy.internal\n"
		"    extra_args: --without-heartbeat -O fair --hostname 'w 1@%h'\n"
		"    umask: '077'\n"
		"    start_timeout: 30\n"
		"    stop_timeout: 40\n"
		"    memory_limit: 2\n"
		"galaxy:\n"
		"  brand: test\n");
	expect_argv("celery", 0,
		    "@ROOT@/venv/bin/celery --app galaxy.celery worker --concurrency 0 --loglevel ERROR "
		    "--pool solo --queues celery,galaxy.internal --without-heartbeat -O fair "
		    "--hostname w 1@%h");
	/* beat takes only loglevel; extra_args are the worker's. */
	expect_argv("celery-beat", 0,
		    "@ROOT@/venv/bin/celery --app galaxy.celery beat --loglevel ERROR "
		    "--schedule @STATE@/celerybeat-schedule");
	worker = gx_test_service(&t, NULL, "celery");
	cr_expect_str_eq(worker->umask, "077");
	cr_expect_eq(worker->start_timeout, 30);
	cr_expect_eq(worker->stop_timeout, 40);
	cr_expect_float_eq(worker->memory_limit, 2.0, 1e-9);
}

Test(celery, extra_args_keep_quoted_words_whole)
{
	struct gx_strv argv = { 0 };
	struct gx_error err = { 0 };
	const struct gx_service *svc;

	load_ok("gravity:\n"
		"  celery:\n"
		"    extra_args: \"-n 'a b' \\\"c d\\\" e\\\\ f\"\n"
		"galaxy:\n"
		"  brand: test\n");
	svc = gx_test_service(&t, NULL, "celery");
	cr_assert_not_null(svc);
	cr_assert_eq(t.host->service_argv(svc, 0, &argv, &err), 0, "%s", err.message);
	cr_assert_eq(argv.n, 16);
	cr_expect_str_eq(argv.v[12], "-n");
	cr_expect_str_eq(argv.v[13], "a b");
	cr_expect_str_eq(argv.v[14], "c d");
	cr_expect_str_eq(argv.v[15], "e f");
	t.host->strv_release(&argv);
}

Test(celery, without_virtualenv_celery_comes_from_path)
{
	load_ok("gravity:\n"
		"  celery:\n"
		"    loglevel: INFO\n"
		"galaxy:\n"
		"  brand: test\n");
	expect_argv("celery", 0,
		    "celery --app galaxy.celery worker --concurrency 2 --loglevel INFO "
		    "--pool threads --queues celery,galaxy.internal,galaxy.external");
	expect_argv("celery-beat", 0,
		    "celery --app galaxy.celery beat --loglevel INFO "
		    "--schedule @STATE@/celerybeat-schedule");
	expect_env("celery", "VIRTUAL_ENV", NULL);
	expect_env("celery", "PYTHONPATH", "lib");
}

Test(celery, schedule_follows_the_state_dir)
{
	load_ok("gravity:\n"
		"  virtualenv: @ROOT@/venv\n"
		"galaxy:\n"
		"  data_dir: @ROOT@/data\n");
	expect_argv("celery-beat", 0,
		    "@ROOT@/venv/bin/celery --app galaxy.celery beat --loglevel DEBUG "
		    "--schedule @ROOT@/data/gravity/celerybeat-schedule");
}

Test(celery, enable_only)
{
	load_ok("gravity:\n"
		"  celery:\n"
		"    enable: true\n"
		"    enable_beat: false\n"
		"galaxy:\n"
		"  brand: test\n");
	cr_expect_not_null(gx_test_service(&t, NULL, "celery"));
	cr_expect_null(gx_test_service(&t, NULL, "celery-beat"));
}

Test(celery, beat_only)
{
	load_ok("gravity:\n"
		"  celery:\n"
		"    enable: false\n"
		"    enable_beat: true\n"
		"galaxy:\n"
		"  brand: test\n");
	cr_expect_null(gx_test_service(&t, NULL, "celery"));
	cr_expect_not_null(gx_test_service(&t, NULL, "celery-beat"));
}

Test(celery, neither)
{
	load_ok("gravity:\n"
		"  celery:\n"
		"    enable: no\n"
		"    enable_beat: off\n"
		"galaxy:\n"
		"  brand: test\n");
	cr_expect_null(gx_test_service(&t, NULL, "celery"));
	cr_expect_null(gx_test_service(&t, NULL, "celery-beat"));
}

Test(celery, null_section_means_defaults)
{
	load_ok("gravity:\n"
		"  celery:\n"
		"galaxy:\n"
		"  brand: test\n");
	cr_expect_not_null(gx_test_service(&t, NULL, "celery"));
	cr_expect_not_null(gx_test_service(&t, NULL, "celery-beat"));
}

Test(celery, graceful_is_the_default_restart)
{
	load_ok("gravity:\n"
		"  celery: {}\n"
		"galaxy:\n"
		"  brand: test\n");
	for (int i = 0; i < 2; i++) {
		const struct gx_service *svc = gx_test_service(&t, NULL, i ? "celery-beat" : "celery");

		cr_assert_not_null(svc);
		cr_expect(!svc->type->graceful ||
			  svc->type->graceful(t.host, svc) == GX_GRACEFUL_DEFAULT);
		cr_expect_null(svc->type->ready);
	}
}

Test(celery, both_types_read_section_celery_with_one_table)
{
	const struct gx_service *worker, *beat;

	load_ok("gravity:\n"
		"  celery: {enable: true}\n"
		"galaxy:\n"
		"  brand: test\n");
	worker = gx_test_service(&t, NULL, "celery");
	beat = gx_test_service(&t, NULL, "celery-beat");
	cr_assert_not_null(worker);
	cr_assert_not_null(beat);
	cr_expect_str_eq(worker->type->section, "celery");
	cr_expect_str_eq(beat->type->section, "celery");
	cr_expect_eq(worker->type->options, beat->type->options);
	cr_expect_eq(worker->settings[0], beat->settings[0]);
}

Test(celery, loglevel_must_be_one_of_the_levels)
{
	cr_assert_eq(gx_test_load(&t, "gravity:\n"
				      "  celery:\n"
				      "    loglevel: debug\n"
				      "galaxy:\n"
				      "  brand: test\n"),
		     -EINVAL);
	load_fails_with("3:15: error: gravity.celery.loglevel: 'debug' is not one of: "
			"DEBUG, INFO, WARNING, ERROR");
}

Test(celery, pool_must_be_one_of_the_pools)
{
	cr_assert_eq(gx_test_load(&t, "gravity:\n"
				      "  celery:\n"
				      "    enable_beat: false\n"
				      "    pool: fork\n"
				      "galaxy:\n"
				      "  brand: test\n"),
		     -EINVAL);
	load_fails_with("4:11: error: gravity.celery.pool: 'fork' is not one of: "
			"prefork, eventlet, gevent, solo, processes, threads");
}

Test(celery, pool_must_be_a_string)
{
	cr_assert_eq(gx_test_load(&t, "gravity:\n"
				      "  celery:\n"
				      "    pool: [solo]\n"
				      "galaxy:\n"
				      "  brand: test\n"),
		     -EINVAL);
	load_fails_with("3:11: error: gravity.celery.pool: expected one of: "
			"prefork, eventlet, gevent, solo, processes, threads, got a sequence");
}

Test(celery, concurrency_is_at_least_zero)
{
	cr_assert_eq(gx_test_load(&t, "gravity:\n"
				      "  celery:\n"
				      "    concurrency: -1\n"
				      "galaxy:\n"
				      "  brand: test\n"),
		     -EINVAL);
	load_fails_with("3:18: error: gravity.celery.concurrency: -1 is out of range (minimum 0)");
}

/* How many services of the instance come from gravity.celery (workers and beat). */
static size_t celery_services(void)
{
	const struct gx_instance *inst = t.insts.v[0];
	size_t n = 0;

	for (size_t i = 0; i < inst->n_services; i++)
		n += strcmp(inst->services[i]->type->section, "celery") == 0;
	return n;
}

/* Load yaml, which must fail with -EINVAL and the diagnostic line (after the config's path). */
static void load_rejects(const char *yaml, const char *line)
{
	cr_assert_eq(gx_test_load(&t, yaml), -EINVAL);
	load_fails_with(line);
}

Test(celery, a_list_gives_a_worker_per_entry_and_one_beat)
{
	const struct gx_service *w0, *w1, *beat;

	load_ok("gravity:\n"
		"  virtualenv: @ROOT@/venv\n"
		"  celery:\n"
		"    - queues: galaxy.internal\n"
		"      concurrency: 4\n"
		"      pool: solo\n"
		"      memory_limit: 2\n"
		"      environment: {WHO: internal}\n"
		"    - queues: galaxy.external\n"
		"      loglevel: INFO\n"
		"      extra_args: -O fair\n"
		"      enable_beat: false\n"
		"      environment: {WHO: external}\n"
		"galaxy:\n"
		"  brand: test\n");
	w0 = gx_test_service(&t, NULL, "celery0");
	w1 = gx_test_service(&t, NULL, "celery1");
	beat = gx_test_service(&t, NULL, "celery-beat");
	cr_assert_not_null(w0);
	cr_assert_not_null(w1);
	cr_assert_not_null(beat);
	cr_expect_null(gx_test_service(&t, NULL, "celery"));
	cr_expect_eq(celery_services(), 3);
	/* Never one templated service, even with use_service_instances (the default). */
	cr_expect_eq(w0->count, 1);
	cr_expect_not(w0->instances);
	cr_expect_str_eq(w0->config_type, "celery");
	expect_argv("celery0", 0,
		    "@ROOT@/venv/bin/celery --app galaxy.celery worker --concurrency 4 --loglevel DEBUG "
		    "--pool solo --queues galaxy.internal --hostname celery0@%h");
	expect_argv("celery1", 0,
		    "@ROOT@/venv/bin/celery --app galaxy.celery worker --concurrency 2 --loglevel INFO "
		    "--pool threads --queues galaxy.external --hostname celery1@%h -O fair");
	expect_env("celery0", "WHO", "internal");
	expect_env("celery1", "WHO", "external");
	cr_expect_float_eq(w0->memory_limit, 2.0, 1e-9);
	cr_expect_float_eq(w1->memory_limit, 0.0, 1e-9);
	/* Beat comes from the first entry: its loglevel, environment and memory limit. */
	cr_expect_eq(beat->settings[0], w0->settings[0]);
	expect_argv("celery-beat", 0,
		    "@ROOT@/venv/bin/celery --app galaxy.celery beat --loglevel DEBUG "
		    "--schedule @STATE@/celerybeat-schedule");
	expect_env("celery-beat", "WHO", "internal");
}

Test(celery, a_named_entry_gives_its_name_and_hostname)
{
	load_ok("gravity:\n"
		"  celery:\n"
		"    - name: galaxy.internal\n"
		"      queues: galaxy.internal\n"
		"    - name: ext-1\n"
		"      queues: galaxy.external\n"
		"galaxy:\n"
		"  brand: test\n");
	cr_expect_not_null(gx_test_service(&t, NULL, "galaxy.internal"));
	cr_expect_null(gx_test_service(&t, NULL, "celery0"));
	expect_argv("ext-1", 0,
		    "celery --app galaxy.celery worker --concurrency 2 --loglevel DEBUG "
		    "--pool threads --queues galaxy.external --hostname ext-1@%h");
}

Test(celery, an_entry_named_celery_keeps_celerys_own_default_hostname)
{
	load_ok("gravity:\n"
		"  celery:\n"
		"    - name: celery\n"
		"    - queues: galaxy.external\n"
		"      enable_beat: false\n"
		"galaxy:\n"
		"  brand: test\n");
	expect_argv("celery", 0,
		    "celery --app galaxy.celery worker --concurrency 2 --loglevel DEBUG "
		    "--pool threads --queues celery,galaxy.internal,galaxy.external");
	expect_argv("celery1", 0,
		    "celery --app galaxy.celery worker --concurrency 2 --loglevel DEBUG "
		    "--pool threads --queues galaxy.external --hostname celery1@%h");
}

Test(celery, a_single_mapping_keeps_its_names_and_command_line)
{
	load_ok("gravity:\n"
		"  celery:\n"
		"    queues: galaxy.internal\n"
		"galaxy:\n"
		"  brand: test\n");
	cr_expect_eq(celery_services(), 2);
	expect_argv("celery", 0,
		    "celery --app galaxy.celery worker --concurrency 2 --loglevel DEBUG "
		    "--pool threads --queues galaxy.internal");
	cr_expect_not_null(gx_test_service(&t, NULL, "celery-beat"));
}

Test(celery, a_single_mapping_may_name_its_worker)
{
	load_ok("gravity:\n"
		"  celery:\n"
		"    name: worker\n"
		"galaxy:\n"
		"  brand: test\n");
	cr_expect_null(gx_test_service(&t, NULL, "celery"));
	expect_argv("worker", 0,
		    "celery --app galaxy.celery worker --concurrency 2 --loglevel DEBUG "
		    "--pool threads --queues celery,galaxy.internal,galaxy.external "
		    "--hostname worker@%h");
	cr_expect_not_null(gx_test_service(&t, NULL, "celery-beat"));
}

Test(celery, disabled_entries_keep_the_index_of_the_others)
{
	load_ok("gravity:\n"
		"  celery:\n"
		"    - enable: false\n"
		"      enable_beat: false\n"
		"    - enable: false\n"
		"    - queues: c\n"
		"galaxy:\n"
		"  brand: test\n");
	cr_expect_null(gx_test_service(&t, NULL, "celery0"));
	cr_expect_null(gx_test_service(&t, NULL, "celery1"));
	cr_expect_not_null(gx_test_service(&t, NULL, "celery2"));
	/* Beat from the first entry that has it on: the second (enable: false is the worker's). */
	cr_assert_not_null(gx_test_service(&t, NULL, "celery-beat"));
	cr_expect_str_eq(t.host->get_str(gx_test_service(&t, NULL, "celery-beat")->settings[0],
					 "queues"),
			 "celery,galaxy.internal,galaxy.external");
	cr_expect_eq(celery_services(), 2);
}

Test(celery, beat_comes_from_the_first_entry_that_has_it_on)
{
	const struct gx_service *beat;

	load_ok("gravity:\n"
		"  celery:\n"
		"    - enable_beat: false\n"
		"    - loglevel: WARNING\n"
		"    - loglevel: ERROR\n"
		"galaxy:\n"
		"  brand: test\n");
	beat = gx_test_service(&t, NULL, "celery-beat");
	cr_assert_not_null(beat);
	cr_expect_eq(beat->settings[0], gx_test_service(&t, NULL, "celery1")->settings[0]);
	expect_argv("celery-beat", 0,
		    "celery --app galaxy.celery beat --loglevel WARNING "
		    "--schedule @STATE@/celerybeat-schedule");
}

Test(celery, no_beat_when_no_entry_has_it_on)
{
	load_ok("gravity:\n"
		"  celery:\n"
		"    - enable_beat: false\n"
		"    - enable_beat: false\n"
		"galaxy:\n"
		"  brand: test\n");
	cr_expect_null(gx_test_service(&t, NULL, "celery-beat"));
	cr_expect_eq(celery_services(), 2);
}

Test(celery, two_beats_are_an_error_at_the_second)
{
	load_rejects("gravity:\n"
		     "  celery:\n"
		     "    - enable_beat: true\n"
		     "      queues: a\n"
		     "    - queues: b\n"
		     "      enable_beat: yes\n"
		     "galaxy:\n"
		     "  brand: test\n",
		     "6:20: error: gravity.celery[1].enable_beat: celery beat already runs from "
		     "gravity.celery[0]; only one entry may run it");
}

Test(celery, a_second_beat_beside_the_first_entrys_default_is_an_error)
{
	load_rejects("gravity:\n"
		     "  celery:\n"
		     "    - queues: a\n"
		     "    - enable_beat: false\n"
		     "    - enable_beat: true\n"
		     "galaxy:\n"
		     "  brand: test\n",
		     "5:20: error: gravity.celery[2].enable_beat: celery beat already runs from "
		     "gravity.celery[0] (enable_beat is true by default); only one entry may run it");
}

Test(celery, a_bad_name_is_an_error_at_the_name)
{
	load_rejects("gravity:\n"
		     "  celery:\n"
		     "    - queues: a\n"
		     "    - queues: b\n"
		     "      name: 'ext/1'\n"
		     "galaxy:\n"
		     "  brand: test\n",
		     "5:13: error: gravity.celery: service name \"ext/1\" may hold only letters, "
		     "digits, '_', '-' and '.'");
}

Test(celery, a_name_may_not_start_with_a_dot)
{
	load_rejects("gravity:\n"
		     "  celery:\n"
		     "    name: .hidden\n"
		     "galaxy:\n"
		     "  brand: test\n",
		     "3:11: error: gravity.celery: service name \".hidden\" may not start with "
		     "'-' or '.'");
}

Test(celery, two_entries_may_not_share_a_name)
{
	load_rejects("gravity:\n"
		     "  celery:\n"
		     "    - name: w\n"
		     "    - name: w\n"
		     "      enable_beat: false\n"
		     "galaxy:\n"
		     "  brand: test\n",
		     "4:13: error: gravity.celery: service name \"w\" is already used by a celery "
		     "service");
}

Test(celery, a_name_may_not_be_another_entrys_default)
{
	load_rejects("gravity:\n"
		     "  celery:\n"
		     "    - queues: a\n"
		     "    - name: celery0\n"
		     "      enable_beat: false\n"
		     "galaxy:\n"
		     "  brand: test\n",
		     "4:13: error: gravity.celery: service name \"celery0\" is already used by a celery "
		     "service");
}

Test(celery, a_worker_may_not_be_called_celery_beat)
{
	load_rejects("gravity:\n"
		     "  celery:\n"
		     "    - name: celery-beat\n"
		     "galaxy:\n"
		     "  brand: test\n",
		     "3:13: error: gravity.celery: service name \"celery-beat\" is already used by a "
		     "celery service");
}

Test(celery, list_entries_are_validated_at_their_place)
{
	load_rejects("gravity:\n"
		     "  celery:\n"
		     "    - queues: a\n"
		     "    - pool: fork\n"
		     "galaxy:\n"
		     "  brand: test\n",
		     "4:13: error: gravity.celery[1].pool: 'fork' is not one of: "
		     "prefork, eventlet, gevent, solo, processes, threads");
}

Test(celery, a_list_item_must_be_a_mapping)
{
	cr_assert_eq(gx_test_load(&t, "gravity:\n"
				      "  celery:\n"
				      "    - queues: a\n"
				      "    - galaxy.external\n"
				      "galaxy:\n"
				      "  brand: test\n"),
		     -EINVAL);
	load_fails_with("4:7: error: gravity.celery[1]: expected a mapping, got 'galaxy.external'");
}

Test(celery, a_scalar_is_not_a_section)
{
	load_rejects("gravity:\n"
		     "  celery: galaxy.internal\n"
		     "galaxy:\n"
		     "  brand: test\n",
		     "2:11: error: gravity.celery: expected a mapping or a list of mappings, got a "
		     "scalar");
}

Test(celery, bad_extra_args_of_an_entry_name_the_entry)
{
	struct gx_strv argv = { 0 };
	struct gx_error err = { 0 };
	const struct gx_service *svc;

	load_ok("gravity:\n"
		"  celery:\n"
		"    - queues: a\n"
		"    - extra_args: \"--foo 'bar\"\n"
		"galaxy:\n"
		"  brand: test\n");
	svc = gx_test_service(&t, NULL, "celery1");
	cr_assert_not_null(svc);
	cr_expect_eq(t.host->service_argv(svc, 0, &argv, &err), -EINVAL);
	cr_expect_str_eq(err.message,
			 "gravity.celery[1].extra_args: unterminated single quote in: --foo 'bar");
	cr_expect_eq(err.line, 4);
	cr_expect_eq(err.column, 19);
	t.host->strv_release(&argv);
}

Test(celery, bad_extra_args_are_reported_at_the_option)
{
	struct gx_strv argv = { 0 };
	struct gx_error err = { 0 };
	const struct gx_service *svc;

	load_ok("gravity:\n"
		"  celery:\n"
		"    extra_args: \"--foo 'bar\"\n"
		"galaxy:\n"
		"  brand: test\n");
	svc = gx_test_service(&t, NULL, "celery");
	cr_assert_not_null(svc);
	cr_expect_eq(t.host->service_argv(svc, 0, &argv, &err), -EINVAL);
	cr_expect_str_eq(err.message,
			 "gravity.celery.extra_args: unterminated single quote in: --foo 'bar");
	cr_expect_str_eq(err.file, t.config);
	cr_expect_eq(err.line, 3);
	cr_expect_eq(err.column, 17);
	t.host->strv_release(&argv);
}
