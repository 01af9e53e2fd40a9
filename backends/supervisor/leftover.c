/* SPDX-License-Identifier: MIT */
/*
 * Programs that outlived their supervisord (kill -9, OOM): they still run, bound to their ports,
 * and a new supervisord would start a second copy of each beside them.
 *
 * supervisord gives every program SUPERVISOR_ENABLED=1 and SUPERVISOR_SERVER_URL=unix://<its
 * socket>, and their children inherit both.  Our socket is in our own state dir, so a process
 * whose environment names it was started by a supervisord of ours (or by that user faking it,
 * who can only fool us into stopping their own process).  Each one is held by a pidfd, checked
 * again through the pidfd's pid before any signal, and signalled through the pidfd: a pid that
 * is reused meanwhile is never signalled.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sv.h"

#define SV_ENVIRON_MAX (1024 * 1024)
#define SV_LEFTOVER_MAX 4096

struct sv_leftover {
	pid_t pid;
	int pidfd;
	char *name; /* SUPERVISOR_GROUP_NAME:SUPERVISOR_PROCESS_NAME */
};

static int sv_pidfd_open(pid_t pid)
{
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

static int sv_pidfd_signal(int pidfd, int sig)
{
	return (int)syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0);
}

/* /proc/PID/environ, NUL-separated (heap, caller frees), or NULL when unreadable. */
static char *sv_read_environ(pid_t pid, size_t *ret_len)
{
	char path[64];
	size_t len = 0, cap = 8192;
	char *buf = malloc(cap + 1);
	int fd;

	snprintf(path, sizeof(path), "/proc/%ld/environ", (long)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || !buf) {
		if (fd >= 0)
			close(fd);
		free(buf);
		return NULL;
	}
	for (;;) {
		ssize_t n;

		if (len == cap) {
			char *grown = cap < SV_ENVIRON_MAX ? realloc(buf, cap * 2 + 1) : NULL;

			if (!grown)
				break;
			buf = grown;
			cap *= 2;
		}
		n = read(fd, buf + len, cap - len);
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	*ret_len = len;
	return buf;
}

static const char *sv_env_lookup(const char *env, size_t len, const char *name)
{
	size_t nlen = strlen(name);

	for (size_t i = 0; i < len; i += strlen(env + i) + 1)
		if (strncmp(env + i, name, nlen) == 0 && env[i + nlen] == '=')
			return env + i + nlen + 1;
	return NULL;
}

/* Does pid run with our supervisord's URL?  *ret_name (heap) says which program it is. */
static bool sv_is_ours(pid_t pid, const char *url, char **ret_name)
{
	size_t len = 0;
	char *env = sv_read_environ(pid, &len);
	const char *got, *group, *proc;
	bool ours;

	if (!env)
		return false;
	got = sv_env_lookup(env, len, "SUPERVISOR_SERVER_URL");
	ours = got && strcmp(got, url) == 0 && sv_env_lookup(env, len, "SUPERVISOR_ENABLED");
	if (ours && ret_name) {
		group = sv_env_lookup(env, len, "SUPERVISOR_GROUP_NAME");
		proc = sv_env_lookup(env, len, "SUPERVISOR_PROCESS_NAME");
		if (asprintf(ret_name, "%s%s%s", group && proc && strcmp(group, proc) ? group : "",
			     group && proc && strcmp(group, proc) ? ":" : "", proc ? proc : "?") < 0)
			*ret_name = NULL;
	}
	free(env);
	return ours;
}

static void sv_leftovers_release(struct sv_leftover *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		close(v[i].pidfd);
		free(v[i].name);
	}
	free(v);
}

/* The parent of pid, from /proc/PID/stat (after the parenthesised name), or 0. */
static pid_t sv_parent_of(pid_t pid)
{
	char path[64], buf[512];
	ssize_t n;
	long ppid = 0;
	char *close_paren;
	int fd;

	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	close_paren = strrchr(buf, ')');
	if (!close_paren || sscanf(close_paren + 1, " %*c %ld", &ppid) != 1)
		return 0;
	return (pid_t)ppid;
}

/* Is pid this process or one it runs under (a shell started by a program)?  Never stopped. */
static bool sv_is_self_or_ancestor(pid_t pid)
{
	for (pid_t p = getpid(); p > 1; p = sv_parent_of(p))
		if (p == pid)
			return true;
	return false;
}

/* Every process of ours: held by a pidfd, and checked again once held. */
static int sv_leftovers_find(const char *url, struct sv_leftover **ret, size_t *ret_n)
{
	DIR *d = opendir("/proc");
	struct sv_leftover *v = NULL;
	size_t n = 0;
	struct dirent *e;

	if (!d)
		return -errno;
	while ((e = readdir(d)) && n < SV_LEFTOVER_MAX) {
		char *end, *name = NULL;
		long pid = strtol(e->d_name, &end, 10);
		struct sv_leftover *grown;
		int fd;

		if (*end || pid <= 0 || !sv_is_ours((pid_t)pid, url, NULL) ||
		    sv_is_self_or_ancestor((pid_t)pid))
			continue;
		fd = sv_pidfd_open((pid_t)pid);
		/* Held now: if the pid was reused before the open, this check sees the new process. */
		if (fd < 0 || !sv_is_ours((pid_t)pid, url, &name)) {
			if (fd >= 0)
				close(fd);
			free(name);
			continue;
		}
		grown = realloc(v, (n + 1) * sizeof(*v));
		if (!grown) {
			close(fd);
			free(name);
			break;
		}
		v = grown;
		v[n++] = (struct sv_leftover){ .pid = (pid_t)pid, .pidfd = fd, .name = name };
	}
	closedir(d);
	*ret = v;
	*ret_n = n;
	return 0;
}

static bool sv_exited(int pidfd)
{
	struct pollfd p = { .fd = pidfd, .events = POLLIN };

	return poll(&p, 1, 0) == 1;
}

static size_t sv_leftovers_alive(const struct sv_leftover *v, size_t n)
{
	size_t alive = 0;

	for (size_t i = 0; i < n; i++)
		alive += !sv_exited(v[i].pidfd);
	return alive;
}

static bool sv_leftovers_has(const struct sv_leftover *v, size_t n, pid_t pid)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].pid == pid)
			return true;
	return false;
}

int sv_orphans_find(struct sv_ctx *c, struct sv_orphans *ret)
{
	char *url = NULL;
	struct sv_leftover *v = NULL;
	size_t n = 0;
	int r;

	memset(ret, 0, sizeof(*ret));
	if (asprintf(&url, "unix://%s", c->paths.socket) < 0)
		return sv_oom(c);
	r = sv_leftovers_find(url, &v, &n);
	free(url);
	if (r < 0 || n == 0) {
		free(v);
		return 0;
	}
	ret->pids = calloc(n, sizeof(*ret->pids));
	ret->names = calloc(n, sizeof(*ret->names));
	for (size_t i = 0; ret->pids && ret->names && i < n; i++) {
		/* A program's own process: its parent is not one of them (workers' parents are). */
		if (!v[i].name || sv_leftovers_has(v, n, sv_parent_of(v[i].pid)))
			continue;
		ret->pids[ret->n] = v[i].pid;
		ret->names[ret->n++] = v[i].name;
		v[i].name = NULL;
	}
	r = ret->pids && ret->names ? 0 : sv_oom(c);
	sv_leftovers_release(v, n);
	if (r < 0)
		sv_orphans_release(ret);
	return r;
}

pid_t sv_orphans_pid(const struct sv_orphans *o, const char *name)
{
	for (size_t i = 0; i < o->n; i++)
		if (strcmp(o->names[i], name) == 0)
			return o->pids[i];
	return 0;
}

void sv_orphans_release(struct sv_orphans *o)
{
	for (size_t i = 0; i < o->n; i++)
		free(o->names[i]);
	free(o->names);
	free(o->pids);
	memset(o, 0, sizeof(*o));
}

int sv_leftovers_stop(struct sv_ctx *c)
{
	char *url = NULL;
	struct sv_leftover *v = NULL;
	size_t n = 0;
	struct sv_buf list = { 0 };
	double deadline;
	int r;

	if (asprintf(&url, "unix://%s", c->paths.socket) < 0)
		return sv_oom(c);
	r = sv_leftovers_find(url, &v, &n);
	free(url);
	if (r < 0 || n == 0) {
		free(v);
		return 0; /* no /proc: nothing we could prove ours */
	}
	for (size_t i = 0; i < n; i++)
		sv_buf_printf(&list, "%s%ld (%s)", i ? ", " : "", (long)v[i].pid,
			      v[i].name ? v[i].name : "?");
	c->h->log(GX_LOG_WARNING,
		  "supervisord is not running, but %zu processes it started still are; stopping "
		  "them: %s",
		  n, list.s ? list.s : "");
	sv_buf_release(&list);
	for (size_t i = 0; i < n; i++)
		sv_pidfd_signal(v[i].pidfd, SIGTERM);
	deadline = sv_now() + c->stop_wait_s;
	while (sv_leftovers_alive(v, n) && sv_now() < deadline)
		sv_sleep(0.1);
	if (sv_leftovers_alive(v, n)) {
		c->h->log(GX_LOG_WARNING, "%zu of them did not stop in %.0f s: killing them",
			  sv_leftovers_alive(v, n), c->stop_wait_s);
		for (size_t i = 0; i < n; i++)
			if (!sv_exited(v[i].pidfd))
				sv_pidfd_signal(v[i].pidfd, SIGKILL);
		deadline = sv_now() + 5;
		while (sv_leftovers_alive(v, n) && sv_now() < deadline)
			sv_sleep(0.1);
	}
	r = sv_leftovers_alive(v, n)
		    ? c->h->errorf(c->err, NULL, -EBUSY,
				   "%zu processes left by the previous supervisord would not exit "
				   "even after SIGKILL; supervisord was not started",
				   sv_leftovers_alive(v, n))
		    : 0;
	sv_leftovers_release(v, n);
	return r;
}
