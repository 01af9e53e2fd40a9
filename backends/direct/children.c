/* SPDX-License-Identifier: MIT */
/* The children record: numbers that name what a manager runs, for its successor after a crash. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "children.h"
#include "proc.h"

#define CHILDREN_MAGIC "galaxyctl-direct-children 1 boot "
/* Far more than any manager runs: a bigger file is not ours. */
#define CHILDREN_MAX_BYTES (4u << 20)

int direct_boot_id(char *ret)
{
	char buf[DIRECT_BOOT_ID_LEN + 2];
	ssize_t n;
	int fd = open("/proc/sys/kernel/random/boot_id", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf));
	close(fd);
	if (n != DIRECT_BOOT_ID_LEN + 1 || buf[DIRECT_BOOT_ID_LEN] != '\n')
		return -EIO;
	memcpy(ret, buf, DIRECT_BOOT_ID_LEN);
	ret[DIRECT_BOOT_ID_LEN] = '\0';
	return 0;
}

uint64_t direct_children_key(const char *name)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		h = (h ^ *p) * 0x100000001b3ull;
	return h;
}

/* ---------------------------------------------------------------------- */
/* Writing */

static int children_write_all(int fd, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, data, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

/* The whole text of a record, heap-allocated. */
static char *children_format(const char *boot_id, const struct direct_child_rec *v, size_t n,
			     size_t *ret_len)
{
	size_t alloc = sizeof(CHILDREN_MAGIC) + DIRECT_BOOT_ID_LEN + 2 + n * 64, len;
	char *text = malloc(alloc);
	int w;

	if (!text)
		return NULL;
	w = snprintf(text, alloc, "%s%s\n", CHILDREN_MAGIC, boot_id);
	len = (size_t)w;
	for (size_t i = 0; i < n; i++) {
		w = snprintf(text + len, alloc - len, "%ld %lld %016" PRIx64 "\n", (long)v[i].pid,
			     v[i].starttime, v[i].key);
		len += (size_t)w;
	}
	*ret_len = len;
	return text;
}

int direct_children_write(const char *path, const char *boot_id, const struct direct_child_rec *v,
			  size_t n)
{
	size_t len, tmp_len = strlen(path) + 5;
	char *text = children_format(boot_id, v, n, &len), *tmp = malloc(tmp_len);
	int fd = -1, r = -ENOMEM;

	if (!text || !tmp)
		goto out_free;
	snprintf(tmp, tmp_len, "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		r = -errno;
		goto out_free;
	}
	r = children_write_all(fd, text, len);
	if (r == 0 && fsync(fd) < 0)
		r = -errno;
	if (close(fd) < 0 && r == 0)
		r = -errno;
	if (r == 0 && rename(tmp, path) < 0)
		r = -errno;
	if (r < 0)
		unlink(tmp);
out_free:
	free(text);
	free(tmp);
	return r;
}

/* ---------------------------------------------------------------------- */
/* Reading */

/* Decimal digits only, no sign, no leading zero, at most max: the end, or NULL. */
static const char *children_number(const char *p, long long max, long long *ret)
{
	long long v = 0;
	const char *start = p;

	if (*p == '0' && p[1] >= '0' && p[1] <= '9')
		return NULL;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (v > (max - (*p - '0')) / 10)
			return NULL;
		v = v * 10 + (*p - '0');
	}
	if (p == start)
		return NULL;
	*ret = v;
	return p;
}

static bool children_boot_id_valid(const char *s)
{
	for (int i = 0; i < DIRECT_BOOT_ID_LEN; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;

		if (dash ? s[i] != '-' : !((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	}
	return true;
}

/* One "PID STARTTIME KEY" line (without its newline): NULL, or why not. */
static const char *children_parse_line(const char *line, struct direct_child_rec *ret)
{
	long long pid, starttime;
	uint64_t key = 0;
	const char *p = children_number(line, INT_MAX, &pid);

	if (!p || *p != ' ')
		return "no pid";
	if (pid < 2)
		return "a pid below 2";
	p = children_number(p + 1, LLONG_MAX, &starttime);
	if (!p || *p != ' ')
		return "no start time";
	p++;
	for (int i = 0; i < 16; i++, p++) {
		int d = *p >= '0' && *p <= '9' ? *p - '0' : *p >= 'a' && *p <= 'f' ? *p - 'a' + 10 : -1;

		if (d < 0)
			return "no key of 16 hex digits";
		key = key << 4 | (uint64_t)d;
	}
	if (*p)
		return "more than pid, start time and key";
	*ret = (struct direct_child_rec){ .pid = (pid_t)pid, .starttime = starttime, .key = key };
	return NULL;
}

/* The whole file, NUL-terminated, once it proves to be a file only this user can write. */
static int children_slurp(const char *path, char **ret, size_t *ret_len)
{
	struct stat st;
	size_t len = 0;
	char *text;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC), r = 0;

	if (fd < 0)
		return errno == ELOOP ? -EPERM : -errno;
	if (fstat(fd, &st) < 0) {
		r = -errno;
		goto out_close;
	}
	if (!S_ISREG(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 022)) {
		r = -EPERM;
		goto out_close;
	}
	if ((uint64_t)st.st_size > CHILDREN_MAX_BYTES) {
		r = -EFBIG;
		goto out_close;
	}
	text = malloc((size_t)st.st_size + 1);
	if (!text) {
		r = -ENOMEM;
		goto out_close;
	}
	while (len < (size_t)st.st_size) {
		ssize_t n = read(fd, text + len, (size_t)st.st_size - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	text[len] = '\0';
	*ret = text;
	*ret_len = len;
out_close:
	close(fd);
	return r;
}

static int children_push(struct direct_children *c, const struct direct_child_rec *rec)
{
	struct direct_child_rec *grown = realloc(c->v, (c->n + 1) * sizeof(*grown));

	if (!grown)
		return -ENOMEM;
	c->v = grown;
	c->v[c->n++] = *rec;
	return 0;
}

/* The lines after the header; a line with a NUL in it is as bad as any other. */
static int children_parse_body(struct direct_children *c, char *p, const char *end,
			       void (*bad)(void *ctx, unsigned line, const char *why), void *ctx)
{
	for (unsigned line = 2; p < end; line++) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		struct direct_child_rec rec;
		const char *why;
		int r;

		if (!nl) {
			if (bad)
				bad(ctx, line, "no end of line (a record cut short)");
			break;
		}
		*nl = '\0';
		why = strlen(p) != (size_t)(nl - p) ? "a NUL byte" : children_parse_line(p, &rec);
		if (why && bad)
			bad(ctx, line, why);
		if (!why && (r = children_push(c, &rec)) < 0)
			return r;
		p = nl + 1;
	}
	return 0;
}

int direct_children_read(const char *path, struct direct_children *ret,
			 void (*bad)(void *ctx, unsigned line, const char *why), void *ctx)
{
	struct direct_children c = { 0 };
	size_t len = 0, head = strlen(CHILDREN_MAGIC);
	char *text = NULL;
	int r = children_slurp(path, &text, &len);

	if (r < 0)
		return r;
	if (len < head + DIRECT_BOOT_ID_LEN + 1 || memcmp(text, CHILDREN_MAGIC, head) != 0 ||
	    !children_boot_id_valid(text + head) || text[head + DIRECT_BOOT_ID_LEN] != '\n') {
		free(text);
		return -EBADMSG;
	}
	memcpy(c.boot_id, text + head, DIRECT_BOOT_ID_LEN);
	r = children_parse_body(&c, text + head + DIRECT_BOOT_ID_LEN + 1, text + len, bad, ctx);
	free(text);
	if (r < 0) {
		direct_children_release(&c);
		return r;
	}
	*ret = c;
	return 0;
}

void direct_children_release(struct direct_children *c)
{
	free(c->v);
	c->v = NULL;
	c->n = 0;
}

bool direct_children_alive(const struct direct_children *c, const struct direct_child_rec *rec,
			   const char *boot_id_now)
{
	struct direct_procstat st;

	return boot_id_now && strcmp(c->boot_id, boot_id_now) == 0 &&
	       direct_proc_stat(rec->pid, &st) == 0 && st.starttime == rec->starttime &&
	       st.state != 'Z' && st.state != 'X';
}
