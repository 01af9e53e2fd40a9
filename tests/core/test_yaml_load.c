/* SPDX-License-Identifier: MIT */
/* Tests of core/yaml_load.c: YAML text into located gx_node trees, aliases, merges and errors. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "node.h"
#include "yaml_load.h"

#define FIXTURE(name) GX_TEST_SRCDIR "/fixtures/yaml/" name

static struct gx_yaml_doc *load(const char *text)
{
	struct gx_error err = { 0 };
	struct gx_yaml_doc *doc = NULL;
	int r = gx_yaml_load_string("galaxy.yml", text, strlen(text), &doc, &err);

	cr_assert_eq(r, 0, "load failed (%d): %s:%u:%u: %s", r, err.file, err.line, err.column,
		     err.message);
	cr_assert_not_null(doc);
	return doc;
}

/* Load text that must fail; returns the error. */
static struct gx_error load_fail(const char *text)
{
	struct gx_error err = { 0 };
	struct gx_yaml_doc *doc = NULL;
	int r = gx_yaml_load_string("galaxy.yml", text, strlen(text), &doc, &err);

	cr_assert_lt(r, 0, "loading succeeded");
	cr_assert_eq(r, err.code);
	cr_assert_null(doc, "ret_doc was touched");
	return err;
}

static void assert_mark(const struct gx_node *n, unsigned line, unsigned column)
{
	cr_assert_not_null(n);
	cr_assert_str_eq(n->mark.file, "galaxy.yml");
	cr_assert_eq(n->mark.line, line, "line %u, want %u", n->mark.line, line);
	cr_assert_eq(n->mark.column, column, "column %u, want %u", n->mark.column, column);
}

static void assert_err(const struct gx_error *err, unsigned line, unsigned column,
		       const char *message)
{
	cr_assert_str_eq(err->file, "galaxy.yml");
	cr_assert_eq(err->line, line, "line %u, want %u (%s)", err->line, line, err->message);
	cr_assert_eq(err->column, column, "column %u, want %u (%s)", err->column, column,
		     err->message);
	cr_assert_str_eq(err->message, message);
}

static const char *scalar_at(const struct gx_node *map, const char *key)
{
	const struct gx_node *v = gx_node_get(map, key);

	cr_assert_not_null(v, "no key %s", key);
	cr_assert_eq(v->kind, GX_NODE_SCALAR, "%s is not a scalar", key);
	return v->scalar;
}

Test(yaml, tree_and_marks)
{
	struct gx_yaml_doc *doc = load("gravity:\n"
				       "  process_manager: systemd\n"
				       "  gunicorn:\n"
				       "    bind: 'localhost:8080'\n"
				       "    workers: [1, \"2\"]\n");
	const struct gx_node *root = doc->root, *gravity, *gunicorn, *workers;

	cr_assert_str_eq(doc->path, "galaxy.yml");
	cr_assert_eq(root->kind, GX_NODE_MAPPING);
	assert_mark(root, 1, 1);
	cr_assert_eq(root->mark.file, doc->path); /* marks point at the doc's path */
	gravity = gx_node_get(root, "gravity");
	cr_assert_eq(gravity->kind, GX_NODE_MAPPING);
	cr_assert_eq(gravity->n, 2);
	assert_mark(gravity, 2, 3);
	assert_mark(gravity->pairs[0].key, 2, 3);
	assert_mark(gravity->pairs[0].value, 2, 20);
	cr_assert(gravity->pairs[0].value->plain);
	gunicorn = gx_node_get(gravity, "gunicorn");
	cr_assert_str_eq(scalar_at(gunicorn, "bind"), "localhost:8080");
	cr_assert_not(gx_node_get(gunicorn, "bind")->plain);
	assert_mark(gx_node_get(gunicorn, "bind"), 4, 11);
	workers = gx_node_get(gunicorn, "workers");
	cr_assert_eq(workers->kind, GX_NODE_SEQUENCE);
	assert_mark(workers, 5, 14);
	cr_assert_eq(workers->n, 2);
	assert_mark(workers->items[1], 5, 18);
	cr_assert(workers->items[0]->plain);
	cr_assert_not(workers->items[1]->plain);
	gx_yaml_doc_free(doc);
}

Test(yaml, empty_inputs_give_a_null_root)
{
	static const char *const texts[] = { "", "\n\n", "# only a comment\n" };
	size_t i;

	for (i = 0; i < sizeof(texts) / sizeof(*texts); i++) {
		struct gx_yaml_doc *doc = load(texts[i]);

		cr_assert_eq(doc->root->kind, GX_NODE_NULL, "text %zu", i);
		cr_assert(gx_node_is_null(doc->root));
		cr_assert_eq(doc->root->mark.file, doc->path);
		gx_yaml_doc_free(doc);
	}
}

Test(yaml, null_text_is_empty)
{
	struct gx_error err = { 0 };
	struct gx_yaml_doc *doc = NULL;

	cr_assert_eq(gx_yaml_load_string("x.yml", NULL, 0, &doc, &err), 0);
	cr_assert_eq(doc->root->kind, GX_NODE_NULL);
	gx_yaml_doc_free(doc);
	gx_yaml_doc_free(NULL);
}

Test(yaml, empty_values_are_plain_null_scalars)
{
	struct gx_yaml_doc *doc = load("a:\nb: ~\nc: ''\n");
	const struct gx_node *a = gx_node_get(doc->root, "a");

	cr_assert_eq(a->kind, GX_NODE_SCALAR);
	cr_assert(gx_node_is_null(a));
	cr_assert(gx_node_is_null(gx_node_get(doc->root, "b")));
	cr_assert_not(gx_node_is_null(gx_node_get(doc->root, "c")));
	gx_yaml_doc_free(doc);
}

Test(yaml, scalar_root_and_sequence_root)
{
	struct gx_yaml_doc *doc = load("just text\n");

	cr_assert_eq(doc->root->kind, GX_NODE_SCALAR);
	cr_assert_str_eq(doc->root->scalar, "just text");
	gx_yaml_doc_free(doc);
	doc = load("- a\n- b: 1\n");
	cr_assert_eq(doc->root->kind, GX_NODE_SEQUENCE);
	cr_assert_eq(doc->root->n, 2);
	cr_assert_str_eq(scalar_at(doc->root->items[1], "b"), "1");
	assert_mark(doc->root->items[1], 2, 3);
	gx_yaml_doc_free(doc);
}

Test(yaml, syntax_error_location)
{
	struct gx_error err = load_fail("gravity:\n  a: 1\n  b: c: d\n");

	cr_assert_eq(err.code, -EINVAL);
	assert_err(&err, 3, 7, "mapping values are not allowed in this context");
}

Test(yaml, syntax_error_with_context)
{
	struct gx_error err = load_fail("a: [1, 2\nb: 3\n");

	cr_assert_str_eq(err.file, "galaxy.yml");
	cr_assert_eq(err.line, 2, "%s", err.message);
	cr_assert_not_null(strstr(err.message, "did not find expected ',' or ']'"), "%s",
			   err.message);
	cr_assert_not_null(strstr(err.message, "while parsing a flow sequence at line 1, column 4"),
			   "%s", err.message);
}

Test(yaml, reader_error_location)
{
	struct gx_error err = load_fail("a: 1\nb: \xff\n");

	assert_err(&err, 2, 4, "invalid leading UTF-8 octet (byte 0xFF)");
}

Test(yaml, nul_character_is_refused)
{
	struct gx_error err = load_fail("a: \"x\\0y\"\n");

	assert_err(&err, 1, 4, "a NUL character in a value is not supported");
}

Test(yaml, non_scalar_keys_are_errors)
{
	struct gx_error err = load_fail("a: 1\n? [x, y]\n: 2\n");

	assert_err(&err, 2, 3, "a mapping key must be a scalar, got a sequence");
	err = load_fail("ok:\n  {k: v}: 2\n");
	assert_err(&err, 2, 3, "a mapping key must be a scalar, got a mapping");
}

Test(yaml, only_the_first_document)
{
	struct gx_yaml_doc *doc = load("a: 1\n---\nb: 2\n---\n: : : broken\n");

	cr_assert_eq(doc->root->n, 1);
	cr_assert_str_eq(scalar_at(doc->root, "a"), "1");
	cr_assert_null(gx_node_get(doc->root, "b"));
	gx_yaml_doc_free(doc);
}

Test(yaml, tags)
{
	struct gx_yaml_doc *doc = load("a: !!str 12\nb: !custom 12\nc: ! true\nd: !!int 5\n");
	const struct gx_node *a = gx_node_get(doc->root, "a");
	long l = 0;

	cr_assert_str_eq(a->scalar, "12");
	cr_assert_not(a->plain); /* !!str forces a string */
	cr_assert_not(gx_node_as_long(a, &l));
	cr_assert(gx_node_get(doc->root, "b")->plain); /* other tags are ignored */
	cr_assert(gx_node_as_long(gx_node_get(doc->root, "b"), &l));
	cr_assert_eq(l, 12);
	cr_assert_not(gx_node_get(doc->root, "c")->plain); /* "!" is a string too */
	cr_assert(gx_node_get(doc->root, "d")->plain);
	gx_yaml_doc_free(doc);
}

Test(yaml, duplicate_keys_are_kept_last_wins)
{
	struct gx_yaml_doc *doc = load("a: 1\nb: 2\na: 3\n");

	cr_assert_eq(doc->root->n, 3);
	cr_assert_str_eq(scalar_at(doc->root, "a"), "3");
	gx_yaml_doc_free(doc);
}

Test(yaml, alias_is_a_deep_copy)
{
	struct gx_yaml_doc *doc = load("base: &b\n"
				       "  k: v\n"
				       "  list: [1, 2]\n"
				       "use: *b\n"
				       "s: &s text\n"
				       "t: *s\n");
	const struct gx_node *base = gx_node_get(doc->root, "base");
	const struct gx_node *use = gx_node_get(doc->root, "use");

	cr_assert_eq(use->kind, GX_NODE_MAPPING);
	cr_assert_neq(use, base);
	cr_assert_eq(use->n, 2);
	cr_assert_str_eq(scalar_at(use, "k"), "v");
	cr_assert_neq(gx_node_get(use, "list"), gx_node_get(base, "list"));
	cr_assert_eq(gx_node_get(use, "list")->n, 2);
	/* The copy is located where the alias is, its inside where it was written. */
	assert_mark(use, 4, 6);
	assert_mark(gx_node_get(use, "k"), 2, 6);
	cr_assert_str_eq(scalar_at(doc->root, "t"), "text");
	assert_mark(gx_node_get(doc->root, "t"), 6, 4);
	gx_yaml_doc_free(doc);
}

Test(yaml, anchor_redefinition_uses_the_latest)
{
	struct gx_yaml_doc *doc = load("a: &x one\nb: &x two\nc: *x\n");

	cr_assert_str_eq(scalar_at(doc->root, "c"), "two");
	gx_yaml_doc_free(doc);
}

Test(yaml, undefined_alias)
{
	struct gx_error err = load_fail("a: 1\nb: *nope\n");

	assert_err(&err, 2, 4, "found undefined alias '*nope'");
}

Test(yaml, recursive_alias)
{
	struct gx_error err = load_fail("a: &loop\n  - x\n  - *loop\n");

	assert_err(&err, 3, 5, "recursive alias '*loop' (refers to a node that contains it)");
}

Test(yaml, alias_bomb_is_stopped, .timeout = 60)
{
	static const char bomb[] = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
				   "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
				   "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
				   "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
				   "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
				   "f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
				   "g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]\n"
				   "h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g, *g]\n"
				   "i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h, *h]\n";
	struct gx_error err = load_fail(bomb);

	cr_assert_eq(err.code, -EINVAL);
	cr_assert_str_eq(err.file, "galaxy.yml");
	cr_assert_eq(err.line, 6, "%s", err.message); /* f would hold 1.1e6 nodes */
	cr_assert_not_null(strstr(err.message, "more than 1000000 nodes"), "%s", err.message);
}

Test(yaml, moderate_alias_use_is_fine)
{
	/* 10 x 10 x 10 scalars stay well under the limit. */
	struct gx_yaml_doc *doc = load("a: &a [x, x, x, x, x, x, x, x, x, x]\n"
				       "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
				       "c: [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n");
	const struct gx_node *c = gx_node_get(doc->root, "c");

	cr_assert_eq(c->n, 10);
	cr_assert_eq(c->items[9]->n, 10);
	cr_assert_str_eq(c->items[9]->items[9]->items[9]->scalar, "x");
	gx_yaml_doc_free(doc);
}

Test(yaml, nesting_limit)
{
	size_t depth = 1001, i;
	char *text = malloc(depth * 2 + 1);
	struct gx_error err;

	for (i = 0; i < depth; i++) {
		text[i] = '[';
		text[depth + i] = ']';
	}
	text[depth * 2] = '\0';
	err = load_fail(text);
	assert_err(&err, 1, 1001, "nested too deeply (more than 1000 levels)");
	/* One level less loads. */
	text[999] = ' ';
	text[1001] = ' ';
	gx_yaml_doc_free(load(text));
	free(text);
}

Test(yaml, alias_cannot_exceed_nesting_limit)
{
	size_t depth = 600, i;
	char *text = malloc(depth * 4 + 64), *p = text;
	struct gx_error err;

	/* A 600-deep anchor used at depth 600 would be 1200 deep. */
	p += sprintf(p, "a: &deep ");
	for (i = 0; i < depth; i++)
		*p++ = '[';
	for (i = 0; i < depth; i++)
		*p++ = ']';
	p += sprintf(p, "\nb: ");
	for (i = 0; i < depth; i++)
		*p++ = '[';
	p += sprintf(p, "*deep");
	for (i = 0; i < depth; i++)
		*p++ = ']';
	*p++ = '\n';
	*p = '\0';
	err = load_fail(text);
	cr_assert_str_eq(err.message, "nested too deeply (more than 1000 levels)");
	cr_assert_eq(err.line, 2);
	free(text);
}

Test(yaml, merge_single_mapping_explicit_keys_win)
{
	struct gx_yaml_doc *doc = load("base: &base\n"
				       "  bind: localhost:8080\n"
				       "  workers: 2\n"
				       "g:\n"
				       "  name: first\n"
				       "  <<: *base\n"
				       "  workers: 4\n");
	const struct gx_node *g = gx_node_get(doc->root, "g");

	/* Python dict order: merged keys first, then the mapping's own. */
	cr_assert_eq(g->n, 3);
	cr_assert_str_eq(g->pairs[0].key->scalar, "bind");
	cr_assert_str_eq(g->pairs[1].key->scalar, "workers");
	cr_assert_str_eq(g->pairs[2].key->scalar, "name");
	cr_assert_str_eq(g->pairs[1].value->scalar, "4");
	assert_mark(g->pairs[1].value, 7, 12);
	cr_assert_str_eq(g->pairs[0].value->scalar, "localhost:8080");
	assert_mark(g->pairs[0].value, 2, 9);
	cr_assert_null(gx_node_get(g, "<<"));
	gx_yaml_doc_free(doc);
}

Test(yaml, merge_list_earlier_mappings_win)
{
	struct gx_yaml_doc *doc = load("a: &a {x: a1, y: a2}\n"
				       "b: &b {y: b2, z: b3}\n"
				       "m:\n"
				       "  <<: [*a, *b]\n"
				       "  z: own\n");
	const struct gx_node *m = gx_node_get(doc->root, "m");

	cr_assert_eq(m->n, 3);
	cr_assert_str_eq(scalar_at(m, "x"), "a1");
	cr_assert_str_eq(scalar_at(m, "y"), "a2");
	cr_assert_str_eq(scalar_at(m, "z"), "own");
	/* Order as PyYAML gives it: b's keys, then a's new ones. */
	cr_assert_str_eq(m->pairs[0].key->scalar, "y");
	cr_assert_str_eq(m->pairs[1].key->scalar, "z");
	cr_assert_str_eq(m->pairs[2].key->scalar, "x");
	gx_yaml_doc_free(doc);
}

Test(yaml, merge_inline_and_nested)
{
	struct gx_yaml_doc *doc = load("one: &one {a: 1}\n"
				       "two: &two {<<: *one, b: 2}\n"
				       "three: {<<: *two, c: 3}\n"
				       "inline: {<<: {q: 1}, r: 2}\n");
	const struct gx_node *three = gx_node_get(doc->root, "three");

	cr_assert_eq(three->n, 3);
	cr_assert_str_eq(scalar_at(three, "a"), "1");
	cr_assert_str_eq(scalar_at(three, "b"), "2");
	cr_assert_str_eq(scalar_at(three, "c"), "3");
	cr_assert_str_eq(scalar_at(gx_node_get(doc->root, "inline"), "q"), "1");
	gx_yaml_doc_free(doc);
}

Test(yaml, merge_collapses_duplicates_and_keeps_anchors_usable)
{
	/* x is anchored inside a value the merge drops; the alias after it still works. */
	struct gx_yaml_doc *doc = load("m:\n"
				       "  a: &x dropped\n"
				       "  <<: {b: 1}\n"
				       "  a: kept\n"
				       "n: *x\n");
	const struct gx_node *m = gx_node_get(doc->root, "m");

	cr_assert_eq(m->n, 2);
	cr_assert_str_eq(m->pairs[0].key->scalar, "b");
	cr_assert_str_eq(m->pairs[1].key->scalar, "a");
	cr_assert_str_eq(m->pairs[1].value->scalar, "kept");
	cr_assert_str_eq(scalar_at(doc->root, "n"), "dropped");
	gx_yaml_doc_free(doc);
}

Test(yaml, quoted_merge_key_is_a_normal_key)
{
	struct gx_yaml_doc *doc = load("m:\n  '<<': {a: 1}\n  b: 2\n");
	const struct gx_node *m = gx_node_get(doc->root, "m");

	cr_assert_eq(m->n, 2);
	cr_assert_eq(gx_node_get(m, "<<")->kind, GX_NODE_MAPPING);
	gx_yaml_doc_free(doc);
}

Test(yaml, bad_merge_values)
{
	struct gx_error err = load_fail("m:\n  <<: text\n");

	assert_err(&err, 2, 7, "expected a mapping or list of mappings for merging, got a scalar");
	err = load_fail("a: &a {x: 1}\nm:\n  <<: [*a, [1]]\n");
	assert_err(&err, 3, 12,
		   "expected a mapping or list of mappings for merging, got a sequence");
}

Test(yaml, fixture_anchors)
{
	struct gx_error err = { 0 };
	struct gx_yaml_doc *doc = NULL;
	const struct gx_node *list, *first, *second;

	cr_assert_eq(gx_yaml_load_file(FIXTURE("anchors.yml"), &doc, &err), 0, "%s", err.message);
	cr_assert_str_eq(doc->path, FIXTURE("anchors.yml"));
	list = gx_node_get(doc->root, "gunicorn");
	cr_assert_eq(list->n, 2);
	first = list->items[0];
	second = list->items[1];
	cr_assert_str_eq(scalar_at(first, "workers"), "4");
	cr_assert_str_eq(scalar_at(first, "bind"), "localhost:8080");
	cr_assert_str_eq(scalar_at(second, "workers"), "2");
	cr_assert_str_eq(scalar_at(second, "bind"), "localhost:8081");
	cr_assert_str_eq(scalar_at(gx_node_get(second, "environment"), "LANG"), "C.UTF-8");
	cr_assert_eq(gx_node_get(first, "workers")->mark.file, doc->path);
	cr_assert_eq(gx_node_get(first, "workers")->mark.line, 9);
	gx_yaml_doc_free(doc);
}

Test(yaml, fixture_empty_file)
{
	struct gx_error err = { 0 };
	struct gx_yaml_doc *doc = NULL;

	cr_assert_eq(gx_yaml_load_file(FIXTURE("empty.yml"), &doc, &err), 0);
	cr_assert_eq(doc->root->kind, GX_NODE_NULL);
	gx_yaml_doc_free(doc);
}

Test(yaml, fixture_syntax_error)
{
	struct gx_error err = { 0 };
	struct gx_yaml_doc *doc = NULL;

	cr_assert_eq(gx_yaml_load_file(FIXTURE("syntax-error.yml"), &doc, &err), -EINVAL);
	cr_assert_null(doc);
	cr_assert_str_eq(err.file, FIXTURE("syntax-error.yml"));
	cr_assert_eq(err.line, 3);
	cr_assert_eq(err.column, 14);
	cr_assert_str_eq(err.message, "mapping values are not allowed in this context");
}

Test(yaml, missing_file)
{
	struct gx_error err = { 0 };
	struct gx_yaml_doc *doc = NULL;
	const char *path = FIXTURE("does-not-exist.yml");
	char want[1024];

	cr_assert_eq(gx_yaml_load_file(path, &doc, &err), -ENOENT);
	cr_assert_null(doc);
	snprintf(want, sizeof(want), "cannot read %s: No such file or directory", path);
	cr_assert_str_eq(err.message, want);
	cr_assert_str_eq(err.file, "");
	cr_assert_eq(err.code, -ENOENT);
}

Test(yaml, directory_is_not_a_file)
{
	struct gx_error err = { 0 };
	struct gx_yaml_doc *doc = NULL;

	cr_assert_eq(gx_yaml_load_file(GX_TEST_SRCDIR "/fixtures/yaml", &doc, &err), -EISDIR);
	cr_assert_null(doc);
	cr_assert_not_null(strstr(err.message, "it is a directory, not a regular file"), "%s",
			   err.message);
}

Test(yaml, large_file_is_read_whole)
{
	char path[] = "/tmp/gx-yaml-XXXXXX";
	struct gx_error err = { 0 };
	struct gx_yaml_doc *doc = NULL;
	int fd = mkstemp(path);
	FILE *f;
	int i;

	cr_assert_geq(fd, 0);
	f = fdopen(fd, "w");
	for (i = 0; i < 5000; i++)
		fprintf(f, "key%d: value %d\n", i, i);
	fclose(f);
	cr_assert_eq(gx_yaml_load_file(path, &doc, &err), 0, "%s", err.message);
	unlink(path);
	cr_assert_eq(doc->root->n, 5000);
	cr_assert_str_eq(scalar_at(doc->root, "key4999"), "value 4999");
	cr_assert_eq(doc->root->pairs[4999].key->mark.line, 5000);
	gx_yaml_doc_free(doc);
}
