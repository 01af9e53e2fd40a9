/* SPDX-License-Identifier: MIT */
/*
 * Writing values in supervisor's config syntax: its ini parser (inline ';'
 * and '#' comments after whitespace), its %-expansion (once for most
 * values, twice for log files), shlex.split() for commands and a
 * non-POSIX shlex for the environment.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "sv.h"

/* Python's str.isspace() on the ASCII range. */
static bool sv_isspace(unsigned char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f);
}

static bool sv_has_line_break(const char *s)
{
	return strpbrk(s, "\n\r") != NULL;
}

/* A ';' or '#' right after whitespace starts a comment in supervisor's ini parser. */
static bool sv_has_inline_comment(const char *s)
{
	for (size_t i = 1; s[0] && s[i]; i++)
		if ((s[i] == ';' || s[i] == '#') && sv_isspace((unsigned char)s[i - 1]))
			return true;
	return false;
}

const char *sv_value_problem(const char *s)
{
	if (sv_has_line_break(s))
		return "it contains a line break";
	if (sv_has_inline_comment(s))
		return "it contains ';' or '#' after whitespace, which supervisor reads as a comment";
	if (strstr(s, "%(here)s"))
		return "it contains %(here)s, which supervisord replaces in every value";
	return NULL;
}

void sv_put_escaped(struct sv_buf *b, const char *s, unsigned times)
{
	for (const char *p = s; *p; p++) {
		const char *pct = strchr(p, '%');

		if (!pct) {
			sv_buf_puts(b, p);
			return;
		}
		sv_buf_add(b, p, (size_t)(pct - p));
		for (unsigned i = 0; i < (1u << times); i++)
			sv_buf_putc(b, '%');
		p = pct;
	}
}

/*
 * Characters shlex.quote() leaves unquoted, and '<' '>': literal to supervisord's shlex.split(),
 * and Gravity writes gx-it-proxy's default package spec (`...@>=0.0.6`) bare.
 */
static bool sv_shlex_safe(const char *s)
{
	if (!*s)
		return false;
	for (const char *p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || strchr("_@%+=:,./-<>", *p)))
			return false;
	return true;
}

int sv_put_command_word(struct sv_buf *b, const char *word, bool raw, const char **why)
{
	if (raw) {
		sv_buf_puts(b, word);
		return 0;
	}
	if (sv_has_line_break(word)) {
		*why = "it contains a line break";
		return -EINVAL;
	}
	if (strstr(word, "%(here)s")) {
		*why = "it contains %(here)s, which supervisord replaces in every value";
		return -EINVAL;
	}
	if (sv_shlex_safe(word)) {
		sv_put_escaped(b, word, 1);
		return 0;
	}
	sv_buf_putc(b, '\'');
	for (const char *p = word; *p; p++) {
		if (*p == '\'')
			sv_buf_puts(b, "'\"'\"'");
		else if (*p == '%')
			sv_buf_puts(b, "%%");
		else if ((*p == ';' || *p == '#') && p > word && sv_isspace((unsigned char)p[-1]))
			sv_buf_printf(b, "'\\%c'", *p); /* out of the quotes, so no comment starts */
		else
			sv_buf_putc(b, *p);
	}
	sv_buf_putc(b, '\'');
	return 0;
}

/* Word characters of supervisor's environment lexer that shlex.quote() also leaves alone. */
static bool sv_env_bare(const char *s)
{
	if (!*s)
		return false;
	for (const char *p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || strchr("_/.+:-", *p)))
			return false;
	return true;
}

static bool sv_is_quote(char c)
{
	return c == '\'' || c == '"';
}

int sv_put_env_value(struct sv_buf *b, const char *value, const char *raw_tail,
		     const char **why)
{
	const char *tail = raw_tail ? raw_tail : "";
	size_t vlen = strlen(value), tlen = strlen(tail);
	char last = tlen ? tail[tlen - 1] : (vlen ? value[vlen - 1] : '\0');
	char quote = '\'';

	*why = sv_value_problem(value);
	if (*why)
		return -EINVAL;
	if (!tlen && sv_env_bare(value)) {
		sv_buf_puts(b, value);
		return 0;
	}
	if ((vlen && sv_is_quote(value[0])) || sv_is_quote(last)) {
		*why = "it starts or ends with a quote, which supervisor strips";
		return -EINVAL;
	}
	if (strchr(value, '\'') || strchr(tail, '\''))
		quote = '"';
	if (quote == '"' && (strchr(value, '"') || strchr(tail, '"'))) {
		*why = "it contains both kinds of quotes, which supervisor cannot read back";
		return -EINVAL;
	}
	sv_buf_putc(b, quote);
	sv_put_escaped(b, value, 1);
	sv_buf_puts(b, tail);
	sv_buf_putc(b, quote);
	return 0;
}

bool sv_env_name_ok(const char *name)
{
	if (!((*name >= 'a' && *name <= 'z') || (*name >= 'A' && *name <= 'Z') || *name == '_'))
		return false;
	for (const char *p = name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '_'))
			return false;
	return true;
}

const char *sv_name_problem(const char *name)
{
	if (!*name)
		return "it is empty";
	for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
		if (*p < 0x20 || *p == 0x7f || sv_isspace(*p))
			return "it contains whitespace or a control character";
		if (strchr(":/%,;#[]=\"'\\", *p))
			return "it contains one of : / % , ; # [ ] = quotes or backslash";
	}
	return NULL;
}
