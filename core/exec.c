/* SPDX-License-Identifier: MIT */
/* galaxyctl exec: print one process's command line, then become it (what every backend runs). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "diag.h"
#include "exec.h"
#include "fsutil.h"
#include "host.h"
#include "node.h"
#include "strv.h"

/* A word quoted for a POSIX shell, only when it needs to be. */
static void exec_print_quoted(FILE *out, const char *word)
{
	bool safe = *word != '\0';

	for (const char *p = word; *p && safe; p++)
		safe = strchr("@%+=:,./-_", *p) || (*p >= 'a' && *p <= 'z') ||
		       (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9');
	if (safe) {
		fputs(word, out);
		return;
	}
	fputc('\'', out);
	for (const char *p = word; *p; p++) {
		if (*p == '\'')
			fputs("'\"'\"'", out);
		else
			fputc(*p, out);
	}
	fputc('\'', out);
}

/* A list item's own umask wins over the service's (the first item's, or the top level's). */
static mode_t exec_umask(const struct gx_service *svc, unsigned process)
{
	const char *own = gx_node_get_str(svc->settings[process], "umask");

	if (own && *own && strspn(own, "01234567") == strlen(own))
		return (mode_t)strtol(own, NULL, 8);
	return (mode_t)strtol(svc->umask, NULL, 8);
}

/* exec --check-ready: the service's readiness check, once; 0 ready, 1 not (or no check). */
static int exec_check_ready(const struct gx_host *h, const struct gx_service *svc, unsigned process,
			    bool debug)
{
	struct gx_error err = { 0 };
	int r;

	if (!svc->type->ready)
		return GX_EXIT_OK;
	gx_log_mute(true);
	r = svc->type->ready(h, svc, process, 5.0, &err);
	gx_log_mute(false);
	if (r == 0)
		return GX_EXIT_OK;
	if (debug)
		gx_log(GX_LOG_INFO, "%s not ready: %s", svc->name, err.message);
	return GX_EXIT_FAILURE;
}

int gx_exec_process(const struct gx_host *h, const struct gx_instance *inst,
		    const struct gx_service *svc, unsigned process, const struct gx_exec_opts *opts)
{
	struct gx_strv argv = { 0 }, env = { 0 };
	struct gx_error err = { 0 };
	int code = GX_EXIT_FAILURE, r;

	if (opts->check_ready)
		return exec_check_ready(h, svc, process, opts->debug);
	if (h->service_argv(svc, process, &argv, &err) < 0 ||
	    h->service_env(svc, process, &env, &err) < 0) {
		gx_diag_print_error(&err, stderr);
		goto out_release;
	}
	/* stdout, as upstream: the lines head the service's own log. */
	if (!opts->quiet) {
		printf("Working directory: %s\nExecuting:", inst->working_dir);
		for (size_t i = 0; i < env.n; i++) {
			char *eq = strchr(env.v[i], '=');

			if (!eq)
				continue; /* not a variable: putenv() below would not set it either */
			printf(" %.*s=", (int)(eq - env.v[i]), env.v[i]);
			exec_print_quoted(stdout, eq + 1);
		}
		for (size_t i = 0; i < argv.n; i++) {
			putchar(' ');
			exec_print_quoted(stdout, argv.v[i]);
		}
		putchar('\n');
	}
	code = GX_EXIT_OK;
	if (opts->no_exec)
		goto out_release;
	fflush(NULL);
	code = GX_EXIT_FAILURE;
	if (chdir(inst->working_dir) < 0) {
		gx_log(GX_LOG_ERROR, "cannot change to %s: %s", inst->working_dir, strerror(errno));
		goto out_release;
	}
	r = gx_mkdir_p(inst->state_dir, 0755);
	if (r < 0) {
		gx_log(GX_LOG_ERROR, "cannot create %s: %s", inst->state_dir, strerror(-r));
		goto out_release;
	}
	umask(exec_umask(svc, process));
	for (size_t i = 0; i < env.n; i++)
		if (strchr(env.v[i], '='))
			putenv(env.v[i]); /* env.v stays alive: exec replaces us or we exit */
	execvp(argv.v[0], argv.v);
	gx_log(GX_LOG_ERROR, "cannot execute %s: %s", argv.v[0], strerror(errno));
	for (size_t i = 0; i < env.n; i++) {
		char *eq = strchr(env.v[i], '=');

		if (!eq)
			continue;
		*eq = '\0';
		unsetenv(env.v[i]);
		*eq = '=';
	}
out_release:
	gx_strv_release(&argv);
	gx_strv_release(&env);
	return code;
}

