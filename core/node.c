/* SPDX-License-Identifier: MIT */
/* The neutral config tree: construction, lookup and YAML 1.1 scalar resolution. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "node.h"

static const char *const node_kind_names[GX_NODE_KIND_MAX] = {
	[GX_NODE_NULL] = "null",
	[GX_NODE_SCALAR] = "scalar",
	[GX_NODE_MAPPING] = "mapping",
	[GX_NODE_SEQUENCE] = "sequence",
};

const char *gx_node_kind_name(enum gx_node_kind kind)
{
	if ((unsigned)kind >= GX_NODE_KIND_MAX)
		return "unknown";
	return node_kind_names[kind];
}

struct gx_node *gx_node_new(enum gx_node_kind kind, const struct gx_mark *mark)
{
	struct gx_node *node;

	if ((unsigned)kind >= GX_NODE_KIND_MAX)
		return NULL;
	node = calloc(1, sizeof(*node));
	if (!node)
		return NULL;
	node->kind = kind;
	if (mark)
		node->mark = *mark;
	if (kind == GX_NODE_SCALAR) {
		node->scalar = strdup("");
		if (!node->scalar) {
			free(node);
			return NULL;
		}
	}
	return node;
}

struct gx_node *gx_node_new_scalar(const char *text, bool plain, const struct gx_mark *mark)
{
	struct gx_node *node;

	node = calloc(1, sizeof(*node));
	if (!node)
		return NULL;
	node->kind = GX_NODE_SCALAR;
	node->plain = plain;
	if (mark)
		node->mark = *mark;
	node->scalar = strdup(text ? text : "");
	if (!node->scalar) {
		free(node);
		return NULL;
	}
	return node;
}

void gx_node_free(struct gx_node *node)
{
	size_t i;

	if (!node)
		return;
	for (i = 0; node->items && i < node->n; i++)
		gx_node_free(node->items[i]);
	for (i = 0; node->pairs && i < node->n; i++) {
		gx_node_free(node->pairs[i].key);
		gx_node_free(node->pairs[i].value);
	}
	free(node->items);
	free(node->pairs);
	free(node->scalar);
	free(node);
}

/*
 * Room for one more child.  The tree keeps no capacity, so that nodes built
 * by hand stay valid input: arrays grow one slot at a time.
 */
static int node_reserve(void **array, size_t n, size_t size)
{
	void *p;

	if (n >= SIZE_MAX / size - 1)
		return -ENOMEM;
	p = realloc(*array, (n + 1) * size);
	if (!p)
		return -ENOMEM;
	*array = p;
	return 0;
}

int gx_node_seq_append(struct gx_node *seq, struct gx_node *item)
{
	void *items;

	if (!seq || !item || seq->kind != GX_NODE_SEQUENCE)
		return -EINVAL;
	items = seq->items;
	if (node_reserve(&items, seq->n, sizeof(*seq->items)) < 0)
		return -ENOMEM;
	seq->items = items;
	seq->items[seq->n++] = item;
	return 0;
}

int gx_node_map_append(struct gx_node *map, struct gx_node *key, struct gx_node *value)
{
	void *pairs;

	if (!map || !key || !value || map->kind != GX_NODE_MAPPING || key->kind != GX_NODE_SCALAR)
		return -EINVAL;
	pairs = map->pairs;
	if (node_reserve(&pairs, map->n, sizeof(*map->pairs)) < 0)
		return -ENOMEM;
	map->pairs = pairs;
	map->pairs[map->n].key = key;
	map->pairs[map->n].value = value;
	map->n++;
	return 0;
}

/* Index of the last pair with key, or -1. */
static long node_find(const struct gx_node *map, const char *key)
{
	size_t i;

	if (!map || !key || map->kind != GX_NODE_MAPPING)
		return -1;
	for (i = map->n; i > 0; i--)
		if (strcmp(map->pairs[i - 1].key->scalar, key) == 0)
			return (long)(i - 1);
	return -1;
}

int gx_node_map_set(struct gx_node *map, const char *key, struct gx_node *value)
{
	struct gx_node *k;
	long i;
	int r;

	if (!map || !key || !value || map->kind != GX_NODE_MAPPING) {
		gx_node_free(value);
		return -EINVAL;
	}
	i = node_find(map, key);
	if (i >= 0) {
		gx_node_free(map->pairs[i].value);
		map->pairs[i].value = value;
		return 0;
	}
	k = gx_node_new_scalar(key, false, &value->mark);
	if (!k) {
		gx_node_free(value);
		return -ENOMEM;
	}
	r = gx_node_map_append(map, k, value);
	if (r < 0) {
		gx_node_free(k);
		gx_node_free(value);
	}
	return r;
}

const char *gx_node_get_str(const struct gx_node *map, const char *key)
{
	const struct gx_node *n = gx_node_get(map, key);

	return gx_node_is_null(n) || n->kind != GX_NODE_SCALAR ? NULL : n->scalar;
}

void gx_node_map_remove(struct gx_node *map, const char *key)
{
	for (size_t i = 0; map && map->kind == GX_NODE_MAPPING && i < map->n;) {
		if (strcmp(map->pairs[i].key->scalar, key) != 0) {
			i++;
			continue;
		}
		gx_node_free(map->pairs[i].key);
		gx_node_free(map->pairs[i].value);
		memmove(&map->pairs[i], &map->pairs[i + 1], (map->n - i - 1) * sizeof(*map->pairs));
		map->n--;
	}
}

struct gx_node *gx_node_dup(const struct gx_node *node)
{
	struct gx_node *copy;
	size_t i;

	if (!node)
		return NULL;
	if (node->kind == GX_NODE_SCALAR)
		return gx_node_new_scalar(node->scalar, node->plain, &node->mark);
	copy = gx_node_new(node->kind, &node->mark);
	if (!copy)
		return NULL;
	for (i = 0; node->kind == GX_NODE_SEQUENCE && i < node->n; i++) {
		struct gx_node *item = gx_node_dup(node->items[i]);

		if (!item || gx_node_seq_append(copy, item) < 0) {
			gx_node_free(item);
			goto out_free_copy;
		}
	}
	for (i = 0; node->kind == GX_NODE_MAPPING && i < node->n; i++) {
		struct gx_node *key = gx_node_dup(node->pairs[i].key);
		struct gx_node *value = gx_node_dup(node->pairs[i].value);

		if (!key || !value || gx_node_map_append(copy, key, value) < 0) {
			gx_node_free(key);
			gx_node_free(value);
			goto out_free_copy;
		}
	}
	return copy;

out_free_copy:
	gx_node_free(copy);
	return NULL;
}

const struct gx_pair *gx_node_get_pair(const struct gx_node *map, const char *key)
{
	long i = node_find(map, key);

	return i < 0 ? NULL : &map->pairs[i];
}

const struct gx_node *gx_node_get(const struct gx_node *map, const char *key)
{
	const struct gx_pair *pair = gx_node_get_pair(map, key);

	return pair ? pair->value : NULL;
}

/* A plain scalar's text, or NULL when the node cannot resolve to a typed value. */
static const char *node_plain_text(const struct gx_node *node)
{
	if (!node || node->kind != GX_NODE_SCALAR || !node->plain || !node->scalar)
		return NULL;
	return node->scalar;
}

static bool text_in(const char *s, const char *const *set)
{
	for (; *set; set++)
		if (strcmp(s, *set) == 0)
			return true;
	return false;
}

bool gx_node_is_null(const struct gx_node *node)
{
	static const char *const nulls[] = { "", "~", "null", "Null", "NULL", NULL };
	const char *s;

	if (!node || node->kind == GX_NODE_NULL)
		return true;
	s = node_plain_text(node);
	return s && text_in(s, nulls);
}

bool gx_node_as_bool(const struct gx_node *node, bool *ret)
{
	/* PyYAML's YAML 1.1 set: y/n are left out, as Gravity's loader does. */
	static const char *const trues[] = { "true", "True", "TRUE", "yes", "Yes", "YES",
					     "on", "On", "ON", NULL };
	static const char *const falses[] = { "false", "False", "FALSE", "no", "No", "NO",
					      "off", "Off", "OFF", NULL };
	const char *s = node_plain_text(node);

	if (!s)
		return false;
	if (text_in(s, trues)) {
		*ret = true;
		return true;
	}
	if (text_in(s, falses)) {
		*ret = false;
		return true;
	}
	return false;
}

static int digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return 99;
}

/*
 * Digits of base with '_' separators, at least one digit, into *ret.
 * -ERANGE when the magnitude does not fit, -EINVAL when s is no number.
 */
static int parse_digits(const char *s, unsigned base, unsigned long long *ret)
{
	unsigned long long v = 0;
	bool any = false;
	int r = 0;

	for (; *s; s++) {
		unsigned d;

		if (*s == '_')
			continue;
		d = (unsigned)digit_value(*s);
		if (d >= base)
			return -EINVAL;
		any = true;
		if (v > (ULLONG_MAX - d) / base)
			r = -ERANGE;
		else
			v = v * base + d;
	}
	if (!any)
		return -EINVAL;
	if (r == 0)
		*ret = v;
	return r;
}

/*
 * The parts of an int in YAML 1.1 syntax (plus 0o octal): sign, base and
 * where the digits start.  False when s is no int.
 */
static bool int_syntax(const char *s, bool *ret_neg, unsigned *ret_base, const char **ret_digits)
{
	unsigned base = 10;
	bool neg = false;

	if (*s == '-' || *s == '+') {
		neg = *s == '-';
		s++;
	}
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'b' || s[1] == 'o')) {
		base = s[1] == 'x' ? 16 : s[1] == 'b' ? 2 : 8;
		s += 2;
	} else if (s[0] == '0' && s[1] != '\0') {
		base = 8;
		s++;
	} else if (!(s[0] >= '0' && s[0] <= '9')) {
		return false;
	}
	*ret_neg = neg;
	*ret_base = base;
	*ret_digits = s;
	return true;
}

/* Resolve an int scalar: -EINVAL when not an int, -ERANGE when it does not fit a long. */
static int parse_int(const char *s, long *ret)
{
	unsigned long long mag = 0;
	const char *digits;
	unsigned base;
	bool neg;
	int r;

	if (!int_syntax(s, &neg, &base, &digits))
		return -EINVAL;
	r = parse_digits(digits, base, &mag);
	if (r < 0)
		return r;
	if (neg ? mag > (unsigned long long)LONG_MAX + 1 : mag > (unsigned long long)LONG_MAX)
		return -ERANGE;
	if (!neg)
		*ret = (long)mag;
	else if (mag == (unsigned long long)LONG_MAX + 1)
		*ret = LONG_MIN;
	else
		*ret = -(long)mag;
	return 0;
}

bool gx_node_as_long(const struct gx_node *node, long *ret)
{
	const char *s = node_plain_text(node);
	long v;

	if (!s || parse_int(s, &v) < 0)
		return false;
	*ret = v;
	return true;
}

/* An int too large for a long, as the nearest double. */
static double big_int_value(const char *s)
{
	const char *digits;
	unsigned base;
	double v = 0;
	bool neg;

	if (!int_syntax(s, &neg, &base, &digits))
		return 0;
	if (base == 10) {
		/* strtod rounds correctly; the loop below would not. */
		char buf[512];
		size_t n = 0;

		for (; *digits && n + 1 < sizeof(buf); digits++)
			if (*digits != '_')
				buf[n++] = *digits;
		buf[n] = '\0';
		v = *digits ? HUGE_VAL : strtod(buf, NULL);
	} else {
		for (; *digits; digits++)
			if (*digits != '_')
				v = v * base + digit_value(*digits);
	}
	return neg ? -v : v;
}

static bool span_digits(const char **p, bool underscores)
{
	const char *s = *p;

	if (!(*s >= '0' && *s <= '9'))
		return false;
	while ((*s >= '0' && *s <= '9') || (underscores && *s == '_'))
		s++;
	*p = s;
	return true;
}

/*
 * YAML 1.1 float syntax: [-+]? digits? '.' digits? ([eE][-+]?digits)?
 * with at least one digit in the mantissa, '_' allowed in the mantissa.
 * The exponent sign YAML 1.1 requires is optional here, as Python's
 * float() accepts it too.
 */
static bool float_syntax(const char *s)
{
	bool int_part, frac_part = false;

	if (*s == '-' || *s == '+')
		s++;
	int_part = span_digits(&s, true);
	if (*s != '.')
		return false;
	s++;
	if (*s >= '0' && *s <= '9')
		frac_part = span_digits(&s, true);
	if (!int_part && !frac_part)
		return false;
	if (*s == 'e' || *s == 'E') {
		s++;
		if (*s == '-' || *s == '+')
			s++;
		if (!span_digits(&s, false))
			return false;
	}
	return *s == '\0';
}

static bool parse_float(const char *s, double *ret)
{
	static const char *const infs[] = { ".inf", ".Inf", ".INF", NULL };
	static const char *const nans[] = { ".nan", ".NaN", ".NAN", NULL };
	char buf[128];
	size_t n = 0;
	const char *p;
	char *end;
	double v;

	if (text_in(s, nans)) {
		*ret = NAN;
		return true;
	}
	p = (*s == '-' || *s == '+') ? s + 1 : s;
	if (text_in(p, infs)) {
		*ret = *s == '-' ? -INFINITY : INFINITY;
		return true;
	}
	if (!float_syntax(s))
		return false;
	for (p = s; *p; p++) {
		if (*p == '_')
			continue;
		if (n + 1 >= sizeof(buf))
			return false;
		buf[n++] = *p;
	}
	buf[n] = '\0';
	v = strtod(buf, &end);
	if (*end != '\0')
		return false;
	/* Overflow gives ±HUGE_VAL, as Python's float() gives inf; underflow gives 0. */
	*ret = v;
	return true;
}

bool gx_node_as_double(const struct gx_node *node, double *ret)
{
	const char *s = node_plain_text(node);
	long l;
	int r;

	if (!s)
		return false;
	r = parse_int(s, &l);
	if (r == 0) {
		*ret = (double)l;
		return true;
	}
	if (r == -ERANGE) {
		*ret = big_int_value(s);
		return true;
	}
	return parse_float(s, ret);
}
