/* SPDX-License-Identifier: MIT */
/* Output of several processes on one terminal: whole lines, each behind its program's name. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "prefix.h"

static const int prefix_colours[] = { 36, 32, 33, 35, 34, 31 };

int direct_prefix_relabel(struct direct_prefix *px, const char *name, int width, int colour)
{
	char *label;
	int n;

	if (colour >= 0)
		n = asprintf(&label, "\033[%dm%-*s |\033[0m ",
			     prefix_colours[colour % (int)(sizeof(prefix_colours) / sizeof(int))],
			     width, name);
	else
		n = asprintf(&label, "%-*s | ", width, name);
	if (n < 0)
		return -ENOMEM;
	free(px->label);
	px->label = label;
	px->label_len = (size_t)n;
	return 0;
}

int direct_prefix_init(struct direct_prefix *px, const char *name, int width, int colour)
{
	memset(px, 0, sizeof(*px));
	return direct_prefix_relabel(px, name, width, colour);
}

/* label + a + b + "\n" in one write, so that lines of different programs never mix. */
static void prefix_emit(const struct direct_prefix *px, int fd, const char *a, size_t alen,
			const char *b, size_t blen)
{
	struct iovec iov[4] = {
		{ .iov_base = px->label, .iov_len = px->label_len },
		{ .iov_base = (void *)a, .iov_len = alen },
		{ .iov_base = (void *)b, .iov_len = blen },
		{ .iov_base = "\n", .iov_len = 1 },
	};
	ssize_t r;

	do
		r = writev(fd, iov, 4);
	while (r < 0 && errno == EINTR);
}

void direct_prefix_feed(struct direct_prefix *px, int fd, const char *data, size_t len)
{
	while (len > 0) {
		const char *nl = memchr(data, '\n', len);
		size_t line = nl ? (size_t)(nl - data) : len;

		if (nl) {
			prefix_emit(px, fd, px->partial, px->len, data, line);
			px->len = 0;
			data += line + 1;
			len -= line + 1;
			continue;
		}
		if (!px->partial) {
			px->partial = malloc(DIRECT_PREFIX_LINE);
			if (!px->partial) {
				prefix_emit(px, fd, data, line, NULL, 0);
				return;
			}
		}
		while (line > 0) {
			size_t take = DIRECT_PREFIX_LINE - px->len < line ? DIRECT_PREFIX_LINE - px->len
									  : line;

			memcpy(px->partial + px->len, data, take);
			px->len += take;
			data += take;
			line -= take;
			if (px->len == DIRECT_PREFIX_LINE)
				direct_prefix_flush(px, fd);
		}
		len = 0;
	}
}

void direct_prefix_flush(struct direct_prefix *px, int fd)
{
	if (px->len == 0)
		return;
	prefix_emit(px, fd, px->partial, px->len, NULL, 0);
	px->len = 0;
}

void direct_prefix_release(struct direct_prefix *px)
{
	free(px->label);
	free(px->partial);
	memset(px, 0, sizeof(*px));
}

bool direct_prefix_want_colour(int fd)
{
	const char *no = getenv("NO_COLOR");

	return isatty(fd) && !(no && *no);
}
