/* SPDX-License-Identifier: MIT */
/* Values from configs and processes made safe to print on an admin's terminal. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"

static int is_control(unsigned char c)
{
	return c < 0x20 || c == 0x7f;
}

const char *gx_escape(const char *s, char *buf, size_t size)
{
	size_t used = 0;

	if (size == 0)
		return buf;
	for (const unsigned char *p = (const unsigned char *)s; *p && used + 5 < size; p++) {
		const char *esc = *p == '\n' ? "\\n" : *p == '\t' ? "\\t" : *p == '\r' ? "\\r"
				  : *p == '"' ? "\\\"" : *p == '\\' ? "\\\\" : NULL;

		if (esc)
			used += (size_t)snprintf(buf + used, size - used, "%s", esc);
		else if (is_control(*p))
			used += (size_t)snprintf(buf + used, size - used, "\\x%02x", *p);
		else
			buf[used++] = (char)*p;
	}
	buf[used] = '\0';
	return buf;
}

void gx_fputs_printable(const char *s, FILE *out)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		size_t run = 0;

		/* Plain runs go out whole; only the bytes between them are escaped. */
		while (p[run] && (!is_control(p[run]) || p[run] == '\n' || p[run] == '\t'))
			run++;
		fwrite(p, 1, run, out);
		p += run;
		if (*p)
			fprintf(out, "\\x%02x", *p++);
	}
}

void gx_vfprintf_printable(FILE *out, const char *fmt, va_list ap)
{
	char *text = NULL;
	va_list copy;

	va_copy(copy, ap);
	if (vasprintf(&text, fmt, copy) < 0) {
		/* Out of memory: the message as it is rather than none. */
		va_end(copy);
		vfprintf(out, fmt, ap);
		return;
	}
	va_end(copy);
	gx_fputs_printable(text, out);
	free(text);
}
