/* SPDX-License-Identifier: MIT */
/* Tests for core/host.c: the host handed to modules (logging, typed reads, argv and environment of a service). */
#include <criterion/criterion.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "host.h"
#include "node.h"
#include "strv.h"
#include "yaml_load.h"

static const struct gx_host *h;
static struct gx_yaml_doc *doc;

static void host_fini(void)
{
	gx_yaml_doc_free(doc);
	doc = NULL;
	gx_host_release();
	gx_log_set_quiet(false);
}

TestSuite(host, .fini = host_fini);

static const struct gx_node *host_yaml(const char *text)
{
	struct gx_error err = { 0 };

	gx_yaml_doc_free(doc);
	doc = NULL;
	cr_assert_eq(gx_yaml_load_string("test.yml", text, strlen(text), &doc, &err), 0, "%s",
		     err.message);
	return doc->root;
}

/* Run fn with stderr (or stdout) going to a buffer; returns the heap text. */
static char *host_capture(int fd, void (*fn)(void))
{
	FILE *tmp = tmpfile();
	int saved = dup(fd);
	char *text;
	long len;

	cr_assert(tmp && saved >= 0);
	fflush(fd == 1 ? stdout : stderr);
	cr_assert_geq(dup2(fileno(tmp), fd), 0);
	fn();
	fflush(fd == 1 ? stdout : stderr);
	dup2(saved, fd);
	close(saved);
	len = ftell(tmp);
	cr_assert_geq(len, 0);
	text = calloc(1, (size_t)len + 1);
	rewind(tmp);
	cr_assert_eq(fread(text, 1, (size_t)len, tmp), (size_t)len);
	fclose(tmp);
	return text;
}

Test(host, init)
{
	char exe[] = "/opt/galaxyctl/bin/galaxyctl";

	h = gx_host_init(exe, true);
	cr_assert_not_null(h);
	cr_expect_eq(h->abi_major, GX_ABI_MAJOR);
	cr_expect_eq(h->abi_minor, GX_ABI_MINOR);
	cr_expect_eq(h->size, sizeof(struct gx_host));
	exe[1] = 'X';
	cr_expect_str_eq(h->self_exe, "/opt/galaxyctl/bin/galaxyctl");
	cr_expect(h->debug);
	cr_expect(h->log && h->out && h->errorf && h->get && h->get_bool && h->get_int &&
		  h->get_float && h->get_str && h->is_null && h->strv_push && h->strv_pushf &&
		  h->strv_split && h->strv_release && h->add_service && h->status_add &&
		  h->write_file && h->http_get && h->service_argv && h->service_env);
	h = gx_host_init(NULL, false);
	cr_expect_null(h->self_exe);
	cr_expect_not(h->debug);
	gx_host_release();
	cr_expect_null(h->self_exe);
}

Test(host, typed_reads)
{
	const struct gx_node *m = host_yaml("on: yes\noff: false\nn: 0x10\nf: 1.5\ni: 3\n"
					    "s: text\nq: '12'\nnul: ~\nlist: [a]\n");

	h = gx_host_init(NULL, false);
	cr_expect(h->get_bool(m, "on"));
	cr_expect_not(h->get_bool(m, "off"));
	cr_expect_not(h->get_bool(m, "nul"));
	cr_expect_not(h->get_bool(m, "absent"));
	cr_expect_eq(h->get_int(m, "n"), 16);
	cr_expect_eq(h->get_int(m, "nul"), 0);
	cr_expect_eq(h->get_int(m, "absent"), 0);
	cr_expect_float_eq(h->get_float(m, "f"), 1.5, 1e-12);
	cr_expect_float_eq(h->get_float(m, "i"), 3.0, 1e-12);
	cr_expect(isnan(h->get_float(m, "nul")));
	cr_expect(isnan(h->get_float(m, "absent")));
	cr_expect_str_eq(h->get_str(m, "s"), "text");
	cr_expect_str_eq(h->get_str(m, "q"), "12");
	cr_expect_null(h->get_str(m, "nul"));
	cr_expect_null(h->get_str(m, "list"));
	cr_expect_null(h->get_str(m, "absent"));
	cr_expect_null(h->get(m, "absent"));
	cr_expect_not_null(h->get(m, "nul"));
	cr_expect(h->is_null(h->get(m, "nul")));
	cr_expect(h->is_null(NULL));
	cr_expect_not(h->is_null(h->get(m, "s")));
	cr_expect_null(h->get_str(NULL, "s"));
}

Test(host, errorf_locates_the_node)
{
	const struct gx_node *m = host_yaml("a:\n  b: wrong\n");
	struct gx_error err = { 0 };

	h = gx_host_init(NULL, false);
	cr_expect_eq(h->errorf(&err, gx_node_get(gx_node_get(m, "a"), "b"), -EINVAL, "bad %s", "b"),
		     -EINVAL);
	cr_expect_eq(err.code, -EINVAL);
	cr_expect_str_eq(err.message, "bad b");
	cr_expect_str_eq(err.file, "test.yml");
	cr_expect_eq(err.line, 2);
	cr_expect_eq(err.column, 6);
	cr_expect_eq(h->errorf(&err, NULL, -ENOENT, "no place"), -ENOENT);
	cr_expect_str_eq(err.file, "");
	cr_expect_eq(err.line, 0);
}

Test(host, strv_helpers)
{
	struct gx_strv sv = { 0 };
	struct gx_error err = { 0 };

	h = gx_host_init(NULL, false);
	cr_assert_eq(h->strv_push(&sv, "a"), 0);
	cr_assert_eq(h->strv_pushf(&sv, "--workers=%d", 4), 0);
	cr_assert_eq(h->strv_split(&sv, "x 'y z'", &err), 0);
	cr_assert_eq(sv.n, 4);
	cr_expect_str_eq(sv.v[1], "--workers=4");
	cr_expect_str_eq(sv.v[3], "y z");
	cr_expect_null(sv.v[4]);
	h->strv_release(&sv);
	cr_expect_eq(sv.n, 0);
}

/* extra_args-style options: words appended; a bad quote located at the option, by name. */
Test(host, strv_split_option)
{
	const struct gx_node *m = host_yaml("s:\n  extra: -a 'b c'\n  empty: ''\n  bad: -x 'y\n");
	const struct gx_node *s = gx_node_get(m, "s");
	struct gx_strv sv = { 0 };
	struct gx_error err = { 0 };

	h = gx_host_init(NULL, false);
	cr_assert_eq(h->strv_split_option(&sv, s, "extra", "gravity.s.extra", &err), 0);
	cr_assert_eq(h->strv_split_option(&sv, s, "empty", "gravity.s.empty", &err), 0);
	cr_assert_eq(h->strv_split_option(&sv, s, "absent", "gravity.s.absent", &err), 0);
	cr_assert_eq(sv.n, 2);
	cr_expect_str_eq(sv.v[1], "b c");
	cr_expect_eq(h->strv_split_option(&sv, s, "bad", "gravity.s.bad", &err), -EINVAL);
	cr_expect_str_eq(err.message, "gravity.s.bad: unterminated single quote in: -x 'y");
	cr_expect_str_eq(err.file, "test.yml");
	cr_expect_eq(err.line, 4);
	h->strv_release(&sv);
}

static void host_log_all(void)
{
	gx_log(GX_LOG_DEBUG, "debug %d", 1);
	gx_log(GX_LOG_INFO, "info %d", 2);
	gx_log(GX_LOG_WARNING, "warning %d", 3);
	gx_log(GX_LOG_ERROR, "error %d", 4);
	h->log(GX_LOG_WARNING, "via the host");
}

Test(host, log_levels)
{
	char *text;

	h = gx_host_init(NULL, false);
	text = host_capture(2, host_log_all);
	cr_expect_str_eq(text, "info 2\n"
			       "galaxyctl: warning: warning 3\n"
			       "galaxyctl: error: error 4\n"
			       "galaxyctl: warning: via the host\n");
	free(text);
}

Test(host, log_debug)
{
	char *text;

	h = gx_host_init(NULL, true);
	text = host_capture(2, host_log_all);
	cr_expect(strncmp(text, "galaxyctl: debug: debug 1\ninfo 2\n", 33) == 0, "%s", text);
	free(text);
}

Test(host, log_quiet)
{
	char *text;

	h = gx_host_init(NULL, false);
	gx_log_set_quiet(true);
	text = host_capture(2, host_log_all);
	cr_expect_str_eq(text, "galaxyctl: warning: warning 3\n"
			       "galaxyctl: error: error 4\n"
			       "galaxyctl: warning: via the host\n");
	free(text);
}

static void host_out_some(void)
{
	h->out("%s=%d\n", "workers", 2);
}

Test(host, out_goes_to_stdout)
{
	char *text;

	h = gx_host_init(NULL, false);
	text = host_capture(1, host_out_some);
	cr_expect_str_eq(text, "workers=2\n");
	free(text);
}

/* ---------------------------------------------------------------------- */
/* service_argv and service_env, on a service put together by hand */

static int svc_argv(const struct gx_host *host, const struct gx_service *svc, unsigned process,
		    struct gx_strv *argv, struct gx_error *err)
{
	return host->strv_pushf(argv, "%s-%u", svc->name, process);
}

static int svc_env(const struct gx_host *host, const struct gx_service *svc, unsigned process,
		   struct gx_strv *env, struct gx_error *err)
{
	int r = gx_strv_env_set(env, "PYTHONPATH", "lib");

	if (r == 0)
		r = gx_strv_env_set(env, "OWN", "type");
	return r;
}

static const struct gx_service_type svc_type = {
	.name = "t", .section = "t", .argv = svc_argv, .env = svc_env,
};

static struct gx_instance inst = { .name = "_default_" };
static const struct gx_node *settings[2];
static struct gx_service svc = {
	.name = "web", .config_type = "t", .type = &svc_type, .instance = &inst, .count = 2,
	.settings = settings,
};

static char *env_get(const struct gx_strv *env, const char *name)
{
	long i = gx_strv_env_find(env, name);

	return i < 0 ? NULL : strchr(env->v[i], '=') + 1;
}

Test(host, service_argv)
{
	struct gx_strv argv = { 0 };
	struct gx_error err = { 0 };

	h = gx_host_init(NULL, false);
	cr_assert_eq(h->service_argv(&svc, 1, &argv, &err), 0);
	cr_assert_eq(argv.n, 1);
	cr_expect_str_eq(argv.v[0], "web-1");
	cr_expect_eq(h->service_argv(&svc, 2, &argv, &err), -EINVAL);
	cr_expect_str_eq(err.message, "web has no process 2 (it has 2)");
	cr_expect_eq(argv.n, 1);
	gx_strv_release(&argv);
}

Test(host, service_env_without_virtualenv)
{
	struct gx_strv env = { 0 };
	struct gx_error err = { 0 };

	settings[0] = gx_node_get(host_yaml("p0:\n  environment:\n    OWN: user\n    EMPTY: ''\n"
					    "p1:\n  environment: {}\n"), "p0");
	settings[1] = gx_node_get(doc->root, "p1");
	h = gx_host_init(NULL, false);
	cr_assert_eq(h->service_env(&svc, 0, &env, &err), 0);
	cr_expect_eq(env.n, 3);
	cr_expect_str_eq(env_get(&env, "PYTHONPATH"), "lib");
	cr_expect_str_eq(env_get(&env, "OWN"), "user");
	cr_expect_str_eq(env_get(&env, "EMPTY"), "");
	cr_expect_null(env_get(&env, "PATH"));
	cr_expect_null(env_get(&env, "VIRTUAL_ENV"));
	gx_strv_release(&env);
	cr_assert_eq(h->service_env(&svc, 1, &env, &err), 0);
	cr_expect_str_eq(env_get(&env, "OWN"), "type");
	cr_expect_eq(h->service_env(&svc, 5, &env, &err), -EINVAL);
	gx_strv_release(&env);
}

Test(host, service_env_with_virtualenv)
{
	struct gx_strv env = { 0 };
	struct gx_error err = { 0 };

	inst.virtualenv = "/srv/venv";
	setenv("PATH", "/usr/bin:/bin", 1);
	settings[0] = host_yaml("environment:\n  OWN: user\n");
	settings[1] = settings[0];
	h = gx_host_init(NULL, false);
	cr_assert_eq(h->service_env(&svc, 0, &env, &err), 0);
	cr_expect_str_eq(env_get(&env, "VIRTUAL_ENV"), "/srv/venv");
	cr_expect_str_eq(env_get(&env, "PATH"), "/srv/venv/bin:/usr/bin:/bin");
	cr_expect_str_eq(env_get(&env, "OWN"), "user");
	gx_strv_release(&env);
}

/* As Gravity: the environment: option may replace VIRTUAL_ENV and PATH, and the bin goes in front of that PATH. */
Test(host, service_env_option_path_keeps_the_virtualenv_first)
{
	struct gx_strv env = { 0 };
	struct gx_error err = { 0 };

	inst.virtualenv = "/srv/venv";
	setenv("PATH", "/usr/bin:/bin", 1);
	settings[0] = host_yaml("environment:\n  PATH: /opt/tools/bin\n  VIRTUAL_ENV: /other\n");
	settings[1] = settings[0];
	h = gx_host_init(NULL, false);
	cr_assert_eq(h->service_env(&svc, 0, &env, &err), 0);
	cr_expect_str_eq(env_get(&env, "PATH"), "/srv/venv/bin:/opt/tools/bin");
	cr_expect_str_eq(env_get(&env, "VIRTUAL_ENV"), "/other");
	gx_strv_release(&env);
}

Test(host, service_env_default_path)
{
	struct gx_strv env = { 0 };
	struct gx_error err = { 0 };

	inst.virtualenv = "/srv/venv";
	unsetenv("PATH");
	settings[0] = host_yaml("{}\n");
	settings[1] = settings[0];
	h = gx_host_init(NULL, false);
	cr_assert_eq(h->service_env(&svc, 0, &env, &err), 0);
	cr_expect_str_eq(env_get(&env, "PATH"),
			 "/srv/venv/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
	gx_strv_release(&env);
}
