/* SPDX-License-Identifier: MIT */
/* The direct manager's control protocol: JSON lines over a unix socket; where its files live. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proto.h"

long direct_linebuf_fill(struct direct_linebuf *lb, int fd)
{
	ssize_t n;

	if (lb->alloc - lb->len < 4096) {
		size_t alloc = lb->alloc ? lb->alloc * 2 : 8192;
		char *grown;

		if (alloc > DIRECT_LINE_MAX + 8192)
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

int direct_send(int fd, const json_t *msg, int timeout_ms)
{
	char *text = json_dumps(msg, JSON_COMPACT);
	size_t len, done = 0;
	int r = 0;

	if (!text)
		return -ENOMEM;
	len = strlen(text);
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

int direct_paths_init(struct direct_paths *p, const char *state_dir)
{
	memset(p, 0, sizeof(*p));
	p->dir = proto_join(state_dir, "direct");
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
