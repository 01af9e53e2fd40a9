/* SPDX-License-Identifier: MIT */
/* Test harness: a stand-in Galaxy root, a config, and the real core and modules from the build tree. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fsutil.h"
#include "harness.h"
#include "host.h"
#include "strv.h"

char *gx_test_subst(const char *text, const char *token, const char *value)
{
	size_t len = strlen(text) + 1, tlen = strlen(token), vlen = strlen(value);
	char *out, *o;

	for (const char *p = strstr(text, token); p; p = strstr(p + tlen, token))
		len += vlen;
	out = o = malloc(len);
	if (!out)
		abort();
	while (*text) {
		if (strncmp(text, token, tlen) == 0) {
			memcpy(o, value, vlen);
			o += vlen;
			text += tlen;
		} else {
			*o++ = *text++;
		}
	}
	*o = '\0';
	return out;
}

static char *harness_subst(const char *text, const char *root)
{
	return gx_test_subst(text, "@ROOT@", root);
}

static void harness_run(const char *fmt, const char *a, const char *b)
{
	char cmd[4096];

	snprintf(cmd, sizeof(cmd), fmt, a, b);
	if (system(cmd) != 0) {
		fprintf(stderr, "harness: command failed: %s\n", cmd);
		abort();
	}
}

void gx_test_prepare(struct gx_test *t)
{
	char tmpl[] = "/tmp/gx-test-XXXXXX";
	const char *src = getenv("GX_TOP_SRCDIR");

	memset(t, 0, sizeof(*t));
	if (!mkdtemp(tmpl))
		abort();
	t->root = gx_path_join(tmpl, "galaxy");
	t->config = gx_path_join(t->root, "config/galaxy.yml");
	harness_run("'%s/tests/fixtures/galaxy-standin/make-standin.sh' '%s' >/dev/null",
		    src ? src : GX_TEST_SRCDIR "/..", t->root);
}

void gx_test_write(struct gx_test *t, const char *relpath, const char *content)
{
	char *path = gx_path_join(t->root, relpath);
	char *text = harness_subst(content, t->root);
	struct gx_error err = { 0 };

	if (gx_write_file(path, text, strlen(text), 0644, &err) < 0) {
		fprintf(stderr, "harness: %s\n", err.message);
		abort();
	}
	free(text);
	free(path);
}

int gx_test_load_prepared(struct gx_test *t, const char *yaml)
{
	struct gx_config_sources src = { .files = &t->config, .n_files = 1 };
	struct gx_instance_env env = { 0 };
	struct gx_error err = { 0 };
	const char *builddir = getenv("GX_TOP_BUILDDIR");
	int r;

	gx_test_write(t, "config/galaxy.yml", yaml);
	t->host = gx_host_init(GX_TEST_BUILDDIR "/../galaxyctl", false);
	r = gx_plugins_init(&t->plugins, builddir ? builddir : GX_TEST_BUILDDIR "/..", NULL);
	if (r == 0)
		r = gx_plugins_load(&t->plugins, &err);
	if (r == 0)
		r = gx_config_find(&t->cfg, &src, &err);
	if (r < 0) {
		gx_diag_add_error(&t->diag, &err);
		return r;
	}
	r = gx_config_load(&t->cfg, &t->diag);
	if (r == 0)
		r = gx_instances_build(&t->cfg, &t->plugins, t->host, &env, &t->diag, &t->insts);
	return r;
}

int gx_test_load(struct gx_test *t, const char *yaml)
{
	gx_test_prepare(t);
	return gx_test_load_prepared(t, yaml);
}

const struct gx_service *gx_test_service(struct gx_test *t, const char *instance, const char *name)
{
	const struct gx_instance *inst = instance ? gx_instances_find(&t->insts, instance)
						  : (t->insts.n == 1 ? t->insts.v[0] : NULL);

	return inst ? gx_instance_service(inst, name) : NULL;
}

char *gx_test_argv(struct gx_test *t, const struct gx_service *svc, unsigned process)
{
	struct gx_strv argv = { 0 };
	struct gx_error err = { 0 };
	size_t len = 1;
	char *out;

	if (!svc || t->host->service_argv(svc, process, &argv, &err) < 0) {
		if (err.message[0])
			fprintf(stderr, "harness: %s\n", err.message);
		gx_strv_release(&argv);
		return NULL;
	}
	for (size_t i = 0; i < argv.n; i++)
		len += strlen(argv.v[i]) + 1;
	out = calloc(1, len);
	for (size_t i = 0; out && i < argv.n; i++) {
		if (i)
			strcat(out, " ");
		strcat(out, argv.v[i]);
	}
	gx_strv_release(&argv);
	return out;
}

char *gx_test_env(struct gx_test *t, const struct gx_service *svc, unsigned process,
		  const char *name)
{
	struct gx_strv env = { 0 };
	struct gx_error err = { 0 };
	char *value = NULL;
	long i;

	if (svc && t->host->service_env(svc, process, &env, &err) == 0) {
		i = gx_strv_env_find(&env, name);
		if (i >= 0)
			value = strdup(strchr(env.v[i], '=') + 1);
	}
	gx_strv_release(&env);
	return value;
}

char *gx_test_diag_text(const struct gx_test *t)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		abort();
	gx_diag_print(&t->diag, f, GX_LOG_DEBUG);
	fclose(f);
	return buf;
}

void gx_test_release(struct gx_test *t)
{
	char *dir = t->root ? gx_path_dirname(t->root) : NULL;

	gx_instances_release(&t->insts);
	gx_config_release(&t->cfg);
	gx_diag_release(&t->diag);
	gx_plugins_release(&t->plugins);
	if (dir && strncmp(dir, "/tmp/gx-test-", 13) == 0)
		harness_run("rm -rf '%s'%s", dir, "");
	free(dir);
	free(t->root);
	free(t->config);
	gx_host_release();
	memset(t, 0, sizeof(*t));
}
