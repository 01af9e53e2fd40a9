/* SPDX-License-Identifier: MIT */
/* Unified diffs of two texts, as `diff -u` prints them, for update --dry-run. */
#ifndef GX_UDIFF_H
#define GX_UDIFF_H

#include <stddef.h>

/* Beyond this many differing lines the diff is no longer minimal: all of a out, all of b in. */
#define GX_UDIFF_MAX_EDITS 1000

/*
 * The unified diff of text a (labelled a_label on its "---" line) against
 * b, with context lines around each change, into *ret (heap, the caller
 * frees it): "" when the texts are equal.  Lines are split at '\n'; a
 * last line without one is followed by "\ No newline at end of file".
 * Either text holding a NUL byte gives "Binary files A and B differ\n".
 * -ENOMEM, or 0.
 */
int gx_udiff(const char *a, size_t alen, const char *b, size_t blen, const char *a_label,
	     const char *b_label, unsigned context, char **ret);

#endif
