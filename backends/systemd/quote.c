/* SPDX-License-Identifier: MIT */
/* Text for unit files: a string builder, systemd quoting and escaping, GB values, the config hash. */
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nettle/sha1.h>

#include "systemd.h"

/* ---------------------------------------------------------------------- */
/* The string builder: errors are sticky, checked once by sd_buf_steal(). */

static bool sd_buf_grow(struct sd_buf *b, size_t extra)
{
	size_t need = b->len + extra + 1;
	char *s;

	if (b->failed)
		return false;
	if (need <= b->alloc)
		return true;
	if (need < 64)
		need = 64;
	if (need < b->alloc * 2)
		need = b->alloc * 2;
	s = realloc(b->s, need);
	if (!s) {
		free(b->s);
		b->s = NULL;
		b->len = b->alloc = 0;
		b->failed = true;
		return false;
	}
	b->s = s;
	b->alloc = need;
	return true;
}

void sd_buf_addn(struct sd_buf *b, const char *s, size_t n)
{
	if (!sd_buf_grow(b, n))
		return;
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void sd_buf_add(struct sd_buf *b, const char *s)
{
	sd_buf_addn(b, s, strlen(s));
}

void sd_buf_addf(struct sd_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !sd_buf_grow(b, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

char *sd_buf_steal(struct sd_buf *b)
{
	char *s = b->s;

	if (!b->failed && !s)
		s = strdup("");
	memset(b, 0, sizeof(*b));
	return s;
}

void sd_buf_release(struct sd_buf *b)
{
	free(b->s);
	memset(b, 0, sizeof(*b));
}

/* ---------------------------------------------------------------------- */
/* Quoting */

static bool sd_is_control(unsigned char c)
{
	return c < 0x20 || c == 0x7f;
}

/*
 * Python's shlex.quote() leaves a word alone when it is made of these only; '<' and '>' are
 * literal to systemd too, and Gravity writes gx-it-proxy's default package spec
 * (`...@>=0.0.6`) bare.
 */
static bool sd_shlex_safe(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c && strchr("_@%+=:,./-<>", c));
}

static bool sd_needs_quotes(const char *s)
{
	if (!*s)
		return true;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (!sd_shlex_safe(*p))
			return true;
	return false;
}

/*
 * s quoted as shlex.quote() does, with what systemd's own unquoting would
 * change escaped: backslashes (C escapes are honoured inside quotes), '%'
 * (specifiers) and, in command lines, '$' (variable expansion).
 */
static bool sd_quote(struct sd_buf *b, const char *s, bool exec, bool force_quotes)
{
	bool quoted = force_quotes || sd_needs_quotes(s);

	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (sd_is_control(*p) && *p != '\t')
			return false;
	if (quoted)
		sd_buf_add(b, "'");
	for (const char *p = s; *p; p++) {
		switch (*p) {
		case '\'':
			sd_buf_add(b, "'\"'\"'");
			break;
		case '\\':
			sd_buf_add(b, "\\\\");
			break;
		case '%':
			sd_buf_add(b, "%%");
			break;
		case '$':
			sd_buf_add(b, exec ? "$$" : "$");
			break;
		default:
			sd_buf_addn(b, p, 1);
		}
	}
	if (quoted)
		sd_buf_add(b, "'");
	return true;
}

bool sd_quote_exec_word(struct sd_buf *b, const char *s, bool first)
{
	/* A leading @ - : + ! would be read as an ExecStart= prefix unless quoted. */
	return sd_quote(b, s, true, first && *s && strchr("@-:+!", *s));
}

bool sd_quote_env_value(struct sd_buf *b, const char *s)
{
	return sd_quote(b, s, false, false);
}

bool sd_escape_value(struct sd_buf *b, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (sd_is_control(*p))
			return false;
	for (const char *p = s; *p; p++) {
		if (*p == '%')
			sd_buf_add(b, "%%");
		else
			sd_buf_addn(b, p, 1);
	}
	return true;
}

bool sd_env_name_ok(const char *name, size_t len)
{
	if (len == 0)
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];

		if (sd_is_control(c) || c == ' ' || c == '=' || c == '\'' || c == '"' ||
		    c == '\\' || c == '%' || c == '$')
			return false;
	}
	return true;
}

bool sd_unit_name_part_ok(const char *s)
{
	if (!*s)
		return false;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == ':' || *p == '_' || *p == '.' ||
		      *p == '-'))
			return false;
	return true;
}

/* ---------------------------------------------------------------------- */
/* Values */

void sd_format_gb(struct sd_buf *b, double gb)
{
	char text[64];

	if (gb == floor(gb) && fabs(gb) < 1e15) {
		sd_buf_addf(b, "%.0fG", gb);
		return;
	}
	/* The shortest text that reads back as the same number, without an exponent. */
	for (int prec = 1; prec <= 17; prec++) {
		snprintf(text, sizeof(text), "%.*g", prec, gb);
		if (strtod(text, NULL) == gb)
			break;
	}
	if (strchr(text, 'e')) {
		char *end;

		snprintf(text, sizeof(text), "%.12f", gb);
		end = text + strlen(text) - 1;
		while (end > text && *end == '0')
			*end-- = '\0';
		if (*end == '.')
			*end = '\0';
	}
	sd_buf_addf(b, "%sG", text);
}

void sd_path_hash(const char *path, char out[SD_HASH_LEN + 1])
{
	struct sha1_ctx ctx;
	uint8_t digest[SHA1_DIGEST_SIZE];

	sha1_init(&ctx);
	sha1_update(&ctx, strlen(path), (const uint8_t *)path);
	sha1_digest(&ctx, SHA1_DIGEST_SIZE, digest);
	for (size_t i = 0; i < SHA1_DIGEST_SIZE; i++)
		snprintf(out + 2 * i, 3, "%02x", digest[i]);
}

/* Upstream's test of one line: ";", blanks, "GRAVITY=", lower-case hex digits. */
static bool sd_line_hash(const char *line, char out[SD_HASH_LEN + 1])
{
	const char *p = line, *hex;
	size_t n;

	if (*p++ != ';')
		return false;
	while (*p == ' ' || *p == '\t' || *p == '\v' || *p == '\f' || *p == '\r')
		p++;
	if (strncmp(p, SD_HASH_KEY, strlen(SD_HASH_KEY)) != 0)
		return false;
	hex = p + strlen(SD_HASH_KEY);
	n = strspn(hex, "0123456789abcdef");
	if (n == 0)
		return false;
	/* A hash of another length is nobody's we know: it never matches ours. */
	if (n == SD_HASH_LEN)
		memcpy(out, hex, n);
	out[n == SD_HASH_LEN ? n : 0] = '\0';
	return true;
}

bool sd_find_hash(const char *text, char out[SD_HASH_LEN + 1])
{
	for (const char *line = text; line;) {
		const char *next = strchr(line, '\n');

		if (sd_line_hash(line, out))
			return true;
		line = next ? next + 1 : NULL;
	}
	return false;
}
