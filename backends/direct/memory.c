/* SPDX-License-Identifier: MIT */
/* memory_limit and memory_high: a cgroup v2 per program where one is delegated, else a poll. */
#include <ctype.h>
#include <dirent.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include "manager_int.h"
#include "proc.h"

/* How often the resident memory of limited programs outside cgroups is measured. */
#define MEMORY_POLL_MS 5000
/* At exit, how long program cgroups get to empty before they are left behind. */
#define MEMORY_RELEASE_MS 1000

static bool memory_has_limits(const struct direct_spec *s)
{
	return s->memory_limit_kb > 0 || s->memory_high_kb > 0;
}

/* Limited, running, and held by the poll rather than by a cgroup. */
static bool memory_limited(const struct mgr_prog *p)
{
	return p->pid > 0 && !p->in_cgroup && memory_has_limits(p->spec);
}

static long long memory_bytes(long long kb)
{
	return kb > LLONG_MAX / 1024 ? LLONG_MAX : kb * 1024;
}

/* ---------------------------------------------------------------------- */
/* cgroup v2 */

void mgr_memory_init(struct direct_manager *m, const char *state_dir)
{
	const char *dir = getenv("GRAVITY_DIRECT_CGROUP");
	char *owner = realpath(state_dir, NULL);
	struct direct_cgroup_opts opts = {
		.dir = dir && *dir ? dir : NULL,
		/* The same manager, however its state dir is spelt, finds its cgroups again. */
		.owner = owner ? owner : state_dir,
		.chain = m->chain,
		.n_chain = m->n_chain,
	};

	dir = opts.dir;
	if (direct_cgroup_prepare(&m->cgroup, &opts) == 0)
		mgr_log(m, "INFO", "cgroup v2 %s: the manager moved into its leaf cgroup %s/manager, "
			"programs with memory limits get cgroups %s/%sNAME beside it", m->cgroup.dir,
			m->cgroup.dir, m->cgroup.dir, m->cgroup.prefix);
	else if (dir) /* asked for by name: say at once that it is not used */
		mgr_log(m, "WARN", "GRAVITY_DIRECT_CGROUP=%s is not used: %s; memory limits are polled",
			dir, m->cgroup.why);
	free(owner);
}

/* Log how p's limits apply, unless that is what was said last. */
static void memory_say(struct direct_manager *m, struct mgr_prog *p, const char *level,
		       const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void memory_say(struct direct_manager *m, struct mgr_prog *p, const char *level,
		       const char *fmt, ...)
{
	char text[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (p->memory_said && strcmp(p->memory_said, text) == 0)
		return;
	mgr_log(m, level, "memory limits of %s: %s", p->spec->name, text);
	free(p->memory_said);
	p->memory_said = strdup(text);
}

static void memory_say_cgroup(struct direct_manager *m, struct mgr_prog *p)
{
	char max[32] = "max", high[32] = "max";

	if (p->spec->memory_limit_kb > 0)
		snprintf(max, sizeof(max), "%lld", memory_bytes(p->spec->memory_limit_kb));
	if (p->spec->memory_high_kb > 0)
		snprintf(high, sizeof(high), "%lld", memory_bytes(p->spec->memory_high_kb));
	if (p->oom_group_why)
		memory_say(m, p, "WARN", "cgroup v2 %s (memory.max=%s, memory.high=%s; %s: at memory.max "
			   "the kernel kills single processes, not the program)", p->cgroup, max, high,
			   p->oom_group_why);
	else
		memory_say(m, p, "INFO", "cgroup v2 %s (memory.max=%s, memory.high=%s, memory.oom.group=1)",
			   p->cgroup, max, high);
}

static void memory_say_poll(struct direct_manager *m, struct mgr_prog *p, const char *level,
			    const char *why)
{
	memory_say(m, p, level, "RSS polled every %d s (%s)", MEMORY_POLL_MS / 1000, why);
}

/* Its cgroup, once its processes are gone (at once, or when they are reaped). */
static void memory_drop_cgroup(struct direct_manager *m, struct mgr_prog *p)
{
	if (!p->cgroup)
		return;
	direct_cgroup_remove(&m->cgroup, p->cgroup);
	free(p->cgroup);
	p->cgroup = NULL;
	p->in_cgroup = false;
	free(p->oom_group_why);
	p->oom_group_why = NULL;
}

int mgr_memory_cgroup(struct direct_manager *m, struct mgr_prog *p, char *why, size_t len)
{
	const struct direct_spec *s = p->spec;
	char *path = NULL, oom[512];
	int fd;

	p->in_cgroup = false;
	why[0] = '\0';
	if (!memory_has_limits(s)) {
		memory_drop_cgroup(m, p);
		return -1;
	}
	if (!m->cgroup.dir) {
		snprintf(why, len, "%s", m->cgroup.why);
		return -1;
	}
	if (direct_cgroup_add(&m->cgroup, s->name, memory_bytes(s->memory_limit_kb),
			      memory_bytes(s->memory_high_kb), &path, why, len) < 0)
		return -1;
	free(p->cgroup);
	p->cgroup = path;
	/* At memory.max the whole program goes (autorestart applies), as with systemd's OOMPolicy=stop. */
	free(p->oom_group_why);
	p->oom_group_why = direct_cgroup_oom_group(path, oom, sizeof(oom)) < 0 ? strdup(oom) : NULL;
	fd = direct_cgroup_open_procs(path);
	if (fd < 0)
		snprintf(why, len, "cannot open %s/cgroup.procs: %s", path, strerror(-fd));
	return fd < 0 ? -1 : fd;
}

void mgr_memory_spawned(struct direct_manager *m, struct mgr_prog *p, bool moved, int cgroup_error,
			const char *why)
{
	char failed[768];

	if (!memory_has_limits(p->spec)) {
		free(p->memory_said);
		p->memory_said = NULL;
		return;
	}
	if (moved && cgroup_error == 0) {
		p->in_cgroup = true;
		memory_say_cgroup(m, p);
	} else if (moved) {
		snprintf(failed, sizeof(failed), "cannot move pid %ld into cgroup %s: %s",
			 (long)p->pid, p->cgroup, strerror(cgroup_error));
		memory_say_poll(m, p, "WARN", failed);
	} else {
		/* No cgroup here is common; a cgroup that failed this program is worth a warning. */
		memory_say_poll(m, p, m->cgroup.dir ? "WARN" : "INFO", why);
	}
}

void mgr_memory_respec(struct direct_manager *m, struct mgr_prog *p)
{
	const struct direct_spec *s = p->spec;
	char why[512];

	if (p->pid <= 0)
		return;
	if (p->in_cgroup) {
		if (direct_cgroup_limit(p->cgroup, memory_bytes(s->memory_limit_kb),
					memory_bytes(s->memory_high_kb), why, sizeof(why)) == 0) {
			memory_say_cgroup(m, p);
			return;
		}
		p->in_cgroup = false;
		memory_say_poll(m, p, "WARN", why);
	} else if (memory_has_limits(s)) {
		memory_say_poll(m, p, "INFO", m->cgroup.dir ? "limited while it runs: it gets its cgroup "
				"when it starts again" : m->cgroup.why);
	} else {
		free(p->memory_said);
		p->memory_said = NULL;
	}
}

void mgr_memory_forget(struct direct_manager *m, struct mgr_prog *p)
{
	memory_drop_cgroup(m, p);
	free(p->memory_said);
	p->memory_said = NULL;
}

void mgr_memory_release(struct direct_manager *m)
{
	uint64_t until = mgr_now_ms() + MEMORY_RELEASE_MS;

	direct_cgroup_sweep(&m->cgroup);
	while (m->cgroup.n_stale > 0 && mgr_now_ms() < until) {
		/* What is left of a program's group, the manager's to reap, holds its cgroup. */
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
		nanosleep(&(struct timespec){ .tv_nsec = 10 * 1000000L }, NULL);
		direct_cgroup_sweep(&m->cgroup);
	}
	direct_cgroup_release(&m->cgroup);
}

/* ---------------------------------------------------------------------- */
/* The poll */

/* The resident memory of every limited program's process group, in one pass over /proc. */
static void memory_measure(struct direct_manager *m)
{
	DIR *d = opendir("/proc");
	struct dirent *e;

	for (size_t i = 0; i < m->n_progs; i++)
		m->progs[i]->rss_kb = 0;
	if (!d)
		return;
	while ((e = readdir(d))) {
		struct direct_procstat st;

		if (!isdigit((unsigned char)e->d_name[0]) ||
		    direct_proc_stat((pid_t)strtol(e->d_name, NULL, 10), &st) < 0)
			continue;
		for (size_t i = 0; i < m->n_progs; i++)
			if (memory_limited(m->progs[i]) && m->progs[i]->pid == st.pgrp)
				m->progs[i]->rss_kb += st.rss_kb;
	}
	closedir(d);
}

/* Over memory_limit: restart (SIGTERM, then a new start).  Over memory_high: say so, once. */
static void memory_check(struct direct_manager *m, struct mgr_prog *p)
{
	const struct direct_spec *s = p->spec;

	if (s->memory_limit_kb > 0 && p->rss_kb > s->memory_limit_kb &&
	    (p->state == GX_STATE_STARTING || p->state == GX_STATE_RUNNING)) {
		mgr_log(m, "WARN", "memory: %s holds %ld kB, over its memory_limit of %lld kB: restarting it",
			s->name, p->rss_kb, s->memory_limit_kb);
		p->start_after_stop = true;
		mgr_event(m, p, DIRECT_EV_STOP);
		return;
	}
	if (s->memory_high_kb > 0 && p->rss_kb > s->memory_high_kb && !p->over_high)
		mgr_log(m, "WARN", "memory: %s holds %ld kB, over its memory_high of %lld kB "
			"(without a cgroup it cannot be throttled)", s->name, p->rss_kb, s->memory_high_kb);
	p->over_high = s->memory_high_kb > 0 && p->rss_kb > s->memory_high_kb;
}

void mgr_memory_poll(struct direct_manager *m, uint64_t now)
{
	bool any = false;

	if (m->memory_deadline_ms && m->memory_deadline_ms <= now) {
		memory_measure(m);
		for (size_t i = 0; i < m->n_progs; i++)
			if (memory_limited(m->progs[i]))
				memory_check(m, m->progs[i]);
	}
	for (size_t i = 0; i < m->n_progs && !any; i++)
		any = memory_limited(m->progs[i]);
	if (!any)
		m->memory_deadline_ms = 0;
	else if (!m->memory_deadline_ms || m->memory_deadline_ms <= now)
		m->memory_deadline_ms = now + MEMORY_POLL_MS;
}
