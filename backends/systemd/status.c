/* SPDX-License-Identifier: MIT */
/* status: what `systemctl show` says of each process's unit, as rows in the core's schema. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "systemd.h"

/* The properties asked for, in one -p argument. */
#define SD_SHOW_PROPERTIES                                                                \
	"Id,LoadState,ActiveState,SubState,Result,MainPID,ExecMainStartTimestampMonotonic," \
	"NRestarts,MemoryCurrent,ExecMainStatus"

void sd_unit_state_release(struct sd_unit_state *st)
{
	free(st->id);
	free(st->load_state);
	free(st->active_state);
	free(st->sub_state);
	free(st->result);
	memset(st, 0, sizeof(*st));
	st->restarts = -1;
	st->memory = -1;
	st->exit_status = -1;
}

/* A number, or fallback for "[not set]", "infinity" and other words. */
static long long sd_number(const char *value, long long fallback)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(value, &end, 10);
	if (errno || end == value || *end)
		return fallback;
	return v;
}

static int sd_set_str(char **field, const char *value)
{
	char *copy = strdup(value);

	if (!copy)
		return -ENOMEM;
	free(*field);
	*field = copy;
	return 0;
}

static int sd_parse_property(struct sd_unit_state *st, const char *key, const char *value)
{
	if (strcmp(key, "Id") == 0)
		return sd_set_str(&st->id, value);
	if (strcmp(key, "LoadState") == 0)
		return sd_set_str(&st->load_state, value);
	if (strcmp(key, "ActiveState") == 0)
		return sd_set_str(&st->active_state, value);
	if (strcmp(key, "SubState") == 0)
		return sd_set_str(&st->sub_state, value);
	if (strcmp(key, "Result") == 0)
		return sd_set_str(&st->result, value);
	if (strcmp(key, "MainPID") == 0)
		st->main_pid = (long)sd_number(value, 0);
	else if (strcmp(key, "ExecMainStartTimestampMonotonic") == 0)
		st->start_usec = (unsigned long long)sd_number(value, 0);
	else if (strcmp(key, "NRestarts") == 0)
		st->restarts = (long)sd_number(value, -1);
	else if (strcmp(key, "MemoryCurrent") == 0)
		st->memory = sd_number(value, -1); /* "[not set]", or 2^64-1 beyond LLONG_MAX */
	else if (strcmp(key, "ExecMainStatus") == 0)
		st->exit_status = (int)sd_number(value, -1);
	return 0;
}

int sd_parse_show(const char *text, struct sd_unit_state *states, size_t n)
{
	size_t i = 0;
	bool in_block = false;

	for (size_t k = 0; k < n; k++)
		sd_unit_state_release(&states[k]);
	for (const char *line = text; line && *line && i < n;) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);
		const char *eq = memchr(line, '=', len);

		if (len == 0) {
			/* A blank line ends a unit's block. */
			if (in_block)
				i++;
			in_block = false;
		} else if (eq) {
			char *key = strndup(line, (size_t)(eq - line));
			char *value = strndup(eq + 1, len - (size_t)(eq - line) - 1);
			int r = key && value ? sd_parse_property(&states[i], key, value) : -ENOMEM;

			free(key);
			free(value);
			if (r < 0)
				return r;
			in_block = true;
		}
		line = end ? end + 1 : NULL;
	}
	return 0;
}

enum gx_state sd_state_of(const struct sd_unit_state *st)
{
	const char *active = st->active_state ? st->active_state : "";
	const char *sub = st->sub_state ? st->sub_state : "";

	if (st->load_state && strcmp(st->load_state, "loaded") != 0)
		return GX_STATE_UNKNOWN;
	if (strcmp(active, "active") == 0)
		return strcmp(sub, "exited") == 0 ? GX_STATE_EXITED : GX_STATE_RUNNING;
	if (strcmp(active, "reloading") == 0)
		return GX_STATE_RUNNING;
	if (strcmp(active, "activating") == 0)
		return strcmp(sub, "auto-restart") == 0 ? GX_STATE_BACKOFF : GX_STATE_STARTING;
	if (strcmp(active, "deactivating") == 0)
		return GX_STATE_STOPPING;
	if (strcmp(active, "inactive") == 0 || strcmp(active, "maintenance") == 0)
		return GX_STATE_STOPPED;
	if (strcmp(active, "failed") == 0)
		return GX_STATE_FATAL;
	return GX_STATE_UNKNOWN;
}

int sd_show_units(const struct sd *sd, const struct gx_strv *units, struct sd_unit_state *states,
		  struct gx_error *err)
{
	const struct gx_host *h = sd->h;
	struct sd_call call = { .capture = true };
	struct gx_strv args = { 0 };
	char *text = NULL;
	int r;

	for (size_t i = 0; i < units->n; i++)
		sd_unit_state_release(&states[i]);
	if (units->n == 0)
		return 0;
	r = h->strv_push(&args, "show");
	if (r == 0)
		r = h->strv_push(&args, "-p");
	if (r == 0)
		r = h->strv_push(&args, SD_SHOW_PROPERTIES);
	for (size_t i = 0; r == 0 && i < units->n; i++)
		r = h->strv_push(&args, units->v[i]);
	if (r < 0)
		r = h->errorf(err, NULL, r, "out of memory");
	else
		r = sd_systemctl(sd, &call, &args, &text, NULL, err);
	h->strv_release(&args);
	if (r == 0 && sd_parse_show(text, states, units->n) < 0)
		r = h->errorf(err, NULL, -ENOMEM, "out of memory");
	free(text);
	return r;
}

/* ---------------------------------------------------------------------- */
/* Rows */

static double sd_uptime(const struct sd_unit_state *st)
{
	struct timespec now;
	unsigned long long now_usec;

	if (!st->start_usec || clock_gettime(CLOCK_MONOTONIC, &now) < 0)
		return -1;
	now_usec = (unsigned long long)now.tv_sec * 1000000ULL + (unsigned long long)now.tv_nsec / 1000;
	return now_usec > st->start_usec ? (double)(now_usec - st->start_usec) / 1e6 : 0;
}

static int sd_add_row(const struct sd *sd, const struct gx_service *svc, const char *unit,
		      const struct sd_unit_state *st, struct gx_status *out)
{
	enum gx_state state = sd_state_of(st);
	bool running = state == GX_STATE_RUNNING || state == GX_STATE_STOPPING;
	char detail[256] = "";
	struct gx_status_row row = {
		.instance = svc->instance->name,
		.service = svc->name,
		.name = unit,
		.state = state,
		.pid = st->main_pid,
		.uptime_s = running ? sd_uptime(st) : -1,
		.restarts = st->restarts,
		.exit_status = running || !st->start_usec ? -1 : st->exit_status,
		.rss_kb = st->memory >= 0 ? (long)(st->memory / 1024) : -1,
	};

	if (st->load_state && strcmp(st->load_state, "not-found") == 0)
		snprintf(detail, sizeof(detail), "unit not found (run `galaxyctl update`)");
	else if (!running)
		snprintf(detail, sizeof(detail), "%s (%s)%s%s",
			 st->active_state ? st->active_state : "unknown",
			 st->sub_state ? st->sub_state : "unknown",
			 st->result && strcmp(st->result, "success") != 0 ? ", result: " : "",
			 st->result && strcmp(st->result, "success") != 0 ? st->result : "");
	row.detail = detail[0] ? detail : NULL;
	return sd->h->status_add(out, &row);
}

struct sd_status_ctx {
	struct gx_status *out;
};

static int sd_status_service(const struct sd *sd, const struct gx_service *svc, void *data,
			     struct gx_error *err)
{
	struct sd_status_ctx *ctx = data;
	struct gx_strv units = { 0 };
	struct sd_unit_state *states;
	int r;

	r = sd_push_selected_units(sd, svc, &units);
	states = calloc(units.n + 1, sizeof(*states));
	if (r < 0 || !states) {
		sd->h->strv_release(&units);
		free(states);
		return sd->h->errorf(err, NULL, -ENOMEM, "out of memory");
	}
	r = sd_show_units(sd, &units, states, err);
	for (size_t i = 0; r == 0 && i < units.n; i++)
		if (sd_add_row(sd, svc, units.v[i], &states[i], ctx->out) < 0)
			r = sd->h->errorf(err, NULL, -ENOMEM, "out of memory");
	for (size_t i = 0; i < units.n; i++)
		sd_unit_state_release(&states[i]);
	free(states);
	sd->h->strv_release(&units);
	return r;
}

int sd_status(const struct sd *sd, struct gx_status *st, struct gx_error *err)
{
	struct sd_status_ctx ctx = { .out = st };

	return sd_for_each_service(sd, sd_status_service, &ctx, err);
}
