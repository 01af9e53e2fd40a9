/* SPDX-License-Identifier: MIT */
/* Command-line parsing for galaxyctl and galaxy, with per-command help. */
#ifndef GX_CLI_H
#define GX_CLI_H

#include <stdbool.h>
#include <stdio.h>

enum gx_command {
	GX_CMD_START,
	GX_CMD_STOP,
	GX_CMD_RESTART,
	GX_CMD_GRACEFUL,
	GX_CMD_UPDATE,
	GX_CMD_SHUTDOWN,
	GX_CMD_FOLLOW,
	GX_CMD_LIST,
	GX_CMD_SHOW,
	GX_CMD_STATUS,
	GX_CMD_PM,
	GX_CMD_EXEC,
	GX_CMD_WAIT,
	GX_CMD_MAX
};

/* Exit codes, documented in --help. */
enum gx_exit {
	GX_EXIT_OK = 0,
	GX_EXIT_FAILURE = 1,     /* the command ran and failed */
	GX_EXIT_CHANGES = 1,     /* update --dry-run: something would change */
	GX_EXIT_USAGE = 2,       /* bad command line */
	GX_EXIT_CONFIG = 3,      /* invalid config: nothing was changed */
	GX_EXIT_NOT_RUNNING = 3, /* status: a selected service is not running (supervisorctl's 3);
				  * wait: not every selected service was ready in time */
	GX_EXIT_UNAVAILABLE = 4, /* backend or command not available in this build */
};

struct gx_cli {
	bool galaxy;        /* invoked as `galaxy` */
	bool debug;
	char **config_files; /* -c, borrowed from argv */
	size_t n_config_files;
	const char *state_dir;
	int user_mode;      /* -1 unset, 0 --no-user, 1 --user */
	const char *backend;
	enum gx_command command;
	bool foreground;
	bool quiet;
	bool force;
	bool clean;
	bool dry_run;       /* update --dry-run */
	bool version;       /* list --version */
	bool json;
	bool details; /* show --details */
	bool start_if_stopped; /* graceful --start-if-stopped */
	bool graceful_delay_set; /* graceful --delay */
	double graceful_delay;   /* its seconds */
	bool sample_config; /* show --sample-config */
	long service_instance; /* exec --service-instance, -1 when unset */
	long wait_timeout;     /* wait --timeout, seconds */
	bool no_exec;
	bool check_ready;   /* exec --check-ready */
	const char *single_user; /* galaxy -s */
	char **args;        /* positional arguments, borrowed from argv */
	size_t n_args;
};

/*
 * Parse argv.  Returns 0 to run the command, 1 when it printed help or
 * the version to out (exit 0), or -EINVAL after printing a usage error to
 * errout (exit GX_EXIT_USAGE).  An option the command line leaves unset is
 * taken from its GRAVITY_* variable (see galaxyctl(1)).  cli->config_files
 * is heap (free it with gx_cli_release); other strings point into argv or
 * the environment.
 */
int gx_cli_parse(struct gx_cli *cli, int argc, char **argv, FILE *out, FILE *errout);
void gx_cli_release(struct gx_cli *cli);
const char *gx_command_name(enum gx_command cmd);

#endif
