/* SPDX-License-Identifier: MIT */
/* Tests for core/status.c: collecting backend rows, the status table and the JSON schema. */
#include <criterion/criterion.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "status.h"

static struct gx_status st;
static char *text;
static size_t text_len;

static void status_fini(void)
{
	gx_status_release(&st);
	free(text);
	text = NULL;
	text_len = 0;
}

TestSuite(status, .fini = status_fini);

/* A row with every field unknown. */
static struct gx_status_row status_row(const char *name, enum gx_state state)
{
	return (struct gx_status_row){
		.instance = "_default_",
		.service = "gunicorn",
		.name = name,
		.state = state,
		.pid = 0,
		.uptime_s = -1,
		.restarts = -1,
		.exit_status = -1,
		.rss_kb = -1,
	};
}

static void status_add(const struct gx_status_row *row)
{
	cr_assert_eq(gx_status_add(&st, row), 0);
}

static const char *status_table(void)
{
	FILE *out = open_memstream(&text, &text_len);

	cr_assert_not_null(out);
	gx_status_print_table(&st, out);
	fclose(out);
	return text;
}

static json_t *status_json(void)
{
	FILE *out = open_memstream(&text, &text_len);
	json_error_t jerr;
	json_t *j;

	cr_assert_not_null(out);
	cr_assert_eq(gx_status_print_json(&st, out), 0);
	fclose(out);
	cr_assert(text_len > 0 && text[text_len - 1] == '\n', "no final newline: %s", text);
	j = json_loads(text, 0, &jerr);
	cr_assert_not_null(j, "not JSON (%s): %s", jerr.text, text);
	cr_assert(json_is_array(j));
	return j;
}

Test(status, state_names)
{
	static const char *const names[] = { "STARTING", "RUNNING", "BACKOFF", "STOPPING",
					     "STOPPED", "EXITED", "FATAL", "UNKNOWN" };

	for (int i = 0; i < GX_STATE_MAX; i++)
		cr_expect_str_eq(gx_state_name((enum gx_state)i), names[i]);
	cr_expect_str_eq(gx_state_name(GX_STATE_MAX), "UNKNOWN");
	cr_expect_str_eq(gx_state_name((enum gx_state)-1), "UNKNOWN");
}

Test(status, add_copies_the_row)
{
	char name[] = "gunicorn:gunicorn_0";
	struct gx_status_row row = status_row(name, GX_STATE_RUNNING);

	row.pid = 42;
	row.uptime_s = 1.5;
	row.restarts = 3;
	row.exit_status = 0;
	row.log = "/var/log/gunicorn.log";
	row.rss_kb = 2048;
	row.detail = "pid 42, uptime 0:00:01";
	status_add(&row);
	name[0] = 'X';
	cr_assert_eq(st.n, 1);
	cr_expect_str_eq(st.rows[0].name, "gunicorn:gunicorn_0");
	cr_expect_str_eq(st.rows[0].instance, "_default_");
	cr_expect_str_eq(st.rows[0].service, "gunicorn");
	cr_expect_str_eq(st.rows[0].log, "/var/log/gunicorn.log");
	cr_expect_str_eq(st.rows[0].detail, "pid 42, uptime 0:00:01");
	cr_expect_neq(st.rows[0].name, name);
	cr_expect_eq(st.rows[0].state, GX_STATE_RUNNING);
	cr_expect_eq(st.rows[0].pid, 42);
	cr_expect_float_eq(st.rows[0].uptime_s, 1.5, 1e-12);
	cr_expect_eq(st.rows[0].restarts, 3);
	cr_expect_eq(st.rows[0].exit_status, 0);
	cr_expect_eq(st.rows[0].rss_kb, 2048);
}

Test(status, add_keeps_nulls_and_grows)
{
	struct gx_status_row row = status_row(NULL, GX_STATE_STOPPED);

	row.instance = NULL;
	row.service = NULL;
	for (int i = 0; i < 50; i++) {
		row.pid = i;
		status_add(&row);
	}
	cr_assert_eq(st.n, 50);
	cr_expect_geq(st.alloc, 50);
	for (int i = 0; i < 50; i++) {
		cr_expect_null(st.rows[i].name);
		cr_expect_null(st.rows[i].instance);
		cr_expect_null(st.rows[i].log);
		cr_expect_null(st.rows[i].detail);
		cr_expect_eq(st.rows[i].pid, i);
	}
	gx_status_release(&st);
	cr_expect_eq(st.n, 0);
	cr_expect_null(st.rows);
	gx_status_release(&st);
}

Test(status, table)
{
	struct gx_status_row running = status_row("gunicorn:gunicorn_0", GX_STATE_RUNNING);
	struct gx_status_row days = status_row("celery", GX_STATE_RUNNING);
	struct gx_status_row many = status_row("celery-beat", GX_STATE_RUNNING);
	struct gx_status_row stopped = status_row("tusd", GX_STATE_STOPPED);
	struct gx_status_row fatal = status_row("reports", GX_STATE_FATAL);
	struct gx_status_row no_uptime = status_row("gx-it-proxy", GX_STATE_STARTING);

	running.pid = 123;
	running.uptime_s = 3725.9;
	days.pid = 7;
	days.uptime_s = 86400 + 3661;
	many.pid = 8;
	many.uptime_s = 3 * 86400;
	fatal.pid = 99;
	fatal.detail = "Exited too quickly (process log may have details)";
	no_uptime.pid = 5;
	status_add(&running);
	status_add(&days);
	status_add(&many);
	status_add(&stopped);
	status_add(&fatal);
	status_add(&no_uptime);
	cr_expect_str_eq(status_table(),
			 "gunicorn:gunicorn_0              RUNNING    pid 123, uptime 1:02:05\n"
			 "celery                           RUNNING    pid 7, uptime 1 day, 1:01:01\n"
			 "celery-beat                      RUNNING    pid 8, uptime 3 days, 0:00:00\n"
			 "tusd                             STOPPED   \n"
			 "reports                          FATAL      Exited too quickly (process "
			 "log may have details)\n"
			 "gx-it-proxy                      STARTING   pid 5\n");
}

Test(status, table_widens_for_long_names)
{
	const char *name = "galaxy-main-instance:gunicorn_with_a_long_name_0"; /* 48 */
	struct gx_status_row a = status_row(name, GX_STATE_EXITED);
	struct gx_status_row b = status_row("x", GX_STATE_BACKOFF);

	status_add(&a);
	status_add(&b);
	cr_expect_str_eq(status_table(),
			 "galaxy-main-instance:gunicorn_with_a_long_name_0  EXITED    \n"
			 "x                                                 BACKOFF   \n");
}

Test(status, table_of_nothing)
{
	cr_expect_str_eq(status_table(), "");
}

Test(status, json_schema)
{
	static const char *const keys[] = { "instance", "service", "name", "state", "pid",
					    "uptime_s", "restarts", "exit_status", "log", "rss_kb" };
	struct gx_status_row full = status_row("gunicorn:gunicorn_0", GX_STATE_RUNNING);
	struct gx_status_row bare = status_row("celery", GX_STATE_STOPPED);
	json_t *j, *o;
	const char *key;
	json_t *value;
	size_t k = 0;

	full.pid = 4242;
	full.uptime_s = 12.5;
	full.restarts = 2;
	full.exit_status = 0;
	full.log = "/srv/log/gunicorn.log";
	full.rss_kb = 1024;
	full.detail = "not in the JSON";
	bare.pid = -3;
	status_add(&full);
	status_add(&bare);
	j = status_json();
	cr_assert_eq(json_array_size(j), 2);

	o = json_array_get(j, 0);
	cr_assert(json_is_object(o));
	cr_expect_eq(json_object_size(o), 10);
	json_object_foreach(o, key, value) {
		cr_assert_lt(k, 10);
		cr_expect_str_eq(key, keys[k], "key %zu", k);
		k++;
	}
	cr_expect_str_eq(json_string_value(json_object_get(o, "instance")), "_default_");
	cr_expect_str_eq(json_string_value(json_object_get(o, "service")), "gunicorn");
	cr_expect_str_eq(json_string_value(json_object_get(o, "name")), "gunicorn:gunicorn_0");
	cr_expect_str_eq(json_string_value(json_object_get(o, "state")), "RUNNING");
	cr_expect(json_is_integer(json_object_get(o, "pid")));
	cr_expect_eq(json_integer_value(json_object_get(o, "pid")), 4242);
	cr_expect(json_is_number(json_object_get(o, "uptime_s")));
	cr_expect_float_eq(json_number_value(json_object_get(o, "uptime_s")), 12.5, 1e-9);
	cr_expect_eq(json_integer_value(json_object_get(o, "restarts")), 2);
	cr_expect(json_is_integer(json_object_get(o, "exit_status")));
	cr_expect_eq(json_integer_value(json_object_get(o, "exit_status")), 0);
	cr_expect_str_eq(json_string_value(json_object_get(o, "log")), "/srv/log/gunicorn.log");
	cr_expect_eq(json_integer_value(json_object_get(o, "rss_kb")), 1024);
	cr_expect_null(json_object_get(o, "detail"));

	o = json_array_get(j, 1);
	cr_expect_eq(json_object_size(o), 9, "rss_kb must be left out when unknown");
	cr_expect_null(json_object_get(o, "rss_kb"));
	cr_expect_str_eq(json_string_value(json_object_get(o, "state")), "STOPPED");
	cr_expect(json_is_integer(json_object_get(o, "pid")));
	cr_expect_eq(json_integer_value(json_object_get(o, "pid")), 0);
	cr_expect(json_is_null(json_object_get(o, "uptime_s")));
	cr_expect(json_is_null(json_object_get(o, "restarts")));
	cr_expect(json_is_null(json_object_get(o, "exit_status")));
	cr_expect(json_is_null(json_object_get(o, "log")));
	json_decref(j);
}

Test(status, json_nulls_for_missing_names)
{
	struct gx_status_row row = status_row(NULL, GX_STATE_UNKNOWN);
	json_t *j, *o;

	row.instance = NULL;
	row.service = NULL;
	status_add(&row);
	j = status_json();
	o = json_array_get(j, 0);
	cr_expect(json_is_null(json_object_get(o, "instance")));
	cr_expect(json_is_null(json_object_get(o, "service")));
	cr_expect(json_is_null(json_object_get(o, "name")));
	cr_expect_str_eq(json_string_value(json_object_get(o, "state")), "STOPPED",
			 "the schema's seven states only: what a backend cannot tell is STOPPED");
	json_decref(j);
}

Test(status, json_exact_text)
{
	struct gx_status_row row = status_row("celery", GX_STATE_EXITED);

	row.exit_status = 1;
	row.uptime_s = 0;
	status_add(&row);
	json_decref(status_json());
	cr_expect_str_eq(text, "[\n"
			       "  {\n"
			       "    \"instance\": \"_default_\",\n"
			       "    \"service\": \"gunicorn\",\n"
			       "    \"name\": \"celery\",\n"
			       "    \"state\": \"EXITED\",\n"
			       "    \"pid\": 0,\n"
			       "    \"uptime_s\": 0.0,\n"
			       "    \"restarts\": null,\n"
			       "    \"exit_status\": 1,\n"
			       "    \"log\": null\n"
			       "  }\n"
			       "]\n");
}

Test(status, json_of_nothing)
{
	json_t *j = status_json();

	cr_expect_eq(json_array_size(j), 0);
	cr_expect_str_eq(text, "[]\n");
	json_decref(j);
}

Test(status, json_write_error)
{
	FILE *full = fopen("/dev/full", "w");
	struct gx_status_row row = status_row("celery", GX_STATE_RUNNING);

	cr_assert_not_null(full);
	setvbuf(full, NULL, _IONBF, 0);
	status_add(&row);
	cr_expect_eq(gx_status_print_json(&st, full), -EIO);
	fclose(full);
}

/* status exits 3 as supervisorctl's does: for STOPPED, EXITED, FATAL, UNKNOWN; not on the way up. */
Test(status, stopped_states_as_supervisorctl)
{
	static const enum gx_state up[] = { GX_STATE_STARTING, GX_STATE_RUNNING, GX_STATE_BACKOFF,
					     GX_STATE_STOPPING };
	static const enum gx_state down[] = { GX_STATE_STOPPED, GX_STATE_EXITED, GX_STATE_FATAL,
					      GX_STATE_UNKNOWN };

	cr_expect(!gx_status_any_stopped(&st), "no rows");
	for (size_t i = 0; i < sizeof(up) / sizeof(up[0]); i++) {
		struct gx_status_row r = status_row("gunicorn", up[i]);

		status_add(&r);
	}
	cr_expect(!gx_status_any_stopped(&st), "STARTING, RUNNING, BACKOFF, STOPPING");
	for (size_t i = 0; i < sizeof(down) / sizeof(down[0]); i++) {
		gx_status_release(&st);
		struct gx_status_row a = status_row("gunicorn", GX_STATE_STARTING);
		struct gx_status_row b = status_row("celery", down[i]);

		status_add(&a);
		status_add(&b);
		cr_expect(gx_status_any_stopped(&st), "%s", gx_state_name(down[i]));
	}
}
