/* SPDX-License-Identifier: MIT */
/* show --sample-config: a fully commented gravity section, in the format of Gravity's docs sample. */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "sample.h"

/* Upstream's section order; sections of other (third-party) types follow in load order. */
static const char *const sample_upstream_order[] = {
	"gunicorn", "celery", "gx_it_proxy", "tusd", "reports", "handlers", NULL,
};

static const char sample_header[] =
	"# Configuration for Gravity process manager.\n"
	"# ``uwsgi:`` section will be ignored if Galaxy is started via Gravity commands "
	"(e.g ``./run.sh``, ``galaxy`` or ``galaxyctl``).\n"
	"gravity:\n"
	"\n";

/* Each line of text as "<indent># line", right-stripped; an empty line is a bare "#". */
static void sample_comment(FILE *out, int indent, const char *text)
{
	while (text && *text) {
		size_t len = strcspn(text, "\n");
		size_t end = len;

		while (end > 0 && (text[end - 1] == ' ' || text[end - 1] == '\t'))
			end--;
		fprintf(out, "%*s#%s%.*s\n", indent, "", end ? " " : "", (int)end, text);
		text += len;
		if (*text == '\n')
			text++;
	}
}

/* Would a plain scalar with this text be read back as something other than the same string? */
static bool sample_needs_quotes(const char *s)
{
	static const char *const special[] = {
		"~", "null", "Null", "NULL", "true", "True", "TRUE", "false", "False", "FALSE",
		"yes", "Yes", "YES", "no", "No", "NO", "on", "On", "ON", "off", "Off", "OFF",
		"y", "Y", "n", "N", NULL,
	};
	size_t len = strlen(s);

	if (len == 0 || strchr("-?:,[]{}#&*!|>'\"%@` \t", s[0]) || s[len - 1] == ' ' ||
	    strstr(s, ": ") || strstr(s, " #") || strchr(s, '\n'))
		return true;
	for (size_t i = 0; special[i]; i++)
		if (strcmp(s, special[i]) == 0)
			return true;
	/* Anything that starts like a number (022, 1.5, .5, +1) could resolve as one. */
	return strspn(s, "0123456789+._eExXoO") == len || (s[0] >= '0' && s[0] <= '9');
}

static void sample_value(FILE *out, const struct gx_option *opt)
{
	const char *v = opt->default_value;

	if (!v || (!*v && (opt->type == GX_TYPE_STRING || opt->type == GX_TYPE_ENUM)))
		return;
	fputc(' ', out);
	if ((opt->type == GX_TYPE_STRING || opt->type == GX_TYPE_ENUM) && sample_needs_quotes(v)) {
		fputc('\'', out);
		for (; *v; v++) {
			if (*v == '\'')
				fputc('\'', out);
			fputc(*v, out);
		}
		fputc('\'', out);
		return;
	}
	fputs(v, out);
}

static void sample_option(FILE *out, int indent, const struct gx_option *opt)
{
	sample_comment(out, indent, opt->doc);
	if (opt->type == GX_TYPE_ENUM && opt->allowed) {
		bool first = true;

		fprintf(out, "%*s# Valid options are:", indent, "");
		for (size_t i = 0; opt->allowed[i]; i++) {
			if (opt->allowed[i][0] == '_')
				continue;
			fprintf(out, "%s %s", first ? "" : ",", opt->allowed[i]);
			first = false;
		}
		fputc('\n', out);
	}
	fprintf(out, "%*s# %s:", indent, "", opt->name);
	sample_value(out, opt);
	fputs("\n\n", out);
}

static void sample_options(FILE *out, int indent, const struct gx_option *table)
{
	for (const struct gx_option *opt = table; opt && opt->name; opt++)
		if (!(opt->flags & GX_OPT_HIDDEN))
			sample_option(out, indent, opt);
}

static void sample_section(FILE *out, const struct gx_service_type *t)
{
	sample_comment(out, 2, t->doc);
	if (t->named_sections) {
		fprintf(out, "  # %s: {}\n\n", t->section);
		return;
	}
	fprintf(out, "  %s:\n\n", t->section);
	sample_options(out, 4, t->options);
}

/* Has a type before index i already printed this section? */
static bool sample_seen(const struct gx_service_type *const *types, size_t i)
{
	for (size_t k = 0; k < i; k++)
		if (strcmp(types[k]->section, types[i]->section) == 0)
			return true;
	return false;
}

static bool sample_is_upstream(const char *section)
{
	for (size_t i = 0; sample_upstream_order[i]; i++)
		if (strcmp(sample_upstream_order[i], section) == 0)
			return true;
	return false;
}

int gx_sample_write(const struct gx_option *core, const struct gx_service_type *const *types,
		    size_t n, FILE *out)
{
	fputs(sample_header, out);
	sample_options(out, 2, core);
	for (size_t u = 0; sample_upstream_order[u]; u++)
		for (size_t i = 0; i < n; i++)
			if (strcmp(types[i]->section, sample_upstream_order[u]) == 0 &&
			    !sample_seen(types, i)) {
				sample_section(out, types[i]);
				break;
			}
	for (size_t i = 0; i < n; i++)
		if (!sample_is_upstream(types[i]->section) && !sample_seen(types, i))
			sample_section(out, types[i]);
	return ferror(out) ? -EIO : 0;
}
