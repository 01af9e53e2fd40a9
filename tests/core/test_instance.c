/* SPDX-License-Identifier: MIT */
/* Tests for core/instance.c: root and path detection, core settings, validation and service expansion. */
#include <criterion/criterion.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "host.h"
#include "instance.h"
#include "node.h"
#include "plugins.h"
#include "scratch.h"

#define TP_LIBS GX_TEST_BUILDDIR "/plugins/.libs"
#define SERVICE_LIBS GX_TEST_BUILDDIR "/../services/.libs"

static const struct gx_host *host;

static void inst_setup(void)
{
	scratch_setup();
	unsetenv("GRAVITY_CONFIG_FILE");
	unsetenv("GALAXY_CONFIG_FILE");
	unsetenv("GRAVITY_PLUGIN_PATH");
	host = gx_host_init(NULL, false);
}

static void inst_teardown(void)
{
	gx_host_release();
	scratch_teardown();
}

TestSuite(root, .init = inst_setup, .fini = inst_teardown);
TestSuite(paths, .init = inst_setup, .fini = inst_teardown);
TestSuite(core, .init = inst_setup, .fini = inst_teardown);
TestSuite(check, .init = inst_setup, .fini = inst_teardown);
TestSuite(expand, .init = inst_setup, .fini = inst_teardown);

/* ---------------------------------------------------------------------- */
/* Service types defined here, handed to the core as a plugin set */

static int tt_argv(const struct gx_host *h, const struct gx_service *svc, unsigned process,
		   struct gx_strv *argv, struct gx_error *err)
{
	return h->strv_push(argv, svc->name);
}

/* solo: the core's default expand. */
static const struct gx_option tt_solo_options[] = {
	{ .name = "enable", .type = GX_TYPE_BOOL, .default_value = "true" },
	{ .name = "fail", .type = GX_TYPE_BOOL, .default_value = "false" },
	GX_SERVICE_COMMON_OPTIONS("7", "9"),
	{ .name = NULL },
};

static int tt_solo_validate(const struct gx_host *h, const struct gx_service *svc,
			    struct gx_error *err)
{
	if (h->get_bool(svc->settings[0], "fail"))
		return h->errorf(err, h->get(svc->settings[0], "fail"), -EINVAL,
				 "%s: told to fail", svc->name);
	return 0;
}

static const struct gx_service_type tt_solo = {
	.name = "solo",
	.section = "solo",
	.options = tt_solo_options,
	.aliases = (const char *const[]){ "old_solo", NULL },
	.validate = tt_solo_validate,
	.argv = tt_argv,
};

/* multi: a list of sections becomes one service with a process per item. */
static const struct gx_option tt_multi_options[] = {
	{ .name = "enable", .type = GX_TYPE_BOOL, .default_value = "true" },
	{ .name = "processes", .type = GX_TYPE_INT, .default_value = "1", .min = 1, .max = 8 },
	{ .name = "label", .type = GX_TYPE_STRING, .default_value = "none" },
	GX_SERVICE_COMMON_OPTIONS("1", "2"),
	{ .name = NULL },
};

static int tt_multi_expand(const struct gx_host *h, const struct gx_instance *inst,
			   const struct gx_node *section, struct gx_expand *ctx,
			   struct gx_error *err)
{
	struct gx_service_spec spec = { .name = "multi", .instances = inst->use_service_instances };
	const struct gx_node *items[8];

	if (section->kind == GX_NODE_SEQUENCE) {
		for (size_t i = 0; i < section->n && i < 8; i++)
			items[i] = section->items[i];
		spec.count = (unsigned)section->n;
		spec.settings = items;
		return section->n ? h->add_service(ctx, &spec, err) : 0;
	}
	if (!h->get_bool(section, "enable"))
		return 0;
	spec.count = (unsigned)h->get_int(section, "processes");
	for (unsigned i = 0; i < spec.count; i++)
		items[i] = section;
	spec.settings = items;
	return h->add_service(ctx, &spec, err);
}

static const struct gx_service_type tt_multi = {
	.name = "multi",
	.section = "multi",
	.options = tt_multi_options,
	.list_allowed = true,
	.expand = tt_multi_expand,
	.argv = tt_argv,
};

/* static: services from elsewhere than the gravity config, with the type's defaults. */
static int tt_freed;

static void tt_free_data(void *data)
{
	tt_freed += *(int *)data;
	free(data);
}

static const struct gx_option tt_static_options[] = {
	{ .name = "server_name", .type = GX_TYPE_STRING, .default_value = "main" },
	GX_SERVICE_COMMON_OPTIONS("20", "65"),
	{ .name = NULL },
};

static int tt_static_expand(const struct gx_host *h, const struct gx_instance *inst,
			    const struct gx_node *section, struct gx_expand *ctx,
			    struct gx_error *err)
{
	int *data = malloc(sizeof(*data));
	const struct gx_node *mixed[2] = { NULL, section };
	struct gx_service_spec none = {
		.name = "static_none", .config_type = "standalone", .count = 0,
		.data = data, .free_data = tt_free_data,
	};
	struct gx_service_spec some = {
		.name = "static_some", .count = 2, .settings = mixed,
	};
	int r;

	if (!data)
		return -ENOMEM;
	*data = 1;
	r = h->add_service(ctx, &none, err);
	return r < 0 ? r : h->add_service(ctx, &some, err);
}

static const struct gx_service_type tt_static = {
	.name = "static",
	.section = "static",
	.options = tt_static_options,
	.expand = tt_static_expand,
	.argv = tt_argv,
};

/* named: a mapping of names to sections (like handlers). */
static const struct gx_option tt_named_options[] = {
	{ .name = "processes", .type = GX_TYPE_INT, .default_value = "1", .min = 1, .max = 8 },
	GX_SERVICE_COMMON_OPTIONS("3", "4"),
	{ .name = NULL },
};

static int tt_named_expand(const struct gx_host *h, const struct gx_instance *inst,
			   const struct gx_node *section, struct gx_expand *ctx,
			   struct gx_error *err)
{
	for (size_t i = 0; section && i < section->n; i++) {
		const struct gx_node *s = section->pairs[i].value;
		struct gx_service_spec spec = {
			.name = section->pairs[i].key->scalar,
			.config_type = "standalone",
			.settings = &s,
		};
		int r = h->add_service(ctx, &spec, err);

		if (r < 0)
			return r;
	}
	return 0;
}

static const struct gx_service_type tt_named = {
	.name = "named",
	.section = "named",
	.options = tt_named_options,
	.named_sections = true,
	.expand = tt_named_expand,
	.argv = tt_argv,
};

/* broken: expand fails with a message. */
static const struct gx_option tt_broken_options[] = {
	{ .name = "enable", .type = GX_TYPE_BOOL, .default_value = "false" },
	{ .name = NULL },
};

static int tt_broken_expand(const struct gx_host *h, const struct gx_instance *inst,
			    const struct gx_node *section, struct gx_expand *ctx,
			    struct gx_error *err)
{
	if (!h->get_bool(section, "enable"))
		return 0;
	return h->errorf(err, h->get(section, "enable"), -EINVAL, "broken cannot be enabled");
}

static const struct gx_service_type tt_broken = {
	.name = "broken",
	.section = "broken",
	.options = tt_broken_options,
	.expand = tt_broken_expand,
	.argv = tt_argv,
};

static const struct gx_service_type *tt_types[] = {
	&tt_solo, &tt_multi, &tt_static, &tt_named, &tt_broken,
};

/* A plugin set with no modules (no services at all). */
static const struct gx_plugins no_plugins;

/* A plugin set of the types above; not loaded, so never released. */
static const struct gx_plugins tt_plugins = {
	.types = tt_types,
	.n_types = sizeof(tt_types) / sizeof(tt_types[0]),
};

/* Real modules: each NAME.so of dir linked into a scratch dir and loaded from there. */
static void inst_load_modules(struct gx_plugins *p, ...)
{
	const char *dir = scratch_mkdir("modules"), *so;
	char link[PATH_MAX];
	struct gx_error err = { 0 };
	va_list ap;

	va_start(ap, p);
	while ((so = va_arg(ap, const char *))) {
		const char *base = strrchr(so, '/') + 1;

		if (access(so, R_OK) != 0) {
			va_end(ap);
			cr_skip_test("module %s is not built", so);
		}
		scratch_print(link, sizeof(link), "%s/%s", dir, base);
		cr_assert_eq(symlink(so, link), 0, "symlink %s: %s", link, strerror(errno));
	}
	va_end(ap);
	setenv("GRAVITY_PLUGIN_PATH", dir, 1);
	cr_assert_eq(gx_plugins_init(p, NULL, scratch_path("no-pkglibdir")), 0);
	cr_assert_eq(gx_plugins_load(p, &err), 0, "load: %s", err.message);
}

/* ---------------------------------------------------------------------- */
/* Building */

struct built {
	struct gx_config cfg;
	struct gx_diag diag;
	struct gx_instances insts;
	char *text; /* every message, as the CLI prints them */
	int r;
};

/* Load the files (absolute, NULL-terminated) and build instances. */
static void inst_build(struct built *b, const struct gx_plugins *p,
		       const struct gx_instance_env *env, ...)
{
	static const struct gx_instance_env no_env;
	struct gx_config_sources src = { 0 };
	struct gx_error err = { 0 };
	char *files[8];
	const char *f;
	size_t n = 0, len = 0;
	FILE *out;
	va_list ap;

	memset(b, 0, sizeof(*b));
	va_start(ap, env);
	while ((f = va_arg(ap, const char *)) && n < 8)
		files[n++] = (char *)f;
	va_end(ap);
	src.files = files;
	src.n_files = n;
	cr_assert_eq(gx_config_find(&b->cfg, &src, &err), 0, "find: %s", err.message);
	b->r = gx_config_load(&b->cfg, &b->diag);
	cr_assert_eq(b->r, 0, "config load failed");
	b->r = gx_instances_build(&b->cfg, p, host, env ? env : &no_env, &b->diag, &b->insts);
	out = open_memstream(&b->text, &len);
	cr_assert_not_null(out);
	gx_diag_print(&b->diag, out, GX_LOG_DEBUG);
	fclose(out);
}

static void inst_release(struct built *b)
{
	gx_instances_release(&b->insts);
	gx_config_release(&b->cfg);
	gx_diag_release(&b->diag);
	free(b->text);
}

/* Build and expect success with exactly n instances. */
static void inst_build_ok(struct built *b, size_t n, const struct gx_plugins *p,
			  const struct gx_instance_env *env, const char *file)
{
	inst_build(b, p, env, file, NULL);
	cr_assert_eq(b->r, 0, "build failed: %s", b->text);
	cr_assert_eq(b->insts.n, n);
}

/* Build and expect -EINVAL, no instances, and the message text in the output. */
static void inst_build_fails(struct built *b, const struct gx_plugins *p, const char *file,
			     const char *message)
{
	inst_build(b, p, NULL, file, NULL);
	cr_assert_eq(b->r, -EINVAL, "build did not fail: %s", b->text);
	cr_expect_eq(b->insts.n, 0);
	cr_expect_null(b->insts.v);
	cr_expect_gt(b->diag.n_errors, 0);
	cr_expect(strstr(b->text, message), "'%s' not in:\n%s", message, b->text);
}

/* A Galaxy checkout at scratch/name (with lib/galaxy) and its config/galaxy.yml. */
static const char *inst_galaxy(const char *name, const char *yaml)
{
	char sub[PATH_MAX];

	scratch_print(sub, sizeof(sub), "%s/lib/galaxy", name);
	scratch_mkdir(sub);
	scratch_print(sub, sizeof(sub), "%s/config/galaxy.yml", name);
	return scratch_write(sub, yaml);
}

static const struct gx_node *inst_setting(const struct gx_instance *inst, const char *key)
{
	const struct gx_node *n = gx_node_get(inst->gravity, key);

	cr_assert_not_null(n, "no effective setting %s", key);
	return n;
}

/* ---------------------------------------------------------------------- */
/* galaxy_root */

/* Every source of the root at once; each test takes some away. */
static const char *inst_all_roots(bool option, bool root_key)
{
	return inst_galaxy("checkout", option ? (root_key ? "gravity:\n  galaxy_root: /opt/option\n"
							    "galaxy:\n  root: /opt/root-key\n"
							  : "gravity:\n  galaxy_root: /opt/option\n"
							    "galaxy: {}\n")
					      : (root_key ? "gravity: {}\ngalaxy:\n  root: /opt/root-key\n"
							  : "gravity: {}\ngalaxy: {}\n"));
}

Test(root, gravity_option_first)
{
	struct gx_instance_env env = { .galaxy_root_dir = "/opt/env" };
	struct built b;

	inst_build_ok(&b, 1, &no_plugins, &env, inst_all_roots(true, true));
	cr_expect_str_eq(b.insts.v[0]->galaxy_root, "/opt/option");
	inst_release(&b);
}

Test(root, galaxy_root_key_second)
{
	struct gx_instance_env env = { .galaxy_root_dir = "/opt/env" };
	struct built b;

	inst_build_ok(&b, 1, &no_plugins, &env, inst_all_roots(false, true));
	cr_expect_str_eq(b.insts.v[0]->galaxy_root, "/opt/root-key");
	inst_release(&b);
}

Test(root, galaxy_root_dir_third)
{
	struct gx_instance_env env = { .galaxy_root_dir = "/opt/env/" };
	struct built b;

	inst_build_ok(&b, 1, &no_plugins, &env, inst_all_roots(false, false));
	cr_expect_str_eq(b.insts.v[0]->galaxy_root, "/opt/env");
	inst_release(&b);
}

Test(root, lib_galaxy_beside_the_config_fourth)
{
	struct gx_instance_env env = { .galaxy_root_dir = "" };
	struct built b;

	inst_build_ok(&b, 1, &no_plugins, &env, inst_all_roots(false, false));
	cr_expect_str_eq(b.insts.v[0]->galaxy_root, scratch_path("checkout"));
	inst_release(&b);
}

Test(root, sample_config_inside_a_checkout_last)
{
	const char *sample = scratch_write("src/lib/galaxy/config/sample/galaxy.yml.sample",
					   "gravity: {}\ngalaxy: {}\n");
	struct built b;

	inst_build_ok(&b, 1, &no_plugins, NULL, sample);
	cr_expect_str_eq(b.insts.v[0]->galaxy_root, scratch_path("src"));
	cr_expect_str_eq(b.insts.v[0]->state_dir, scratch_path("src/database/gravity"));
	inst_release(&b);
}

Test(root, found_from_the_galaxy_config_not_the_gravity_config)
{
	const char *gravity = scratch_write("etc/gravity.yml",
					    "gravity:\n  galaxy_config_file: ../checkout/config/galaxy.yml\n");
	struct built b;

	inst_galaxy("checkout", "galaxy: {}\n");
	inst_build_ok(&b, 1, &no_plugins, NULL, gravity);
	cr_expect_str_eq(b.insts.v[0]->galaxy_root, scratch_path("checkout"));
	cr_expect_str_eq(b.insts.v[0]->config_file, gravity);
	cr_expect_str_eq(b.insts.v[0]->galaxy_config_file, scratch_path("checkout/config/galaxy.yml"));
	inst_release(&b);
}

Test(root, relative_values_are_taken_from_the_cwd)
{
	const char *p = scratch_write("conf/galaxy.yml",
				      "gravity:\n  galaxy_root: here/galaxy\ngalaxy: {}\n");
	struct built b;

	cr_assert_eq(chdir(scratch_mkdir("cwd")), 0);
	inst_build_ok(&b, 1, &no_plugins, NULL, p);
	cr_expect_str_eq(b.insts.v[0]->galaxy_root, scratch_path("cwd/here/galaxy"));
	inst_release(&b);
}

Test(root, not_found_is_an_error)
{
	const char *p = scratch_write("conf/galaxy.yml", "gravity:\n  instance_name: x\ngalaxy: {}\n");
	char want[2 * PATH_MAX];
	struct built b;

	scratch_print(want, sizeof(want),
		      "galaxyctl: %s:2:3: error: Cannot locate Galaxy root directory: set "
		      "$GALAXY_ROOT_DIR, the Gravity `galaxy_root` option, or `root' in the Galaxy "
		      "config\n", p);
	inst_build_fails(&b, &no_plugins, p, "Cannot locate Galaxy root directory");
	cr_expect_str_eq(b.text, want);
	inst_release(&b);
}

/* A virtualenv at scratch/name; with galaxy, Galaxy is pip-installed in it. */
static const char *inst_venv(const char *name, bool galaxy)
{
	char sub[PATH_MAX];

	scratch_print(sub, sizeof(sub), "%s/lib/python3.12/site-packages/%s", name,
		      galaxy ? "galaxy/version.py" : "gunicorn/__init__.py");
	scratch_write(sub, "VERSION_MAJOR = \"24.1\"\n");
	scratch_print(sub, sizeof(sub), "%s/bin/galaxy-main", name);
	scratch_write(sub, "#!/bin/sh\n");
	return scratch_path(name);
}

/* A config in a checkout (lib/galaxy beside it) whose virtualenv is venv. */
static const char *inst_galaxy_with_venv(const char *venv, const char *galaxy)
{
	char yaml[2 * PATH_MAX];

	scratch_print(yaml, sizeof(yaml), "gravity:\n  virtualenv: %s\ngalaxy:\n%s", venv,
		      galaxy ? galaxy : "  {}\n");
	return inst_galaxy("checkout", yaml);
}

Test(root, installed_in_the_virtualenv_there_is_no_root)
{
	const char *venv = inst_venv("venv", true);
	struct built b;

	cr_assert_eq(chdir(scratch_mkdir("cwd")), 0);
	inst_build_ok(&b, 1, &no_plugins, NULL, inst_galaxy_with_venv(venv, NULL));
	cr_expect(b.insts.v[0]->galaxy_installed);
	cr_expect_null(b.insts.v[0]->galaxy_root);
	cr_expect_str_eq(b.insts.v[0]->working_dir, scratch_path("cwd"));
	cr_expect_str_eq(b.insts.v[0]->state_dir, scratch_path("cwd/data/gravity"));
	cr_expect_str_eq(b.insts.v[0]->log_dir, scratch_path("cwd/data/gravity/log"));
	inst_release(&b);
}

Test(root, installed_in_virtual_env_when_virtualenv_is_unset)
{
	struct gx_instance_env env = { .virtual_env = inst_venv("venv", true) };
	struct built b;

	cr_assert_eq(chdir(scratch_mkdir("cwd")), 0);
	inst_build_ok(&b, 1, &no_plugins, &env, inst_all_roots(false, false));
	cr_expect(b.insts.v[0]->galaxy_installed);
	cr_expect_null(b.insts.v[0]->galaxy_root);
	cr_expect_null(b.insts.v[0]->virtualenv);
	cr_expect_str_eq(b.insts.v[0]->state_dir, scratch_path("cwd/data/gravity"));
	inst_release(&b);
}

Test(root, installed_data_dir_and_log_dir_are_relative_to_the_cwd)
{
	const char *venv = inst_venv("venv", true);
	struct built b;

	cr_assert_eq(chdir(scratch_mkdir("cwd")), 0);
	inst_build_ok(&b, 1, &no_plugins, NULL,
		      inst_galaxy_with_venv(venv, "  data_dir: var\n"));
	cr_expect_str_eq(b.insts.v[0]->state_dir, scratch_path("cwd/var/gravity"));
	inst_release(&b);
}

Test(root, an_explicit_root_wins_over_an_installed_galaxy)
{
	struct gx_instance_env env = { .galaxy_root_dir = "/opt/env",
				       .virtual_env = inst_venv("venv", true) };
	struct built b;

	inst_build_ok(&b, 1, &no_plugins, &env, inst_all_roots(false, false));
	cr_expect_not(b.insts.v[0]->galaxy_installed);
	cr_expect_str_eq(b.insts.v[0]->galaxy_root, "/opt/env");
	cr_expect_str_eq(b.insts.v[0]->working_dir, "/opt/env");
	cr_expect_str_eq(b.insts.v[0]->state_dir, "/opt/env/database/gravity");
	inst_release(&b);
}

Test(root, a_virtualenv_without_galaxy_is_a_source_tree)
{
	const char *venv = inst_venv("venv", false);
	struct built b;

	cr_assert_eq(chdir(scratch_mkdir("cwd")), 0);
	inst_build_ok(&b, 1, &no_plugins, NULL, inst_galaxy_with_venv(venv, NULL));
	cr_expect_not(b.insts.v[0]->galaxy_installed);
	cr_expect_str_eq(b.insts.v[0]->galaxy_root, scratch_path("checkout"));
	cr_expect_str_eq(b.insts.v[0]->working_dir, scratch_path("checkout"));
	cr_expect_str_eq(b.insts.v[0]->state_dir, scratch_path("checkout/database/gravity"));
	inst_release(&b);
}

/* ---------------------------------------------------------------------- */
/* State and log dirs */

Test(paths, state_and_log_dirs_default_under_the_root)
{
	struct built b;

	inst_build_ok(&b, 1, &no_plugins, NULL, inst_galaxy("g", "galaxy: {}\n"));
	cr_expect_str_eq(b.insts.v[0]->state_dir, scratch_path("g/database/gravity"));
	cr_expect_str_eq(b.insts.v[0]->log_dir, scratch_path("g/database/gravity/log"));
	cr_expect_null(b.insts.v[0]->virtualenv);
	inst_release(&b);
}

Test(paths, data_dir_is_relative_to_the_root)
{
	struct built b;

	cr_assert_eq(chdir("/"), 0);
	inst_build_ok(&b, 1, &no_plugins, NULL,
		      inst_galaxy("g", "gravity: {}\ngalaxy:\n  data_dir: var/data\n"));
	cr_expect_str_eq(b.insts.v[0]->state_dir, scratch_path("g/var/data/gravity"));
	cr_expect_str_eq(b.insts.v[0]->log_dir, scratch_path("g/var/data/gravity/log"));
	inst_release(&b);
}

Test(paths, absolute_data_dir)
{
	struct built b;

	inst_build_ok(&b, 1, &no_plugins, NULL,
		      inst_galaxy("g", "gravity: {}\ngalaxy:\n  data_dir: /srv/data\n"));
	cr_expect_str_eq(b.insts.v[0]->state_dir, "/srv/data/gravity");
	inst_release(&b);
}

Test(paths, state_dir_option_is_used_as_is)
{
	struct gx_instance_env env = { .state_dir = "/run/state" };
	struct built b;

	inst_build_ok(&b, 1, &no_plugins, &env,
		      inst_galaxy("g", "gravity: {}\ngalaxy:\n  data_dir: /srv/data\n"));
	cr_expect_str_eq(b.insts.v[0]->state_dir, "/run/state");
	cr_expect_str_eq(b.insts.v[0]->log_dir, "/run/state/log");
	inst_release(&b);
}

Test(paths, relative_state_dir_option_is_from_the_cwd)
{
	struct gx_instance_env env = { .state_dir = "st" };
	struct built b;

	cr_assert_eq(chdir(scratch_mkdir("cwd")), 0);
	inst_build_ok(&b, 1, &no_plugins, &env, inst_galaxy("g", "galaxy: {}\n"));
	cr_expect_str_eq(b.insts.v[0]->state_dir, scratch_path("cwd/st"));
	inst_release(&b);
}

Test(paths, relative_log_dir_is_relative_to_the_root)
{
	struct gx_instance_env env = { .state_dir = "/run/state" };
	struct built b;

	cr_assert_eq(chdir("/"), 0);
	inst_build_ok(&b, 1, &no_plugins, &env,
		      inst_galaxy("g", "gravity:\n  log_dir: logs/gravity\ngalaxy: {}\n"));
	cr_expect_str_eq(b.insts.v[0]->log_dir, scratch_path("g/logs/gravity"));
	cr_expect_str_eq(b.insts.v[0]->state_dir, "/run/state");
	inst_release(&b);
}

Test(paths, absolute_log_dir_and_virtualenv)
{
	struct built b;

	inst_build_ok(&b, 1, &no_plugins, NULL,
		      inst_galaxy("g", "gravity:\n  log_dir: /var/log/galaxy\n"
				       "  virtualenv: /srv/venv\ngalaxy: {}\n"));
	cr_expect_str_eq(b.insts.v[0]->log_dir, "/var/log/galaxy");
	cr_expect_str_eq(b.insts.v[0]->virtualenv, "/srv/venv");
	inst_release(&b);
}

/* ---------------------------------------------------------------------- */
/* Core settings */

Test(core, instance_name_defaults)
{
	struct built b;

	inst_build_ok(&b, 1, &no_plugins, NULL, inst_galaxy("g", "galaxy: {}\n"));
	cr_expect_str_eq(b.insts.v[0]->name, "_default_");
	cr_expect(b.insts.v[0]->name_is_default);
	cr_expect_str_eq(inst_setting(b.insts.v[0], "instance_name")->scalar, "_default_");
	inst_release(&b);
}

Test(core, instance_name_set)
{
	struct built b;

	inst_build_ok(&b, 1, &no_plugins, NULL,
		      inst_galaxy("g", "gravity:\n  instance_name: main\ngalaxy: {}\n"));
	cr_expect_str_eq(b.insts.v[0]->name, "main");
	cr_expect_not(b.insts.v[0]->name_is_default);
	inst_release(&b);
}

Test(core, instance_name_null_is_the_default)
{
	struct built b;

	inst_build_ok(&b, 1, &no_plugins, NULL,
		      inst_galaxy("g", "gravity:\n  instance_name:\ngalaxy: {}\n"));
	cr_expect_str_eq(b.insts.v[0]->name, "_default_");
	cr_expect(b.insts.v[0]->name_is_default);
	inst_release(&b);
}

/* Upstream compares the name with "_default_", so naming it so explicitly changes nothing. */
Test(core, instance_name_set_to_the_default)
{
	struct built b;

	inst_build_ok(&b, 1, &no_plugins, NULL,
		      inst_galaxy("g", "gravity:\n  instance_name: _default_\ngalaxy: {}\n"));
	cr_expect_str_eq(b.insts.v[0]->name, "_default_");
	cr_expect(b.insts.v[0]->name_is_default);
	inst_release(&b);
}

static void inst_expect_pm(const char *yaml, bool root, const char *want)
{
	struct gx_instance_env env = { .is_root = root };
	struct built b;

	inst_build_ok(&b, 1, &no_plugins, &env, inst_galaxy("g", yaml));
	cr_expect_str_eq(b.insts.v[0]->process_manager, want, "%s as %s", yaml,
			 root ? "root" : "user");
	inst_release(&b);
}

Test(core, process_manager_default_is_supervisor)
{
	inst_expect_pm("galaxy: {}\n", false, "supervisor");
}

Test(core, process_manager_default_as_root_is_systemd)
{
	inst_expect_pm("galaxy: {}\n", true, "systemd");
}

Test(core, process_manager_set_wins_as_root)
{
	inst_expect_pm("gravity:\n  process_manager: supervisor\ngalaxy: {}\n", true, "supervisor");
}

Test(core, process_manager_null_takes_the_default)
{
	inst_expect_pm("gravity:\n  process_manager: ~\ngalaxy: {}\n", true, "systemd");
}

Test(core, process_manager_multiprocessing_is_direct)
{
	inst_expect_pm("gravity:\n  process_manager: multiprocessing\ngalaxy: {}\n", false,
		       "direct");
}

Test(core, process_manager_direct)
{
	inst_expect_pm("gravity:\n  process_manager: direct\ngalaxy: {}\n", false, "direct");
}

Test(core, process_manager_unknown_is_an_error)
{
	const char *p = inst_galaxy("g", "gravity:\n  process_manager: runit\ngalaxy: {}\n");
	char want[2 * PATH_MAX];
	struct built b;

	scratch_print(want, sizeof(want),
		      "%s:2:20: error: gravity.process_manager: 'runit' is not one of: "
		      "supervisor, systemd, direct, multiprocessing", p);
	inst_build_fails(&b, &no_plugins, p, want);
	inst_release(&b);
}

static void inst_expect_instances(const char *yaml, const char *style, bool want)
{
	struct built b;

	inst_build_ok(&b, 1, &no_plugins, NULL, inst_galaxy("g", yaml));
	cr_expect_str_eq(b.insts.v[0]->service_command_style, style);
	cr_expect_eq(b.insts.v[0]->use_service_instances, want, "%s", yaml);
	inst_release(&b);
}

Test(core, service_instances_default_on)
{
	inst_expect_instances("galaxy: {}\n", "gravity", true);
}

Test(core, service_instances_forced_off_by_direct_style)
{
	inst_expect_instances("gravity:\n  service_command_style: direct\n"
			      "  use_service_instances: true\ngalaxy: {}\n",
			      "direct", false);
}

/* Upstream's exec style is internal (galaxyctl exec itself): not a config value. */
Test(core, exec_style_is_not_a_config_value)
{
	const char *p = inst_galaxy("g", "gravity:\n  service_command_style: exec\ngalaxy: {}\n");
	struct built b;

	inst_build_fails(&b, &no_plugins, p,
			 "gravity.service_command_style: 'exec' is not one of: gravity, direct");
	inst_release(&b);
}

Test(core, service_instances_turned_off)
{
	inst_expect_instances("gravity:\n  use_service_instances: no\ngalaxy: {}\n", "gravity",
			      false);
}

Test(core, user_and_group)
{
	struct built b;

	inst_build_ok(&b, 1, &no_plugins, NULL,
		      inst_galaxy("g", "gravity:\n  galaxy_user: galaxy\n  galaxy_group: '100'\n"
				       "galaxy: {}\n"));
	cr_expect_str_eq(b.insts.v[0]->galaxy_user, "galaxy");
	cr_expect_str_eq(b.insts.v[0]->galaxy_group, "100");
	inst_release(&b);
}

Test(core, defaults_fill_the_effective_settings)
{
	struct built b;

	inst_build_ok(&b, 1, &no_plugins, NULL, inst_galaxy("g", "galaxy: {}\n"));
	cr_expect_str_eq(inst_setting(b.insts.v[0], "umask")->scalar, "022");
	cr_expect_str_eq(inst_setting(b.insts.v[0], "app_server")->scalar, "gunicorn");
	cr_expect(gx_node_is_null(inst_setting(b.insts.v[0], "memory_limit")));
	cr_expect_null(b.insts.v[0]->galaxy_user);
	cr_expect_not_null(b.insts.v[0]->galaxy);
	inst_release(&b);
}

Test(core, duplicate_instance_names_across_files)
{
	const char *one = inst_galaxy("one", "gravity:\n  instance_name: main\ngalaxy: {}\n");
	const char *two = inst_galaxy("two", "gravity:\n  instance_name: main\ngalaxy: {}\n");
	char want[3 * PATH_MAX];
	struct built b;

	inst_build(&b, &no_plugins, NULL, one, two, NULL);
	cr_expect_eq(b.r, -EINVAL);
	cr_expect_eq(b.insts.n, 0);
	scratch_print(want, sizeof(want),
		      "galaxyctl: %s:2:3: error: Duplicate instance name main, instance names must "
		      "be unique (Galaxy instance main already loaded from file: %s)\n", two, one);
	cr_expect_str_eq(b.text, want);
	inst_release(&b);
}

Test(core, duplicate_default_names_in_a_list)
{
	const char *g = scratch_write("gravity.yml", "gravity:\n"
						     "  - galaxy_config_file: a/config/galaxy.yml\n"
						     "  - galaxy_config_file: b/config/galaxy.yml\n");
	struct built b;

	inst_galaxy("a", "galaxy: {}\n");
	inst_galaxy("b", "galaxy: {}\n");
	inst_build(&b, &no_plugins, NULL, g, NULL);
	cr_expect_eq(b.r, -EINVAL);
	cr_expect(strstr(b.text, ":3:5: error: Duplicate instance name _default_"), "%s", b.text);
	inst_release(&b);
}

Test(core, distinct_names_in_a_list)
{
	const char *g = scratch_write("gravity.yml", "gravity:\n"
						     "  - galaxy_config_file: a/config/galaxy.yml\n"
						     "    instance_name: a\n"
						     "  - galaxy_config_file: b/config/galaxy.yml\n"
						     "    instance_name: b\n");
	struct built b;

	inst_galaxy("a", "galaxy: {}\n");
	inst_galaxy("b", "galaxy:\n  data_dir: /b-data\n");
	inst_build_ok(&b, 2, &no_plugins, NULL, g);
	cr_expect_str_eq(b.insts.v[0]->galaxy_root, scratch_path("a"));
	cr_expect_str_eq(b.insts.v[1]->galaxy_root, scratch_path("b"));
	cr_expect_str_eq(b.insts.v[1]->state_dir, "/b-data/gravity");
	cr_expect_eq(gx_instances_find(&b.insts, "b"), b.insts.v[1]);
	cr_expect_null(gx_instances_find(&b.insts, "c"));
	inst_release(&b);
}

/* ---------------------------------------------------------------------- */
/* Validation messages */

Test(check, unknown_core_key_warns_with_the_nearest)
{
	const char *p = inst_galaxy("g", "gravity:\n  umaks: '077'\n  zzzzzzzz: 1\ngalaxy: {}\n");
	char want[3 * PATH_MAX];
	struct built b;

	inst_build_ok(&b, 1, &no_plugins, NULL, p);
	scratch_print(want, sizeof(want),
		      "galaxyctl: %s:2:3: warning: Unknown option 'gravity.umaks' (did you mean "
		      "'umask'?)\n"
		      "galaxyctl: %s:3:3: warning: Unknown option 'gravity.zzzzzzzz'\n", p, p);
	cr_expect_str_eq(b.text, want);
	cr_expect_eq(b.diag.n_errors, 0);
	inst_release(&b);
}

Test(check, unknown_section_warns_with_the_nearest_plugin_section)
{
	const char *p = inst_galaxy("g", "gravity:\n  mutli: {}\ngalaxy: {}\n");
	struct built b;

	inst_build_ok(&b, 1, &tt_plugins, NULL, p);
	cr_expect(strstr(b.text, ":2:3: warning: Unknown option 'gravity.mutli' (did you mean "
				 "'multi'?)"), "%s", b.text);
	inst_release(&b);
}

Test(check, unknown_section_near_a_loaded_module)
{
	const char *p = inst_galaxy("g", "gravity:\n  alpah:\n    enable: false\ngalaxy: {}\n");
	struct gx_plugins plugins;
	struct built b;

	inst_load_modules(&plugins, TP_LIBS "/tp_services.so", NULL);
	inst_build_ok(&b, 1, &plugins, NULL, p);
	cr_expect(strstr(b.text, ":2:3: warning: Unknown option 'gravity.alpah' (did you mean "
				 "'alpha'?)"), "%s", b.text);
	inst_release(&b);
	gx_plugins_release(&plugins);
}

Test(check, unicorn_means_gunicorn)
{
	const char *p = inst_galaxy("g", "gravity:\n  unicorn:\n    bind: localhost:8192\n"
					 "galaxy: {}\n");
	struct gx_plugins plugins;
	char want[2 * PATH_MAX];
	struct built b;

	inst_load_modules(&plugins, SERVICE_LIBS "/gunicorn.so", NULL);
	inst_build_ok(&b, 1, &plugins, NULL, p);
	scratch_print(want, sizeof(want),
		      "galaxyctl: %s:2:3: warning: Unknown option 'gravity.unicorn' (did you mean "
		      "'gunicorn'?)\n", p);
	cr_expect_str_eq(b.text, want);
	inst_release(&b);
	gx_plugins_release(&plugins);
}

Test(check, wrong_type_in_a_core_option)
{
	const char *p = inst_galaxy("g", "gravity:\n  use_service_instances: maybe\ngalaxy: {}\n");
	char want[2 * PATH_MAX];
	struct built b;

	scratch_print(want, sizeof(want),
		      "galaxyctl: %s:2:26: error: gravity.use_service_instances: expected a boolean "
		      "(true or false), got 'maybe'\n", p);
	inst_build_fails(&b, &tt_plugins, p, "gravity.use_service_instances");
	cr_expect_str_eq(b.text, want);
	inst_release(&b);
}

Test(check, wrong_type_in_a_plugin_section)
{
	const char *p = inst_galaxy("g", "gravity:\n  solo:\n    start_timeout: soon\ngalaxy: {}\n");
	char want[2 * PATH_MAX];
	struct built b;

	scratch_print(want, sizeof(want), "%s:3:20: error: gravity.solo.start_timeout: expected "
					  "an integer, got 'soon'", p);
	inst_build_fails(&b, &tt_plugins, p, want);
	inst_release(&b);
}

Test(check, value_out_of_bounds_in_a_list_item)
{
	const char *p = inst_galaxy("g", "gravity:\n  multi:\n    - processes: 2\n"
					 "    - processes: 99\ngalaxy: {}\n");
	char want[2 * PATH_MAX];
	struct built b;

	scratch_print(want, sizeof(want), "%s:4:18: error: gravity.multi[1].processes: 99 is out "
					  "of range", p);
	inst_build_fails(&b, &tt_plugins, p, want);
	inst_release(&b);
}

Test(check, errors_in_several_places_are_all_reported)
{
	const char *p = inst_galaxy("g", "gravity:\n  memory_limit: lots\n  solo:\n"
					 "    enable: 2\n  named:\n    h1:\n      processes: x\n"
					 "galaxy: {}\n");
	struct built b;

	inst_build_fails(&b, &tt_plugins, p, "gravity.memory_limit: expected a number");
	cr_expect(strstr(b.text, ":4:13: error: gravity.solo.enable: expected a boolean"), "%s",
		  b.text);
	cr_expect(strstr(b.text, ":7:18: error: gravity.named.h1.processes: expected an integer"),
		  "%s", b.text);
	cr_expect_eq(b.diag.n_errors, 3);
	inst_release(&b);
}

Test(check, list_where_none_is_allowed)
{
	const char *p = inst_galaxy("g", "gravity:\n  solo:\n    - enable: true\ngalaxy: {}\n");
	char want[2 * PATH_MAX];
	struct built b;

	scratch_print(want, sizeof(want), "%s:3:5: error: gravity.solo: expected a mapping, got a "
					  "sequence", p);
	inst_build_fails(&b, &tt_plugins, p, want);
	inst_release(&b);
}

Test(check, scalar_where_a_list_or_mapping_is_expected)
{
	const char *p = inst_galaxy("g", "gravity:\n  multi: 3\ngalaxy: {}\n");
	char want[2 * PATH_MAX];
	struct built b;

	scratch_print(want, sizeof(want), "%s:2:10: error: gravity.multi: expected a mapping or a "
					  "list of mappings, got a scalar", p);
	inst_build_fails(&b, &tt_plugins, p, want);
	inst_release(&b);
}

Test(check, bad_umask)
{
	const char *p = inst_galaxy("g", "gravity:\n  umask: '0022x'\ngalaxy: {}\n");
	char want[2 * PATH_MAX];
	struct built b;

	scratch_print(want, sizeof(want), "galaxyctl: %s:2:10: error: gravity.umask: '0022x' is not "
					  "an octal mode between 000 and 777\n", p);
	/* Once, though every service inherits it. */
	inst_build_fails(&b, &tt_plugins, p, "gravity.umask");
	cr_expect_str_eq(b.text, want);
	inst_release(&b);
}

Test(check, bad_umask_without_services)
{
	const char *p = inst_galaxy("g", "gravity:\n  umask: 8\ngalaxy: {}\n");
	struct built b;

	inst_build_fails(&b, &no_plugins, p, "gravity.umask: '8' is not an octal mode");
	inst_release(&b);
}

Test(check, umask_too_large_in_a_service)
{
	const char *p = inst_galaxy("g", "gravity:\n  solo:\n    umask: '1000'\ngalaxy: {}\n");
	struct built b;

	inst_build_fails(&b, &tt_plugins, p, ":3:12: error: solo: umask '1000' is not an octal");
	inst_release(&b);
}

Test(check, empty_umask)
{
	const char *p = inst_galaxy("g", "gravity:\n  umask: ''\ngalaxy: {}\n");
	struct built b;

	inst_build_fails(&b, &tt_plugins, p, "gravity.umask: '' is not an octal mode");
	inst_release(&b);
}

Test(check, umask_from_the_service_then_the_top_level)
{
	const char *p = inst_galaxy("g", "gravity:\n  umask: '027'\n  solo:\n    umask: '0077'\n"
					 "galaxy: {}\n");
	struct built b;

	inst_build_ok(&b, 1, &tt_plugins, NULL, p);
	cr_expect_str_eq(gx_instance_service(b.insts.v[0], "solo")->umask, "0077");
	cr_expect_str_eq(gx_instance_service(b.insts.v[0], "multi")->umask, "027");
	inst_release(&b);
}

Test(check, validate_failure_is_an_error_at_its_node)
{
	const char *p = inst_galaxy("g", "gravity:\n  solo:\n    fail: true\ngalaxy: {}\n");
	char want[2 * PATH_MAX];
	struct built b;

	scratch_print(want, sizeof(want), "galaxyctl: %s:3:11: error: solo: told to fail\n", p);
	inst_build_fails(&b, &tt_plugins, p, "told to fail");
	cr_expect_str_eq(b.text, want);
	inst_release(&b);
}

Test(check, expand_failure_is_an_error)
{
	const char *p = inst_galaxy("g", "gravity:\n  broken:\n    enable: true\ngalaxy: {}\n");
	char want[2 * PATH_MAX];
	struct built b;

	scratch_print(want, sizeof(want), "galaxyctl: %s:3:13: error: broken cannot be enabled\n",
		      p);
	inst_build_fails(&b, &tt_plugins, p, "broken cannot be enabled");
	cr_expect_str_eq(b.text, want);
	inst_release(&b);
}

Test(check, one_bad_instance_fails_them_all)
{
	const char *good = inst_galaxy("one", "gravity:\n  instance_name: one\ngalaxy: {}\n");
	const char *bad = inst_galaxy("two", "gravity:\n  instance_name: two\n  umask: 9\n"
					     "galaxy: {}\n");
	struct built b;

	tt_freed = 0;
	inst_build(&b, &tt_plugins, NULL, good, bad, NULL);
	cr_expect_eq(b.r, -EINVAL);
	cr_expect_eq(b.insts.n, 0);
	cr_expect_null(b.insts.v);
	/* The good instance was built and freed again, its services' data with it. */
	cr_expect_eq(tt_freed, 1);
	inst_release(&b);
}

/* ---------------------------------------------------------------------- */
/* Expansion */

Test(expand, default_expand_of_a_loaded_module)
{
	const char *p = inst_galaxy("g", "gravity:\n  umask: '002'\ngalaxy: {}\n");
	const struct gx_node *alpha;
	struct gx_plugins plugins;
	struct built b;

	inst_load_modules(&plugins, TP_LIBS "/tp_services.so", NULL);
	inst_build_ok(&b, 1, &plugins, NULL, p);
	cr_expect_eq(b.diag.n, 0, "%s", b.text);
	cr_assert_eq(b.insts.v[0]->n_services, 2);
	alpha = gx_node_get(b.insts.v[0]->gravity, "alpha");
	cr_assert_not_null(alpha);
	cr_expect_str_eq(gx_node_get(alpha, "enable")->scalar, "true");
	for (size_t i = 0; i < 2; i++) {
		const struct gx_service *s = b.insts.v[0]->services[i];

		cr_expect_str_eq(s->name, i ? "beta" : "alpha");
		cr_expect_str_eq(s->config_type, i ? "beta" : "alpha");
		cr_expect_str_eq(s->type->name, s->name);
		cr_expect_eq(s->instance, b.insts.v[0]);
		cr_expect_eq(s->count, 1);
		cr_expect_not(s->instances);
		cr_expect_eq(s->settings[0], alpha);
		cr_expect_str_eq(s->umask, "002");
	}
	cr_expect_eq(gx_instance_service(b.insts.v[0], "beta"), b.insts.v[0]->services[1]);
	cr_expect_null(gx_instance_service(b.insts.v[0], "gamma"));
	inst_release(&b);
	gx_plugins_release(&plugins);
}

Test(expand, default_expand_disabled)
{
	const char *p = inst_galaxy("g", "gravity:\n  alpha:\n    enable: off\ngalaxy: {}\n");
	struct gx_plugins plugins;
	struct built b;

	inst_load_modules(&plugins, TP_LIBS "/tp_services.so", NULL);
	inst_build_ok(&b, 1, &plugins, NULL, p);
	cr_expect_eq(b.insts.v[0]->n_services, 0);
	inst_release(&b);
	gx_plugins_release(&plugins);
}

Test(expand, every_type_with_defaults)
{
	struct built b;
	const struct gx_instance *inst;
	const struct gx_service *s;

	inst_build_ok(&b, 1, &tt_plugins, NULL, inst_galaxy("g", "galaxy: {}\n"));
	inst = b.insts.v[0];
	/* solo, multi, static_none, static_some (named has no sections, broken is off). */
	cr_assert_eq(inst->n_services, 4, "%zu services", inst->n_services);
	s = gx_instance_service(inst, "solo");
	cr_assert_not_null(s);
	cr_expect_eq(s->start_timeout, 7);
	cr_expect_eq(s->stop_timeout, 9);
	cr_expect_eq(s->memory_limit, 0);
	cr_expect_eq(s->memory_high, 0);
	cr_expect_str_eq(s->umask, "022");
	s = gx_instance_service(inst, "multi");
	cr_assert_not_null(s);
	cr_expect_eq(s->count, 1);
	cr_expect(s->instances);
	inst_release(&b);
}

Test(expand, null_settings_are_the_type_defaults)
{
	const char *p = inst_galaxy("g", "gravity:\n  static:\n    server_name: custom\n"
					 "    start_timeout: 5\ngalaxy: {}\n");
	const struct gx_service *none, *some;
	struct built b;

	tt_freed = 0;
	inst_build_ok(&b, 1, &tt_plugins, NULL, p);
	none = gx_instance_service(b.insts.v[0], "static_none");
	some = gx_instance_service(b.insts.v[0], "static_some");
	cr_assert_not_null(none);
	cr_assert_not_null(some);
	cr_expect_eq(none->count, 1);
	cr_expect_str_eq(none->config_type, "standalone");
	cr_expect_eq(*(int *)none->data, 1);
	cr_assert_not_null(none->settings[0]);
	cr_expect_str_eq(gx_node_get(none->settings[0], "server_name")->scalar, "main");
	cr_expect_eq(none->start_timeout, 20);
	cr_expect_eq(none->stop_timeout, 65);
	cr_expect_str_eq(some->config_type, "static");
	cr_assert_eq(some->count, 2);
	cr_assert_not_null(some->settings[0]);
	cr_expect_str_eq(gx_node_get(some->settings[0], "server_name")->scalar, "main");
	cr_expect_str_eq(gx_node_get(some->settings[1], "server_name")->scalar, "custom");
	cr_expect_eq(some->settings[1], gx_node_get(b.insts.v[0]->gravity, "static"));
	/* Common settings are read from the first process's section. */
	cr_expect_eq(some->start_timeout, 20);
	inst_release(&b);
	cr_expect_eq(tt_freed, 1, "free_data was called %d times", tt_freed);
}

Test(expand, list_section_gives_one_process_per_item)
{
	const char *p = inst_galaxy("g", "gravity:\n  service_command_style: direct\n  multi:\n"
					 "    - label: first\n      start_timeout: 11\n"
					 "    - label: second\n      memory_limit: 1.5\n"
					 "galaxy: {}\n");
	const struct gx_service *s;
	struct built b;

	inst_build_ok(&b, 1, &tt_plugins, NULL, p);
	s = gx_instance_service(b.insts.v[0], "multi");
	cr_assert_not_null(s);
	cr_assert_eq(s->count, 2);
	cr_expect_not(s->instances);
	cr_expect_str_eq(gx_node_get(s->settings[0], "label")->scalar, "first");
	cr_expect_str_eq(gx_node_get(s->settings[1], "label")->scalar, "second");
	cr_expect_str_eq(gx_node_get(s->settings[1], "start_timeout")->scalar, "1");
	cr_expect_eq(s->start_timeout, 11);
	inst_release(&b);
}

Test(expand, memory_limits_fall_back_to_the_top_level)
{
	const char *p = inst_galaxy("g", "gravity:\n  memory_limit: 2.5\n  memory_high: 2\n"
					 "  solo:\n    memory_limit: 1\ngalaxy: {}\n");
	const struct gx_service *solo, *multi;
	struct built b;

	inst_build_ok(&b, 1, &tt_plugins, NULL, p);
	solo = gx_instance_service(b.insts.v[0], "solo");
	multi = gx_instance_service(b.insts.v[0], "multi");
	cr_assert(solo && multi);
	cr_expect_float_eq(solo->memory_limit, 1.0, 1e-9);
	cr_expect_float_eq(solo->memory_high, 2.0, 1e-9);
	cr_expect_float_eq(multi->memory_limit, 2.5, 1e-9);
	cr_expect_float_eq(multi->memory_high, 2.0, 1e-9);
	inst_release(&b);
}

/* Upstream's `service.memory_limit or gravity.memory_limit`: a service's 0 is falsy. */
Test(expand, a_zero_memory_limit_is_the_top_level_one)
{
	const char *p = inst_galaxy("g", "gravity:\n  memory_limit: 8\n"
					 "  solo:\n    memory_limit: 0\n    memory_high: 0\n"
					 "galaxy: {}\n");
	const struct gx_service *solo;
	struct built b;

	inst_build_ok(&b, 1, &tt_plugins, NULL, p);
	solo = gx_instance_service(b.insts.v[0], "solo");
	cr_assert(solo);
	cr_expect_float_eq(solo->memory_limit, 8.0, 1e-9);
	cr_expect_float_eq(solo->memory_high, 0.0, 1e-9);
	inst_release(&b);
}

Test(expand, named_sections)
{
	const char *p = inst_galaxy("g", "gravity:\n  named:\n    h1:\n      start_timeout: 30\n"
					 "    h2:\ngalaxy: {}\n");
	const struct gx_node *named;
	const struct gx_service *h1, *h2;
	struct built b;

	inst_build_ok(&b, 1, &tt_plugins, NULL, p);
	named = gx_node_get(b.insts.v[0]->gravity, "named");
	cr_assert_not_null(named);
	cr_assert_eq(named->kind, GX_NODE_MAPPING);
	cr_assert_eq(named->n, 2);
	cr_expect_str_eq(named->pairs[0].key->scalar, "h1");
	cr_expect_str_eq(named->pairs[1].key->scalar, "h2");
	h1 = gx_instance_service(b.insts.v[0], "h1");
	h2 = gx_instance_service(b.insts.v[0], "h2");
	cr_assert(h1 && h2);
	cr_expect_eq(h1->start_timeout, 30);
	cr_expect_eq(h2->start_timeout, 3);
	cr_expect_str_eq(gx_node_get(h2->settings[0], "processes")->scalar, "1");
	inst_release(&b);
}

Test(expand, section_alias)
{
	const char *p = inst_galaxy("g", "gravity:\n  old_solo:\n    start_timeout: 44\n"
					 "galaxy: {}\n");
	const struct gx_service *s;
	struct built b;

	inst_build_ok(&b, 1, &tt_plugins, NULL, p);
	cr_expect_eq(b.diag.n, 0, "%s", b.text);
	s = gx_instance_service(b.insts.v[0], "solo");
	cr_assert_not_null(s);
	cr_expect_eq(s->start_timeout, 44);
	cr_expect_null(gx_node_get(b.insts.v[0]->gravity, "old_solo"));
	inst_release(&b);
}

Test(expand, section_and_alias_both_set)
{
	const char *p = inst_galaxy("g", "gravity:\n  solo:\n    start_timeout: 1\n"
					 "  old_solo:\n    start_timeout: 2\ngalaxy: {}\n");
	char want[2 * PATH_MAX];
	struct built b;

	inst_build_ok(&b, 1, &tt_plugins, NULL, p);
	scratch_print(want, sizeof(want), "galaxyctl: %s:5:5: warning: gravity.old_solo is "
					  "ignored: gravity.solo is also set\n", p);
	cr_expect_str_eq(b.text, want);
	cr_expect_eq(gx_instance_service(b.insts.v[0], "solo")->start_timeout, 1);
	inst_release(&b);
}
