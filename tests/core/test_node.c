/* SPDX-License-Identifier: MIT */
/* Tests of core/node.c: building the config tree, lookups and YAML 1.1 resolution. */
#include <criterion/criterion.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node.h"

static const struct gx_mark here = { .file = "t.yml", .line = 4, .column = 2 };

static struct gx_node *plain(const char *text)
{
	struct gx_node *n = gx_node_new_scalar(text, true, &here);

	cr_assert_not_null(n);
	return n;
}

static struct gx_node *quoted(const char *text)
{
	struct gx_node *n = gx_node_new_scalar(text, false, &here);

	cr_assert_not_null(n);
	return n;
}

/* A mapping of plain scalars from key, value, ..., NULL. */
static struct gx_node *map_of(const char *first, ...)
{
	struct gx_node *map = gx_node_new(GX_NODE_MAPPING, &here);
	const char *k;
	va_list ap;

	cr_assert_not_null(map);
	va_start(ap, first);
	for (k = first; k; k = va_arg(ap, const char *))
		cr_assert_eq(gx_node_map_append(map, plain(k), plain(va_arg(ap, const char *))), 0);
	va_end(ap);
	return map;
}

Test(node, new_nodes)
{
	struct gx_node *s = gx_node_new(GX_NODE_SCALAR, NULL);
	struct gx_node *m = gx_node_new(GX_NODE_MAPPING, &here);
	struct gx_node *q = gx_node_new_scalar(NULL, false, NULL);

	cr_assert_str_eq(s->scalar, "");
	cr_assert_null(s->mark.file);
	cr_assert_eq(m->kind, GX_NODE_MAPPING);
	cr_assert_eq(m->n, 0);
	cr_assert_eq(m->mark.file, here.file);
	cr_assert_eq(m->mark.line, 4);
	cr_assert_str_eq(q->scalar, "");
	cr_assert_null(gx_node_new(GX_NODE_KIND_MAX, NULL));
	gx_node_free(s);
	gx_node_free(m);
	gx_node_free(q);
	gx_node_free(NULL);
}

Test(node, sequence_append)
{
	struct gx_node *seq = gx_node_new(GX_NODE_SEQUENCE, NULL);
	struct gx_node *map = gx_node_new(GX_NODE_MAPPING, NULL);
	struct gx_node *item = plain("x");
	char text[16];
	int i;

	for (i = 0; i < 50; i++) {
		snprintf(text, sizeof(text), "%d", i);
		cr_assert_eq(gx_node_seq_append(seq, plain(text)), 0);
	}
	cr_assert_eq(seq->n, 50);
	cr_assert_str_eq(seq->items[0]->scalar, "0");
	cr_assert_str_eq(seq->items[49]->scalar, "49");
	/* Wrong parents are refused and the item stays the caller's. */
	cr_assert_eq(gx_node_seq_append(map, item), -EINVAL);
	cr_assert_eq(gx_node_seq_append(seq, NULL), -EINVAL);
	gx_node_free(item);
	gx_node_free(seq);
	gx_node_free(map);
}

Test(node, map_append_refuses_bad_input)
{
	struct gx_node *map = gx_node_new(GX_NODE_MAPPING, NULL);
	struct gx_node *seq = gx_node_new(GX_NODE_SEQUENCE, NULL);
	struct gx_node *key = plain("k"), *value = plain("v");

	cr_assert_eq(gx_node_map_append(map, seq, value), -EINVAL); /* key not a scalar */
	cr_assert_eq(gx_node_map_append(seq, key, value), -EINVAL);
	cr_assert_eq(map->n, 0);
	cr_assert_eq(gx_node_map_append(map, key, value), 0);
	cr_assert_eq(map->n, 1);
	cr_assert_eq(map->pairs[0].key, key);
	cr_assert_eq(map->pairs[0].value, value);
	gx_node_free(map);
	gx_node_free(seq);
}

Test(node, get_last_duplicate_wins)
{
	struct gx_node *map = map_of("a", "1", "b", "2", "a", "3", NULL);
	const struct gx_pair *pair;

	cr_assert_str_eq(gx_node_get(map, "a")->scalar, "3");
	cr_assert_str_eq(gx_node_get(map, "b")->scalar, "2");
	cr_assert_null(gx_node_get(map, "c"));
	pair = gx_node_get_pair(map, "a");
	cr_assert_eq(pair, &map->pairs[2]);
	cr_assert_null(gx_node_get(NULL, "a"));
	cr_assert_null(gx_node_get(map->pairs[0].value, "a")); /* not a mapping */
	gx_node_free(map);
}

Test(node, map_set_replaces_or_appends)
{
	struct gx_node *map = map_of("a", "1", "a", "2", NULL);
	struct gx_node *seq = gx_node_new(GX_NODE_SEQUENCE, NULL);

	cr_assert_eq(gx_node_map_set(map, "a", plain("9")), 0);
	cr_assert_eq(map->n, 2);
	cr_assert_str_eq(map->pairs[0].value->scalar, "1");
	cr_assert_str_eq(map->pairs[1].value->scalar, "9");
	cr_assert_eq(gx_node_map_set(map, "new", quoted("x")), 0);
	cr_assert_eq(map->n, 3);
	cr_assert_str_eq(map->pairs[2].key->scalar, "new");
	cr_assert_str_eq(gx_node_get(map, "new")->scalar, "x");
	/* The value is taken even when it cannot be set (valgrind checks it is freed). */
	cr_assert_eq(gx_node_map_set(seq, "a", plain("lost")), -EINVAL);
	gx_node_free(map);
	gx_node_free(seq);
}

Test(node, dup_is_deep)
{
	struct gx_node *map = map_of("a", "1", NULL);
	struct gx_node *seq = gx_node_new(GX_NODE_SEQUENCE, &here);
	struct gx_node *copy;

	cr_assert_eq(gx_node_seq_append(seq, quoted("q")), 0);
	cr_assert_eq(gx_node_map_append(map, plain("list"), seq), 0);
	copy = gx_node_dup(map);
	cr_assert_not_null(copy);
	cr_assert_neq(copy, map);
	cr_assert_eq(copy->n, 2);
	cr_assert_neq(copy->pairs[1].value, seq);
	cr_assert_eq(copy->pairs[1].value->kind, GX_NODE_SEQUENCE);
	cr_assert_str_eq(copy->pairs[1].value->items[0]->scalar, "q");
	cr_assert_not(copy->pairs[1].value->items[0]->plain);
	cr_assert_eq(copy->pairs[1].value->mark.file, here.file); /* shared by pointer */
	cr_assert_eq(copy->pairs[1].value->mark.line, here.line);
	/* Changing the copy leaves the original alone. */
	free(copy->pairs[0].value->scalar);
	copy->pairs[0].value->scalar = strdup("changed");
	cr_assert_str_eq(map->pairs[0].value->scalar, "1");
	cr_assert_null(gx_node_dup(NULL));
	gx_node_free(copy);
	gx_node_free(map);
}

Test(node, is_null)
{
	static const char *const nulls[] = { "", "~", "null", "Null", "NULL" };
	static const char *const not_nulls[] = { "nUll", "none", "None", "0", "false", " " };
	struct gx_node *n = gx_node_new(GX_NODE_NULL, NULL);
	struct gx_node *m = gx_node_new(GX_NODE_MAPPING, NULL);
	size_t i;

	cr_assert(gx_node_is_null(NULL));
	cr_assert(gx_node_is_null(n));
	cr_assert_not(gx_node_is_null(m));
	for (i = 0; i < sizeof(nulls) / sizeof(*nulls); i++) {
		struct gx_node *p = plain(nulls[i]), *q = quoted(nulls[i]);

		cr_assert(gx_node_is_null(p), "plain '%s' is null", nulls[i]);
		cr_assert_not(gx_node_is_null(q), "quoted '%s' is a string", nulls[i]);
		gx_node_free(p);
		gx_node_free(q);
	}
	for (i = 0; i < sizeof(not_nulls) / sizeof(*not_nulls); i++) {
		struct gx_node *p = plain(not_nulls[i]);

		cr_assert_not(gx_node_is_null(p), "'%s' is not null", not_nulls[i]);
		gx_node_free(p);
	}
	gx_node_free(n);
	gx_node_free(m);
}

struct bool_case {
	const char *text;
	int want; /* 1 true, 0 false, -1 not a bool */
};

Test(node, bool_resolution)
{
	static const struct bool_case cases[] = {
		{ "true", 1 },  { "True", 1 },   { "TRUE", 1 },  { "yes", 1 },   { "Yes", 1 },
		{ "YES", 1 },   { "on", 1 },     { "On", 1 },    { "ON", 1 },    { "false", 0 },
		{ "False", 0 }, { "FALSE", 0 },  { "no", 0 },    { "No", 0 },    { "NO", 0 },
		{ "off", 0 },   { "Off", 0 },    { "OFF", 0 },   { "tRUE", -1 }, { "y", -1 },
		{ "n", -1 },    { "Y", -1 },     { "1", -1 },    { "0", -1 },    { "", -1 },
		{ "~", -1 },    { "truthy", -1 }, { "yes ", -1 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		struct gx_node *p = plain(cases[i].text), *q = quoted(cases[i].text);
		bool b = !cases[i].want, untouched = true;

		cr_assert_eq(gx_node_as_bool(p, &b), cases[i].want >= 0, "'%s'", cases[i].text);
		if (cases[i].want >= 0)
			cr_assert_eq(b, cases[i].want == 1, "'%s'", cases[i].text);
		/* A quoted scalar is a string and leaves ret alone. */
		cr_assert_not(gx_node_as_bool(q, &untouched), "quoted '%s'", cases[i].text);
		cr_assert(untouched);
		gx_node_free(p);
		gx_node_free(q);
	}
	cr_assert_not(gx_node_as_bool(NULL, &(bool){ false }));
}

struct int_case {
	const char *text;
	bool is_int;
	long want;
};

Test(node, int_resolution)
{
	static const struct int_case cases[] = {
		{ "0", true, 0 },
		{ "12", true, 12 },
		{ "-3", true, -3 },
		{ "+7", true, 7 },
		{ "1_000", true, 1000 },
		{ "0x1F", true, 31 },
		{ "0x1f", true, 31 },
		{ "-0x10", true, -16 },
		{ "0o17", true, 15 },
		{ "017", true, 15 },
		{ "022", true, 18 },
		{ "0b101", true, 5 },
		{ "-0b1_0", true, -2 },
		{ "9223372036854775807", true, LONG_MAX },
		{ "-9223372036854775808", true, LONG_MIN },
		{ "9223372036854775808", false, 0 }, /* does not fit a long */
		{ "08", false, 0 },
		{ "0x", false, 0 },
		{ "0xg", false, 0 },
		{ "0b2", false, 0 },
		{ "1.0", false, 0 },
		{ "1e3", false, 0 },
		{ "12abc", false, 0 },
		{ "abc", false, 0 },
		{ "", false, 0 },
		{ "-", false, 0 },
		{ "_1", false, 0 },
		{ " 1", false, 0 },
		{ "0X1F", false, 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		struct gx_node *p = plain(cases[i].text), *q = quoted(cases[i].text);
		long v = 4242;

		cr_assert_eq(gx_node_as_long(p, &v), cases[i].is_int, "'%s'", cases[i].text);
		cr_assert_eq(v, cases[i].is_int ? cases[i].want : 4242, "'%s' gave %ld",
			     cases[i].text, v);
		cr_assert_not(gx_node_as_long(q, &v), "quoted '%s'", cases[i].text);
		gx_node_free(p);
		gx_node_free(q);
	}
}

struct float_case {
	const char *text;
	bool is_float;
	double want;
};

Test(node, float_resolution)
{
	static const struct float_case cases[] = {
		{ "1.5", true, 1.5 },
		{ "-2.", true, -2.0 },
		{ ".5", true, 0.5 },
		{ "+0.25", true, 0.25 },
		{ "1_000.5", true, 1000.5 },
		{ "1.0e+3", true, 1000.0 },
		{ "2.5E-1", true, 0.25 },
		{ "1.0e3", true, 1000.0 },
		{ "3", true, 3.0 }, /* ints are floats too */
		{ "0x10", true, 16.0 },
		{ "-017", true, -15.0 },
		{ "99999999999999999999", true, 1e20 },
		{ "1e3", false, 0 }, /* YAML 1.1 wants a '.' */
		{ "1.2.3", false, 0 },
		{ ".", false, 0 },
		{ "-.", false, 0 },
		{ "e3", false, 0 },
		{ "1.0e", false, 0 },
		{ "abc", false, 0 },
		{ "inf", false, 0 },
		{ "-.nan", false, 0 },
		{ "", false, 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		struct gx_node *p = plain(cases[i].text), *q = quoted(cases[i].text);
		double v = 42.0;

		cr_assert_eq(gx_node_as_double(p, &v), cases[i].is_float, "'%s'", cases[i].text);
		cr_assert_eq(v, cases[i].is_float ? cases[i].want : 42.0, "'%s' gave %g",
			     cases[i].text, v);
		cr_assert_not(gx_node_as_double(q, &v), "quoted '%s'", cases[i].text);
		gx_node_free(p);
		gx_node_free(q);
	}
}

Test(node, float_specials)
{
	static const char *const infs[] = { ".inf", ".Inf", ".INF", "+.inf" };
	static const char *const nans[] = { ".nan", ".NaN", ".NAN" };
	struct gx_node *n;
	double v;
	size_t i;

	for (i = 0; i < sizeof(infs) / sizeof(*infs); i++) {
		n = plain(infs[i]);
		cr_assert(gx_node_as_double(n, &v), "%s", infs[i]);
		cr_assert(isinf(v) && v > 0, "%s", infs[i]);
		gx_node_free(n);
	}
	n = plain("-.inf");
	cr_assert(gx_node_as_double(n, &v));
	cr_assert(isinf(v) && v < 0);
	gx_node_free(n);
	for (i = 0; i < sizeof(nans) / sizeof(*nans); i++) {
		n = plain(nans[i]);
		cr_assert(gx_node_as_double(n, &v), "%s", nans[i]);
		cr_assert(isnan(v), "%s", nans[i]);
		gx_node_free(n);
	}
}

Test(node, typed_reads_of_collections_fail)
{
	struct gx_node *map = map_of("a", "1", NULL);
	bool b;
	long l;
	double d;

	cr_assert_not(gx_node_as_bool(map, &b));
	cr_assert_not(gx_node_as_long(map, &l));
	cr_assert_not(gx_node_as_double(map, &d));
	cr_assert_not(gx_node_as_long(NULL, &l));
	gx_node_free(map);
}

Test(node, kind_names)
{
	cr_assert_str_eq(gx_node_kind_name(GX_NODE_NULL), "null");
	cr_assert_str_eq(gx_node_kind_name(GX_NODE_SCALAR), "scalar");
	cr_assert_str_eq(gx_node_kind_name(GX_NODE_MAPPING), "mapping");
	cr_assert_str_eq(gx_node_kind_name(GX_NODE_SEQUENCE), "sequence");
	cr_assert_str_eq(gx_node_kind_name(GX_NODE_KIND_MAX), "unknown");
}
