/* SPDX-License-Identifier: MIT */
/* Crash safety: the manager records what it runs, and its successor kills what a crash left behind. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "manager_int.h"

/* How long leftovers get to exit after SIGTERM before SIGKILL. */
#define LEFTOVER_GRACE_MS 5000

/* One process found by pid and start time, so that a reused pid is never signalled. */
struct leftover {
	pid_t pid;
	long long starttime;
};

/* Fields of /proc/PID/stat after the command name: state, pgrp and starttime. */
static int leftover_stat(pid_t pid, char *state, pid_t *pgrp, long long *starttime)
{
	char path[64], buf[1024];
	const char *p;
	ssize_t n;
	int fd, field;

	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -EIO;
	buf[n] = '\0';
	p = strrchr(buf, ')');
	if (!p)
		return -EIO;
	/* Field 3 (state) follows ") "; pgrp is field 5, starttime field 22. */
	p += 2;
	*state = *p;
	for (field = 3; *p && field < 22; p++)
		if (*p == ' ') {
			field++;
			if (field == 5)
				*pgrp = (pid_t)strtol(p + 1, NULL, 10);
		}
	if (field != 22)
		return -EIO;
	*starttime = strtoll(p, NULL, 10);
	return 0;
}

long long mgr_proc_starttime(pid_t pid)
{
	long long t = -1;
	pid_t pgrp;
	char state;

	return leftover_stat(pid, &state, &pgrp, &t) == 0 ? t : -1;
}

/* Still the same, living process? */
static bool leftover_alive(const struct leftover *l)
{
	long long t;
	pid_t pgrp;
	char state;

	return leftover_stat(l->pid, &state, &pgrp, &t) == 0 && t == l->starttime && state != 'Z';
}

void mgr_children_write(struct direct_manager *m)
{
	size_t len = strlen(m->paths.children) + 8;
	char *tmp = malloc(len);
	FILE *f;

	m->children_dirty = false;
	if (!tmp)
		return;
	snprintf(tmp, len, "%s.tmp", m->paths.children);
	f = fopen(tmp, "we");
	if (!f) {
		free(tmp);
		return;
	}
	for (size_t i = 0; i < m->n_progs; i++)
		if (m->progs[i]->pid > 0)
			fprintf(f, "%ld %lld %s\n", (long)m->progs[i]->pid, m->progs[i]->starttime,
				m->progs[i]->spec->name);
	if (fclose(f) == 0)
		rename(tmp, m->paths.children);
	else
		unlink(tmp);
	free(tmp);
}

static int leftover_push(struct leftover **v, size_t *n, pid_t pid, long long starttime)
{
	struct leftover *grown = realloc(*v, (*n + 1) * sizeof(**v));

	if (!grown)
		return -ENOMEM;
	*v = grown;
	(*v)[(*n)++] = (struct leftover){ .pid = pid, .starttime = starttime };
	return 0;
}

/* Members of group pgid started no earlier than its leader was (the leader itself may be gone). */
static void leftover_group(pid_t pgid, long long since, struct leftover **v, size_t *n)
{
	DIR *d = opendir("/proc");
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d))) {
		long long t;
		pid_t pid, pgrp = 0;
		char state;

		if (!isdigit((unsigned char)e->d_name[0]))
			continue;
		pid = (pid_t)strtol(e->d_name, NULL, 10);
		if (leftover_stat(pid, &state, &pgrp, &t) == 0 && pgrp == pgid && t >= since &&
		    state != 'Z')
			leftover_push(v, n, pid, t);
	}
	closedir(d);
}

static void leftover_signal(struct leftover *v, size_t n, int sig)
{
	for (size_t i = 0; i < n; i++)
		if (leftover_alive(&v[i]))
			kill(v[i].pid, sig);
}

static bool leftover_any(struct leftover *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (leftover_alive(&v[i]))
			return true;
	return false;
}

void mgr_leftovers_kill(struct direct_manager *m)
{
	struct leftover *v = NULL;
	size_t n = 0;
	char line[4096];
	FILE *f = fopen(m->paths.children, "re");
	uint64_t until;

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		long pid;
		long long starttime;
		int name_at = 0;
		size_t before;

		if (sscanf(line, "%ld %lld %n", &pid, &starttime, &name_at) < 2 || pid <= 1)
			continue;
		before = n;
		line[strcspn(line, "\n")] = '\0';
		leftover_group((pid_t)pid, starttime, &v, &n);
		if (n > before)
			mgr_log(m, "WARN", "killing what a previous manager left running: %s (pid %ld)",
				line + name_at, pid);
	}
	fclose(f);
	leftover_signal(v, n, SIGTERM);
	leftover_signal(v, n, SIGCONT);
	until = mgr_now_ms() + LEFTOVER_GRACE_MS;
	while (leftover_any(v, n) && mgr_now_ms() < until) {
		struct timespec ts = { .tv_nsec = 50 * 1000000L };

		nanosleep(&ts, NULL);
	}
	leftover_signal(v, n, SIGKILL);
	free(v);
	unlink(m->paths.children);
}
