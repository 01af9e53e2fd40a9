/* SPDX-License-Identifier: MIT */
/* Unit tests for core/http.c against a real HTTP server (tests/fixtures/http/server.py). */
#include <arpa/inet.h>
#include <errno.h>
#include <ftw.h>
#include <math.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "http.h"

#define SERVER_SCRIPT GX_TEST_SRCDIR "/fixtures/http/server.py"
#define VERSION_JSON "{\"version_major\": \"23.1\", \"version_minor\": \"1\"}"

static char tmpdir[256];
static pid_t server_pid;
static int server_port;

static void tmp_setup(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/gx-http-XXXXXX");
	cr_assert_not_null(mkdtemp(tmpdir), "mkdtemp: %s", strerror(errno));
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static void teardown(void)
{
	if (server_pid > 0) {
		kill(server_pid, SIGTERM);
		waitpid(server_pid, NULL, 0);
		server_pid = 0;
	}
	if (tmpdir[0])
		nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	tmpdir[0] = '\0';
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * Run the server with args after --ready and wait (10 s at most) for it to
 * write its port.  False when it exits first, e.g. because it cannot bind.
 */
static bool server_start(const char *a1, const char *a2, const char *a3, const char *a4)
{
	char ready[512];
	double deadline;
	FILE *f;
	int status;

	snprintf(ready, sizeof(ready), "%s/ready", tmpdir);
	server_pid = fork();
	cr_assert_neq(server_pid, -1, "fork: %s", strerror(errno));
	if (server_pid == 0) {
		/* Don't outlive a test process that crashes before its .fini. */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		execlp("python3", "python3", SERVER_SCRIPT, "--ready", ready, a1, a2, a3, a4,
		       (char *)NULL);
		_exit(127);
	}
	for (deadline = now() + 10; now() < deadline; usleep(10000)) {
		f = fopen(ready, "r");
		if (f) {
			cr_assert_eq(fscanf(f, "%d", &server_port), 1);
			fclose(f);
			return true;
		}
		if (waitpid(server_pid, &status, WNOHANG) == server_pid) {
			server_pid = 0;
			cr_assert_neq(WEXITSTATUS(status), 127, "cannot run python3");
			return false;
		}
	}
	cr_assert_fail("server did not get ready in 10 s");
	return false;
}

static void tcp_server(void)
{
	tmp_setup();
	cr_assert(server_start("--host", "127.0.0.1", NULL, NULL), "server failed to start");
}

static const char *unix_sock(void)
{
	static char path[300];

	snprintf(path, sizeof(path), "%s/gunicorn.sock", tmpdir);
	return path;
}

static void unix_server(void)
{
	tmp_setup();
	cr_assert(server_start("--unix", unix_sock(), NULL, NULL), "server failed to start");
}

static const char *bind_fmt(const char *fmt, int port)
{
	static char buf[512];

	snprintf(buf, sizeof(buf), fmt, port);
	return buf;
}

/* GET path from bind and expect a response with this status and body. */
static void expect_get(const char *bind, const char *path, long want_status, const char *want_body)
{
	struct gx_error err = { 0 };
	char *body = NULL;
	long status = 0;
	int r;

	r = gx_http_get(bind, path, 5, &status, &body, &err);
	cr_assert_eq(r, 0, "GET %s %s: %d %s", bind, path, r, err.message);
	cr_expect_eq(status, want_status, "GET %s %s: status %ld", bind, path, status);
	cr_assert_not_null(body);
	cr_expect_str_eq(body, want_body, "GET %s %s", bind, path);
	free(body);
}

/* Expect failure code and a message that starts with prefix; out-params untouched. */
static void expect_fail(const char *bind, const char *path, double timeout, int code,
			const char *prefix)
{
	struct gx_error err = { 0 };
	char sentinel;
	char *body = &sentinel;
	long status = -42;
	int r;

	r = gx_http_get(bind, path, timeout, &status, &body, &err);
	cr_expect_eq(r, code, "GET %s %s: %d (%s), want %d", bind, path, r, err.message, code);
	cr_expect_eq(err.code, code);
	cr_expect_eq(strncmp(err.message, prefix, strlen(prefix)), 0, "message: %s", err.message);
	cr_expect_eq(status, -42);
	cr_expect_eq(body, &sentinel);
}

Test(http_tcp, gets_status_and_body, .init = tcp_server, .fini = teardown)
{
	expect_get(bind_fmt("127.0.0.1:%d", server_port), "/api/version", 200, VERSION_JSON);
	expect_get(bind_fmt("localhost:%d", server_port), "/api/version", 200, VERSION_JSON);
}

Test(http_tcp, any_status_is_a_response, .init = tcp_server, .fini = teardown)
{
	expect_get(bind_fmt("127.0.0.1:%d", server_port), "/status/503", 503, "");
	expect_get(bind_fmt("127.0.0.1:%d", server_port), "/status/302", 302, "");
	expect_get(bind_fmt("127.0.0.1:%d", server_port), "/no/such/page", 404, "not found");
}

Test(http_tcp, outputs_are_optional, .init = tcp_server, .fini = teardown)
{
	struct gx_error err = { 0 };
	char *body = NULL;
	long status = 0;

	cr_expect_eq(gx_http_get(bind_fmt("127.0.0.1:%d", server_port), "/api/version", 5,
				 NULL, NULL, &err), 0, "%s", err.message);
	cr_expect_eq(gx_http_get(bind_fmt("127.0.0.1:%d", server_port), "/api/version", 5,
				 &status, NULL, &err), 0, "%s", err.message);
	cr_expect_eq(status, 200);
	cr_expect_eq(gx_http_get(bind_fmt("127.0.0.1:%d", server_port), "/api/version", 5,
				 NULL, &body, &err), 0, "%s", err.message);
	cr_expect_str_eq(body, VERSION_JSON);
	free(body);
}

/* The Host header shows which address a listen address was turned into. */
Test(http_tcp, wildcard_binds_connect_over_loopback, .init = tcp_server, .fini = teardown)
{
	char want[64];

	snprintf(want, sizeof(want), "127.0.0.1:%d", server_port);
	expect_get(bind_fmt("0.0.0.0:%d", server_port), "/host", 200, want);
	expect_get(bind_fmt(":%d", server_port), "/host", 200, want);
	expect_get(bind_fmt("tcp://0.0.0.0:%d", server_port), "/host", 200, want);
	snprintf(want, sizeof(want), "localhost:%d", server_port);
	expect_get(bind_fmt("localhost:%d", server_port), "/host", 200, want);
}

Test(http_tcp, ignores_proxy_environment, .init = tcp_server, .fini = teardown)
{
	setenv("http_proxy", "http://127.0.0.1:9", 1);
	setenv("HTTP_PROXY", "http://127.0.0.1:9", 1);
	setenv("ALL_PROXY", "http://127.0.0.1:9", 1);
	expect_get(bind_fmt("127.0.0.1:%d", server_port), "/api/version", 200, VERSION_JSON);
}

Test(http_tcp, timeout, .init = tcp_server, .fini = teardown)
{
	double start = now();

	expect_fail(bind_fmt("127.0.0.1:%d", server_port), "/slow", 0.3, -ETIMEDOUT,
		    "cannot GET /slow from 127.0.0.1:");
	cr_expect_lt(now() - start, 3.0, "took %.1f s", now() - start);
}

Test(http_tcp, no_answer_is_eio, .init = tcp_server, .fini = teardown)
{
	expect_fail(bind_fmt("127.0.0.1:%d", server_port), "/close", 5, -EIO,
		    "cannot GET /close from 127.0.0.1:");
}

Test(http_v6, brackets_and_wildcard, .init = tmp_setup, .fini = teardown)
{
	char want[64];

	if (!server_start("--host", "::", NULL, NULL)) {
		teardown(); /* a skipped test gets no .fini */
		cr_skip_test("no IPv6 here");
	}
	snprintf(want, sizeof(want), "[::1]:%d", server_port);
	expect_get(bind_fmt("[::1]:%d", server_port), "/host", 200, want);
	expect_get(bind_fmt("[::]:%d", server_port), "/host", 200, want);
	expect_get(bind_fmt("[::1]:%d", server_port), "/api/version", 200, VERSION_JSON);
}

/* A bind without a port is port 80, which only root can listen on. */
Test(http_default_port, host_alone_is_port_80, .init = tmp_setup, .fini = teardown)
{
	bool v6 = server_start("--host", "::", "--port", "80");

	if (!v6 && !server_start("--host", "127.0.0.1", "--port", "80")) {
		teardown(); /* a skipped test gets no .fini */
		cr_skip_test("cannot listen on port 80");
	}
	expect_get("127.0.0.1", "/host", 200, "127.0.0.1");
	expect_get("0.0.0.0", "/host", 200, "127.0.0.1");
	expect_get("tcp://localhost", "/api/version", 200, VERSION_JSON);
	if (!v6)
		return;
	expect_get("::", "/host", 200, "[::1]");
	expect_get("[::]", "/host", 200, "[::1]");
	expect_get("::1", "/api/version", 200, VERSION_JSON);
}

Test(http_unix, gets_over_a_unix_socket, .init = unix_server, .fini = teardown)
{
	char where[512];

	snprintf(where, sizeof(where), "unix:%s", unix_sock());
	expect_get(where, "/api/version", 200, VERSION_JSON);
	expect_get(where, "/host", 200, "localhost");
	expect_get(where, "/status/502", 502, "");
	snprintf(where, sizeof(where), "unix://%s", unix_sock());
	expect_get(where, "/api/version", 200, VERSION_JSON);
}

Test(http_refused, closed_tcp_port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof(sa);
	char prefix[128];
	int fd;

	/* Bound but not listening: nobody can take the port, connecting is refused. */
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	cr_assert_geq(fd, 0);
	cr_assert_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	cr_assert_eq(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	snprintf(prefix, sizeof(prefix), "cannot GET /api/version from 127.0.0.1:%d: ",
		 ntohs(sa.sin_port));
	expect_fail(bind_fmt("127.0.0.1:%d", ntohs(sa.sin_port)), "/api/version", 5,
		    -ECONNREFUSED, prefix);
	close(fd);
}

Test(http_refused, missing_unix_socket, .init = tmp_setup, .fini = teardown)
{
	char where[512];

	snprintf(where, sizeof(where), "unix:%s/missing.sock", tmpdir);
	expect_fail(where, "/api/version", 5, -ECONNREFUSED, "cannot GET /api/version from unix:");
	snprintf(where, sizeof(where), "unix:%s/no/such/dir.sock", tmpdir);
	expect_fail(where, "/api/version", 5, -ECONNREFUSED, "cannot GET /api/version from unix:");
}

Test(http_refused, stale_unix_socket, .init = tmp_setup, .fini = teardown)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char where[512];
	int fd;

	/* What a crashed server leaves behind: the socket file, nobody listening. */
	cr_assert_lt(strlen(unix_sock()), sizeof(sa.sun_path));
	memcpy(sa.sun_path, unix_sock(), strlen(unix_sock()) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	cr_assert_geq(fd, 0);
	cr_assert_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(fd);
	snprintf(where, sizeof(where), "unix:%s", unix_sock());
	expect_fail(where, "/api/version", 5, -ECONNREFUSED, "cannot GET /api/version from unix:");
}

Test(http_invalid, bad_arguments)
{
	static const char *const binds[] = {
		"",	    "unix:",	 "unix://",	  "host:",    "host:0",	     "host:65536",
		"host:abc", "host:-1",	 "[::1",	  "[::1]x",   "[::1]:",	     "[zz]:80",
		"[]:80",    "a b:80",	 "user@host:80", "h/x:80",   "h?x",	     "tcp://",
		"a:b:c:g",
	};
	char prefix[128];

	for (size_t i = 0; i < sizeof(binds) / sizeof(binds[0]); i++) {
		snprintf(prefix, sizeof(prefix), "invalid bind address: %s", binds[i]);
		expect_fail(binds[i], "/api/version", 5, -EINVAL, prefix);
	}
	expect_fail("127.0.0.1:8080", "api/version", 5, -EINVAL, "HTTP path must start with '/'");
	expect_fail("127.0.0.1:8080", "", 5, -EINVAL, "HTTP path must start with '/'");
	expect_fail("127.0.0.1:8080", "/", 0, -EINVAL, "invalid HTTP timeout");
	expect_fail("127.0.0.1:8080", "/", -1, -EINVAL, "invalid HTTP timeout");
	expect_fail("127.0.0.1:8080", "/", NAN, -EINVAL, "invalid HTTP timeout");
	expect_fail("127.0.0.1:8080", "/", INFINITY, -EINVAL, "invalid HTTP timeout");
}
