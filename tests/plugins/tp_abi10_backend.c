/* SPDX-License-Identifier: MIT */
/*
 * Test plugin: backend "vintage", as a module built against ABI 1.0 is:
 * its record says 1.0, and its gx_backend had nothing after pm.  update
 * writes <state_dir>/vintage.txt with each selected service's command, status
 * gives one STOPPED row per service.  The bytes after pm, where a 1.0
 * module's struct has ended, hold traps for the slots that came later
 * (check, process_names, plan): a core that reads one past the module's
 * minor calls it, and the trap says so on stderr and fails the command.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <galaxyctl/plugin.h>

/* Where 1.0's gx_backend ended: the traps below sit past it. */
_Static_assert(offsetof(struct gx_backend, check) ==
		       offsetof(struct gx_backend, pm) + sizeof(void *),
	       "check is not the first slot after 1.0's gx_backend");
_Static_assert(sizeof(struct gx_module) == 5 * sizeof(void *), "gx_module is not 1.0's");

static int tp_abi10_trap(const struct gx_host *h, const char *slot, struct gx_error *err)
{
	h->log(GX_LOG_ERROR, "tp_abi10_backend: the core called gx_backend.%s, "
	       "a slot newer than this module's ABI 1.0", slot);
	return h->errorf(err, NULL, -EPROTO, "gx_backend.%s called on an ABI 1.0 module", slot);
}

static int tp_abi10_check(const struct gx_host *h, const struct gx_request *rq,
			  struct gx_error *err)
{
	return tp_abi10_trap(h, "check", err);
}

static int tp_abi10_process_names(const struct gx_host *h, const struct gx_request *rq,
				  const struct gx_service *svc, struct gx_strv *out)
{
	struct gx_error err = { 0 };

	return tp_abi10_trap(h, "process_names", &err);
}

static int tp_abi10_plan(const struct gx_host *h, const struct gx_request *rq,
			 struct gx_plan *plan, struct gx_error *err)
{
	return tp_abi10_trap(h, "plan", err);
}

/* Is svc among rq's targets (all when there are none)?  1.0 had no request_has_process. */
static int tp_abi10_selected(const struct gx_request *rq, const struct gx_service *svc)
{
	for (size_t i = 0; i < rq->n_targets; i++)
		if (rq->targets[i].instance == svc->instance &&
		    (!rq->targets[i].service || rq->targets[i].service == svc))
			return 1;
	return rq->n_targets == 0;
}

/* One line per process: "SERVICE: WORD WORD ...", the command as the core completes it. */
static int tp_abi10_render(const struct gx_host *h, const struct gx_instance *inst, FILE *f,
			   struct gx_error *err)
{
	for (size_t s = 0; s < inst->n_services; s++) {
		const struct gx_service *svc = inst->services[s];

		for (unsigned i = 0; i < svc->count; i++) {
			struct gx_strv argv = { 0 };
			int r = h->service_argv(svc, i, &argv, err);

			if (r < 0) {
				h->strv_release(&argv);
				return r;
			}
			fprintf(f, "%s:", svc->name);
			for (size_t k = 0; k < argv.n; k++)
				fprintf(f, " %s", argv.v[k]);
			fputc('\n', f);
			h->strv_release(&argv);
		}
	}
	return 0;
}

static int tp_abi10_update(const struct gx_host *h, const struct gx_request *rq,
			   struct gx_error *err)
{
	for (size_t n = 0; n < rq->n_instances; n++) {
		const struct gx_instance *inst = rq->instances[n];
		char *text = NULL, *path = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&text, &len);
		int r;

		if (!f)
			return h->errorf(err, NULL, -ENOMEM, "out of memory");
		r = tp_abi10_render(h, inst, f, err);
		if (fclose(f) != 0 && r == 0)
			r = h->errorf(err, NULL, -ENOMEM, "out of memory");
		if (r == 0 && asprintf(&path, "%s/vintage.txt", inst->state_dir) < 0) {
			path = NULL;
			r = h->errorf(err, NULL, -ENOMEM, "out of memory");
		}
		if (r == 0)
			r = h->write_file(path, text, len, 0644, err);
		free(path);
		free(text);
		if (r < 0)
			return r;
	}
	return 0;
}

static int tp_abi10_status(const struct gx_host *h, const struct gx_request *rq,
			   struct gx_status *st, struct gx_error *err)
{
	for (size_t n = 0; n < rq->n_instances; n++) {
		const struct gx_instance *inst = rq->instances[n];

		for (size_t s = 0; s < inst->n_services; s++) {
			const struct gx_service *svc = inst->services[s];
			struct gx_status_row row = {
				.instance = inst->name,
				.service = svc->name,
				.name = svc->name,
				.state = GX_STATE_STOPPED,
				.uptime_s = -1,
				.restarts = -1,
				.exit_status = -1,
				.rss_kb = -1,
				.detail = "vintage",
			};

			if (tp_abi10_selected(rq, svc) && h->status_add(st, &row) < 0)
				return h->errorf(err, NULL, -ENOMEM, "out of memory");
		}
	}
	return 0;
}

static const struct gx_backend tp_abi10_backend = {
	.name = "vintage",
	.update = tp_abi10_update,
	.status = tp_abi10_status,
	/* Past the end of 1.0's struct: */
	.check = tp_abi10_check,
	.process_names = tp_abi10_process_names,
	.plan = tp_abi10_plan,
};

const struct gx_module gx_module = {
	.abi_major = 1,
	.abi_minor = 0,
	.size = sizeof(struct gx_module),
	.name = "tp_abi10_backend",
	.backend = &tp_abi10_backend,
};
