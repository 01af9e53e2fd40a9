/* SPDX-License-Identifier: MIT */
/* libyaml reader: a YAML file into a gx_node tree that remembers file:line:column. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "diag.h"
#include "fsutil.h"
#include "node.h"
#include "yaml_load.h"

/* Limits that keep alias expansion ("billion laughs") and deep nesting in bounds. */
#define YAML_MAX_NODES 1000000
#define YAML_MAX_DEPTH 1000

struct yaml_anchor {
	char *name;
	const struct gx_node *node; /* owned by the tree or by the discard pile */
	size_t size;                /* nodes created for it: an upper bound of its size */
	unsigned height;
};

/* A collection being read; it joins its parent when it ends. */
struct yaml_frame {
	struct gx_node *node;
	struct gx_node *key; /* MAPPING: a key waiting for its value */
	char *anchor;        /* registered when the collection ends */
	size_t start_count;  /* nodes created before this one */
	unsigned height;     /* of the tallest child so far */
	bool has_merge;
};

struct yaml_loader {
	const char *file;
	const char *text;
	size_t len;
	struct gx_error *err;

	struct yaml_frame *frames;
	size_t depth;
	size_t frames_alloc;

	struct yaml_anchor *anchors;
	size_t n_anchors;
	size_t anchors_alloc;

	/*
	 * Nodes dropped by merges.  They are kept until the end because an
	 * anchor may still point into them.
	 */
	struct gx_node **discarded;
	size_t n_discarded;
	size_t discarded_alloc;

	size_t n_nodes;
	bool used_alias; /* the document has aliases: they can blow up its size */
	struct gx_node *root;
	bool done;
};

static struct gx_mark yaml_mark(const struct yaml_loader *l, const yaml_mark_t *m)
{
	struct gx_mark mark = { .file = l->file, .line = (unsigned)m->line + 1,
				.column = (unsigned)m->column + 1 };

	return mark;
}

static int GX_PRINTF(4, 5) yaml_fail(struct yaml_loader *l, const struct gx_mark *mark, int code,
				     const char *fmt, ...)
{
	struct gx_node at = { .kind = GX_NODE_NULL };
	va_list ap;

	if (mark)
		at.mark = *mark;
	va_start(ap, fmt);
	gx_error_setv(l->err, mark ? &at : NULL, code, fmt, ap);
	va_end(ap);
	return code;
}

static int yaml_oom(struct yaml_loader *l)
{
	return yaml_fail(l, NULL, -ENOMEM, "%s: out of memory", l->file);
}

/* Make room for one more element of an array of size elements. */
static int yaml_grow(void **array, size_t n, size_t *alloc, size_t size)
{
	size_t want;
	void *p;

	if (n < *alloc)
		return 0;
	want = *alloc ? *alloc * 2 : 16;
	if (want > SIZE_MAX / size)
		return -ENOMEM;
	p = realloc(*array, want * size);
	if (!p)
		return -ENOMEM;
	*array = p;
	*alloc = want;
	return 0;
}

/* Count n more nodes against the limit. */
static int yaml_charge(struct yaml_loader *l, size_t n, const struct gx_mark *mark)
{
	if (n > YAML_MAX_NODES - l->n_nodes)
		return yaml_fail(l, mark, -EINVAL, "document too large: more than %d nodes%s",
				 YAML_MAX_NODES,
				 l->used_alias ? " (recursive or exponential alias expansion?)" : "");
	l->n_nodes += n;
	return 0;
}

static size_t yaml_count(const struct gx_node *node)
{
	size_t i, n = 1;

	for (i = 0; node->kind == GX_NODE_SEQUENCE && i < node->n; i++)
		n += yaml_count(node->items[i]);
	for (i = 0; node->kind == GX_NODE_MAPPING && i < node->n; i++)
		n += yaml_count(node->pairs[i].key) + yaml_count(node->pairs[i].value);
	return n;
}

/* Keep node until the loader is released; the room was reserved beforehand. */
static void yaml_discard(struct yaml_loader *l, struct gx_node *node)
{
	if (node)
		l->discarded[l->n_discarded++] = node;
}

static int yaml_reserve_discards(struct yaml_loader *l, size_t n)
{
	size_t want = l->n_discarded + n;
	void *p;

	if (want <= l->discarded_alloc)
		return 0;
	if (want < n || want > SIZE_MAX / sizeof(*l->discarded))
		return -ENOMEM;
	p = realloc(l->discarded, want * sizeof(*l->discarded));
	if (!p)
		return -ENOMEM;
	l->discarded = p;
	l->discarded_alloc = want;
	return 0;
}

/* Takes name. */
static int yaml_register_anchor(struct yaml_loader *l, char *name, const struct gx_node *node,
				size_t size, unsigned height)
{
	void *anchors = l->anchors;
	struct yaml_anchor *a;

	if (yaml_grow(&anchors, l->n_anchors, &l->anchors_alloc, sizeof(*l->anchors)) < 0) {
		free(name);
		return yaml_oom(l);
	}
	l->anchors = anchors;
	a = &l->anchors[l->n_anchors++];
	a->name = name;
	a->node = node;
	a->size = size;
	a->height = height;
	return 0;
}

static const struct yaml_anchor *yaml_find_anchor(const struct yaml_loader *l, const char *name)
{
	size_t i;

	/* A name may be reused; an alias refers to the latest definition. */
	for (i = l->n_anchors; i > 0; i--)
		if (strcmp(l->anchors[i - 1].name, name) == 0)
			return &l->anchors[i - 1];
	return NULL;
}

static bool yaml_is_merge_key(const struct gx_node *key)
{
	return key->kind == GX_NODE_SCALAR && key->plain && strcmp(key->scalar, "<<") == 0;
}

/* Attach a finished node to the open collection (or make it the root).  Takes node. */
static int yaml_add_child(struct yaml_loader *l, struct gx_node *node, unsigned height)
{
	struct yaml_frame *f;
	int r;

	if (l->depth == 0) {
		gx_node_free(l->root);
		l->root = node;
		return 0;
	}
	f = &l->frames[l->depth - 1];
	if (f->height < height)
		f->height = height;
	if (f->node->kind == GX_NODE_SEQUENCE) {
		r = gx_node_seq_append(f->node, node);
		if (r < 0) {
			gx_node_free(node);
			return yaml_oom(l);
		}
		return 0;
	}
	if (!f->key) {
		if (node->kind != GX_NODE_SCALAR) {
			r = yaml_fail(l, &node->mark, -EINVAL, "a mapping key must be a scalar, got a %s",
				      gx_node_kind_name(node->kind));
			gx_node_free(node);
			return r;
		}
		f->key = node;
		return 0;
	}
	r = gx_node_map_append(f->node, f->key, node);
	if (r < 0) {
		gx_node_free(node);
		return yaml_oom(l);
	}
	if (yaml_is_merge_key(f->key))
		f->has_merge = true;
	f->key = NULL;
	return 0;
}

/* One key/value a merged mapping may take, in Python dict insertion order. */
struct yaml_merge_entry {
	struct gx_node *key;
	struct gx_node *value;
	size_t own;    /* index into the mapping's own pairs, SIZE_MAX for merged-in pairs */
	size_t pos;    /* insertion order */
	size_t winner; /* the entry whose value the key ends up with */
	bool keep;
};

static int yaml_merge_cmp(const void *a, const void *b)
{
	const struct yaml_merge_entry *const *x = a, *const *y = b;
	int c = strcmp((*x)->key->scalar, (*y)->key->scalar);

	if (c)
		return c;
	return (*x)->pos < (*y)->pos ? -1 : (*x)->pos > (*y)->pos;
}

static int yaml_merge_check(struct yaml_loader *l, const struct gx_node *src, size_t *n)
{
	size_t i;

	if (src->kind == GX_NODE_MAPPING) {
		*n += src->n;
		return 0;
	}
	if (src->kind != GX_NODE_SEQUENCE)
		goto out_bad;
	for (i = 0; i < src->n; i++) {
		if (src->items[i]->kind != GX_NODE_MAPPING) {
			src = src->items[i];
			goto out_bad;
		}
		*n += src->items[i]->n;
	}
	return 0;

out_bad:
	return yaml_fail(l, &src->mark, -EINVAL,
			 "expected a mapping or list of mappings for merging, got a %s",
			 gx_node_kind_name(src->kind));
}

static void yaml_merge_add(struct yaml_merge_entry *e, size_t *n, const struct gx_node *map,
			   size_t own)
{
	size_t i;

	for (i = 0; i < map->n; i++) {
		e[*n].key = map->pairs[i].key;
		e[*n].value = map->pairs[i].value;
		e[*n].own = own == SIZE_MAX ? SIZE_MAX : own + i;
		e[*n].pos = *n;
		e[*n].keep = false;
		(*n)++;
	}
}

/*
 * Decide which entries survive: each key keeps the place of its first
 * occurrence and the value of its last, as a Python dict built in entry
 * order does.
 */
static int yaml_merge_resolve(struct yaml_merge_entry *e, size_t n)
{
	struct yaml_merge_entry **sorted;
	size_t i, j;

	sorted = calloc(n ? n : 1, sizeof(*sorted));
	if (!sorted)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		sorted[i] = &e[i];
	qsort(sorted, n, sizeof(*sorted), yaml_merge_cmp);
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && strcmp(sorted[j]->key->scalar, sorted[i]->key->scalar) == 0;
		     j++)
			;
		sorted[i]->keep = true;
		sorted[i]->winner = sorted[j - 1]->pos;
	}
	free(sorted);
	return 0;
}

/*
 * Fill out with the surviving pairs: the mapping's own nodes as they are,
 * copies of merged-in ones.  On failure out holds n_out entries to undo.
 */
static int yaml_merge_copy(struct yaml_loader *l, struct yaml_merge_entry *e, size_t n,
			   struct gx_pair *out, size_t *n_out)
{
	size_t i;
	int r;

	*n_out = 0;
	for (i = 0; i < n; i++) {
		struct yaml_merge_entry *w = &e[e[i].winner];
		struct gx_pair *p = &out[*n_out];

		if (!e[i].keep)
			continue;
		p->key = e[i].own == SIZE_MAX ? NULL : e[i].key;
		p->value = w->own == SIZE_MAX ? NULL : w->value;
		(*n_out)++;
		if (!p->key) {
			r = yaml_charge(l, 1, &e[i].key->mark);
			if (r < 0)
				return r;
			p->key = gx_node_dup(e[i].key);
			if (!p->key)
				return yaml_oom(l);
		}
		if (!p->value) {
			r = yaml_charge(l, yaml_count(w->value), &w->value->mark);
			if (r < 0)
				return r;
			p->value = gx_node_dup(w->value);
			if (!p->value)
				return yaml_oom(l);
		}
	}
	return 0;
}

/* Undo a failed yaml_merge_copy(): the copies in out, and out itself. */
static void yaml_merge_free_copies(const struct yaml_merge_entry *e, size_t n,
				   struct gx_pair *out, size_t n_out)
{
	size_t i, k = 0;

	for (i = 0; i < n && k < n_out; i++) {
		if (!e[i].keep)
			continue;
		if (e[i].own == SIZE_MAX)
			gx_node_free(out[k].key);
		if (e[e[i].winner].own == SIZE_MAX)
			gx_node_free(out[k].value);
		k++;
	}
	free(out);
}

/*
 * Switch map to the merged pairs.  Its own keys and values that did not
 * make it, the "<<" keys and the merged-in mappings go to the discard
 * pile, whose room was reserved beforehand: nothing here can fail.
 */
static void yaml_merge_commit(struct yaml_loader *l, struct gx_node *map,
			      const struct yaml_merge_entry *e, size_t n, bool *taken,
			      struct gx_pair *out, size_t n_out)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (!e[i].keep)
			continue;
		if (e[i].own != SIZE_MAX)
			taken[e[i].own * 2] = true;
		if (e[e[i].winner].own != SIZE_MAX)
			taken[e[e[i].winner].own * 2 + 1] = true;
	}
	for (i = 0; i < map->n; i++) {
		if (!taken[i * 2])
			yaml_discard(l, map->pairs[i].key);
		if (!taken[i * 2 + 1])
			yaml_discard(l, map->pairs[i].value);
	}
	free(map->pairs);
	map->pairs = out;
	map->n = n_out;
}

/* The candidate pairs of a merged mapping, in the order a Python dict would see them. */
static void yaml_merge_collect(const struct gx_node *map, struct yaml_merge_entry *e, size_t *n)
{
	size_t i, k;

	for (i = 0; i < map->n; i++) {
		const struct gx_node *src = map->pairs[i].value;

		if (!yaml_is_merge_key(map->pairs[i].key))
			continue;
		if (src->kind == GX_NODE_MAPPING)
			yaml_merge_add(e, n, src, SIZE_MAX);
		for (k = src->n; src->kind == GX_NODE_SEQUENCE && k > 0; k--)
			yaml_merge_add(e, n, src->items[k - 1], SIZE_MAX);
	}
	for (i = 0; i < map->n; i++) {
		struct gx_node own = { .kind = GX_NODE_MAPPING, .n = 1, .pairs = &map->pairs[i] };

		if (!yaml_is_merge_key(map->pairs[i].key))
			yaml_merge_add(e, n, &own, i);
	}
}

/*
 * Apply YAML 1.1 merge keys: the pairs of every "<<" mapping (a list:
 * earlier mappings win) come first, then the mapping's own pairs, and
 * later pairs override earlier ones.
 */
static int yaml_merge(struct yaml_loader *l, struct gx_node *map)
{
	struct yaml_merge_entry *e;
	struct gx_pair *out;
	size_t i, n = 0, n_out = 0;
	bool *taken;
	int r;

	for (i = 0; i < map->n; i++) {
		if (!yaml_is_merge_key(map->pairs[i].key)) {
			n++;
			continue;
		}
		r = yaml_merge_check(l, map->pairs[i].value, &n);
		if (r < 0)
			return r;
	}
	e = calloc(n ? n : 1, sizeof(*e));
	out = calloc(n ? n : 1, sizeof(*out));
	taken = calloc(map->n * 2, sizeof(*taken));
	if (!e || !out || !taken || yaml_reserve_discards(l, map->n * 2) < 0) {
		free(out);
		r = yaml_oom(l);
		goto out_free;
	}
	n = 0;
	yaml_merge_collect(map, e, &n);
	r = yaml_merge_resolve(e, n);
	if (r < 0)
		r = yaml_oom(l);
	else
		r = yaml_merge_copy(l, e, n, out, &n_out);
	if (r < 0)
		yaml_merge_free_copies(e, n, out, n_out);
	else
		yaml_merge_commit(l, map, e, n, taken, out, n_out);

out_free:
	free(taken);
	free(e);
	return r;
}

static int yaml_on_scalar(struct yaml_loader *l, const yaml_event_t *ev)
{
	struct gx_mark mark = yaml_mark(l, &ev->start_mark);
	const char *tag = (const char *)ev->data.scalar.tag;
	const char *value = (const char *)ev->data.scalar.value;
	struct gx_node *node;
	bool plain;
	int r;

	if (memchr(value, '\0', ev->data.scalar.length))
		return yaml_fail(l, &mark, -EINVAL, "a NUL character in a value is not supported");
	/* "!!str" and the non-specific "!" make a plain scalar a string. */
	plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
		!(tag && (strcmp(tag, YAML_STR_TAG) == 0 || strcmp(tag, "!") == 0));
	r = yaml_charge(l, 1, &mark);
	if (r < 0)
		return r;
	node = gx_node_new_scalar(value, plain, &mark);
	if (!node)
		return yaml_oom(l);
	if (ev->data.scalar.anchor) {
		char *name = strdup((const char *)ev->data.scalar.anchor);

		if (!name) {
			gx_node_free(node);
			return yaml_oom(l);
		}
		r = yaml_register_anchor(l, name, node, 1, 1);
		if (r < 0) {
			gx_node_free(node);
			return r;
		}
	}
	return yaml_add_child(l, node, 1);
}

static int yaml_on_alias(struct yaml_loader *l, const yaml_event_t *ev)
{
	struct gx_mark mark = yaml_mark(l, &ev->start_mark);
	const char *name = (const char *)ev->data.alias.anchor;
	const struct yaml_anchor *a = yaml_find_anchor(l, name);
	struct gx_node *copy;
	size_t i;
	int r;

	if (!a) {
		for (i = 0; i < l->depth; i++)
			if (l->frames[i].anchor && strcmp(l->frames[i].anchor, name) == 0)
				return yaml_fail(l, &mark, -EINVAL,
						 "recursive alias '*%s' (refers to a node that contains it)",
						 name);
		return yaml_fail(l, &mark, -EINVAL, "found undefined alias '*%s'", name);
	}
	l->used_alias = true;
	if (l->depth + a->height > YAML_MAX_DEPTH)
		return yaml_fail(l, &mark, -EINVAL, "nested too deeply (more than %d levels)",
				 YAML_MAX_DEPTH);
	r = yaml_charge(l, a->size, &mark);
	if (r < 0)
		return r;
	copy = gx_node_dup(a->node);
	if (!copy)
		return yaml_oom(l);
	/* The copy is reported where it is used; its inside where it was written. */
	copy->mark = mark;
	return yaml_add_child(l, copy, a->height);
}

static int yaml_on_start(struct yaml_loader *l, const yaml_event_t *ev, enum gx_node_kind kind,
			 const yaml_char_t *anchor)
{
	struct gx_mark mark = yaml_mark(l, &ev->start_mark);
	void *frames = l->frames;
	struct yaml_frame *f;
	struct gx_node *node;
	char *name = NULL;
	int r;

	if (l->depth + 1 > YAML_MAX_DEPTH)
		return yaml_fail(l, &mark, -EINVAL, "nested too deeply (more than %d levels)",
				 YAML_MAX_DEPTH);
	r = yaml_charge(l, 1, &mark);
	if (r < 0)
		return r;
	if (yaml_grow(&frames, l->depth, &l->frames_alloc, sizeof(*l->frames)) < 0)
		return yaml_oom(l);
	l->frames = frames;
	node = gx_node_new(kind, &mark);
	if (anchor)
		name = strdup((const char *)anchor);
	if (!node || (anchor && !name)) {
		gx_node_free(node);
		free(name);
		return yaml_oom(l);
	}
	f = &l->frames[l->depth++];
	*f = (struct yaml_frame){ .node = node, .anchor = name, .start_count = l->n_nodes - 1 };
	return 0;
}

static int yaml_on_end(struct yaml_loader *l)
{
	struct yaml_frame f;
	int r;

	if (l->depth == 0)
		return 0;
	f = l->frames[--l->depth];
	/* The parser always pairs keys with values; a leftover key cannot happen. */
	gx_node_free(f.key);
	if (f.has_merge) {
		r = yaml_merge(l, f.node);
		if (r < 0)
			goto out_free;
	}
	if (f.anchor) {
		r = yaml_register_anchor(l, f.anchor, f.node, l->n_nodes - f.start_count,
					 f.height + 1);
		f.anchor = NULL;
		if (r < 0)
			goto out_free;
	}
	return yaml_add_child(l, f.node, f.height + 1);

out_free:
	free(f.anchor);
	gx_node_free(f.node);
	return r;
}

static int yaml_on_event(struct yaml_loader *l, const yaml_event_t *ev)
{
	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		return yaml_on_scalar(l, ev);
	case YAML_ALIAS_EVENT:
		return yaml_on_alias(l, ev);
	case YAML_SEQUENCE_START_EVENT:
		return yaml_on_start(l, ev, GX_NODE_SEQUENCE, ev->data.sequence_start.anchor);
	case YAML_MAPPING_START_EVENT:
		return yaml_on_start(l, ev, GX_NODE_MAPPING, ev->data.mapping_start.anchor);
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		return yaml_on_end(l);
	case YAML_DOCUMENT_END_EVENT:
	case YAML_STREAM_END_EVENT:
		/* Only the first document is read. */
		l->done = true;
		return 0;
	default:
		return 0;
	}
}

/* Line and column of a byte offset, for reader errors that carry no mark. */
static struct gx_mark yaml_offset_mark(const struct yaml_loader *l, size_t offset)
{
	struct gx_mark mark = { .file = l->file, .line = 1, .column = 1 };
	size_t i;

	for (i = 0; i < offset && i < l->len; i++) {
		if (l->text[i] == '\n') {
			mark.line++;
			mark.column = 1;
		} else {
			mark.column++;
		}
	}
	return mark;
}

static int yaml_syntax_error(struct yaml_loader *l, const yaml_parser_t *parser)
{
	const char *problem = parser->problem ? parser->problem : "invalid YAML";
	struct gx_mark mark, context_mark;

	switch (parser->error) {
	case YAML_MEMORY_ERROR:
		return yaml_oom(l);
	case YAML_READER_ERROR:
		mark = yaml_offset_mark(l, parser->problem_offset);
		if (parser->problem_value != -1)
			return yaml_fail(l, &mark, -EINVAL, "%s (byte 0x%02X)", problem,
					 (unsigned)parser->problem_value);
		return yaml_fail(l, &mark, -EINVAL, "%s", problem);
	default:
		mark = yaml_mark(l, &parser->problem_mark);
		if (!parser->context)
			return yaml_fail(l, &mark, -EINVAL, "%s", problem);
		context_mark = yaml_mark(l, &parser->context_mark);
		return yaml_fail(l, &mark, -EINVAL, "%s (%s at line %u, column %u)", problem,
				 parser->context, context_mark.line, context_mark.column);
	}
}

static void yaml_loader_release(struct yaml_loader *l)
{
	size_t i;

	for (i = 0; i < l->depth; i++) {
		gx_node_free(l->frames[i].node);
		gx_node_free(l->frames[i].key);
		free(l->frames[i].anchor);
	}
	free(l->frames);
	for (i = 0; i < l->n_anchors; i++)
		free(l->anchors[i].name);
	free(l->anchors);
	for (i = 0; i < l->n_discarded; i++)
		gx_node_free(l->discarded[i]);
	free(l->discarded);
	gx_node_free(l->root);
}

static int yaml_parse(struct yaml_loader *l)
{
	yaml_parser_t parser;
	yaml_event_t ev;
	int r = 0;

	if (!yaml_parser_initialize(&parser))
		return yaml_oom(l);
	yaml_parser_set_input_string(&parser, (const unsigned char *)l->text, l->len);
	while (!l->done && r == 0) {
		if (!yaml_parser_parse(&parser, &ev)) {
			r = yaml_syntax_error(l, &parser);
			break;
		}
		r = yaml_on_event(l, &ev);
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&parser);
	return r;
}

void gx_yaml_doc_free(struct gx_yaml_doc *doc)
{
	if (!doc)
		return;
	gx_node_free(doc->root);
	free(doc->path);
	free(doc);
}

int gx_yaml_load_string(const char *name, const char *text, size_t len,
			struct gx_yaml_doc **ret_doc, struct gx_error *err)
{
	struct yaml_loader l = { .text = text ? text : "", .len = text ? len : 0, .err = err };
	struct gx_yaml_doc *doc;
	int r;

	doc = calloc(1, sizeof(*doc));
	if (!doc)
		return gx_error_set(err, NULL, -ENOMEM, "out of memory");
	doc->path = strdup(name ? name : "<string>");
	if (!doc->path) {
		r = gx_error_set(err, NULL, -ENOMEM, "out of memory");
		goto out_free_doc;
	}
	l.file = doc->path;
	r = yaml_parse(&l);
	if (r < 0)
		goto out_release;
	if (!l.root) {
		struct gx_mark start = { .file = doc->path, .line = 1, .column = 1 };

		l.root = gx_node_new(GX_NODE_NULL, &start);
		if (!l.root) {
			r = yaml_oom(&l);
			goto out_release;
		}
	}
	doc->root = l.root;
	l.root = NULL;
	yaml_loader_release(&l);
	*ret_doc = doc;
	return 0;

out_release:
	yaml_loader_release(&l);
out_free_doc:
	gx_yaml_doc_free(doc);
	return r;
}

int gx_yaml_load_file(const char *path, struct gx_yaml_doc **ret_doc, struct gx_error *err)
{
	char *text = NULL;
	size_t len = 0;
	int r;

	if (!path)
		return gx_error_set(err, NULL, -EINVAL, "no file name given");
	r = gx_read_file(path, GX_CONFIG_MAX_BYTES, &text, &len, err);
	if (r < 0)
		return r;
	r = gx_yaml_load_string(path, text, len, ret_doc, err);
	free(text);
	return r;
}
