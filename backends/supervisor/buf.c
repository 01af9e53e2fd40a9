/* SPDX-License-Identifier: MIT */
/* Text built in memory: a growing buffer for rendering files and messages, and formatted strings. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sv.h"

void sv_buf_add(struct sv_buf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n + 1 > b->alloc) {
		size_t alloc = b->alloc ? b->alloc : 256;
		char *grown;

		while (alloc < b->len + n + 1)
			alloc *= 2;
		grown = realloc(b->s, alloc);
		if (!grown) {
			b->oom = true;
			return;
		}
		b->s = grown;
		b->alloc = alloc;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void sv_buf_puts(struct sv_buf *b, const char *s)
{
	sv_buf_add(b, s, strlen(s));
}

void sv_buf_putc(struct sv_buf *b, char c)
{
	sv_buf_add(b, &c, 1);
}

void sv_buf_printf(struct sv_buf *b, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = sv_vstrdupf(fmt, ap);
	va_end(ap);
	if (!s) {
		b->oom = true;
		return;
	}
	sv_buf_puts(b, s);
	free(s);
}

char *sv_buf_steal(struct sv_buf *b)
{
	char *s = b->s;

	if (b->oom) {
		sv_buf_release(b);
		return NULL;
	}
	if (!s)
		s = strdup("");
	memset(b, 0, sizeof(*b));
	return s;
}

void sv_buf_release(struct sv_buf *b)
{
	free(b->s);
	memset(b, 0, sizeof(*b));
}

int sv_error(struct gx_error *err, int code, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return code;
	memset(err, 0, sizeof(*err));
	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	return code;
}

char *sv_vstrdupf(const char *fmt, va_list ap)
{
	char *s = NULL;

	return vasprintf(&s, fmt, ap) < 0 ? NULL : s;
}

char *sv_strdupf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = sv_vstrdupf(fmt, ap);
	va_end(ap);
	return s;
}
