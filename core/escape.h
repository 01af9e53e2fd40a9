/* SPDX-License-Identifier: MIT */
/* Values from configs and processes made safe to print on an admin's terminal. */
#ifndef GX_ESCAPE_H
#define GX_ESCAPE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

/* s with control bytes, '"' and '\' as C escapes, into buf (always terminated). */
const char *gx_escape(const char *s, char *buf, size_t size);

/*
 * fputs, with every control byte but newline and tab written as \xNN: a
 * name or a process's output in a message can then not move the cursor,
 * retitle the terminal or clear it.
 */
void gx_fputs_printable(const char *s, FILE *out);
/* vfprintf through gx_fputs_printable. */
void gx_vfprintf_printable(FILE *out, const char *fmt, va_list ap);

#endif
