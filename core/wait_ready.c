/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "status.h"
#include "wait_ready.h"

/* One probe's bound: a check that hangs must not eat the whole timeout. */
#define WAIT_PROBE_S 5.0

/* The process index of row k among the rows of its service (rows come in process order). */
static unsigned wait_process_index(const struct gx_status *st, size_t k)
{
	unsigned i = 0;

	for (size_t j = 0; j < k; j++)
		i += strcmp(st->rows[j].instance, st->rows[k].instance) == 0 &&
		     strcmp(st->rows[j].service, st->rows[k].service) == 0;
	return i;
}

/* Why row k is not ready, into why; "" when it is. */
static void wait_row(const struct gx_host *h, const struct gx_instances *insts,
		     const struct gx_status *st, size_t k, char *why, size_t len)
{
	const struct gx_status_entry *row = &st->rows[k];
	const struct gx_instance *inst = gx_instances_find(insts, row->instance);
	const struct gx_service *svc = inst ? gx_instance_service(inst, row->service) : NULL;
	unsigned i = wait_process_index(st, k);
	struct gx_error err = { 0 };

	why[0] = '\0';
	if (row->state != GX_STATE_RUNNING) {
		snprintf(why, len, "%s", gx_state_name(row->state));
		return;
	}
	if (!svc || !svc->type->ready || i >= svc->count)
		return;
	if (svc->type->ready(h, svc, i, WAIT_PROBE_S, &err) != 0)
		snprintf(why, len, "RUNNING, not ready: %.400s",
			 err.message[0] ? err.message : "its readiness check fails");
}

int gx_wait_check(const struct gx_host *h, const struct gx_instances *insts,
		  const struct gx_status *st, char **not_ready)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	bool any = false, fatal = false;

	*not_ready = NULL;
	if (!out)
		return -ENOMEM;
	for (size_t k = 0; k < st->n; k++) {
		char why[512];

		wait_row(h, insts, st, k, why, sizeof(why));
		if (why[0])
			fprintf(out, "%s%s (%s)", any ? ", " : "", st->rows[k].name, why);
		any = any || why[0];
		fatal = fatal || st->rows[k].state == GX_STATE_FATAL;
	}
	if (fclose(out) != 0 || !text) {
		free(text);
		return -ENOMEM;
	}
	if (!any) {
		free(text);
		return 0;
	}
	*not_ready = text;
	return fatal ? -ECANCELED : -EAGAIN;
}
