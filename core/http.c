/* SPDX-License-Identifier: MIT */
/*
 * One-shot HTTP GET with libcurl over TCP or a unix socket, for readiness
 * checks.  libcurl (and its thirty-odd dependencies) is opened on first use
 * rather than linked, so that commands which never probe start in a few
 * milliseconds.
 */
#include <ctype.h>
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "diag.h"
#include "http.h"

/* A readiness probe never needs more; a bigger answer is a misbehaving server. */
#define HTTP_BODY_MAX (16u << 20)

/* The libcurl entry points we use, resolved from the library at first use. */
static struct {
	CURLcode (*global_init)(long flags);
	CURL *(*easy_init)(void);
	CURLcode (*easy_setopt)(CURL *curl, CURLoption option, ...);
	CURLcode (*easy_perform)(CURL *curl);
	CURLcode (*easy_getinfo)(CURL *curl, CURLINFO info, ...);
	void (*easy_cleanup)(CURL *curl);
	const char *(*easy_strerror)(CURLcode code);
} curl_api;

static pthread_once_t http_once = PTHREAD_ONCE_INIT;
static char http_init_error[256];

/* Open libcurl (never closed: it stays for the life of the process). */
static void http_global_init(void)
{
	static const char *const names[] = { "libcurl.so.4", "libcurl.so" };
	void *lib = NULL;
	CURLcode cc;

	for (size_t i = 0; !lib && i < sizeof(names) / sizeof(names[0]); i++)
		lib = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
	if (!lib) {
		snprintf(http_init_error, sizeof(http_init_error), "%s", dlerror());
		return;
	}
	*(void **)&curl_api.global_init = dlsym(lib, "curl_global_init");
	*(void **)&curl_api.easy_init = dlsym(lib, "curl_easy_init");
	*(void **)&curl_api.easy_setopt = dlsym(lib, "curl_easy_setopt");
	*(void **)&curl_api.easy_perform = dlsym(lib, "curl_easy_perform");
	*(void **)&curl_api.easy_getinfo = dlsym(lib, "curl_easy_getinfo");
	*(void **)&curl_api.easy_cleanup = dlsym(lib, "curl_easy_cleanup");
	*(void **)&curl_api.easy_strerror = dlsym(lib, "curl_easy_strerror");
	if (!curl_api.global_init || !curl_api.easy_init || !curl_api.easy_setopt ||
	    !curl_api.easy_perform || !curl_api.easy_getinfo || !curl_api.easy_cleanup ||
	    !curl_api.easy_strerror) {
		snprintf(http_init_error, sizeof(http_init_error), "a libcurl symbol is missing");
		return;
	}
	cc = curl_api.global_init(CURL_GLOBAL_DEFAULT);
	if (cc != CURLE_OK)
		snprintf(http_init_error, sizeof(http_init_error), "%s", curl_api.easy_strerror(cc));
}

/* Where to connect: the URL's authority, and the socket file for unix: binds. */
struct http_target {
	char *authority; /* "127.0.0.1:8080", "[::1]", "localhost" */
	const char *unix_path;
};

/* A host name or IPv4 address, with nothing that could change the URL's meaning. */
static bool http_host_ok(const char *host, size_t len)
{
	size_t i;

	if (len == 0)
		return false;
	for (i = 0; i < len; i++)
		if (!isalnum((unsigned char)host[i]) && !strchr(".-_", host[i]))
			return false;
	return true;
}

/* What may stand between the brackets of an IPv6 URL (no zone ids). */
static bool http_v6_ok(const char *host, size_t len)
{
	size_t i;

	if (len < 2)
		return false;
	for (i = 0; i < len; i++)
		if (!isxdigit((unsigned char)host[i]) && !strchr(":.", host[i]))
			return false;
	return true;
}

/* Port text is 1..65535 in decimal. */
static bool http_port_ok(const char *port)
{
	unsigned long v = 0;
	size_t len = strlen(port);
	size_t i;

	if (len == 0 || len > 5)
		return false;
	for (i = 0; i < len; i++) {
		if (!isdigit((unsigned char)port[i]))
			return false;
		v = v * 10 + (unsigned long)(port[i] - '0');
	}
	return v >= 1 && v <= 65535;
}

/*
 * Wildcard listen addresses mean "this host" to a client: connect over
 * loopback in the same address family.  port NULL: none (80).
 */
static int http_authority(struct http_target *t, const char *host, size_t hlen, bool v6,
			  const char *port)
{
	int r;

	if (hlen == 0 || (hlen == 7 && !memcmp(host, "0.0.0.0", 7))) {
		host = "127.0.0.1";
		hlen = 9;
	} else if (v6 && hlen == 2 && !memcmp(host, "::", 2)) {
		host = "::1";
		hlen = 3;
	}
	r = asprintf(&t->authority, "%s%.*s%s%s%s", v6 ? "[" : "", (int)hlen, host,
		     v6 ? "]" : "", port ? ":" : "", port ? port : "");
	return r < 0 ? -ENOMEM : 0;
}

/* Gunicorn's bind syntax: unix:PATH, unix://PATH, [tcp://]HOST[:PORT], [V6][:PORT], bare V6. */
static int http_parse_bind(const char *bind, struct http_target *t)
{
	const char *port = NULL;
	const char *host = bind;
	const char *end;
	bool v6 = false;
	size_t hlen;

	if (!strncmp(bind, "unix:", 5)) {
		t->unix_path = bind + 5;
		if (!strncmp(t->unix_path, "//", 2))
			t->unix_path += 2;
		if (!*t->unix_path)
			return -EINVAL;
		t->authority = strdup("localhost");
		return t->authority ? 0 : -ENOMEM;
	}
	if (!strncmp(bind, "tcp://", 6)) {
		bind += 6;
		host = bind;
	}
	if (bind[0] == '[') {
		end = strchr(bind, ']');
		if (!end || (end[1] && end[1] != ':'))
			return -EINVAL;
		host = bind + 1;
		hlen = (size_t)(end - host);
		port = end[1] ? end + 2 : NULL;
		v6 = true;
	} else if ((end = strchr(bind, ':')) && strchr(end + 1, ':')) {
		hlen = strlen(bind);
		v6 = true;
	} else {
		hlen = end ? (size_t)(end - bind) : strlen(bind);
		port = end ? end + 1 : NULL;
	}
	if (port && !http_port_ok(port))
		return -EINVAL;
	if (v6 ? !http_v6_ok(host, hlen) : hlen ? !http_host_ok(host, hlen) : !port)
		return -EINVAL;
	return http_authority(t, host, hlen, v6, port);
}

struct http_body {
	char *data;
	size_t len;
};

static size_t http_write(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	struct http_body *b = userdata;
	size_t n = size * nmemb;
	char *grown;

	if (n > HTTP_BODY_MAX - b->len)
		return 0;
	grown = realloc(b->data, b->len + n + 1);
	if (!grown)
		return 0;
	memcpy(grown + b->len, ptr, n);
	b->data = grown;
	b->len += n;
	b->data[b->len] = '\0';
	return n;
}

/* Map a failed transfer to the errno the caller can act on. */
static int http_errno(CURL *curl, CURLcode cc)
{
	long os_errno = 0;

	switch (cc) {
	case CURLE_COULDNT_CONNECT:
		curl_api.easy_getinfo(curl, CURLINFO_OS_ERRNO, &os_errno);
		if (os_errno == 0 || os_errno == ECONNREFUSED || os_errno == ENOENT)
			return -ECONNREFUSED;
		return -EIO;
	case CURLE_OPERATION_TIMEDOUT:
		return -ETIMEDOUT;
	case CURLE_OUT_OF_MEMORY:
		return -ENOMEM;
	default:
		return -EIO;
	}
}

/* One GET: what it asks for, and what came back. */
struct http_request {
	const char *bind;
	const char *path;
	struct http_target target;
	char *url;
	long timeout_ms;
	long status;
	struct http_body body;
	char errbuf[CURL_ERROR_SIZE];
};

static CURLcode http_setup(CURL *curl, struct http_request *rq)
{
	CURLcode cc = CURLE_OK;

#define HTTP_SETOPT(opt, val)                                  \
	do {                                                   \
		if (cc == CURLE_OK)                            \
			cc = curl_api.easy_setopt(curl, opt, val); \
	} while (0)
	HTTP_SETOPT(CURLOPT_ERRORBUFFER, rq->errbuf);
	HTTP_SETOPT(CURLOPT_URL, rq->url);
	HTTP_SETOPT(CURLOPT_PATH_AS_IS, 1L);
	if (rq->target.unix_path)
		HTTP_SETOPT(CURLOPT_UNIX_SOCKET_PATH, rq->target.unix_path);
	/* A probe of our own service must not go through $http_proxy. */
	HTTP_SETOPT(CURLOPT_PROXY, "");
	HTTP_SETOPT(CURLOPT_NOSIGNAL, 1L);
	HTTP_SETOPT(CURLOPT_TIMEOUT_MS, rq->timeout_ms);
	HTTP_SETOPT(CURLOPT_CONNECTTIMEOUT_MS, rq->timeout_ms);
	HTTP_SETOPT(CURLOPT_USERAGENT, PACKAGE_NAME "/" PACKAGE_VERSION);
	HTTP_SETOPT(CURLOPT_WRITEFUNCTION, http_write);
	HTTP_SETOPT(CURLOPT_WRITEDATA, &rq->body);
#undef HTTP_SETOPT
	return cc;
}

static int http_perform(struct http_request *rq, struct gx_error *err)
{
	CURLcode cc;
	CURL *curl;
	int r = 0;

	pthread_once(&http_once, http_global_init);
	if (http_init_error[0])
		return gx_error_set(err, NULL, -EIO, "cannot initialise libcurl: %s",
				    http_init_error);
	curl = curl_api.easy_init();
	if (!curl)
		return gx_error_set(err, NULL, -ENOMEM, "cannot GET %s from %s: %s", rq->path,
				    rq->bind, "cannot create a curl handle");
	cc = http_setup(curl, rq);
	if (cc == CURLE_OK)
		cc = curl_api.easy_perform(curl);
	if (cc == CURLE_OK)
		cc = curl_api.easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &rq->status);
	if (cc != CURLE_OK)
		r = gx_error_set(err, NULL, http_errno(curl, cc), "cannot GET %s from %s: %s",
				 rq->path, rq->bind,
				 rq->errbuf[0] ? rq->errbuf : curl_api.easy_strerror(cc));
	curl_api.easy_cleanup(curl);
	return r;
}

/* Seconds to whole milliseconds, rounded up so that a tiny timeout is not 0 (none). */
static long http_ms(double seconds)
{
	double ms = seconds * 1000.0;
	long whole;

	if (ms >= (double)LONG_MAX)
		return LONG_MAX;
	whole = (long)ms;
	return whole < ms ? whole + 1 : whole;
}

static int http_prepare(struct http_request *rq, double timeout_s, struct gx_error *err)
{
	int r;

	if (rq->path[0] != '/')
		return gx_error_set(err, NULL, -EINVAL, "HTTP path must start with '/': %s",
				    rq->path);
	if (!(timeout_s > 0) || !isfinite(timeout_s))
		return gx_error_set(err, NULL, -EINVAL, "invalid HTTP timeout: %g", timeout_s);
	rq->timeout_ms = http_ms(timeout_s);
	r = http_parse_bind(rq->bind, &rq->target);
	if (r == -EINVAL)
		return gx_error_set(err, NULL, r, "invalid bind address: %s", rq->bind);
	if (r == 0 && asprintf(&rq->url, "http://%s%s", rq->target.authority, rq->path) < 0)
		r = -ENOMEM;
	if (r < 0)
		return gx_error_set(err, NULL, r, "out of memory");
	return 0;
}

int gx_http_get(const char *bind, const char *path, double timeout_s, long *ret_status,
		char **ret_body, struct gx_error *err)
{
	struct http_request rq = { .bind = bind, .path = path };
	int r;

	r = http_prepare(&rq, timeout_s, err);
	if (r == 0)
		r = http_perform(&rq, err);
	if (r == 0 && !rq.body.data) {
		rq.body.data = strdup("");
		if (!rq.body.data)
			r = gx_error_set(err, NULL, -ENOMEM, "out of memory");
	}
	if (r == 0) {
		if (ret_status)
			*ret_status = rq.status;
		if (ret_body) {
			*ret_body = rq.body.data;
			rq.body.data = NULL;
		}
	}
	free(rq.body.data);
	free(rq.url);
	free(rq.target.authority);
	return r;
}
