/* SPDX-License-Identifier: MIT */
/* The one rule for names that become file, program, unit and log names. */
#include <stdio.h>
#include <string.h>

#include "name_check.h"

static int names_allowed(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-' || c == '.';
}

const char *gx_name_problem(const char *name)
{
	size_t len = strlen(name);

	if (len == 0)
		return "may not be empty";
	if (len > GX_NAME_MAX)
		return "is longer than 64 characters";
	for (size_t i = 0; i < len; i++)
		if (!names_allowed((unsigned char)name[i]))
			return "may hold only letters, digits, '_', '-' and '.'";
	if (name[0] == '-' || name[0] == '.')
		return "may not start with '-' or '.'";
	return NULL;
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
		else if (*p < 0x20 || *p == 0x7f)
			used += (size_t)snprintf(buf + used, size - used, "\\x%02x", *p);
		else
			buf[used++] = (char)*p;
	}
	buf[used] = '\0';
	return buf;
}
