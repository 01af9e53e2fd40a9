/* SPDX-License-Identifier: MIT */
/*
 * update --dry-run: the files update would write and remove, and what
 * supervisorctl update would then do to supervisord's process groups,
 * found by comparing the groups the files define before and after.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sv.h"

/* The config files supervisord includes, with their texts, sorted by path. */
struct sv_conf_set {
	struct sv_paths_list paths;
	char **texts;
};

/* A process group as the files define it: its name and everything that defines it. */
struct sv_group_def {
	char *name;
	struct sv_buf sig;
};

struct sv_groups {
	struct sv_group_def *v;
	size_t n;
	size_t alloc;
	bool oom;
};

static void sv_conf_set_release(struct sv_conf_set *s)
{
	for (size_t i = 0; i < s->paths.n; i++)
		free(s->texts[i]);
	free(s->texts);
	sv_list_release(&s->paths);
}

static void sv_groups_release(struct sv_groups *g)
{
	for (size_t i = 0; i < g->n; i++) {
		free(g->v[i].name);
		sv_buf_release(&g->v[i].sig);
	}
	free(g->v);
	memset(g, 0, sizeof(*g));
}

static char *sv_read_all(const char *path)
{
	struct sv_buf b = { 0 };
	char chunk[4096];
	size_t n;
	FILE *f = fopen(path, "re");

	if (!f)
		return NULL;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		sv_buf_add(&b, chunk, n);
	fclose(f);
	return sv_buf_steal(&b); /* "" for an empty file */
}

/* What supervisord.conf includes now: supervisord.conf.d/ *.d/ *.conf and *.conf. */
static int sv_conf_set_scan(struct sv_ctx *c, struct sv_conf_set *s)
{
	struct sv_paths_list dirs = { 0 }, found = { 0 };
	int r = sv_scan_dir(c->paths.conf_dir, NULL, ".d", &dirs);

	for (size_t i = 0; r == 0 && i < dirs.n; i++)
		r = sv_scan_dir(dirs.v[i], NULL, ".conf", &found);
	if (r == 0)
		r = sv_scan_dir(c->paths.conf_dir, NULL, ".conf", &found);
	sv_list_release(&dirs);
	s->texts = r == 0 ? calloc(found.n + 1, sizeof(*s->texts)) : NULL;
	if (!s->texts) {
		sv_list_release(&found);
		return r < 0 ? r : -ENOMEM;
	}
	qsort(found.v, found.n, sizeof(char *), sv_cmp_str);
	s->paths = found;
	for (size_t i = 0; i < found.n; i++)
		s->texts[i] = sv_read_all(found.v[i]); /* NULL: unreadable, defines nothing */
	return 0;
}

/* The set after update: without what it removes, with what it writes. */
static int sv_conf_set_after(const struct sv_conf_set *before, const struct sv_paths_list *remove,
			     const struct sv_plan *files, struct sv_conf_set *after)
{
	size_t max = before->paths.n + files->n + 1;

	after->texts = calloc(max, sizeof(*after->texts));
	if (!after->texts)
		return -ENOMEM;
	for (size_t i = 0; i < before->paths.n; i++) {
		const char *path = before->paths.v[i];
		bool rewritten = false;

		for (size_t k = 0; k < files->n && !rewritten; k++)
			rewritten = strcmp(files->v[k].path, path) == 0;
		if (sv_list_has(remove, path) || rewritten)
			continue;
		after->texts[after->paths.n] = before->texts[i] ? strdup(before->texts[i]) : NULL;
		if (sv_list_add(&after->paths, strdup(path)) < 0)
			return -ENOMEM;
	}
	for (size_t k = 0; k < files->n; k++) {
		after->texts[after->paths.n] = strdup(files->v[k].text);
		if (!after->texts[after->paths.n] || sv_list_add(&after->paths, strdup(files->v[k].path)) < 0)
			return -ENOMEM;
	}
	return 0;
}

/* ---------------------------------------------------------------------- */
/* Groups, as supervisord's parser makes them */

static struct sv_group_def *sv_group_get(struct sv_groups *g, const char *name, size_t len)
{
	for (size_t i = 0; i < g->n; i++)
		if (strlen(g->v[i].name) == len && strncmp(g->v[i].name, name, len) == 0)
			return &g->v[i];
	if (g->n == g->alloc) {
		size_t alloc = g->alloc ? g->alloc * 2 : 16;
		struct sv_group_def *grown = realloc(g->v, alloc * sizeof(*grown));

		if (!grown) {
			g->oom = true;
			return NULL;
		}
		g->v = grown;
		g->alloc = alloc;
	}
	g->v[g->n] = (struct sv_group_def){ .name = strndup(name, len) };
	if (!g->v[g->n].name) {
		g->oom = true;
		return NULL;
	}
	return &g->v[g->n++];
}

/* The name of a "[KIND:NAME]" header line, or NULL. */
static const char *sv_section(const char *line, const char *kind, size_t *ret_len)
{
	size_t klen = strlen(kind);
	const char *end;

	if (line[0] != '[' || strncmp(line + 1, kind, klen) != 0 || line[1 + klen] != ':')
		return NULL;
	end = strpbrk(line, "]\n");
	if (!end || *end != ']')
		return NULL;
	*ret_len = (size_t)(end - line) - klen - 2;
	return line + klen + 2;
}

/* Is program (len bytes) listed on the "programs =" line of the group section at text? */
static bool sv_group_lists(const char *section, const char *program, size_t len)
{
	for (const char *line = strchr(section, '\n'); line && line[1] && line[1] != '[';
	     line = strchr(line + 1, '\n')) {
		const char *p = line + 1, *end = strchr(p, '\n');

		if (strncmp(p, "programs", 8) != 0)
			continue;
		p += 8 + strspn(p + 8, " \t");
		if (*p != '=' && *p != ':')
			continue;
		for (p++; p && p < (end ? end : p + strlen(p));) {
			size_t n;

			p += strspn(p, " \t,");
			n = strcspn(p, ", \t\n");
			if (n == len && strncmp(p, program, len) == 0)
				return true;
			p += n ? n : 1;
		}
	}
	return false;
}

/* The group section of the set that lists program, as "[group:G]" at its header, or NULL. */
static const char *sv_group_of(const struct sv_conf_set *s, const char *program, size_t len,
			       size_t *ret_len)
{
	for (size_t i = 0; i < s->paths.n; i++)
		for (const char *line = s->texts[i]; line && *line;) {
			const char *name = sv_section(line, "group", ret_len);

			if (name && sv_group_lists(line, program, len))
				return name;
			line = strchr(line, '\n');
			line = line ? line + 1 : NULL;
		}
	return NULL;
}

/* Add text (of path) to the definition of group. */
static void sv_group_sign(struct sv_groups *g, const char *name, size_t len, const char *path,
			  const char *text)
{
	struct sv_group_def *d = sv_group_get(g, name, len);

	if (!d)
		return;
	sv_buf_printf(&d->sig, "%s\n%s\n", path, text);
	g->oom = g->oom || d->sig.oom;
}

/*
 * Every group of the set with what defines it: a [group:G] section and the
 * files of the programs it lists; a program no group lists is its own group.
 */
static int sv_groups_of(const struct sv_conf_set *s, struct sv_groups *g)
{
	for (size_t i = 0; i < s->paths.n; i++)
		for (const char *line = s->texts[i]; line && *line;) {
			size_t len, glen;
			const char *name = sv_section(line, "group", &len);

			if (name) {
				sv_group_sign(g, name, len, s->paths.v[i], s->texts[i]);
			} else if ((name = sv_section(line, "program", &len))) {
				const char *group = sv_group_of(s, name, len, &glen);

				if (group)
					sv_group_sign(g, group, glen, s->paths.v[i], s->texts[i]);
				else
					sv_group_sign(g, name, len, s->paths.v[i], s->texts[i]);
			}
			line = strchr(line, '\n');
			line = line ? line + 1 : NULL;
		}
	return g->oom ? -ENOMEM : 0;
}

static const struct sv_group_def *sv_groups_find(const struct sv_groups *g, const char *name)
{
	for (size_t i = 0; i < g->n; i++)
		if (strcmp(g->v[i].name, name) == 0)
			return &g->v[i];
	return NULL;
}

/* ---------------------------------------------------------------------- */
/* What supervisorctl update would do */

static bool sv_seen_group(const struct sv_value *procs, size_t upto, const char *group)
{
	for (size_t i = 0; i < upto; i++) {
		const char *g = sv_value_get_str(&procs->items[i], "group");

		if (g && strcmp(g, group) == 0)
			return true;
	}
	return false;
}

/* Each process of an active group: stopped and forgotten, or restarted. */
static int sv_plan_group_procs(struct sv_ctx *c, struct gx_plan *plan, const struct sv_value *procs,
			       const char *group, bool removed)
{
	int r = 0;

	for (size_t i = 0; r == 0 && i < procs->n; i++) {
		const struct sv_value *p = &procs->items[i];
		const char *g = sv_value_get_str(p, "group"), *name = sv_value_get_str(p, "name");
		bool running = sv_running_state(sv_value_get_int(p, "state", SV_STOPPED));
		char *who;

		if (!g || !name || strcmp(g, group) != 0)
			continue;
		who = strcmp(g, name) == 0 ? strdup(name) : sv_strdupf("%s:%s", g, name);
		if (!who)
			return -ENOMEM;
		if (removed)
			r = c->h->plan_action(plan, running ? GX_PLAN_STOP : GX_PLAN_REMOVE, who,
					      "supervisord stopProcessGroup, removeProcessGroup %s: "
					      "its config is removed", group);
		else
			r = c->h->plan_action(plan, running ? GX_PLAN_RESTART : GX_PLAN_START, who,
					      "supervisord stopProcessGroup, removeProcessGroup, "
					      "addProcessGroup %s: its config changes, and the whole "
					      "group starts again (autostart)", group);
		free(who);
	}
	return r;
}

/*
 * supervisorctl update's three lists, from the groups supervisord runs and
 * those the files define before and after: removed, changed, then added
 * (only removed for a backend without instances of its own).
 */
static int sv_plan_groups(struct sv_ctx *c, struct gx_plan *plan, const struct sv_groups *before,
			  const struct sv_groups *after)
{
	struct sv_reply infos;
	const struct sv_value *procs;
	int r = sv_infos(c, &infos);

	if (r < 0)
		return r;
	procs = &infos.value;
	for (size_t i = 0; r == 0 && procs->kind == SV_ARRAY && i < procs->n; i++) {
		const char *g = sv_value_get_str(&procs->items[i], "group");
		const struct sv_group_def *now, *then;

		if (!g || sv_seen_group(procs, i, g))
			continue;
		now = sv_groups_find(before, g);
		then = sv_groups_find(after, g);
		if (!then)
			r = sv_plan_group_procs(c, plan, procs, g, true);
		else if (c->rq->n_instances &&
			 (!now || !now->sig.s || !then->sig.s || strcmp(now->sig.s, then->sig.s) != 0))
			r = sv_plan_group_procs(c, plan, procs, g, false);
	}
	for (size_t k = 0; r == 0 && c->rq->n_instances && k < after->n; k++) {
		bool active = false;

		for (size_t i = 0; procs->kind == SV_ARRAY && i < procs->n && !active; i++) {
			const char *g = sv_value_get_str(&procs->items[i], "group");

			active = g && strcmp(g, after->v[k].name) == 0;
		}
		if (!active)
			r = c->h->plan_action(plan, GX_PLAN_START, after->v[k].name,
					      "supervisord addProcessGroup: autostart starts its programs");
	}
	sv_reply_release(&infos);
	return r == -ENOMEM ? sv_oom(c) : r;
}

static int sv_plan_supervisord(struct sv_ctx *c, struct gx_plan *plan,
			       const struct sv_paths_list *remove, const struct sv_plan *files)
{
	struct sv_conf_set before = { 0 }, after = { 0 };
	struct sv_groups gb = { 0 }, ga = { 0 };
	int r = sv_conf_set_scan(c, &before);

	if (r == 0)
		r = sv_conf_set_after(&before, remove, files, &after);
	if (r == 0)
		r = sv_groups_of(&before, &gb);
	if (r == 0)
		r = sv_groups_of(&after, &ga);
	if (r == -ENOMEM)
		r = sv_oom(c);
	else if (r < 0)
		r = c->h->errorf(c->err, NULL, r, "cannot read %s: %s", c->paths.conf_dir, strerror(-r));
	if (r == 0)
		r = sv_plan_groups(c, plan, &gb, &ga);
	sv_groups_release(&gb);
	sv_groups_release(&ga);
	sv_conf_set_release(&before);
	sv_conf_set_release(&after);
	return r;
}

/* ---------------------------------------------------------------------- */
/* Files */

/* An instance directory that removing files empties (and that nothing is written into). */
static bool sv_emptied(const char *dir, const struct sv_paths_list *remove, const struct sv_plan *files)
{
	size_t dlen = strlen(dir);
	struct sv_paths_list all = { 0 };
	bool empty = true;

	for (size_t k = 0; k < files->n; k++)
		if (strncmp(files->v[k].path, dir, dlen) == 0 && files->v[k].path[dlen] == '/')
			return false;
	/* Hidden entries too: rmdir fails on any. */
	if (sv_scan_dir(dir, NULL, NULL, &all) < 0)
		return false;
	for (size_t i = 0; i < all.n && empty; i++)
		empty = sv_list_has(remove, all.v[i]);
	sv_list_release(&all);
	return empty;
}

static int sv_plan_removals(struct sv_ctx *c, struct gx_plan *plan,
			    const struct sv_paths_list *remove, const struct sv_plan *files,
			    size_t *changes)
{
	int r = 0;

	for (size_t i = 0; r >= 0 && i < remove->n; i++) {
		r = c->h->plan_remove(plan, remove->v[i], "supervisor config", c->err);
		*changes += r > 0;
	}
	for (size_t i = 0; r >= 0 && i < remove->n; i++) {
		char *slash = strrchr(remove->v[i], '/');
		size_t dlen = slash ? (size_t)(slash - remove->v[i]) : 0;
		char *dir;

		if (!slash || dlen < 2 || strncmp(slash - 2, ".d", 2) != 0)
			continue;
		dir = strndup(remove->v[i], dlen);
		if (!dir)
			return sv_oom(c);
		if (sv_emptied(dir, remove, files))
			r = c->h->plan_remove(plan, dir, "empty instance dir", c->err);
		free(dir);
	}
	return r < 0 ? r : 0;
}

static int sv_plan_writes(struct sv_ctx *c, struct gx_plan *plan, const struct sv_plan *files,
			  size_t *changes)
{
	int r = 0;

	for (size_t i = 0; r >= 0 && i < files->n; i++) {
		const struct sv_file *f = &files->v[i];
		char *what = sv_strdupf("%s %s", f->kind, f->label);

		if (!what)
			return sv_oom(c);
		r = c->h->plan_file(plan, f->path, f->text, strlen(f->text), 0644, what, c->err);
		*changes += r > 0;
		free(what);
	}
	for (size_t i = 0; r >= 0 && i < c->rq->n_instances; i++) {
		const struct gx_instance *inst = c->rq->instances[i];
		char *what = sv_strdupf("log dir of instance %s", inst->name);

		if (!what)
			return sv_oom(c);
		r = c->h->plan_dir(plan, inst->log_dir, what, c->err);
		free(what);
	}
	return r < 0 ? r : 0;
}

int sv_dry_run(struct sv_ctx *c, struct gx_plan *plan)
{
	const struct gx_request *rq = c->rq;
	struct sv_plan files = { 0 };
	struct sv_paths_list remove = { 0 }, left = { 0 };
	size_t changes = 0;
	int r = sv_plan_files(c, &files);

	if (r == 0)
		r = sv_cleanup_list(c, &files, rq->force, rq->clean, &remove, &left);
	if (r == 0 && rq->clean)
		sv_plan_release(&files); /* --clean writes nothing */
	if (r == 0)
		r = sv_plan_removals(c, plan, &remove, &files, &changes);
	if (r == 0)
		r = sv_plan_writes(c, plan, &files, &changes);
	if (r == 0)
		sv_warn_left(c, &left);
	if (r == 0 && changes && sv_daemon_running(c, NULL))
		r = sv_plan_supervisord(c, plan, &remove, &files);
	else if (r == 0 && changes && rq->n_instances &&
		 c->h->plan_action(plan, GX_PLAN_NOTE, "", "supervisord is not running (%s): "
				   "update starts and stops nothing; galaxyctl start starts it on "
				   "these files", c->paths.pidfile) < 0)
		r = sv_oom(c);
	sv_list_release(&remove);
	sv_list_release(&left);
	sv_plan_release(&files);
	return r;
}
