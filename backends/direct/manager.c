/* SPDX-License-Identifier: MIT */
/* The direct manager: supervises programs in an event loop, controlled over a unix socket. */
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "manager_int.h"
#include "spawn.h"

/* Output is read in chunks of this size, a few per wakeup, so that no program starves others. */
#define MGR_CHUNK 16384
#define MGR_READS_PER_WAKEUP 4
/* The daemon's own log: manager.log, rotated at 10 MB, three backups. */
#define MGR_OWN_LOG_MAX (10LL << 20)
#define MGR_OWN_LOG_BACKUPS 3

/* How often a STARTING program's readiness is probed, from one second after its spawn. */
#define MGR_PROBE_MS 1000u

static const int mgr_signals[] = { SIGCHLD, SIGTERM, SIGINT, SIGQUIT, SIGHUP, SIGUSR1, SIGUSR2 };

uint64_t mgr_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* supervisord's format: "2024-01-20 14:44:24,619 INFO spawned: 'celery' with pid 291651". */
void mgr_log(struct direct_manager *m, const char *level, const char *fmt, ...)
{
	struct timespec ts;
	struct tm tm;
	char line[2048];
	size_t len;
	va_list ap;
	int n;

	clock_gettime(CLOCK_REALTIME, &ts);
	localtime_r(&ts.tv_sec, &tm);
	len = strftime(line, sizeof(line), "%Y-%m-%d %H:%M:%S", &tm);
	n = snprintf(line + len, sizeof(line) - len, ",%03ld %s ", ts.tv_nsec / 1000000, level);
	len += n > 0 ? (size_t)n : 0;
	va_start(ap, fmt);
	n = vsnprintf(line + len, sizeof(line) - len - 1, fmt, ap);
	va_end(ap);
	len = n < 0 ? len : len + (size_t)n < sizeof(line) - 1 ? len + (size_t)n : sizeof(line) - 2;
	line[len++] = '\n';
	if (m && m->own_log.fd >= 0) {
		direct_logfile_write(&m->own_log, line, len);
	} else {
		fwrite(line, 1, len, stderr);
		fflush(stderr);
	}
}

static void mgr_epoll_add(struct direct_manager *m, int fd, struct mgr_tag *tag)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = tag };

	if (epoll_ctl(m->epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
		mgr_log(m, "CRIT", "cannot watch fd %d: %s", fd, strerror(errno));
}

/* ---------------------------------------------------------------------- */
/* Programs */

struct mgr_prog *mgr_find(const struct direct_manager *m, const char *name)
{
	for (size_t i = 0; i < m->n_progs; i++)
		if (strcmp(m->progs[i]->spec->name, name) == 0)
			return m->progs[i];
	return NULL;
}

bool mgr_busy(const struct mgr_prog *p)
{
	return p->state == GX_STATE_STOPPING || p->start_after_stop || p->remove_after_stop;
}

static void mgr_set_why(struct mgr_prog *p, const char *why)
{
	char *copy = strdup(why);

	if (copy) {
		free(p->why);
		p->why = copy;
	}
}

/* The label of p, padded to the longest name; every label grows when a longer name comes. */
static int mgr_prefix_init(struct direct_manager *m, struct mgr_prog *p)
{
	int len = (int)strlen(p->spec->name);

	if (len > m->label_width) {
		m->label_width = len;
		for (size_t i = 0; i < m->n_progs; i++)
			direct_prefix_relabel(&m->progs[i]->px, m->progs[i]->spec->name,
					      m->label_width, m->colour ? (int)i : -1);
	}
	return direct_prefix_init(&p->px, p->spec->name, m->label_width,
				  m->colour ? (int)m->n_progs : -1);
}

int mgr_add(struct direct_manager *m, struct direct_spec *spec, struct mgr_prog **ret)
{
	struct mgr_prog *p;

	if (m->n_progs == m->alloc_progs) {
		size_t alloc = m->alloc_progs ? m->alloc_progs * 2 : 16;
		struct mgr_prog **grown = realloc(m->progs, alloc * sizeof(*grown));

		if (!grown)
			return -ENOMEM;
		m->progs = grown;
		m->alloc_progs = alloc;
	}
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->spec = spec;
	p->state = GX_STATE_STOPPED;
	p->out_fd = -1;
	p->report_fd = -1;
	p->exit_status = -1;
	p->tag = (struct mgr_tag){ .source = MGR_SRC_OUTPUT, .owner = p };
	direct_logfile_init(&p->log);
	if (m->foreground && mgr_prefix_init(m, p) < 0) {
		free(p);
		return -ENOMEM;
	}
	m->progs[m->n_progs++] = p;
	*ret = p;
	return 0;
}

static void mgr_close_output(struct direct_manager *m, struct mgr_prog *p)
{
	if (p->out_fd < 0)
		return;
	epoll_ctl(m->epfd, EPOLL_CTL_DEL, p->out_fd, NULL);
	close(p->out_fd);
	p->out_fd = -1;
	if (m->foreground)
		direct_prefix_flush(&p->px, STDOUT_FILENO);
}

/*
 * What the exec report says, once known: a failure becomes the reason the
 * program exited.  True when the exec failed.
 */
static bool mgr_check_exec(struct direct_manager *m, struct mgr_prog *p)
{
	char why[512];
	int r;

	if (p->report_fd < 0)
		return false;
	r = direct_spawn_check(p->report_fd, p->spec, why, sizeof(why));
	if (r == 0)
		return false;
	close(p->report_fd);
	p->report_fd = -1;
	if (r > 0)
		return false;
	mgr_log(m, "INFO", "spawnerr: %s: %s", p->spec->name, why);
	mgr_set_why(p, why);
	return true;
}

void mgr_remove(struct direct_manager *m, struct mgr_prog *p)
{
	size_t i;

	for (i = 0; i < m->n_progs && m->progs[i] != p; i++)
		;
	if (i == m->n_progs)
		return;
	memmove(m->progs + i, m->progs + i + 1, (m->n_progs - i - 1) * sizeof(*m->progs));
	m->n_progs--;
	mgr_close_output(m, p);
	if (p->report_fd >= 0)
		close(p->report_fd);
	direct_logfile_release(&p->log);
	direct_prefix_release(&p->px);
	mgr_memory_forget(m, p);
	direct_spec_free(p->spec);
	direct_spec_free(p->next_spec);
	free(p->why);
	free(p);
}

/* Install a new definition; the log follows it when its path or limits changed. */
void mgr_set_spec(struct direct_manager *m, struct mgr_prog *p, struct direct_spec *spec)
{
	bool reopen = p->log.path && strcmp(p->log.path, spec->log) != 0;

	direct_spec_free(p->spec);
	p->spec = spec;
	p->log.max_bytes = spec->log_max_bytes;
	p->log.backups = spec->log_backups;
	p->log.set_owner = spec->set_user && geteuid() == 0;
	p->log.uid = spec->uid;
	p->log.gid = spec->gid;
	if (reopen && p->log.fd >= 0 &&
	    direct_logfile_open(&p->log, spec->log, spec->log_max_bytes, spec->log_backups) < 0)
		mgr_log(m, "WARN", "%s: %s", spec->name, p->log.why);
	else if (reopen)
		direct_logfile_release(&p->log);
	mgr_memory_respec(m, p);
}

/* After a full disk, the first write that fits says in the log what was lost, and the manager
 * log says it too.  On failure the note itself is not counted as lost output. */
static void mgr_note_dropped(struct direct_manager *m, struct mgr_prog *p)
{
	long long dropped = p->log.dropped;
	char note[160];
	int n = snprintf(note, sizeof(note),
			 "\n[galaxyctl: %lld bytes of output were lost here: no space on the disk]\n",
			 dropped);

	if (n <= 0 || direct_logfile_write(&p->log, note, (size_t)n) < 0) {
		p->log.dropped = dropped;
		return;
	}
	p->log.dropped = 0;
	mgr_log(m, "WARN", "%s: %lld bytes of its output were lost while %s could not be written "
		"(the disk was full)", p->spec->name, dropped, p->log.path);
}

static void mgr_write_output(struct direct_manager *m, struct mgr_prog *p, const char *data,
			     size_t len)
{
	if (p->log.fd >= 0 && p->log.dropped > 0)
		mgr_note_dropped(m, p);
	/* A full disk is said once it has room again, with what it cost. */
	if (p->log.fd >= 0 && direct_logfile_write(&p->log, data, len) < 0 &&
	    p->log.error != -ENOSPC)
		mgr_log(m, "WARN", "%s: cannot write log %s: %s", p->spec->name, p->log.path,
			strerror(-p->log.error));
	if (m->foreground && !m->quiet)
		direct_prefix_feed(&p->px, STDOUT_FILENO, data, len);
}

/* Read what the program wrote; all of it when draining after its exit. */
static void mgr_read_output(struct direct_manager *m, struct mgr_prog *p, bool drain)
{
	static char buf[MGR_CHUNK];

	for (int i = 0; p->out_fd >= 0 && (drain || i < MGR_READS_PER_WAKEUP); i++) {
		ssize_t n = read(p->out_fd, buf, sizeof(buf));

		if (n > 0) {
			mgr_write_output(m, p, buf, (size_t)n);
		} else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
			mgr_close_output(m, p);
		} else if (errno == EAGAIN) {
			return;
		}
	}
}

static int mgr_open_log(struct mgr_prog *p)
{
	const struct direct_spec *s = p->spec;
	int r;

	if (p->log.fd >= 0)
		return 0;
	p->log.set_owner = s->set_user && geteuid() == 0;
	p->log.uid = s->uid;
	p->log.gid = s->gid;
	r = direct_logfile_open(&p->log, s->log, s->log_max_bytes, s->log_backups);
	if (r < 0 && !p->log.why[0])
		snprintf(p->log.why, sizeof(p->log.why), "cannot open log %s: %s", s->log, strerror(-r));
	return r;
}

static int mgr_spawn(struct direct_manager *m, struct mgr_prog *p)
{
	char why[512], memory_why[512];
	struct direct_child child;
	int procs, r;

	if (p->next_spec) {
		mgr_set_spec(m, p, p->next_spec);
		p->next_spec = NULL;
	}
	/* Not started without its log: above all not with one another user pointed elsewhere. */
	if (mgr_open_log(p) < 0) {
		mgr_log(m, "ERRO", "spawnerr: %s: %s", p->spec->name, p->log.why);
		mgr_set_why(p, p->log.why);
		return -EPERM;
	}
	procs = mgr_memory_cgroup(m, p, memory_why, sizeof(memory_why));
	r = direct_spawn(p->spec, procs, &child, why, sizeof(why));
	if (procs >= 0)
		close(procs);
	if (r < 0) {
		mgr_log(m, "INFO", "spawnerr: %s: %s", p->spec->name, why);
		mgr_set_why(p, why);
		return r;
	}
	p->pid = child.pid;
	p->report_fd = child.report;
	p->starttime = mgr_proc_starttime(child.pid);
	p->out_fd = child.out;
	mgr_epoll_add(m, child.out, &p->tag);
	p->spawned_ms = mgr_now_ms();
	p->deadline_ms = p->spawned_ms + (uint64_t)p->spec->start_timeout * 1000u;
	p->probe_ms = p->spec->ready_argv ? p->spawned_ms + MGR_PROBE_MS : 0;
	p->ready_seen = false;
	/* restarts counts the manager's own restarts (as systemd's NRestarts), not requested starts. */
	if (p->started_once && !p->start_requested)
		p->restarts++;
	p->started_once = true;
	m->children_dirty = true;
	mgr_log(m, "INFO", "spawned: '%s' with pid %ld", p->spec->name, (long)child.pid);
	mgr_memory_spawned(m, p, procs >= 0, child.cgroup_error, memory_why);
	return 0;
}

/* Signal the process group, and the process itself in case it left the group. */
static void mgr_kill_group(struct mgr_prog *p, int sig)
{
	if (p->pid <= 0)
		return;
	kill(-p->pid, sig);
	kill(p->pid, sig);
}

void mgr_signal(struct direct_manager *m, struct mgr_prog *p, int sig)
{
	if (p->pid > 0 && kill(p->pid, sig) < 0)
		mgr_log(m, "WARN", "cannot signal %s (pid %ld): %s", p->spec->name, (long)p->pid,
			strerror(errno));
}

static void mgr_act(struct direct_manager *m, struct mgr_prog *p, enum direct_action action)
{
	uint64_t now = mgr_now_ms();
	unsigned delay;

	switch (action) {
	case DIRECT_ACT_SPAWN:
		if (mgr_spawn(m, p) < 0)
			mgr_event(m, p, DIRECT_EV_EXIT);
		break;
	case DIRECT_ACT_TERM:
		mgr_kill_group(p, SIGTERM);
		mgr_kill_group(p, SIGCONT);
		p->deadline_ms = now + (uint64_t)p->spec->stop_timeout * 1000u;
		break;
	case DIRECT_ACT_KILL:
		mgr_log(m, "WARN", "killing '%s' (%ld) with SIGKILL: still running %ld s after SIGTERM",
			p->spec->name, (long)p->pid, p->spec->stop_timeout);
		mgr_kill_group(p, SIGKILL);
		if (m->shutting_down)
			m->unclean = true;
		p->deadline_ms = 0;
		break;
	case DIRECT_ACT_SCHEDULE:
		delay = direct_backoff_delay(p->failures);
		/* A good run shorter than a second (start_timeout 0) does not restart in a tight loop. */
		if (delay == 0 && now - p->spawned_ms < 1000)
			delay = 1;
		p->deadline_ms = now + delay * 1000u;
		if (delay)
			mgr_log(m, "INFO", "backoff: '%s' starts again in %u s (%u failed start%s)",
				p->spec->name, delay, p->failures, p->failures == 1 ? "" : "s");
		break;
	case DIRECT_ACT_CANCEL:
		p->deadline_ms = 0;
		break;
	default:
		break;
	}
}

/* What follows a change of state: log lines, deferred restarts, exit_on_fatal. */
static void mgr_entered(struct direct_manager *m, struct mgr_prog *p)
{
	switch (p->state) {
	case GX_STATE_RUNNING:
		p->deadline_ms = 0;
		mgr_check_exec(m, p);
		if (p->ready_seen)
			mgr_log(m, "INFO", "success: %s entered RUNNING state, its readiness check "
				"passed", p->spec->name);
		else
			mgr_log(m, "INFO", "success: %s entered RUNNING state, process has stayed up "
				"for > than %ld seconds (start_timeout)",
				p->spec->name, p->spec->start_timeout);
		break;
	case GX_STATE_FATAL:
		direct_logfile_close(&p->log);
		mgr_log(m, "INFO", "gave up: %s entered FATAL state, %u failed start%s in a row (last: %s)",
			p->spec->name, p->failures, p->failures == 1 ? "" : "s",
			p->why ? p->why : "unknown");
		if (m->exit_on_fatal && !m->shutting_down) {
			mgr_log(m, "CRIT", "exit_on_fatal: %s is FATAL, stopping everything", p->spec->name);
			m->fatal_exit = true;
			mgr_begin_shutdown(m);
		}
		break;
	case GX_STATE_STOPPED:
		direct_logfile_close(&p->log);
		if (p->start_after_stop && !p->remove_after_stop && !m->shutting_down) {
			p->start_after_stop = false;
			mgr_event(m, p, DIRECT_EV_START);
		}
		p->start_after_stop = false;
		break;
	default:
		break;
	}
}

void mgr_event(struct direct_manager *m, struct mgr_prog *p, enum direct_event ev)
{
	struct direct_step step = direct_fsm_step(p->state, ev, p->failures, p->spec->start_retries);
	enum gx_state old = p->state;

	if (step.ignored)
		return;
	p->state = step.next;
	p->failures = step.failures;
	p->start_requested = ev == DIRECT_EV_START;
	mgr_act(m, p, step.action);
	/* A failed spawn already moved on (and announced) the next state. */
	if (p->state == step.next && step.next != old)
		mgr_entered(m, p);
}

static void mgr_describe_exit(struct mgr_prog *p, int status)
{
	char why[128];

	if (WIFSIGNALED(status)) {
		const char *abbrev = sigabbrev_np(WTERMSIG(status));

		p->exit_status = 128 + WTERMSIG(status);
		if (abbrev)
			snprintf(why, sizeof(why), "terminated by SIG%s", abbrev);
		else
			snprintf(why, sizeof(why), "terminated by signal %d", WTERMSIG(status));
	} else {
		p->exit_status = WEXITSTATUS(status);
		snprintf(why, sizeof(why), "exit status %d", WEXITSTATUS(status));
	}
	mgr_set_why(p, why);
}

static void mgr_exited(struct direct_manager *m, struct mgr_prog *p, int status)
{
	bool expected = p->state == GX_STATE_STOPPING;

	bool exec_failed;

	mgr_read_output(m, p, true);
	mgr_close_output(m, p);
	kill(-p->pid, SIGKILL); /* whatever the process left behind in its group */
	mgr_describe_exit(p, status);
	exec_failed = mgr_check_exec(m, p); /* the child reported before it exited: known by now */
	p->pid = 0;
	m->children_dirty = true;
	if (!exec_failed)
		mgr_log(m, "INFO", "%s: %s (%s; %s)", expected ? "stopped" : "exited",
			p->spec->name, p->why, expected ? "expected" : "not expected");
	mgr_event(m, p, DIRECT_EV_EXIT);
}

/* A STARTING program whose readiness probe is due: run one. */
static void mgr_probe(struct direct_manager *m, struct mgr_prog *p, uint64_t now)
{
	pid_t pid;

	if (p->state != GX_STATE_STARTING || !p->spec->ready_argv || p->probe_pid || !p->probe_ms ||
	    p->probe_ms > now)
		return;
	p->probe_ms = 0;
	pid = direct_spawn_probe(p->spec);
	if (pid < 0) {
		mgr_log(m, "WARN", "%s: cannot run its readiness check: %s", p->spec->name,
			strerror((int)-pid));
		p->probe_ms = now + MGR_PROBE_MS;
		return;
	}
	p->probe_pid = pid;
}

/* The probe said: ready (exit 0) makes a still STARTING program RUNNING; else, again later. */
static void mgr_probed(struct direct_manager *m, struct mgr_prog *p, int status)
{
	p->probe_pid = 0;
	if (p->state != GX_STATE_STARTING)
		return;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		p->ready_seen = true;
		p->deadline_ms = 0;
		mgr_event(m, p, DIRECT_EV_TIMER);
		return;
	}
	p->probe_ms = mgr_now_ms() + MGR_PROBE_MS;
}

static void mgr_reap(struct direct_manager *m)
{
	for (;;) {
		int status;
		pid_t pid = waitpid(-1, &status, WNOHANG);

		if (pid <= 0) {
			/* The cgroups of removed programs go once their last processes are reaped. */
			direct_cgroup_sweep(&m->cgroup);
			return;
		}
		for (size_t i = 0; i < m->n_progs; i++) {
			if (m->progs[i]->pid == pid) {
				mgr_exited(m, m->progs[i], status);
				break;
			}
			if (m->progs[i]->probe_pid == pid) {
				mgr_probed(m, m->progs[i], status);
				break;
			}
		}
	}
}

void mgr_begin_shutdown(struct direct_manager *m)
{
	m->shutting_down = true;
	for (size_t i = 0; i < m->n_progs; i++) {
		m->progs[i]->start_after_stop = false;
		mgr_event(m, m->progs[i], DIRECT_EV_STOP);
	}
}

/* ---------------------------------------------------------------------- */
/* Events of the loop */

static void mgr_on_signal(struct direct_manager *m)
{
	struct signalfd_siginfo si;

	while (read(m->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		int sig = (int)si.ssi_signo;

		switch (sig) {
		case SIGCHLD:
			mgr_reap(m);
			break;
		case SIGHUP:
			if (m->own_log.fd >= 0 && direct_logfile_reopen(&m->own_log) < 0)
				mgr_log(m, "ERRO", "%s", m->own_log.why);
			mgr_log(m, "INFO", "received SIGHUP, reopening log files");
			for (size_t i = 0; i < m->n_progs; i++)
				if (m->progs[i]->log.fd >= 0 &&
				    direct_logfile_reopen(&m->progs[i]->log) < 0)
					mgr_log(m, "ERRO", "%s: %s", m->progs[i]->spec->name,
						m->progs[i]->log.why);
			break;
		case SIGUSR1:
		case SIGUSR2:
			for (size_t i = 0; i < m->n_progs; i++)
				mgr_kill_group(m->progs[i], sig);
			break;
		default:
			if (m->shutting_down && sig != SIGQUIT && !m->kill_all_sent) {
				mgr_log(m, "WARN", "received SIG%s again, killing every program",
					sigabbrev_np(sig));
				m->kill_all_sent = true;
				m->unclean = true;
				for (size_t i = 0; i < m->n_progs; i++)
					mgr_kill_group(m->progs[i], SIGKILL);
			} else if (!m->shutting_down) {
				mgr_log(m, "INFO", "received SIG%s (from pid %ld), stopping every program",
					sigabbrev_np(sig), (long)si.ssi_pid);
				mgr_begin_shutdown(m);
			}
		}
	}
	/* A SIGCHLD merged into one already read still leaves children to reap. */
	mgr_reap(m);
}

static void mgr_on_timer(struct direct_manager *m)
{
	uint64_t expirations, now = mgr_now_ms();
	ssize_t r = read(m->timerfd, &expirations, sizeof(expirations));

	(void)r;
	for (size_t i = 0; i < m->n_progs; i++) {
		struct mgr_prog *p = m->progs[i];

		if (p->deadline_ms && p->deadline_ms <= now) {
			p->deadline_ms = 0;
			mgr_event(m, p, DIRECT_EV_TIMER);
		}
		mgr_probe(m, p, now);
	}
}

static void mgr_arm_timer(struct direct_manager *m)
{
	struct itimerspec its = { 0 };
	uint64_t next;

	mgr_memory_poll(m, mgr_now_ms());
	next = m->memory_deadline_ms;

	for (size_t i = 0; i < m->n_progs; i++) {
		const struct mgr_prog *p = m->progs[i];
		uint64_t d = p->deadline_ms;
		uint64_t probe = p->state == GX_STATE_STARTING && !p->probe_pid ? p->probe_ms : 0;

		if (d && (!next || d < next))
			next = d;
		if (probe && (!next || probe < next))
			next = probe;
	}
	if (next) {
		its.it_value.tv_sec = (time_t)(next / 1000u);
		its.it_value.tv_nsec = (long)(next % 1000u) * 1000000L;
		if (its.it_value.tv_sec == 0 && its.it_value.tv_nsec == 0)
			its.it_value.tv_nsec = 1;
	}
	timerfd_settime(m->timerfd, TFD_TIMER_ABSTIME, &its, NULL);
}

/* Drop programs that update removed, once they stopped. */
static void mgr_sweep(struct direct_manager *m)
{
	for (size_t i = 0; i < m->n_progs;) {
		struct mgr_prog *p = m->progs[i];

		if (p->remove_after_stop && p->pid == 0 && p->state != GX_STATE_STOPPING) {
			mgr_log(m, "INFO", "removed: %s", p->spec->name);
			mgr_remove(m, p);
		} else {
			i++;
		}
	}
}

static bool mgr_all_settled(const struct direct_manager *m)
{
	for (size_t i = 0; i < m->n_progs; i++)
		if (m->progs[i]->pid > 0 || !direct_state_settled(m->progs[i]->state))
			return false;
	return true;
}

static void mgr_dispatch(struct direct_manager *m, struct mgr_tag *tag)
{
	switch (tag->source) {
	case MGR_SRC_SIGNAL:
		mgr_on_signal(m);
		break;
	case MGR_SRC_TIMER:
		mgr_on_timer(m);
		break;
	case MGR_SRC_LISTEN:
		mgr_server_accept(m);
		break;
	case MGR_SRC_CLIENT:
		mgr_client_input(m, tag->owner);
		break;
	case MGR_SRC_OUTPUT:
		mgr_read_output(m, tag->owner, false);
		break;
	}
}

int direct_manager_run(struct direct_manager *m)
{
	struct epoll_event events[32];

	while (!m->done) {
		int n;

		mgr_arm_timer(m);
		n = epoll_wait(m->epfd, events, 32, -1);
		if (n < 0 && errno != EINTR) {
			mgr_log(m, "CRIT", "epoll_wait: %s", strerror(errno));
			mgr_begin_shutdown(m);
			break;
		}
		for (int i = 0; i < n; i++)
			mgr_dispatch(m, events[i].data.ptr);
		mgr_sweep(m);
		mgr_clients_check(m);
		if (m->children_dirty)
			mgr_children_write(m);
		if (m->shutting_down && mgr_all_settled(m))
			m->done = true;
	}
	mgr_log(m, "INFO", "the direct manager exits%s", m->fatal_exit ? " (a program is FATAL)" :
							 m->unclean ? " (a program had to be killed)" : "");
	return m->fatal_exit || m->unclean ? 1 : 0;
}

/* ---------------------------------------------------------------------- */
/* Setting up and tearing down */

static int mgr_fail(char *why, size_t len, int r, const char *what, const char *path)
{
	snprintf(why, len, "%s %s: %s", what, path, strerror(-r));
	return r;
}

/* The pid file, locked for as long as this manager lives. */
static int mgr_take_pidfile(struct direct_manager *m, char *why, size_t len)
{
	char buf[32];
	int n, fd = open(m->paths.pid, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);

	if (fd < 0)
		return mgr_fail(why, len, -errno, "cannot open", m->paths.pid);
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		int r = errno == EWOULDBLOCK ? -EEXIST : -errno;
		ssize_t got = read(fd, buf, sizeof(buf) - 1);

		buf[got > 0 ? got : 0] = '\0';
		close(fd);
		snprintf(why, len, "a direct manager already runs for this state dir (pid %ld)",
			 strtol(buf, NULL, 10));
		return r;
	}
	n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) < 0 || pwrite(fd, buf, (size_t)n, 0) != n) {
		int r = errno ? -errno : -EIO;

		/* Ours while locked: an empty pid file (full disk) would only mislead the next reader. */
		unlink(m->paths.pid);
		close(fd);
		return mgr_fail(why, len, r, "cannot write", m->paths.pid);
	}
	m->pidfd = fd;
	return 0;
}

static int mgr_mkdirs(const struct direct_manager *m, const char *state_dir, char *why, size_t len)
{
	if (mkdir(state_dir, 0755) < 0 && errno != EEXIST)
		return mgr_fail(why, len, -errno, "cannot create", state_dir);
	/* Ours alone before anything in it is trusted: children names what to kill. */
	return direct_paths_check(&m->paths, true, why, len);
}

static int mgr_setup_fds(struct direct_manager *m, char *why, size_t len)
{
	struct sigaction ign = { .sa_handler = SIG_IGN };
	sigset_t mask;

	sigemptyset(&mask);
	for (size_t i = 0; i < sizeof(mgr_signals) / sizeof(*mgr_signals); i++)
		sigaddset(&mask, mgr_signals[i]);
	if (sigprocmask(SIG_BLOCK, &mask, &m->old_mask) < 0)
		return mgr_fail(why, len, -errno, "cannot block", "signals");
	sigaction(SIGPIPE, &ign, &m->old_sigpipe);
	m->sigfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	m->timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	m->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (m->sigfd < 0 || m->timerfd < 0 || m->epfd < 0)
		return mgr_fail(why, len, -errno, "cannot create", "the event loop");
	mgr_epoll_add(m, m->sigfd, &m->sig_tag);
	mgr_epoll_add(m, m->timerfd, &m->timer_tag);
	return 0;
}

/* More files for many programs; services get the limit the manager was given. */
static void mgr_raise_nofile(struct direct_manager *m)
{
	struct rlimit more;

	if (getrlimit(RLIMIT_NOFILE, &m->nofile) < 0)
		return;
	more = m->nofile;
	more.rlim_cur = more.rlim_max;
	if (more.rlim_cur > 65536)
		more.rlim_cur = 65536;
	if (more.rlim_cur > m->nofile.rlim_cur)
		setrlimit(RLIMIT_NOFILE, &more);
}

/* direct_manager_new(), for a daemon that the processes of chain started (see manager_int.h). */
static int mgr_new(const struct direct_manager_opts *opts, const pid_t *chain, size_t n_chain,
		   struct direct_manager **ret, char *why, size_t len)
{
	struct direct_manager *m = calloc(1, sizeof(*m));
	int r;

	if (!m)
		return -ENOMEM;
	for (size_t i = 0; i < n_chain && m->n_chain < DIRECT_CGROUP_CHAIN_MAX; i++)
		if (chain[i] > 0)
			m->chain[m->n_chain++] = chain[i];
	m->epfd = m->sigfd = m->timerfd = m->listenfd = m->pidfd = -1;
	m->spare_fd = -1;
	direct_logfile_init(&m->own_log);
	direct_cgroup_init(&m->cgroup);
	m->foreground = opts->foreground;
	m->quiet = opts->quiet;
	m->colour = opts->foreground && direct_prefix_want_colour(STDOUT_FILENO);
	m->is_init = getpid() == 1;
	m->sig_tag = (struct mgr_tag){ .source = MGR_SRC_SIGNAL };
	m->timer_tag = (struct mgr_tag){ .source = MGR_SRC_TIMER };
	m->listen_tag = (struct mgr_tag){ .source = MGR_SRC_LISTEN };
	sigprocmask(SIG_SETMASK, NULL, &m->old_mask);
	r = direct_paths_init(&m->paths, opts->state_dir);
	if (r < 0) {
		free(m);
		return r;
	}
	r = mgr_mkdirs(m, opts->state_dir, why, len);
	if (r == 0)
		r = mgr_take_pidfile(m, why, len);
	if (r == 0)
		r = mgr_setup_fds(m, why, len);
	if (r == 0) {
		mgr_raise_nofile(m);
		if (!m->is_init)
			prctl(PR_SET_CHILD_SUBREAPER, 1);
		mgr_leftovers_kill(m);
		/* Before any program: those without limits stay with the manager, in its leaf. */
		mgr_memory_init(m, opts->state_dir);
		r = mgr_server_listen(m, why, len);
	}
	if (r < 0) {
		direct_manager_free(m);
		return r;
	}
	*ret = m;
	return 0;
}

int direct_manager_new(const struct direct_manager_opts *opts, struct direct_manager **ret,
		       char *why, size_t len)
{
	return mgr_new(opts, NULL, 0, ret, why, len);
}

void direct_manager_free(struct direct_manager *m)
{
	if (!m)
		return;
	mgr_clients_free(m);
	for (size_t i = 0; i < m->n_progs; i++)
		mgr_kill_group(m->progs[i], SIGKILL);
	while (m->n_progs > 0) {
		struct mgr_prog *p = m->progs[m->n_progs - 1];

		if (p->pid > 0)
			while (waitpid(p->pid, NULL, 0) < 0 && errno == EINTR)
				;
		p->pid = 0;
		mgr_remove(m, p);
	}
	free(m->progs);
	mgr_memory_release(m);
	if (m->listenfd >= 0) {
		close(m->listenfd);
		unlink(m->paths.sock);
	}
	if (m->spare_fd >= 0)
		close(m->spare_fd);
	if (m->pidfd >= 0) {
		unlink(m->paths.children);
		unlink(m->paths.pid);
		close(m->pidfd);
	}
	if (m->epfd >= 0)
		close(m->epfd);
	if (m->sigfd >= 0) {
		close(m->sigfd);
		sigaction(SIGPIPE, &m->old_sigpipe, NULL);
	}
	if (m->timerfd >= 0)
		close(m->timerfd);
	sigprocmask(SIG_SETMASK, &m->old_mask, NULL);
	direct_logfile_release(&m->own_log);
	direct_paths_release(&m->paths);
	free(m);
	malloc_trim(0);
}

int direct_manager_serve_chain(const char *state_dir, int ready_fd, const pid_t *chain,
			       size_t n_chain)
{
	struct direct_manager_opts opts = { .state_dir = state_dir };
	struct direct_manager *m = NULL;
	char why[512] = "", msg[600];
	int r = mgr_new(&opts, chain, n_chain, &m, why, sizeof(why));
	ssize_t w;

	if (r < 0) {
		snprintf(msg, sizeof(msg), "error: %s\n", why[0] ? why : strerror(-r));
		fputs(msg + 7, stderr);
	} else {
		snprintf(msg, sizeof(msg), "ok\n");
		/* Its own log, rotated like the services' (stderr stays on it for what libc says). */
		if (direct_logfile_open(&m->own_log, m->paths.log, MGR_OWN_LOG_MAX,
					MGR_OWN_LOG_BACKUPS) < 0)
			mgr_log(m, "ERRO", "%s", m->own_log.why);
		mgr_log(m, "INFO", "the direct manager runs for %s (pid %ld)", state_dir, (long)getpid());
	}
	if (ready_fd >= 0) {
		w = write(ready_fd, msg, strlen(msg));
		(void)w;
		close(ready_fd);
	}
	if (r < 0)
		return r == -EEXIST ? 3 : 1;
	r = direct_manager_run(m);
	direct_manager_free(m);
	return r;
}

int direct_manager_serve(const char *state_dir, int ready_fd)
{
	return direct_manager_serve_chain(state_dir, ready_fd, NULL, 0);
}
