/* SPDX-License-Identifier: MIT */
/* Collected diagnostics (warnings and errors with config locations), printed once by the CLI. */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "escape.h"

static const char *const diag_level_names[GX_LOG_MAX] = {
	[GX_LOG_DEBUG] = "debug",
	[GX_LOG_INFO] = "info",
	[GX_LOG_WARNING] = "warning",
	[GX_LOG_ERROR] = "error",
};

static const char *diag_level_name(enum gx_log_level level)
{
	if ((unsigned)level >= GX_LOG_MAX)
		return "error";
	return diag_level_names[level];
}

/* A heap string formatted from fmt, or NULL on ENOMEM. */
static char *diag_vformat(const char *fmt, va_list ap)
{
	va_list aq;
	char *s;
	int n;

	va_copy(aq, ap);
	n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (n < 0)
		return NULL;
	s = malloc((size_t)n + 1);
	if (!s)
		return NULL;
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	return s;
}

/* Append a message, taking text; false on ENOMEM (text is then freed). */
static bool diag_push(struct gx_diag *d, enum gx_log_level level, const struct gx_mark *at,
		      char *text)
{
	struct gx_diag_msg *msg;
	char *file = NULL;

	if (at && at->file) {
		file = strdup(at->file);
		if (!file)
			goto out_free_text;
	}
	if (d->n == d->alloc) {
		size_t alloc = d->alloc ? d->alloc * 2 : 8;
		struct gx_diag_msg *msgs;

		if (alloc > SIZE_MAX / sizeof(*msgs))
			goto out_free_file;
		msgs = realloc(d->msgs, alloc * sizeof(*msgs));
		if (!msgs)
			goto out_free_file;
		d->msgs = msgs;
		d->alloc = alloc;
	}
	msg = &d->msgs[d->n++];
	msg->level = level;
	msg->file = file;
	msg->line = file ? at->line : 0;
	msg->column = file ? at->column : 0;
	msg->text = text;
	return true;

out_free_file:
	free(file);
out_free_text:
	free(text);
	return false;
}

static void diag_addv(struct gx_diag *d, enum gx_log_level level, const struct gx_mark *at,
		      const char *fmt, va_list ap)
{
	char *text;

	if (!d)
		return;
	/* The count stays true even when the message itself is lost. */
	if (level >= GX_LOG_ERROR)
		d->n_errors++;
	text = diag_vformat(fmt, ap);
	if (!text || !diag_push(d, level, at, text))
		fprintf(stderr, "galaxyctl: error: out of memory, a %s was lost\n",
			diag_level_name(level));
}

void gx_diag_add(struct gx_diag *d, enum gx_log_level level, const struct gx_mark *at,
		 const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_addv(d, level, at, fmt, ap);
	va_end(ap);
}

void gx_diag_add_error(struct gx_diag *d, const struct gx_error *err)
{
	struct gx_mark mark = { 0 };

	if (!err)
		return;
	mark.file = err->file[0] ? err->file : NULL;
	mark.line = err->line;
	mark.column = err->column;
	if (err->message[0])
		gx_diag_add(d, GX_LOG_ERROR, &mark, "%s", err->message);
	else
		gx_diag_add(d, GX_LOG_ERROR, &mark, "%s", strerror(err->code < 0 ? -err->code : EIO));
}

void gx_diag_print(const struct gx_diag *d, FILE *out, enum gx_log_level min_level)
{
	size_t i;

	if (!d || !out)
		return;
	for (i = 0; i < d->n; i++) {
		const struct gx_diag_msg *msg = &d->msgs[i];

		if (msg->level < min_level)
			continue;
		fputs("galaxyctl: ", out);
		if (msg->file) {
			gx_fputs_printable(msg->file, out);
			if (msg->line) {
				fprintf(out, ":%u", msg->line);
				if (msg->column)
					fprintf(out, ":%u", msg->column);
			}
			fputs(": ", out);
		}
		fprintf(out, "%s: ", diag_level_name(msg->level));
		gx_fputs_printable(msg->text, out);
		fputc('\n', out);
	}
}

void gx_diag_release(struct gx_diag *d)
{
	size_t i;

	if (!d)
		return;
	for (i = 0; i < d->n; i++) {
		free(d->msgs[i].file);
		free(d->msgs[i].text);
	}
	free(d->msgs);
	d->msgs = NULL;
	d->n = 0;
	d->alloc = 0;
	d->n_errors = 0;
}

int gx_error_setv(struct gx_error *err, const struct gx_node *at, int code, const char *fmt,
		  va_list ap)
{
	char message[sizeof(err->message)];

	if (!err)
		return code;
	/* Formatted aside first: the arguments may quote err->message itself. */
	vsnprintf(message, sizeof(message), fmt, ap);
	memcpy(err->message, message, sizeof(message));
	err->code = code;
	if (at && at->mark.file) {
		snprintf(err->file, sizeof(err->file), "%s", at->mark.file);
		err->line = at->mark.line;
		err->column = at->mark.column;
	} else {
		err->file[0] = '\0';
		err->line = 0;
		err->column = 0;
	}
	return code;
}

int gx_error_set(struct gx_error *err, const struct gx_node *at, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	gx_error_setv(err, at, code, fmt, ap);
	va_end(ap);
	return code;
}

void gx_diag_print_error(const struct gx_error *err, FILE *out)
{
	struct gx_diag d = { 0 };

	gx_diag_add_error(&d, err);
	gx_diag_print(&d, out, GX_LOG_ERROR);
	gx_diag_release(&d);
}
