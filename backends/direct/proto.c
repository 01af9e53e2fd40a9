/* SPDX-License-Identifier: MIT */
/* The direct manager's control protocol: JSON lines over a unix socket; where its files live. */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proto.h"
#include "safefs.h"

long direct_linebuf_fill(struct direct_linebuf *lb, int fd)
{
	ssize_t n;

	if (lb->alloc - lb->len < 4096) {
		size_t alloc = lb->alloc ? lb->alloc * 2 : 8192;
		size_t max = lb->max ? lb->max : DIRECT_LINE_MAX;
		char *grown;

		if (alloc > max + 8192)
			return -E2BIG;
		grown = realloc(lb->data, alloc);
		if (!grown)
			return -ENOMEM;
		lb->data = grown;
		lb->alloc = alloc;
	}
	do
		n = read(fd, lb->data + lb->len, lb->alloc - lb->len);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == EWOULDBLOCK ? -EAGAIN : -errno;
	lb->len += (size_t)n;
	return n;
}

json_t *direct_linebuf_next(struct direct_linebuf *lb, int *bad)
{
	char *nl = lb->len ? memchr(lb->data, '\n', lb->len) : NULL;
	size_t line;
	json_t *v;

	*bad = 0;
	if (!nl)
		return NULL;
	line = (size_t)(nl - lb->data);
	v = json_loadb(lb->data, line, JSON_REJECT_DUPLICATES, NULL);
	memmove(lb->data, nl + 1, lb->len - line - 1);
	lb->len -= line + 1;
	if (v && !json_is_object(v)) {
		json_decref(v);
		v = NULL;
	}
	*bad = !v;
	return v;
}

void direct_linebuf_release(struct direct_linebuf *lb)
{
	free(lb->data);
	memset(lb, 0, sizeof(*lb));
}

int direct_send(int fd, const json_t *msg, size_t max_len, int timeout_ms)
{
	char *text = json_dumps(msg, JSON_COMPACT);
	size_t len, done = 0;
	int r = 0;

	if (!text)
		return -ENOMEM;
	len = strlen(text);
	if (len >= max_len) {
		free(text);
		return -E2BIG;
	}
	text[len++] = '\n'; /* the terminating NUL's place: only len bytes are sent */
	while (done < len && r == 0) {
		ssize_t n = write(fd, text + done, len - done);

		if (n >= 0) {
			done += (size_t)n;
		} else if (errno == EAGAIN || errno == EWOULDBLOCK) {
			struct pollfd pfd = { .fd = fd, .events = POLLOUT };
			int p = poll(&pfd, 1, timeout_ms);

			if (p == 0)
				r = -ETIMEDOUT;
			else if (p < 0 && errno != EINTR)
				r = -errno;
		} else if (errno != EINTR) {
			r = -errno;
		}
	}
	free(text);
	return r;
}

static char *proto_join(const char *dir, const char *name)
{
	char *s = NULL;

	return asprintf(&s, "%s/%s", dir, name) < 0 ? NULL : s;
}

/*
 * The state dir as the kernel finds it: its longest existing part
 * resolved (realpath), the rest as given (the core made it absolute and
 * normal), so that it names the same place before and after it exists.
 */
static char *proto_canonical(const char *state_dir)
{
	char *head = strdup(state_dir), *real = NULL, *s = NULL;
	size_t cut = strlen(state_dir);

	while (head && !(real = realpath(head, NULL))) {
		char *slash = strrchr(head, '/');

		if ((errno != ENOENT && errno != ENOTDIR) || !slash) {
			free(head);
			return strdup(state_dir);
		}
		cut = (size_t)(slash - head);
		if (cut == 0)
			head[1] = '\0'; /* "/" */
		else
			*slash = '\0';
	}
	free(head);
	if (!real)
		return NULL;
	if (asprintf(&s, "%s%s", strcmp(real, "/") == 0 && state_dir[cut] ? "" : real,
		     state_dir + cut) < 0)
		s = NULL;
	free(real);
	return s;
}

/* As root: DIRECT_RUN_DIR/<FNV-1a 64 of the canonical state dir, 16 hex digits>. */
static char *proto_run_dir(const char *state_dir)
{
	char *canon = proto_canonical(state_dir), *s = NULL;
	uint64_t h = 0xcbf29ce484222325u;

	if (!canon)
		return NULL;
	for (const unsigned char *c = (const unsigned char *)canon; *c; c++)
		h = (h ^ *c) * 0x100000001b3u;
	free(canon);
	return asprintf(&s, DIRECT_RUN_DIR "/%016" PRIx64, h) < 0 ? NULL : s;
}

int direct_paths_init(struct direct_paths *p, const char *state_dir)
{
	memset(p, 0, sizeof(*p));
	/* A root manager's state goes where no other user can write: not the state dir, theirs. */
	p->dir = geteuid() == 0 ? proto_run_dir(state_dir) : proto_join(state_dir, "direct");
	if (!p->dir)
		return -ENOMEM;
	p->lock = proto_join(p->dir, "lock");
	p->pid = proto_join(p->dir, "manager.pid");
	p->sock = proto_join(p->dir, "manager.sock");
	p->log = proto_join(p->dir, "manager.log");
	p->children = proto_join(p->dir, "children");
	if (!p->lock || !p->pid || !p->sock || !p->log || !p->children) {
		direct_paths_release(p);
		return -ENOMEM;
	}
	return 0;
}

int direct_paths_check(const struct direct_paths *p, bool create, char *why, size_t len)
{
	int r = 0;

	if (strncmp(p->dir, DIRECT_RUN_DIR "/", sizeof(DIRECT_RUN_DIR)) == 0)
		r = direct_private_dir(DIRECT_RUN_DIR, create, why, len);
	return r < 0 ? r : direct_private_dir(p->dir, create, why, len);
}

void direct_paths_release(struct direct_paths *p)
{
	free(p->dir);
	free(p->lock);
	free(p->pid);
	free(p->sock);
	free(p->log);
	free(p->children);
	memset(p, 0, sizeof(*p));
}
