/* SPDX-License-Identifier: MIT */
/* Starting one supervised process: process group, directory, umask, credentials, environment. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cgroup.h"
#include "spawn.h"

extern char **environ;

/*
 * What the child reports through its error pipe before exec: how its move
 * into a cgroup went (always, when it had one; then it goes on), or the
 * stage that failed (then it exits).
 */
enum spawn_stage { SPAWN_IO, SPAWN_CREDENTIALS, SPAWN_CHDIR, SPAWN_EXEC, SPAWN_CGROUP };

struct spawn_report {
	int stage;
	int error;
};

static void spawn_child_fail(int fd, enum spawn_stage stage)
{
	struct spawn_report rep = { .stage = stage, .error = errno };
	ssize_t r = write(fd, &rep, sizeof(rep));

	(void)r;
	_exit(127);
}

/*
 * First thing in the child: all it does counts against its limits, and it
 * still has the manager's credentials, which cgroup.procs is writable with.
 */
static void spawn_child_cgroup(int procs, int report)
{
	struct spawn_report rep = { .stage = SPAWN_CGROUP };
	ssize_t w;

	rep.error = -direct_cgroup_write_pid(procs, getpid());
	w = write(report, &rep, sizeof(rep));
	(void)w;
	close(procs);
}

/* Runs in the child: set everything up, then exec.  Never returns. */
/* In a fresh child: default signals, none blocked, a process group of its own, no fd of the
 * manager's beyond 0-2 surviving the exec. */
static void spawn_child_reset(void)
{
	struct sigaction dfl = { .sa_handler = SIG_DFL };
	sigset_t none;

	sigemptyset(&none);
	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			sigaction(sig, &dfl, NULL);
	sigprocmask(SIG_SETMASK, &none, NULL);
	setpgid(0, 0);
#ifdef SYS_close_range
	/* Nothing of the manager's leaks into the service, even without O_CLOEXEC. */
	syscall(SYS_close_range, 3U, ~0U, 4U /* CLOSE_RANGE_CLOEXEC */);
#endif
}

static void spawn_child(const struct direct_spec *s, pid_t parent, int cgroup_procs, int out,
			int report)
{
	int null;

	if (cgroup_procs >= 0)
		spawn_child_cgroup(cgroup_procs, report);
	spawn_child_reset();
	null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (null < 0 || dup2(null, STDIN_FILENO) < 0 || dup2(out, STDOUT_FILENO) < 0 ||
	    dup2(out, STDERR_FILENO) < 0)
		spawn_child_fail(report, SPAWN_IO);
	umask((mode_t)s->umask);
	if (s->set_user && (setgroups(s->n_groups, s->groups) < 0 || setgid(s->gid) < 0 ||
			    setuid(s->uid) < 0))
		spawn_child_fail(report, SPAWN_CREDENTIALS);
	/*
	 * Only now: a change of credentials clears the death signal.  A
	 * manager that died before it was set left this child to init (or a
	 * subreaper) already, which getppid() tells.
	 */
	if (prctl(PR_SET_PDEATHSIG, SIGTERM) < 0)
		spawn_child_fail(report, SPAWN_IO);
	if (getppid() != parent)
		_exit(127);
	if (chdir(s->cwd) < 0)
		spawn_child_fail(report, SPAWN_CHDIR);
	environ = s->env;
	execvp(s->argv[0], s->argv);
	spawn_child_fail(report, SPAWN_EXEC);
}

static void spawn_describe(const struct direct_spec *s, const struct spawn_report *rep, char *why,
			   size_t len)
{
	const char *what = strerror(rep->error);

	switch (rep->stage) {
	case SPAWN_CREDENTIALS:
		snprintf(why, len, "cannot switch to uid %ld gid %ld: %s", (long)s->uid, (long)s->gid,
			 what);
		break;
	case SPAWN_CHDIR:
		snprintf(why, len, "cannot change to directory %s: %s", s->cwd, what);
		break;
	case SPAWN_EXEC:
		snprintf(why, len, "cannot execute %s: %s", s->argv[0], what);
		break;
	default:
		snprintf(why, len, "cannot set up the process: %s", what);
	}
}

/* The child's word on its move into the cgroup, which comes before anything else it does. */
static int spawn_cgroup_outcome(int report_fd)
{
	struct spawn_report rep;
	ssize_t n;

	do
		n = read(report_fd, &rep, sizeof(rep));
	while (n < 0 && errno == EINTR);
	if (n != (ssize_t)sizeof(rep) || rep.stage != SPAWN_CGROUP)
		return n == 0 ? ESRCH : EIO; /* EOF: the child died first */
	return rep.error;
}

int direct_spawn(const struct direct_spec *s, int cgroup_procs, struct direct_child *ret,
		 char *why, size_t len)
{
	int out[2], report[2], cgroup_error = 0;
	pid_t parent = getpid(), pid;

	if (pipe2(out, O_CLOEXEC) < 0) {
		snprintf(why, len, "cannot create a pipe: %s", strerror(errno));
		return -errno;
	}
	if (pipe2(report, O_CLOEXEC) < 0) {
		int r = -errno;

		close(out[0]);
		close(out[1]);
		snprintf(why, len, "cannot create a pipe: %s", strerror(-r));
		return r;
	}
	pid = fork();
	if (pid == 0)
		spawn_child(s, parent, cgroup_procs, out[1], report[1]);
	close(out[1]);
	close(report[1]);
	if (pid < 0) {
		int r = -errno;

		close(out[0]);
		close(report[0]);
		snprintf(why, len, "cannot fork: %s", strerror(-r));
		return r;
	}
	setpgid(pid, pid); /* also here, so that signals to the group never miss it */
	if (cgroup_procs >= 0)
		cgroup_error = spawn_cgroup_outcome(report[0]);
	fcntl(out[0], F_SETFL, fcntl(out[0], F_GETFL) | O_NONBLOCK);
	fcntl(report[0], F_SETFL, fcntl(report[0], F_GETFL) | O_NONBLOCK);
	*ret = (struct direct_child){
		.pid = pid, .out = out[0], .report = report[0], .cgroup_error = cgroup_error
	};
	return 0;
}

int direct_spawn_check(int report_fd, const struct direct_spec *s, char *why, size_t len)
{
	struct spawn_report rep;
	ssize_t n;

	do
		n = read(report_fd, &rep, sizeof(rep));
	while (n < 0 && errno == EINTR);
	if (n == 0)
		return 1;
	if (n < 0)
		return errno == EAGAIN ? 0 : -errno;
	if (n != (ssize_t)sizeof(rep)) {
		snprintf(why, len, "cannot set up the process");
		return -EIO;
	}
	spawn_describe(s, &rep, why, len);
	return rep.error > 0 ? -rep.error : -EIO;
}

static void spawn_probe_child(const struct direct_spec *s, pid_t parent)
{
	int null;

	spawn_child_reset();
	null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null < 0 || dup2(null, STDIN_FILENO) < 0 || dup2(null, STDOUT_FILENO) < 0 ||
	    dup2(null, STDERR_FILENO) < 0)
		_exit(127);
	umask((mode_t)s->umask);
	if (s->set_user && (setgroups(s->n_groups, s->groups) < 0 || setgid(s->gid) < 0 ||
			    setuid(s->uid) < 0))
		_exit(127);
	if (prctl(PR_SET_PDEATHSIG, SIGTERM) < 0 || getppid() != parent || chdir(s->cwd) < 0)
		_exit(127);
	environ = s->env;
	execv(s->ready_argv[0], s->ready_argv);
	_exit(127);
}

pid_t direct_spawn_probe(const struct direct_spec *s)
{
	pid_t parent = getpid(), pid = fork();

	if (pid == 0)
		spawn_probe_child(s, parent);
	if (pid < 0)
		return -errno;
	setpgid(pid, pid);
	return pid;
}
