/* SPDX-License-Identifier: MIT */
/* Unified diffs: Myers' O(ND) shortest edit script over lines, printed as hunks as diff -u does. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "udiff.h"

struct udiff_line {
	const char *s;
	size_t len;   /* without the '\n' */
	bool newline; /* ends with '\n' (only the last line may not) */
};

struct udiff_text {
	struct udiff_line *v;
	long n;
	size_t lines; /* n, for allocations */
};

enum udiff_op { UDIFF_SAME, UDIFF_DEL, UDIFF_ADD };

/* One step of the edit script: a line of a (SAME, DEL) or of b (ADD). */
struct udiff_edit {
	enum udiff_op op;
	long a; /* index in a (SAME, DEL); for ADD, how many lines of a come before */
	long b; /* index in b (SAME, ADD); for DEL, how many lines of b come before */
};

struct udiff_script {
	struct udiff_edit *v;
	long n;
};

static int udiff_split(const char *s, size_t len, struct udiff_text *t)
{
	long n = 0;

	for (size_t i = 0; i < len; i++)
		n += s[i] == '\n';
	t->v = calloc((size_t)n + 2, sizeof(*t->v));
	if (!t->v)
		return -ENOMEM;
	t->n = 0;
	for (size_t start = 0; start < len;) {
		const char *nl = memchr(s + start, '\n', len - start);
		size_t end = nl ? (size_t)(nl - s) : len;

		t->v[t->n++] = (struct udiff_line){ s + start, end - start, nl != NULL };
		t->lines++;
		start = nl ? end + 1 : len;
	}
	return 0;
}

static bool udiff_eq(const struct udiff_line *x, const struct udiff_line *y)
{
	return x->len == y->len && x->newline == y->newline && memcmp(x->s, y->s, x->len) == 0;
}

/* ---------------------------------------------------------------------- */
/* The shortest edit script */

/* Every line of a deleted, then every line of b added: correct, if not minimal. */
static int udiff_replace_all(const struct udiff_text *a, const struct udiff_text *b,
			     struct udiff_script *sc)
{
	sc->v = calloc(a->lines + b->lines + 1, sizeof(*sc->v));
	if (!sc->v)
		return -ENOMEM;
	sc->n = 0;
	for (long i = 0; i < a->n; i++)
		sc->v[sc->n++] = (struct udiff_edit){ UDIFF_DEL, i, 0 };
	for (long j = 0; j < b->n; j++)
		sc->v[sc->n++] = (struct udiff_edit){ UDIFF_ADD, a->n, j };
	return 0;
}

/*
 * Myers' greedy forward search.  trace[d] holds, for each diagonal k in
 * -d..d, the furthest x reached with d edits (trace[d][k + d]).  Returns
 * the number of edits, or -1 when it exceeds max_d.
 */
static long udiff_search(const struct udiff_text *a, const struct udiff_text *b, long max_d,
			 long **trace)
{
	for (long d = 0; d <= max_d; d++) {
		long *v = trace[d] = malloc((size_t)(2 * d + 1) * sizeof(long));
		const long *prev = d ? trace[d - 1] : NULL;

		if (!v)
			return -2;
		for (long k = -d; k <= d; k += 2) {
			long x, y;

			if (d == 0)
				x = 0;
			else if (k == -d || (k != d && prev[k - 1 + d - 1] < prev[k + 1 + d - 1]))
				x = prev[k + 1 + d - 1]; /* down: a line of b added */
			else
				x = prev[k - 1 + d - 1] + 1; /* right: a line of a deleted */
			y = x - k;
			while (x < a->n && y < b->n && udiff_eq(&a->v[x], &b->v[y]))
				x++, y++;
			v[k + d] = x;
			if (x >= a->n && y >= b->n)
				return d;
		}
	}
	return -1;
}

/* Walk the trace back from the end into the script, built backwards then turned around. */
static int udiff_backtrack(const struct udiff_text *a, const struct udiff_text *b, long d_end,
			   long *const *trace, struct udiff_script *sc)
{
	long x = a->n, y = b->n;

	sc->v = calloc(a->lines + b->lines + 1, sizeof(*sc->v));
	if (!sc->v)
		return -ENOMEM;
	sc->n = 0;
	for (long d = d_end; d > 0; d--) {
		const long *prev = trace[d - 1];
		long k = x - y, prev_k, prev_x, prev_y;
		bool down = k == -d || (k != d && prev[k - 1 + d - 1] < prev[k + 1 + d - 1]);

		prev_k = down ? k + 1 : k - 1;
		prev_x = prev[prev_k + d - 1];
		prev_y = prev_x - prev_k;
		/* The snake after the edit: lines both have. */
		while (x > (down ? prev_x : prev_x + 1) && y > (down ? prev_y + 1 : prev_y)) {
			x--, y--;
			sc->v[sc->n++] = (struct udiff_edit){ UDIFF_SAME, x, y };
		}
		if (down)
			sc->v[sc->n++] = (struct udiff_edit){ UDIFF_ADD, prev_x, prev_y };
		else
			sc->v[sc->n++] = (struct udiff_edit){ UDIFF_DEL, prev_x, prev_y };
		x = prev_x;
		y = prev_y;
	}
	while (x > 0 && y > 0) {
		x--, y--;
		sc->v[sc->n++] = (struct udiff_edit){ UDIFF_SAME, x, y };
	}
	for (long i = 0, j = sc->n - 1; i < j; i++, j--) {
		struct udiff_edit t = sc->v[i];

		sc->v[i] = sc->v[j];
		sc->v[j] = t;
	}
	return 0;
}

static int udiff_script(const struct udiff_text *a, const struct udiff_text *b,
			struct udiff_script *sc)
{
	long max_d = a->n + b->n < GX_UDIFF_MAX_EDITS ? a->n + b->n : GX_UDIFF_MAX_EDITS;
	long **trace = calloc((size_t)max_d + 2, sizeof(*trace));
	long d;
	int r;

	if (!trace)
		return -ENOMEM;
	d = udiff_search(a, b, max_d, trace);
	if (d == -2)
		r = -ENOMEM;
	else if (d < 0)
		r = udiff_replace_all(a, b, sc);
	else
		r = udiff_backtrack(a, b, d, trace, sc);
	for (long i = 0; i <= max_d; i++)
		free(trace[i]);
	free(trace);
	return r;
}

/* ---------------------------------------------------------------------- */
/* Hunks */

/* "-START,COUNT" as diff -u writes it: the count left out when 1, START the line before when 0. */
static void udiff_range(FILE *out, char sign, long first, long count)
{
	if (count == 1)
		fprintf(out, "%c%ld", sign, first + 1);
	else
		fprintf(out, "%c%ld,%ld", sign, count ? first + 1 : first, count);
}

static void udiff_line(FILE *out, char sign, const struct udiff_line *l)
{
	fputc(sign, out);
	fwrite(l->s, 1, l->len, out);
	fputs(l->newline ? "\n" : "\n\\ No newline at end of file\n", out);
}

/* One hunk: script steps [from, to). */
static void udiff_hunk(FILE *out, const struct udiff_text *a,
		       const struct udiff_text *b, const struct udiff_script *sc, long from, long to)
{
	long a_first = -1, b_first = -1, a_count = 0, b_count = 0;

	for (long i = from; i < to; i++) {
		const struct udiff_edit *e = &sc->v[i];

		if (e->op != UDIFF_ADD) {
			a_first = a_first < 0 ? e->a : a_first;
			a_count++;
		}
		if (e->op != UDIFF_DEL) {
			b_first = b_first < 0 ? e->b : b_first;
			b_count++;
		}
	}
	/* An empty side starts where the other's first step sits. */
	if (a_first < 0)
		a_first = sc->v[from].a;
	if (b_first < 0)
		b_first = sc->v[from].b;
	fputs("@@ ", out);
	udiff_range(out, '-', a_first, a_count);
	fputc(' ', out);
	udiff_range(out, '+', b_first, b_count);
	fputs(" @@\n", out);
	for (long i = from; i < to; i++) {
		const struct udiff_edit *e = &sc->v[i];

		if (e->op == UDIFF_SAME)
			udiff_line(out, ' ', &a->v[e->a]);
		else if (e->op == UDIFF_DEL)
			udiff_line(out, '-', &a->v[e->a]);
		else
			udiff_line(out, '+', &b->v[e->b]);
	}
}

/* Changes closer than 2 * context lines share a hunk, as in diff -u. */
static void udiff_hunks(FILE *out, const struct udiff_text *a,
			const struct udiff_text *b, const struct udiff_script *sc, long context)
{
	long i = 0;

	while (i < sc->n) {
		long start, end, same = 0;

		while (i < sc->n && sc->v[i].op == UDIFF_SAME)
			i++;
		if (i >= sc->n)
			break;
		start = i - context > 0 ? i - context : 0;
		/* Extend over changes until a run of more than 2 * context unchanged lines. */
		for (end = i; end < sc->n; end++) {
			if (sc->v[end].op != UDIFF_SAME) {
				same = 0;
				continue;
			}
			if (++same > 2 * context) {
				end++;
				break;
			}
		}
		/* end - same is just past the last change. */
		end = end - same + context;
		if (end > sc->n)
			end = sc->n;
		udiff_hunk(out, a, b, sc, start, end);
		i = end;
	}
}

int gx_udiff(const char *a, size_t alen, const char *b, size_t blen, const char *a_label,
	     const char *b_label, unsigned context, char **ret)
{
	struct udiff_text ta = { 0 }, tb = { 0 };
	struct udiff_script sc = { 0 };
	char *text = NULL;
	size_t len = 0;
	FILE *out;
	int r = 0;

	if (alen == blen && memcmp(a, b, alen) == 0) {
		*ret = strdup("");
		return *ret ? 0 : -ENOMEM;
	}
	out = open_memstream(&text, &len);
	if (!out)
		return -ENOMEM;
	if (memchr(a, '\0', alen) || memchr(b, '\0', blen)) {
		fprintf(out, "Binary files %s and %s differ\n", a_label, b_label);
		goto out_done;
	}
	r = udiff_split(a, alen, &ta);
	if (r == 0)
		r = udiff_split(b, blen, &tb);
	if (r == 0)
		r = udiff_script(&ta, &tb, &sc);
	if (r < 0)
		goto out_done;
	fprintf(out, "--- %s\n+++ %s\n", a_label, b_label);
	udiff_hunks(out, &ta, &tb, &sc, (long)context);
out_done:
	/* A memory stream fails only for memory: its error flag, or closing it. */
	if ((ferror(out) | fclose(out)) && r == 0)
		r = -ENOMEM;
	if (r == 0)
		*ret = text;
	else
		free(text);
	free(sc.v);
	free(ta.v);
	free(tb.v);
	return r;
}
