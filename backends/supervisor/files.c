/* SPDX-License-Identifier: MIT */
/*
 * update: the program and group files every loaded instance intends,
 * upstream's cleanup rules, atomic writes, and `supervisorctl update`
 * done over XML-RPC.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sv.h"

void sv_plan_release(struct sv_plan *plan)
{
	for (size_t i = 0; i < plan->n; i++) {
		free(plan->v[i].path);
		free(plan->v[i].text);
		free(plan->v[i].label);
	}
	free(plan->v);
	memset(plan, 0, sizeof(*plan));
}

/* Takes path, text and label (freed on failure too). */
static int sv_plan_add(struct sv_plan *plan, char *path, char *text, const char *kind, char *label)
{
	if (path && text && label && plan->n == plan->alloc) {
		size_t alloc = plan->alloc ? plan->alloc * 2 : 8;
		struct sv_file *grown = realloc(plan->v, alloc * sizeof(*grown));

		if (grown) {
			plan->v = grown;
			plan->alloc = alloc;
		}
	}
	if (!path || !text || !label || plan->n == plan->alloc) {
		free(path);
		free(text);
		free(label);
		return -ENOMEM;
	}
	plan->v[plan->n++] = (struct sv_file){ path, text, kind, label };
	return 0;
}

void sv_list_release(struct sv_paths_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* Takes path. */
int sv_list_add(struct sv_paths_list *l, char *path)
{
	if (path && l->n == l->alloc) {
		size_t alloc = l->alloc ? l->alloc * 2 : 16;
		char **grown = realloc(l->v, alloc * sizeof(*grown));

		if (grown) {
			l->v = grown;
			l->alloc = alloc;
		}
	}
	if (!path || l->n == l->alloc) {
		free(path);
		return -ENOMEM;
	}
	l->v[l->n++] = path;
	return 0;
}

bool sv_list_has(const struct sv_paths_list *l, const char *path)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i], path) == 0)
			return true;
	return false;
}

/* ---------------------------------------------------------------------- */
/* What is intended */

static int sv_plan_instance(struct sv_ctx *c, const struct gx_instance *inst, struct sv_plan *plan)
{
	const char *why = sv_name_problem(inst->name);
	int r = 0;

	if (why)
		return c->h->errorf(c->err, NULL, -EINVAL,
				    "instance name '%s' cannot name a supervisor config directory: %s",
				    inst->name, why);
	for (size_t s = 0; r == 0 && s < inst->n_services; s++) {
		const struct gx_service *svc = inst->services[s];
		char *text = NULL;

		r = sv_render_program(c->h, svc, c->use_instance_name, &text, c->err);
		if (r < 0)
			break;
		r = sv_plan_add(plan,
				sv_strdupf("%s/%s.d/%s_%s.conf", c->paths.conf_dir,
					 inst->name, svc->config_type, svc->name),
				text, "service",
				c->use_instance_name ? sv_strdupf("%s:%s", inst->name, svc->name)
						     : strdup(svc->name));
		if (r < 0)
			return sv_oom(c);
	}
	if (r == 0 && c->use_instance_name) {
		char *text = NULL;

		r = sv_render_group(c->h, inst, &text, c->err);
		if (r == 0 && sv_plan_add(plan, sv_strdupf("%s/group_%s.conf", c->paths.conf_dir, inst->name),
					  text, "supervisor group", strdup(inst->name)) < 0)
			return sv_oom(c);
	}
	return r;
}

/* ---------------------------------------------------------------------- */
/* What is there */

/* Upstream globs with "*": hidden names (our temporary files among them) do not count. */
int sv_scan_dir(const char *dir, const char *prefix, const char *suffix,
		       struct sv_paths_list *out)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int r = 0;

	if (!d)
		return errno == ENOENT || errno == ENOTDIR ? 0 : -errno;
	while (r == 0 && (e = readdir(d))) {
		size_t len = strlen(e->d_name), slen = suffix ? strlen(suffix) : 0;

		if (e->d_name[0] == '.' || (prefix && strncmp(e->d_name, prefix, strlen(prefix)) != 0) ||
		    (suffix && (len < slen || strcmp(e->d_name + len - slen, suffix) != 0)))
			continue;
		r = sv_list_add(out, sv_strdupf("%s/%s", dir, e->d_name));
	}
	closedir(d);
	return r;
}

/* An instance's program files and its group file. */
static int sv_present_for(struct sv_ctx *c, const char *name, struct sv_paths_list *out)
{
	char *dir = sv_strdupf("%s/%s.d", c->paths.conf_dir, name);
	char *group = sv_strdupf("%s/group_%s.conf", c->paths.conf_dir, name);
	int r = dir && group ? sv_scan_dir(dir, NULL, NULL, out) : -ENOMEM;

	if (r == 0 && access(group, F_OK) == 0) {
		r = sv_list_add(out, group);
		group = NULL;
	}
	free(dir);
	free(group);
	return r;
}

/* Every program file of every instance directory, and every group file. */
static int sv_present_all(struct sv_ctx *c, struct sv_paths_list *out)
{
	struct sv_paths_list dirs = { 0 };
	int r = sv_scan_dir(c->paths.conf_dir, NULL, ".d", &dirs);

	for (size_t i = 0; r == 0 && i < dirs.n; i++)
		r = sv_scan_dir(dirs.v[i], NULL, NULL, out);
	if (r == 0)
		r = sv_scan_dir(c->paths.conf_dir, "group_", ".conf", out);
	sv_list_release(&dirs);
	return r;
}

int sv_cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Remove files, then the instance directories they leave empty, saying so as upstream does. */
static int sv_remove(struct sv_ctx *c, struct sv_paths_list *files)
{
	struct sv_buf names = { 0 };
	int r = 0;

	if (files->n == 0)
		return 0;
	qsort(files->v, files->n, sizeof(char *), sv_cmp_str);
	for (size_t i = 0; i < files->n; i++)
		sv_buf_printf(&names, "%s%s", i ? ", " : "", files->v[i]);
	if (names.oom) {
		sv_buf_release(&names);
		return sv_oom(c);
	}
	c->h->log(GX_LOG_INFO, "Removing supervisor configs: %s", names.s);
	sv_buf_release(&names);
	for (size_t i = 0; i < files->n; i++)
		if (unlink(files->v[i]) < 0 && errno != ENOENT && r == 0)
			r = c->h->errorf(c->err, NULL, -errno, "cannot remove %s: %s", files->v[i],
					 strerror(errno));
	for (size_t i = 0; i < files->n; i++) {
		char *slash = strrchr(files->v[i], '/');
		size_t dlen = slash ? (size_t)(slash - files->v[i]) : 0;
		char *dir;

		if (!slash || dlen < 2 || strncmp(slash - 2, ".d", 2) != 0)
			continue;
		dir = strndup(files->v[i], dlen);
		if (dir && rmdir(dir) == 0)
			c->h->log(GX_LOG_INFO, "Removing empty instance dir: %s", dir);
		free(dir);
	}
	return r;
}

/* Everything instances another backend now manages left here (update only). */
static int sv_present_others(struct sv_ctx *c, struct sv_paths_list *out)
{
	int r = 0;

	for (size_t i = 0; r == 0 && c->clean_others && i < c->rq->n_other_instances; i++) {
		const char *name = c->rq->other_instances[i]->name;

		/* A name that cannot be a directory name never had files here. */
		if (!sv_name_problem(name))
			r = sv_present_for(c, name, out);
	}
	return r;
}

/*
 * Upstream's rules, over every loaded instance (never only the ones a
 * command names): at update, everything of instances another backend now
 * manages; without --clean, what one of ours does not intend; with
 * --clean, everything of every loaded instance, and with --clean --force
 * everything in the directory, when this backend has instances of its own
 * (one without only ever cleans up after those that moved).  left gets
 * what --clean leaves of other configs.
 */
int sv_cleanup_list(struct sv_ctx *c, const struct sv_plan *plan, bool force, bool clean,
		    struct sv_paths_list *remove, struct sv_paths_list *left)
{
	struct sv_paths_list present = { 0 }, all = { 0 };
	int r = 0;

	if (clean && force && c->rq->n_instances) {
		r = sv_present_all(c, remove);
	} else {
		for (size_t i = 0; r == 0 && i < c->rq->n_instances; i++)
			r = sv_present_for(c, c->rq->instances[i]->name, &present);
		if (r == 0)
			r = sv_present_others(c, remove);
		for (size_t i = 0; r == 0 && i < present.n; i++) {
			bool intended = false;

			for (size_t k = 0; !clean && k < plan->n && !intended; k++)
				intended = strcmp(plan->v[k].path, present.v[i]) == 0;
			if (!intended && !sv_list_has(remove, present.v[i]))
				r = sv_list_add(remove, strdup(present.v[i]));
		}
	}
	if (r == 0 && clean && !force && c->rq->n_instances && sv_present_all(c, &all) == 0)
		for (size_t i = 0; r == 0 && i < all.n; i++)
			if (!sv_list_has(remove, all.v[i]))
				r = sv_list_add(left, strdup(all.v[i]));
	sv_list_release(&present);
	sv_list_release(&all);
	if (r == -ENOMEM)
		return sv_oom(c);
	if (r < 0)
		return c->h->errorf(c->err, NULL, r, "cannot read %s: %s", c->paths.conf_dir,
				    strerror(-r));
	if (remove->n)
		qsort(remove->v, remove->n, sizeof(char *), sv_cmp_str);
	return 0;
}

void sv_warn_left(struct sv_ctx *c, struct sv_paths_list *left)
{
	struct sv_buf names = { 0 };

	if (!left->n)
		return;
	qsort(left->v, left->n, sizeof(char *), sv_cmp_str);
	for (size_t i = 0; i < left->n; i++)
		sv_buf_printf(&names, "%s%s", i ? ", " : "", left->v[i]);
	if (!names.oom)
		c->h->log(GX_LOG_WARNING,
			  "Configs not managed by this Gravity remain after cleaning, use --force "
			  "to remove: %s", names.s);
	sv_buf_release(&names);
}

static int sv_cleanup(struct sv_ctx *c, const struct sv_plan *plan, bool force, bool clean)
{
	struct sv_paths_list remove = { 0 }, left = { 0 };
	int r = sv_cleanup_list(c, plan, force, clean, &remove, &left);

	if (r == 0)
		r = sv_remove(c, &remove);
	if (r == 0)
		sv_warn_left(c, &left);
	sv_list_release(&remove);
	sv_list_release(&left);
	return r;
}

/* ---------------------------------------------------------------------- */
/* Writing */

/* Does path hold exactly text? */
static bool sv_same_content(const char *path, const char *text)
{
	size_t len = strlen(text);
	FILE *f = fopen(path, "re");
	char *buf;
	bool same = false;

	if (!f)
		return false;
	buf = malloc(len + 2);
	if (buf)
		same = fread(buf, 1, len + 1, f) == len && memcmp(buf, text, len) == 0;
	free(buf);
	fclose(f);
	return same;
}

static int sv_write_plan(struct sv_ctx *c, const struct sv_plan *plan, bool force)
{
	for (size_t i = 0; i < plan->n; i++) {
		const struct sv_file *f = &plan->v[i];
		bool exists = access(f->path, F_OK) == 0;
		int r;

		if (!force && exists && sv_same_content(f->path, f->text)) {
			c->h->log(GX_LOG_DEBUG, "No changes to existing config for %s %s: %s", f->kind,
				  f->label, f->path);
			continue;
		}
		c->h->log(GX_LOG_INFO, "%s %s %s", exists ? "Updating" : "Adding", f->kind, f->label);
		r = c->h->write_file(f->path, f->text, strlen(f->text), 0644, c->err);
		if (r < 0)
			return r;
	}
	return 0;
}

static int sv_mkdir_p(const char *path, mode_t mode)
{
	char *copy = strdup(path);
	int r = 0;

	if (!copy)
		return -ENOMEM;
	for (char *p = copy + 1; r == 0; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char saved = *p;

		*p = '\0';
		if (mkdir(copy, mode) < 0 && errno != EEXIST)
			r = -errno;
		*p = saved;
		if (!saved)
			break;
	}
	free(copy);
	return r;
}

/* ---------------------------------------------------------------------- */
/* supervisorctl update */

static int sv_fresh_add(struct sv_ctx *c, const char *group)
{
	char **grown = realloc(c->fresh_groups, (c->n_fresh + 1) * sizeof(char *));

	if (!grown)
		return -ENOMEM;
	c->fresh_groups = grown;
	c->fresh_groups[c->n_fresh] = strdup(group);
	if (!c->fresh_groups[c->n_fresh])
		return -ENOMEM;
	c->n_fresh++;
	return 0;
}

static int sv_group_call(struct sv_ctx *c, const char *method, const char *group, bool wait,
			 struct sv_reply *ret)
{
	struct sv_param params[2] = { SV_STR(group), SV_BOOLEAN(wait) };

	return sv_ctx_call(c, group, method, params, strcmp(method, "supervisor.stopProcessGroup") ? 1 : 2,
			   c->stop_wait_s, ret);
}

static bool sv_any_failed(const struct sv_value *results)
{
	for (size_t i = 0; results->kind == SV_ARRAY && i < results->n; i++)
		if (sv_value_get_int(&results->items[i], "status", 0) == SV_FAULT_FAILED)
			return true;
	return false;
}

static int sv_apply_group(struct sv_ctx *c, const char *g, int which)
{
	struct sv_reply reply;
	int r;

	if (which == 2) { /* removed */
		bool failed;

		r = sv_group_call(c, "supervisor.stopProcessGroup", g, true, &reply);
		if (r < 0)
			return r;
		failed = sv_any_failed(&reply.value);
		sv_reply_release(&reply);
		sv_out(c, "%s: stopped\n", g);
		if (failed) {
			sv_out(c, "%s: has problems; not removing\n", g);
			return 0;
		}
		r = sv_group_call(c, "supervisor.removeProcessGroup", g, false, &reply);
		sv_reply_release(&reply);
		if (r == 0)
			sv_out(c, "%s: removed process group\n", g);
		return r;
	}
	if (which == 1) { /* changed */
		r = sv_group_call(c, "supervisor.stopProcessGroup", g, true, &reply);
		sv_reply_release(&reply);
		if (r < 0)
			return r;
		sv_out(c, "%s: stopped\n", g);
		r = sv_group_call(c, "supervisor.removeProcessGroup", g, false, &reply);
		sv_reply_release(&reply);
		if (r < 0)
			return r;
	}
	r = sv_group_call(c, "supervisor.addProcessGroup", g, false, &reply);
	sv_reply_release(&reply);
	if (r < 0)
		return r;
	if (sv_fresh_add(c, g) < 0)
		return sv_oom(c);
	sv_out(c, "%s: %s process group\n", g, which == 1 ? "updated" : "added");
	return 0;
}

/*
 * reloadConfig, then removed, changed and added groups in supervisorctl's
 * order; only the removed ones for a backend without instances of its own,
 * which must start nothing.
 */
static int sv_apply(struct sv_ctx *c)
{
	static const int order[] = { 2, 1, 0 };
	size_t n_lists = c->rq->n_instances ? 3 : 1;
	struct sv_reply reply;
	const struct sv_value *lists;
	int r;

	r = sv_ctx_call(c, NULL, "supervisor.reloadConfig", NULL, 0, 60, &reply);
	if (r == -ESHUTDOWN)
		return c->h->errorf(c->err, NULL, r, "supervisord is already shutting down");
	if (r < 0)
		return r;
	lists = reply.value.kind == SV_ARRAY && reply.value.n == 1 ? &reply.value.items[0] : NULL;
	if (!lists || lists->kind != SV_ARRAY || lists->n != 3) {
		sv_reply_release(&reply);
		return c->h->errorf(c->err, NULL, -EPROTO,
				    "supervisord answered reloadConfig with something unexpected");
	}
	for (size_t o = 0; r == 0 && o < n_lists; o++) {
		const struct sv_value *names = &lists->items[order[o]];

		for (size_t i = 0; r == 0 && names->kind == SV_ARRAY && i < names->n; i++)
			if (names->items[i].kind == SV_STRING)
				r = sv_apply_group(c, names->items[i].s, order[o]);
	}
	sv_reply_release(&reply);
	return r;
}

/* ---------------------------------------------------------------------- */

int sv_plan_files(struct sv_ctx *c, struct sv_plan *plan)
{
	int r = 0;

	for (size_t i = 0; r == 0 && i < c->rq->n_instances; i++)
		r = sv_plan_instance(c, c->rq->instances[i], plan);
	return r;
}

int sv_check(struct sv_ctx *c)
{
	struct sv_plan plan = { 0 };
	int r = sv_plan_files(c, &plan);

	sv_plan_release(&plan);
	return r;
}

int sv_update(struct sv_ctx *c, bool force, bool clean)
{
	struct sv_plan plan = { 0 };
	int r = sv_plan_files(c, &plan);

	if (r == 0)
		r = sv_cleanup(c, &plan, force, clean);
	if (r == 0 && !clean)
		r = sv_write_plan(c, &plan, force);
	for (size_t i = 0; r == 0 && !clean && i < c->rq->n_instances; i++) {
		const char *log_dir = c->rq->instances[i]->log_dir;

		r = sv_mkdir_p(log_dir, 0755);
		if (r < 0)
			r = c->h->errorf(c->err, NULL, r, "cannot create the log dir %s: %s", log_dir,
					 strerror(-r));
	}
	if (r == 0 && sv_daemon_running(c, NULL))
		r = sv_apply(c);
	sv_plan_release(&plan);
	return r;
}
