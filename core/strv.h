/* SPDX-License-Identifier: MIT */
/* String vectors and POSIX-shell word splitting. */
#ifndef GX_STRV_H
#define GX_STRV_H

#include "galaxyctl/plugin.h"

int gx_strv_push(struct gx_strv *sv, const char *s);
int gx_strv_pushf(struct gx_strv *sv, const char *fmt, ...) GX_PRINTF(2, 3);
/* Takes ownership of s, also on failure. */
int gx_strv_push_take(struct gx_strv *sv, char *s);
/*
 * Split like a POSIX shell (no expansion): blanks separate words; '...'
 * is literal; "..." honours \$ \` \" \\ and \newline; a lone \ quotes the
 * next character.  '#' is an ordinary character, as in Python's
 * shlex.split() and systemd, which split these same strings upstream.
 * An unterminated quote is -EINVAL with a message.
 */
int gx_strv_split(struct gx_strv *sv, const char *words, struct gx_error *err);
/* Index of "NAME=" in an environment vector, or -1. */
long gx_strv_env_find(const struct gx_strv *env, const char *name);
/* Set NAME=VALUE, replacing an existing NAME. */
int gx_strv_env_set(struct gx_strv *env, const char *name, const char *value);
void gx_strv_release(struct gx_strv *sv);

#endif
