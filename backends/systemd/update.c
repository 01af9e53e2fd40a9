/* SPDX-License-Identifier: MIT */
/* update: write the units that changed, remove the ones ours no longer intends, reload, enable. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "systemd.h"

/* Unit files in the unit dir that look like Gravity's: galaxy.target, galaxy-*.target/.service. */
struct sd_present {
	char **names; /* sorted file names */
	char **texts; /* contents, NULL when unreadable */
	bool *owned;  /* written for one of our configs */
	size_t n;
};

static void sd_present_release(struct sd_present *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->names[i]);
		free(p->texts[i]);
	}
	free(p->names);
	free(p->texts);
	free(p->owned);
	memset(p, 0, sizeof(*p));
}

static bool sd_ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

static bool sd_gravity_like(const char *name)
{
	return strcmp(name, "galaxy.target") == 0 ||
	       (strncmp(name, "galaxy-", 7) == 0 &&
		(sd_ends_with(name, ".service") || sd_ends_with(name, ".target")));
}

static int sd_gravity_filter(const struct dirent *d)
{
	return sd_gravity_like(d->d_name);
}

static char *sd_join(const char *dir, const char *name)
{
	char *s = NULL;

	if (asprintf(&s, "%s/%s", dir, name) < 0)
		return NULL;
	return s;
}

static char *sd_read_text(const char *path)
{
	struct sd_buf b = { 0 };
	char chunk[4096];
	size_t n;
	FILE *f = fopen(path, "re");

	if (!f)
		return NULL;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		sd_buf_addn(&b, chunk, n);
	if (ferror(f)) {
		fclose(f);
		sd_buf_release(&b);
		return NULL;
	}
	fclose(f);
	return sd_buf_steal(&b);
}

static int sd_scan(const struct sd *sd, struct sd_present *p, struct gx_error *err)
{
	struct dirent **list = NULL;
	int n = scandir(sd->unit_dir, &list, sd_gravity_filter, alphasort);
	int r = 0;

	if (n < 0) {
		int e = errno;

		return e == ENOENT ? 0
				   : sd->h->errorf(err, NULL, -e, "cannot read %s: %s", sd->unit_dir,
						   strerror(e));
	}
	p->names = calloc((size_t)n + 1, sizeof(*p->names));
	p->texts = calloc((size_t)n + 1, sizeof(*p->texts));
	p->owned = calloc((size_t)n + 1, sizeof(*p->owned));
	if (!p->names || !p->texts || !p->owned)
		r = -ENOMEM;
	for (int i = 0; i < n; i++) {
		if (r == 0) {
			char *path = sd_join(sd->unit_dir, list[i]->d_name);

			p->names[p->n] = strdup(list[i]->d_name);
			p->texts[p->n] = path ? sd_read_text(path) : NULL;
			if (!path || !p->names[p->n])
				r = -ENOMEM;
			p->n++;
			free(path);
		}
		free(list[i]);
	}
	free(list);
	if (r < 0)
		return sd->h->errorf(err, NULL, r, "out of memory");
	return 0;
}

/* ---------------------------------------------------------------------- */
/* Ownership */

static bool sd_hash_in(const char *hash, const struct gx_instance *const *insts, size_t n)
{
	char ours[SD_HASH_LEN + 1];

	for (size_t i = 0; i < n; i++) {
		if (!insts[i]->config_file)
			continue; /* it has no units */
		sd_path_hash(insts[i]->config_file, ours);
		if (strcmp(ours, hash) == 0)
			return true;
	}
	return false;
}

/*
 * A loaded config's: one of ours, or, at update, one another backend now
 * manages (whose units upstream's rule removes in any case).
 */
static bool sd_hash_is_ours(const struct sd *sd, const char *hash)
{
	return sd_hash_in(hash, sd->rq->instances, sd->rq->n_instances) ||
	       (sd->clean_others &&
		sd_hash_in(hash, sd->rq->other_instances, sd->rq->n_other_instances));
}

/* Does the unit word[0..n) come from the unit file file (itself, or an instance of a template)? */
static bool sd_unit_of_file(const char *word, size_t n, const char *file)
{
	const char *at = memchr(word, '@', n), *fat = strchr(file, '@'), *dot;
	size_t head;

	if (!at || !fat)
		return n == strlen(file) && strncmp(word, file, n) == 0;
	head = (size_t)(at - word) + 1;
	for (dot = word + n - 1; dot > at && *dot != '.'; dot--)
		;
	return head == (size_t)(fat - file) + 1 && strncmp(word, file, head) == 0 &&
	       (size_t)(word + n - dot) == strlen(fat + 1) &&
	       strncmp(dot, fat + 1, (size_t)(word + n - dot)) == 0;
}

/* Does a "KEY=" line of text name a unit of the unit file file? */
static bool sd_line_names(const char *text, const char *key, const char *file)
{
	size_t klen = strlen(key);

	for (const char *line = text; line;) {
		const char *end = strchr(line, '\n');

		if (!end)
			end = line + strlen(line);
		if (strncmp(line, key, klen) == 0 && line[klen] == '=') {
			for (const char *p = line + klen + 1; p < end;) {
				size_t n = strcspn(p, " \t\n");

				if (n && sd_unit_of_file(p, n, file))
					return true;
				p += n ? n : 1;
			}
		}
		line = *end ? end + 1 : NULL;
	}
	return false;
}

/*
 * Mark what belongs to loaded configs: every target whose GRAVITY= hash
 * is one of theirs, and the services of such a target's prefix that it wants
 * or that are PartOf it.  Nothing else is ever touched without --force.
 */
static void sd_mark_owned(const struct sd *sd, struct sd_present *p)
{
	char hash[SD_HASH_LEN + 1];

	for (size_t t = 0; t < p->n; t++) {
		size_t plen;

		if (!sd_ends_with(p->names[t], ".target") || !p->texts[t] ||
		    !sd_find_hash(p->texts[t], hash) || !sd_hash_is_ours(sd, hash))
			continue;
		p->owned[t] = true;
		plen = strlen(p->names[t]) - strlen(".target");
		for (size_t s = 0; s < p->n; s++) {
			const char *name = p->names[s];

			if (!sd_ends_with(name, ".service") || strncmp(name, p->names[t], plen) != 0 ||
			    name[plen] != '-')
				continue;
			if (sd_line_names(p->texts[t], "Wants", name) ||
			    (p->texts[s] && sd_line_names(p->texts[s], "PartOf", p->names[t])))
				p->owned[s] = true;
		}
	}
}

/* ---------------------------------------------------------------------- */
/* Removing */

/* The loaded units a unit file stands for ("x@*.service" for a template). */
static int sd_active_units(const struct sd *sd, const char *file, struct gx_strv *out,
			   struct gx_error *err)
{
	struct sd_call call = { .capture = true };
	const char *at = strchr(file, '@');
	char *pattern = NULL, *text = NULL;
	int r;

	if (at && asprintf(&pattern, "%.*s@*%s", (int)(at - file), file, at + 1) < 0)
		return sd->h->errorf(err, NULL, -ENOMEM, "out of memory");
	r = sd_systemctl_l(sd, &call, &text, err, "list-units", "--plain", "--no-legend",
			   pattern ? pattern : file, NULL);
	free(pattern);
	for (char *line = text; r == 0 && line && *line;) {
		char *next = strchr(line, '\n');
		size_t n;

		if (next)
			*next++ = '\0';
		line += strspn(line, " \t");
		n = strcspn(line, " \t");
		if (n) {
			line[n] = '\0';
			r = sd->h->strv_push(out, line);
			if (r < 0)
				r = sd->h->errorf(err, NULL, r, "out of memory");
		}
		line = next;
	}
	free(text);
	return r;
}

/* The text "a, b, c" of the marked names (heap), each after prefix/ when prefix is set. */
static char *sd_list_text(const char *prefix, char *const *names, const bool *marked, size_t n)
{
	struct sd_buf b = { 0 };

	for (size_t i = 0; i < n; i++)
		if (!marked || marked[i])
			sd_buf_addf(&b, "%s%s%s%s", b.len ? ", " : "", prefix ? prefix : "",
				    prefix ? "/" : "", names[i]);
	return sd_buf_steal(&b);
}

/* Stop whatever still runs from the files: targets first, then any loaded unit. */
static int sd_stop_removed(const struct sd *sd, const struct sd_present *p, const bool *remove,
			   struct gx_error *err)
{
	const struct gx_host *h = sd->h;
	struct sd_call call = { 0 };
	struct gx_strv args = { 0 };
	char *text;
	int r = 0;

	for (size_t i = 0; r == 0 && i < p->n; i++)
		if (remove[i] && sd_ends_with(p->names[i], ".target"))
			r = sd_systemctl_l(sd, &call, NULL, err, "disable", "--now", p->names[i], NULL);
	if (r == 0 && (h->strv_push(&args, "disable") < 0 || h->strv_push(&args, "--now") < 0))
		r = h->errorf(err, NULL, -ENOMEM, "out of memory");
	for (size_t i = 0; r == 0 && i < p->n; i++)
		if (remove[i])
			r = sd_active_units(sd, p->names[i], &args, err);
	if (r == 0 && args.n > 2) {
		text = sd_list_text(NULL, args.v + 2, NULL, args.n - 2);
		h->log(GX_LOG_INFO, "Stopping active units: %s", text ? text : "");
		free(text);
		r = sd_systemctl(sd, &call, &args, NULL, NULL, err);
	}
	h->strv_release(&args);
	return r;
}

static int sd_remove_files(const struct sd *sd, const struct sd_present *p, const bool *remove,
			   bool *changed, struct gx_error *err)
{
	const struct gx_host *h = sd->h;
	bool any = false;
	char *text;
	int r;

	for (size_t i = 0; i < p->n; i++)
		any = any || remove[i];
	if (!any)
		return 0;
	r = sd_stop_removed(sd, p, remove, err);
	if (r < 0)
		return r;
	text = sd_list_text(sd->unit_dir, p->names, remove, p->n);
	h->log(GX_LOG_INFO, "Removing systemd configs: %s", text ? text : "");
	free(text);
	for (size_t i = 0; i < p->n; i++) {
		char *path = remove[i] ? sd_join(sd->unit_dir, p->names[i]) : NULL;

		if (!remove[i])
			continue;
		if (!path)
			return h->errorf(err, NULL, -ENOMEM, "out of memory");
		if (unlink(path) < 0 && errno != ENOENT) {
			int e = errno;

			r = h->errorf(err, NULL, -e, "cannot remove %s: %s", path, strerror(e));
			free(path);
			return r;
		}
		free(path);
	}
	*changed = true;
	return 0;
}

/* ---------------------------------------------------------------------- */
/* Writing */

/* ask_manager: learn the manager's PATH for the direct command style (a check needs none). */
static int sd_render_all(const struct sd *sd, struct sd_files *files, bool ask_manager,
			 struct gx_error *err)
{
	const struct gx_request *rq = sd->rq;
	struct sd_render_opts o = {
		.user_mode = sd->user_mode,
		.self_exe = sd->h->self_exe,
		.virtual_env = getenv("VIRTUAL_ENV"),
	};
	char *manager_path = NULL;
	bool direct = false;
	int r = 0;

	/* Only the direct command style writes PATH, from the manager's own. */
	for (size_t i = 0; i < rq->n_instances; i++)
		direct = direct || strcmp(rq->instances[i]->service_command_style, "direct") == 0;
	if (direct && ask_manager)
		manager_path = sd_manager_path(sd);
	o.manager_path = manager_path;
	for (size_t i = 0; r == 0 && i < rq->n_instances; i++)
		r = sd_render_instance(sd->h, &o, rq->instances[i],
				       sd_use_name(sd, rq->instances[i]), files, err);
	free(manager_path);
	return r;
}

/* Write one rendered file when forced or changed; *wrote tells which. */
static int sd_write_unit(const struct sd *sd, const struct sd_file *f, bool force, bool *wrote,
			 struct gx_error *err)
{
	char *path = sd_join(sd->unit_dir, f->name);
	char *old = path ? sd_read_text(path) : NULL;
	bool exists = path && access(path, F_OK) == 0;
	int r = 0;

	*wrote = false;
	if (!path)
		return sd->h->errorf(err, NULL, -ENOMEM, "out of memory");
	if (force || !old || strcmp(old, f->text) != 0) {
		sd->h->log(GX_LOG_INFO, "%s systemd unit %s", exists ? "Updating" : "Adding",
			   f->name);
		r = sd->h->write_file(path, f->text, strlen(f->text), 0644, err);
		*wrote = r == 0;
	} else {
		sd->h->log(GX_LOG_DEBUG, "No changes to existing config for systemd unit %s: %s",
			   f->name, path);
	}
	free(old);
	free(path);
	return r;
}

static int sd_write_all(const struct sd *sd, const struct sd_files *files, bool force,
			bool *changed, struct gx_error *err)
{
	struct sd_call call = { 0 };
	int r = 0;

	for (size_t i = 0; r == 0 && i < files->n; i++) {
		bool wrote = false;

		r = sd_write_unit(sd, &files->v[i], force, &wrote, err);
		*changed = *changed || wrote;
		if (r == 0 && wrote && files->v[i].is_target) {
			char *path = sd_join(sd->unit_dir, files->v[i].name);

			r = path ? sd_systemctl_l(sd, &call, NULL, err, "enable", path, NULL)
				 : sd->h->errorf(err, NULL, -ENOMEM, "out of memory");
			free(path);
		}
	}
	return r;
}

/* ---------------------------------------------------------------------- */

static void sd_warn_left(const struct sd *sd, const struct sd_present *p, const bool *removed)
{
	bool *left = calloc(p->n + 1, sizeof(*left));
	bool any = false;
	char *text;

	for (size_t i = 0; left && i < p->n; i++)
		any = (left[i] = !removed[i]) || any;
	text = any ? sd_list_text(sd->unit_dir, p->names, left, p->n) : NULL;
	free(left);
	if (!text)
		return;
	sd->h->log(GX_LOG_WARNING,
		   "Configs not managed by this Gravity remain after cleaning, use --force to "
		   "remove: %s",
		   text ? text : "");
	free(text);
}

/* What update removes: upstream's rules over what the unit dir holds (p, marked). */
static void sd_mark_removed(const struct sd *sd, struct sd_present *p, const struct sd_files *files,
			    bool force, bool clean, bool *remove)
{
	sd_mark_owned(sd, p);
	for (size_t i = 0; i < p->n; i++) {
		if (clean && force && sd->rq->n_instances)
			remove[i] = true; /* upstream's "remove everything galaxy-*" */
		else if (clean && force)
			remove[i] = p->owned[i]; /* no instance of ours: only what moved away */
		else if (clean)
			remove[i] = p->owned[i];
		else
			remove[i] = p->owned[i] && !sd_files_find(files, p->names[i]);
	}
}

/* ---------------------------------------------------------------------- */
/* update --dry-run */

static const char *sd_ctl_name(const struct sd *sd)
{
	return sd->user_mode ? "systemctl --user" : "systemctl";
}

/* A removed unit file: its loaded units are stopped (targets first: disable --now). */
static int sd_plan_removed(const struct sd *sd, struct gx_plan *plan, const char *name,
			   size_t *changes, struct gx_error *err)
{
	const struct gx_host *h = sd->h;
	struct gx_strv active = { 0 };
	char *path = sd_join(sd->unit_dir, name);
	bool target = sd_ends_with(name, ".target");
	int r = path ? h->plan_remove(plan, path, "systemd unit", err)
		     : h->errorf(err, NULL, -ENOMEM, "out of memory");

	free(path);
	if (r < 0)
		return r;
	*changes += r > 0;
	r = sd_active_units(sd, name, &active, err);
	for (size_t i = 0; r == 0 && i < active.n; i++)
		r = h->plan_action(plan, GX_PLAN_STOP, active.v[i], "%s disable --now%s", sd_ctl_name(sd),
				   target ? "" : ": its unit file is removed");
	if (r == 0 && target && active.n == 0)
		r = h->plan_action(plan, GX_PLAN_REMOVE, name, "%s disable --now: it is not active",
				   sd_ctl_name(sd));
	h->strv_release(&active);
	return r == -ENOMEM ? h->errorf(err, NULL, r, "out of memory") : r;
}

/* A rendered unit: written when it changes (or with force); a target is then enabled. */
static int sd_plan_written(const struct sd *sd, struct gx_plan *plan, const struct sd_file *f,
			   bool force, size_t *changes, struct gx_error *err)
{
	const struct gx_host *h = sd->h;
	struct gx_strv active = { 0 };
	char *path = sd_join(sd->unit_dir, f->name);
	bool existed = path && access(path, F_OK) == 0;
	int r = path ? h->plan_file(plan, path, f->text, strlen(f->text), 0644, "systemd unit", err)
		     : h->errorf(err, NULL, -ENOMEM, "out of memory");

	if (r < 0)
		goto out_free;
	*changes += r > 0 || force;
	if ((r > 0 || force) && f->is_target)
		r = h->plan_action(plan, GX_PLAN_ENABLE, f->name, "%s enable %s", sd_ctl_name(sd), path);
	else if (r > 0 && existed)
		r = sd_active_units(sd, f->name, &active, err);
	else
		r = 0;
	/* systemd keeps running what a changed unit file started, until it is restarted. */
	for (size_t i = 0; r == 0 && i < active.n; i++)
		r = h->plan_action(plan, GX_PLAN_NOTE, "",
				   "%s is active: it keeps running on its old unit until restarted "
				   "(galaxyctl restart or graceful)", active.v[i]);
	if (r == -ENOMEM)
		r = h->errorf(err, NULL, r, "out of memory");
out_free:
	h->strv_release(&active);
	free(path);
	return r;
}

int sd_dry_run(const struct sd *sd, struct gx_plan *plan, bool force, bool clean,
	       struct gx_error *err)
{
	struct sd_files files = { 0 };
	struct sd_present p = { 0 };
	bool *remove = NULL;
	size_t changes = 0;
	int r = 0;

	if (!clean)
		r = sd_render_all(sd, &files, true, err);
	if (r == 0)
		r = sd_scan(sd, &p, err);
	if (r == 0 && !(remove = calloc(p.n + 1, sizeof(*remove))))
		r = sd->h->errorf(err, NULL, -ENOMEM, "out of memory");
	if (r < 0)
		goto out_free;
	sd_mark_removed(sd, &p, &files, force, clean, remove);
	for (size_t i = 0; r == 0 && i < p.n; i++)
		if (remove[i])
			r = sd_plan_removed(sd, plan, p.names[i], &changes, err);
	if (r == 0 && clean && !force && sd->rq->n_instances)
		sd_warn_left(sd, &p, remove);
	for (size_t i = 0; r == 0 && !clean && i < files.n; i++)
		r = sd_plan_written(sd, plan, &files.v[i], force, &changes, err);
	if (r == 0 && changes &&
	    sd->h->plan_action(plan, GX_PLAN_RELOAD, sd->user_mode ? "the systemd user manager"
								   : "systemd",
			       "%s daemon-reload", sd_ctl_name(sd)) < 0)
		r = sd->h->errorf(err, NULL, -ENOMEM, "out of memory");
out_free:
	free(remove);
	sd_present_release(&p);
	sd_files_release(&files);
	return r;
}

int sd_check(const struct sd *sd, struct gx_error *err)
{
	struct sd_files files = { 0 };
	int r = sd_render_all(sd, &files, false, err);

	sd_files_release(&files);
	return r;
}

int sd_update(const struct sd *sd, bool force, bool clean, struct gx_error *err)
{
	struct sd_files files = { 0 };
	struct sd_present p = { 0 };
	struct sd_call call = { 0 };
	bool changed = false, *remove = NULL;
	int r = 0;

	if (!clean)
		r = sd_render_all(sd, &files, true, err);
	if (r == 0)
		r = sd_scan(sd, &p, err);
	if (r == 0 && !(remove = calloc(p.n + 1, sizeof(*remove))))
		r = sd->h->errorf(err, NULL, -ENOMEM, "out of memory");
	if (r < 0)
		goto out_free;
	sd_mark_removed(sd, &p, &files, force, clean, remove);
	r = sd_remove_files(sd, &p, remove, &changed, err);
	if (r == 0 && clean && !force && sd->rq->n_instances)
		sd_warn_left(sd, &p, remove);
	if (r == 0 && !clean)
		r = sd_write_all(sd, &files, force, &changed, err);
	if (r == 0 && changed)
		r = sd_systemctl_l(sd, &call, NULL, err, "daemon-reload", NULL);
	else if (r == 0)
		sd->h->log(GX_LOG_DEBUG, "No service changes, daemon-reload not performed");
out_free:
	free(remove);
	sd_present_release(&p);
	sd_files_release(&files);
	return r;
}
