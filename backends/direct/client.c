/* SPDX-License-Identifier: MIT */
/* galaxyctl's side of the direct manager: the lock, finding or starting the manager, requests. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "client.h"
#include "manager_int.h"

/* How long a new manager may take to listen (it first stops what a crashed one left). */
#define CLIENT_SPAWN_TIMEOUT_MS 30000

int direct_client_lock(const struct direct_paths *p, void (*note)(const char *msg))
{
	int fd = open(p->lock, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);

	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_EX | LOCK_NB) == 0)
		return fd;
	if (errno == EWOULDBLOCK && note)
		note("waiting for another galaxyctl run on this state dir to finish");
	while (flock(fd, LOCK_EX) < 0) {
		if (errno != EINTR) {
			int r = -errno;

			close(fd);
			return r;
		}
	}
	return fd;
}

pid_t direct_client_manager_pid(const struct direct_paths *p)
{
	char buf[32];
	ssize_t n;
	pid_t pid = 0;
	int fd = open(p->pid, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0)
		return 0;
	if (flock(fd, LOCK_SH | LOCK_NB) < 0 && errno == EWOULDBLOCK) {
		n = read(fd, buf, sizeof(buf) - 1);
		buf[n > 0 ? n : 0] = '\0';
		pid = (pid_t)strtol(buf, NULL, 10);
		if (pid <= 0)
			pid = 1; /* alive, pid not written yet */
	}
	close(fd);
	return pid;
}

int direct_client_connect(const struct direct_paths *p, struct direct_conn *c)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, r;

	memset(c, 0, sizeof(*c));
	c->fd = -1;
	if (strlen(p->sock) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, p->sock);
	/* Non-blocking: a manager whose backlog is full (stopped, flooded) fails the connect at once. */
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
		c->fd = fd;
		return 0;
	}
	r = -errno;
	close(fd);
	if (r == -EAGAIN)
		return -EBUSY;
	if (r != -ENOENT && r != -ECONNREFUSED)
		return r;
	/* Nobody holds the pid file: what is left is stale, and the next manager replaces it. */
	return direct_client_manager_pid(p) > 0 ? -EAGAIN : -ENOENT;
}

static long client_ms_left(const struct timespec *until)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (until->tv_sec - now.tv_sec) * 1000 + (until->tv_nsec - now.tv_nsec) / 1000000;
}

int direct_client_call(struct direct_conn *c, json_t *req, int timeout_ms, json_t **ret_reply,
		       char *why, size_t len)
{
	struct timespec until;
	json_t *reply = NULL;
	int r = direct_send(c->fd, req, DIRECT_REQUEST_MAX, timeout_ms);

	if (r == -E2BIG) {
		snprintf(why, len, "the request to the direct manager would be longer than the 1 MiB "
			 "it reads (too many programs or too large an environment for one update)");
		return r;
	}
	if (r < 0) {
		snprintf(why, len, "cannot talk to the direct manager: %s", strerror(-r));
		return r;
	}
	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += timeout_ms / 1000;
	until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	while (!reply) {
		struct pollfd pfd = { .fd = c->fd, .events = POLLIN };
		long left = client_ms_left(&until);
		int bad;
		long n;

		reply = direct_linebuf_next(&c->in, &bad);
		if (reply)
			break;
		if (bad) {
			snprintf(why, len, "the direct manager sent something that is not JSON");
			return -EPROTO;
		}
		if (left <= 0) {
			snprintf(why, len, "the direct manager did not answer within %d s", timeout_ms / 1000);
			return -ETIMEDOUT;
		}
		n = poll(&pfd, 1, left > 1000000 ? 1000000 : (int)left);
		if (n < 0 && errno != EINTR)
			return -errno;
		/* Nothing to read yet: never read (and block) past the deadline. */
		if (n <= 0)
			continue;
		n = direct_linebuf_fill(&c->in, c->fd);
		if (n == 0 || (n < 0 && n != -EAGAIN)) {
			snprintf(why, len, "the direct manager closed the connection");
			return -ECONNRESET;
		}
	}
	if (!json_is_true(json_object_get(reply, "ok"))) {
		const char *text = json_string_value(json_object_get(reply, "error"));

		snprintf(why, len, "%s", text ? text : "the direct manager refused the request");
		json_decref(reply);
		return -EPROTO;
	}
	*ret_reply = reply;
	return 0;
}

void direct_client_close(struct direct_conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	direct_linebuf_release(&c->in);
}

static bool client_process_gone(pid_t pid)
{
	char path[64], buf[512];
	const char *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return kill(pid, 0) < 0 && errno == ESRCH;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	p = strrchr(buf, ')');
	return !p || p[1] == '\0' || p[2] == 'Z' || p[2] == 'X';
}

int direct_client_wait_exit(pid_t pid, int timeout_ms)
{
	for (int waited = 0; waited < timeout_ms; waited += 10) {
		if (client_process_gone(pid))
			return 0;
		nanosleep(&(struct timespec){ .tv_nsec = 10 * 1000000L }, NULL);
	}
	return client_process_gone(pid) ? 0 : -ETIMEDOUT;
}

/*
 * In the grandchild: detach, log to the manager's log, become the manager.
 * chain: galaxyctl and the child that detached this one, which the manager
 * takes along when it leaves their cgroup for its leaf (while they remain
 * in it, they keep it from giving its children the memory controller).
 */
static void client_daemon(const struct direct_paths *p, const char *state_dir, const char *exe,
			  int ready, const pid_t chain[2])
{
	char fdbuf[16], client[24], detacher[24];
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	int log = open(p->log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0644);

	umask(022);
	if (chdir("/") < 0 || null < 0 || dup2(null, STDIN_FILENO) < 0 ||
	    dup2(log >= 0 ? log : null, STDOUT_FILENO) < 0 ||
	    dup2(log >= 0 ? log : null, STDERR_FILENO) < 0)
		_exit(1);
	if (exe) {
		int fd = fcntl(ready, F_DUPFD, 3); /* without O_CLOEXEC: it crosses exec */

		snprintf(fdbuf, sizeof(fdbuf), "%d", fd);
		snprintf(client, sizeof(client), "%ld", (long)chain[0]);
		snprintf(detacher, sizeof(detacher), "%ld", (long)chain[1]);
		execl(exe, "galaxyctl-direct", "--state-dir", state_dir, "--ready-fd", fdbuf,
		      "--client-pid", client, "--client-pid", detacher, (char *)NULL);
		fprintf(stderr, "cannot execute %s: %s; running the manager in-process\n", exe,
			strerror(errno));
		close(fd);
	}
	/* Nothing of galaxyctl's (its lock above all) may stay open in a long-lived manager. */
	for (int fd = 3; fd < 1024; fd++)
		if (fd != ready)
			close(fd);
	_exit(direct_manager_serve_chain(state_dir, ready, chain, 2));
}

int direct_client_spawn(const struct direct_paths *p, const char *state_dir, const char *exe,
			char *why, size_t len)
{
	struct timespec until;
	char msg[600] = "";
	size_t got = 0;
	int ready[2], status;
	pid_t chain[2] = { getpid(), 0 }, pid;

	if (pipe2(ready, O_CLOEXEC) < 0) {
		snprintf(why, len, "cannot create a pipe: %s", strerror(errno));
		return -errno;
	}
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		close(ready[0]);
		if (setsid() < 0)
			_exit(1);
		chain[1] = getpid();
		pid = fork();
		if (pid == 0)
			client_daemon(p, state_dir, exe, ready[1], chain);
		_exit(pid < 0 ? 1 : 0);
	}
	close(ready[1]);
	if (pid < 0) {
		close(ready[0]);
		snprintf(why, len, "cannot fork: %s", strerror(errno));
		return -errno;
	}
	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += CLIENT_SPAWN_TIMEOUT_MS / 1000;
	while (got < sizeof(msg) - 1 && !strchr(msg, '\n')) {
		struct pollfd pfd = { .fd = ready[0], .events = POLLIN };
		long left = client_ms_left(&until);
		ssize_t n;

		if (left <= 0 || poll(&pfd, 1, (int)left) == 0)
			break;
		n = read(ready[0], msg + got, sizeof(msg) - 1 - got);
		if (n <= 0 && !(n < 0 && errno == EINTR))
			break;
		if (n > 0)
			got += (size_t)n;
		msg[got] = '\0';
	}
	close(ready[0]);
	/*
	 * Reaped only now: until the manager said its word, the child's pid,
	 * which the manager may move with itself, stays its (a zombie's).
	 */
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	msg[strcspn(msg, "\n")] = '\0';
	if (strcmp(msg, "ok") == 0)
		return 0;
	if (strncmp(msg, "error: ", 7) == 0)
		snprintf(why, len, "the direct manager cannot start: %s", msg + 7);
	else
		snprintf(why, len, "the direct manager did not start (see %s)", p->log);
	return -EIO;
}
