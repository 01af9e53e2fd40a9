/* SPDX-License-Identifier: MIT */
/* The request's mode and unit dir, and running systemctl and journalctl as upstream calls them. */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "systemd.h"

/* ---------------------------------------------------------------------- */
/* The request */

static const char *sd_home(void)
{
	const char *home = getenv("HOME");
	struct passwd *pw;

	if (home && *home)
		return home;
	pw = getpwuid(geteuid());
	return pw ? pw->pw_dir : NULL;
}

int sd_init(struct sd *sd, const struct gx_host *h, const struct gx_request *rq,
	    struct gx_error *err)
{
	const char *path = getenv("GRAVITY_SYSTEMD_UNIT_PATH");
	const char *home;

	memset(sd, 0, sizeof(*sd));
	sd->h = h;
	sd->rq = rq;
	sd->user_mode = rq->user_mode;
	/*
	 * Cleaning up as root after instances that moved to another backend
	 * (which needs GRAVITY_SKIP_SYSTEMD, so root looks like a user): the
	 * units they had as root are system units.
	 */
	if (rq->n_instances == 0 && geteuid() == 0)
		sd->user_mode = false;
	if (path && *path) {
		sd->unit_dir = strdup(path);
	} else if (!sd->user_mode) {
		sd->unit_dir = strdup("/etc/systemd/system");
	} else {
		home = sd_home();
		if (!home)
			return h->errorf(err, NULL, -ENOENT,
					 "cannot find the home directory for ~/.config/systemd/user "
					 "(set HOME or GRAVITY_SYSTEMD_UNIT_PATH)");
		if (asprintf(&sd->unit_dir, "%s/.config/systemd/user", home) < 0)
			sd->unit_dir = NULL;
	}
	if (!sd->unit_dir)
		return h->errorf(err, NULL, -ENOMEM, "out of memory");
	return 0;
}

void sd_release(struct sd *sd)
{
	free(sd->unit_dir);
	sd->unit_dir = NULL;
}

bool sd_use_name(const struct sd *sd, const struct gx_instance *inst)
{
	/* Upstream counts every config, whichever process manager it uses. */
	return sd_use_instance_name(inst, sd->rq->n_instances + sd->rq->n_other_instances);
}

/* ---------------------------------------------------------------------- */
/* Child processes */

struct sd_child {
	const struct gx_strv *argv;
	bool capture;
	bool quiet_stderr;
	bool interactive; /* the child owns the terminal: an interrupt is its to handle */
};

/* In the child: plumbing, then exec; the errno of a failed exec goes back through errfd. */
static void sd_child_exec(const struct sd_child *c, int outfd, int errfd)
{
	int e;

	if (c->interactive) {
		signal(SIGINT, SIG_DFL);
		signal(SIGQUIT, SIG_DFL);
	}
	if (outfd >= 0 && dup2(outfd, STDOUT_FILENO) < 0)
		goto fail;
	if (c->quiet_stderr) {
		int null = open("/dev/null", O_WRONLY | O_CLOEXEC);

		if (null < 0 || dup2(null, STDERR_FILENO) < 0)
			goto fail;
	}
	execvp(c->argv->v[0], c->argv->v);
fail:
	e = errno;
	if (write(errfd, &e, sizeof(e)) < 0) {
		/* the parent sees status 127 alone */
	}
	_exit(127);
}

static int sd_read_all(int fd, char **ret)
{
	struct sd_buf b = { 0 };
	char chunk[4096];
	ssize_t n;

	for (;;) {
		n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		sd_buf_addn(&b, chunk, (size_t)n);
	}
	*ret = sd_buf_steal(&b);
	return *ret ? 0 : -ENOMEM;
}

static int sd_wait(pid_t pid, int *status)
{
	while (waitpid(pid, status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return 0;
}

/* Run the child to its end.  *ret_status: exit status, or 128 + signal. */
static int sd_run(const struct gx_host *h, const struct sd_child *c, char **ret_out,
		  int *ret_status, struct gx_error *err)
{
	int outp[2] = { -1, -1 }, errp[2] = { -1, -1 };
	struct sigaction ign = { .sa_handler = SIG_IGN }, old_int, old_quit;
	char *out = NULL;
	int status = 0, child_errno = 0, r = 0;
	pid_t pid;

	if ((c->capture && pipe2(outp, O_CLOEXEC) < 0) || pipe2(errp, O_CLOEXEC) < 0) {
		r = -errno;
		goto out_close;
	}
	fflush(NULL);
	if (c->interactive) {
		sigaction(SIGINT, &ign, &old_int);
		sigaction(SIGQUIT, &ign, &old_quit);
	}
	pid = fork();
	if (pid == 0)
		sd_child_exec(c, outp[1], errp[1]);
	if (pid < 0) {
		r = -errno;
		goto out_signals;
	}
	close(errp[1]);
	errp[1] = -1;
	if (c->capture) {
		close(outp[1]);
		outp[1] = -1;
		r = sd_read_all(outp[0], &out);
	}
	while (read(errp[0], &child_errno, sizeof(child_errno)) < 0 && errno == EINTR)
		;
	if (sd_wait(pid, &status) < 0 && r == 0)
		r = -ECHILD;
out_signals:
	if (c->interactive) {
		sigaction(SIGINT, &old_int, NULL);
		sigaction(SIGQUIT, &old_quit, NULL);
	}
out_close:
	for (int i = 0; i < 2; i++) {
		if (outp[i] >= 0)
			close(outp[i]);
		if (errp[i] >= 0)
			close(errp[i]);
	}
	if (r == 0 && child_errno)
		r = h->errorf(err, NULL, -child_errno, "cannot run %s: %s%s", c->argv->v[0],
			      strerror(child_errno),
			      child_errno == ENOENT ? " (is systemd installed and on PATH?)" : "");
	else if (r < 0)
		r = h->errorf(err, NULL, r, "cannot run %s: %s", c->argv->v[0], strerror(-r));
	if (r < 0) {
		free(out);
		return r;
	}
	if (ret_out)
		*ret_out = out;
	else
		free(out);
	*ret_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	return 0;
}

static void sd_log_call(const struct gx_host *h, const char *what, const struct gx_strv *argv)
{
	struct sd_buf b = { 0 };
	char *text;

	if (!h->debug)
		return;
	for (size_t i = 1; i < argv->n; i++)
		sd_buf_addf(&b, "%s'%s'", i > 1 ? ", " : "", argv->v[i]);
	text = sd_buf_steal(&b);
	h->log(GX_LOG_DEBUG, "Calling %s with args: [%s]", what, text ? text : "");
	free(text);
}

/* ---------------------------------------------------------------------- */
/* Is the manager there to answer? */

/* The pid listening on the manager's private socket, 0 when there is none. */
static pid_t sd_manager_pid(const struct sd *sd)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	const char *runtime = getenv("XDG_RUNTIME_DIR");
	struct ucred cred = { 0 };
	socklen_t len = sizeof(cred);
	int n, fd;

	if (sd->user_mode && runtime && *runtime)
		n = snprintf(addr.sun_path, sizeof(addr.sun_path), "%s/systemd/private", runtime);
	else if (sd->user_mode)
		n = snprintf(addr.sun_path, sizeof(addr.sun_path), "/run/user/%lu/systemd/private",
			     (unsigned long)geteuid());
	else
		n = snprintf(addr.sun_path, sizeof(addr.sun_path), "/run/systemd/private");
	if (n < 0 || (size_t)n >= sizeof(addr.sun_path))
		return 0;
	/* A stopped listener still completes a connect (the kernel queues it): never blocks. */
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return 0;
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 ||
	    getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
		cred.pid = 0;
	close(fd);
	return cred.pid > 0 ? cred.pid : 0;
}

/*
 * A stopped (SIGSTOP) or traced systemd takes systemctl's request, and
 * systemctl gives up after its D-Bus timeout; the manager then carries the
 * request out once continued.  So nothing is asked of it.
 */
static int sd_manager_answers(const struct sd *sd, struct gx_error *err)
{
	return sd->h->refuse_if_stopped(sd_manager_pid(sd),
					sd->user_mode ? "the systemd user manager"
						      : "the systemd manager",
					err);
}

/* ---------------------------------------------------------------------- */
/* systemctl and journalctl */

static bool sd_ignored(const struct sd_call *call, int rc)
{
	for (const int *p = call->ignore_rc; p && *p; p++)
		if (*p == rc)
			return true;
	return false;
}

int sd_systemctl(const struct sd *sd, const struct sd_call *call, const struct gx_strv *args,
		 char **ret_out, int *ret_rc, struct gx_error *err)
{
	const struct gx_host *h = sd->h;
	const char *extra = getenv("GRAVITY_SYSTEMCTL_EXTRA_ARGS");
	struct gx_strv argv = { 0 };
	struct sd_child c = { .argv = &argv, .capture = call->capture,
			      .quiet_stderr = call->quiet_stderr };
	char *out = NULL;
	int r, rc = 0;

	r = h->strv_push(&argv, "systemctl");
	if (r == 0 && sd->user_mode)
		r = h->strv_push(&argv, "--user");
	if (r == 0 && extra && *extra) {
		struct gx_error split = { 0 };

		r = h->strv_split(&argv, extra, &split);
		if (r < 0 && r != -ENOMEM) {
			h->strv_release(&argv);
			return h->errorf(err, NULL, r, "GRAVITY_SYSTEMCTL_EXTRA_ARGS: %s",
					 split.message);
		}
	}
	for (size_t i = 0; r == 0 && i < args->n; i++)
		r = h->strv_push(&argv, args->v[i]);
	if (r < 0) {
		h->strv_release(&argv);
		return h->errorf(err, NULL, -ENOMEM, "out of memory");
	}
	sd_log_call(h, "systemctl", &argv);
	r = sd_manager_answers(sd, err);
	if (r == 0)
		r = sd_run(h, &c, call->capture ? &out : NULL, &rc, err);
	if (r == 0 && rc != 0 && !call->any_rc && !sd_ignored(call, rc)) {
		if (call->not_found_rc && rc == call->not_found_rc)
			r = h->errorf(err, NULL, -ENOENT, "%s", SD_NOT_FOUND_HINT);
		else
			r = h->errorf(err, NULL, -EIO, "systemctl %s failed with exit status %d",
				      args->n ? args->v[0] : "", rc);
	}
	h->strv_release(&argv);
	if (r < 0) {
		free(out);
		return r;
	}
	if (ret_out)
		*ret_out = out;
	else
		free(out);
	if (ret_rc)
		*ret_rc = rc;
	return 0;
}

int sd_systemctl_l(const struct sd *sd, const struct sd_call *call, char **ret_out,
		   struct gx_error *err, ...)
{
	struct gx_strv args = { 0 };
	const char *a;
	va_list ap;
	int r = 0;

	va_start(ap, err);
	while (r == 0 && (a = va_arg(ap, const char *)))
		r = sd->h->strv_push(&args, a);
	va_end(ap);
	if (r < 0)
		r = sd->h->errorf(err, NULL, r, "out of memory");
	else
		r = sd_systemctl(sd, call, &args, ret_out, NULL, err);
	sd->h->strv_release(&args);
	return r;
}

int sd_journalctl(const struct sd *sd, const struct gx_strv *args, struct gx_error *err)
{
	const struct gx_host *h = sd->h;
	struct gx_strv argv = { 0 };
	struct sd_child c = { .argv = &argv, .interactive = true };
	int r, rc = 0;

	r = h->strv_push(&argv, "journalctl");
	if (r == 0 && sd->user_mode)
		r = h->strv_push(&argv, "--user");
	for (size_t i = 0; r == 0 && i < args->n; i++)
		r = h->strv_push(&argv, args->v[i]);
	if (r < 0) {
		h->strv_release(&argv);
		return h->errorf(err, NULL, -ENOMEM, "out of memory");
	}
	sd_log_call(h, "journalctl", &argv);
	r = sd_run(h, &c, NULL, &rc, err);
	/* Following ends with an interrupt; that is how the user leaves, not a failure. */
	if (r == 0 && rc != 0 && rc != 128 + SIGINT && rc != 130)
		r = h->errorf(err, NULL, -EIO, "journalctl failed with exit status %d", rc);
	h->strv_release(&argv);
	return r;
}

char *sd_manager_path(const struct sd *sd)
{
	struct sd_call call = { .capture = true, .quiet_stderr = true };
	struct gx_error err = { 0 };
	char *out = NULL, *path = NULL;

	if (sd_systemctl_l(sd, &call, &out, &err, "show-environment", NULL) < 0) {
		sd->h->log(GX_LOG_DEBUG, "cannot ask the service manager for its PATH: %s",
			   err.message);
		return NULL;
	}
	for (char *line = out; line && *line;) {
		char *next = strchr(line, '\n');

		if (next)
			*next++ = '\0';
		if (strncmp(line, "PATH=", 5) == 0) {
			path = strdup(line + 5);
			break;
		}
		line = next;
	}
	free(out);
	return path;
}
