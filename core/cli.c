/* SPDX-License-Identifier: MIT */
/* Command-line parsing for galaxyctl and galaxy, with per-command help. */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"

/* graceful --delay's bound, as restart_delay's: a day between two restarts is surely a typo. */
#define CLI_MAX_DELAY_S 86400

/* Per-command option identifiers (getopt values above the ASCII range). */
enum cli_opt {
	OPT_HELP = 'h',
	OPT_FOREGROUND = 'f',
	OPT_VERSION = 'v',
	OPT_SERVICE_INSTANCE = 'i',
	OPT_NO_EXEC = 'n',
	OPT_QUIET = 256,
	OPT_FORCE,
	OPT_CLEAN,
	OPT_JSON,
	OPT_SAMPLE_CONFIG,
	OPT_DETAILS,
	OPT_START_IF_STOPPED,
	OPT_TIMEOUT,
	OPT_CHECK_READY,
	OPT_DRY_RUN,
	OPT_DELAY,
	OPT_MAX
};

struct cli_command {
	const char *name;
	const char *aliases[3];
	const char *args;    /* usage after the options */
	const char *summary; /* one line, for galaxyctl --help */
	const char *help;    /* the rest of `galaxyctl CMD --help` */
	const struct option *options;
	const char *shortopts;
	int min_args;
	int max_args;        /* -1: unlimited */
};

#define HELP_OPT { "help", no_argument, NULL, OPT_HELP }
#define END_OPT { NULL, 0, NULL, 0 }

static const struct option names_opts[] = { HELP_OPT, END_OPT };
static const struct option graceful_opts[] = {
	{ "start-if-stopped", no_argument, NULL, OPT_START_IF_STOPPED },
	{ "delay", required_argument, NULL, OPT_DELAY }, HELP_OPT, END_OPT
};
static const struct option wait_opts[] = {
	{ "timeout", required_argument, NULL, OPT_TIMEOUT }, HELP_OPT, END_OPT
};
static const struct option start_opts[] = {
	{ "foreground", no_argument, NULL, OPT_FOREGROUND },
	{ "quiet", no_argument, NULL, OPT_QUIET }, HELP_OPT, END_OPT
};
static const struct option update_opts[] = {
	{ "force", no_argument, NULL, OPT_FORCE },
	{ "clean", no_argument, NULL, OPT_CLEAN },
	{ "dry-run", no_argument, NULL, OPT_DRY_RUN }, HELP_OPT, END_OPT
};
static const struct option follow_opts[] = {
	{ "quiet", no_argument, NULL, OPT_QUIET }, HELP_OPT, END_OPT
};
static const struct option list_opts[] = {
	{ "version", no_argument, NULL, OPT_VERSION }, HELP_OPT, END_OPT
};
static const struct option json_opts[] = {
	{ "json", no_argument, NULL, OPT_JSON }, HELP_OPT, END_OPT
};
static const struct option show_opts[] = {
	{ "details", no_argument, NULL, OPT_DETAILS },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "sample-config", no_argument, NULL, OPT_SAMPLE_CONFIG }, HELP_OPT, END_OPT
};
static const struct option exec_opts[] = {
	{ "service-instance", required_argument, NULL, OPT_SERVICE_INSTANCE },
	{ "no-exec", no_argument, NULL, OPT_NO_EXEC },
	{ "check-ready", no_argument, NULL, OPT_CHECK_READY }, HELP_OPT, END_OPT
};

#define NAMES_HELP                                                                      \
	"  INSTANCE and SERVICE names select what to act on; with none, every\n"        \
	"  service of every instance.  A service name may be given alone when only\n"  \
	"  one instance is loaded.  Glob patterns ('handler*') select every match.\n"  \
	"  A process name as status prints it (gunicorn:gunicorn_1) selects it alone.\n"

static const struct cli_command commands[GX_CMD_MAX] = {
	[GX_CMD_START] = {
		.name = "start", .args = "[INSTANCE] [SERVICE]...", .max_args = -1,
		.summary = "Start configured services.",
		.help = "  Start Galaxy and its services in the background, or with -f in the\n"
			"  foreground, following the logs.\n" NAMES_HELP
			"\n  -f, --foreground  Run in the foreground, following the logs.\n"
			"  --quiet           Only output the process manager's own log (supervisord's,\n"
			"                    the direct manager's), not the services' output.\n",
		.options = start_opts, .shortopts = ":fh",
	},
	[GX_CMD_STOP] = {
		.name = "stop", .args = "[INSTANCE] [SERVICE]...", .max_args = -1,
		.summary = "Stop configured services.",
		.help = "  Stop daemonized Galaxy services.  With supervisor, supervisord exits\n"
			"  once no process remains running.\n" NAMES_HELP,
		.options = names_opts, .shortopts = ":h",
	},
	[GX_CMD_RESTART] = {
		.name = "restart", .args = "[INSTANCE] [SERVICE]...", .max_args = -1,
		.summary = "Restart configured services.",
		.help = "  Stop and start services.  See graceful for restarts with minimal\n"
			"  interruption.\n" NAMES_HELP,
		.options = names_opts, .shortopts = ":h",
	},
	[GX_CMD_GRACEFUL] = {
		.name = "graceful", .aliases = { "reload" }, .args = "[INSTANCE] [SERVICE]...",
		.max_args = -1, .summary = "Gracefully reload configured services.",
		.help = "  Restart with minimal interruption: SIGHUP where the service supports\n"
			"  it, a rolling restart of several gunicorns (one at a time, each\n"
			"  answering again before the next), a plain restart otherwise.\n"
			"  Every process is checked first: if one is not running, or an\n"
			"  instance of a rolling restart is not ready within its restart_timeout,\n"
			"  nothing is restarted, and the error names what is down.\n"
			NAMES_HELP
			"\n  --start-if-stopped  First start what is not running (tusd too) and\n"
			"                      wait until it is ready; then restart only what\n"
			"                      was already running.\n"
			"  --delay SECONDS     Wait this long after each restarted instance is\n"
			"                      ready before the next one restarts, and show\n"
			"                      each instance's state as it comes back (for\n"
			"                      this run, instead of each service's\n"
			"                      restart_delay; 0 for none).\n",
		.options = graceful_opts, .shortopts = ":h",
	},
	[GX_CMD_UPDATE] = {
		.name = "update", .args = "[INSTANCE]...", .max_args = -1,
		.summary = "Update process manager from config changes.",
		.help = "  Write the process manager's configs for the current Gravity config and\n"
			"  apply them, adding, changing and removing services as needed.\n"
			"\n  --force    Rewrite every config even when unchanged.\n"
			"  --clean    Remove the configs of the named (or all) instances instead.\n"
			"  --dry-run  Change nothing: print every file update would add, change\n"
			"             (as a unified diff) or remove, every directory it would create,\n"
			"             and what it would do to running programs (start, restart,\n"
			"             stop, reload the process manager).  Exit 0 when nothing would\n"
			"             change, 1 when something would; a failure also exits 1 (3 for\n"
			"             a config error) but prints \"galaxyctl: error: ...\" on stderr,\n"
			"             and a plan always ends with an \"update --dry-run:\" line.\n",
		.options = update_opts, .shortopts = ":h",
	},
	[GX_CMD_SHUTDOWN] = {
		.name = "shutdown", .args = "[INSTANCE]...", .max_args = -1,
		.summary = "Shut down process manager.",
		.help = "  Stop all processes and the process manager itself (supervisord, the\n"
			"  direct manager).  The same as stop with systemd.\n",
		.options = names_opts, .shortopts = ":h",
	},
	[GX_CMD_FOLLOW] = {
		.name = "follow", .args = "[INSTANCE] [SERVICE]...", .max_args = -1,
		.summary = "Follow log files of configured instances.",
		.help = "  Follow the logs of all services, or of those named.\n" NAMES_HELP
			"\n  --quiet  Only output the process manager's own log (supervisord.log, the\n"
			"           direct manager's manager.log), not the services' logs.\n",
		.options = follow_opts, .shortopts = ":h",
	},
	[GX_CMD_LIST] = {
		.name = "list", .aliases = { "configs", "instances" }, .args = "",
		.max_args = 0, .summary = "List config files known to galaxyctl.",
		.help = "  List the loaded Gravity configs and their instance names.\n"
			"\n  -v, --version  Also show each instance's Galaxy version.\n",
		.options = list_opts, .shortopts = ":hv",
	},
	[GX_CMD_SHOW] = {
		.name = "show", .aliases = { "get" }, .args = "[INSTANCE]", .max_args = 1,
		.summary = "Show details of a config.",
		.help = "  Print an instance's config as upstream Gravity does: a JSON object of\n"
			"  its paths and choices.  INSTANCE is required when several are loaded.\n"
			"\n  --details        Also print the services it expands to and every\n"
			"                   gravity setting with its default (galaxyctl's own).\n"
			"  --json           Accepted for older scripts; the output is JSON anyway.\n"
			"  --sample-config  Print a commented sample gravity section with every\n"
			"                   option, its default and its documentation (needs no\n"
			"                   config file).\n",
		.options = show_opts, .shortopts = ":h",
	},
	[GX_CMD_STATUS] = {
		.name = "status", .args = "[INSTANCE] [SERVICE]...", .max_args = -1,
		.summary = "Display server status.",
		.help = "  Show the state of each process: name, state, pid and uptime.\n"
			NAMES_HELP
			"\n  --json  Print a JSON array (instance, service, name, state, pid,\n"
			"          uptime_s, restarts, exit_status, log) instead.\n",
		.options = json_opts, .shortopts = ":h",
	},
	[GX_CMD_PM] = {
		.name = "pm", .aliases = { "supervisorctl" }, .args = "[ARG]...",
		.max_args = -1, .summary = "Invoke process manager (supervisorctl, systemctl) directly.",
		.help = "  Pass the arguments through to the process manager: supervisorctl for\n"
			"  supervisor (its shell with no arguments), systemctl for systemd.\n",
		.options = names_opts, .shortopts = "+:h",
	},
	[GX_CMD_EXEC] = {
		.name = "exec", .args = "[INSTANCE] SERVICE", .min_args = 1, .max_args = 2,
		.summary = "Run a single Galaxy service in the foreground.",
		.help = "  Replace galaxyctl with one service's command, in its environment, as\n"
			"  process managers do when service_command_style is gravity.\n"
			"\n  -i, --service-instance N  Which process of a multi-process service.\n"
			"  -n, --no-exec             Print the command and environment instead.\n"
			"  --check-ready             Run the service's readiness check once instead\n"
			"                            (exit 0: ready); the direct manager's probe.\n",
		.options = exec_opts, .shortopts = ":hi:n",
	},
	[GX_CMD_WAIT] = {
		.name = "wait", .args = "[INSTANCE] [SERVICE]...", .max_args = -1,
		.summary = "Wait until services are ready (ours, not upstream's).",
		.help = "  Return once every selected process is RUNNING and, for gunicorn,\n"
			"  answers /api/version on its bind: a deploy can wait for Galaxy without a\n"
			"  URL loop.  At the timeout, exit 3 and name what is not ready, and why;\n"
			"  at once when the process manager gave up on one (FATAL).\n"
			NAMES_HELP
			"\n  --timeout SECONDS  How long to wait (default 300).\n",
		.options = wait_opts, .shortopts = ":h",
	},
};

static const char main_usage[] =
	"Usage: galaxyctl [OPTIONS] COMMAND [ARGS]...\n"
	"\n"
	"  Manage Galaxy server configurations and processes.\n"
	"\n"
	"Options:\n"
	"  -d, --debug             Enables debug mode.\n"
	"  -c, --config-file FILE  Gravity (or Galaxy) config file to operate on. Can\n"
	"                          also be set with $GRAVITY_CONFIG_FILE or\n"
	"                          $GALAXY_CONFIG_FILE. May be repeated.\n"
	"  --state-dir DIRECTORY   Where process management configs and state will be\n"
	"                          stored (also $GRAVITY_STATE_DIR).\n"
	"  --user / --no-user      Use systemd user mode, or not (default: user mode\n"
	"                          unless root).\n"
	"  --backend NAME          Process manager backend to use (supervisor,\n"
	"                          systemd, direct), overriding process_manager.\n"
	"  --version               Show the version and exit.\n"
	"  -h, --help              Show this message and exit.\n"
	"\n"
	"  Each option may also be set in the environment: $GRAVITY_DEBUG=1 as -d,\n"
	"  $GRAVITY_UPDATE_FORCE=1 as update --force ($GRAVITY_COMMAND_OPTION).\n"
	"  An option on the command line wins over its variable.\n"
	"\n"
	"Commands:\n";

static const char exit_codes_help[] =
	"\n"
	"Exit status:\n"
	"  0  success\n"
	"  1  the command failed; for update --dry-run, also: something would change\n"
	"  2  bad command line\n"
	"  3  invalid configuration (nothing was changed); for status (without\n"
	"     --json), a selected service is not running; for wait, one was not\n"
	"     ready in time\n"
	"  4  backend or command not available in this build\n";

static const char galaxy_usage[] =
	"Usage: galaxy [OPTIONS]\n"
	"\n"
	"  Run Galaxy in the foreground: galaxyctl start --foreground on the direct\n"
	"  backend.  Ctrl-C stops every service.\n"
	"\n"
	"Options:\n"
	"  -d, --debug             Enables debug mode.\n"
	"  -c, --config-file FILE  Gravity (or Galaxy) config file to operate on. Can\n"
	"                          also be set with $GRAVITY_CONFIG_FILE or\n"
	"                          $GALAXY_CONFIG_FILE. May be repeated.\n"
	"  --state-dir DIRECTORY   Where process management state will be stored.\n"
	"  -s, --single-user EMAIL Run in single-user mode as EMAIL (sets\n"
	"                          GALAXY_CONFIG_SINGLE_USER and\n"
	"                          GALAXY_CONFIG_ADMIN_USERS for the services).\n"
	"  --quiet                 Only output the direct manager's own lines, not\n"
	"                          the services' output.\n"
	"  --version               Show the version and exit.\n"
	"  -h, --help              Show this message and exit.\n";

const char *gx_command_name(enum gx_command cmd)
{
	return (unsigned)cmd < GX_CMD_MAX ? commands[cmd].name : "?";
}

static int cli_find_command(const char *name)
{
	for (int i = 0; i < GX_CMD_MAX; i++) {
		if (strcmp(commands[i].name, name) == 0)
			return i;
		for (size_t a = 0; a < 3 && commands[i].aliases[a]; a++)
			if (strcmp(commands[i].aliases[a], name) == 0)
				return i;
	}
	return -1;
}

static void cli_print_main_help(FILE *out)
{
	fputs(main_usage, out);
	for (int i = 0; i < GX_CMD_MAX; i++) {
		fprintf(out, "  %-10s %s", commands[i].name, commands[i].summary);
		if (commands[i].aliases[0]) {
			fprintf(out, " (alias: %s", commands[i].aliases[0]);
			if (commands[i].aliases[1])
				fprintf(out, ", %s", commands[i].aliases[1]);
			fputc(')', out);
		}
		fputc('\n', out);
	}
	fputs("\n  Run `galaxyctl COMMAND --help` for a command's options.\n", out);
	fputs(exit_codes_help, out);
}

static void cli_print_command_help(const struct cli_command *c, FILE *out)
{
	fprintf(out, "Usage: galaxyctl %s [OPTIONS]%s%s\n\n  %s\n\n%s\n  -h, --help  Show this "
		     "message and exit.\n%s",
		c->name, *c->args ? " " : "", c->args, c->summary, c->help, exit_codes_help);
}

__attribute__((format(printf, 4, 5)))
static int cli_usage_error(FILE *errout, const char *prog, const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(errout, "Usage: %s%s%s [OPTIONS]...\nTry '%s%s%s --help' for help.\n\nError: ",
		prog, cmd ? " " : "", cmd ? cmd : "", prog, cmd ? " " : "", cmd ? cmd : "");
	va_start(ap, fmt);
	vfprintf(errout, fmt, ap);
	va_end(ap);
	fputc('\n', errout);
	return -EINVAL;
}

/* ---------------------------------------------------------------------- */
/* Options from GRAVITY_* variables, as upstream's click auto_envvar_prefix gives them */

/*
 * A flag's variable as click's BOOL reads it: 1 when set, 0 when cleared, -1
 * when neither.  Case and surrounding blanks do not matter.
 */
static int cli_env_bool(const char *value)
{
	static const char *const yes[] = { "1", "true", "t", "yes", "y", "on" };
	static const char *const no[] = { "0", "false", "f", "no", "n", "off" };
	size_t len;

	value += strspn(value, " \t\n");
	len = strlen(value);
	while (len > 0 && isspace((unsigned char)value[len - 1]))
		len--;
	for (size_t i = 0; i < sizeof(yes) / sizeof(*yes); i++) {
		if (strlen(yes[i]) == len && strncasecmp(value, yes[i], len) == 0)
			return 1;
		if (strlen(no[i]) == len && strncasecmp(value, no[i], len) == 0)
			return 0;
	}
	return -1;
}

/* The variable's value, or NULL when unset or empty (empty is unset, as click 8.1 has it). */
static const char *cli_env_get(const char *var)
{
	const char *v = getenv(var);

	return v && *v ? v : NULL;
}

static int cli_env_bool_error(FILE *errout, const char *prog, const char *cmd, const char *var,
			      const char *value)
{
	return cli_usage_error(errout, prog, cmd,
			       "Invalid value for $%s: '%s' is not a valid boolean (1, true, "
			       "yes, on or 0, false, no, off).", var, value);
}

/* The option getopt just rejected, as typed: "-x" out of a cluster, or the long option. */
static const char *cli_bad_option(char **argv, char *buf, size_t len)
{
	const char *arg = argv[optind - 1];

	if (strncmp(arg, "--", 2) != 0 && optopt > 0 && optopt < 128) {
		snprintf(buf, len, "-%c", optopt);
		return buf;
	}
	return arg;
}

static int cli_add_config(struct gx_cli *cli, char *file)
{
	char **grown = realloc(cli->config_files, (cli->n_config_files + 1) * sizeof(*grown));

	if (!grown)
		return -ENOMEM;
	cli->config_files = grown;
	cli->config_files[cli->n_config_files++] = file;
	return 0;
}

static void cli_print_version(FILE *out, const char *prog)
{
	fprintf(out, "%s, version %s\n", prog, PACKAGE_VERSION);
}

enum global_opt { GOPT_STATE_DIR = 300, GOPT_USER, GOPT_NO_USER, GOPT_BACKEND, GOPT_VERSION,
		  GOPT_QUIET, GOPT_MAX };

static const struct option global_opts[] = {
	{ "debug", no_argument, NULL, 'd' },
	{ "config-file", required_argument, NULL, 'c' },
	{ "state-dir", required_argument, NULL, GOPT_STATE_DIR },
	{ "user", no_argument, NULL, GOPT_USER },
	{ "no-user", no_argument, NULL, GOPT_NO_USER },
	{ "backend", required_argument, NULL, GOPT_BACKEND },
	{ "version", no_argument, NULL, GOPT_VERSION },
	{ "help", no_argument, NULL, 'h' },
	/* galaxy only */
	{ "single-user", required_argument, NULL, 's' },
	{ "quiet", no_argument, NULL, GOPT_QUIET },
	{ NULL, 0, NULL, 0 },
};

/*
 * The global options a variable may set.  GRAVITY_CONFIG_FILE and
 * GRAVITY_STATE_DIR are read where they are used (config.c, commands.c), as
 * they have their own rules; --help and --version are never taken from the
 * environment.
 */
enum cli_env_scope { CLI_ENV_BOTH, CLI_ENV_GALAXYCTL, CLI_ENV_GALAXY };

static const struct cli_env_global {
	const char *var;
	int opt;       /* the option the variable stands for, as getopt returns it */
	int opt_false; /* the option a false value stands for (--no-user); 0: none */
	bool has_arg;  /* a value, not a flag */
	enum cli_env_scope scope;
} global_env[] = {
	{ "GRAVITY_DEBUG", 'd', 0, false, CLI_ENV_BOTH },
	{ "GRAVITY_USER", GOPT_USER, GOPT_NO_USER, false, CLI_ENV_GALAXYCTL },
	{ "GRAVITY_BACKEND", GOPT_BACKEND, 0, true, CLI_ENV_GALAXYCTL },
	{ "GRAVITY_SINGLE_USER", 's', 0, true, CLI_ENV_GALAXY },
	{ "GRAVITY_QUIET", GOPT_QUIET, 0, false, CLI_ENV_GALAXY },
};

/* One global option but -c, from the command line or a variable; arg is its value. */
static int cli_set_global(struct gx_cli *cli, int c, const char *arg, FILE *errout)
{
	switch (c) {
	case 'd':
		cli->debug = true;
		break;
	case GOPT_STATE_DIR:
		cli->state_dir = arg;
		break;
	case GOPT_USER:
	case GOPT_NO_USER:
		cli->user_mode = c == GOPT_USER;
		break;
	case GOPT_BACKEND:
		cli->backend = arg;
		break;
	case 's':
	case GOPT_QUIET:
		if (!cli->galaxy)
			return cli_usage_error(errout, "galaxyctl", NULL, "No such option: %s",
					       c == 's' ? "--single-user" : "--quiet");
		if (c == 's')
			cli->single_user = arg;
		else
			cli->quiet = true;
		break;
	}
	return 0;
}

/* The global variables whose options the command line left unset. */
static int cli_env_globals(struct gx_cli *cli, const bool *seen, FILE *errout)
{
	const char *prog = cli->galaxy ? "galaxy" : "galaxyctl";

	for (size_t i = 0; i < sizeof(global_env) / sizeof(*global_env); i++) {
		const struct cli_env_global *e = &global_env[i];
		const char *v = cli_env_get(e->var);
		int opt = e->opt, r;

		if (!v || seen[e->opt] || (e->opt_false && seen[e->opt_false]) ||
		    e->scope == (cli->galaxy ? CLI_ENV_GALAXYCTL : CLI_ENV_GALAXY))
			continue;
		if (!e->has_arg) {
			r = cli_env_bool(v);
			if (r < 0)
				return cli_env_bool_error(errout, prog, NULL, e->var, v);
			if (r == 0 && !e->opt_false)
				continue;
			opt = r ? e->opt : e->opt_false;
		}
		/* Values point into the environment, as others into argv: neither is freed. */
		r = cli_set_global(cli, opt, v, errout);
		if (r < 0)
			return r;
	}
	return 0;
}

/* Global options (and, for galaxy, its own); returns 1 for help/version. */
static int cli_parse_global(struct gx_cli *cli, int argc, char **argv, FILE *out,
			    FILE *errout)
{
	const char *prog = cli->galaxy ? "galaxy" : "galaxyctl";
	bool seen[GOPT_MAX] = { false };
	char bad[8];
	int c, r;

	opterr = 0;
	optind = 0;
	while ((c = getopt_long(argc, argv, cli->galaxy ? "+:dc:s:h" : "+:dc:h", global_opts,
				NULL)) != -1) {
		switch (c) {
		case 'c':
			if (cli_add_config(cli, optarg) < 0)
				return -ENOMEM;
			break;
		case GOPT_VERSION:
			cli_print_version(out, prog);
			return 1;
		case 'h':
			fputs(cli->galaxy ? galaxy_usage : "", out);
			if (cli->galaxy)
				fputs(exit_codes_help, out);
			else
				cli_print_main_help(out);
			return 1;
		case ':':
			return cli_usage_error(errout, prog, NULL, "Option '%s' requires an argument.",
					       cli_bad_option(argv, bad, sizeof(bad)));
		case '?':
			return cli_usage_error(errout, prog, NULL, "No such option: %s",
					       cli_bad_option(argv, bad, sizeof(bad)));
		default:
			seen[c] = true;
			r = cli_set_global(cli, c, optarg, errout);
			if (r < 0)
				return r;
		}
	}
	return cli_env_globals(cli, seen, errout);
}

/* One command option, from the command line or a variable (from names it in errors). */
static int cli_set_command_opt(struct gx_cli *cli, const struct cli_command *cmd, int c,
			       const char *arg, const char *from, FILE *errout)
{
	char *end;

	switch (c) {
	case OPT_FOREGROUND:
		cli->foreground = true;
		break;
	case OPT_QUIET:
		cli->quiet = true;
		break;
	case OPT_FORCE:
		cli->force = true;
		break;
	case OPT_CLEAN:
		cli->clean = true;
		break;
	case OPT_VERSION:
		cli->version = true;
		break;
	case OPT_JSON:
		cli->json = true;
		break;
	case OPT_SAMPLE_CONFIG:
		cli->sample_config = true;
		break;
	case OPT_DETAILS:
		cli->details = true;
		break;
	case OPT_START_IF_STOPPED:
		cli->start_if_stopped = true;
		break;
	case OPT_NO_EXEC:
		cli->no_exec = true;
		break;
	case OPT_CHECK_READY:
		cli->check_ready = true;
		break;
	case OPT_DRY_RUN:
		cli->dry_run = true;
		break;
	case OPT_TIMEOUT:
		errno = 0;
		cli->wait_timeout = strtol(arg, &end, 10);
		if (errno || *end || end == arg || cli->wait_timeout < 0)
			return cli_usage_error(errout, "galaxyctl", cmd->name,
					       "%s: '%s' is not a number of seconds", from, arg);
		break;
	case OPT_DELAY:
		errno = 0;
		cli->graceful_delay = strtod(arg, &end);
		if (errno || *end || end == arg || !(cli->graceful_delay >= 0) ||
		    cli->graceful_delay > CLI_MAX_DELAY_S)
			return cli_usage_error(errout, "galaxyctl", cmd->name,
					       "%s: '%s' is not a number of seconds from 0 to %d",
					       from, arg, CLI_MAX_DELAY_S);
		cli->graceful_delay_set = true;
		break;
	case OPT_SERVICE_INSTANCE:
		errno = 0;
		cli->service_instance = strtol(arg, &end, 10);
		if (errno || *end || end == arg || cli->service_instance < 0)
			return cli_usage_error(errout, "galaxyctl", cmd->name,
					       "%s: '%s' is not a non-negative integer", from, arg);
		break;
	}
	return 0;
}

/*
 * A command option's variable, as click names it: GRAVITY_, the command as
 * typed (an alias gives its own: GRAVITY_CONFIGS_VERSION), _, and the long
 * option, upper case with - as _.
 */
static void cli_env_name(char *buf, size_t len, const char *typed, const char *opt)
{
	snprintf(buf, len, "GRAVITY_%s_%s", typed, opt);
	for (char *p = buf; *p; p++)
		*p = *p == '-' ? '_' : (char)toupper((unsigned char)*p);
}

/* Every option of the command that the command line left unset, from its variable. */
static int cli_env_command(struct gx_cli *cli, const struct cli_command *cmd, const char *typed,
			   const bool *seen, FILE *errout)
{
	for (const struct option *o = cmd->options; o->name; o++) {
		char var[64], from[66];
		const char *v;
		int r;

		if (o->val == OPT_HELP || seen[o->val])
			continue;
		cli_env_name(var, sizeof(var), typed, o->name);
		v = cli_env_get(var);
		if (!v)
			continue;
		if (o->has_arg == no_argument) {
			r = cli_env_bool(v);
			if (r < 0)
				return cli_env_bool_error(errout, "galaxyctl", cmd->name, var, v);
			if (r == 0)
				continue;
		}
		snprintf(from, sizeof(from), "$%s", var);
		r = cli_set_command_opt(cli, cmd, o->val, v, from, errout);
		if (r < 0)
			return r;
	}
	return 0;
}

static int cli_parse_command(struct gx_cli *cli, const struct cli_command *cmd, int argc,
			     char **argv, FILE *out, FILE *errout)
{
	bool seen[OPT_MAX] = { false };
	char bad[8];
	int c, r;

	optind = 0;
	while ((c = getopt_long(argc, argv, cmd->shortopts, cmd->options, NULL)) != -1) {
		switch (c) {
		case OPT_HELP:
			cli_print_command_help(cmd, out);
			return 1;
		case ':':
			return cli_usage_error(errout, "galaxyctl", cmd->name,
					       "Option '%s' requires an argument.",
					       cli_bad_option(argv, bad, sizeof(bad)));
		case '?':
			return cli_usage_error(errout, "galaxyctl", cmd->name,
					       "No such option: %s", cli_bad_option(argv, bad, sizeof(bad)));
		default:
			seen[c] = true;
			r = cli_set_command_opt(cli, cmd, c, optarg, "--service-instance", errout);
			if (r < 0)
				return r;
		}
	}
	r = cli_env_command(cli, cmd, argv[0], seen, errout);
	if (r < 0)
		return r;
	cli->args = argv + optind;
	cli->n_args = (size_t)(argc - optind);
	if ((int)cli->n_args < cmd->min_args)
		return cli_usage_error(errout, "galaxyctl", cmd->name, "%s",
				       "Missing argument: SERVICE.");
	if (cmd->max_args >= 0 && (int)cli->n_args > cmd->max_args)
		return cli_usage_error(errout, "galaxyctl", cmd->name,
				       "Got unexpected extra argument (%s)", cli->args[cmd->max_args]);
	return 0;
}

int gx_cli_parse(struct gx_cli *cli, int argc, char **argv, FILE *out, FILE *errout)
{
	const char *base = argc > 0 ? strrchr(argv[0], '/') : NULL;
	int r, idx;

	memset(cli, 0, sizeof(*cli));
	cli->user_mode = -1;
	cli->service_instance = -1;
	cli->wait_timeout = 300;
	base = base ? base + 1 : (argc > 0 ? argv[0] : "galaxyctl");
	cli->galaxy = strcmp(base, "galaxy") == 0;
	r = cli_parse_global(cli, argc, argv, out, errout);
	if (r != 0)
		return r;
	if (cli->galaxy) {
		if (optind < argc)
			return cli_usage_error(errout, "galaxy", NULL,
					       "Got unexpected extra argument (%s)", argv[optind]);
		cli->command = GX_CMD_START;
		cli->foreground = true;
		if (!cli->backend)
			cli->backend = "direct";
		return 0;
	}
	if (optind >= argc) {
		cli_print_main_help(errout);
		return -EINVAL;
	}
	idx = cli_find_command(argv[optind]);
	if (idx < 0)
		return cli_usage_error(errout, "galaxyctl", NULL, "No such command '%s'.",
				       argv[optind]);
	cli->command = (enum gx_command)idx;
	return cli_parse_command(cli, &commands[idx], argc - optind, argv + optind, out, errout);
}

void gx_cli_release(struct gx_cli *cli)
{
	free(cli->config_files);
	cli->config_files = NULL;
	cli->n_config_files = 0;
}
