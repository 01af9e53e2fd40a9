/* SPDX-License-Identifier: MIT */
/* The names on the command line, resolved into instances, services and single processes. */
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host.h"
#include "selection.h"

struct selection_run {
	struct gx_selection *sel;
	const struct gx_instances *insts;
	gx_selection_proc_names proc_names;
	void *ctx;
};

static void selection_add_instance(struct selection_run *s, const struct gx_instance *inst)
{
	for (size_t k = 0; k < s->insts->n; k++)
		if (s->insts->v[k] == inst && !s->sel->instances[k]) {
			s->sel->instances[k] = true;
			s->sel->n_instances++;
		}
}

static void selection_add_service(struct gx_selection *sel, const char *name)
{
	for (size_t k = 0; k < sel->n_services; k++)
		if (strcmp(sel->services[k], name) == 0)
			return;
	sel->services[sel->n_services++] = name;
}

static int selection_add_proc(struct gx_selection *sel, const struct gx_service *svc,
			      unsigned index)
{
	struct gx_selection_proc *grown;

	for (size_t k = 0; k < sel->n_procs; k++)
		if (sel->procs[k].svc == svc && sel->procs[k].index == index)
			return 0;
	grown = realloc(sel->procs, (sel->n_procs + 1) * sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	sel->procs = grown;
	sel->procs[sel->n_procs++] = (struct gx_selection_proc){ svc->instance, svc, index };
	return 0;
}

/*
 * Every process whose name the pattern matches (fnmatch) or equals
 * (exact): 1 when any did, 0 when none, a negative errno.
 */
static int selection_match_procs(struct selection_run *s, const char *pattern, bool exact)
{
	int found = 0, r = 0;

	for (size_t i = 0; r >= 0 && s->proc_names && i < s->insts->n; i++) {
		const struct gx_instance *inst = s->insts->v[i];

		for (size_t k = 0; r >= 0 && k < inst->n_services; k++) {
			struct gx_strv names = { 0 };

			r = s->proc_names(s->ctx, inst->services[k], &names);
			for (size_t p = 0; r >= 0 && p < names.n && p < inst->services[k]->count; p++) {
				bool hit = exact ? strcmp(names.v[p], pattern) == 0
						 : fnmatch(pattern, names.v[p], 0) == 0;

				if (hit) {
					found = 1;
					r = selection_add_proc(s->sel, inst->services[k], (unsigned)p);
				}
			}
			gx_strv_release(&names);
		}
	}
	return r < 0 ? r : found;
}

/* Every instance, service and process name the pattern matches: 1 when any, 0, -errno. */
static int selection_match_pattern(struct selection_run *s, const char *pattern)
{
	bool any = false;
	int r;

	for (size_t i = 0; i < s->insts->n; i++) {
		const struct gx_instance *inst = s->insts->v[i];

		if (fnmatch(pattern, inst->name, 0) == 0) {
			selection_add_instance(s, inst);
			any = true;
		}
		for (size_t k = 0; k < inst->n_services; k++)
			if (fnmatch(pattern, inst->services[k]->name, 0) == 0) {
				selection_add_service(s->sel, inst->services[k]->name);
				any = true;
			}
	}
	r = selection_match_procs(s, pattern, false);
	return r < 0 ? r : any || r;
}

static bool selection_is_service_name(const struct gx_instances *insts,
				      const char *const *type_names, size_t n_types,
				      const char *name)
{
	for (size_t i = 0; i < n_types; i++)
		if (strcmp(type_names[i], name) == 0)
			return true;
	for (size_t i = 0; i < insts->n; i++)
		if (gx_instance_service(insts->v[i], name))
			return true;
	return false;
}

/* Was service k of instance i's name already listed, by an earlier service? */
static bool selection_listed_before(const struct gx_instances *insts, size_t i, size_t k)
{
	const char *name = insts->v[i]->services[k]->name;

	for (size_t j = 0; j <= i; j++) {
		size_t end = j < i ? insts->v[j]->n_services : k;

		for (size_t t = 0; t < end; t++)
			if (strcmp(insts->v[j]->services[t]->name, name) == 0)
				return true;
	}
	return false;
}

/* The names a pattern could have matched, for its error: instances, then services. */
static void selection_print_known(const struct gx_instances *insts)
{
	fputs("galaxyctl: the names there are:", stderr);
	for (size_t i = 0; i < insts->n; i++)
		if (!insts->v[i]->name_is_default)
			fprintf(stderr, " %s (instance)", insts->v[i]->name);
	for (size_t i = 0; i < insts->n; i++)
		for (size_t k = 0; k < insts->v[i]->n_services; k++)
			if (!selection_listed_before(insts, i, k))
				fprintf(stderr, " %s", insts->v[i]->services[k]->name);
	fputc('\n', stderr);
}

static int selection_alloc(struct gx_selection *sel, const struct gx_instances *insts, size_t n)
{
	size_t max = n + 1;

	for (size_t i = 0; i < insts->n; i++)
		max += insts->v[i]->n_services;
	memset(sel, 0, sizeof(*sel));
	sel->instances = calloc(insts->n + 1, sizeof(*sel->instances));
	sel->services = calloc(max, sizeof(*sel->services));
	return sel->instances && sel->services ? 0 : -ENOMEM;
}

/* One name: 0, -EINVAL when a pattern matched nothing (said), -ENOMEM. */
static int selection_resolve_one(struct selection_run *s, const char *const *type_names,
				 size_t n_types, const char *name)
{
	struct gx_instance *inst = gx_instances_find(s->insts, name);
	int r;

	if (inst) {
		selection_add_instance(s, inst);
		return 0;
	}
	if (strpbrk(name, "*?[")) {
		r = selection_match_pattern(s, name);
		if (r == 0) {
			gx_log(GX_LOG_ERROR, "No instance or service name matches '%s'", name);
			selection_print_known(s->insts);
			return -EINVAL;
		}
		return r < 0 ? r : 0;
	}
	if (selection_is_service_name(s->insts, type_names, n_types, name)) {
		selection_add_service(s->sel, name);
		return 0;
	}
	r = selection_match_procs(s, name, true);
	if (r == 0)
		gx_log(GX_LOG_WARNING, "Not a known instance or service name: %s", name);
	return r < 0 ? r : 0;
}

int gx_selection_resolve(struct gx_selection *sel, const struct gx_instances *insts,
			 const char *const *type_names, size_t n_types,
			 gx_selection_proc_names proc_names, void *ctx, char *const *names,
			 size_t n)
{
	struct selection_run s = { sel, insts, proc_names, ctx };
	int r = selection_alloc(sel, insts, n);

	for (size_t i = 0; r == 0 && i < n; i++)
		r = selection_resolve_one(&s, type_names, n_types, names[i]);
	if (r == 0 && n > 0 && !gx_selection_named(sel)) {
		gx_log(GX_LOG_ERROR, "No provided names are known instance or service names");
		r = -EINVAL;
	}
	return r;
}

void gx_selection_release(struct gx_selection *sel)
{
	free(sel->instances);
	free(sel->services);
	free(sel->procs);
	memset(sel, 0, sizeof(*sel));
}

bool gx_selection_named(const struct gx_selection *sel)
{
	return sel->n_instances > 0 || sel->n_services > 0 || sel->n_procs > 0;
}

bool gx_selection_instance_wanted(const struct gx_selection *sel, size_t i)
{
	return sel->n_instances == 0 || sel->instances[i];
}

bool gx_selection_service_matches(const struct gx_service *svc, const char *name)
{
	return strcmp(svc->name, name) == 0 || strcmp(svc->type->name, name) == 0 ||
	       strcmp(svc->config_type, name) == 0;
}

bool gx_request_has_process(const struct gx_request *rq, const struct gx_service *svc,
			    unsigned i)
{
	if (rq->n_targets == 0)
		return true;
	for (size_t t = 0; t < rq->n_targets; t++) {
		const struct gx_target *tg = &rq->targets[t];
		long p = rq->target_process ? rq->target_process[t] : -1;

		if (tg->instance != svc->instance || (tg->service && tg->service != svc))
			continue;
		if (!tg->service || p < 0 || (unsigned long)p == i)
			return true;
	}
	return false;
}
