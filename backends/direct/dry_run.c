/* SPDX-License-Identifier: MIT */
/*
 * update --dry-run for the direct backend: the directories and lock update
 * would create, and what the running manager says the same update would do
 * to each program (its "plan" request, which changes nothing).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

/* The manager's words for what happens to a program, and the plan's. */
static const struct {
	const char *word;
	enum gx_plan_verb verb;
	const char *how;
} direct_plan_words[] = {
	{ "start", GX_PLAN_START, "the direct manager starts it" },
	{ "restart", GX_PLAN_RESTART, "its command changed: the direct manager stops it and starts "
				      "it again" },
	{ "stop", GX_PLAN_STOP, "it is no longer configured: the direct manager stops and forgets it" },
	{ "add", GX_PLAN_ADD, "the direct manager takes it on" },
	{ "remove", GX_PLAN_REMOVE, "it is no longer configured and not running: the direct manager "
				    "forgets it" },
	{ "change", GX_PLAN_CHANGE, "its command changed; it is not running, and is not started" },
};

/* What update's lock needs first: the state dir, the manager's own dir, the lock file. */
static int direct_plan_lock(const struct direct_ctx *x, const struct direct_group *g,
			    struct gx_plan *plan)
{
	const struct gx_host *h = x->h;
	int r = h->plan_dir(plan, g->state_dir, "state dir", x->err);

	if (r >= 0)
		r = h->plan_dir(plan, g->paths.dir, "the direct manager's own files", x->err);
	if (r >= 0 && access(g->paths.lock, F_OK) != 0)
		r = h->plan_file(plan, g->paths.lock, "", 0, 0600,
				 "the lock that serialises galaxyctl runs", x->err);
	return r < 0 ? r : 0;
}

static int direct_plan_actions(const struct direct_ctx *x, const struct direct_group *g,
			       struct gx_plan *plan, json_t *reply)
{
	json_t *v;
	size_t i;
	int r = 0;

	json_array_foreach(json_object_get(reply, "actions"), i, v) {
		const char *name = json_string_value(json_object_get(v, "name"));
		const char *word = json_string_value(json_object_get(v, "action"));

		for (size_t k = 0; r == 0 && name && word && k < sizeof(direct_plan_words) /
								  sizeof(*direct_plan_words); k++)
			if (strcmp(word, direct_plan_words[k].word) == 0)
				r = x->h->plan_action(plan, direct_plan_words[k].verb, name, "%s",
						      direct_plan_words[k].how);
	}
	if (r == 0 && json_integer_value(json_object_get(reply, "programs_after")) == 0)
		r = x->h->plan_action(plan, GX_PLAN_STOP, "the direct manager",
				      "pid %ld, %s: no programs are left, so it exits",
				      (long)direct_client_manager_pid(&g->paths), g->state_dir);
	return r < 0 ? direct_oom(x) : 0;
}

int direct_dry_run_group(const struct direct_ctx *x, struct direct_group *g, struct gx_plan *plan)
{
	json_t *req = NULL, *reply = NULL;
	bool running = false;
	int r = direct_plan_lock(x, g, plan);

	if (r == 0)
		r = direct_connect(x, g, &running);
	if (r < 0)
		return r;
	if (!running) {
		r = x->h->plan_action(plan, GX_PLAN_NOTE, "",
				      "the direct manager is not running (%s): update starts and "
				      "stops nothing; galaxyctl start applies the config", g->state_dir);
		return r < 0 ? direct_oom(x) : 0;
	}
	r = direct_learn_path(x, g);
	if (r == 0 && !g->manager_plans)
		r = x->h->errorf(x->err, NULL, -ENOTSUP,
				 "the direct manager of %s (pid %ld) is older than update --dry-run and "
				 "cannot tell what an update would do; nothing was changed",
				 g->state_dir, (long)direct_client_manager_pid(&g->paths));
	if (r == 0)
		r = direct_update_request(x, g, x->rq->clean, true, plan, &req);
	if (r == 0)
		r = direct_call(x, g, req, 10000, &reply);
	if (r == 0)
		r = direct_plan_actions(x, g, plan, reply);
	json_decref(reply);
	return r;
}
