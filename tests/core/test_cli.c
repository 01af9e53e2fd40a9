/* SPDX-License-Identifier: MIT */
/* Tests for core/cli.c: every command, alias and option of galaxyctl and galaxy, help and usage errors. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* One parse: argv built from the words, output captured. */
struct parse {
	struct gx_cli cli;
	char *argv[32];
	int argc;
	char *out, *err;
	size_t out_len, err_len;
	int r;
};

static struct parse P;

static void parse_fini(void)
{
	gx_cli_release(&P.cli);
	for (int i = 0; i < P.argc; i++)
		free(P.argv[i]);
	free(P.out);
	free(P.err);
	memset(&P, 0, sizeof(P));
}

TestSuite(cli, .fini = parse_fini);
TestSuite(galaxy, .fini = parse_fini);
TestSuite(help, .fini = parse_fini);
TestSuite(usage, .fini = parse_fini);

/* Every variable these tests set, cleared so that the caller's environment cannot decide. */
static void env_clear(void)
{
	static const char *const vars[] = {
		"GRAVITY_DEBUG", "GRAVITY_USER", "GRAVITY_BACKEND", "GRAVITY_SINGLE_USER",
		"GRAVITY_QUIET", "GRAVITY_HELP", "GRAVITY_VERSION", "GRAVITY_NO_USER",
		"GRAVITY_START_FOREGROUND", "GRAVITY_START_QUIET", "GRAVITY_UPDATE_FORCE",
		"GRAVITY_UPDATE_CLEAN", "GRAVITY_LIST_VERSION", "GRAVITY_CONFIGS_VERSION",
		"GRAVITY_GRACEFUL_START_IF_STOPPED", "GRAVITY_RELOAD_START_IF_STOPPED",
		"GRAVITY_SHOW_DETAILS", "GRAVITY_SHOW_SAMPLE_CONFIG", "GRAVITY_GET_JSON",
		"GRAVITY_STATUS_JSON", "GRAVITY_FOLLOW_QUIET", "GRAVITY_EXEC_SERVICE_INSTANCE",
		"GRAVITY_EXEC_NO_EXEC", "GRAVITY_LIST_HELP",
	};

	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
		unsetenv(vars[i]);
}

TestSuite(env, .init = env_clear, .fini = parse_fini);

/* Parse argv0 and the following words (NULL-terminated) into P. */
static void parse(const char *argv0, ...)
{
	FILE *out, *err;
	const char *w;
	va_list ap;

	parse_fini();
	P.argv[P.argc++] = strdup(argv0);
	va_start(ap, argv0);
	while ((w = va_arg(ap, const char *))) {
		cr_assert_lt(P.argc, 31);
		P.argv[P.argc++] = strdup(w);
	}
	va_end(ap);
	out = open_memstream(&P.out, &P.out_len);
	err = open_memstream(&P.err, &P.err_len);
	cr_assert(out && err);
	P.r = gx_cli_parse(&P.cli, P.argc, P.argv, out, err);
	fclose(out);
	fclose(err);
}

#define galaxyctl(...) parse("/usr/bin/galaxyctl", __VA_ARGS__, NULL)
#define galaxy(...) parse("/usr/bin/galaxy", __VA_ARGS__, NULL)

/* The parse succeeded, printed nothing, and gave the command with these positional args. */
static void expect_command(enum gx_command cmd, ...)
{
	const char *want;
	size_t i = 0;
	va_list ap;

	cr_assert_eq(P.r, 0, "parse returned %d: %s", P.r, P.err);
	cr_expect_eq(P.out_len, 0, "stdout: %s", P.out);
	cr_expect_eq(P.err_len, 0, "stderr: %s", P.err);
	cr_expect_eq(P.cli.command, cmd, "command %s, expected %s", gx_command_name(P.cli.command),
		     gx_command_name(cmd));
	va_start(ap, cmd);
	while ((want = va_arg(ap, const char *))) {
		cr_assert_lt(i, P.cli.n_args, "missing argument %s", want);
		cr_expect_str_eq(P.cli.args[i], want);
		i++;
	}
	va_end(ap);
	cr_expect_eq(P.cli.n_args, i, "%zu arguments, expected %zu", P.cli.n_args, i);
}

/* The parse failed with -EINVAL, printed usage and the message to err only. */
static void expect_usage_error(const char *message)
{
	cr_assert_eq(P.r, -EINVAL, "parse returned %d", P.r);
	cr_expect_eq(P.out_len, 0, "stdout: %s", P.out);
	cr_assert_not_null(P.err);
	cr_expect(strstr(P.err, "Usage: "), "no usage line: %s", P.err);
	cr_expect(strstr(P.err, message), "'%s' not in: %s", message, P.err);
}

/* ---------------------------------------------------------------------- */
/* galaxyctl commands */

Test(cli, defaults)
{
	galaxyctl("status");
	expect_command(GX_CMD_STATUS, NULL);
	cr_expect_not(P.cli.galaxy);
	cr_expect_not(P.cli.debug);
	cr_expect_eq(P.cli.n_config_files, 0);
	cr_expect_null(P.cli.config_files);
	cr_expect_null(P.cli.state_dir);
	cr_expect_eq(P.cli.user_mode, -1);
	cr_expect_null(P.cli.backend);
	cr_expect_not(P.cli.foreground);
	cr_expect_not(P.cli.quiet);
	cr_expect_not(P.cli.force);
	cr_expect_not(P.cli.clean);
	cr_expect_not(P.cli.version);
	cr_expect_not(P.cli.json);
	cr_expect_eq(P.cli.service_instance, -1);
	cr_expect_not(P.cli.no_exec);
	cr_expect_null(P.cli.single_user);
}

Test(cli, start)
{
	galaxyctl("start", "-f", "--quiet", "main", "gunicorn");
	expect_command(GX_CMD_START, "main", "gunicorn", NULL);
	cr_expect(P.cli.foreground);
	cr_expect(P.cli.quiet);
}

Test(cli, start_long_foreground)
{
	galaxyctl("start", "--foreground");
	expect_command(GX_CMD_START, NULL);
	cr_expect(P.cli.foreground);
	cr_expect_not(P.cli.quiet);
}

Test(cli, stop_restart)
{
	galaxyctl("stop", "celery");
	expect_command(GX_CMD_STOP, "celery", NULL);
	galaxyctl("restart");
	expect_command(GX_CMD_RESTART, NULL);
}

Test(cli, graceful_and_reload)
{
	galaxyctl("graceful", "gunicorn");
	expect_command(GX_CMD_GRACEFUL, "gunicorn", NULL);
	galaxyctl("reload", "gunicorn", "celery");
	expect_command(GX_CMD_GRACEFUL, "gunicorn", "celery", NULL);
}

Test(cli, update)
{
	galaxyctl("update", "--force", "--clean");
	expect_command(GX_CMD_UPDATE, NULL);
	cr_expect(P.cli.force);
	cr_expect(P.cli.clean);
	galaxyctl("update", "main");
	expect_command(GX_CMD_UPDATE, "main", NULL);
	cr_expect_not(P.cli.force);
	cr_expect_not(P.cli.clean);
}

Test(cli, shutdown)
{
	galaxyctl("shutdown");
	expect_command(GX_CMD_SHUTDOWN, NULL);
}

Test(cli, follow)
{
	galaxyctl("follow", "--quiet", "gunicorn");
	expect_command(GX_CMD_FOLLOW, "gunicorn", NULL);
	cr_expect(P.cli.quiet);
}

Test(cli, list_and_aliases)
{
	static const char *const names[] = { "list", "configs", "instances" };

	for (size_t i = 0; i < 3; i++) {
		galaxyctl(names[i], "--version");
		expect_command(GX_CMD_LIST, NULL);
		cr_expect(P.cli.version, "%s --version", names[i]);
	}
	galaxyctl("list", "-v");
	expect_command(GX_CMD_LIST, NULL);
	cr_expect(P.cli.version);
	galaxyctl("list");
	expect_command(GX_CMD_LIST, NULL);
	cr_expect_not(P.cli.version);
}

Test(cli, show_and_get)
{
	galaxyctl("show");
	expect_command(GX_CMD_SHOW, NULL);
	cr_expect_not(P.cli.json);
	galaxyctl("get", "--json", "main");
	expect_command(GX_CMD_SHOW, "main", NULL);
	cr_expect(P.cli.json);
}

Test(cli, options_may_follow_arguments)
{
	galaxyctl("show", "main", "--json");
	expect_command(GX_CMD_SHOW, "main", NULL);
	cr_expect(P.cli.json);
	galaxyctl("status", "gunicorn", "--json");
	expect_command(GX_CMD_STATUS, "gunicorn", NULL);
	cr_expect(P.cli.json);
	galaxyctl("exec", "main", "handler", "--service-instance", "1", "-n");
	expect_command(GX_CMD_EXEC, "main", "handler", NULL);
	cr_expect_eq(P.cli.service_instance, 1);
	cr_expect(P.cli.no_exec);
}

Test(cli, double_dash_ends_options)
{
	galaxyctl("stop", "--", "--json");
	expect_command(GX_CMD_STOP, "--json", NULL);
}

Test(cli, status)
{
	galaxyctl("status", "--json");
	expect_command(GX_CMD_STATUS, NULL);
	cr_expect(P.cli.json);
}

Test(cli, pm_passes_everything_through)
{
	galaxyctl("pm", "tail", "-f", "gunicorn", "--json");
	expect_command(GX_CMD_PM, "tail", "-f", "gunicorn", "--json", NULL);
	cr_expect_not(P.cli.json);
	galaxyctl("supervisorctl", "status");
	expect_command(GX_CMD_PM, "status", NULL);
	galaxyctl("pm");
	expect_command(GX_CMD_PM, NULL);
}

Test(cli, exec)
{
	galaxyctl("exec", "--service-instance", "2", "--no-exec", "main", "gunicorn");
	expect_command(GX_CMD_EXEC, "main", "gunicorn", NULL);
	cr_expect_eq(P.cli.service_instance, 2);
	cr_expect(P.cli.no_exec);
	galaxyctl("exec", "-i", "0", "celery");
	expect_command(GX_CMD_EXEC, "celery", NULL);
	cr_expect_eq(P.cli.service_instance, 0);
	cr_expect_not(P.cli.no_exec);
	galaxyctl("exec", "--service-instance=3", "celery");
	expect_command(GX_CMD_EXEC, "celery", NULL);
	cr_expect_eq(P.cli.service_instance, 3);
}

Test(cli, global_options)
{
	galaxyctl("-d", "-c", "a.yml", "--config-file", "b.yml", "--config-file=c.yml", "-cd.yml",
		  "--state-dir", "/var/state", "--user", "--backend", "direct", "status");
	expect_command(GX_CMD_STATUS, NULL);
	cr_expect(P.cli.debug);
	cr_assert_eq(P.cli.n_config_files, 4);
	cr_expect_str_eq(P.cli.config_files[0], "a.yml");
	cr_expect_str_eq(P.cli.config_files[1], "b.yml");
	cr_expect_str_eq(P.cli.config_files[2], "c.yml");
	cr_expect_str_eq(P.cli.config_files[3], "d.yml");
	cr_expect_str_eq(P.cli.state_dir, "/var/state");
	cr_expect_eq(P.cli.user_mode, 1);
	cr_expect_str_eq(P.cli.backend, "direct");
}

Test(cli, no_user_and_last_one_wins)
{
	galaxyctl("--user", "--no-user", "--debug", "list");
	expect_command(GX_CMD_LIST, NULL);
	cr_expect_eq(P.cli.user_mode, 0);
	cr_expect(P.cli.debug);
	galaxyctl("--no-user", "--user", "list");
	cr_expect_eq(P.cli.user_mode, 1);
}

Test(cli, global_options_stop_at_the_command)
{
	/* -d after the command belongs to the command, which has no such option. */
	galaxyctl("status", "-d");
	expect_usage_error("No such option: -d");
}

Test(cli, program_name_decides)
{
	parse("galaxyctl", "list", NULL);
	expect_command(GX_CMD_LIST, NULL);
	cr_expect_not(P.cli.galaxy);
	parse("/opt/bin/galaxy-other", "list", NULL);
	expect_command(GX_CMD_LIST, NULL);
	cr_expect_not(P.cli.galaxy);
}

Test(cli, command_names)
{
	static const char *const names[GX_CMD_MAX] = {
		"start", "stop", "restart", "graceful", "update", "shutdown", "follow",
		"list", "show", "status", "pm", "exec", "wait",
	};

	for (int i = 0; i < GX_CMD_MAX; i++)
		cr_expect_str_eq(gx_command_name((enum gx_command)i), names[i]);
	cr_expect_str_eq(gx_command_name(GX_CMD_MAX), "?");
}

Test(cli, release_twice)
{
	galaxyctl("-c", "a.yml", "list");
	gx_cli_release(&P.cli);
	cr_expect_null(P.cli.config_files);
	cr_expect_eq(P.cli.n_config_files, 0);
}

/* ---------------------------------------------------------------------- */
/* galaxy */

Test(galaxy, is_foreground_start_on_direct)
{
	parse("/usr/bin/galaxy", NULL);
	expect_command(GX_CMD_START, NULL);
	cr_expect(P.cli.galaxy);
	cr_expect(P.cli.foreground);
	cr_expect_str_eq(P.cli.backend, "direct");
	cr_expect_null(P.cli.single_user);
	cr_expect_not(P.cli.quiet);
}

Test(galaxy, options)
{
	galaxy("-d", "-c", "g.yml", "--state-dir", "st", "-s", "admin@example.org", "--quiet");
	expect_command(GX_CMD_START, NULL);
	cr_expect(P.cli.galaxy);
	cr_expect(P.cli.debug);
	cr_assert_eq(P.cli.n_config_files, 1);
	cr_expect_str_eq(P.cli.config_files[0], "g.yml");
	cr_expect_str_eq(P.cli.state_dir, "st");
	cr_expect_str_eq(P.cli.single_user, "admin@example.org");
	cr_expect(P.cli.quiet);
	cr_expect(P.cli.foreground);
}

Test(galaxy, long_single_user)
{
	galaxy("--single-user", "me@example.org");
	expect_command(GX_CMD_START, NULL);
	cr_expect_str_eq(P.cli.single_user, "me@example.org");
}

Test(galaxy, backend_can_be_chosen)
{
	galaxy("--backend", "supervisor");
	expect_command(GX_CMD_START, NULL);
	cr_expect_str_eq(P.cli.backend, "supervisor");
}

Test(galaxy, takes_no_command)
{
	galaxy("start");
	expect_usage_error("Got unexpected extra argument (start)");
	cr_expect(strstr(P.err, "Usage: galaxy [OPTIONS]"), "%s", P.err);
}

Test(galaxy, single_user_needs_a_value)
{
	galaxy("-s");
	expect_usage_error("Option '-s' requires an argument.");
}

Test(galaxy, help)
{
	galaxy("--help");
	cr_assert_eq(P.r, 1);
	cr_expect_eq(P.err_len, 0);
	cr_assert_not_null(P.out);
	cr_expect(strncmp(P.out, "Usage: galaxy [OPTIONS]\n", 24) == 0, "%s", P.out);
	cr_expect(strstr(P.out, "-s, --single-user EMAIL"), "%s", P.out);
	cr_expect(strstr(P.out, "--quiet"), "%s", P.out);
	cr_expect(strstr(P.out, "Exit status:"), "%s", P.out);
}

Test(galaxy, version)
{
	galaxy("--version");
	cr_assert_eq(P.r, 1);
	cr_expect_str_eq(P.out, "galaxy, version " PACKAGE_VERSION "\n");
}

/* ---------------------------------------------------------------------- */
/* Help and version */

Test(help, main_help_lists_every_command_and_the_exit_codes)
{
	galaxyctl("--help");
	cr_assert_eq(P.r, 1);
	cr_expect_eq(P.err_len, 0, "%s", P.err);
	cr_assert_not_null(P.out);
	cr_expect(strncmp(P.out, "Usage: galaxyctl [OPTIONS] COMMAND [ARGS]...\n", 45) == 0,
		  "%s", P.out);
	for (int i = 0; i < GX_CMD_MAX; i++) {
		char line[32];

		snprintf(line, sizeof(line), "\n  %-10s ", gx_command_name((enum gx_command)i));
		cr_expect(strstr(P.out, line), "'%s' missing:\n%s", line, P.out);
	}
	cr_expect(strstr(P.out, "(alias: configs, instances)"), "%s", P.out);
	cr_expect(strstr(P.out, "(alias: reload)"), "%s", P.out);
	cr_expect(strstr(P.out, "(alias: get)"), "%s", P.out);
	cr_expect(strstr(P.out, "(alias: supervisorctl)"), "%s", P.out);
	cr_expect(strstr(P.out, "-c, --config-file FILE"), "%s", P.out);
	cr_expect(strstr(P.out, "--state-dir DIRECTORY"), "%s", P.out);
	cr_expect(strstr(P.out, "--user / --no-user"), "%s", P.out);
	cr_expect(strstr(P.out, "--backend NAME"), "%s", P.out);
	cr_expect(strstr(P.out, "  3  invalid configuration (nothing was changed); for status (without\n"), "%s", P.out);
	cr_expect(strstr(P.out, "  4  backend or command not available in this build\n"), "%s",
		  P.out);
}

Test(help, short_h)
{
	galaxyctl("-h");
	cr_assert_eq(P.r, 1);
	cr_expect(strstr(P.out, "Usage: galaxyctl [OPTIONS] COMMAND"), "%s", P.out);
}

Test(help, help_wins_over_the_command)
{
	galaxyctl("--help", "start");
	cr_assert_eq(P.r, 1);
	cr_expect(strstr(P.out, "Usage: galaxyctl [OPTIONS] COMMAND"), "%s", P.out);
}

Test(help, every_command_has_its_own)
{
	static const char *const names[] = { "start", "stop", "restart", "graceful", "reload",
					     "update", "shutdown", "follow", "list", "configs",
					     "instances", "show", "get", "status", "pm",
					     "supervisorctl", "exec" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char head[64];
		const char *canon;

		galaxyctl(names[i], "--help");
		cr_assert_eq(P.r, 1, "%s --help returned %d", names[i], P.r);
		cr_expect_eq(P.err_len, 0, "%s --help wrote to err: %s", names[i], P.err);
		cr_assert_not_null(P.out);
		canon = gx_command_name(P.cli.command);
		snprintf(head, sizeof(head), "Usage: galaxyctl %s [OPTIONS]", canon);
		cr_expect(strncmp(P.out, head, strlen(head)) == 0, "%s --help: %s", names[i], P.out);
		cr_expect(strstr(P.out, "-h, --help"), "%s", P.out);
		cr_expect(strstr(P.out, "Exit status:"), "%s", P.out);
		galaxyctl(names[i], "-h");
		cr_expect_eq(P.r, 1, "%s -h", names[i]);
	}
}

Test(help, command_help_names_its_options)
{
	static const struct {
		const char *cmd, *text;
	} cases[] = {
		{ "start", "-f, --foreground" }, { "start", "--quiet" },
		{ "update", "--force" },	 { "update", "--clean" },
		{ "follow", "--quiet" },	 { "list", "--version" },
		{ "show", "--json" },		 { "status", "--json" },
		{ "exec", "--service-instance N" }, { "exec", "--no-exec" },
		{ "exec", "[INSTANCE] SERVICE" }, { "show", "[INSTANCE]" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		galaxyctl(cases[i].cmd, "--help");
		cr_expect(strstr(P.out, cases[i].text), "%s --help lacks %s:\n%s", cases[i].cmd,
			  cases[i].text, P.out);
	}
}

Test(help, pm_help_is_not_passed_through)
{
	galaxyctl("pm", "--help");
	cr_assert_eq(P.r, 1);
	cr_expect(strstr(P.out, "Usage: galaxyctl pm [OPTIONS] [ARG]..."), "%s", P.out);
}

Test(help, version)
{
	galaxyctl("--version");
	cr_assert_eq(P.r, 1);
	cr_expect_str_eq(P.out, "galaxyctl, version " PACKAGE_VERSION "\n");
	cr_expect_eq(P.err_len, 0);
}

/* ---------------------------------------------------------------------- */
/* Usage errors */

Test(usage, no_command)
{
	galaxyctl("-d");
	cr_assert_eq(P.r, -EINVAL);
	cr_expect_eq(P.out_len, 0);
	cr_expect(strstr(P.err, "Usage: galaxyctl [OPTIONS] COMMAND"), "%s", P.err);
}

Test(usage, unknown_command)
{
	galaxyctl("frobnicate");
	expect_usage_error("No such command 'frobnicate'.");
}

Test(usage, instances_is_not_a_command_name_prefix)
{
	galaxyctl("stat");
	expect_usage_error("No such command 'stat'.");
}

Test(usage, unknown_global_option)
{
	galaxyctl("--frob", "list");
	expect_usage_error("Error: No such option: --frob\n");
}

Test(usage, unknown_short_option_in_a_cluster)
{
	galaxyctl("-dx", "list");
	expect_usage_error("Error: No such option: -x\n");
}

Test(usage, galaxy_options_are_not_galaxyctl_options)
{
	galaxyctl("--single-user", "x", "list");
	expect_usage_error("No such option: --single-user");
	galaxyctl("--quiet", "list");
	expect_usage_error("No such option: --quiet");
	galaxyctl("-s", "x", "list");
	expect_usage_error("No such option: -s");
}

Test(usage, unknown_command_option)
{
	galaxyctl("start", "--json");
	expect_usage_error("Error: No such option: --json\n");
	cr_expect(strstr(P.err, "Try 'galaxyctl start --help' for help."), "%s", P.err);
}

Test(usage, option_with_a_value_it_does_not_take)
{
	galaxyctl("status", "--json=yes");
	expect_usage_error("--json");
}

Test(usage, missing_option_values)
{
	galaxyctl("-c");
	expect_usage_error("Error: Option '-c' requires an argument.\n");
	galaxyctl("list", "--state-dir");
	expect_usage_error("No such option: --state-dir");
	galaxyctl("--state-dir");
	expect_usage_error("Error: Option '--state-dir' requires an argument.\n");
	galaxyctl("--backend");
	expect_usage_error("Option '--backend' requires an argument.");
	galaxyctl("exec", "gunicorn", "--service-instance");
	expect_usage_error("Option '--service-instance' requires an argument.");
}

Test(usage, exec_needs_a_service)
{
	galaxyctl("exec");
	expect_usage_error("Missing argument: SERVICE.");
	galaxyctl("exec", "--no-exec");
	expect_usage_error("Missing argument: SERVICE.");
}

Test(usage, exec_takes_at_most_an_instance_and_a_service)
{
	galaxyctl("exec", "main", "gunicorn", "celery");
	expect_usage_error("Got unexpected extra argument (celery)");
}

Test(usage, show_takes_one_instance)
{
	galaxyctl("show", "a", "b");
	expect_usage_error("Error: Got unexpected extra argument (b)\n");
	cr_expect(strstr(P.err, "Try 'galaxyctl show --help' for help."), "%s", P.err);
}

Test(usage, list_takes_no_arguments)
{
	galaxyctl("list", "main");
	expect_usage_error("Got unexpected extra argument (main)");
}

Test(usage, bad_service_instance)
{
	static const char *const bad[] = { "x", "-1", "1x", "", "99999999999999999999999" };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char message[128];

		galaxyctl("exec", "--service-instance", bad[i], "gunicorn");
		snprintf(message, sizeof(message),
			 "--service-instance: '%s' is not a non-negative integer", bad[i]);
		expect_usage_error(message);
	}
}

/* ---------------------------------------------------------------------- */
/* GRAVITY_* variables for options, as upstream's click auto_envvar_prefix */

Test(env, global_options)
{
	setenv("GRAVITY_DEBUG", "true", 1);
	setenv("GRAVITY_USER", "0", 1);
	setenv("GRAVITY_BACKEND", "direct", 1);
	galaxyctl("status");
	expect_command(GX_CMD_STATUS, NULL);
	cr_expect(P.cli.debug);
	cr_expect_eq(P.cli.user_mode, 0);
	cr_expect_str_eq(P.cli.backend, "direct");
	setenv("GRAVITY_USER", "yes", 1);
	galaxyctl("status");
	cr_expect_eq(P.cli.user_mode, 1);
}

Test(env, every_command_option)
{
	static const struct {
		const char *cmd, *var;
		size_t field; /* offsetof the bool in struct gx_cli */
	} cases[] = {
		{ "start", "GRAVITY_START_FOREGROUND", offsetof(struct gx_cli, foreground) },
		{ "start", "GRAVITY_START_QUIET", offsetof(struct gx_cli, quiet) },
		{ "graceful", "GRAVITY_GRACEFUL_START_IF_STOPPED",
		  offsetof(struct gx_cli, start_if_stopped) },
		{ "update", "GRAVITY_UPDATE_FORCE", offsetof(struct gx_cli, force) },
		{ "update", "GRAVITY_UPDATE_CLEAN", offsetof(struct gx_cli, clean) },
		{ "follow", "GRAVITY_FOLLOW_QUIET", offsetof(struct gx_cli, quiet) },
		{ "list", "GRAVITY_LIST_VERSION", offsetof(struct gx_cli, version) },
		{ "show", "GRAVITY_SHOW_DETAILS", offsetof(struct gx_cli, details) },
		{ "show", "GRAVITY_SHOW_SAMPLE_CONFIG", offsetof(struct gx_cli, sample_config) },
		{ "status", "GRAVITY_STATUS_JSON", offsetof(struct gx_cli, json) },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		setenv(cases[i].var, "1", 1);
		galaxyctl(cases[i].cmd);
		cr_assert_eq(P.r, 0, "%s: %s", cases[i].var, P.err);
		cr_expect(*(bool *)((char *)&P.cli + cases[i].field), "%s", cases[i].var);
		unsetenv(cases[i].var);
		galaxyctl(cases[i].cmd);
		cr_expect_not(*(bool *)((char *)&P.cli + cases[i].field), "without %s",
			      cases[i].var);
	}
}

Test(env, exec_options)
{
	setenv("GRAVITY_EXEC_SERVICE_INSTANCE", "2", 1);
	setenv("GRAVITY_EXEC_NO_EXEC", "on", 1);
	galaxyctl("exec", "gunicorn");
	expect_command(GX_CMD_EXEC, "gunicorn", NULL);
	cr_expect_eq(P.cli.service_instance, 2);
	cr_expect(P.cli.no_exec);
}

Test(env, booleans_as_click_reads_them)
{
	static const char *const yes[] = { "1", "true", "TRUE", "t", "Yes", "y", "on", " on\n" };
	static const char *const no[] = { "0", "false", "F", "no", "N", "off", "OFF", "" };

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		setenv("GRAVITY_UPDATE_FORCE", yes[i], 1);
		galaxyctl("update");
		expect_command(GX_CMD_UPDATE, NULL);
		cr_expect(P.cli.force, "GRAVITY_UPDATE_FORCE='%s'", yes[i]);
	}
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
		setenv("GRAVITY_UPDATE_FORCE", no[i], 1);
		galaxyctl("update");
		expect_command(GX_CMD_UPDATE, NULL);
		cr_expect_not(P.cli.force, "GRAVITY_UPDATE_FORCE='%s'", no[i]);
	}
}

Test(env, empty_is_unset)
{
	setenv("GRAVITY_USER", "", 1);
	setenv("GRAVITY_BACKEND", "", 1);
	galaxyctl("list");
	expect_command(GX_CMD_LIST, NULL);
	cr_expect_eq(P.cli.user_mode, -1);
	cr_expect_null(P.cli.backend);
}

Test(env, the_command_line_wins)
{
	setenv("GRAVITY_USER", "1", 1);
	setenv("GRAVITY_BACKEND", "systemd", 1);
	setenv("GRAVITY_EXEC_SERVICE_INSTANCE", "3", 1);
	galaxyctl("--no-user", "--backend", "direct", "exec", "-i", "1", "celery");
	expect_command(GX_CMD_EXEC, "celery", NULL);
	cr_expect_eq(P.cli.user_mode, 0);
	cr_expect_str_eq(P.cli.backend, "direct");
	cr_expect_eq(P.cli.service_instance, 1);
	/* A variable the command line overrides is not read, so it cannot be wrong. */
	setenv("GRAVITY_DEBUG", "maybe", 1);
	setenv("GRAVITY_LIST_VERSION", "maybe", 1);
	galaxyctl("-d", "list", "-v");
	expect_command(GX_CMD_LIST, NULL);
	cr_expect(P.cli.debug);
	cr_expect(P.cli.version);
}

Test(env, an_alias_has_its_own_variables)
{
	/* click names a subcommand's variables after the name it was invoked by. */
	setenv("GRAVITY_LIST_VERSION", "1", 1);
	galaxyctl("configs");
	expect_command(GX_CMD_LIST, NULL);
	cr_expect_not(P.cli.version);
	setenv("GRAVITY_CONFIGS_VERSION", "1", 1);
	galaxyctl("configs");
	cr_expect(P.cli.version);
	setenv("GRAVITY_RELOAD_START_IF_STOPPED", "yes", 1);
	galaxyctl("reload");
	expect_command(GX_CMD_GRACEFUL, NULL);
	cr_expect(P.cli.start_if_stopped);
}

Test(env, invalid_values_name_the_variable)
{
	setenv("GRAVITY_DEBUG", "maybe", 1);
	galaxyctl("list");
	expect_usage_error("Error: Invalid value for $GRAVITY_DEBUG: 'maybe' is not a valid "
			   "boolean (1, true, yes, on or 0, false, no, off).\n");
	unsetenv("GRAVITY_DEBUG");
	setenv("GRAVITY_LIST_VERSION", "2", 1);
	galaxyctl("list");
	expect_usage_error("Invalid value for $GRAVITY_LIST_VERSION: '2' is not a valid boolean");
	cr_expect(strstr(P.err, "Try 'galaxyctl list --help' for help."), "%s", P.err);
	unsetenv("GRAVITY_LIST_VERSION");
	setenv("GRAVITY_EXEC_SERVICE_INSTANCE", "-1", 1);
	galaxyctl("exec", "gunicorn");
	expect_usage_error("$GRAVITY_EXEC_SERVICE_INSTANCE: '-1' is not a non-negative integer");
}

Test(env, help_and_version_are_not_variables)
{
	setenv("GRAVITY_HELP", "1", 1);
	setenv("GRAVITY_VERSION", "1", 1);
	setenv("GRAVITY_LIST_HELP", "1", 1);
	setenv("GRAVITY_NO_USER", "1", 1);
	galaxyctl("list");
	expect_command(GX_CMD_LIST, NULL);
	cr_expect_not(P.cli.version);
	cr_expect_eq(P.cli.user_mode, -1);
	/* Help is answered before any variable is read. */
	setenv("GRAVITY_DEBUG", "maybe", 1);
	galaxyctl("--help");
	cr_expect_eq(P.r, 1);
}

Test(env, galaxy_and_galaxyctl_take_their_own)
{
	setenv("GRAVITY_SINGLE_USER", "admin@example.org", 1);
	setenv("GRAVITY_QUIET", "1", 1);
	setenv("GRAVITY_DEBUG", "1", 1);
	setenv("GRAVITY_BACKEND", "systemd", 1);
	setenv("GRAVITY_USER", "1", 1);
	galaxy("-c", "g.yml");
	expect_command(GX_CMD_START, NULL);
	cr_expect_str_eq(P.cli.single_user, "admin@example.org");
	cr_expect(P.cli.quiet);
	cr_expect(P.cli.debug);
	cr_expect_str_eq(P.cli.backend, "direct");
	cr_expect_eq(P.cli.user_mode, -1);
	galaxyctl("status");
	expect_command(GX_CMD_STATUS, NULL);
	cr_expect_null(P.cli.single_user);
	cr_expect_not(P.cli.quiet);
	cr_expect_str_eq(P.cli.backend, "systemd");
}
