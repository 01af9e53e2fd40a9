/* SPDX-License-Identifier: MIT */
/* String vectors (argv, environment) and POSIX-shell word splitting without expansion. */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "strv.h"

/* Room for one more string plus the terminating NULL. */
static int strv_reserve(struct gx_strv *sv)
{
	size_t alloc;
	char **v;

	if (sv->n + 2 <= sv->alloc)
		return 0;
	alloc = sv->alloc ? sv->alloc * 2 : 8;
	if (alloc < sv->n + 2)
		return -ENOMEM;
	v = reallocarray(sv->v, alloc, sizeof(*v));
	if (!v)
		return -ENOMEM;
	sv->v = v;
	sv->alloc = alloc;
	return 0;
}

int gx_strv_push_take(struct gx_strv *sv, char *s)
{
	if (!s || strv_reserve(sv) < 0) {
		free(s);
		return -ENOMEM;
	}
	sv->v[sv->n++] = s;
	sv->v[sv->n] = NULL;
	return 0;
}

int gx_strv_push(struct gx_strv *sv, const char *s)
{
	return gx_strv_push_take(sv, strdup(s));
}

int gx_strv_pushf(struct gx_strv *sv, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (r < 0)
		return -ENOMEM;
	return gx_strv_push_take(sv, s);
}

/* Free the strings from index n on, so that a failed call leaves sv as it found it. */
static void strv_truncate(struct gx_strv *sv, size_t n)
{
	while (sv->n > n)
		free(sv->v[--sv->n]);
	if (sv->v)
		sv->v[sv->n] = NULL;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n';
}

/* The word being built; never longer than the input, so it needs no growth. */
struct split_word {
	char *buf;
	size_t len;
	bool started; /* a quote or character was seen, so even "" makes a word */
};

/* After the opening quote: copy up to the closing one.  Returns the char after it, or NULL. */
static const char *split_single(const char *p, struct split_word *w)
{
	while (*p && *p != '\'')
		w->buf[w->len++] = *p++;
	return *p ? p + 1 : NULL;
}

static const char *split_double(const char *p, struct split_word *w)
{
	while (*p && *p != '"') {
		if (p[0] == '\\' && p[1] == '\n') {
			p += 2;
			continue;
		}
		if (p[0] == '\\' && p[1] && strchr("$`\"\\", p[1]))
			p++;
		w->buf[w->len++] = *p++;
	}
	return *p ? p + 1 : NULL;
}

static int split_end_word(struct gx_strv *sv, struct split_word *w)
{
	int r;

	if (!w->started)
		return 0;
	r = gx_strv_push_take(sv, strndup(w->buf, w->len));
	w->len = 0;
	w->started = false;
	return r;
}

static int split_words(struct gx_strv *sv, const char *words, struct split_word *w,
		       struct gx_error *err)
{
	const char *p = words;
	const char *q;
	int r;

	for (;;) {
		if (!*p || is_blank(*p)) {
			r = split_end_word(sv, w);
			if (r < 0 || !*p)
				return r;
			p++;
		} else if (p[0] == '\\' && p[1] == '\n') {
			p += 2;
		} else if (*p == '\\') {
			if (!p[1])
				return gx_error_set(err, NULL, -EINVAL, "trailing backslash in: %s",
						    words);
			w->buf[w->len++] = p[1];
			w->started = true;
			p += 2;
		} else if (*p == '\'' || *p == '"') {
			q = *p == '\'' ? split_single(p + 1, w) : split_double(p + 1, w);
			if (!q)
				return gx_error_set(err, NULL, -EINVAL,
						    "unterminated %s quote in: %s",
						    *p == '\'' ? "single" : "double", words);
			w->started = true;
			p = q;
		} else {
			w->buf[w->len++] = *p++;
			w->started = true;
		}
	}
}

int gx_strv_split(struct gx_strv *sv, const char *words, struct gx_error *err)
{
	struct split_word w = { 0 };
	size_t n0 = sv->n;
	int r;

	w.buf = malloc(strlen(words) + 1);
	if (!w.buf)
		return gx_error_set(err, NULL, -ENOMEM, "out of memory");
	r = split_words(sv, words, &w, err);
	free(w.buf);
	if (r == -ENOMEM)
		gx_error_set(err, NULL, r, "out of memory");
	if (r < 0)
		strv_truncate(sv, n0);
	return r;
}

/* A name that can appear left of the '=' of an environment entry. */
static bool env_name_ok(const char *name)
{
	return *name && !strchr(name, '=');
}

long gx_strv_env_find(const struct gx_strv *env, const char *name)
{
	size_t len = strlen(name);
	size_t i;

	if (!env_name_ok(name))
		return -1;
	for (i = 0; i < env->n; i++)
		if (strncmp(env->v[i], name, len) == 0 && env->v[i][len] == '=')
			return (long)i;
	return -1;
}

int gx_strv_env_set(struct gx_strv *env, const char *name, const char *value)
{
	char *entry;
	long i;

	if (!env_name_ok(name))
		return -EINVAL;
	if (asprintf(&entry, "%s=%s", name, value) < 0)
		return -ENOMEM;
	i = gx_strv_env_find(env, name);
	if (i < 0)
		return gx_strv_push_take(env, entry);
	free(env->v[i]);
	env->v[i] = entry;
	return 0;
}

void gx_strv_release(struct gx_strv *sv)
{
	if (!sv)
		return;
	strv_truncate(sv, 0);
	free(sv->v);
	sv->v = NULL;
	sv->alloc = 0;
}
