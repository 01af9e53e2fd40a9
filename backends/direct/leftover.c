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

#include "children.h"
#include "manager_int.h"
#include "proc.h"

/* How long leftovers get to exit after SIGTERM before SIGKILL. */
#define LEFTOVER_GRACE_MS 5000

/*
 * One process found by pid and start time, so that a reused pid is never
 * signalled.  A leader is a process the record names, proven by its boot,
 * pid and start time: the process group it leads is its own, since no
 * other process can make a group of its pid while it lives.
 */
struct leftover {
	pid_t pid;
	long long starttime;
	bool leader;
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

	return direct_proc_stat(l->pid, &st) == 0 && st.starttime == l->starttime &&
	       st.state != 'Z' && st.state != 'X';
}

/* ---------------------------------------------------------------------- */
/* Writing the record */

void mgr_children_write(struct direct_manager *m)
{
	struct direct_child_rec *v = calloc(m->n_progs + 1, sizeof(*v));
	size_t n = 0;
	int r;

	m->children_dirty = false;
	if (!m->boot_id[0])
		goto out_free; /* said at start: without a boot id nothing could be proven ours */
	r = v ? 0 : -ENOMEM;
	for (size_t i = 0; v && i < m->n_progs; i++)
		if (m->progs[i]->pid > 0 && m->progs[i]->starttime >= 0)
			v[n++] = (struct direct_child_rec){
				.pid = m->progs[i]->pid,
				.starttime = m->progs[i]->starttime,
				.key = direct_children_key(m->progs[i]->spec->name),
			};
	if (r == 0)
		r = direct_children_write(m->paths.children, m->boot_id, v, n);
	/* Once per kind of failure: the record is rewritten at every change. */
	if (r < 0 && r != m->children_error)
		mgr_log(m, "WARN", "cannot write %s (a crash now may leave processes behind): %s",
			m->paths.children, strerror(-r));
	else if (r == 0 && m->children_error)
		mgr_log(m, "INFO", "%s is written again", m->paths.children);
	m->children_error = r;
out_free:
	free(v);
}

/* ---------------------------------------------------------------------- */
/* Killing what it names */

static int leftover_push(struct leftover **v, size_t *n, pid_t pid, long long starttime,
			 bool leader)
{
	struct leftover *grown = realloc(*v, (*n + 1) * sizeof(**v));

	if (!grown)
		return -ENOMEM;
	*v = grown;
	(*v)[(*n)++] = (struct leftover){ .pid = pid, .starttime = starttime, .leader = leader };
	return 0;
}

/* The other members of the group that the proven leader pgid leads. */
static void leftover_members(pid_t pgid, struct leftover **v, size_t *n)
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
		if (pid != pgid && direct_proc_stat(pid, &st) == 0 && st.pgrp == pgid &&
		    st.state != 'Z')
			leftover_push(v, n, pid, st.starttime, false);
	}
	closedir(d);
}

/* The bytes of a /proc file, printable: \xHH for the others, spaces for NULs. */
static void leftover_proc_text(pid_t pid, const char *what, char *buf, size_t len)
{
	char path[64], raw[256];
	size_t o = 0;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%ld/%s", (long)pid, what);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	n = fd >= 0 ? read(fd, raw, sizeof(raw)) : -1;
	if (fd >= 0)
		close(fd);
	while (n > 0 && (raw[n - 1] == '\0' || raw[n - 1] == '\n'))
		n--;
	for (ssize_t i = 0; i < n && o + 5 < len; i++) {
		unsigned char c = (unsigned char)raw[i];

		if (c == '\0')
			buf[o++] = ' ';
		else if (c < 0x20 || c >= 0x7f || c == '\\')
			o += (size_t)snprintf(buf + o, len - o, "\\x%02x", c);
		else
			buf[o++] = (char)c;
	}
	buf[o] = '\0';
}

static void leftover_log_kill(struct direct_manager *m, pid_t pid)
{
	char comm[64], cmdline[400];

	leftover_proc_text(pid, "comm", comm, sizeof(comm));
	leftover_proc_text(pid, "cmdline", cmdline, sizeof(cmdline));
	mgr_log(m, "WARN", "killing what a previous manager left running: pid %ld (%s: %s) and its "
		"process group", (long)pid, comm, cmdline);
}

static void leftover_bad_line(void *ctx, unsigned line, const char *why)
{
	struct direct_manager *m = ctx;

	mgr_log(m, "WARN", "%s:%u: ignored (%s): nothing it names is stopped", m->paths.children, line,
		why);
}

/* The processes of the record that are still what it says, with their groups. */
static int leftover_find(struct direct_manager *m, struct leftover **v, size_t *n)
{
	struct direct_children c;
	int r = direct_children_read(m->paths.children, &c, leftover_bad_line, m);

	if (r == -ENOENT)
		return 0;
	if (r < 0) {
		mgr_log(m, "WARN", "%s ignored: %s", m->paths.children,
			r == -EBADMSG ? "not a children record of this version" :
			r == -EPERM   ? "not a regular file that only this user may write" :
					strerror(-r));
		return r;
	}
	if (m->boot_id[0] && strcmp(c.boot_id, m->boot_id) != 0)
		mgr_log(m, "INFO", "%s is from an earlier boot: nothing it names runs",
			m->paths.children);
	for (size_t i = 0; i < c.n; i++) {
		if (!direct_children_alive(&c, &c.v[i], m->boot_id[0] ? m->boot_id : NULL))
			continue;
		leftover_log_kill(m, c.v[i].pid);
		leftover_push(v, n, c.v[i].pid, c.v[i].starttime, true);
		leftover_members(c.v[i].pid, v, n);
	}
	direct_children_release(&c);
	return 0;
}

/* A leader's group while it lives (then no one else's), and every process itself. */
static void leftover_signal(struct leftover *v, size_t n, int sig)
{
	for (size_t i = 0; i < n; i++) {
		if (!leftover_alive(&v[i]))
			continue;
		if (v[i].leader)
			kill(-v[i].pid, sig);
		kill(v[i].pid, sig);
	}
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
	uint64_t until;
	int r = direct_boot_id(m->boot_id);

	if (r < 0) {
		m->boot_id[0] = '\0';
		mgr_log(m, "WARN", "cannot read /proc/sys/kernel/random/boot_id (%s): what a crash "
			"leaves running cannot be told from other processes, and is not stopped",
			strerror(-r));
	}
	if (leftover_find(m, &v, &n) == -EPERM)
		return; /* not ours to remove either */
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
