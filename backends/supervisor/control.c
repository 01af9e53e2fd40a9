/* SPDX-License-Identifier: MIT */
/*
 * The commands start, stop, restart, follow, shutdown and the
 * supervisorctl pass-through.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sv.h"

/* ---------------------------------------------------------------------- */
/* The commands */

/* Runs op on every process of the selection. */
static int sv_on_selection(struct sv_ctx *c,
			   int (*op)(struct sv_ctx *, const struct sv_proc *, size_t))
{
	struct sv_selection sel;
	struct sv_proc *procs;
	size_t n = 0;
	int r = sv_select(c, &sel);

	if (r < 0)
		return r;
	procs = sv_procs(c, &sel, &n);
	r = procs ? op(c, procs, n) : sv_oom(c);
	free(procs);
	sv_selection_release(&sel);
	return r;
}

/* Has supervisord been started now (the command then stops there, as upstream does)? */
int sv_ensure_running(struct sv_ctx *c, const char *command, bool *ret_was_running)
{
	int r;

	r = sv_daemon_ensure(c, false);
	*ret_was_running = !c->launched;
	if (r == 0 && c->launched)
		c->h->log(GX_LOG_WARNING,
			  "supervisord was not previously running; it has been started, so the '%s' "
			  "command has been ignored", command);
	return r;
}

/* The log files of the selection, or supervisord's own with quiet, created when missing. */
static int sv_log_argv(struct sv_ctx *c, const char *tail, bool quiet, char ***ret)
{
	struct sv_selection sel = { 0 };
	size_t n = 0, k = 0;
	char **argv;
	int r = quiet ? 0 : sv_select(c, &sel);

	if (r < 0)
		return r;
	for (size_t i = 0; i < sel.n; i++)
		n += sel.v[i].prog.count;
	argv = calloc((quiet ? 1 : n) + 3, sizeof(char *));
	if (!argv) {
		sv_selection_release(&sel);
		return sv_oom(c);
	}
	argv[k++] = strdup(tail);
	argv[k++] = strdup("-f");
	if (quiet)
		argv[k++] = strdup(c->paths.log);
	for (size_t i = 0; i < sel.n; i++)
		for (unsigned p = 0; p < sel.v[i].prog.count; p++)
			if (sv_proc_selected(c, &sel.v[i], p))
				argv[k++] = strdup(sel.v[i].prog.logs[p]);
	sv_selection_release(&sel);
	for (size_t i = 0; i < k; i++) {
		if (!argv[i]) {
			for (size_t j = 0; j < k; j++)
				free(argv[j]);
			free(argv);
			return sv_oom(c);
		}
		if (i >= 2 && access(argv[i], F_OK) < 0) {
			int fd = open(argv[i], O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);

			if (fd >= 0)
				close(fd);
		}
	}
	*ret = argv;
	return 0;
}

static void sv_argv_free(char **argv)
{
	for (size_t i = 0; argv && argv[i]; i++)
		free(argv[i]);
	free(argv);
}

/* tail -f the logs until interrupted; with also, then wait for that process too. */
static int sv_follow_logs(struct sv_ctx *c, const char *tail, bool quiet, pid_t also)
{
	char **argv = NULL;
	int r = sv_log_argv(c, tail, quiet, &argv);

	if (r < 0)
		return r;
	r = sv_run_child(c, argv, also);
	sv_argv_free(argv);
	if (r > 0 && r != 128 + 2 && r != 128 + 15)
		r = c->h->errorf(c->err, NULL, -EIO, "tail exited with status %d", r);
	return r < 0 ? r : 0;
}

static char *sv_find_tail(struct sv_ctx *c)
{
	char *tail = sv_find_program(c, "tail");

	if (!tail)
		c->h->errorf(c->err, NULL, -ENOENT, "`tail` not found on $PATH, please install it");
	return tail;
}

int sv_op_start(struct sv_ctx *c)
{
	bool foreground = c->rq->foreground;
	char *tail = NULL;
	int r = 0;

	if (foreground && !(tail = sv_find_tail(c)))
		return -ENOENT;
	r = sv_update(c, false, false);
	if (r == 0)
		r = sv_daemon_ensure(c, foreground);
	if (r == 0)
		r = sv_on_selection(c, sv_start_procs);
	if (r == 0 && !foreground)
		r = sv_print_status(c);
	if (foreground && c->foreground_pid > 0) {
		struct gx_error saved = *c->err;
		int q = sv_follow_logs(c, tail, c->rq->quiet, c->foreground_pid);

		if (r < 0)
			*c->err = saved;
		else
			r = q;
	} else if (foreground && r == 0) {
		r = sv_follow_logs(c, tail, c->rq->quiet, 0);
	}
	free(tail);
	return r;
}

int sv_op_stop(struct sv_ctx *c)
{
	struct sv_reply infos;
	bool all_stopped = true;
	int r;

	if (!sv_daemon_running(c, NULL)) {
		c->h->log(GX_LOG_WARNING, "supervisord is not running");
		/* Nothing supervises what it left running: stop is where an admin looks for that. */
		return sv_leftovers_stop(c);
	}
	r = sv_on_selection(c, sv_stop_procs);
	if (r == 0)
		r = sv_infos(c, &infos);
	if (r < 0)
		return r;
	for (size_t i = 0; i < infos.value.n; i++)
		all_stopped = all_stopped &&
			      sv_stopped_state(sv_value_get_int(&infos.value.items[i], "state", -1));
	sv_reply_release(&infos);
	if (!all_stopped) {
		c->h->log(GX_LOG_INFO, "Not all processes stopped, supervisord not shut down (hint: see "
				       "`galaxyctl status`)");
		return 0;
	}
	c->h->log(GX_LOG_INFO, "All processes stopped, supervisord will exit");
	return sv_daemon_shutdown(c);
}

int sv_op_restart(struct sv_ctx *c)
{
	bool was_running;
	int r = sv_update(c, false, false);

	if (r == 0)
		r = sv_ensure_running(c, "restart", &was_running);
	if (r < 0 || !was_running)
		return r;
	return sv_on_selection(c, sv_restart_procs);
}

int sv_op_follow(struct sv_ctx *c, bool quiet)
{
	char *tail = sv_find_tail(c);
	int r;

	if (!tail)
		return -ENOENT;
	r = sv_follow_logs(c, tail, quiet, 0);
	free(tail);
	return r;
}

int sv_op_shutdown(struct sv_ctx *c)
{
	return sv_daemon_shutdown(c);
}

int sv_op_pm(struct sv_ctx *c)
{
	const struct gx_request *rq = c->rq;
	char *ctl, **argv;
	int r;

	if (!sv_daemon_running(c, NULL)) {
		c->h->log(GX_LOG_WARNING, "supervisord is not running");
		return 0;
	}
	r = sv_daemon_answers(c);
	if (r < 0)
		return r;
	ctl = sv_find_program(c, "supervisorctl");
	if (!ctl)
		return sv_missing_program(c, "supervisorctl");
	argv = calloc((size_t)rq->argc + 4, sizeof(char *));
	if (!argv) {
		free(ctl);
		return sv_oom(c);
	}
	argv[0] = ctl;
	argv[1] = (char *)"-c";
	argv[2] = c->paths.conf;
	for (int i = 0; i < rq->argc; i++)
		argv[3 + i] = rq->argv[i];
	/* Its exit status is galaxyctl's (pm's contract): 3 from `pm status` with something down. */
	r = sv_run_child(c, argv, 0);
	free(argv);
	free(ctl);
	return r;
}
