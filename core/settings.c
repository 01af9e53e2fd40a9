/* SPDX-License-Identifier: MIT */
/* Validation of config sections against option tables, with defaults filled in. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node.h"
#include "settings.h"
#include "yaml_load.h"

/* Longest scalar text quoted whole in a message. */
#define SETTINGS_QUOTE_MAX 60

static const char *const settings_type_names[GX_TYPE_MAX] = {
	[GX_TYPE_BOOL] = "boolean",
	[GX_TYPE_INT] = "integer",
	[GX_TYPE_FLOAT] = "float",
	[GX_TYPE_STRING] = "string",
	[GX_TYPE_ENUM] = "enum",
	[GX_TYPE_STRMAP] = "mapping of strings",
	[GX_TYPE_STRLIST] = "list of strings",
	[GX_TYPE_MAPPING] = "mapping",
};

const char *gx_type_name(enum gx_type type)
{
	if ((unsigned)type >= GX_TYPE_MAX)
		return "unknown";
	return settings_type_names[type];
}

const struct gx_option *gx_option_find(const struct gx_option *table, const char *name)
{
	if (!table || !name)
		return NULL;
	for (; table->name; table++)
		if (strcmp(table->name, name) == 0)
			return table;
	return NULL;
}

static bool settings_in_list(const char *const *list, const char *name)
{
	for (; list && *list; list++)
		if (strcmp(*list, name) == 0)
			return true;
	return false;
}

#define SETTINGS_DIST_MAX 128

/* Optimal string alignment distance: edits, with a transposition counted as one. */
static size_t settings_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j;
	size_t rows[3][SETTINGS_DIST_MAX + 1];
	size_t *prev2 = rows[0], *prev = rows[1], *cur = rows[2];

	if (la > SETTINGS_DIST_MAX || lb > SETTINGS_DIST_MAX)
		return la > lb ? la : lb;
	for (j = 0; j <= lb; j++)
		prev[j] = j;
	for (i = 1; i <= la; i++) {
		size_t *t;

		cur[0] = i;
		for (j = 1; j <= lb; j++) {
			size_t cost = a[i - 1] != b[j - 1];
			size_t d = prev[j] + 1;

			if (cur[j - 1] + 1 < d)
				d = cur[j - 1] + 1;
			if (prev[j - 1] + cost < d)
				d = prev[j - 1] + cost;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    prev2[j - 2] + 1 < d)
				d = prev2[j - 2] + 1;
			cur[j] = d;
		}
		t = prev2;
		prev2 = prev;
		prev = cur;
		cur = t;
	}
	return prev[lb];
}

/* Keep candidate when it is closer than the best so far and close enough to mean name. */
static void settings_consider(const char *name, const char *candidate, const char **best,
			      size_t *best_d)
{
	size_t len = strlen(name), clen = strlen(candidate);
	size_t limit = len / 3 > 2 ? len / 3 : 2;
	size_t d = settings_distance(name, candidate);

	/* Replacing every character is no suggestion. */
	if (d > limit || d >= (len > clen ? len : clen))
		return;
	if (!*best || d < *best_d) {
		*best = candidate;
		*best_d = d;
	}
}

const char *gx_option_nearest(const struct gx_option *table, const char *const *extra,
			      const char *name)
{
	const char *best = NULL;
	size_t best_d = 0;

	if (!name)
		return NULL;
	for (; table && table->name; table++)
		settings_consider(name, table->name, &best, &best_d);
	for (; extra && *extra; extra++)
		settings_consider(name, *extra, &best, &best_d);
	return best;
}

struct settings_ctx {
	const struct gx_option *table;
	const char *const *passthrough;
	struct gx_diag *diag; /* NULL: errors are only counted */
	unsigned errors;
};

/* A heap string formatted from fmt, or NULL on ENOMEM. */
static char *GX_PRINTF(1, 2) settings_format(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return NULL;
	s = malloc((size_t)n + 1);
	if (!s)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return s;
}

/* "keypath.name", or name alone under an unnamed section. */
static char *settings_path(const char *keypath, const char *name)
{
	if (!keypath || !*keypath)
		return strdup(name);
	return settings_format("%s.%s", keypath, name);
}

static void GX_PRINTF(4, 5) settings_msg(struct settings_ctx *c, enum gx_log_level level,
					 const struct gx_node *at, const char *fmt, ...)
{
	va_list ap;
	char *text;
	int n;

	if (level >= GX_LOG_ERROR)
		c->errors++;
	if (!c->diag)
		return;
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	text = n < 0 ? NULL : malloc((size_t)n + 1);
	if (text) {
		va_start(ap, fmt);
		vsnprintf(text, (size_t)n + 1, fmt, ap);
		va_end(ap);
	}
	/* Without memory for the text, gx_diag_add reports the loss itself. */
	gx_diag_add(c->diag, level, at && at->mark.file ? &at->mark : NULL, "%s",
		    text ? text : "(out of memory)");
	free(text);
}

/* What a value is, for "got ..." in messages. */
static const char *settings_describe(const struct gx_node *v, char *buf, size_t size)
{
	int len;

	if (gx_node_is_null(v))
		return "null";
	if (v->kind == GX_NODE_MAPPING)
		return "a mapping";
	if (v->kind == GX_NODE_SEQUENCE)
		return "a sequence";
	len = (int)strlen(v->scalar);
	if (len > SETTINGS_QUOTE_MAX)
		snprintf(buf, size, "%s'%.*s...'", v->plain ? "" : "the string ",
			 SETTINGS_QUOTE_MAX - 3, v->scalar);
	else
		snprintf(buf, size, "%s'%s'", v->plain ? "" : "the string ", v->scalar);
	return buf;
}

#define SETTINGS_DESCRIBE(v) settings_describe((v), (char[SETTINGS_QUOTE_MAX + 32]){ 0 }, \
					       SETTINGS_QUOTE_MAX + 32)

/* Shortest text that reads back as d and that YAML 1.1 resolves as a float. */
static void settings_float_text(double d, char *buf, size_t size)
{
	char *e;
	int p;

	if (isnan(d)) {
		snprintf(buf, size, ".nan");
		return;
	}
	if (isinf(d)) {
		snprintf(buf, size, "%s", d > 0 ? ".inf" : "-.inf");
		return;
	}
	for (p = 1; p <= 17; p++) {
		snprintf(buf, size, "%.*g", p, d);
		if (strtod(buf, NULL) == d)
			break;
	}
	if (strchr(buf, '.'))
		return;
	e = strchr(buf, 'e');
	if (e) {
		char exp[16];

		snprintf(exp, sizeof(exp), "%s", e);
		snprintf(e, size - (size_t)(e - buf), ".0%s", exp);
	} else {
		snprintf(buf + strlen(buf), size - strlen(buf), ".0");
	}
}

/* A bound as people write it: integral values without exponent. */
static void settings_bound_text(double d, char *buf, size_t size)
{
	if (d > -1e15 && d < 1e15 && d == (double)(long long)d)
		snprintf(buf, size, "%.0f", d);
	else
		snprintf(buf, size, "%g", d);
}

/* Bounds of INT and FLOAT options; true when x is within them (or there are none). */
static bool settings_check_bounds(struct settings_ctx *c, const struct gx_option *opt,
				  const char *path, const struct gx_node *v, double x)
{
	char bound[64];

	if (!(opt->min < opt->max))
		return true;
	if (!(x >= opt->min)) {
		settings_bound_text(opt->min, bound, sizeof(bound));
		settings_msg(c, GX_LOG_ERROR, v, "%s: %s is out of range (minimum %s)", path,
			     v->scalar, bound);
		return false;
	}
	if (!(x <= opt->max)) {
		settings_bound_text(opt->max, bound, sizeof(bound));
		settings_msg(c, GX_LOG_ERROR, v, "%s: %s is out of range (maximum %s)", path,
			     v->scalar, bound);
		return false;
	}
	return true;
}

/*
 * The converters below check one non-null value v and store its
 * normalised copy in *ret.  A wrong value adds an error and leaves *ret
 * NULL; the return value is -ENOMEM or 0.
 */

static int settings_new_scalar(const char *text, bool plain, const struct gx_node *v,
			       struct gx_node **ret)
{
	*ret = gx_node_new_scalar(text, plain, &v->mark);
	return *ret ? 0 : -ENOMEM;
}

static int settings_bool(struct settings_ctx *c, const struct gx_option *opt, const char *path,
			 const struct gx_node *v, struct gx_node **ret)
{
	bool b;

	if (!gx_node_as_bool(v, &b)) {
		settings_msg(c, GX_LOG_ERROR, v, "%s: expected a boolean (true or false), got %s",
			     path, SETTINGS_DESCRIBE(v));
		return 0;
	}
	return settings_new_scalar(b ? "true" : "false", true, v, ret);
}

static int settings_int(struct settings_ctx *c, const struct gx_option *opt, const char *path,
			const struct gx_node *v, struct gx_node **ret)
{
	char text[32];
	long x;

	if (!gx_node_as_long(v, &x)) {
		settings_msg(c, GX_LOG_ERROR, v, "%s: expected an integer, got %s", path,
			     SETTINGS_DESCRIBE(v));
		return 0;
	}
	if (!settings_check_bounds(c, opt, path, v, (double)x))
		return 0;
	snprintf(text, sizeof(text), "%ld", x);
	return settings_new_scalar(text, true, v, ret);
}

static int settings_float(struct settings_ctx *c, const struct gx_option *opt, const char *path,
			  const struct gx_node *v, struct gx_node **ret)
{
	char text[64];
	double x;

	if (!gx_node_as_double(v, &x)) {
		settings_msg(c, GX_LOG_ERROR, v, "%s: expected a number, got %s", path,
			     SETTINGS_DESCRIBE(v));
		return 0;
	}
	if (!settings_check_bounds(c, opt, path, v, x))
		return 0;
	settings_float_text(x, text, sizeof(text));
	return settings_new_scalar(text, true, v, ret);
}

static int settings_string(struct settings_ctx *c, const struct gx_option *opt, const char *path,
			   const struct gx_node *v, struct gx_node **ret)
{
	if (v->kind != GX_NODE_SCALAR) {
		settings_msg(c, GX_LOG_ERROR, v, "%s: expected a string, got %s", path,
			     SETTINGS_DESCRIBE(v));
		return 0;
	}
	return settings_new_scalar(v->scalar, false, v, ret);
}

static char *settings_join(const char *const *list)
{
	const char *const *p;
	size_t len = 1;
	char *s;

	for (p = list; *p; p++)
		len += strlen(*p) + 2;
	s = malloc(len);
	if (!s)
		return NULL;
	s[0] = '\0';
	for (p = list; *p; p++) {
		if (p != list)
			strcat(s, ", ");
		strcat(s, *p);
	}
	return s;
}

static int settings_enum(struct settings_ctx *c, const struct gx_option *opt, const char *path,
			 const struct gx_node *v, struct gx_node **ret)
{
	char *allowed;

	if (!opt->allowed)
		return settings_string(c, opt, path, v, ret);
	if (v->kind == GX_NODE_SCALAR && settings_in_list(opt->allowed, v->scalar))
		return settings_new_scalar(v->scalar, false, v, ret);
	allowed = settings_join(opt->allowed);
	if (!allowed)
		return -ENOMEM;
	if (v->kind == GX_NODE_SCALAR)
		settings_msg(c, GX_LOG_ERROR, v, "%s: '%s' is not one of: %s", path, v->scalar,
			     allowed);
	else
		settings_msg(c, GX_LOG_ERROR, v, "%s: expected one of: %s, got %s", path, allowed,
			     SETTINGS_DESCRIBE(v));
	free(allowed);
	return 0;
}

static struct gx_pair *settings_find_pair(struct gx_node *map, const char *key)
{
	size_t i;

	for (i = 0; i < map->n; i++)
		if (strcmp(map->pairs[i].key->scalar, key) == 0)
			return &map->pairs[i];
	return NULL;
}

/* One NAME: value of a STRMAP into out; a repeated NAME keeps its place and takes the value. */
static int settings_strmap_entry(struct settings_ctx *c, const char *path,
				 const struct gx_pair *pair, struct gx_node *out)
{
	const struct gx_node *v = pair->value;
	struct gx_node *key, *value;
	struct gx_pair *seen;

	if (!*pair->key->scalar || strchr(pair->key->scalar, '=')) {
		settings_msg(c, GX_LOG_ERROR, pair->key,
			     "%s: variable name '%s' may not be empty or hold '='", path,
			     pair->key->scalar);
		return 0;
	}
	if (v->kind != GX_NODE_SCALAR || gx_node_is_null(v)) {
		settings_msg(c, GX_LOG_ERROR, v->mark.file ? v : pair->key,
			     "%s.%s: expected a string, got %s", path, pair->key->scalar,
			     SETTINGS_DESCRIBE(v));
		return 0;
	}
	value = gx_node_new_scalar(v->scalar, false, &v->mark);
	if (!value)
		return -ENOMEM;
	seen = settings_find_pair(out, pair->key->scalar);
	if (seen) {
		gx_node_free(seen->value);
		seen->value = value;
		return 0;
	}
	key = gx_node_dup(pair->key);
	if (!key || gx_node_map_append(out, key, value) < 0) {
		gx_node_free(key);
		gx_node_free(value);
		return -ENOMEM;
	}
	return 0;
}

static int settings_strmap(struct settings_ctx *c, const struct gx_option *opt, const char *path,
			   const struct gx_node *v, struct gx_node **ret)
{
	unsigned errors = c->errors;
	struct gx_node *out;
	size_t i;
	int r;

	if (v->kind != GX_NODE_MAPPING) {
		settings_msg(c, GX_LOG_ERROR, v, "%s: expected a mapping, got %s", path,
			     SETTINGS_DESCRIBE(v));
		return 0;
	}
	out = gx_node_new(GX_NODE_MAPPING, &v->mark);
	if (!out)
		return -ENOMEM;
	for (i = 0; i < v->n; i++) {
		r = settings_strmap_entry(c, path, &v->pairs[i], out);
		if (r < 0) {
			gx_node_free(out);
			return r;
		}
	}
	if (c->errors != errors) {
		gx_node_free(out);
		return 0;
	}
	*ret = out;
	return 0;
}

static int settings_strlist(struct settings_ctx *c, const struct gx_option *opt, const char *path,
			    const struct gx_node *v, struct gx_node **ret)
{
	unsigned errors = c->errors;
	struct gx_node *out;
	size_t i;

	if (v->kind != GX_NODE_SEQUENCE) {
		settings_msg(c, GX_LOG_ERROR, v, "%s: expected a list of strings, got %s", path,
			     SETTINGS_DESCRIBE(v));
		return 0;
	}
	out = gx_node_new(GX_NODE_SEQUENCE, &v->mark);
	if (!out)
		return -ENOMEM;
	for (i = 0; i < v->n; i++) {
		const struct gx_node *item = v->items[i];
		struct gx_node *copy;

		if (item->kind != GX_NODE_SCALAR || gx_node_is_null(item)) {
			settings_msg(c, GX_LOG_ERROR, item, "%s[%zu]: expected a string, got %s",
				     path, i, SETTINGS_DESCRIBE(item));
			continue;
		}
		copy = gx_node_new_scalar(item->scalar, false, &item->mark);
		if (!copy || gx_node_seq_append(out, copy) < 0) {
			gx_node_free(copy);
			gx_node_free(out);
			return -ENOMEM;
		}
	}
	if (c->errors != errors) {
		gx_node_free(out);
		return 0;
	}
	*ret = out;
	return 0;
}

static int settings_mapping(struct settings_ctx *c, const struct gx_option *opt, const char *path,
			    const struct gx_node *v, struct gx_node **ret)
{
	if (v->kind != GX_NODE_MAPPING) {
		settings_msg(c, GX_LOG_ERROR, v, "%s: expected a mapping, got %s", path,
			     SETTINGS_DESCRIBE(v));
		return 0;
	}
	*ret = gx_node_dup(v);
	return *ret ? 0 : -ENOMEM;
}

static int (*const settings_converters[GX_TYPE_MAX])(struct settings_ctx *c,
						   const struct gx_option *opt, const char *path,
						   const struct gx_node *v,
						   struct gx_node **ret) = {
	[GX_TYPE_BOOL] = settings_bool,
	[GX_TYPE_INT] = settings_int,
	[GX_TYPE_FLOAT] = settings_float,
	[GX_TYPE_STRING] = settings_string,
	[GX_TYPE_ENUM] = settings_enum,
	[GX_TYPE_STRMAP] = settings_strmap,
	[GX_TYPE_STRLIST] = settings_strlist,
	[GX_TYPE_MAPPING] = settings_mapping,
};

static int settings_convert(struct settings_ctx *c, const struct gx_option *opt, const char *path,
			    const struct gx_node *v, struct gx_node **ret)
{
	*ret = NULL;
	if ((unsigned)opt->type >= GX_TYPE_MAX) {
		settings_msg(c, GX_LOG_ERROR, v, "%s: option has an unknown type", path);
		return 0;
	}
	return settings_converters[opt->type](c, opt, path, v, ret);
}

/* Defaults are built in: no location. */
static void settings_clear_marks(struct gx_node *node)
{
	size_t i;

	node->mark = (struct gx_mark){ 0 };
	for (i = 0; node->kind == GX_NODE_SEQUENCE && i < node->n; i++)
		settings_clear_marks(node->items[i]);
	for (i = 0; node->kind == GX_NODE_MAPPING && i < node->n; i++) {
		settings_clear_marks(node->pairs[i].key);
		settings_clear_marks(node->pairs[i].value);
	}
}

/* The default of an option as YAML text parsed and converted, marks cleared. */
static int settings_default_parsed(struct settings_ctx *c, const struct gx_option *opt,
				   const char *path, struct gx_node **ret)
{
	struct settings_ctx scratch = { .table = c->table };
	const char *text = opt->default_value;
	struct gx_error err = { 0 };
	struct gx_yaml_doc *doc = NULL;
	struct gx_node *tmp = NULL;
	struct gx_node *node = NULL;
	const struct gx_node *v;
	int r;

	if (opt->type == GX_TYPE_BOOL || opt->type == GX_TYPE_INT || opt->type == GX_TYPE_FLOAT) {
		tmp = gx_node_new_scalar(text, true, NULL);
		if (!tmp)
			return -ENOMEM;
		v = tmp;
	} else {
		r = gx_yaml_load_string("<default>", text, strlen(text), &doc, &err);
		if (r == -ENOMEM)
			return r;
		v = r < 0 ? NULL : doc->root;
	}
	r = 0;
	if (v && !gx_node_is_null(v))
		r = settings_convert(&scratch, opt, path, v, &node);
	if (r == 0 && !node)
		settings_msg(c, GX_LOG_ERROR, NULL, "%s: invalid default '%s' in the option table",
			     path, text);
	if (node)
		settings_clear_marks(node);
	gx_node_free(tmp);
	gx_yaml_doc_free(doc);
	*ret = node;
	return r;
}

static int settings_default(struct settings_ctx *c, const struct gx_option *opt, const char *path,
			    struct gx_node **ret)
{
	*ret = NULL;
	if (!opt->default_value)
		*ret = gx_node_new(GX_NODE_NULL, NULL);
	else if (opt->type == GX_TYPE_STRING || opt->type == GX_TYPE_ENUM)
		*ret = gx_node_new_scalar(opt->default_value, false, NULL);
	else
		return settings_default_parsed(c, opt, path, ret);
	return *ret ? 0 : -ENOMEM;
}

/* The effective value of one option; *ret stays NULL when an error was added. */
static int settings_value(struct settings_ctx *c, const struct gx_option *opt, const char *path,
			  const struct gx_node *in, const struct gx_node *v, struct gx_node **ret)
{
	*ret = NULL;
	if (v && !gx_node_is_null(v))
		return settings_convert(c, opt, path, v, ret);
	if (opt->flags & GX_OPT_REQUIRED) {
		if (v)
			settings_msg(c, GX_LOG_ERROR, v, "%s: required option has no value", path);
		else
			settings_msg(c, GX_LOG_ERROR, in, "%s: required option is missing", path);
		return 0;
	}
	if (v && (opt->flags & GX_OPT_NULLABLE)) {
		*ret = gx_node_new(GX_NODE_NULL, &v->mark);
		return *ret ? 0 : -ENOMEM;
	}
	/* An explicit null means "use the default", as Gravity reads `key:`. */
	return settings_default(c, opt, path, ret);
}

static int settings_option(struct settings_ctx *c, const struct gx_option *opt,
			   const char *keypath, const struct gx_node *in, struct gx_node *out)
{
	const struct gx_node *map = in && in->kind == GX_NODE_MAPPING ? in : NULL;
	const struct gx_pair *pair = gx_node_get_pair(map, opt->name);
	struct gx_node *key = NULL, *value = NULL;
	char *path;
	int r;

	path = settings_path(keypath, opt->name);
	if (!path)
		return -ENOMEM;
	r = settings_value(c, opt, path, in, pair ? pair->value : NULL, &value);
	free(path);
	if (r < 0 || !value)
		return r;
	key = pair ? gx_node_dup(pair->key) : gx_node_new_scalar(opt->name, false, NULL);
	if (!key || gx_node_map_append(out, key, value) < 0) {
		gx_node_free(key);
		gx_node_free(value);
		return -ENOMEM;
	}
	return 0;
}

/* Warn about every key that is neither an option nor passed through. */
static int settings_unknown_keys(struct settings_ctx *c, const char *keypath,
				 const struct gx_node *map)
{
	size_t i;

	for (i = 0; map && i < map->n; i++) {
		const struct gx_node *key = map->pairs[i].key;
		const char *near;
		char *path;

		if (gx_option_find(c->table, key->scalar) ||
		    settings_in_list(c->passthrough, key->scalar))
			continue;
		path = settings_path(keypath, key->scalar);
		if (!path)
			return -ENOMEM;
		near = gx_option_nearest(c->table, c->passthrough, key->scalar);
		if (near)
			settings_msg(c, GX_LOG_WARNING, key,
				     "Unknown option '%s' (did you mean '%s'?)", path, near);
		else
			settings_msg(c, GX_LOG_WARNING, key, "Unknown option '%s'", path);
		free(path);
	}
	return 0;
}

/* Copy passthrough keys, in input order; a repeated key keeps its first place, last value. */
static int settings_passthrough(struct settings_ctx *c, const struct gx_node *map,
				struct gx_node *out)
{
	size_t i;

	for (i = 0; map && i < map->n; i++) {
		const struct gx_node *k = map->pairs[i].key;
		struct gx_node *key, *value;

		if (!settings_in_list(c->passthrough, k->scalar) ||
		    gx_option_find(c->table, k->scalar) || settings_find_pair(out, k->scalar))
			continue;
		key = gx_node_dup(k);
		value = gx_node_dup(gx_node_get(map, k->scalar));
		if (!key || !value || gx_node_map_append(out, key, value) < 0) {
			gx_node_free(key);
			gx_node_free(value);
			return -ENOMEM;
		}
	}
	return 0;
}

int gx_settings_apply(const struct gx_option *table, const struct gx_node *in,
		      const char *keypath, const char *const *passthrough, struct gx_diag *diag,
		      struct gx_node **ret_effective)
{
	struct settings_ctx c = { .table = table, .passthrough = passthrough, .diag = diag };
	const struct gx_node *map;
	struct gx_node *out;
	int r = 0;

	if (!keypath)
		keypath = "";
	if (in && !gx_node_is_null(in) && in->kind != GX_NODE_MAPPING) {
		settings_msg(&c, GX_LOG_ERROR, in, "%s: expected a mapping, got %s",
			     *keypath ? keypath : "config", SETTINGS_DESCRIBE(in));
		return -EINVAL;
	}
	map = in && in->kind == GX_NODE_MAPPING ? in : NULL;
	out = gx_node_new(GX_NODE_MAPPING, in ? &in->mark : NULL);
	if (!out)
		return -ENOMEM;
	r = settings_unknown_keys(&c, keypath, map);
	for (; r == 0 && table && table->name; table++)
		r = settings_option(&c, table, keypath, in, out);
	if (r == 0)
		r = settings_passthrough(&c, map, out);
	if (r == 0 && c.errors)
		r = -EINVAL;
	if (r < 0) {
		gx_node_free(out);
		return r;
	}
	*ret_effective = out;
	return 0;
}
