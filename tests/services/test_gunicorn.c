/* SPDX-License-Identifier: MIT */
/* Unit tests for services/gunicorn.c: options, expansion, command, environment, graceful, readiness. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "harness.h"

#define FACTORY "galaxy.webapps.galaxy.fast_factory:factory()"
#define WORKER "-k galaxy.webapps.galaxy.workers.Worker"
#define CONFIG "--config python:galaxy.web_stack.gunicorn_config"

static struct gx_test t;
static pid_t server_pid; /* a process group we started, killed in fini */

static void release(void)
{
	if (server_pid > 0) {
		kill(-server_pid, SIGTERM);
		for (int i = 0; i < 100 && waitpid(server_pid, NULL, WNOHANG) == 0; i++)
			usleep(100 * 1000);
		kill(-server_pid, SIGKILL);
		waitpid(server_pid, NULL, 0);
		server_pid = 0;
	}
	gx_test_release(&t);
}

TestSuite(gunicorn, .fini = release, .timeout = 60);

/* Load yaml and insist that it worked, showing the diagnostics if not. */
static void load(const char *yaml)
{
	int r = gx_test_load(&t, yaml);
	char *diag = r < 0 ? gx_test_diag_text(&t) : NULL;

	cr_assert_eq(r, 0, "load failed (%d):\n%s", r, diag ? diag : "");
	free(diag);
}

/* Load yaml that must fail; returns the diagnostics (heap). */
static char *load_fails(const char *yaml)
{
	int r = gx_test_load(&t, yaml);

	cr_assert_lt(r, 0, "load succeeded but should have failed");
	return gx_test_diag_text(&t);
}

static const struct gx_service *service(const char *name)
{
	const struct gx_service *svc = gx_test_service(&t, NULL, name);

	cr_assert_not_null(svc, "no service %s", name);
	return svc;
}

/* Compare the argv of a process with want, where @ROOT@ stands for the stand-in root. */
static void expect_argv(const struct gx_service *svc, unsigned process, const char *want)
{
	char *got = gx_test_argv(&t, svc, process);
	char expanded[4096] = "";
	const char *at;

	while ((at = strstr(want, "@ROOT@"))) {
		snprintf(expanded + strlen(expanded), sizeof(expanded) - strlen(expanded),
			 "%.*s%s", (int)(at - want), want, t.root);
		want = at + 6;
	}
	snprintf(expanded + strlen(expanded), sizeof(expanded) - strlen(expanded), "%s", want);
	cr_assert_not_null(got, "no argv for %s[%u]", svc->name, process);
	cr_expect_str_eq(got, expanded);
	free(got);
}

static void expect_env(const struct gx_service *svc, unsigned process, const char *name,
		       const char *want)
{
	char *got = gx_test_env(&t, svc, process, name);

	cr_assert_not_null(got, "%s not in the environment of %s[%u]", name, svc->name, process);
	cr_expect_str_eq(got, want, "%s", name);
	free(got);
}

static enum gx_graceful graceful(const struct gx_service *svc)
{
	return svc->type->graceful(t.host, svc);
}

/* ---------------------------------------------------------------------- */
/* Settings, command and environment */

Test(gunicorn, defaults)
{
	const struct gx_service *svc;
	char path[1024];
	char *v;

	load("gravity:\n"
	     "  virtualenv: @ROOT@/venv\n");
	svc = service("gunicorn");
	cr_expect_eq(svc->count, 1);
	cr_expect_not(svc->instances);
	cr_expect_str_eq(svc->config_type, "gunicorn");
	cr_expect_eq(svc->start_timeout, 15);
	cr_expect_eq(svc->stop_timeout, 65);
	cr_expect_str_eq(svc->umask, "022");
	cr_expect_eq(t.host->get_int(svc->settings[0], "restart_timeout"), 300);
	expect_argv(svc, 0,
		    "@ROOT@/venv/bin/gunicorn " FACTORY " --timeout 300 --pythonpath lib " WORKER
		    " -b localhost:8080 --workers=1 " CONFIG " --preload");
	expect_env(svc, 0, "PYTHONPATH", "lib");
	expect_env(svc, 0, "GALAXY_CONFIG_FILE", t.config);
	snprintf(path, sizeof(path), "%s/venv", t.root);
	expect_env(svc, 0, "VIRTUAL_ENV", path);
	v = gx_test_env(&t, svc, 0, "PATH");
	snprintf(path, sizeof(path), "%s/venv/bin:", t.root);
	cr_assert_not_null(v);
	cr_expect_eq(strncmp(v, path, strlen(path)), 0, "PATH is %s", v);
	free(v);
	cr_expect_eq(graceful(svc), GX_GRACEFUL_DEFAULT);
}

Test(gunicorn, option_table_in_upstream_order)
{
	static const char *const want[] = {
		"enable", "bind", "workers", "timeout", "extra_args", "preload", "umask",
		"start_timeout", "stop_timeout", "restart_timeout", "memory_limit",
		"memory_high", "environment", "restart_delay" /* ours, after them */, NULL,
	};
	const struct gx_option *opt;
	size_t i = 0;

	load("gravity:\n  gunicorn: {}\n");
	opt = service("gunicorn")->type->options;
	for (; want[i] && opt[i].name; i++) {
		cr_expect_str_eq(opt[i].name, want[i]);
		cr_expect_not_null(opt[i].doc, "%s has no doc", want[i]);
	}
	cr_expect_null(want[i]);
	cr_expect_null(opt[i].name);
	cr_expect(service("gunicorn")->type->list_allowed);
}

Test(gunicorn, non_defaults)
{
	const struct gx_service *svc;

	load("gravity:\n"
	     "  umask: '077'\n"
	     "  gunicorn:\n"
	     "    bind: unix:/run/galaxy/gunicorn.sock\n"
	     "    workers: 4\n"
	     "    timeout: 0\n"
	     "    preload: false\n"
	     "    start_timeout: 30\n"
	     "    stop_timeout: 5\n"
	     "    restart_timeout: 99\n"
	     "    extra_args: --log-level debug --forwarded-allow-ips '*' --name \"my app\"\n"
	     "    environment:\n"
	     "      PYTHONPATH: /opt/lib\n"
	     "      FOO: bar\n");
	svc = service("gunicorn");
	/* No virtualenv: gunicorn is found on PATH. */
	expect_argv(svc, 0,
		    "gunicorn " FACTORY " --timeout 0 --pythonpath lib " WORKER
		    " -b unix:/run/galaxy/gunicorn.sock --workers=4 " CONFIG
		    " --log-level debug --forwarded-allow-ips * --name my app");
	expect_env(svc, 0, "PYTHONPATH", "/opt/lib");
	expect_env(svc, 0, "FOO", "bar");
	expect_env(svc, 0, "GALAXY_CONFIG_FILE", t.config);
	cr_expect_null(gx_test_env(&t, svc, 0, "VIRTUAL_ENV"));
	cr_expect_eq(svc->start_timeout, 30);
	cr_expect_eq(svc->stop_timeout, 5);
	cr_expect_str_eq(svc->umask, "077");
	cr_expect_eq(t.host->get_int(svc->settings[0], "restart_timeout"), 99);
	cr_expect_eq(graceful(svc), GX_GRACEFUL_SIGHUP);
}

Test(gunicorn, extra_args_words_stay_separate)
{
	struct gx_strv argv = { 0 };
	struct gx_error err = { 0 };
	const struct gx_service *svc;

	load("gravity:\n"
	     "  gunicorn:\n"
	     "    extra_args: \"--env 'A=b c' --env D=\\\\\\\"e\"\n");
	svc = service("gunicorn");
	cr_assert_eq(t.host->service_argv(svc, 0, &argv, &err), 0, "%s", err.message);
	cr_assert_geq(argv.n, 4);
	cr_expect_str_eq(argv.v[argv.n - 4], "--env");
	cr_expect_str_eq(argv.v[argv.n - 3], "A=b c");
	cr_expect_str_eq(argv.v[argv.n - 2], "--env");
	cr_expect_str_eq(argv.v[argv.n - 1], "D=\"e");
	/* The factory is one word, without the quotes the upstream template has. */
	cr_expect_str_eq(argv.v[0], "gunicorn");
	cr_expect_str_eq(argv.v[1], FACTORY);
	t.host->strv_release(&argv);
}

Test(gunicorn, extra_args_bad_quote_is_located)
{
	struct gx_strv argv = { 0 };
	struct gx_error err = { 0 };
	const struct gx_service *svc;

	load("gravity:\n"
	     "  gunicorn:\n"
	     "    extra_args: \"--name 'oops\"\n");
	svc = service("gunicorn");
	cr_expect_lt(t.host->service_argv(svc, 0, &argv, &err), 0);
	cr_expect_str_eq(err.file, t.config);
	cr_expect_eq(err.line, 3);
	cr_expect_not_null(strstr(err.message, "gravity.gunicorn.extra_args"), "%s", err.message);
	t.host->strv_release(&argv);
}

Test(gunicorn, preload_null_means_no_preload)
{
	const struct gx_service *svc;

	load("gravity:\n"
	     "  gunicorn:\n"
	     "    preload: null\n");
	svc = service("gunicorn");
	expect_argv(svc, 0,
		    "gunicorn " FACTORY " --timeout 300 --pythonpath lib " WORKER
		    " -b localhost:8080 --workers=1 " CONFIG);
	cr_expect_eq(graceful(svc), GX_GRACEFUL_SIGHUP);
}

Test(gunicorn, null_section_is_defaults)
{
	load("gravity:\n"
	     "  gunicorn:\n");
	expect_argv(service("gunicorn"), 0,
		    "gunicorn " FACTORY " --timeout 300 --pythonpath lib " WORKER
		    " -b localhost:8080 --workers=1 " CONFIG " --preload");
}

Test(gunicorn, disabled)
{
	load("gravity:\n"
	     "  gunicorn:\n"
	     "    enable: false\n");
	cr_expect_null(gx_test_service(&t, NULL, "gunicorn"));
}

/* ---------------------------------------------------------------------- */
/* Lists */

static const char list_yaml[] =
	"gravity:\n"
	"  virtualenv: @ROOT@/venv\n"
	"%s"
	"  gunicorn:\n"
	"    - bind: unix:@ROOT@/g0.sock\n"
	"      workers: 2\n"
	"    - bind: unix:@ROOT@/g1.sock\n"
	"      enable: false\n"
	"    - bind: localhost:8082\n"
	"      preload: false\n"
	"      extra_args: --reload\n";

Test(gunicorn, list_as_service_instances)
{
	const struct gx_service *svc;
	char yaml[1024];

	snprintf(yaml, sizeof(yaml), list_yaml, "");
	load(yaml);
	svc = service("gunicorn");
	cr_expect_null(gx_test_service(&t, NULL, "gunicorn0"));
	cr_assert_eq(svc->count, 2, "the disabled item must be skipped");
	cr_expect(svc->instances);
	expect_argv(svc, 0,
		    "@ROOT@/venv/bin/gunicorn " FACTORY " --timeout 300 --pythonpath lib " WORKER
		    " -b unix:@ROOT@/g0.sock --workers=2 " CONFIG " --preload");
	expect_argv(svc, 1,
		    "@ROOT@/venv/bin/gunicorn " FACTORY " --timeout 300 --pythonpath lib " WORKER
		    " -b localhost:8082 --workers=1 " CONFIG " --reload");
	expect_env(svc, 1, "PYTHONPATH", "lib");
	cr_expect_eq(graceful(svc), GX_GRACEFUL_ROLLING);
}

Test(gunicorn, list_as_separate_services)
{
	const struct gx_service *g0, *g2;
	char yaml[1024];

	snprintf(yaml, sizeof(yaml), list_yaml, "  use_service_instances: false\n");
	load(yaml);
	cr_expect_null(gx_test_service(&t, NULL, "gunicorn"));
	cr_expect_null(gx_test_service(&t, NULL, "gunicorn1"), "disabled item");
	g0 = service("gunicorn0");
	g2 = service("gunicorn2");
	cr_expect_eq(g0->count, 1);
	cr_expect_eq(g2->count, 1);
	cr_expect_not(g0->instances);
	cr_expect_str_eq(g2->config_type, "gunicorn");
	expect_argv(g0, 0,
		    "@ROOT@/venv/bin/gunicorn " FACTORY " --timeout 300 --pythonpath lib " WORKER
		    " -b unix:@ROOT@/g0.sock --workers=2 " CONFIG " --preload");
	expect_argv(g2, 0,
		    "@ROOT@/venv/bin/gunicorn " FACTORY " --timeout 300 --pythonpath lib " WORKER
		    " -b localhost:8082 --workers=1 " CONFIG " --reload");
	cr_expect_eq(graceful(g0), GX_GRACEFUL_DEFAULT);
	cr_expect_eq(graceful(g2), GX_GRACEFUL_SIGHUP);
}

Test(gunicorn, direct_style_disables_service_instances)
{
	load("gravity:\n"
	     "  service_command_style: direct\n"
	     "  gunicorn:\n"
	     "    - bind: localhost:8080\n"
	     "    - bind: localhost:8081\n");
	cr_expect_null(gx_test_service(&t, NULL, "gunicorn"));
	cr_expect_eq(service("gunicorn0")->count, 1);
	cr_expect_eq(service("gunicorn1")->count, 1);
}

Test(gunicorn, list_of_one)
{
	const struct gx_service *svc;

	load("gravity:\n"
	     "  gunicorn:\n"
	     "    - bind: localhost:8080\n"
	     "    - enable: false\n");
	svc = service("gunicorn");
	cr_expect_eq(svc->count, 1);
	cr_expect(svc->instances);
	cr_expect_eq(graceful(svc), GX_GRACEFUL_DEFAULT);
}

Test(gunicorn, list_all_disabled)
{
	load("gravity:\n"
	     "  gunicorn:\n"
	     "    - enable: false\n");
	cr_expect_null(gx_test_service(&t, NULL, "gunicorn"));
	cr_expect_null(gx_test_service(&t, NULL, "gunicorn0"));
}

/* ---------------------------------------------------------------------- */
/* Wrong values, with their location */

Test(gunicorn, wrong_type_is_located)
{
	char *diag = load_fails("gravity:\n"
				"  gunicorn:\n"
				"    workers: many\n");
	char where[1024];

	snprintf(where, sizeof(where), "%s:3:", t.config);
	cr_expect_not_null(strstr(diag, where), "%s", diag);
	cr_expect_not_null(strstr(diag, "gravity.gunicorn.workers: expected an integer"), "%s",
			   diag);
	free(diag);
}

Test(gunicorn, bounds)
{
	char *diag = load_fails("gravity:\n"
				"  gunicorn:\n"
				"    workers: 0\n"
				"    timeout: -1\n");

	cr_expect_not_null(strstr(diag, "gravity.gunicorn.workers: 0 is out of range (minimum 1)"),
			   "%s", diag);
	cr_expect_not_null(strstr(diag, "gravity.gunicorn.timeout: -1 is out of range (minimum 0)"),
			   "%s", diag);
	free(diag);
}

Test(gunicorn, restart_delay_per_instance)
{
	const struct gx_service *svc;
	char *diag;

	load("gravity:\n"
	     "  gunicorn:\n"
	     "    - bind: unix:/run/g0.sock\n"
	     "      restart_delay: 2.5\n"
	     "    - bind: unix:/run/g1.sock\n");
	svc = service("gunicorn");
	cr_assert_eq(svc->count, 2);
	cr_expect_float_eq(t.host->get_float(svc->settings[0], "restart_delay"), 2.5, 1e-9);
	cr_expect_float_eq(t.host->get_float(svc->settings[1], "restart_delay"), 0, 1e-9);
	gx_test_release(&t);
	diag = load_fails("gravity:\n"
			  "  gunicorn:\n"
			  "    restart_delay: -1\n");
	cr_expect_not_null(strstr(diag, "3:20: error: gravity.gunicorn.restart_delay: -1 is out "
					"of range (minimum 0)"),
			   "%s", diag);
	free(diag);
}

Test(gunicorn, wrong_type_in_list_item)
{
	char *diag = load_fails("gravity:\n"
				"  gunicorn:\n"
				"    - bind: localhost:8080\n"
				"    - preload: perhaps\n");
	char where[1024];

	snprintf(where, sizeof(where), "%s:4:", t.config);
	cr_expect_not_null(strstr(diag, where), "%s", diag);
	cr_expect_not_null(strstr(diag, "gravity.gunicorn[1].preload: expected a boolean"), "%s",
			   diag);
	free(diag);
}

Test(gunicorn, section_must_be_mapping_or_list)
{
	char *diag = load_fails("gravity:\n"
				"  gunicorn: localhost:8080\n");

	cr_expect_not_null(strstr(diag, "gravity.gunicorn: expected a mapping or a list"), "%s",
			   diag);
	free(diag);
}

/* ---------------------------------------------------------------------- */
/* The requirements.txt pin and --no-control-socket */

static bool has_no_control_socket(const char *requirements)
{
	char *argv;
	bool has;
	int r;

	gx_test_prepare(&t);
	gx_test_write(&t, "requirements.txt", requirements);
	r = gx_test_load_prepared(&t, "gravity:\n  gunicorn:\n    extra_args: --foo\n");
	cr_assert_eq(r, 0);
	argv = gx_test_argv(&t, service("gunicorn"), 0);
	cr_assert_not_null(argv);
	has = strstr(argv, "--no-control-socket") != NULL;
	if (has)
		cr_expect_not_null(strstr(argv, " --preload --no-control-socket --foo"), "%s", argv);
	free(argv);
	gx_test_release(&t);
	return has;
}

Test(gunicorn, control_socket_pin)
{
	static const struct {
		const char *text;
		bool want;
	} cases[] = {
		{ "gunicorn==21.2.0\n", false },
		{ "gunicorn==25.0.9\n", false },
		{ "gunicorn==25.0\n", false },
		{ "gunicorn==24.9\n", false },
		{ "gunicorn==25.1.0\n", true },
		{ "gunicorn==25.1\n", true },
		{ "gunicorn==25.10.3\n", true },
		{ "gunicorn==26.0.0\n", true },
		{ "gunicorn==26\n", true },
		{ "gunicorn==25\n", false },
		{ "gunicorn==25.*\n", false },
		{ "gunicorn==26.*\n", true },
		{ "gunicorn===25.1.0\n", true },
		{ "celery==5.2.6\nGunicorn == 25.2.0 ; python_version >= \"3.8\"\r\n", true },
		{ "  gunicorn[gevent]==25.1.0  # pinned\n", true },
		{ "gunicorn>=25.1\n", false },
		{ "gunicorn~=25.1\n", false },
		{ "gunicorn>=20,==25.1.0\n", true },
		{ "# gunicorn==26.0.0\n", false },
		{ "gunicorn-extra==26.0.0\n", false },
		{ "green-gunicorn==26.0.0\n", false },
		{ "gunicorn @ https://example.org/gunicorn-26.0.0.tar.gz\n", false },
		{ "gunicorn==v25.1\n", true },
		{ "gunicorn==\n", false },
		{ "gunicorn\n", false },
		{ "", false },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		cr_expect_eq(has_no_control_socket(cases[i].text), cases[i].want, "requirements: %s",
			     cases[i].text);
}

Test(gunicorn, control_socket_without_requirements_file)
{
	char path[1024];
	char *argv;

	gx_test_prepare(&t);
	snprintf(path, sizeof(path), "%s/requirements.txt", t.root);
	cr_assert_eq(unlink(path), 0);
	cr_assert_eq(gx_test_load_prepared(&t, "gravity: {}\n"), 0);
	argv = gx_test_argv(&t, service("gunicorn"), 0);
	cr_assert_not_null(argv);
	cr_expect_null(strstr(argv, "--no-control-socket"));
	free(argv);
}

/* ---------------------------------------------------------------------- */
/* Readiness, against real servers */

static int free_port(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	cr_assert_geq(fd, 0);
	cr_assert_eq(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	cr_assert_eq(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	close(fd);
	return ntohs(a.sin_port);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Run argv (NULL-terminated) from the stand-in root in its own process group, output to log. */
static void spawn(char *const argv[], const char *log)
{
	pid_t pid = fork();

	cr_assert_geq(pid, 0);
	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		setpgid(0, 0);
		if (fd < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0 || chdir(t.root) < 0)
			_exit(127);
		setenv("GRAVITY_SKIP_SYSTEMD", "1", 1);
		unsetenv("GRAVITY_PLUGIN_PATH");
		execv(argv[0], argv);
		_exit(127);
	}
	setpgid(pid, pid);
	server_pid = pid;
}

/* ready() with stderr captured; the text goes to out (heap) when not NULL. */
static int ready(const struct gx_service *svc, unsigned process, struct gx_error *err,
		 char **out)
{
	char path[1024];
	int fd, saved, r;
	FILE *f;

	snprintf(path, sizeof(path), "%s/ready-stderr", t.root);
	fflush(stderr);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	saved = dup(2);
	cr_assert(fd >= 0 && saved >= 0);
	dup2(fd, 2);
	memset(err, 0, sizeof(*err));
	r = svc->type->ready(t.host, svc, process, 2.0, err);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	close(fd);
	if (out) {
		size_t len = 0;

		*out = NULL;
		f = fopen(path, "r");
		cr_assert_not_null(f);
		if (getdelim(out, &len, '\0', f) < 0) {
			free(*out);
			*out = strdup("");
		}
		fclose(f);
	}
	return r;
}

/* Poll ready() until it answers 0 or 20 s pass; returns what was logged (heap). */
static char *wait_ready(const struct gx_service *svc, unsigned process, const char *log)
{
	struct gx_error err = { 0 };
	double deadline = now() + 20;
	char *text = NULL;
	int r;

	for (;;) {
		free(text);
		r = ready(svc, process, &err, &text);
		if (r == 0)
			return text;
		cr_assert_eq(r, -EAGAIN, "ready: %d %s", r, err.message);
		cr_assert_eq(waitpid(server_pid, NULL, WNOHANG), 0,
			     "the server exited; see %s", log);
		if (now() > deadline)
			cr_assert_fail("not ready after 20 s (%s); see %s", err.message, log);
		usleep(250 * 1000);
	}
}

static void exec_gunicorn(const char *log)
{
	char *const argv[] = { GX_TEST_BUILDDIR "/../galaxyctl", "-c", t.config, "exec",
			       "gunicorn", NULL };

	spawn(argv, log);
}

Test(gunicorn, ready_refused_is_not_yet)
{
	struct gx_error err;
	char yaml[256];

	snprintf(yaml, sizeof(yaml), "gravity:\n  gunicorn:\n    bind: 127.0.0.1:%d\n",
		 free_port());
	load(yaml);
	cr_expect_eq(ready(service("gunicorn"), 0, &err, NULL), -EAGAIN);
	cr_expect_not_null(strstr(err.message, "not answering"), "%s", err.message);
}

Test(gunicorn, ready_cannot_check_fd_bind)
{
	struct gx_error err;

	load("gravity:\n  gunicorn:\n    bind: fd://3\n");
	cr_expect_eq(ready(service("gunicorn"), 0, &err, NULL), -EINVAL);
	cr_expect_not_null(strstr(err.message, "fd://3"), "%s", err.message);
}

Test(gunicorn, ready_real_gunicorn_tcp)
{
	char yaml[512], log[1024], want[256];
	int port = free_port();
	char *text;

	snprintf(yaml, sizeof(yaml),
		 "gravity:\n"
		 "  virtualenv: @ROOT@/venv\n"
		 "  gunicorn:\n"
		 "    bind: 127.0.0.1:%d\n"
		 "galaxy:\n"
		 "  galaxy_url_prefix: /galaxy/\n",
		 port);
	load(yaml);
	snprintf(log, sizeof(log), "%s/gunicorn.log", t.root);
	exec_gunicorn(log);
	text = wait_ready(service("gunicorn"), 0, log);
	snprintf(want, sizeof(want),
		 "Gunicorn on 127.0.0.1:%d running, version: 23.1.2 (disk version: 23.1.2)\n",
		 port);
	cr_expect_str_eq(text, want);
	free(text);
}

/* Galaxy 26.1's layout: the version module is the package lib/galaxy/version/. */
Test(gunicorn, ready_real_gunicorn_version_package)
{
	char yaml[512], log[1024], want[256], path[1024];
	int port = free_port();
	char *text;

	snprintf(yaml, sizeof(yaml),
		 "gravity:\n"
		 "  virtualenv: @ROOT@/venv\n"
		 "  gunicorn:\n"
		 "    bind: 127.0.0.1:%d\n",
		 port);
	load(yaml);
	snprintf(path, sizeof(path), "%s/lib/galaxy/version.py", t.root);
	cr_assert_eq(unlink(path), 0);
	snprintf(path, sizeof(path), "%s/lib/galaxy/version", t.root);
	cr_assert_eq(mkdir(path, 0755), 0);
	gx_test_write(&t, "lib/galaxy/version/__init__.py",
		      "VERSION_MAJOR = \"26.1\"\nVERSION_MINOR = \"1\"\n"
		      "VERSION = VERSION_MAJOR + (f\".{VERSION_MINOR}\" if VERSION_MINOR else \"\")\n");
	snprintf(log, sizeof(log), "%s/gunicorn.log", t.root);
	exec_gunicorn(log);
	text = wait_ready(service("gunicorn"), 0, log);
	snprintf(want, sizeof(want),
		 "Gunicorn on 127.0.0.1:%d running, version: 26.1.1 (disk version: 26.1.1)\n",
		 port);
	cr_expect_str_eq(text, want);
	free(text);
}

Test(gunicorn, ready_real_gunicorn_unix_socket)
{
	char log[1024], want[1024];
	const struct gx_service *svc;
	char *text;

	load("gravity:\n"
	     "  virtualenv: @ROOT@/venv\n"
	     "  gunicorn:\n"
	     "    - bind: unix:@ROOT@/gunicorn0.sock\n"
	     "    - bind: unix:@ROOT@/gunicorn1.sock\n");
	svc = service("gunicorn");
	snprintf(log, sizeof(log), "%s/gunicorn.log", t.root);
	{
		char *const argv[] = { GX_TEST_BUILDDIR "/../galaxyctl", "-c", t.config, "exec",
				       "--service-instance", "1", "gunicorn", NULL };

		spawn(argv, log);
	}
	text = wait_ready(svc, 1, log);
	snprintf(want, sizeof(want),
		 "Gunicorn on unix:%s/gunicorn1.sock running, version: 23.1.2 (disk version: "
		 "23.1.2)\n",
		 t.root);
	cr_expect_str_eq(text, want);
	free(text);
}

/* A plain HTTP server over a directory: answers that are not Galaxy's. */
static void http_server(int port, const char *dir, const char *log)
{
	char port_text[16];
	char *const argv[] = { "/usr/bin/python3", "-m", "http.server", "--bind", "127.0.0.1",
			       "--directory", (char *)dir, port_text, NULL };

	snprintf(port_text, sizeof(port_text), "%d", port);
	spawn(argv, log);
}

static int ready_until_answer(const struct gx_service *svc, struct gx_error *err)
{
	double deadline = now() + 20;
	int r;

	do {
		r = ready(svc, 0, err, NULL);
		if (r != -EAGAIN || !strstr(err->message, "not answering"))
			return r;
		usleep(200 * 1000);
	} while (now() < deadline);
	return r;
}

Test(gunicorn, ready_needs_version_json)
{
	char yaml[256], dir[1024], log[1024];
	const struct gx_service *svc;
	struct gx_error err;
	int port = free_port();

	snprintf(yaml, sizeof(yaml),
		 "gravity:\n  gunicorn:\n    bind: 127.0.0.1:%d\ngalaxy:\n  galaxy_url_prefix: /p\n",
		 port);
	load(yaml);
	svc = service("gunicorn");
	snprintf(dir, sizeof(dir), "%s/www", t.root);
	gx_test_write(&t, "www/p/api/version", "{\"app\": \"reports\"}");
	snprintf(log, sizeof(log), "%s/http.log", t.root);
	http_server(port, dir, log);
	cr_expect_eq(ready_until_answer(svc, &err), -EAGAIN);
	cr_expect_not_null(strstr(err.message, "answered /p/api/version with HTTP 200 but no "
					       "version_major"), "%s", err.message);
	gx_test_write(&t, "www/p/api/version", "not json");
	cr_expect_eq(ready(svc, 0, &err, NULL), -EAGAIN);
	cr_expect_not_null(strstr(err.message, "no version_major"), "%s", err.message);
	unlink(strcat(dir, "/p/api/version"));
	cr_expect_eq(ready(svc, 0, &err, NULL), -EAGAIN);
	cr_expect_not_null(strstr(err.message, "HTTP 404"), "%s", err.message);
}

/* ------------------------------------------------------------------ */
/* app_server: unicornherder (Gravity 1.0.x)                          */

TestSuite(unicornherder, .fini = release);

Test(unicornherder, one_service_under_unicornherder_without_preload)
{
	const struct gx_service *svc;

	load("gravity:\n"
	     "  app_server: unicornherder\n"
	     "  virtualenv: /venv\n"
	     "  gunicorn:\n"
	     "    bind: localhost:8181\n");
	cr_assert_null(gx_test_service(&t, NULL, "gunicorn"), "no gunicorn beside unicornherder");
	svc = service("unicornherder");
	cr_expect_str_eq(svc->config_type, "unicornherder");
	expect_argv(svc, 0,
		    "/venv/bin/unicornherder -- " FACTORY " --timeout 300 --pythonpath lib " WORKER
		    " -b localhost:8181 --workers=1 " CONFIG);
	cr_expect_eq(graceful(svc), GX_GRACEFUL_SIGHUP);
	expect_env(svc, 0, "PYTHONPATH", "lib");
}

Test(unicornherder, preload_when_asked)
{
	const struct gx_service *svc;

	load("gravity:\n"
	     "  app_server: unicornherder\n"
	     "  gunicorn:\n"
	     "    preload: true\n");
	svc = service("unicornherder");
	expect_argv(svc, 0,
		    "unicornherder -- " FACTORY " --timeout 300 --pythonpath lib " WORKER
		    " -b localhost:8080 --workers=1 " CONFIG " --preload");
	cr_expect_eq(graceful(svc), GX_GRACEFUL_SIGHUP, "unicornherder restarts by SIGHUP");
}

Test(unicornherder, disabled)
{
	load("gravity:\n"
	     "  app_server: unicornherder\n"
	     "  gunicorn:\n"
	     "    enable: false\n");
	cr_expect_null(gx_test_service(&t, NULL, "unicornherder"));
	cr_expect_null(gx_test_service(&t, NULL, "gunicorn"));
}

Test(unicornherder, a_list_is_an_error)
{
	char *diag = load_fails("gravity:\n"
				"  app_server: unicornherder\n"
				"  gunicorn:\n"
				"    - bind: localhost:8080\n"
				"    - bind: localhost:8081\n");

	cr_expect_not_null(strstr(diag, "Settings for unicornherder is a list, but lists are not "
					"allowed for this service type"),
			   "%s", diag);
	free(diag);
}
