/* SPDX-License-Identifier: MIT */
/* Tests of services/gx_it_proxy.c: gx-it-proxy and what the galaxy section decides for it. */
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

TestSuite(gx_it_proxy, .fini = teardown);

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

static void expect_diag(const char *line)
{
	char *diag = gx_test_diag_text(&t);
	char *want = NULL;

	cr_assert_geq(asprintf(&want, "galaxyctl: %s:%s\n", t.config, line), 0);
	cr_expect(strstr(diag, want) != NULL, "expected\n  %s\nin\n%s", want, diag);
	free(want);
	free(diag);
}

/* Load an enabled gx-it-proxy with the given galaxy section lines, expect argv (@ROOT@: root). */
static void expect_argv(const char *expected)
{
	const struct gx_service *svc = gx_test_service(&t, NULL, "gx-it-proxy");
	char *want, *got;

	cr_assert_not_null(svc, "no service gx-it-proxy");
	want = gx_test_subst(expected, "@ROOT@", t.root);
	got = gx_test_argv(&t, svc, 0);
	cr_expect_str_eq(got ? got : "(null)", want);
	free(got);
	free(want);
}

static void load_with_galaxy(const char *galaxy_lines)
{
	char *yaml = NULL;

	cr_assert_geq(asprintf(&yaml,
			       "gravity:\n"
			       "  gx_it_proxy:\n"
			       "    enable: true\n"
			       "galaxy:\n"
			       "  interactivetools_enable: true\n"
			       "%s",
			       galaxy_lines),
		      0);
	load_ok(yaml);
	free(yaml);
}

static void expect_galaxy_error(const char *galaxy_lines, const char *line)
{
	char *yaml = NULL;

	cr_assert_geq(asprintf(&yaml,
			       "gravity:\n"
			       "  gx_it_proxy:\n"
			       "    enable: true\n"
			       "galaxy:\n"
			       "  brand: test\n"
			       "%s",
			       galaxy_lines),
		      0);
	cr_expect_eq(gx_test_load(&t, yaml), -EINVAL);
	free(yaml);
	expect_diag(line);
}

Test(gx_it_proxy, disabled_by_default_and_needs_nothing)
{
	load_ok("gravity:\n"
		"  gx_it_proxy:\n"
		"    port: 4100\n"
		"galaxy:\n"
		"  brand: test\n");
	cr_expect_null(gx_test_service(&t, NULL, "gx-it-proxy"));
}

Test(gx_it_proxy, default_command_and_environment)
{
	const struct gx_service *svc;
	char *got, *venv = NULL;

	load_ok("gravity:\n"
		"  virtualenv: @ROOT@/venv\n"
		"  gx_it_proxy:\n"
		"    enable: true\n"
		"galaxy:\n"
		"  interactivetools_enable: true\n");
	svc = gx_test_service(&t, NULL, "gx-it-proxy");
	cr_assert_not_null(svc);
	cr_expect_eq(svc->count, 1);
	cr_expect_not(svc->instances);
	cr_expect_str_eq(svc->config_type, "gx-it-proxy");
	cr_expect_str_eq(svc->type->section, "gx_it_proxy");
	cr_expect_eq(svc->start_timeout, 10);
	cr_expect_eq(svc->stop_timeout, 10);
	expect_argv("@ROOT@/venv/bin/npx @galaxyproject/gx-it-proxy@>=0.0.6 --ip localhost --port 4002 "
		    "--sessions database/interactivetools_map.sqlite --verbose "
		    "--proxyPathPrefix /interactivetool/ep");
	got = gx_test_env(&t, svc, 0, "npm_config_yes");
	cr_expect_str_eq(got ? got : "(unset)", "true");
	free(got);
	cr_expect_null(got = gx_test_env(&t, svc, 0, "PYTHONPATH"));
	free(got);
	cr_expect_null(got = gx_test_env(&t, svc, 0, "GALAXY_CONFIG_FILE"));
	free(got);
	cr_assert_geq(asprintf(&venv, "%s/venv", t.root), 0);
	got = gx_test_env(&t, svc, 0, "VIRTUAL_ENV");
	cr_expect_str_eq(got ? got : "(unset)", venv);
	free(got);
	free(venv);
	cr_expect(!svc->type->graceful ||
		  svc->type->graceful(t.host, svc) == GX_GRACEFUL_DEFAULT);
	cr_expect_null(svc->type->ready);
}

Test(gx_it_proxy, non_default_settings)
{
	const struct gx_service *svc;
	char *got;

	load_ok("gravity:\n"
		"  gx_it_proxy:\n"
		"    enable: true\n"
		"    version: 0.0.7\n"
		"    ip: 0.0.0.0\n"
		"    port: 4100\n"
		"    sessions: /srv/it/map.sqlite\n"
		"    verbose: false\n"
		"    forward_ip: 10.1.2.3\n"
		"    forward_port: 8888\n"
		"    reverse_proxy: true\n"
		"    environment:\n"
		"      npm_config_yes: 'false'\n"
		"    stop_timeout: 3\n"
		"galaxy:\n"
		"  interactivetools_enable: yes\n");
	expect_argv("npx @galaxyproject/gx-it-proxy@0.0.7 --ip 0.0.0.0 --port 4100 "
		    "--sessions /srv/it/map.sqlite --forwardIP 10.1.2.3 --forwardPort 8888 "
		    "--reverseProxy --proxyPathPrefix /interactivetool/ep");
	svc = gx_test_service(&t, NULL, "gx-it-proxy");
	cr_expect_eq(svc->stop_timeout, 3);
	/* The user's environment wins over the type's own. */
	got = gx_test_env(&t, svc, 0, "npm_config_yes");
	cr_expect_str_eq(got ? got : "(unset)", "false");
	free(got);
}

Test(gx_it_proxy, null_and_empty_optional_flags_are_left_out)
{
	load_ok("gravity:\n"
		"  gx_it_proxy:\n"
		"    enable: true\n"
		"    forward_ip: ''\n"
		"    forward_port: ~\n"
		"    reverse_proxy: null\n"
		"galaxy:\n"
		"  interactivetools_enable: true\n");
	expect_argv("npx @galaxyproject/gx-it-proxy@>=0.0.6 --ip localhost --port 4002 "
		    "--sessions database/interactivetools_map.sqlite --verbose "
		    "--proxyPathPrefix /interactivetool/ep");
}

Test(gx_it_proxy, forward_port_zero_is_left_out)
{
	load_ok("gravity:\n"
		"  gx_it_proxy: {enable: true, forward_port: 0, forward_ip: 1.2.3.4}\n"
		"galaxy:\n"
		"  interactivetools_enable: true\n");
	expect_argv("npx @galaxyproject/gx-it-proxy@>=0.0.6 --ip localhost --port 4002 "
		    "--sessions database/interactivetools_map.sqlite --verbose --forwardIP 1.2.3.4 "
		    "--proxyPathPrefix /interactivetool/ep");
}

Test(gx_it_proxy, interactivetools_map_overrides_sessions)
{
	load_with_galaxy("  interactivetools_map: database/it.sqlite\n");
	expect_argv("npx @galaxyproject/gx-it-proxy@>=0.0.6 --ip localhost --port 4002 "
		    "--sessions database/it.sqlite --verbose --proxyPathPrefix /interactivetool/ep");
}

Test(gx_it_proxy, interactivetoolsproxy_map_overrides_sessions)
{
	load_with_galaxy("  interactivetoolsproxy_map: postgresql:///itproxy\n");
	expect_argv("npx @galaxyproject/gx-it-proxy@>=0.0.6 --ip localhost --port 4002 "
		    "--sessions postgresql:///itproxy --verbose --proxyPathPrefix /interactivetool/ep");
}

Test(gx_it_proxy, interactivetoolsproxy_map_wins_over_interactivetools_map)
{
	load_with_galaxy("  interactivetools_map: database/it.sqlite\n"
			 "  interactivetoolsproxy_map: /srv/proxy.sqlite\n");
	expect_argv("npx @galaxyproject/gx-it-proxy@>=0.0.6 --ip localhost --port 4002 "
		    "--sessions /srv/proxy.sqlite --verbose --proxyPathPrefix /interactivetool/ep");
}

Test(gx_it_proxy, empty_maps_leave_sessions_alone)
{
	load_with_galaxy("  interactivetools_map: ''\n"
			 "  interactivetoolsproxy_map: ~\n");
	expect_argv("npx @galaxyproject/gx-it-proxy@>=0.0.6 --ip localhost --port 4002 "
		    "--sessions database/interactivetools_map.sqlite --verbose "
		    "--proxyPathPrefix /interactivetool/ep");
}

static void expect_prefix(const char *galaxy_lines, const char *prefix)
{
	char *want = NULL;

	load_with_galaxy(galaxy_lines);
	cr_assert_geq(asprintf(&want,
			       "npx @galaxyproject/gx-it-proxy@>=0.0.6 --ip localhost --port 4002 "
			       "--sessions database/interactivetools_map.sqlite --verbose "
			       "--proxyPathPrefix %s",
			       prefix),
		      0);
	expect_argv(want);
	free(want);
}

Test(gx_it_proxy, prefix_with_base_path)
{
	expect_prefix("  interactivetools_base_path: galaxy\n", "/galaxy/interactivetool/ep");
}

Test(gx_it_proxy, prefix_base_path_slashes_are_normalised)
{
	expect_prefix("  interactivetools_base_path: //galaxy/sub//\n",
		      "/galaxy/sub/interactivetool/ep");
}

Test(gx_it_proxy, prefix_base_path_of_slashes_is_root)
{
	expect_prefix("  interactivetools_base_path: ///\n", "/interactivetool/ep");
}

Test(gx_it_proxy, prefix_null_base_path_is_root)
{
	expect_prefix("  interactivetools_base_path:\n", "/interactivetool/ep");
}

Test(gx_it_proxy, prefix_with_tool_prefix)
{
	expect_prefix("  interactivetools_base_path: /gx/\n"
		      "  interactivetools_prefix: its\n",
		      "/gx/its/ep");
}

Test(gx_it_proxy, needs_interactivetools_enable)
{
	/* Located at the switch that asked for the proxy. */
	expect_galaxy_error("", "3:13: error: To run gx-it-proxy you need to set "
				"interactivetools_enable in the galaxy section of galaxy.yml");
}

Test(gx_it_proxy, interactivetools_enable_false)
{
	expect_galaxy_error("  interactivetools_enable: false\n",
			    "6:28: error: To run gx-it-proxy you need to set "
			    "interactivetools_enable in the galaxy section of galaxy.yml");
}

Test(gx_it_proxy, interactivetools_enable_zero_or_empty)
{
	expect_galaxy_error("  interactivetools_enable: 0\n",
			    "6:28: error: To run gx-it-proxy you need to set "
			    "interactivetools_enable in the galaxy section of galaxy.yml");
	gx_test_release(&t);
	expect_galaxy_error("  interactivetools_enable: ''\n",
			    "6:28: error: To run gx-it-proxy you need to set "
			    "interactivetools_enable in the galaxy section of galaxy.yml");
	gx_test_release(&t);
	expect_galaxy_error("  interactivetools_enable: Off\n",
			    "6:28: error: To run gx-it-proxy you need to set "
			    "interactivetools_enable in the galaxy section of galaxy.yml");
}

Test(gx_it_proxy, interactivetools_enable_truthy_values)
{
	static const char *const values[] = { "true", "on", "1", "'false'", "yes please", NULL };

	for (const char *const *v = values; *v; v++) {
		char *yaml = NULL;

		cr_assert_geq(asprintf(&yaml,
				       "gravity:\n"
				       "  gx_it_proxy: {enable: true}\n"
				       "galaxy:\n"
				       "  interactivetools_enable: %s\n",
				       *v),
			      0);
		gx_test_release(&t);
		load_ok(yaml);
		cr_expect_not_null(gx_test_service(&t, NULL, "gx-it-proxy"), "value %s", *v);
		free(yaml);
	}
}

Test(gx_it_proxy, error_without_a_galaxy_section)
{
	cr_expect_eq(gx_test_load(&t, "gravity:\n"
				      "  galaxy_root: @ROOT@\n"
				      "  gx_it_proxy:\n"
				      "    enable: true\n"),
		     -EINVAL);
	expect_diag("4:13: error: To run gx-it-proxy you need to set interactivetools_enable "
		    "in the galaxy section of galaxy.yml");
}

Test(gx_it_proxy, a_list_is_not_allowed)
{
	cr_expect_eq(gx_test_load(&t, "gravity:\n"
				      "  gx_it_proxy:\n"
				      "    - enable: true\n"
				      "galaxy:\n"
				      "  interactivetools_enable: true\n"),
		     -EINVAL);
	expect_diag("3:5: error: gravity.gx_it_proxy: expected a mapping, got a sequence");
}

Test(gx_it_proxy, port_must_be_an_integer)
{
	cr_expect_eq(gx_test_load(&t, "gravity:\n"
				      "  gx_it_proxy:\n"
				      "    forward_port: eighty\n"
				      "galaxy:\n"
				      "  brand: test\n"),
		     -EINVAL);
	expect_diag("3:19: error: gravity.gx_it_proxy.forward_port: expected an integer, "
		    "got 'eighty'");
}
