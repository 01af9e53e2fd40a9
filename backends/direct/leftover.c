/* SPDX-License-Identifier: MIT */
/* Crash safety: the manager records what it runs; its successor kills what a crash left. */
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
#include "proc.h"

/* How long leftovers get to exit after SIGTERM before SIGKILL. */
#define LEFTOVER_GRACE_MS 5000

/* One process found by pid and start time, so that a reused pid is never signalled. */
struct leftover {
	pid_t pid;
	long long starttime;
};

long long mgr_proc_starttime(pid_t pid)
{
	struct direct_procstat st;

	return direct_proc_stat(pid, &st) == 0 ? st.starttime : -1;
}

/* Still the same, living process? */
static bool leftover_alive(const struct leftover *l)
{
	struct direct_procstat st;

	return direct_proc_stat(l->pid, &st) == 0 && st.starttime == l->starttime && st.state != 'Z';
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
		struct direct_procstat st;
		pid_t pid;

		if (!isdigit((unsigned char)e->d_name[0]))
			continue;
		pid = (pid_t)strtol(e->d_name, NULL, 10);
		if (direct_proc_stat(pid, &st) == 0 && st.pgrp == pgid && st.starttime >= since &&
		    st.state != 'Z')
			leftover_push(v, n, pid, st.starttime);
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
