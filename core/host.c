/* SPDX-License-Identifier: MIT */
/* The gx_host instance the core hands to modules: logging, config reads, helpers. */
#include <errno.h>
#include <unistd.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "dry_run.h"
#include "escape.h"
#include "fsutil.h"
#include "graceful.h"
#include "selection.h"
#include "host.h"
#include "http.h"
#include "instance.h"
#include "node.h"
#include "status.h"
#include "strv.h"
#include "yaml_load.h"

static const char *const level_names[GX_LOG_MAX] = {
	[GX_LOG_DEBUG] = "debug",
	[GX_LOG_INFO] = NULL,
	[GX_LOG_WARNING] = "warning",
	[GX_LOG_ERROR] = "error",
};

static bool host_debug;
static bool host_quiet;
static bool host_muted;
static bool host_dry_run;
static char *host_self_exe;

static void host_vlog(enum gx_log_level level, const char *fmt, va_list ap)
{
	if ((level == GX_LOG_DEBUG && !host_debug) || (level == GX_LOG_INFO && host_quiet) ||
	    (host_muted && level < GX_LOG_ERROR))
		return;
	if (level < GX_LOG_MAX && level_names[level])
		fprintf(stderr, "galaxyctl: %s: ", level_names[level]);
	gx_vfprintf_printable(stderr, fmt, ap);
	fputc('\n', stderr);
}

void gx_log(enum gx_log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	host_vlog(level, fmt, ap);
	va_end(ap);
}

void gx_log_set_quiet(bool quiet)
{
	host_quiet = quiet;
}

void gx_log_mute(bool mute)
{
	host_muted = mute;
}

static void host_out(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	gx_vfprintf_printable(stdout, fmt, ap);
	va_end(ap);
}

static int host_errorf(struct gx_error *err, const struct gx_node *at, int code,
		       const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	gx_error_setv(err, at, code, fmt, ap);
	va_end(ap);
	return code;
}

static const struct gx_node *host_get(const struct gx_node *map, const char *key)
{
	return gx_node_get(map, key);
}

static bool host_get_bool(const struct gx_node *map, const char *key)
{
	bool v = false;

	return gx_node_as_bool(gx_node_get(map, key), &v) && v;
}

static long host_get_int(const struct gx_node *map, const char *key)
{
	long v = 0;

	return gx_node_as_long(gx_node_get(map, key), &v) ? v : 0;
}

static double host_get_float(const struct gx_node *map, const char *key)
{
	double v = NAN;

	return gx_node_as_double(gx_node_get(map, key), &v) ? v : NAN;
}

static bool host_is_null(const struct gx_node *node)
{
	return gx_node_is_null(node);
}

static int host_status_add(struct gx_status *st, const struct gx_status_row *row)
{
	return gx_status_add(st, row);
}

/*
 * PATH with the virtualenv's bin first, as Gravity sets it for every
 * service: in front of path, else of the PATH the service type set, else
 * of galaxyctl's own.
 */
static int host_env_path(const struct gx_instance *inst, struct gx_strv *env, const char *path)
{
	long i = gx_strv_env_find(env, "PATH");
	char *bin, *value = NULL;
	int r = -ENOMEM;

	if (!path)
		path = i >= 0 ? env->v[i] + strlen("PATH=") : getenv("PATH");
	if (!path || !*path)
		path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
	bin = gx_path_join(inst->virtualenv, "bin");
	if (bin && asprintf(&value, "%s:%s", bin, path) >= 0) {
		r = gx_strv_env_set(env, "PATH", value);
		free(value);
	}
	free(bin);
	return r;
}

static int host_service_env(const struct gx_service *svc, unsigned process, struct gx_strv *env,
			    struct gx_error *err);

static int host_service_argv(const struct gx_service *svc, unsigned process,
			     struct gx_strv *argv, struct gx_error *err);
static int host_service_argv_with_virtualenv(const struct gx_service *svc, unsigned process,
					     const char *virtualenv, struct gx_strv *argv,
					     struct gx_error *err);

static int host_graceful(const struct gx_graceful_ops *ops, void *ctx,
			 const struct gx_service *const *svcs, size_t n, bool start_if_stopped,
			 struct gx_error *err);

static int host_refuse_if_stopped(pid_t pid, const char *who, struct gx_error *err);
static int host_graceful_request(const struct gx_graceful_ops *ops, void *ctx,
				 const struct gx_request *rq, const struct gx_service *const *svcs,
				 size_t n, struct gx_error *err);

static int host_read_file(const char *path, char **ret_text, size_t *ret_len,
			  struct gx_error *err)
{
	return gx_read_file(path, GX_CONFIG_MAX_BYTES, ret_text, ret_len, err);
}

static int host_yaml_load(const char *path, struct gx_yaml_doc **ret_doc,
			  const struct gx_node **ret_root, struct gx_error *err)
{
	struct gx_yaml_doc *doc = NULL;
	int r = gx_yaml_load_file(path, &doc, err);

	if (r < 0)
		return r;
	*ret_doc = doc;
	*ret_root = doc->root;
	return 0;
}

/* A string option's shell words; its own error, so that err never formats from itself. */
static int host_strv_split_option(struct gx_strv *sv, const struct gx_node *section, const char *key,
				  const char *name, struct gx_error *err)
{
	const char *words = gx_node_get_str(section, key);
	struct gx_error split = { 0 };
	int r;

	if (!words || !*words)
		return 0;
	r = gx_strv_split(sv, words, &split);
	if (r == -ENOMEM)
		return gx_error_set(err, NULL, r, "out of memory");
	if (r < 0)
		return gx_error_set(err, gx_node_get(section, key), r, "%s: %s", name, split.message);
	return 0;
}

/* update --dry-run writes nothing: a backend that tried anyway is stopped here. */
static int host_write_file(const char *path, const char *data, size_t len, mode_t mode,
			   struct gx_error *err)
{
	if (host_dry_run)
		return gx_error_set(err, NULL, -EROFS,
				    "update --dry-run writes nothing, but was asked to write %s", path);
	return gx_write_file(path, data, len, mode, err);
}

void gx_host_set_dry_run(bool dry_run)
{
	host_dry_run = dry_run;
}

static struct gx_host host = {
	.abi_major = GX_ABI_MAJOR,
	.abi_minor = GX_ABI_MINOR,
	.size = sizeof(struct gx_host),
	.log = gx_log,
	.out = host_out,
	.errorf = host_errorf,
	.get = host_get,
	.get_bool = host_get_bool,
	.get_int = host_get_int,
	.get_float = host_get_float,
	.get_str = gx_node_get_str,
	.is_null = host_is_null,
	.strv_push = gx_strv_push,
	.strv_pushf = gx_strv_pushf,
	.strv_split = gx_strv_split,
	.strv_split_option = host_strv_split_option,
	.strv_release = gx_strv_release,
	.add_service = gx_expand_add,
	.expand_default = gx_expand_default,
	.status_add = host_status_add,
	.write_file = host_write_file,
	.http_get = gx_http_get,
	.service_argv = host_service_argv,
	.service_env = host_service_env,
	.read_file = host_read_file,
	.yaml_load = host_yaml_load,
	.yaml_free = gx_yaml_doc_free,
	.graceful = host_graceful,
	.refuse_if_stopped = host_refuse_if_stopped,
	.service_argv_with_virtualenv = host_service_argv_with_virtualenv,
	.request_has_process = gx_request_has_process,
	.graceful_request = host_graceful_request,
	.plan_file = gx_plan_file,
	.plan_remove = gx_plan_remove,
	.plan_dir = gx_plan_dir,
	.plan_action = gx_plan_action,
};

static int host_service_argv(const struct gx_service *svc, unsigned process,
			     struct gx_strv *argv, struct gx_error *err)
{
	if (process >= svc->count)
		return gx_error_set(err, NULL, -EINVAL, "%s has no process %u (it has %u)",
				    svc->name, process, svc->count);
	return svc->type->argv(&host, svc, process, argv, err);
}

/* The core owns every instance, so it may lend one another virtualenv for the call. */
static int host_service_argv_with_virtualenv(const struct gx_service *svc, unsigned process,
					     const char *virtualenv, struct gx_strv *argv,
					     struct gx_error *err)
{
	struct gx_instance *inst = (struct gx_instance *)svc->instance;
	char *saved = inst->virtualenv;
	char *lent = virtualenv ? strdup(virtualenv) : NULL;
	int r;

	if (virtualenv && !lent)
		return gx_error_set(err, NULL, -ENOMEM, "out of memory");
	inst->virtualenv = lent;
	r = host_service_argv(svc, process, argv, err);
	inst->virtualenv = saved;
	free(lent);
	return r;
}

/*
 * As Gravity builds it: the service's own variables, VIRTUAL_ENV and PATH
 * with the virtualenv's bin first when a virtualenv is set, then the
 * environment: option, which may override any of them, except that the
 * virtualenv's bin stays in front of a PATH it sets.
 */
static int host_service_env(const struct gx_service *svc, unsigned process, struct gx_strv *env,
			    struct gx_error *err)
{
	const struct gx_node *extra;
	int r = 0;

	if (process >= svc->count)
		return gx_error_set(err, NULL, -EINVAL, "%s has no process %u (it has %u)",
				    svc->name, process, svc->count);
	if (svc->type->env) {
		r = svc->type->env(&host, svc, process, env, err);
		if (r < 0)
			return r;
	}
	if (svc->instance->virtualenv) {
		r = gx_strv_env_set(env, "VIRTUAL_ENV", svc->instance->virtualenv);
		if (r == 0)
			r = host_env_path(svc->instance, env, NULL);
	}
	extra = gx_node_get(svc->settings[process], "environment");
	for (size_t i = 0; r == 0 && extra && extra->kind == GX_NODE_MAPPING && i < extra->n; i++) {
		const char *name = extra->pairs[i].key->scalar;
		const struct gx_node *v = extra->pairs[i].value;
		const char *value = gx_node_is_null(v) ? "" : v->scalar;

		if (svc->instance->virtualenv && strcmp(name, "PATH") == 0 && *value)
			r = host_env_path(svc->instance, env, value);
		else
			r = gx_strv_env_set(env, name, value);
	}
	if (r == -ENOMEM)
		gx_error_set(err, NULL, r, "out of memory");
	return r;
}

const struct gx_host *gx_host_init(const char *self_exe, bool debug)
{
	free(host_self_exe);
	host_self_exe = self_exe ? strdup(self_exe) : NULL;
	host.self_exe = host_self_exe;
	host.debug = debug;
	host_debug = debug;
	return &host;
}

void gx_host_release(void)
{
	free(host_self_exe);
	host_self_exe = NULL;
	host.self_exe = NULL;
}

static int host_graceful(const struct gx_graceful_ops *ops, void *ctx,
			 const struct gx_service *const *svcs, size_t n, bool start_if_stopped,
			 struct gx_error *err)
{
	return gx_graceful_run(&host, ops, ctx, NULL, svcs, n, start_if_stopped, err);
}

static int host_graceful_request(const struct gx_graceful_ops *ops, void *ctx,
				 const struct gx_request *rq, const struct gx_service *const *svcs,
				 size_t n, struct gx_error *err)
{
	return gx_graceful_run(&host, ops, ctx, rq, svcs, n, rq->start_if_stopped, err);
}

/* The state letter of pid in /proc/PID/stat (R, S, T, t...), 0 when unknown. */
static char host_pid_state(pid_t pid)
{
	char path[64], buf[512], *paren;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	/* comm may hold anything, ")" too: the state follows the last one. */
	paren = strrchr(buf, ')');
	return paren && paren[1] == ' ' ? paren[2] : 0;
}

static int host_refuse_if_stopped(pid_t pid, const char *who, struct gx_error *err)
{
	char state = pid > 0 ? host_pid_state(pid) : 0;

	if (state != 'T' && state != 't')
		return 0;
	return gx_error_set(err, NULL, -ETIMEDOUT,
			    "%s (pid %ld) cannot answer: it is %s (%c); nothing was sent to it "
			    "(continue it with kill -CONT %ld)",
			    who, (long)pid, state == 'T' ? "stopped" : "stopped by a tracer", state,
			    (long)pid);
}
