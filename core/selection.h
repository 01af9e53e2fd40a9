/* SPDX-License-Identifier: MIT */
/* The names on the command line, resolved into instances, services and single processes. */
#ifndef GX_SELECTION_H
#define GX_SELECTION_H

#include <stdbool.h>
#include <stddef.h>

#include "galaxyctl/plugin.h"
#include "instance.h"
#include "strv.h"

/* One process named alone, by the name status prints for it ("gunicorn:gunicorn_1"). */
struct gx_selection_proc {
	const struct gx_instance *inst;
	const struct gx_service *svc;
	unsigned index;
};

struct gx_selection {
	bool *instances;       /* per instance of insts: named on the command line */
	size_t n_instances;    /* how many are */
	const char **services; /* service (or type) names, borrowed from argv or the services */
	size_t n_services;
	struct gx_selection_proc *procs;
	size_t n_procs;
};

/*
 * The process names of one service, as its instance's backend prints them
 * (pushed onto out in process order); 0 with nothing pushed when the
 * backend has none.  A negative errno on failure.
 */
typedef int (*gx_selection_proc_names)(void *ctx, const struct gx_service *svc,
				       struct gx_strv *out);

/*
 * Resolve names as upstream splits them into instances and services; beyond
 * upstream, a name with glob characters (upstream issue #63) selects every
 * instance, service and process name it matches (none is an error listing
 * the names there are), and a process name selects that process alone.
 * type_names: the loaded service types (a type name selects its services).
 * -EINVAL (said on stderr) when nothing is selected by the names given,
 * -ENOMEM.  sel is usable (and must be released) either way.
 */
int gx_selection_resolve(struct gx_selection *sel, const struct gx_instances *insts,
			 const char *const *type_names, size_t n_types,
			 gx_selection_proc_names proc_names, void *ctx, char *const *names,
			 size_t n);
void gx_selection_release(struct gx_selection *sel);

/* Anything named at all. */
bool gx_selection_named(const struct gx_selection *sel);
/* Instance i of insts concerns the command: named, or no instance is. */
bool gx_selection_instance_wanted(const struct gx_selection *sel, size_t i);
/* A named service name (or type name) that means svc. */
bool gx_selection_service_matches(const struct gx_service *svc, const char *name);

/*
 * Process i of svc is among rq's targets: no targets, a whole-instance
 * target of its instance, a target of svc with all its processes, or of
 * process i (rq->target_process).
 */
bool gx_request_has_process(const struct gx_request *rq, const struct gx_service *svc,
			    unsigned i);

#endif
