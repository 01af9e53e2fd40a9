/* SPDX-License-Identifier: MIT */
/* supervisord itself: finding it, starting it and waiting for it, shutting it down; child processes. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sv.h"

/* How long supervisord may take to write its pid file (upstream: 60 s). */
#define SV_START_TIMEOUT_S 60.0
#define SV_DEFAULT_PATH "/usr/local/bin:/usr/bin:/bin"

double sv_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void sv_sleep(double s)
{
	struct timespec ts = { .tv_sec = (time_t)s, .tv_nsec = (long)((s - (double)(time_t)s) * 1e9) };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static pid_t sv_read_pid(const char *path)
{
	char buf[32];
	ssize_t n;
	long pid;
	char *end;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	pid = strtol(buf, &end, 10);
	return end != buf && pid > 0 && pid < 1L << 30 ? (pid_t)pid : 0;
}

static bool sv_alive(pid_t pid)
{
	return pid > 0 && (kill(pid, 0) == 0 || errno == EPERM);
}

bool sv_daemon_running(const struct sv_ctx *c, pid_t *ret_pid)
{
	pid_t pid = sv_read_pid(c->paths.pidfile);

	if (!pid || access(c->paths.socket, F_OK) < 0 || !sv_alive(pid))
		return false;
	if (ret_pid)
		*ret_pid = pid;
	return true;
}

int sv_daemon_answers(struct sv_ctx *c)
{
	return c->h->refuse_if_stopped(sv_read_pid(c->paths.pidfile), "supervisord", c->err);
}

/* ---------------------------------------------------------------------- */
/* Finding programs */

static char *sv_executable(const char *dir, const char *name)
{
	struct stat st;
	char *path = NULL;

	if (asprintf(&path, "%s/%s", dir, name) < 0)
		return NULL;
	if (stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0)
		return path;
	free(path);
	return NULL;
}

char *sv_find_program(const struct sv_ctx *c, const char *name)
{
	const char *path = getenv("PATH");
	char *found = NULL;

	for (size_t i = 0; !found && i < c->rq->n_instances; i++) {
		const char *venv = c->rq->instances[i]->virtualenv;
		char *bin = NULL;

		if (venv && asprintf(&bin, "%s/bin", venv) >= 0) {
			found = sv_executable(bin, name);
			free(bin);
		}
	}
	if (!path || !*path)
		path = SV_DEFAULT_PATH;
	while (!found && *path) {
		size_t len = strcspn(path, ":");
		char *dir = strndup(len ? path : ".", len ? len : 1);

		if (dir)
			found = sv_executable(dir, name);
		free(dir);
		path += len + (path[len] == ':');
	}
	return found;
}

int sv_missing_program(struct sv_ctx *c, const char *name)
{
	struct sv_buf where = { 0 };
	const char *path = getenv("PATH");
	int code = -ENOENT;

	for (size_t i = 0; i < c->rq->n_instances; i++)
		if (c->rq->instances[i]->virtualenv)
			sv_buf_printf(&where, "%s/bin (the virtualenv of %s), ",
				      c->rq->instances[i]->virtualenv, c->rq->instances[i]->name);
	sv_buf_printf(&where, "$PATH (%s)", path && *path ? path : SV_DEFAULT_PATH);
	if (where.oom)
		code = c->h->errorf(c->err, NULL, -ENOMEM, "out of memory");
	else
		c->h->errorf(c->err, NULL, code,
			     "%s was not found in %s; install supervisor (Debian: apt-get install "
			     "supervisor) or pip install supervisor into the virtualenv",
			     name, where.s);
	sv_buf_release(&where);
	return code;
}

int sv_check_socket_path(struct sv_ctx *c)
{
	size_t len = strlen(c->paths.socket);
	size_t max = sizeof(((struct sockaddr_un *)0)->sun_path) - 1;

	if (len <= max)
		return 0;
	return c->h->errorf(c->err, NULL, -ENAMETOOLONG,
			    "the supervisord socket %s is %zu bytes long, more than a unix socket "
			    "can have (%zu): use a shorter --state-dir ($GRAVITY_STATE_DIR) or set "
			    "$SUPERVISORD_SOCKET to a shorter path",
			    c->paths.socket, len, max);
}

char *sv_file_tail(const char *path, unsigned lines)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	char buf[16384];
	off_t size;
	ssize_t n;
	char *p;

	if (fd < 0)
		return NULL;
	size = lseek(fd, 0, SEEK_END);
	if (size < 0 || lseek(fd, size > (off_t)sizeof(buf) - 1 ? size - (off_t)sizeof(buf) + 1 : 0,
			      SEEK_SET) < 0) {
		close(fd);
		return NULL;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return NULL;
	while (n > 0 && buf[n - 1] == '\n')
		n--;
	buf[n] = '\0';
	p = buf + n;
	while (p > buf && lines > 0) {
		p--;
		if (*p == '\n' && --lines == 0) {
			p++;
			break;
		}
	}
	return strdup(p);
}

/* ---------------------------------------------------------------------- */
/* Children */

/* In the child: default signal handling, an empty mask, then exec. */
static void sv_exec_child(char *const argv[])
{
	sigset_t none;

	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	signal(SIGPIPE, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	execvp(argv[0], argv);
	_exit(127);
}

static volatile sig_atomic_t sv_signalled;

static void sv_on_signal(int sig)
{
	sv_signalled = sig;
}

static int sv_exit_code(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : 1;
}

/*
 * Wait for pid and also (when > 0): a signal to us is passed on to both,
 * and when also ends first, pid is asked to end too.
 */
static int sv_wait_children(pid_t pid, pid_t also, int *ret_status)
{
	bool done = false, also_done = also <= 0;

	while (!done || !also_done) {
		int sig = sv_signalled, status;
		pid_t w;

		if (sig) {
			sv_signalled = 0;
			if (!done)
				kill(pid, sig);
			if (!also_done)
				kill(also, sig);
		}
		w = waitpid(also_done ? pid : -1, &status, 0);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		if (w == pid) {
			done = true;
			*ret_status = status;
		} else if (w == also) {
			also_done = true;
			if (!done)
				kill(pid, SIGTERM);
		}
	}
	return 0;
}

int sv_run_child(struct sv_ctx *c, char *const argv[], pid_t also)
{
	struct sigaction sa = { .sa_handler = sv_on_signal }, old_int, old_term;
	int status = 0, r;
	pid_t pid;

	fflush(NULL);
	sigemptyset(&sa.sa_mask);
	sv_signalled = 0;
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	pid = fork();
	if (pid == 0)
		sv_exec_child(argv);
	if (pid < 0) {
		r = c->h->errorf(c->err, NULL, -errno, "cannot run %s: %s", argv[0], strerror(errno));
	} else {
		r = sv_wait_children(pid, also, &status);
		if (r < 0)
			r = c->h->errorf(c->err, NULL, r, "waiting for %s: %s", argv[0], strerror(-r));
		else if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
			r = c->h->errorf(c->err, NULL, -ENOENT, "cannot run %s", argv[0]);
		else
			r = sv_exit_code(status);
	}
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	return r;
}

/* ---------------------------------------------------------------------- */
/* Starting supervisord */

/* Read what the starting supervisord printed, without blocking. */
static void sv_drain(int fd, struct sv_buf *out)
{
	char buf[4096];
	ssize_t n;

	while (fd >= 0 && (n = read(fd, buf, sizeof(buf))) > 0)
		if (out->len < 65536)
			sv_buf_add(out, buf, (size_t)n);
}

static int sv_launch_failed(struct sv_ctx *c, const char *what, const struct sv_buf *output)
{
	char *tail = sv_file_tail(c->paths.log, 20);
	size_t len = output->s ? strlen(output->s) : 0;

	while (len > 0 && output->s[len - 1] == '\n')
		len--;
	c->h->errorf(c->err, NULL, -EIO, "supervisord %s%s%.*s%s%s%s%s", what,
		     len ? ":\n" : "", (int)len, len ? output->s : "",
		     tail ? "\nthe end of " : "", tail ? c->paths.log : "", tail ? ":\n" : "",
		     tail ? tail : "");
	free(tail);
	return -EIO;
}

static pid_t sv_spawn_supervisord(char *const argv[], int out_fd)
{
	pid_t pid = fork();

	if (pid != 0)
		return pid;
	if (out_fd >= 0) {
		int null = open("/dev/null", O_RDONLY);

		if (null >= 0) {
			dup2(null, 0);
			close(null);
		}
		dup2(out_fd, 1);
		dup2(out_fd, 2);
		close(out_fd);
	}
	sv_exec_child(argv);
	return -1;
}

/* Wait for the pid file and socket; fail when the started process ends badly. */
static int sv_wait_started(struct sv_ctx *c, pid_t pid, bool foreground, int out_fd)
{
	struct sv_buf output = { 0 };
	double deadline = sv_now() + SV_START_TIMEOUT_S;
	bool exited = false;
	int status, r = 0;

	for (;;) {
		sv_drain(out_fd, &output);
		if (!exited && waitpid(pid, &status, WNOHANG) == pid) {
			exited = true;
			if (foreground || sv_exit_code(status) != 0) {
				char what[64];

				snprintf(what, sizeof(what), "exited with status %d at start",
					 sv_exit_code(status));
				sv_drain(out_fd, &output);
				r = sv_launch_failed(c, what, &output);
				break;
			}
		}
		if (sv_daemon_running(c, NULL))
			break;
		if (sv_now() > deadline) {
			r = sv_launch_failed(c, "did not write its pid file and socket within 60 s",
					     &output);
			break;
		}
		sv_sleep(0.05);
	}
	sv_buf_release(&output);
	return r;
}

static int sv_daemon_launch(struct sv_ctx *c, bool foreground)
{
	char *exe = sv_find_program(c, "supervisord");
	char *argv[] = { exe, (char *)"-c", c->paths.conf, (char *)"--nodaemon", NULL };
	char *conf = NULL;
	int pipefd[2] = { -1, -1 };
	pid_t pid;
	int r;

	if (!exe)
		return sv_missing_program(c, "supervisord");
	r = sv_check_socket_path(c);
	if (r == 0)
		r = sv_render_supervisord_conf(c->h, c->paths.socket_env, &conf, c->err);
	if (r == 0)
		r = c->h->write_file(c->paths.conf, conf, strlen(conf), 0644, c->err);
	if (r == 0 && mkdir(c->paths.conf_dir, 0755) < 0 && errno != EEXIST)
		r = c->h->errorf(c->err, NULL, -errno, "cannot create %s: %s", c->paths.conf_dir,
				 strerror(errno));
	free(conf);
	if (r < 0)
		goto out;
	unlink(c->paths.pidfile); /* stale: supervisord is not running */
	if (!foreground) {
		argv[3] = NULL;
		if (pipe2(pipefd, O_CLOEXEC | O_NONBLOCK) < 0) {
			r = c->h->errorf(c->err, NULL, -errno, "cannot start supervisord: %s",
					 strerror(errno));
			goto out;
		}
	}
	c->h->log(GX_LOG_DEBUG, "Starting %s -c %s%s", exe, c->paths.conf,
		  foreground ? " --nodaemon" : "");
	fflush(NULL);
	pid = sv_spawn_supervisord(argv, pipefd[1]);
	if (pipefd[1] >= 0)
		close(pipefd[1]);
	if (pid < 0) {
		r = c->h->errorf(c->err, NULL, -errno, "cannot start supervisord: %s", strerror(errno));
		goto out;
	}
	r = sv_wait_started(c, pid, foreground, pipefd[0]);
	if (r < 0 && foreground && kill(pid, SIGTERM) == 0)
		waitpid(pid, NULL, 0);
	if (r == 0) {
		c->launched = true;
		c->foreground_pid = foreground ? pid : 0;
	}
out:
	if (pipefd[0] >= 0)
		close(pipefd[0]);
	free(exe);
	return r;
}

/* The supervisor dir, created when missing and locked: one galaxyctl starts supervisord at a time. */
static int sv_lock_dir(struct sv_ctx *c, int *ret_fd)
{
	char *copy = strdup(c->paths.dir);
	int fd, r = 0;

	if (!copy)
		return sv_oom(c);
	for (char *p = copy + 1; r == 0 && *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(copy, 0755) < 0 && errno != EEXIST)
			r = -errno;
		*p = '/';
	}
	if (r == 0 && mkdir(copy, 0755) < 0 && errno != EEXIST)
		r = -errno;
	free(copy);
	if (r < 0)
		return c->h->errorf(c->err, NULL, r, "cannot create %s: %s", c->paths.dir, strerror(-r));
	fd = open(c->paths.dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || flock(fd, LOCK_EX) < 0) {
		r = -errno;
		if (fd >= 0)
			close(fd);
		return c->h->errorf(c->err, NULL, r, "cannot lock %s: %s", c->paths.dir, strerror(-r));
	}
	*ret_fd = fd;
	return 0;
}

int sv_daemon_ensure(struct sv_ctx *c, bool foreground)
{
	int fd = -1;
	int r = sv_lock_dir(c, &fd);

	if (r < 0)
		return r;
	if (!sv_daemon_running(c, NULL)) {
		r = sv_leftovers_stop(c);
		if (r == 0)
			r = sv_daemon_launch(c, foreground);
	}
	close(fd);
	return r;
}

int sv_daemon_shutdown(struct sv_ctx *c)
{
	struct sv_reply reply;
	pid_t pid = 0;
	double deadline;
	int r;

	if (!sv_daemon_running(c, &pid)) {
		c->h->log(GX_LOG_WARNING, "supervisord is not running");
		return 0;
	}
	r = sv_ctx_call(c, NULL, "supervisor.shutdown", NULL, 0, 30, &reply);
	if (r == -ESHUTDOWN) {
		sv_out(c, "ERROR: already shutting down\n");
	} else if (r < 0) {
		return r;
	} else {
		sv_reply_release(&reply);
		sv_out(c, "Shut down\n");
	}
	deadline = sv_now() + c->stop_wait_s + 30;
	while (sv_alive(pid)) {
		if (sv_now() > deadline)
			return c->h->errorf(c->err, NULL, -ETIMEDOUT,
					    "supervisord (pid %ld) is still running %.0f s after "
					    "being asked to shut down",
					    (long)pid, c->stop_wait_s + 30);
		c->h->log(GX_LOG_DEBUG, "Waiting for supervisord to terminate");
		sv_sleep(0.2);
	}
	c->h->log(GX_LOG_INFO, "supervisord has terminated");
	return 0;
}
