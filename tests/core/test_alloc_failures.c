/* SPDX-License-Identifier: MIT */
/*
 * Allocation failures in core/node.c, core/yaml_load.c, core/settings.c and
 * core/diag.c: each allocation in turn fails, and every call must then
 * return -ENOMEM with its out-parameter untouched and nothing leaked
 * (valgrind and LeakSanitizer check the last part).
 */
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <errno.h>
#include <string.h>

#include "diag.h"
#include "node.h"
#include "settings.h"
#include "yaml_load.h"

/* This file allocates for real; only the core sources go through the wrappers. */
#undef malloc
#undef calloc
#undef realloc
#undef strdup

/* Allocations left before the next one fails; negative: no limit. */
static long alloc_budget = -1;
static unsigned long alloc_failed;

static bool alloc_allowed(void)
{
	if (alloc_budget < 0)
		return true;
	if (alloc_budget == 0) {
		alloc_failed++;
		return false;
	}
	alloc_budget--;
	return true;
}

void *gx_test_malloc(size_t size)
{
	return alloc_allowed() ? malloc(size) : NULL;
}

void *gx_test_calloc(size_t n, size_t size)
{
	return alloc_allowed() ? calloc(n, size) : NULL;
}

void *gx_test_realloc(void *p, size_t size)
{
	return alloc_allowed() ? realloc(p, size) : NULL;
}

char *gx_test_strdup(const char *s)
{
	return alloc_allowed() ? strdup(s) : NULL;
}

/* Lost diagnostics are reported on stderr; keep the test output readable. */
TestSuite(alloc, .init = cr_redirect_stderr);

static const char doc_text[] = "base: &base\n"
			       "  bind: localhost:8080\n"
			       "  environment: &env {LANG: C, TZ: UTC}\n"
			       "other: &other {workers: 3, extra: [a, b]}\n"
			       "gunicorn:\n"
			       "  - <<: [*base, *other]\n"
			       "    workers: 4\n"
			       "    workers: 5\n"
			       "  - <<: *base\n"
			       "    environment: *env\n"
			       "    tags: !!str 12\n"
			       "    list: &l [1, [2, {x: y}]]\n"
			       "    again: *l\n";

Test(alloc, yaml_load)
{
	unsigned long failures = 0;
	long budget;

	for (budget = 0;; budget++) {
		struct gx_yaml_doc *doc = (struct gx_yaml_doc *)&budget;
		struct gx_error err = { 0 };
		int r;

		alloc_budget = budget;
		alloc_failed = 0;
		r = gx_yaml_load_string("galaxy.yml", doc_text, strlen(doc_text), &doc, &err);
		alloc_budget = -1;
		if (r == 0) {
			cr_assert_eq(gx_node_get(gx_node_get(doc->root, "gunicorn")->items[0],
						 "workers")->scalar[0],
				     '5');
			gx_yaml_doc_free(doc);
			break;
		}
		cr_assert_eq(r, -ENOMEM, "budget %ld: %d %s", budget, r, err.message);
		cr_assert_eq(err.code, -ENOMEM);
		cr_assert_eq(doc, (struct gx_yaml_doc *)&budget, "ret_doc touched on failure");
		cr_assert_gt(alloc_failed, 0);
		failures++;
	}
	cr_assert_gt(failures, 50, "only %lu failure points", failures);
}

Test(alloc, yaml_load_with_syntax_error)
{
	static const char text[] = "a: &a {x: [1, 2]}\nb: {<<: *a, y: 2}\nc: [*a, {d: e: f}]\n";
	long budget;

	for (budget = 0;; budget++) {
		struct gx_yaml_doc *doc = NULL;
		struct gx_error err = { 0 };
		int r;

		alloc_budget = budget;
		r = gx_yaml_load_string("galaxy.yml", text, strlen(text), &doc, &err);
		alloc_budget = -1;
		cr_assert_null(doc);
		if (r == -EINVAL) {
			cr_assert_str_eq(err.message, "did not find expected ',' or '}' "
						      "(while parsing a flow mapping at line 3, column 9)");
			break;
		}
		cr_assert_eq(r, -ENOMEM, "budget %ld: %d %s", budget, r, err.message);
	}
}

Test(alloc, node_dup_and_map_set)
{
	struct gx_yaml_doc *doc = NULL;
	struct gx_error err = { 0 };
	long budget;

	cr_assert_eq(gx_yaml_load_string("x", doc_text, strlen(doc_text), &doc, &err), 0);
	for (budget = 0;; budget++) {
		struct gx_node *copy;

		alloc_budget = budget;
		copy = gx_node_dup(doc->root);
		alloc_budget = -1;
		if (copy) {
			gx_node_free(copy);
			break;
		}
	}
	for (budget = 0;; budget++) {
		struct gx_node *value = gx_node_new_scalar("v", true, NULL);
		int r;

		alloc_budget = budget;
		r = gx_node_map_set(doc->root, "new-key", value);
		alloc_budget = -1;
		if (r == 0)
			break;
		cr_assert_eq(r, -ENOMEM);
	}
	cr_assert_str_eq(gx_node_get(doc->root, "new-key")->scalar, "v");
	gx_yaml_doc_free(doc);
}

static const char *const pm_allowed[] = { "supervisor", "systemd", "direct", NULL };
static const char *const passthrough[] = { "gunicorn", "celery", NULL };

static const struct gx_option table[] = {
	{ .name = "process_manager", .type = GX_TYPE_ENUM, .default_value = "supervisor",
	  .allowed = pm_allowed },
	{ .name = "enable", .type = GX_TYPE_BOOL, .default_value = "true" },
	{ .name = "workers", .type = GX_TYPE_INT, .default_value = "1", .min = 1, .max = 10 },
	{ .name = "limit", .type = GX_TYPE_FLOAT, .default_value = "0.5" },
	{ .name = "bind", .type = GX_TYPE_STRING, .default_value = "localhost" },
	{ .name = "environment", .type = GX_TYPE_STRMAP, .default_value = "{A: b}" },
	{ .name = "pools", .type = GX_TYPE_STRLIST, .default_value = "[x, y]" },
	{ .name = "app", .type = GX_TYPE_MAPPING, .default_value = "{}" },
	{ .name = "user", .type = GX_TYPE_STRING, .flags = GX_OPT_NULLABLE },
	{ .name = NULL },
};

/* Apply table to text's root under every allocation budget; the final result is returned. */
static int apply_until_done(const char *text, size_t *ret_n_msgs)
{
	struct gx_yaml_doc *doc = NULL;
	struct gx_error err = { 0 };
	long budget;
	int r;

	cr_assert_eq(gx_yaml_load_string("galaxy.yml", text, strlen(text), &doc, &err), 0);
	for (budget = 0;; budget++) {
		struct gx_node *eff = (struct gx_node *)&budget;
		struct gx_diag diag = { 0 };

		alloc_budget = budget;
		r = gx_settings_apply(table, doc->root, "gravity", passthrough, &diag, &eff);
		alloc_budget = -1;
		if (r != -ENOMEM) {
			*ret_n_msgs = diag.n;
			if (r == 0)
				gx_node_free(eff);
			else
				cr_assert_eq(eff, (struct gx_node *)&budget);
			gx_diag_release(&diag);
			break;
		}
		cr_assert_eq(eff, (struct gx_node *)&budget, "ret_effective touched on failure");
		gx_diag_release(&diag);
	}
	gx_yaml_doc_free(doc);
	return r;
}

Test(alloc, settings_apply_valid)
{
	size_t n = 99;

	cr_assert_eq(apply_until_done("process_manager: systemd\n"
				      "workers: 4\n"
				      "limit: 2\n"
				      "environment: {X: 1, Y: two, X: 3}\n"
				      "pools: [a, b]\n"
				      "app: {k: [v]}\n"
				      "user:\n"
				      "gunicorn: {workers: 2}\n"
				      "celery: [1]\n"
				      "unknwn: 1\n",
				      &n),
		     0);
	cr_assert_eq(n, 1); /* the unknown key's warning */
}

Test(alloc, settings_apply_with_errors)
{
	size_t n = 0;

	cr_assert_eq(apply_until_done("process_manager: nope\n"
				      "workers: 0\n"
				      "environment: {X: [1]}\n"
				      "pools: [a, {b: c}]\n"
				      "app: text\n",
				      &n),
		     -EINVAL);
	cr_assert_eq(n, 5);
}

Test(alloc, diag_keeps_counting_when_messages_are_lost)
{
	struct gx_diag d = { 0 };

	alloc_budget = 0;
	gx_diag_add(&d, GX_LOG_ERROR, NULL, "lost");
	gx_diag_add(&d, GX_LOG_WARNING, NULL, "lost too");
	alloc_budget = -1;
	cr_assert_eq(d.n, 0);
	cr_assert_eq(d.n_errors, 1);
	gx_diag_add(&d, GX_LOG_ERROR, &(struct gx_mark){ .file = "f", .line = 1 }, "kept");
	cr_assert_eq(d.n, 1);
	cr_assert_eq(d.n_errors, 2);
	/* The text fits but the file name does not. */
	alloc_budget = 1;
	gx_diag_add(&d, GX_LOG_ERROR, &(struct gx_mark){ .file = "f", .line = 1 }, "half");
	alloc_budget = -1;
	cr_assert_eq(d.n, 1);
	gx_diag_release(&d);
}
