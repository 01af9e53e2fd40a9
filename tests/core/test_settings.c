/* SPDX-License-Identifier: MIT */
/* Tests of core/settings.c: option tables applied to config sections, with every message. */
#include <criterion/criterion.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "node.h"
#include "settings.h"
#include "yaml_load.h"

#define FIXTURE(name) GX_TEST_SRCDIR "/fixtures/yaml/" name

static const char *const pm_allowed[] = { "supervisor", "systemd", "direct", NULL };

/* Shaped like Gravity's top level. */
static const struct gx_option gravity_table[] = {
	{ .name = "process_manager", .type = GX_TYPE_ENUM, .default_value = "supervisor",
	  .allowed = pm_allowed },
	{ .name = "galaxy_root", .type = GX_TYPE_STRING },
	{ .name = "memory_limit", .type = GX_TYPE_FLOAT, .min = 0, .max = 1e9 },
	{ .name = "use_service_instances", .type = GX_TYPE_BOOL, .default_value = "true" },
	{ .name = "umask", .type = GX_TYPE_STRING, .default_value = "022" },
	{ .name = "galaxy_user", .type = GX_TYPE_STRING, .flags = GX_OPT_NULLABLE,
	  .default_value = "galaxy" },
	{ .name = "app_server", .type = GX_TYPE_MAPPING, .default_value = "{}" },
	{ .name = "pools", .type = GX_TYPE_STRLIST, .default_value = "[]" },
	{ .name = "ratio", .type = GX_TYPE_FLOAT, .default_value = "0.5" },
	{ .name = NULL },
};

static const char *const gravity_sections[] = { "gunicorn", "celery", "tusd", NULL };

/* Shaped like a service section. */
static const struct gx_option gunicorn_table[] = {
	{ .name = "enable", .type = GX_TYPE_BOOL, .default_value = "true" },
	{ .name = "bind", .type = GX_TYPE_STRING, .default_value = "localhost:8080" },
	{ .name = "workers", .type = GX_TYPE_INT, .default_value = "1", .min = 1, .max = 64 },
	{ .name = "timeout", .type = GX_TYPE_INT, .default_value = "300" },
	{ .name = "preload", .type = GX_TYPE_BOOL },
	GX_SERVICE_COMMON_OPTIONS("15", "65"),
	{ .name = NULL },
};

static const struct gx_option tusd_table[] = {
	{ .name = "upload_dir", .type = GX_TYPE_STRING, .flags = GX_OPT_REQUIRED },
	{ .name = "port", .type = GX_TYPE_INT, .default_value = "1080" },
	{ .name = NULL },
};

struct fixture {
	struct gx_yaml_doc *doc;
	struct gx_diag diag;
	struct gx_node *eff;
};

static struct fixture fx;

static void fx_setup(void)
{
	memset(&fx, 0, sizeof(fx));
}

static void fx_teardown(void)
{
	gx_node_free(fx.eff);
	gx_diag_release(&fx.diag);
	gx_yaml_doc_free(fx.doc);
}

TestSuite(settings, .init = fx_setup, .fini = fx_teardown);

/* The node at a dotted path below the doc root ("gravity.gunicorn"). */
static const struct gx_node *fx_load(const char *text, const char *path)
{
	struct gx_error err = { 0 };
	const struct gx_node *n;
	char *copy, *part, *save = NULL;

	cr_assert_eq(gx_yaml_load_string("galaxy.yml", text, strlen(text), &fx.doc, &err), 0,
		     "%s", err.message);
	n = fx.doc->root;
	copy = strdup(path);
	for (part = strtok_r(copy, ".", &save); part; part = strtok_r(NULL, ".", &save)) {
		n = gx_node_get(n, part);
		cr_assert_not_null(n, "no %s in the test document", part);
	}
	free(copy);
	return n;
}

static int fx_apply(const struct gx_option *table, const struct gx_node *in, const char *keypath,
		    const char *const *passthrough)
{
	return gx_settings_apply(table, in, keypath, passthrough, &fx.diag, &fx.eff);
}

static void assert_msg(size_t i, enum gx_log_level level, unsigned line, unsigned column,
		       const char *text)
{
	const struct gx_diag_msg *m;

	cr_assert_lt(i, fx.diag.n, "message %zu of %zu", i, fx.diag.n);
	m = &fx.diag.msgs[i];
	cr_assert_str_eq(m->text, text);
	cr_assert_eq(m->level, level, "level of '%s'", m->text);
	if (line) {
		cr_assert_not_null(m->file, "'%s' has no location", m->text);
		cr_assert_str_eq(m->file, "galaxy.yml");
	} else {
		cr_assert_null(m->file, "'%s' has a location", m->text);
	}
	cr_assert_eq(m->line, line, "line of '%s': %u", m->text, m->line);
	cr_assert_eq(m->column, column, "column of '%s': %u", m->text, m->column);
}

static const struct gx_node *eff_get(const char *key)
{
	const struct gx_node *v;

	cr_assert_not_null(fx.eff);
	v = gx_node_get(fx.eff, key);
	cr_assert_not_null(v, "%s missing from the effective tree", key);
	return v;
}

static void assert_scalar(const char *key, const char *text, bool plain)
{
	const struct gx_node *v = eff_get(key);

	cr_assert_eq(v->kind, GX_NODE_SCALAR, "%s", key);
	cr_assert_str_eq(v->scalar, text, "%s", key);
	cr_assert_eq(v->plain, plain, "plain flag of %s", key);
}

/* One error in a gunicorn section written as text under gravity.gunicorn. */
static void gunicorn_error(const char *section, unsigned line, unsigned column,
			   const char *message)
{
	const struct gx_node *in = fx_load(section, "gravity.gunicorn");
	struct gx_node *untouched = (struct gx_node *)&fx;

	fx.eff = NULL;
	cr_assert_eq(gx_settings_apply(gunicorn_table, in, "gravity.gunicorn", NULL, &fx.diag,
				       &untouched),
		     -EINVAL);
	cr_assert_eq(untouched, (struct gx_node *)&fx, "ret_effective touched on failure");
	cr_assert_eq(fx.diag.n, 1, "%zu messages", fx.diag.n);
	cr_assert_eq(fx.diag.n_errors, 1);
	assert_msg(0, GX_LOG_ERROR, line, column, message);
}

Test(settings, defaults_fill_an_absent_section)
{
	const struct gx_node *v;
	size_t i;

	cr_assert_eq(fx_apply(gravity_table, NULL, "gravity", gravity_sections), 0);
	cr_assert_eq(fx.diag.n, 0);
	cr_assert_eq(fx.eff->kind, GX_NODE_MAPPING);
	cr_assert_eq(fx.eff->n, 9);
	for (i = 0; i < fx.eff->n; i++) {
		cr_assert_str_eq(fx.eff->pairs[i].key->scalar, gravity_table[i].name);
		cr_assert_null(fx.eff->pairs[i].value->mark.file, "default has a location");
		cr_assert_eq(fx.eff->pairs[i].value->mark.line, 0);
	}
	assert_scalar("process_manager", "supervisor", false);
	assert_scalar("use_service_instances", "true", true);
	assert_scalar("umask", "022", false);
	assert_scalar("galaxy_user", "galaxy", false);
	assert_scalar("ratio", "0.5", true);
	cr_assert_eq(eff_get("galaxy_root")->kind, GX_NODE_NULL);
	cr_assert_eq(eff_get("memory_limit")->kind, GX_NODE_NULL);
	v = eff_get("app_server");
	cr_assert_eq(v->kind, GX_NODE_MAPPING);
	cr_assert_eq(v->n, 0);
	cr_assert_null(v->mark.file);
	v = eff_get("pools");
	cr_assert_eq(v->kind, GX_NODE_SEQUENCE);
	cr_assert_eq(v->n, 0);
}

Test(settings, null_and_empty_sections_get_defaults)
{
	const struct gx_node *in = fx_load("gravity:\n  gunicorn:\n", "gravity.gunicorn");
	const struct gx_node *env;

	cr_assert_eq(fx_apply(gunicorn_table, in, "gravity.gunicorn", NULL), 0);
	cr_assert_eq(fx.diag.n, 0);
	assert_scalar("enable", "true", true);
	assert_scalar("bind", "localhost:8080", false);
	assert_scalar("workers", "1", true);
	assert_scalar("start_timeout", "15", true);
	assert_scalar("stop_timeout", "65", true);
	cr_assert_eq(eff_get("preload")->kind, GX_NODE_NULL);
	cr_assert_eq(eff_get("umask")->kind, GX_NODE_NULL);
	env = eff_get("environment");
	cr_assert_eq(env->kind, GX_NODE_MAPPING);
	cr_assert_eq(env->n, 0);
	gx_node_free(fx.eff);
	fx.eff = NULL;
	gx_yaml_doc_free(fx.doc);
	in = fx_load("gravity:\n  gunicorn: {}\n", "gravity.gunicorn");
	cr_assert_eq(fx_apply(gunicorn_table, in, "gravity.gunicorn", NULL), 0);
	assert_scalar("workers", "1", true);
	/* The effective section sits where the input section was written. */
	cr_assert_str_eq(fx.eff->mark.file, "galaxy.yml");
	cr_assert_eq(fx.eff->mark.line, 2);
}

Test(settings, values_are_normalised_and_keep_their_location)
{
	const struct gx_node *in = fx_load("gravity:\n"
					   "  gunicorn:\n"
					   "    enable: yes\n"
					   "    workers: 0x10\n"
					   "    bind: unix:/run/g.sock\n"
					   "    umask: 022\n"
					   "    memory_limit: 2\n"
					   "    memory_high: 1.50\n"
					   "    preload: Off\n"
					   "    start_timeout: +20\n"
					   "    environment:\n"
					   "      FOO: bar\n"
					   "      PORT: 8080\n"
					   "      DEBUG: true\n",
					   "gravity.gunicorn");
	const struct gx_node *v, *env;

	cr_assert_eq(fx_apply(gunicorn_table, in, "gravity.gunicorn", NULL), 0);
	cr_assert_eq(fx.diag.n, 0);
	assert_scalar("enable", "true", true);
	assert_scalar("workers", "16", true);
	assert_scalar("bind", "unix:/run/g.sock", false);
	assert_scalar("umask", "022", false);
	assert_scalar("memory_limit", "2.0", true);
	assert_scalar("memory_high", "1.5", true);
	assert_scalar("preload", "false", true);
	assert_scalar("start_timeout", "20", true);
	v = eff_get("workers");
	cr_assert_str_eq(v->mark.file, "galaxy.yml");
	cr_assert_eq(v->mark.line, 4);
	cr_assert_eq(v->mark.column, 14);
	env = eff_get("environment");
	cr_assert_eq(env->n, 3);
	cr_assert_str_eq(env->pairs[1].key->scalar, "PORT");
	cr_assert_str_eq(env->pairs[1].value->scalar, "8080");
	cr_assert_not(env->pairs[1].value->plain);
	cr_assert_str_eq(env->pairs[2].value->scalar, "true");
	cr_assert_not(env->pairs[2].value->plain);
	cr_assert_eq(env->pairs[0].value->mark.line, 12);
	/* Table order, whatever the input order. */
	cr_assert_str_eq(fx.eff->pairs[0].key->scalar, "enable");
	cr_assert_str_eq(fx.eff->pairs[2].key->scalar, "workers");
	cr_assert_eq(fx.eff->n, 11);
}

Test(settings, normalised_floats_read_back)
{
	static const char *const inputs[] = { "0.1", "1000000000", "1.0e+9", "123456.789",
					      "0.000001", "7", ".inf" };
	static const char *const want[] = { "0.1", "1.0e+09", "1.0e+09", "123456.789",
					    "1.0e-06", "7.0", ".inf" };
	static const struct gx_option table[] = {
		{ .name = "f", .type = GX_TYPE_FLOAT },
		{ .name = NULL },
	};
	size_t i;

	for (i = 0; i < sizeof(inputs) / sizeof(*inputs); i++) {
		struct gx_node *in = gx_node_new(GX_NODE_MAPPING, NULL);
		struct gx_node *eff = NULL;
		double a, b;

		cr_assert_eq(gx_node_map_set(in, "f", gx_node_new_scalar(inputs[i], true, NULL)),
			     0);
		cr_assert_eq(gx_settings_apply(table, in, "t", NULL, &fx.diag, &eff), 0);
		cr_assert_str_eq(gx_node_get(eff, "f")->scalar, want[i], "from %s", inputs[i]);
		cr_assert(gx_node_as_double(gx_node_get(in, "f"), &a));
		cr_assert(gx_node_as_double(gx_node_get(eff, "f"), &b), "%s does not read back",
			  want[i]);
		cr_assert_eq(a, b);
		gx_node_free(in);
		gx_node_free(eff);
	}
}

Test(settings, unknown_key_warns_with_suggestion)
{
	const struct gx_node *in = fx_load("gravity:\n"
					   "  process_manager: systemd\n"
					   "  gunicron:\n"
					   "    workers: 2\n"
					   "  proces_manager: direct\n"
					   "  foo: 1\n",
					   "gravity");

	cr_assert_eq(fx_apply(gravity_table, in, "gravity", gravity_sections), 0);
	cr_assert_eq(fx.diag.n, 3);
	cr_assert_eq(fx.diag.n_errors, 0);
	assert_msg(0, GX_LOG_WARNING, 3, 3,
		   "Unknown option 'gravity.gunicron' (did you mean 'gunicorn'?)");
	assert_msg(1, GX_LOG_WARNING, 5, 3,
		   "Unknown option 'gravity.proces_manager' (did you mean 'process_manager'?)");
	assert_msg(2, GX_LOG_WARNING, 6, 3, "Unknown option 'gravity.foo'");
	/* Unknown keys are not copied. */
	cr_assert_null(gx_node_get(fx.eff, "gunicron"));
	cr_assert_null(gx_node_get(fx.eff, "foo"));
	cr_assert_null(gx_node_get(fx.eff, "proces_manager"));
	assert_scalar("process_manager", "systemd", false);
}

Test(settings, nearest_option)
{
	static const char *const extra[] = { "gunicorn", "celery", "gx_it_proxy", NULL };

	cr_assert_str_eq(gx_option_nearest(gravity_table, extra, "gunicron"), "gunicorn");
	cr_assert_str_eq(gx_option_nearest(gravity_table, extra, "celry"), "celery");
	cr_assert_str_eq(gx_option_nearest(gravity_table, extra, "gx-it-proxy"), "gx_it_proxy");
	cr_assert_str_eq(gx_option_nearest(gravity_table, NULL, "Umask"), "umask");
	cr_assert_str_eq(gx_option_nearest(gravity_table, NULL, "memroy_limit"), "memory_limit");
	/* Long names allow len/3 edits: three here. */
	cr_assert_str_eq(gx_option_nearest(gravity_table, NULL, "use_servce_instnces_"),
			 "use_service_instances");
	cr_assert_str_eq(gx_option_nearest(gravity_table, NULL, "process_mangaer"),
			 "process_manager");
	cr_assert_null(gx_option_nearest(gravity_table, NULL, "procmanager")); /* 4 > 11/3 */
	cr_assert_null(gx_option_nearest(gravity_table, NULL, "proc_mgr"));
	cr_assert_null(gx_option_nearest(gravity_table, extra, "foo"));
	cr_assert_null(gx_option_nearest(gravity_table, extra, "ab"));
	cr_assert_null(gx_option_nearest(gravity_table, extra, "xyzxyzxyzxyz"));
	cr_assert_null(gx_option_nearest(NULL, NULL, "x"));
}

Test(settings, find_and_type_names)
{
	cr_assert_eq(gx_option_find(gravity_table, "umask"), &gravity_table[4]);
	cr_assert_null(gx_option_find(gravity_table, "gunicorn"));
	cr_assert_str_eq(gx_type_name(GX_TYPE_BOOL), "boolean");
	cr_assert_str_eq(gx_type_name(GX_TYPE_INT), "integer");
	cr_assert_str_eq(gx_type_name(GX_TYPE_STRMAP), "mapping of strings");
	cr_assert_str_eq(gx_type_name(GX_TYPE_MAX), "unknown");
}

Test(settings, int_wrong_type)
{
	gunicorn_error("gravity:\n  gunicorn:\n    workers: abc\n", 3, 14,
		       "gravity.gunicorn.workers: expected an integer, got 'abc'");
}

Test(settings, int_rejects_integral_float)
{
	gunicorn_error("gravity:\n  gunicorn:\n    workers: 2.0\n", 3, 14,
		       "gravity.gunicorn.workers: expected an integer, got '2.0'");
}

Test(settings, int_rejects_quoted_number)
{
	gunicorn_error("gravity:\n  gunicorn:\n    timeout: \"5\"\n", 3, 14,
		       "gravity.gunicorn.timeout: expected an integer, got the string '5'");
}

Test(settings, int_rejects_mapping)
{
	gunicorn_error("gravity:\n  gunicorn:\n    timeout: {a: 1}\n", 3, 14,
		       "gravity.gunicorn.timeout: expected an integer, got a mapping");
}

Test(settings, int_below_minimum)
{
	gunicorn_error("gravity:\n  gunicorn:\n    workers: 0\n", 3, 14,
		       "gravity.gunicorn.workers: 0 is out of range (minimum 1)");
}

Test(settings, int_above_maximum)
{
	gunicorn_error("gravity:\n  gunicorn:\n    workers: 65\n", 3, 14,
		       "gravity.gunicorn.workers: 65 is out of range (maximum 64)");
}

Test(settings, float_below_minimum)
{
	gunicorn_error("gravity:\n  gunicorn:\n    memory_limit: -0.5\n", 3, 19,
		       "gravity.gunicorn.memory_limit: -0.5 is out of range (minimum 0)");
}

Test(settings, float_above_maximum_and_nan)
{
	gunicorn_error("gravity:\n  gunicorn:\n    memory_high: 2e9\n", 3, 18,
		       "gravity.gunicorn.memory_high: expected a number, got '2e9'");
	gx_diag_release(&fx.diag);
	gx_yaml_doc_free(fx.doc);
	gunicorn_error("gravity:\n  gunicorn:\n    memory_high: 2.0e9\n", 3, 18,
		       "gravity.gunicorn.memory_high: 2.0e9 is out of range (maximum 1000000000)");
	gx_diag_release(&fx.diag);
	gx_yaml_doc_free(fx.doc);
	gunicorn_error("gravity:\n  gunicorn:\n    memory_high: .nan\n", 3, 18,
		       "gravity.gunicorn.memory_high: .nan is out of range (minimum 0)");
}

Test(settings, float_wrong_type)
{
	gunicorn_error("gravity:\n  gunicorn:\n    memory_limit: lots\n", 3, 19,
		       "gravity.gunicorn.memory_limit: expected a number, got 'lots'");
}

Test(settings, bool_wrong_type)
{
	gunicorn_error("gravity:\n  gunicorn:\n    enable: maybe\n", 3, 13,
		       "gravity.gunicorn.enable: expected a boolean (true or false), got 'maybe'");
}

Test(settings, bool_rejects_quoted_and_numbers)
{
	gunicorn_error("gravity:\n  gunicorn:\n    preload: 'true'\n", 3, 14,
		       "gravity.gunicorn.preload: expected a boolean (true or false), "
		       "got the string 'true'");
	gx_diag_release(&fx.diag);
	gx_yaml_doc_free(fx.doc);
	gunicorn_error("gravity:\n  gunicorn:\n    preload: 1\n", 3, 14,
		       "gravity.gunicorn.preload: expected a boolean (true or false), got '1'");
}

Test(settings, string_rejects_collections)
{
	gunicorn_error("gravity:\n  gunicorn:\n    bind: [a, b]\n", 3, 11,
		       "gravity.gunicorn.bind: expected a string, got a sequence");
}

Test(settings, long_values_are_shortened_in_messages)
{
	gunicorn_error("gravity:\n  gunicorn:\n    workers: "
		       "aaaaaaaaaabbbbbbbbbbccccccccccddddddddddeeeeeeeeeeffffffffffgggggggggg\n",
		       3, 14,
		       "gravity.gunicorn.workers: expected an integer, got "
		       "'aaaaaaaaaabbbbbbbbbbccccccccccddddddddddeeeeeeeeeefffffff...'");
}

Test(settings, enum_not_allowed)
{
	const struct gx_node *in = fx_load("gravity:\n  process_manager: foo\n", "gravity");

	cr_assert_eq(fx_apply(gravity_table, in, "gravity", gravity_sections), -EINVAL);
	cr_assert_null(fx.eff);
	cr_assert_eq(fx.diag.n, 1);
	assert_msg(0, GX_LOG_ERROR, 2, 20,
		   "gravity.process_manager: 'foo' is not one of: supervisor, systemd, direct");
}

Test(settings, enum_rejects_collections)
{
	const struct gx_node *in = fx_load("gravity:\n  process_manager: [systemd]\n", "gravity");

	cr_assert_eq(fx_apply(gravity_table, in, "gravity", gravity_sections), -EINVAL);
	assert_msg(0, GX_LOG_ERROR, 2, 20,
		   "gravity.process_manager: expected one of: supervisor, systemd, direct, "
		   "got a sequence");
}

Test(settings, strmap_needs_a_mapping)
{
	gunicorn_error("gravity:\n  gunicorn:\n    environment: [FOO=bar]\n", 3, 18,
		       "gravity.gunicorn.environment: expected a mapping, got a sequence");
}

Test(settings, strmap_values_must_be_scalars)
{
	const struct gx_node *in = fx_load("gravity:\n"
					   "  gunicorn:\n"
					   "    environment:\n"
					   "      OK: 1\n"
					   "      FOO: {a: b}\n"
					   "      BAR: [x]\n"
					   "      EMPTY:\n",
					   "gravity.gunicorn");

	cr_assert_eq(fx_apply(gunicorn_table, in, "gravity.gunicorn", NULL), -EINVAL);
	cr_assert_eq(fx.diag.n, 3);
	assert_msg(0, GX_LOG_ERROR, 5, 12,
		   "gravity.gunicorn.environment.FOO: expected a string, got a mapping");
	assert_msg(1, GX_LOG_ERROR, 6, 12,
		   "gravity.gunicorn.environment.BAR: expected a string, got a sequence");
	assert_msg(2, GX_LOG_ERROR, 7, 13,
		   "gravity.gunicorn.environment.EMPTY: expected a string, got null");
}

Test(settings, strmap_repeated_name_last_wins)
{
	const struct gx_node *in = fx_load("g:\n  environment:\n    A: 1\n    B: 2\n    A: 3\n",
					   "g");
	const struct gx_node *env;

	cr_assert_eq(fx_apply(gunicorn_table, in, "g", NULL), 0);
	env = eff_get("environment");
	cr_assert_eq(env->n, 2);
	cr_assert_str_eq(env->pairs[0].key->scalar, "A");
	cr_assert_str_eq(env->pairs[0].value->scalar, "3");
}

Test(settings, strlist_values)
{
	const struct gx_node *in = fx_load("gravity:\n  pools: [a, 2, \"c\"]\n", "gravity");
	const struct gx_node *v;

	cr_assert_eq(fx_apply(gravity_table, in, "gravity", gravity_sections), 0);
	v = eff_get("pools");
	cr_assert_eq(v->n, 3);
	cr_assert_str_eq(v->items[1]->scalar, "2");
	cr_assert_not(v->items[1]->plain);
	cr_assert_eq(v->items[2]->mark.column, 17);
}

Test(settings, strlist_errors)
{
	const struct gx_node *in = fx_load("gravity:\n  pools: main\n", "gravity");

	/* No silent promotion of a scalar to a one-item list: Gravity is strict. */
	cr_assert_eq(fx_apply(gravity_table, in, "gravity", gravity_sections), -EINVAL);
	assert_msg(0, GX_LOG_ERROR, 2, 10, "gravity.pools: expected a list of strings, got 'main'");
	gx_diag_release(&fx.diag);
	gx_yaml_doc_free(fx.doc);
	in = fx_load("gravity:\n  pools:\n    - a\n    - {b: c}\n    - ~\n", "gravity");
	cr_assert_eq(fx_apply(gravity_table, in, "gravity", gravity_sections), -EINVAL);
	cr_assert_eq(fx.diag.n, 2);
	assert_msg(0, GX_LOG_ERROR, 4, 7, "gravity.pools[1]: expected a string, got a mapping");
	assert_msg(1, GX_LOG_ERROR, 5, 7, "gravity.pools[2]: expected a string, got null");
}

Test(settings, mapping_option)
{
	const struct gx_node *in = fx_load("gravity:\n  app_server:\n    x: [1, 2]\n", "gravity");
	const struct gx_node *v;

	cr_assert_eq(fx_apply(gravity_table, in, "gravity", gravity_sections), 0);
	v = eff_get("app_server");
	cr_assert_eq(v->kind, GX_NODE_MAPPING);
	cr_assert_neq(v, gx_node_get(in, "app_server")); /* a copy */
	cr_assert_eq(gx_node_get(v, "x")->n, 2);
	cr_assert_eq(v->mark.line, 3);
	gx_node_free(fx.eff);
	fx.eff = NULL;
	gx_yaml_doc_free(fx.doc);
	in = fx_load("gravity:\n  app_server: plain\n", "gravity");
	cr_assert_eq(fx_apply(gravity_table, in, "gravity", gravity_sections), -EINVAL);
	assert_msg(0, GX_LOG_ERROR, 2, 15, "gravity.app_server: expected a mapping, got 'plain'");
}

Test(settings, required_option_missing)
{
	const struct gx_node *in = fx_load("gravity:\n  tusd:\n    port: 1081\n", "gravity.tusd");

	cr_assert_eq(fx_apply(tusd_table, in, "gravity.tusd", NULL), -EINVAL);
	cr_assert_eq(fx.diag.n, 1);
	/* Located at the section. */
	assert_msg(0, GX_LOG_ERROR, 3, 5, "gravity.tusd.upload_dir: required option is missing");
}

Test(settings, required_option_null_or_absent_section)
{
	const struct gx_node *in = fx_load("gravity:\n  tusd:\n    upload_dir:\n", "gravity.tusd");

	cr_assert_eq(fx_apply(tusd_table, in, "gravity.tusd", NULL), -EINVAL);
	assert_msg(0, GX_LOG_ERROR, 3, 16, "gravity.tusd.upload_dir: required option has no value");
	gx_diag_release(&fx.diag);
	cr_assert_eq(fx_apply(tusd_table, NULL, "gravity.tusd", NULL), -EINVAL);
	assert_msg(0, GX_LOG_ERROR, 0, 0, "gravity.tusd.upload_dir: required option is missing");
}

Test(settings, explicit_null_uses_the_default_unless_nullable)
{
	const struct gx_node *in = fx_load("gravity:\n"
					   "  process_manager:\n"
					   "  use_service_instances: ~\n"
					   "  galaxy_user: null\n",
					   "gravity");
	const struct gx_node *user;

	cr_assert_eq(fx_apply(gravity_table, in, "gravity", gravity_sections), 0);
	assert_scalar("process_manager", "supervisor", false);
	assert_scalar("use_service_instances", "true", true);
	user = eff_get("galaxy_user");
	cr_assert_eq(user->kind, GX_NODE_NULL);
	cr_assert_eq(user->mark.line, 4);
}

Test(settings, section_must_be_a_mapping)
{
	const struct gx_node *in = fx_load("gravity:\n  gunicorn:\n    - workers: 2\n",
					   "gravity.gunicorn");

	cr_assert_eq(fx_apply(gunicorn_table, in, "gravity.gunicorn", NULL), -EINVAL);
	cr_assert_null(fx.eff);
	cr_assert_eq(fx.diag.n, 1);
	assert_msg(0, GX_LOG_ERROR, 3, 5, "gravity.gunicorn: expected a mapping, got a sequence");
	gx_diag_release(&fx.diag);
	gx_yaml_doc_free(fx.doc);
	in = fx_load("gravity:\n  gunicorn: yes\n", "gravity.gunicorn");
	cr_assert_eq(fx_apply(gunicorn_table, in, "gravity.gunicorn", NULL), -EINVAL);
	assert_msg(0, GX_LOG_ERROR, 2, 13, "gravity.gunicorn: expected a mapping, got 'yes'");
}

Test(settings, every_error_is_reported)
{
	const struct gx_node *in = fx_load("gravity:\n"
					   "  gunicorn:\n"
					   "    enable: perhaps\n"
					   "    workers: many\n"
					   "    wrokers: 3\n"
					   "    timeout: 1.5\n"
					   "    environment: x\n",
					   "gravity.gunicorn");

	cr_assert_eq(fx_apply(gunicorn_table, in, "gravity.gunicorn", NULL), -EINVAL);
	cr_assert_eq(fx.diag.n, 5);
	cr_assert_eq(fx.diag.n_errors, 4);
	/* Unknown keys first, then the table in order. */
	assert_msg(0, GX_LOG_WARNING, 5, 5,
		   "Unknown option 'gravity.gunicorn.wrokers' (did you mean 'workers'?)");
	assert_msg(1, GX_LOG_ERROR, 3, 13,
		   "gravity.gunicorn.enable: expected a boolean (true or false), got 'perhaps'");
	assert_msg(2, GX_LOG_ERROR, 4, 14,
		   "gravity.gunicorn.workers: expected an integer, got 'many'");
	assert_msg(3, GX_LOG_ERROR, 6, 14,
		   "gravity.gunicorn.timeout: expected an integer, got '1.5'");
	assert_msg(4, GX_LOG_ERROR, 7, 18,
		   "gravity.gunicorn.environment: expected a mapping, got 'x'");
}

Test(settings, passthrough_keys_follow_in_input_order)
{
	const struct gx_node *in = fx_load("gravity:\n"
					   "  tusd: {upload_dir: /x}\n"
					   "  umask: '077'\n"
					   "  gunicorn: [{workers: bad}]\n"
					   "  tusd: {upload_dir: /y}\n",
					   "gravity");
	const struct gx_node *g;

	cr_assert_eq(fx_apply(gravity_table, in, "gravity", gravity_sections), 0);
	cr_assert_eq(fx.diag.n, 0);
	cr_assert_eq(fx.eff->n, 11);
	cr_assert_str_eq(fx.eff->pairs[9].key->scalar, "tusd");
	cr_assert_str_eq(fx.eff->pairs[10].key->scalar, "gunicorn");
	/* Copied unvalidated; a repeated key takes the last value. */
	g = eff_get("gunicorn");
	cr_assert_eq(g->kind, GX_NODE_SEQUENCE);
	cr_assert_str_eq(gx_node_get(g->items[0], "workers")->scalar, "bad");
	cr_assert_str_eq(gx_node_get(eff_get("tusd"), "upload_dir")->scalar, "/y");
	cr_assert_eq(eff_get("tusd")->mark.line, 5);
	assert_scalar("umask", "077", false);
}

Test(settings, duplicate_option_last_wins)
{
	const struct gx_node *in = fx_load("g:\n  workers: 2\n  workers: 3\n", "g");

	cr_assert_eq(fx_apply(gunicorn_table, in, "g", NULL), 0);
	assert_scalar("workers", "3", true);
	cr_assert_eq(eff_get("workers")->mark.line, 3);
}

Test(settings, collection_defaults_from_yaml_text)
{
	static const struct gx_option table[] = {
		{ .name = "list", .type = GX_TYPE_STRLIST, .default_value = "[a, b]" },
		{ .name = "env", .type = GX_TYPE_STRMAP, .default_value = "{A: '1'}" },
		{ .name = "i", .type = GX_TYPE_INT, .default_value = "0x20" },
		{ .name = NULL },
	};
	const struct gx_node *v;

	cr_assert_eq(gx_settings_apply(table, NULL, "", NULL, &fx.diag, &fx.eff), 0);
	v = eff_get("list");
	cr_assert_eq(v->n, 2);
	cr_assert_str_eq(v->items[1]->scalar, "b");
	cr_assert_null(v->items[1]->mark.file);
	v = eff_get("env");
	cr_assert_str_eq(gx_node_get(v, "A")->scalar, "1");
	cr_assert_null(v->pairs[0].key->mark.file);
	assert_scalar("i", "32", true);
}

Test(settings, bad_default_in_table_is_an_error)
{
	static const struct gx_option table[] = {
		{ .name = "n", .type = GX_TYPE_INT, .default_value = "ten" },
		{ .name = "l", .type = GX_TYPE_STRLIST, .default_value = "{x: 1}" },
		{ .name = NULL },
	};

	cr_assert_eq(gx_settings_apply(table, NULL, "sec", NULL, &fx.diag, &fx.eff), -EINVAL);
	cr_assert_eq(fx.diag.n, 2);
	assert_msg(0, GX_LOG_ERROR, 0, 0, "sec.n: invalid default 'ten' in the option table");
	assert_msg(1, GX_LOG_ERROR, 0, 0, "sec.l: invalid default '{x: 1}' in the option table");
}

Test(settings, unnamed_section_paths)
{
	const struct gx_node *in = fx_load("top:\n  workers: x\n  nope: 1\n", "top");

	cr_assert_eq(gx_settings_apply(gunicorn_table, in, NULL, NULL, &fx.diag, &fx.eff), -EINVAL);
	assert_msg(0, GX_LOG_WARNING, 3, 3, "Unknown option 'nope'");
	assert_msg(1, GX_LOG_ERROR, 2, 12, "workers: expected an integer, got 'x'");
}

Test(settings, fixture_file_messages)
{
	struct gx_error err = { 0 };
	const struct gx_node *gravity, *gunicorn;
	struct gx_node *eff = NULL;
	const char *path = FIXTURE("gravity.yml");

	cr_assert_eq(gx_yaml_load_file(path, &fx.doc, &err), 0, "%s", err.message);
	gravity = gx_node_get(fx.doc->root, "gravity");
	cr_assert_eq(gx_settings_apply(gravity_table, gravity, "gravity", gravity_sections,
				       &fx.diag, &fx.eff),
		     -EINVAL);
	gunicorn = gx_node_get(gravity, "gunicorn");
	cr_assert_eq(gx_settings_apply(gunicorn_table, gunicorn, "gravity.gunicorn", NULL,
				       &fx.diag, &eff),
		     -EINVAL);
	cr_assert_null(eff);
	cr_assert_eq(fx.diag.n, 3);
	cr_assert_eq(fx.diag.n_errors, 2);
	cr_assert_str_eq(fx.diag.msgs[0].file, path);
	cr_assert_eq(fx.diag.msgs[0].line, 4);
	cr_assert_eq(fx.diag.msgs[0].column, 3);
	cr_assert_str_eq(fx.diag.msgs[0].text,
			 "Unknown option 'gravity.gunicron' (did you mean 'gunicorn'?)");
	cr_assert_eq(fx.diag.msgs[1].line, 3);
	cr_assert_str_eq(fx.diag.msgs[1].text, "gravity.process_manager: 'supervisord' is not "
					       "one of: supervisor, systemd, direct");
	cr_assert_eq(fx.diag.msgs[2].line, 8);
	cr_assert_eq(fx.diag.msgs[2].column, 14);
	cr_assert_str_eq(fx.diag.msgs[2].text,
			 "gravity.gunicorn.workers: expected an integer, got 'abc'");
}
