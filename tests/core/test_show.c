/* SPDX-License-Identifier: MIT */
/* Tests for core/show.c: list rows, Galaxy version detection, show as YAML and JSON that read back the same. */
#include <criterion/criterion.h>
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "host.h"
#include "instance.h"
#include "node.h"
#include "scratch.h"
#include "show.h"
#include "yaml_load.h"

static const struct gx_host *host;

static void show_setup(void)
{
	scratch_setup();
	unsetenv("GRAVITY_CONFIG_FILE");
	unsetenv("GALAXY_CONFIG_FILE");
	host = gx_host_init(NULL, false);
}

static char *out_text;
static size_t out_len;

static void show_teardown(void)
{
	free(out_text);
	out_text = NULL;
	gx_host_release();
	scratch_teardown();
}

TestSuite(version, .init = show_setup, .fini = show_teardown);
TestSuite(list, .init = show_setup, .fini = show_teardown);
TestSuite(show, .init = show_setup, .fini = show_teardown);

/* ---------------------------------------------------------------------- */
/* A service type of our own, so that show has services and a section to print */

static const struct gx_option web_options[] = {
	{ .name = "enable", .type = GX_TYPE_BOOL, .default_value = "true" },
	{ .name = "bind", .type = GX_TYPE_STRING, .default_value = "localhost:8080" },
	{ .name = "workers", .type = GX_TYPE_INT, .default_value = "1", .min = 1, .max = 64 },
	{ .name = "preload", .type = GX_TYPE_BOOL },
	{ .name = "ratio", .type = GX_TYPE_FLOAT, .default_value = "0.25" },
	GX_SERVICE_COMMON_OPTIONS("15", "65"),
	{ .name = NULL },
};

static int web_argv(const struct gx_host *h, const struct gx_service *svc, unsigned process,
		    struct gx_strv *argv, struct gx_error *err)
{
	return h->strv_push(argv, "web");
}

static const struct gx_service_type web_type = {
	.name = "web",
	.section = "web",
	.options = web_options,
	.argv = web_argv,
};

static const struct gx_service_type *web_types[] = { &web_type };
static const struct gx_plugins web_plugins = { .types = web_types, .n_types = 1 };

struct built {
	struct gx_config cfg;
	struct gx_diag diag;
	struct gx_instances insts;
};

static struct built B;

/* Build the instances of one config file; they must load cleanly. */
static void show_build(const char *file)
{
	struct gx_config_sources src = { .files = (char **)&file, .n_files = 1 };
	struct gx_instance_env env = { 0 };
	struct gx_error err = { 0 };

	cr_assert_eq(gx_config_find(&B.cfg, &src, &err), 0, "%s", err.message);
	cr_assert_eq(gx_config_load(&B.cfg, &B.diag), 0);
	cr_assert_eq(gx_instances_build(&B.cfg, &web_plugins, host, &env, &B.diag, &B.insts), 0,
		     "build failed: %s", B.diag.n ? B.diag.msgs[B.diag.n - 1].text : "");
}

static void show_release(void)
{
	gx_instances_release(&B.insts);
	gx_config_release(&B.cfg);
	gx_diag_release(&B.diag);
}

/* A Galaxy root at scratch/name with lib/galaxy and, if given, lib/galaxy/version.py. */
static const char *show_root(const char *name, const char *version_py)
{
	char sub[PATH_MAX];

	scratch_print(sub, sizeof(sub), "%s/lib/galaxy", name);
	scratch_mkdir(sub);
	if (version_py) {
		scratch_print(sub, sizeof(sub), "%s/lib/galaxy/version.py", name);
		scratch_write(sub, version_py);
	}
	return scratch_path(name);
}

/* ---------------------------------------------------------------------- */
/* Galaxy version */

static void expect_version(const char *version_py, const char *want)
{
	char *v = gx_galaxy_version(show_root("g", version_py));

	if (!want) {
		cr_expect_null(v, "got %s for:\n%s", v, version_py);
	} else {
		cr_assert_not_null(v, "no version from:\n%s", version_py);
		cr_expect_str_eq(v, want);
	}
	free(v);
}

Test(version, major_and_minor_as_galaxy_writes_them)
{
	expect_version("VERSION_MAJOR = \"23.1\"\n"
		       "VERSION_MINOR = \"2\"\n"
		       "VERSION = VERSION_MAJOR + (f\".{VERSION_MINOR}\" if VERSION_MINOR else \"\")\n",
		       "23.1.2");
}

Test(version, empty_minor)
{
	expect_version("VERSION_MAJOR = '24.0'\nVERSION_MINOR = ''\n"
		       "VERSION = VERSION_MAJOR + ('.' + VERSION_MINOR if VERSION_MINOR else '')\n",
		       "24.0");
}

Test(version, dev_minor)
{
	expect_version("VERSION_MAJOR = \"24.2\"\nVERSION_MINOR = \"dev0\"\n", "24.2.dev0");
}

Test(version, major_only)
{
	expect_version("VERSION_MAJOR = \"22.05\"\n", "22.05");
}

Test(version, literal_version_wins)
{
	expect_version("VERSION_MAJOR = \"23.1\"\nVERSION_MINOR = \"2\"\n"
		       "VERSION   =   '23.1.2rc1'  # pinned\n",
		       "23.1.2rc1");
}

Test(version, other_names_are_not_version)
{
	expect_version("MY_VERSION = \"1\"\nVERSIONS = \"2\"\n  VERSION = \"3\"\n"
		       "VERSION_MINOR = \"4\"\n",
		       NULL);
}

/* Galaxy 26.1 made galaxy.version a package: upstream 1.2.3 reads its __init__.py then. */
Test(version, galaxy_26_1_package_layout)
{
	char sub[PATH_MAX];
	char *v;

	scratch_print(sub, sizeof(sub), "g261/lib/galaxy/version");
	scratch_mkdir(sub);
	scratch_print(sub, sizeof(sub), "g261/lib/galaxy/version/__init__.py");
	scratch_write(sub, "VERSION_MAJOR = \"26.1\"\nVERSION_MINOR = \"0\"\n");
	v = gx_galaxy_version(scratch_path("g261"));
	cr_assert_not_null(v);
	cr_expect_str_eq(v, "26.1.0");
	free(v);
}

Test(version, no_file)
{
	expect_version(NULL, NULL);
	cr_expect_null(gx_galaxy_version(NULL));
}

/* ---------------------------------------------------------------------- */
/* list */

static FILE *show_out(void)
{
	FILE *f;

	free(out_text);
	out_text = NULL;
	f = open_memstream(&out_text, &out_len);
	cr_assert_not_null(f);
	return f;
}

static const char *show_list(bool version)
{
	FILE *f = show_out();

	gx_show_list(&B.insts, version, f);
	fclose(f);
	return out_text;
}

/* Two instances in one gravity file; the second's root has a version.py. */
static const char *show_two_instances(void)
{
	show_root("a", NULL);
	show_root("b", "VERSION_MAJOR = \"23.1\"\nVERSION_MINOR = \"2\"\n");
	scratch_write("a/config/galaxy.yml", "galaxy: {}\n");
	scratch_write("b/config/galaxy.yml", "galaxy: {}\n");
	return scratch_write("gravity.yml",
			     "gravity:\n"
			     "  - instance_name: main\n"
			     "    galaxy_config_file: a/config/galaxy.yml\n"
			     "  - instance_name: a-rather-long-instance-name\n"
			     "    galaxy_config_file: b/config/galaxy.yml\n");
}

Test(list, rows_as_upstream_prints_them)
{
	const char *g = show_two_instances();
	char want[4 * PATH_MAX];

	show_build(g);
	scratch_print(want, sizeof(want),
		      "INSTANCE NAME       CONFIG PATH\n"
		      "main                %s\n"
		      "a-rather-long-instance-name  %s\n", g, g);
	cr_expect_str_eq(show_list(false), want);
	show_release();
}

Test(list, version_column)
{
	const char *g = show_two_instances();
	char want[4 * PATH_MAX];

	show_build(g);
	scratch_print(want, sizeof(want),
		      "INSTANCE NAME       VERSION       CONFIG PATH\n"
		      "main                unknown       %s\n"
		      "a-rather-long-instance-name  23.1.2        %s\n", g, g);
	cr_expect_str_eq(show_list(true), want);
	show_release();
}

Test(list, nothing_configured)
{
	cr_expect_str_eq(show_list(false), "No configured instances\n");
	cr_expect_str_eq(show_list(true), "No configured instances\n");
}

/* ---------------------------------------------------------------------- */
/* show */

static const char *show_text(const struct gx_instance *inst, bool details)
{
	FILE *f = show_out();

	cr_assert_eq(gx_show_instance(inst, details, f), 0);
	fclose(f);
	return out_text;
}

static json_t *show_json(const struct gx_instance *inst, bool details)
{
	json_error_t jerr;
	json_t *j = json_loads(show_text(inst, details), 0, &jerr);

	cr_assert_not_null(j, "not JSON (%s, line %d): %s", jerr.text, jerr.line, out_text);
	cr_assert(json_is_object(j));
	return j;
}

/* A config with strings that look like other types, and values of every kind. */
static const char *show_tricky_config(void)
{
	const char *root = show_root("g", NULL);

	return scratch_writef("g/config/galaxy.yml",
			      "gravity:\n"
			      "  instance_name: 'yes'\n"
			      "  galaxy_user: '123'\n"
			      "  galaxy_group: 'null'\n"
			      "  log_namespace: \"a: b # c\"\n"
			      "  umask: '027'\n"
			      "  memory_limit: 1.0e+9\n"
			      "  memory_high: 2\n"
			      "  virtualenv: %s/venv\n"
			      "  web:\n"
			      "    bind: 'unix:/run/g.sock'\n"
			      "    workers: 4\n"
			      "    preload: off\n"
			      "    ratio: 0.1\n"
			      "    environment:\n"
			      "      '1': one\n"
			      "      EMPTY: ''\n"
			      "      MULTI: \"line1\\nline2\"\n"
			      "      QUOTE: \"it's\"\n"
			      "      TILDE: '~'\n"
			      "      LEAD: ' padded'\n"
			      "galaxy:\n"
			      "  galaxy_infrastructure_url: https://galaxy.example.org//\n"
			      "  interactivetools_enable: true\n"
			      "  interactivetools_map: database/it.sqlite\n"
			      "  brand: not shown\n",
			      root);
}

/* Upstream's ConfigFile fields in its order, then what --details adds. */
static const char *const top_keys[] = {
	"app_config", "gravity_config_file", "galaxy_config_file", "instance_name",
	"process_manager", "service_command_style", "app_server", "virtualenv", "galaxy_root",
	"galaxy_user", "galaxy_group", "umask", "memory_limit", "memory_high", "gravity_data_dir",
	"log_dir", "log_namespace", "services", "settings",
};

static void expect_keys(json_t *j, size_t n)
{
	const char *key;
	json_t *v;
	size_t k = 0;

	json_object_foreach(j, key, v) {
		cr_assert_lt(k, n, "extra key %s", key);
		cr_expect_str_eq(key, top_keys[k]);
		k++;
	}
	cr_expect_eq(k, n);
}

Test(show, json_fields)
{
	const char *p = show_tricky_config();
	const struct gx_instance *inst;
	json_t *j, *v, *svc, *web, *env;

	show_build(p);
	inst = B.insts.v[0];
	j = show_json(inst, true);
	cr_expect(strncmp(out_text, "{\n    \"app_config\": {\n", 22) == 0, "%s", out_text);
	cr_expect_eq(out_text[out_len - 1], '\n');
	expect_keys(j, sizeof(top_keys) / sizeof(top_keys[0]));
	cr_expect_str_eq(json_string_value(json_object_get(j, "instance_name")), "yes");
	cr_expect_str_eq(json_string_value(json_object_get(j, "gravity_config_file")), p);
	cr_expect_str_eq(json_string_value(json_object_get(j, "galaxy_config_file")), p);
	cr_expect_str_eq(json_string_value(json_object_get(j, "process_manager")), "supervisor");
	cr_expect_str_eq(json_string_value(json_object_get(j, "service_command_style")), "gravity");
	cr_expect_str_eq(json_string_value(json_object_get(j, "app_server")), "gunicorn");
	cr_expect_str_eq(json_string_value(json_object_get(j, "virtualenv")), scratch_path("g/venv"));
	cr_expect_str_eq(json_string_value(json_object_get(j, "galaxy_root")), scratch_path("g"));
	cr_expect_str_eq(json_string_value(json_object_get(j, "galaxy_user")), "123");
	cr_expect_str_eq(json_string_value(json_object_get(j, "galaxy_group")), "null");
	cr_expect_str_eq(json_string_value(json_object_get(j, "umask")), "027");
	cr_expect(json_is_real(json_object_get(j, "memory_limit")));
	cr_expect_float_eq(json_real_value(json_object_get(j, "memory_limit")), 1e9, 1e-3);
	cr_expect(json_is_real(json_object_get(j, "memory_high")));
	cr_expect_float_eq(json_real_value(json_object_get(j, "memory_high")), 2.0, 1e-12);
	cr_expect_str_eq(json_string_value(json_object_get(j, "gravity_data_dir")),
			 scratch_path("g/database/gravity"));
	cr_expect_str_eq(json_string_value(json_object_get(j, "log_dir")),
			 scratch_path("g/database/gravity/log"));
	cr_expect_str_eq(json_string_value(json_object_get(j, "log_namespace")), "a: b # c");

	v = json_object_get(j, "app_config");
	cr_expect_eq(json_object_size(v), 3, "upstream's two, and its optional ones when set");
	cr_expect_str_eq(json_string_value(json_object_get(v, "galaxy_infrastructure_url")),
			 "https://galaxy.example.org");
	cr_expect(json_is_true(json_object_get(v, "interactivetools_enable")));
	cr_expect_str_eq(json_string_value(json_object_get(v, "interactivetools_map")),
			 "database/it.sqlite");

	v = json_object_get(j, "services");
	cr_assert_eq(json_array_size(v), 1);
	svc = json_array_get(v, 0);
	cr_expect_str_eq(json_string_value(json_object_get(svc, "service_name")), "web");
	cr_expect_str_eq(json_string_value(json_object_get(svc, "service_type")), "web");
	cr_expect_eq(json_integer_value(json_object_get(svc, "processes")), 1);
	cr_expect(json_is_false(json_object_get(svc, "service_instances")));

	v = json_object_get(j, "settings");
	cr_assert(json_is_object(v));
	cr_expect_str_eq(json_string_value(json_object_get(v, "umask")), "027");
	cr_expect(json_is_null(json_object_get(v, "process_manager")));
	web = json_object_get(v, "web");
	cr_assert(json_is_object(web));
	cr_expect(json_is_true(json_object_get(web, "enable")));
	cr_expect_str_eq(json_string_value(json_object_get(web, "bind")), "unix:/run/g.sock");
	cr_expect(json_is_integer(json_object_get(web, "workers")));
	cr_expect_eq(json_integer_value(json_object_get(web, "workers")), 4);
	cr_expect(json_is_false(json_object_get(web, "preload")));
	cr_expect(json_is_real(json_object_get(web, "ratio")));
	cr_expect(json_is_null(json_object_get(web, "umask")));
	cr_expect_eq(json_integer_value(json_object_get(web, "start_timeout")), 15);
	env = json_object_get(web, "environment");
	cr_expect_str_eq(json_string_value(json_object_get(env, "1")), "one");
	cr_expect_str_eq(json_string_value(json_object_get(env, "EMPTY")), "");
	cr_expect_str_eq(json_string_value(json_object_get(env, "MULTI")), "line1\nline2");
	cr_expect_str_eq(json_string_value(json_object_get(env, "TILDE")), "~");
	json_decref(j);
	show_release();
}

Test(show, upstream_keys_without_details)
{
	json_t *j, *app;

	show_root("g", NULL);
	show_build(scratch_write("g/config/galaxy.yml", "galaxy: {}\n"));
	j = show_json(B.insts.v[0], false);
	expect_keys(j, sizeof(top_keys) / sizeof(top_keys[0]) - 2);
	/* Unset, as upstream dumps them: an empty URL, a null enable, no optional keys. */
	app = json_object_get(j, "app_config");
	cr_expect_eq(json_object_size(app), 2);
	cr_expect_str_eq(json_string_value(json_object_get(app, "galaxy_infrastructure_url")), "");
	cr_expect(json_is_null(json_object_get(app, "interactivetools_enable")));
	cr_expect(json_is_null(json_object_get(j, "memory_limit")));
	cr_expect(strstr(out_text, "\n    \"umask\": \"022\",\n"), "%s", out_text);
	json_decref(j);
	show_release();
}

Test(show, write_errors)
{
	FILE *full = fopen("/dev/full", "w");

	show_root("g", NULL);
	show_build(scratch_write("g/config/galaxy.yml", "galaxy: {}\n"));
	cr_assert_not_null(full);
	setvbuf(full, NULL, _IONBF, 0);
	cr_expect_eq(gx_show_instance(B.insts.v[0], true, full), -EIO);
	cr_expect_eq(gx_show_instance(B.insts.v[0], false, full), -EIO);
	fclose(full);
	show_release();
}
