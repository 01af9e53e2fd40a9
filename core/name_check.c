/* SPDX-License-Identifier: MIT */
/* The one rule for names that become file, program, unit and log names. */
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
