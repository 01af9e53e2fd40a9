/* SPDX-License-Identifier: MIT */
/* update --dry-run: the record of what update would do, compared with the disk and printed. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "diag.h"
#include "dry_run.h"
#include "escape.h"
#include "fsutil.h"
#include "udiff.h"

/* Lines of context around each change, as diff -u. */
#define PLAN_CONTEXT 3

enum plan_kind { PLAN_FILE, PLAN_REMOVE, PLAN_DIR, PLAN_ACTION, PLAN_KIND_MAX };

struct gx_plan_entry {
	enum plan_kind kind;
	char *backend;
	char *path;  /* ACTION: who */
	char *what;  /* the label; ACTION: how; may be NULL */
	bool existed;
	bool is_dir; /* REMOVE of a directory */
	char *old;   /* FILE, REMOVE: the bytes there now (NULL when none) */
	size_t old_len;
	mode_t old_mode;
	char *data;  /* FILE: the bytes update would write */
	size_t len;
	mode_t mode;
	enum gx_plan_verb verb;
};

static const char *const plan_verbs[GX_PLAN_VERB_MAX] = {
	[GX_PLAN_START] = "start",     [GX_PLAN_RESTART] = "restart", [GX_PLAN_STOP] = "stop",
	[GX_PLAN_ADD] = "add",         [GX_PLAN_REMOVE] = "remove",   [GX_PLAN_CHANGE] = "change",
	[GX_PLAN_ENABLE] = "enable",   [GX_PLAN_RELOAD] = "reload",   [GX_PLAN_NOTE] = "note:",
};

static void plan_entry_release(struct gx_plan_entry *e)
{
	free(e->backend);
	free(e->path);
	free(e->what);
	free(e->old);
	free(e->data);
}

void gx_plan_release(struct gx_plan *plan)
{
	for (size_t i = 0; i < plan->n; i++)
		plan_entry_release(&plan->v[i]);
	free(plan->v);
	free(plan->backend);
	memset(plan, 0, sizeof(*plan));
}

int gx_plan_begin(struct gx_plan *plan, const char *backend)
{
	char *copy = strdup(backend);

	if (!copy)
		return -ENOMEM;
	free(plan->backend);
	plan->backend = copy;
	return 0;
}

/* A new entry of kind for path (and label what), or NULL when out of memory. */
static struct gx_plan_entry *plan_add(struct gx_plan *plan, enum plan_kind kind,
				      const char *path, const char *what)
{
	struct gx_plan_entry *e;

	if (plan->n == plan->alloc) {
		size_t alloc = plan->alloc ? plan->alloc * 2 : 16;
		struct gx_plan_entry *grown = realloc(plan->v, alloc * sizeof(*grown));

		if (!grown)
			return NULL;
		plan->v = grown;
		plan->alloc = alloc;
	}
	e = &plan->v[plan->n];
	memset(e, 0, sizeof(*e));
	e->kind = kind;
	e->backend = strdup(plan->backend ? plan->backend : "?");
	e->path = strdup(path);
	e->what = what ? strdup(what) : NULL;
	if (!e->backend || !e->path || (what && !e->what)) {
		plan_entry_release(e);
		return NULL;
	}
	plan->n++;
	return e;
}

static int plan_oom(struct gx_error *err)
{
	return gx_error_set(err, NULL, -ENOMEM, "out of memory");
}

/* What path holds now: *ret_old NULL when it does not exist. */
static int plan_read_old(const char *path, struct stat *st, char **ret_old, size_t *ret_len,
			 struct gx_error *err)
{
	*ret_old = NULL;
	*ret_len = 0;
	if (lstat(path, st) < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			return 0;
		return gx_error_set(err, NULL, -errno, "cannot read %s: %s", path, strerror(errno));
	}
	if (S_ISDIR(st->st_mode))
		return 0;
	return gx_read_file(path, GX_CONFIG_MAX_BYTES, ret_old, ret_len, err);
}

int gx_plan_file(struct gx_plan *plan, const char *path, const char *data, size_t len,
		 mode_t mode, const char *what, struct gx_error *err)
{
	struct gx_plan_entry *e;
	struct stat st = { 0 };
	char *old = NULL;
	size_t old_len = 0;
	bool same;
	int r = plan_read_old(path, &st, &old, &old_len, err);

	if (r < 0)
		return r;
	if (!old && st.st_mode && S_ISDIR(st.st_mode)) {
		return gx_error_set(err, NULL, -EISDIR, "update would write %s, but it is a directory",
				    path);
	}
	same = old && old_len == len && memcmp(old, data, len) == 0 &&
	       (st.st_mode & 07777) == (mode & 07777);
	if (same && !plan->force) {
		free(old);
		return 0;
	}
	e = plan_add(plan, PLAN_FILE, path, what);
	if (e)
		e->data = malloc(len + 1);
	if (!e || !e->data) {
		free(old);
		return plan_oom(err);
	}
	memcpy(e->data, data, len);
	e->data[len] = '\0';
	e->len = len;
	e->mode = mode & 07777;
	e->existed = old != NULL;
	e->old = old;
	e->old_len = old_len;
	e->old_mode = st.st_mode & 07777;
	return same ? 0 : 1;
}

int gx_plan_remove(struct gx_plan *plan, const char *path, const char *what,
		   struct gx_error *err)
{
	struct gx_plan_entry *e;
	struct stat st = { 0 };
	char *old = NULL;
	size_t old_len = 0;
	int r;

	for (size_t i = 0; i < plan->n; i++)
		if (plan->v[i].kind == PLAN_REMOVE && strcmp(plan->v[i].path, path) == 0)
			return 0;
	r = plan_read_old(path, &st, &old, &old_len, err);
	if (r < 0)
		return r;
	if (!old && !S_ISDIR(st.st_mode))
		return 0; /* nothing there to remove */
	e = plan_add(plan, PLAN_REMOVE, path, what);
	if (!e) {
		free(old);
		return plan_oom(err);
	}
	e->existed = true;
	e->is_dir = S_ISDIR(st.st_mode);
	e->old = old;
	e->old_len = old_len;
	return 1;
}

int gx_plan_dir(struct gx_plan *plan, const char *path, const char *what, struct gx_error *err)
{
	for (size_t i = 0; i < plan->n; i++)
		if (plan->v[i].kind == PLAN_DIR && strcmp(plan->v[i].path, path) == 0)
			return 0;
	if (gx_path_is_dir(path))
		return 0;
	return plan_add(plan, PLAN_DIR, path, what) ? 1 : plan_oom(err);
}

int gx_plan_action(struct gx_plan *plan, enum gx_plan_verb verb, const char *who,
		   const char *fmt, ...)
{
	struct gx_plan_entry *e;
	char *how = NULL;
	va_list ap;
	int n = 0;

	if ((unsigned)verb >= GX_PLAN_VERB_MAX)
		verb = GX_PLAN_NOTE;
	if (fmt) {
		va_start(ap, fmt);
		n = vasprintf(&how, fmt, ap);
		va_end(ap);
	}
	if (n < 0)
		return -ENOMEM;
	e = plan_add(plan, PLAN_ACTION, who ? who : "", how);
	free(how);
	if (!e)
		return -ENOMEM;
	e->verb = verb;
	return 0;
}

size_t gx_plan_changes(const struct gx_plan *plan)
{
	size_t n = 0;

	for (size_t i = 0; i < plan->n; i++)
		n += plan->v[i].kind != PLAN_ACTION || plan->v[i].verb != GX_PLAN_NOTE;
	return n;
}

/* ---------------------------------------------------------------------- */
/* Printing */

static void plan_head(FILE *out, const struct gx_plan_entry *e, const char *verb)
{
	gx_fputs_printable(e->backend, out);
	fprintf(out, ": %s ", verb);
	gx_fputs_printable(e->path, out);
	if (e->what && *e->what) {
		fputs(" (", out);
		gx_fputs_printable(e->what, out);
		fputc(')', out);
	}
	fputc('\n', out);
}

static int plan_print_diff(FILE *out, const char *a, size_t alen, const char *b, size_t blen,
			   const char *a_label, const char *b_label)
{
	char *text = NULL;
	int r = gx_udiff(a, alen, b, blen, a_label, b_label, PLAN_CONTEXT, &text);

	if (r < 0)
		return r;
	gx_fputs_printable(text, out);
	free(text);
	return 0;
}

static int plan_print_file(FILE *out, const struct gx_plan_entry *e)
{
	bool same = e->existed && e->old_len == e->len && memcmp(e->old, e->data, e->len) == 0;

	if (!e->existed) {
		plan_head(out, e, "add");
		return plan_print_diff(out, "", 0, e->data, e->len, "/dev/null", e->path);
	}
	plan_head(out, e, same && e->old_mode == e->mode ? "rewrite (unchanged, --force)" : "change");
	if (e->old_mode != e->mode)
		fprintf(out, "mode %04o -> %04o\n", (unsigned)e->old_mode, (unsigned)e->mode);
	return same ? 0 : plan_print_diff(out, e->old, e->old_len, e->data, e->len, e->path, e->path);
}

static void plan_print_action(FILE *out, const struct gx_plan_entry *e)
{
	gx_fputs_printable(e->backend, out);
	fprintf(out, ": %s ", plan_verbs[e->verb]);
	gx_fputs_printable(e->path, out);
	if (e->what && *e->what) {
		fputs(e->verb == GX_PLAN_NOTE || !*e->path ? "" : " (", out);
		gx_fputs_printable(e->what, out);
		fputs(e->verb == GX_PLAN_NOTE || !*e->path ? "" : ")", out);
	}
	fputc('\n', out);
}

static void plan_print_summary(const struct gx_plan *plan, FILE *out)
{
	static const char *const parts[PLAN_KIND_MAX][2] = {
		[PLAN_FILE] = { "write %zu file", "write %zu files" },
		[PLAN_REMOVE] = { "remove %zu file or directory", "remove %zu files or directories" },
		[PLAN_DIR] = { "create %zu directory", "create %zu directories" },
		[PLAN_ACTION] = { "take %zu action on processes", "take %zu actions on processes" },
	};
	size_t count[PLAN_KIND_MAX] = { 0 };
	const char *sep = " would ";

	for (size_t i = 0; i < plan->n; i++)
		if (plan->v[i].kind != PLAN_ACTION || plan->v[i].verb != GX_PLAN_NOTE)
			count[plan->v[i].kind]++;
	fputs("update --dry-run:", out);
	if (gx_plan_changes(plan) == 0)
		fputs(" nothing would change", out);
	for (int k = 0; k < PLAN_KIND_MAX; k++) {
		if (!count[k])
			continue;
		fputs(sep, out);
		fprintf(out, parts[k][count[k] != 1], count[k]);
		sep = ", ";
	}
	fputc('\n', out);
}

int gx_plan_print(const struct gx_plan *plan, FILE *out)
{
	int r = 0;

	for (size_t i = 0; r == 0 && i < plan->n; i++) {
		const struct gx_plan_entry *e = &plan->v[i];

		switch (e->kind) {
		case PLAN_FILE:
			r = plan_print_file(out, e);
			break;
		case PLAN_REMOVE:
			plan_head(out, e, e->is_dir ? "remove directory" : "remove");
			if (!e->is_dir)
				r = plan_print_diff(out, e->old, e->old_len, "", 0, e->path, "/dev/null");
			break;
		case PLAN_DIR:
			plan_head(out, e, "create directory");
			break;
		default:
			plan_print_action(out, e);
			break;
		}
	}
	if (r == 0)
		plan_print_summary(plan, out);
	return r;
}
