/* SPDX-License-Identifier: MIT */
/* Tests of the supervisor backend's pure parts: quoting, names, file rendering and XML-RPC encoding. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../backends/supervisor/sv.h"
#include "harness.h"

/* ---------------------------------------------------------------------- */
/* Helpers */

/* A command word as written, or NULL when refused (heap). */
static char *word(const char *w)
{
	struct sv_buf b = { 0 };
	const char *why = NULL;

	if (sv_put_command_word(&b, w, false, &why) < 0) {
		cr_assert_not_null(why);
		sv_buf_release(&b);
		return NULL;
	}
	return sv_buf_steal(&b);
}

static char *env_value(const char *v, const char *raw_tail)
{
	struct sv_buf b = { 0 };
	const char *why = NULL;

	if (sv_put_env_value(&b, v, raw_tail, &why) < 0) {
		cr_assert_not_null(why);
		sv_buf_release(&b);
		return NULL;
	}
	return sv_buf_steal(&b);
}

static void expect_word(const char *in, const char *want)
{
	char *got = word(in);

	if (!want)
		cr_expect_null(got, "word [%s] should be refused, got [%s]", in, got);
	else
		cr_expect_str_eq(got ? got : "(refused)", want, "word [%s]", in);
	free(got);
}

static void expect_env(const char *in, const char *tail, const char *want)
{
	char *got = env_value(in, tail);

	if (!want)
		cr_expect_null(got, "value [%s] should be refused, got [%s]", in, got);
	else
		cr_expect_str_eq(got ? got : "(refused)", want, "value [%s]", in);
	free(got);
}

/* ---------------------------------------------------------------------- */
/* Quoting */

Test(quote, command_words_follow_shlex_quote_and_escape_percent)
{
	expect_word("plain", "plain");
	expect_word("--workers=1", "--workers=1");
	expect_word("/a/b.c:d,e@f+g", "/a/b.c:d,e@f+g");
	expect_word("@galaxyproject/gx-it-proxy@>=0.0.6", "@galaxyproject/gx-it-proxy@>=0.0.6");
	expect_word("", "''");
	expect_word("a b", "'a b'");
	expect_word("galaxy.webapps.galaxy.fast_factory:factory()",
		    "'galaxy.webapps.galaxy.fast_factory:factory()'");
	expect_word("it's", "'it'\"'\"'s'");
	expect_word("100%", "100%%");
	expect_word("50% off", "'50%% off'");
	expect_word("$HOME", "'$HOME'");
	expect_word("tab\there", "'tab\there'");
}

Test(quote, command_words_never_start_an_inline_comment)
{
	/* ';' or '#' after whitespace would end the ini value there. */
	expect_word("a ;b", "'a '\\;'b'");
	expect_word("a #b", "'a '\\#'b'");
	expect_word("a\t#b", "'a\t'\\#'b'");
	expect_word(";x", "';x'");
	expect_word("#x", "'#x'");
	expect_word("a;b#c", "'a;b#c'");
	expect_word("odd ;name #1 50% it's", "'odd '\\;'name '\\#'1 50%% it'\"'\"'s'");
}

Test(quote, command_words_that_cannot_be_written)
{
	expect_word("two\nlines", NULL);
	expect_word("cr\rhere", NULL);
	expect_word("a %(here)s b", NULL);
}

Test(quote, raw_words_are_left_alone)
{
	struct sv_buf b = { 0 };
	const char *why = NULL;
	char *s;

	cr_assert_eq(sv_put_command_word(&b, "%(process_num)d", true, &why), 0);
	s = sv_buf_steal(&b);
	cr_expect_str_eq(s, "%(process_num)d");
	free(s);
}

Test(quote, environment_values)
{
	expect_env("lib", NULL, "lib");
	expect_env("/srv/galaxy/config/galaxy.yml", NULL, "/srv/galaxy/config/galaxy.yml");
	expect_env("lib:extra", NULL, "lib:extra");
	expect_env("", NULL, "''");
	expect_env("a,b=c", NULL, "'a,b=c'");
	expect_env("50% off", NULL, "'50%% off'");
	expect_env("x@y", NULL, "'x@y'");
	expect_env("it's", NULL, "\"it's\"");
	expect_env("say \"hi\" now", NULL, "'say \"hi\" now'");
	expect_env("/venv/bin/:", "%(ENV_PATH)s", "'/venv/bin/:%(ENV_PATH)s'");
	expect_env("/v'x/bin/:", "%(ENV_PATH)s", "\"/v'x/bin/:%(ENV_PATH)s\"");
}

Test(quote, environment_values_that_cannot_be_written)
{
	expect_env("two\nlines", NULL, NULL);
	expect_env("x ;y", NULL, NULL);
	expect_env("x #y", NULL, NULL);
	expect_env("'quoted", NULL, NULL);
	expect_env("quoted\"", NULL, NULL);
	expect_env("both ' and \" inside", NULL, NULL);
	expect_env("%(here)s", NULL, NULL);
}

Test(quote, percent_escaping_for_one_or_two_expansions)
{
	struct sv_buf b = { 0 };
	char *s;

	sv_put_escaped(&b, "a%b%%c", 1);
	sv_buf_puts(&b, " ");
	sv_put_escaped(&b, "/log%dir", 2);
	s = sv_buf_steal(&b);
	cr_expect_str_eq(s, "a%%b%%%%c /log%%%%dir");
	free(s);
}

Test(quote, value_problems)
{
	cr_expect_null(sv_value_problem("/srv/galaxy"));
	cr_expect_null(sv_value_problem("a;b#c"));
	cr_expect_not_null(sv_value_problem("a\nb"));
	cr_expect_not_null(sv_value_problem("/srv/my ;dir"));
	cr_expect_not_null(sv_value_problem("/srv/%(here)s"));
}

Test(quote, names)
{
	cr_expect(sv_env_name_ok("GALAXY_CONFIG_FILE"));
	cr_expect(sv_env_name_ok("_x1"));
	cr_expect(!sv_env_name_ok("1X"));
	cr_expect(!sv_env_name_ok("A-B"));
	cr_expect(!sv_env_name_ok("A.B"));
	cr_expect_null(sv_name_problem("gunicorn"));
	cr_expect_null(sv_name_problem("celery-beat"));
	cr_expect_null(sv_name_problem("handler.special_0"));
	cr_expect_not_null(sv_name_problem(""));
	cr_expect_not_null(sv_name_problem("a b"));
	cr_expect_not_null(sv_name_problem("a:b"));
	cr_expect_not_null(sv_name_problem("../x"));
	cr_expect_not_null(sv_name_problem("a%b"));
	cr_expect_not_null(sv_name_problem("a,b"));
}

/* ---------------------------------------------------------------------- */
/* XML-RPC */

Test(xmlrpc, request_escapes_and_types_parameters)
{
	struct sv_param params[3] = { SV_STR("a<b&c"), SV_BOOLEAN(false),
				      { .kind = SV_INT, .i = -42 } };
	char *text = NULL;
	size_t len = 0;

	cr_assert_eq(sv_xmlrpc_request("supervisor.startProcess", params, 3, &text, &len), 0);
	cr_expect_eq(strlen(text), len);
	cr_expect(strstr(text, "<methodName>supervisor.startProcess</methodName>"), "%s", text);
	cr_expect(strstr(text, "<param><value><string>a&lt;b&amp;c</string></value></param>"), "%s",
		  text);
	cr_expect(strstr(text, "<param><value><boolean>0</boolean></value></param>"), "%s", text);
	cr_expect(strstr(text, "<param><value><int>-42</int></value></param>"), "%s", text);
	free(text);
}

/* What supervisord 4.2 sends for getAllProcessInfo, shortened. */
static const char process_info[] =
	"<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n<value><array><data>\n"
	"<value><struct>\n"
	"<member>\n<name>name</name>\n<value><string>gunicorn_0</string></value>\n</member>\n"
	"<member>\n<name>group</name>\n<value><string>gunicorn</string></value>\n</member>\n"
	"<member>\n<name>state</name>\n<value><int>20</int></value>\n</member>\n"
	"<member>\n<name>pid</name>\n<value><int>4242</int></value>\n</member>\n"
	"<member>\n<name>description</name>\n<value><string>pid 4242, uptime 0:01:02</string></value>\n</member>\n"
	"<member>\n<name>untyped</name>\n<value>plain &amp; text</value>\n</member>\n"
	"<member>\n<name>ok</name>\n<value><boolean>1</boolean></value>\n</member>\n"
	"</struct></value>\n"
	"<value><struct>\n"
	"<member>\n<name>name</name>\n<value><string>celery</string></value>\n</member>\n"
	"<member>\n<name>state</name>\n<value><i4>0</i4></value>\n</member>\n"
	"</struct></value>\n"
	"</data></array></value>\n</param>\n</params>\n</methodResponse>\n";

Test(xmlrpc, response_with_an_array_of_structs)
{
	struct sv_reply r;
	struct gx_error err = { 0 };

	cr_assert_eq(sv_xmlrpc_response(process_info, strlen(process_info), &r, &err), 0, "%s",
		     err.message);
	cr_expect_eq(r.fault_code, 0);
	cr_assert_eq(r.value.kind, SV_ARRAY);
	cr_assert_eq(r.value.n, 2);
	cr_expect_str_eq(sv_value_get_str(&r.value.items[0], "name"), "gunicorn_0");
	cr_expect_str_eq(sv_value_get_str(&r.value.items[0], "group"), "gunicorn");
	cr_expect_eq(sv_value_get_int(&r.value.items[0], "state", -1), 20);
	cr_expect_eq(sv_value_get_int(&r.value.items[0], "pid", -1), 4242);
	cr_expect_str_eq(sv_value_get_str(&r.value.items[0], "untyped"), "plain & text");
	cr_expect_eq(sv_value_get_int(&r.value.items[0], "ok", -1), 1);
	cr_expect_eq(sv_value_get_int(&r.value.items[1], "state", -1), 0);
	cr_expect_null(sv_value_get_str(&r.value.items[1], "group"));
	cr_expect_eq(sv_value_get_int(&r.value.items[1], "missing", 7), 7);
	sv_reply_release(&r);
}

Test(xmlrpc, fault)
{
	static const char fault[] =
		"<?xml version='1.0'?>\n<methodResponse>\n<fault>\n<value><struct>\n"
		"<member>\n<name>faultCode</name>\n<value><int>10</int></value>\n</member>\n"
		"<member>\n<name>faultString</name>\n<value><string>BAD_NAME: nope</string></value>\n"
		"</member>\n</struct></value>\n</fault>\n</methodResponse>\n";
	struct sv_reply r;

	cr_assert_eq(sv_xmlrpc_response(fault, strlen(fault), &r, NULL), 0);
	cr_expect_eq(r.fault_code, SV_FAULT_BAD_NAME);
	cr_expect_str_eq(r.fault_string, "BAD_NAME: nope");
	sv_reply_release(&r);
}

Test(xmlrpc, nonsense_is_refused)
{
	static const char *const bad[] = {
		"not xml at all",
		"<?xml version='1.0'?><html><body>502</body></html>",
		"<methodResponse><params><param><value><array><nodata/></array></value></param>"
		"</params></methodResponse>",
		"<methodResponse><params><param><value><int>x</int></value></param></params>"
		"</methodResponse>",
		"<methodResponse><params></params></methodResponse>",
		"<methodResponse><fault><value><string>x</string></value></fault></methodResponse>",
	};
	struct gx_error err = { 0 };
	struct sv_reply r;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cr_expect_eq(sv_xmlrpc_response(bad[i], strlen(bad[i]), &r, &err), -EPROTO, "%s",
			     bad[i]);
		cr_expect_neq(err.message[0], '\0');
	}
}

Test(xmlrpc, deep_nesting_is_refused)
{
	struct sv_buf b = { 0 };
	struct sv_reply r;
	char *text;

	sv_buf_puts(&b, "<methodResponse><params><param>");
	for (int i = 0; i < 100; i++)
		sv_buf_puts(&b, "<value><array><data>");
	sv_buf_puts(&b, "<value><int>1</int></value>");
	for (int i = 0; i < 100; i++)
		sv_buf_puts(&b, "</data></array></value>");
	sv_buf_puts(&b, "</param></params></methodResponse>");
	text = sv_buf_steal(&b);
	cr_expect_eq(sv_xmlrpc_response(text, strlen(text), &r, NULL), -EPROTO);
	free(text);
}

/* ---------------------------------------------------------------------- */
/* Rendering through the real core and service modules */

static struct gx_test t;

static void teardown(void)
{
	gx_test_release(&t);
}

TestSuite(render, .fini = teardown);

static char *read_text(const char *path)
{
	FILE *f = fopen(path, "re");
	char *buf = NULL;
	size_t len = 0;
	FILE *out;
	int c;

	cr_assert_not_null(f, "cannot open %s", path);
	out = open_memstream(&buf, &len);
	while ((c = fgetc(f)) != EOF)
		fputc(c, out);
	fclose(out);
	fclose(f);
	return buf;
}

/* text with every placeholder replaced (heap). */
static char *substitute(const char *text)
{
	const char *names[] = { "@ROOT@", "@GALAXYCTL@" };
	const char *values[] = { t.root, t.host->self_exe };
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	while (*text) {
		bool done = false;

		for (size_t i = 0; i < 2 && !done; i++)
			if (strncmp(text, names[i], strlen(names[i])) == 0) {
				fputs(values[i], out);
				text += strlen(names[i]);
				done = true;
			}
		if (!done)
			fputc(*text++, out);
	}
	fclose(out);
	return buf;
}

static char *fixture_raw(const char *rel)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/fixtures/supervisor/%s", GX_TEST_SRCDIR, rel);
	return read_text(path);
}

/* A fixture with its placeholders replaced: only once a config is loaded. */
static char *fixture(const char *rel)
{
	char *raw = fixture_raw(rel);
	char *text = substitute(raw);

	free(raw);
	return text;
}

/* The harness replaces @ROOT@ in the config itself. */
static void load_fixture(const char *name)
{
	char rel[256];
	char *yaml;
	int r;

	snprintf(rel, sizeof(rel), "%s/galaxy.yml", name);
	yaml = fixture_raw(rel);
	r = gx_test_load(&t, yaml);
	if (r < 0) {
		char *diag = gx_test_diag_text(&t);

		cr_log_error("%s", diag);
		free(diag);
	}
	free(yaml);
	cr_assert_eq(r, 0, "loading %s failed", name);
}

static void expect_program(const char *service, bool uin, const char *rel)
{
	const struct gx_service *svc = gx_test_service(&t, NULL, service);
	struct gx_error err = { 0 };
	char *got = NULL, *want;

	cr_assert_not_null(svc, "no service %s", service);
	cr_assert_eq(sv_render_program(t.host, svc, uin, &got, &err), 0, "%s", err.message);
	want = fixture(rel);
	cr_expect_str_eq(got, want, "%s differs:\n%s", rel, got);
	free(got);
	free(want);
}

Test(render, default_services_in_gravity_style)
{
	load_fixture("default");
	expect_program("gunicorn", false, "default/expected/_default_.d/gunicorn_gunicorn.conf");
	expect_program("celery", false, "default/expected/_default_.d/celery_celery.conf");
	expect_program("celery-beat", false,
		       "default/expected/_default_.d/celery-beat_celery-beat.conf");
}

Test(render, service_instances_and_group_of_a_named_instance)
{
	struct gx_error err = { 0 };
	char *got = NULL, *want;

	load_fixture("instances");
	expect_program("gunicorn", true, "instances/expected/main.d/gunicorn_gunicorn.conf");
	expect_program("celery", true, "instances/expected/main.d/celery_celery.conf");
	cr_assert_eq(sv_render_group(t.host, t.insts.v[0], &got, &err), 0, "%s", err.message);
	want = fixture("instances/expected/group_main.conf");
	cr_expect_str_eq(got, want);
	free(got);
	free(want);
}

Test(render, direct_style_quotes_words_and_environment)
{
	load_fixture("direct");
	expect_program("gunicorn", false, "direct/expected/_default_.d/gunicorn_gunicorn.conf");
}

Test(render, names_of_processes)
{
	struct sv_program p;
	char *log0 = NULL;

	load_fixture("instances");
	/* As a named instance: the group is the instance. */
	cr_assert_eq(sv_program_init(&p, gx_test_service(&t, NULL, "gunicorn"), true), 0);
	cr_expect_str_eq(p.program, "main_gunicorn_gunicorn");
	cr_expect_str_eq(p.file, "gunicorn_gunicorn.conf");
	cr_assert_eq(p.count, 2);
	cr_expect_str_eq(p.namespecs[0], "main:gunicorn0");
	cr_expect_str_eq(p.namespecs[1], "main:gunicorn1");
	cr_assert_geq(asprintf(&log0, "%s/database/gravity/log/main_gunicorn_gunicorn_0.log", t.root), 0);
	cr_expect_str_eq(p.logs[0], log0);
	free(log0);
	sv_program_release(&p);
	/* Without instance names: numprocs makes a group named after the program. */
	cr_assert_eq(sv_program_init(&p, gx_test_service(&t, NULL, "gunicorn"), false), 0);
	cr_expect_str_eq(p.program, "gunicorn");
	cr_expect_str_eq(p.process_name, "%(program_name)s_%(process_num)d");
	cr_expect_str_eq(p.namespecs[0], "gunicorn:gunicorn_0");
	cr_expect_str_eq(p.namespecs[1], "gunicorn:gunicorn_1");
	cr_expect_str_eq(p.groups[1], "gunicorn");
	cr_expect_str_eq(p.names[1], "gunicorn_1");
	sv_program_release(&p);
	cr_assert_eq(sv_program_init(&p, gx_test_service(&t, NULL, "celery"), false), 0);
	cr_expect_str_eq(p.namespecs[0], "celery");
	cr_expect_str_eq(p.process_name, "%(program_name)s");
	sv_program_release(&p);
}

Test(render, a_celery_list_is_a_program_per_worker)
{
	struct sv_program p;

	load_fixture("celery-list");
	expect_program("celery0", false, "celery-list/expected/_default_.d/celery_celery0.conf");
	expect_program("external", false, "celery-list/expected/_default_.d/celery_external.conf");
	expect_program("celery-beat", false,
		       "celery-list/expected/_default_.d/celery-beat_celery-beat.conf");
	/* Not numprocs of one program: a program of its own each, in a named instance's group too. */
	cr_assert_eq(sv_program_init(&p, gx_test_service(&t, NULL, "external"), false), 0);
	cr_expect_str_eq(p.program, "external");
	cr_expect_str_eq(p.file, "celery_external.conf");
	cr_expect_eq(p.count, 1);
	cr_expect_str_eq(p.namespecs[0], "external");
	sv_program_release(&p);
	cr_assert_eq(sv_program_init(&p, gx_test_service(&t, NULL, "celery0"), true), 0);
	cr_expect_str_eq(p.program, "_default__celery_celery0");
	cr_expect_str_eq(p.namespecs[0], "_default_:celery0");
	sv_program_release(&p);
}

Test(render, path_goes_where_upstream_puts_it)
{
	const struct gx_service *svc;
	struct gx_error err = { 0 };
	char *got = NULL, *want = NULL;

	cr_assert_eq(gx_test_load(&t, "gravity:\n"
				      "  virtualenv: @ROOT@/venv\n"
				      "  service_command_style: direct\n"
				      "  celery:\n"
				      "    enable: false\n"
				      "    enable_beat: false\n"
				      "  gunicorn:\n"
				      "    environment:\n"
				      "      A: x\n"
				      "      PATH: /opt/bin\n"
				      "      PYTHONPATH: mine\n"
				      "      B: y\n"),
		     0);
	svc = gx_test_service(&t, NULL, "gunicorn");
	cr_assert_eq(sv_render_program(t.host, svc, false, &got, &err), 0, "%s", err.message);
	cr_assert_geq(asprintf(&want,
			       "environment     = PYTHONPATH=mine,GALAXY_CONFIG_FILE=%s/config/galaxy.yml,"
			       "VIRTUAL_ENV=%s/venv,A=x,PATH=%s/venv/bin/:/opt/bin,B=y\n",
			       t.root, t.root, t.root),
		      0);
	cr_expect(strstr(got, want), "want\n%s\nin\n%s", want, got);
	free(got);
	free(want);
}

Test(render, a_newline_in_the_environment_is_an_error)
{
	const struct gx_service *svc;
	struct gx_error err = { 0 };
	char *got = NULL;

	cr_assert_eq(gx_test_load(&t, "gravity:\n"
				      "  service_command_style: direct\n"
				      "  gunicorn:\n"
				      "    environment:\n"
				      "      GX_MULTI: \"one\\ntwo\"\n"),
		     0);
	svc = gx_test_service(&t, NULL, "gunicorn");
	cr_expect_eq(sv_render_program(t.host, svc, false, &got, &err), -EINVAL);
	cr_expect_null(got);
	cr_expect(strstr(err.message, "GX_MULTI"), "%s", err.message);
	cr_expect(strstr(err.message, "line break"), "%s", err.message);
}

Test(render, gravity_style_has_no_environment_even_with_one_configured)
{
	const struct gx_service *svc;
	struct gx_error err = { 0 };
	char *got = NULL;

	cr_assert_eq(gx_test_load(&t, "gravity:\n"
				      "  gunicorn:\n"
				      "    environment:\n"
				      "      GX_MULTI: \"one\\ntwo\"\n"),
		     0);
	svc = gx_test_service(&t, NULL, "gunicorn");
	cr_assert_eq(sv_render_program(t.host, svc, false, &got, &err), 0, "%s", err.message);
	cr_expect(strstr(got, "\nenvironment     = \nnumprocs"), "%s", got);
	free(got);
}

Test(render, supervisord_conf)
{
	struct gx_error err = { 0 };
	char *got = NULL, *want;

	cr_assert_eq(gx_test_load(&t, "gravity: {}\n"), 0);
	cr_assert_eq(sv_render_supervisord_conf(t.host, NULL, &got, &err), 0);
	want = fixture("supervisord.conf");
	cr_expect_str_eq(got, want);
	free(got);
	free(want);
	cr_assert_eq(sv_render_supervisord_conf(t.host, "/tmp/50%.sock", &got, &err), 0);
	cr_expect(strstr(got, "\nfile = /tmp/50%%.sock\n"), "%s", got);
	cr_expect(strstr(got, "\nserverurl = unix:///tmp/50%%.sock\n"), "%s", got);
	free(got);
	got = NULL;
	cr_expect_eq(sv_render_supervisord_conf(t.host, "/tmp/a\nb", &got, &err), -EINVAL);
	cr_expect_null(got);
	cr_expect(strstr(err.message, "SUPERVISORD_SOCKET"), "%s", err.message);
}
