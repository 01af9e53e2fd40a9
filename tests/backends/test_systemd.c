/* SPDX-License-Identifier: MIT */
/* Tests of the systemd backend's pure parts: quoting, names, values, hashes, show parsing, rendering. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#include "../../backends/systemd/systemd.h"

/* ---------------------------------------------------------------------- */
/* Quoting */

typedef bool (*quote_fn)(struct sd_buf *b, const char *s);

static bool exec_first(struct sd_buf *b, const char *s)
{
	return sd_quote_exec_word(b, s, true);
}

static bool exec_later(struct sd_buf *b, const char *s)
{
	return sd_quote_exec_word(b, s, false);
}

/* s quoted by fn after prefix (what the buffer held before); NULL when refused. */
static char *quoted(quote_fn fn, const char *prefix, const char *s)
{
	struct sd_buf b = { 0 };
	char *out;

	sd_buf_add(&b, prefix);
	if (!fn(&b, s)) {
		sd_buf_release(&b);
		return NULL;
	}
	out = sd_buf_steal(&b);
	cr_assert_not_null(out);
	return out;
}

static void expect_quote(quote_fn fn, const char *prefix, const char *s, const char *want)
{
	char *got = quoted(fn, prefix, s);

	if (!want) {
		cr_expect_null(got, "%s was not refused: %s", s, got);
	} else {
		cr_expect_not_null(got, "%s was refused", s);
		if (got)
			cr_expect_str_eq(got + strlen(prefix), want, "quoting [%s]", s);
	}
	free(got);
}

Test(quote, exec_words_are_shlex_quoted_and_escaped_for_systemd)
{
	expect_quote(exec_later, "x ", "gunicorn", "gunicorn");
	expect_quote(exec_later, "x ", "--bind=unix:/a/b.sock", "--bind=unix:/a/b.sock");
	expect_quote(exec_later, "x ", "@galaxyproject/gx-it-proxy@>=0.0.6",
		     "@galaxyproject/gx-it-proxy@>=0.0.6");
	expect_quote(exec_later, "x ", "", "''");
	expect_quote(exec_later, "x ", "a b", "'a b'");
	expect_quote(exec_later, "x ", "factory()", "'factory()'");
	expect_quote(exec_later, "x ", "it's", "'it'\"'\"'s'");
	expect_quote(exec_later, "x ", "100%", "100%%");
	expect_quote(exec_later, "x ", "$HOME", "'$$HOME'");
	expect_quote(exec_later, "x ", "a\\b", "'a\\\\b'");
	expect_quote(exec_later, "x ", ";", "';'");
	expect_quote(exec_later, "x ", "tab\there", "'tab\there'");
	expect_quote(exec_later, "x ", "caf\xc3\xa9", "'caf\xc3\xa9'");
	expect_quote(exec_later, "x ", "two\nlines", NULL);
	expect_quote(exec_later, "x ", "cr\r", NULL);
	expect_quote(exec_later, "x ", "bell\a", NULL);
}

Test(quote, a_leading_exec_prefix_character_is_quoted_in_the_first_word_only)
{
	expect_quote(exec_first, "ExecStart=", "@program", "'@program'");
	expect_quote(exec_first, "ExecStart=", "-program", "'-program'");
	expect_quote(exec_first, "ExecStart=", "/usr/bin/x", "/usr/bin/x");
	expect_quote(exec_later, "ExecStart=x ", "-k", "-k");
}

Test(quote, environment_values_keep_dollars)
{
	expect_quote(sd_quote_env_value, "", "lib", "lib");
	expect_quote(sd_quote_env_value, "", "$HOME", "'$HOME'");
	expect_quote(sd_quote_env_value, "", "50%", "50%%");
	expect_quote(sd_quote_env_value, "", "", "''");
	expect_quote(sd_quote_env_value, "", "a \"b\" \\ c", "'a \"b\" \\\\ c'");
	expect_quote(sd_quote_env_value, "", "x\ny", NULL);
}

Test(quote, plain_values_escape_percent_and_refuse_control_characters)
{
	expect_quote(sd_escape_value, "", "/srv/galaxy server", "/srv/galaxy server");
	expect_quote(sd_escape_value, "", "a%i", "a%%i");
	expect_quote(sd_escape_value, "", "a\tb", NULL);
	expect_quote(sd_escape_value, "", "a\nb", NULL);
}

Test(quote, names)
{
	cr_expect(sd_env_name_ok("PATH", 4));
	cr_expect(sd_env_name_ok("GALAXY_CONFIG_OVERRIDE_x.y", 26));
	cr_expect_not(sd_env_name_ok("", 0));
	cr_expect_not(sd_env_name_ok("A B", 3));
	cr_expect_not(sd_env_name_ok("A=B", 3));
	cr_expect_not(sd_env_name_ok("A\nB", 3));
	cr_expect_not(sd_env_name_ok("A%", 2));
	cr_expect(sd_unit_name_part_ok("main"));
	cr_expect(sd_unit_name_part_ok("celery-beat"));
	cr_expect(sd_unit_name_part_ok("a_b.c:d"));
	cr_expect_not(sd_unit_name_part_ok(""));
	cr_expect_not(sd_unit_name_part_ok("my galaxy"));
	cr_expect_not(sd_unit_name_part_ok("a/b"));
	cr_expect_not(sd_unit_name_part_ok("a@b"));
}

/* ---------------------------------------------------------------------- */
/* Values */

static void expect_gb(double gb, const char *want)
{
	struct sd_buf b = { 0 };
	char *got;

	sd_format_gb(&b, gb);
	got = sd_buf_steal(&b);
	cr_expect_str_eq(got, want, "%g GB", gb);
	free(got);
}

Test(values, gigabytes_as_upstream_writes_them)
{
	expect_gb(8, "8G");
	expect_gb(16.0, "16G");
	expect_gb(1.5, "1.5G");
	expect_gb(1.25, "1.25G");
	expect_gb(0.1, "0.1G");
	expect_gb(2.3, "2.3G");
	expect_gb(0.00001, "0.00001G");
}

Test(values, the_config_hash_is_the_sha1_of_the_path)
{
	char hash[SD_HASH_LEN + 1];

	sd_path_hash("/srv/galaxy/config/galaxy.yml", hash);
	cr_expect_str_eq(hash, "afafd67317f206e912dd8c157bd05404070d1cfb");
}

Test(values, the_hash_is_found_on_its_line_as_upstream_matches_it)
{
	const char *h = "afafd67317f206e912dd8c157bd05404070d1cfb";
	char text[512], out[SD_HASH_LEN + 1];

	snprintf(text, sizeof(text), ";\n; comment\n\n; GRAVITY=%s\n\n[Unit]\n", h);
	cr_expect(sd_find_hash(text, out));
	cr_expect_str_eq(out, h);
	snprintf(text, sizeof(text), ";\t GRAVITY=%s", h);
	cr_expect(sd_find_hash(text, out));
	cr_expect_str_eq(out, h);
	/* A short hash is somebody's, but never ours. */
	cr_expect(sd_find_hash("; GRAVITY=abc123\n", out));
	cr_expect_str_eq(out, "");
	cr_expect_not(sd_find_hash("x; GRAVITY=abc\n; GRAVITY=\n;GRAVITY=ABC\n", out));
	cr_expect_not(sd_find_hash("", out));
}

/* ---------------------------------------------------------------------- */
/* systemctl show */

static const char *const show_text =
	"MainPID=4242\nNRestarts=2\nExecMainStartTimestampMonotonic=123456789\n"
	"MemoryCurrent=1048576\nExecMainStatus=0\nId=galaxy-gunicorn@0.service\n"
	"LoadState=loaded\nActiveState=active\nSubState=running\nResult=success\n"
	"\n"
	"MainPID=0\nNRestarts=0\nExecMainStartTimestampMonotonic=0\nMemoryCurrent=[not set]\n"
	"ExecMainStatus=0\nId=galaxy-nothere.service\nLoadState=not-found\n"
	"ActiveState=inactive\nSubState=dead\nResult=success\n";

Test(show, blocks_are_parsed_in_order)
{
	struct sd_unit_state st[3] = { 0 };

	cr_assert_eq(sd_parse_show(show_text, st, 3), 0);
	cr_expect_str_eq(st[0].id, "galaxy-gunicorn@0.service");
	cr_expect_eq(st[0].main_pid, 4242);
	cr_expect_eq(st[0].restarts, 2);
	cr_expect_eq(st[0].start_usec, 123456789ULL);
	cr_expect_eq(st[0].memory, 1048576);
	cr_expect_eq(sd_state_of(&st[0]), GX_STATE_RUNNING);
	cr_expect_str_eq(st[1].load_state, "not-found");
	cr_expect_eq(st[1].memory, -1);
	cr_expect_eq(sd_state_of(&st[1]), GX_STATE_UNKNOWN);
	/* No third block: nothing known. */
	cr_expect_null(st[2].id);
	cr_expect_eq(st[2].restarts, -1);
	for (int i = 0; i < 3; i++)
		sd_unit_state_release(&st[i]);
}

static enum gx_state state_of(const char *active, const char *sub)
{
	struct sd_unit_state st = { .load_state = "loaded", .active_state = (char *)active,
				    .sub_state = (char *)sub };

	return sd_state_of(&st);
}

Test(show, states_map_to_the_cores)
{
	cr_expect_eq(state_of("active", "running"), GX_STATE_RUNNING);
	cr_expect_eq(state_of("reloading", "reload"), GX_STATE_RUNNING);
	cr_expect_eq(state_of("active", "exited"), GX_STATE_EXITED);
	cr_expect_eq(state_of("activating", "start"), GX_STATE_STARTING);
	cr_expect_eq(state_of("activating", "auto-restart"), GX_STATE_BACKOFF);
	cr_expect_eq(state_of("deactivating", "stop-sigterm"), GX_STATE_STOPPING);
	cr_expect_eq(state_of("inactive", "dead"), GX_STATE_STOPPED);
	cr_expect_eq(state_of("failed", "failed"), GX_STATE_FATAL);
	cr_expect_eq(state_of("bogus", "x"), GX_STATE_UNKNOWN);
}

/* ---------------------------------------------------------------------- */
/* Rendering, through the real core and service modules */

static struct gx_test t;

static void teardown(void)
{
	gx_test_release(&t);
}

static void load_ok(const char *yaml)
{
	int r = gx_test_load(&t, yaml);

	if (r < 0) {
		char *diag = gx_test_diag_text(&t);

		cr_log_error("%s", diag);
		free(diag);
	}
	cr_assert_eq(r, 0, "load failed: %d", r);
}

static int render(bool user_mode, const char *virtual_env, struct sd_files *files,
		  struct gx_error *err)
{
	struct sd_render_opts o = {
		.user_mode = user_mode,
		.self_exe = "/opt/gravity/bin/galaxyctl",
		.manager_path = "/usr/bin:/bin",
		.virtual_env = virtual_env,
	};
	const struct gx_instance *inst = t.insts.v[0];

	return sd_render_instance(t.host, &o, inst, sd_use_instance_name(inst, t.insts.n), files,
				  err);
}

static const char *text_of(const struct sd_files *files, const char *name)
{
	const struct sd_file *f = sd_files_find(files, name);

	cr_assert_not_null(f, "no file %s", name);
	return f->text;
}

TestSuite(render, .fini = teardown);

Test(render, system_units_run_as_galaxy_user_and_group)
{
	struct sd_files files = { 0 };
	struct gx_error err = { 0 };

	load_ok("gravity:\n  process_manager: systemd\n  virtualenv: @ROOT@/venv\n"
		"  galaxy_user: gx\n  galaxy_group: gxg\ngalaxy: {}\n");
	cr_assert_eq(render(false, NULL, &files, &err), 0, "%s", err.message);
	cr_expect_eq(files.n, 4);
	cr_expect(strstr(text_of(&files, "galaxy-celery.service"),
			 "\nType=simple\nUser=gx\nGroup=gxg\nWorkingDirectory=") != NULL);
	cr_expect_not_null(sd_files_find(&files, "galaxy.target"));
	cr_expect(files.v[files.n - 1].is_target);
	sd_files_release(&files);
}

Test(render, user_units_have_no_user_line)
{
	struct sd_files files = { 0 };
	struct gx_error err = { 0 };

	load_ok("gravity:\n  process_manager: systemd\n  virtualenv: @ROOT@/venv\n"
		"  galaxy_user: gx\ngalaxy: {}\n");
	cr_assert_eq(render(true, NULL, &files, &err), 0, "%s", err.message);
	cr_expect(strstr(text_of(&files, "galaxy-gunicorn.service"),
			 "\nType=simple\n\nWorkingDirectory=") != NULL);
	sd_files_release(&files);
}

Test(render, system_units_need_galaxy_user)
{
	struct sd_files files = { 0 };
	struct gx_error err = { 0 };

	load_ok("gravity:\n  process_manager: systemd\n  virtualenv: @ROOT@/venv\ngalaxy: {}\n");
	cr_expect_eq(render(false, NULL, &files, &err), -EINVAL);
	cr_expect(strstr(err.message, "galaxy_user is required") != NULL, "%s", err.message);
	cr_expect_eq(files.n, 0);
}

Test(render, a_newline_in_the_environment_renders_nothing)
{
	struct sd_files files = { 0 };
	struct gx_error err = { 0 };

	load_ok("gravity:\n  process_manager: systemd\n  service_command_style: direct\n"
		"  virtualenv: @ROOT@/venv\n  celery:\n    environment:\n"
		"      BAD: \"a\\nb\"\ngalaxy: {}\n");
	cr_expect_eq(render(true, NULL, &files, &err), -EINVAL);
	cr_expect(strstr(err.message, "BAD") != NULL, "%s", err.message);
	cr_expect_eq(files.n, 0);
}

Test(render, the_virtualenv_is_required_unless_user_mode_has_virtual_env)
{
	struct sd_files files = { 0 };
	struct gx_error err = { 0 };

	load_ok("gravity:\n  process_manager: systemd\n  service_command_style: direct\n"
		"  galaxy_user: gx\ngalaxy: {}\n");
	cr_expect_eq(render(true, NULL, &files, &err), -ENOENT);
	cr_expect(strstr(err.message, "The `virtualenv` Gravity config option must be set") != NULL);
	cr_expect_eq(render(false, "/opt/venv", &files, &err), -ENOENT);
	cr_expect_eq(files.n, 0);
	cr_assert_eq(render(true, "/opt/venv", &files, &err), 0, "%s", err.message);
	cr_expect(strstr(text_of(&files, "galaxy-celery.service"),
			 "\nEnvironment=PATH=/opt/venv/bin/:/usr/bin:/bin\n") != NULL,
		  "%s", text_of(&files, "galaxy-celery.service"));
	sd_files_release(&files);
}

Test(render, names_with_and_without_the_instance)
{
	const struct gx_service *gunicorn;
	char *s;

	load_ok("gravity:\n  process_manager: systemd\n  instance_name: main\n"
		"  virtualenv: @ROOT@/venv\n  gunicorn:\n    - bind: a:1\n    - bind: b:2\n"
		"galaxy: {}\n");
	gunicorn = gx_test_service(&t, NULL, "gunicorn");
	cr_assert_not_null(gunicorn);
	cr_expect(sd_use_instance_name(t.insts.v[0], 1));
	cr_expect_str_eq(s = sd_target_name(t.insts.v[0], true), "galaxy-main.target");
	free(s);
	cr_expect_str_eq(s = sd_target_name(t.insts.v[0], false), "galaxy.target");
	free(s);
	cr_expect_str_eq(s = sd_unit_file_name(gunicorn, true), "galaxy-main-gunicorn@.service");
	free(s);
	cr_expect_str_eq(s = sd_unit_name(gunicorn, 1, true), "galaxy-main-gunicorn@1.service");
	free(s);
	cr_expect_str_eq(s = sd_unit_file_name(gunicorn, false), "galaxy-gunicorn@.service");
	free(s);
}

Test(render, a_celery_list_is_a_unit_per_worker)
{
	struct sd_files files = { 0 };
	struct gx_error err = { 0 };
	const char *w0, *ext, *target;

	load_ok("gravity:\n  process_manager: systemd\n  service_command_style: direct\n"
		"  virtualenv: @ROOT@/venv\n  gunicorn: {enable: false}\n  celery:\n"
		"    - queues: galaxy.internal\n      memory_limit: 2\n"
		"      environment: {WHO: internal}\n"
		"    - name: external\n      queues: galaxy.external\n      enable_beat: false\n"
		"      environment: {WHO: external}\n"
		"galaxy: {}\n");
	cr_assert_eq(render(true, NULL, &files, &err), 0, "%s", err.message);
	cr_expect_eq(files.n, 4);
	w0 = text_of(&files, "galaxy-celery0.service");
	ext = text_of(&files, "galaxy-external.service");
	cr_expect_not_null(sd_files_find(&files, "galaxy-celery-beat.service"));
	cr_expect_null(sd_files_find(&files, "galaxy-celery@.service"), "never a template");
	/* celery's %h, not systemd's: written as %%h. */
	cr_expect(strstr(w0, " --queues galaxy.internal --hostname celery0@%%h\n") != NULL, "%s", w0);
	cr_expect(strstr(ext, " --queues galaxy.external --hostname external@%%h\n") != NULL, "%s",
		  ext);
	cr_expect(strstr(w0, "\nEnvironment=WHO=internal\n") != NULL, "%s", w0);
	cr_expect(strstr(ext, "\nEnvironment=WHO=external\n") != NULL, "%s", ext);
	cr_expect(strstr(w0, "\nMemoryMax=2G\n") != NULL, "%s", w0);
	cr_expect(strstr(ext, "MemoryMax=") == NULL, "%s", ext);
	target = text_of(&files, "galaxy.target");
	cr_expect(strstr(target, "galaxy-celery0.service") != NULL, "%s", target);
	cr_expect(strstr(target, "galaxy-external.service") != NULL, "%s", target);
	sd_files_release(&files);
}
