/* SPDX-License-Identifier: MIT */
/* tail -f of several log files on one terminal, each line prefixed with its program's name. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "follow.h"
#include "prefix.h"

/* How much of a file's end is read for its backlog. */
#define FOLLOW_BACKLOG_BYTES 65536

struct follow_state {
	int fd;
	ino_t ino;
	off_t offset;
	struct direct_prefix px;
};

/* From the start of the last `lines` lines of buf. */
static size_t follow_tail_start(const char *buf, size_t len, unsigned lines)
{
	size_t i = len;

	if (i > 0 && buf[i - 1] == '\n')
		i--;
	while (i > 0) {
		if (buf[i - 1] == '\n' && lines-- <= 1)
			return i;
		i--;
	}
	return 0;
}

static void follow_backlog(struct follow_state *st, int out_fd, unsigned lines)
{
	static char buf[FOLLOW_BACKLOG_BYTES];
	off_t from = st->offset > FOLLOW_BACKLOG_BYTES ? st->offset - FOLLOW_BACKLOG_BYTES : 0;
	ssize_t n = lines ? pread(st->fd, buf, (size_t)(st->offset - from), from) : 0;
	size_t start;

	if (n <= 0)
		return;
	start = follow_tail_start(buf, (size_t)n, lines);
	direct_prefix_feed(&st->px, out_fd, buf + start, (size_t)n - start);
}

static void follow_open(struct follow_state *st, const char *path, bool at_end)
{
	struct stat sb;

	st->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (st->fd < 0)
		return;
	fstat(st->fd, &sb);
	st->ino = sb.st_ino;
	st->offset = at_end ? sb.st_size : 0;
}

static void follow_read(struct follow_state *st, int out_fd)
{
	char buf[16384];
	ssize_t n;

	while (st->fd >= 0 && (n = pread(st->fd, buf, sizeof(buf), st->offset)) > 0) {
		st->offset += n;
		direct_prefix_feed(&st->px, out_fd, buf, (size_t)n);
	}
}

/* New data, a truncation, or a new file under the same name (rotation). */
static void follow_check(struct follow_state *st, const char *path, int out_fd)
{
	struct stat sb;

	if (st->fd < 0) {
		follow_open(st, path, false);
		follow_read(st, out_fd);
		return;
	}
	follow_read(st, out_fd);
	if (stat(path, &sb) < 0)
		return;
	if (sb.st_ino != st->ino) {
		close(st->fd);
		follow_open(st, path, false);
	} else if (sb.st_size < st->offset) {
		st->offset = 0;
	}
	follow_read(st, out_fd);
}

static int follow_watch(const struct direct_follow_file *files, size_t n)
{
	int in = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);

	for (size_t i = 0; in >= 0 && i < n; i++) {
		char *copy = strdup(files[i].path);

		if (copy)
			inotify_add_watch(in, dirname(copy), IN_MODIFY | IN_CREATE | IN_MOVED_TO);
		free(copy);
	}
	return in;
}

int direct_follow(const struct direct_follow_file *files, size_t n, int out_fd, unsigned backlog)
{
	struct follow_state *st = calloc(n + 1, sizeof(*st));
	bool colour = direct_prefix_want_colour(out_fd);
	sigset_t mask, old;
	int width = 0, in, sfd, r = 0;

	if (!st)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		st[i].fd = -1;
	for (size_t i = 0; i < n; i++)
		if ((int)strlen(files[i].name) > width)
			width = (int)strlen(files[i].name);
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, &old);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC);
	in = follow_watch(files, n);
	for (size_t i = 0; i < n && r == 0; i++) {
		r = direct_prefix_init(&st[i].px, files[i].name, width, colour ? (int)i : -1);
		follow_open(&st[i], files[i].path, true);
		if (st[i].fd >= 0)
			follow_backlog(&st[i], out_fd, backlog);
	}
	if (sfd < 0)
		r = -errno;
	while (r == 0) {
		struct pollfd pfd[2] = { { .fd = sfd, .events = POLLIN }, { .fd = in, .events = POLLIN } };
		char drain[4096];

		if (poll(pfd, in >= 0 ? 2 : 1, 1000) < 0 && errno != EINTR)
			r = -errno;
		if (pfd[0].revents) {
			struct signalfd_siginfo si;
			ssize_t got = read(sfd, &si, sizeof(si)); /* consumed: not re-raised on unblock */

			(void)got;
			break;
		}
		if (in >= 0 && pfd[1].revents)
			while (read(in, drain, sizeof(drain)) > 0)
				;
		for (size_t i = 0; i < n; i++)
			follow_check(&st[i], files[i].path, out_fd);
	}
	for (size_t i = 0; i < n; i++) {
		direct_prefix_flush(&st[i].px, out_fd);
		direct_prefix_release(&st[i].px);
		if (st[i].fd >= 0)
			close(st[i].fd);
	}
	free(st);
	if (in >= 0)
		close(in);
	if (sfd >= 0)
		close(sfd);
	sigprocmask(SIG_SETMASK, &old, NULL);
	return r;
}
