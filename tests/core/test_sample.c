/* SPDX-License-Identifier: MIT */
/* Tests for core/sample.c: the sample config names every option and parses back into the defaults. */
#include <criterion/criterion.h>
#include <regex.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "core_options.h"
#include "harness.h"
#include "node.h"
#include "sample.h"

static struct gx_test defaults, parsed;
static char *sample;

static void sample_teardown(void)
{
	gx_test_release(&defaults);
	gx_test_release(&parsed);
	free(sample);
	sample = NULL;
}

TestSuite(sample, .fini = sample_teardown);

static char *write_sample(const struct gx_option *core, const struct gx_service_type *const *types,
			  size_t n)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	cr_assert_not_null(out);
	cr_assert_eq(gx_sample_write(core, types, n, out), 0);
	fclose(out);
	return text;
}

/* The real modules' types, through a default config. */
static void load_sample(void)
{
	int r = gx_test_load(&defaults, "gravity: {}\ngalaxy: {}\n");

	cr_assert_eq(r, 0, "default config: %d", r);
	sample = write_sample(gx_core_options, defaults.plugins.types, defaults.plugins.n_types);
}

/*
 * What an admin does with the sample: un-comment the "# key: value" line
 * that ends each item (the line before a blank line), keep the rest.
 */
static char *uncomment(const char *text)
{
	regex_t re;
	char *out = calloc(1, strlen(text) + 64);
	const char *line = text;

	cr_assert_eq(regcomp(&re, "^( *)# ([a-z_]+):( .*)?$", REG_EXTENDED), 0);
	while (*line) {
		size_t len = strcspn(line, "\n");
		const char *next = line + len + (line[len] == '\n');
		char buf[4096];
		regmatch_t m[4];

		cr_assert_lt(len, sizeof(buf));
		memcpy(buf, line, len);
		buf[len] = '\0';
		if ((*next == '\n' || *next == '\0') && regexec(&re, buf, 4, m, 0) == 0) {
			strncat(out, buf, (size_t)m[1].rm_eo);
			strncat(out, buf + m[2].rm_so, len - (size_t)m[2].rm_so);
		} else {
			strcat(out, buf);
		}
		strcat(out, "\n");
		line = next;
	}
	regfree(&re);
	return out;
}

/*
 * Where a and b first differ in kind, keys or scalar text (marks, quoting
 * and the order of keys aside): false with the path in where.
 */
static bool same_tree(const struct gx_node *a, const struct gx_node *b, const char *path,
		      char *where, size_t len)
{
	if (!a || !b || a->kind != b->kind || a->n != b->n ||
	    (a->kind == GX_NODE_SCALAR && strcmp(a->scalar, b->scalar) != 0)) {
		snprintf(where, len, "%s", path);
		return false;
	}
	for (size_t i = 0; i < a->n; i++) {
		char sub[512];

		if (a->kind == GX_NODE_MAPPING) {
			snprintf(sub, sizeof(sub), "%s.%s", path, a->pairs[i].key->scalar);
			if (!same_tree(a->pairs[i].value, gx_node_get(b, a->pairs[i].key->scalar),
				       sub, where, len))
				return false;
		} else if (a->kind == GX_NODE_SEQUENCE) {
			snprintf(sub, sizeof(sub), "%s[%zu]", path, i);
			if (!same_tree(a->items[i], b->items[i], sub, where, len))
				return false;
		}
	}
	return true;
}

/* The un-commented sample (after edit(), if given) loaded into parsed. */
static void load_uncommented(void (*edit)(char *yaml))
{
	char *yaml = uncomment(sample), *with_galaxy;
	int r;

	if (edit)
		edit(yaml);
	with_galaxy = malloc(strlen(yaml) + 32);
	strcpy(with_galaxy, yaml);
	strcat(with_galaxy, "galaxy: {}\n");
	r = gx_test_load(&parsed, with_galaxy);
	cr_assert_eq(r, 0, "the sample does not validate (%d):\n%s", r, gx_test_diag_text(&parsed));
	cr_assert_eq(parsed.insts.n, 1);
	free(yaml);
	free(with_galaxy);
}

Test(sample, parses_back_into_the_defaults)
{
	char *yaml, where[512] = "";

	load_sample();
	yaml = uncomment(sample);
	/* Something was really un-commented, sections included. */
	cr_assert_not_null(strstr(yaml, "\n  umask: '022'\n"));
	cr_assert_not_null(strstr(yaml, "\n    bind: localhost:8080\n"));
	cr_assert_not_null(strstr(yaml, "\n  handlers: {}\n"));
	free(yaml);
	load_uncommented(NULL);
	cr_assert(same_tree(defaults.insts.v[0]->gravity, parsed.insts.v[0]->gravity, "gravity",
			    where, sizeof(where)),
		  "the sample's value differs from the default at %s", where);
	cr_assert_eq(parsed.insts.v[0]->n_services, defaults.insts.v[0]->n_services);
}

static void change_a_default(char *yaml)
{
	char *at = strstr(yaml, "\n    workers: 1\n");

	cr_assert_not_null(at);
	at[14] = '3';
}

/* The comparison above does see a value that is not the default. */
Test(sample, a_changed_value_is_noticed)
{
	char where[512] = "";

	load_sample();
	load_uncommented(change_a_default);
	cr_assert_not(same_tree(defaults.insts.v[0]->gravity, parsed.insts.v[0]->gravity,
				"gravity", where, sizeof(where)));
	cr_assert_str_eq(where, "gravity.gunicorn.workers");
}

static void assert_option_line(const char *text, int indent, const struct gx_option *opt)
{
	char want[256];

	snprintf(want, sizeof(want), "\n%*s# %s:", indent, "", opt->name);
	cr_assert_not_null(strstr(text, want), "no line for %s", opt->name);
}

Test(sample, names_every_option_of_every_table)
{
	size_t sections = 0;

	load_sample();
	cr_assert_gt(defaults.plugins.n_types, 5);
	for (const struct gx_option *o = gx_core_options; o->name; o++)
		assert_option_line(sample, 2, o);
	for (size_t i = 0; i < defaults.plugins.n_types; i++) {
		const struct gx_service_type *t = defaults.plugins.types[i];
		char head[128];

		if (t->named_sections) {
			snprintf(head, sizeof(head), "\n  # %s: {}\n", t->section);
			cr_assert_not_null(strstr(sample, head), "%s", head);
			continue;
		}
		snprintf(head, sizeof(head), "\n  %s:\n\n", t->section);
		cr_assert_not_null(strstr(sample, head), "%s", head);
		for (const struct gx_option *o = t->options; o->name; o++)
			assert_option_line(strstr(sample, head), 4, o);
	}
	/* celery and celery-beat share one section, printed once. */
	for (const char *p = sample; (p = strstr(p, "\n  celery:\n")); p++)
		sections++;
	cr_assert_eq(sections, 1);
}

Test(sample, upstream_format)
{
	const char *order[] = { "\n  gunicorn:\n", "\n  celery:\n", "\n  gx_it_proxy:\n",
				"\n  tusd:\n", "\n  reports:\n", "\n  # handlers: {}\n" };
	const char *prev = NULL;

	load_sample();
	cr_assert(strncmp(sample, "# Configuration for Gravity process manager.\n# ``uwsgi:`` ", 58) == 0);
	cr_assert_not_null(strstr(sample, "\ngravity:\n\n  # Process manager to use.\n"));
	cr_assert_not_null(strstr(sample, "\n  # umask: '022'\n\n"));
	cr_assert_not_null(strstr(sample, "\n    # version: '>=0.0.6'\n\n"));
	cr_assert_not_null(strstr(sample, "\n  # use_service_instances: true\n\n"));
	cr_assert_not_null(strstr(sample, "\n  # galaxy_root:\n\n"), "a null default has no value");
	cr_assert_not_null(strstr(sample, "\n    # extra_args:\n\n"), "nor has an empty string");
	cr_assert_not_null(strstr(sample, "\n    # environment: {}\n\n"));
	cr_assert_not_null(strstr(sample, "\n  # Valid options are: gunicorn, unicornherder\n"
					  "  # app_server: gunicorn\n\n"));
	cr_assert_not_null(strstr(sample, "\n    # Valid options are: DEBUG, INFO, WARNING, ERROR\n"
					  "    # loglevel: DEBUG\n\n"));
	cr_assert_not_null(strstr(sample, "\n    # Valid options are: prefork, eventlet, gevent, "
					  "solo, processes, threads\n    # pool: threads\n\n"));
	cr_assert_not_null(strstr(sample, "# Configuration for Gunicorn. Can be a list to run "
					  "multiple gunicorns for rolling restarts.\n  gunicorn:\n\n"
					  "    # Enable Galaxy gunicorn server.\n    # enable: true\n"));
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		const char *at = strstr(sample, order[i]);

		cr_assert_not_null(at, "%s", order[i]);
		cr_assert(!prev || at > prev, "%s out of order", order[i]);
		prev = at;
	}
	cr_assert_null(strstr(sample, "\n\n\n"), "one blank line between items");
	cr_assert_null(strstr(sample, " \n"), "no trailing spaces");
}

static const char *const fake_allowed[] = { "a", "_internal", "b", NULL };
static const struct gx_option fake_core[] = {
	{ .name = "shown", .type = GX_TYPE_ENUM, .default_value = "a", .allowed = fake_allowed,
	  .doc = "First line.\n\nThird line.   " },
	{ .name = "secret", .type = GX_TYPE_STRING, .flags = GX_OPT_HIDDEN, .doc = "Hidden." },
	{ .name = "quoted", .type = GX_TYPE_STRING, .default_value = "it's: yes", .doc = "Q." },
	{ .name = "yesish", .type = GX_TYPE_STRING, .default_value = "yes", .doc = "Y." },
	{ 0 },
};
static const struct gx_option fake_opts[] = {
	{ .name = "level", .type = GX_TYPE_INT, .default_value = "3", .doc = "Level." },
	{ 0 },
};
static const struct gx_service_type fake_third = {
	.name = "flower", .section = "flower", .doc = "Flower.", .options = fake_opts,
};
static const struct gx_service_type fake_gunicorn = {
	.name = "gunicorn", .section = "gunicorn", .doc = "G.", .options = fake_opts,
};

Test(sample, hidden_options_internal_values_quoting_and_third_party_sections)
{
	const struct gx_service_type *types[] = { &fake_third, &fake_gunicorn };

	sample = write_sample(fake_core, types, 2);
	cr_assert_str_eq(strstr(sample, "gravity:\n"),
			 "gravity:\n\n"
			 "  # First line.\n  #\n  # Third line.\n"
			 "  # Valid options are: a, b\n  # shown: a\n\n"
			 "  # Q.\n  # quoted: 'it''s: yes'\n\n"
			 "  # Y.\n  # yesish: 'yes'\n\n"
			 "  # G.\n  gunicorn:\n\n    # Level.\n    # level: 3\n\n"
			 "  # Flower.\n  flower:\n\n    # Level.\n    # level: 3\n\n");
}

Test(sample, show_takes_sample_config)
{
	char *argv[] = { "galaxyctl", "show", "--sample-config", NULL };
	struct gx_cli cli;

	cr_assert_eq(gx_cli_parse(&cli, 3, argv, stdout, stderr), 0);
	cr_assert_eq(cli.command, GX_CMD_SHOW);
	cr_assert(cli.sample_config);
	gx_cli_release(&cli);
}
