/* SPDX-License-Identifier: MIT */
/* memory_limit and memory_high without cgroups: process groups measured and acted on. */
#include <ctype.h>
#include <dirent.h>
#include <signal.h>
#include <stdlib.h>

#include "manager_int.h"
#include "proc.h"

/* How often the resident memory of limited programs is measured. */
#define MEMORY_POLL_MS 5000

static bool memory_limited(const struct mgr_prog *p)
{
	return p->pid > 0 && (p->spec->memory_limit_kb > 0 || p->spec->memory_high_kb > 0);
}

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
