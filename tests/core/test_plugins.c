/* SPDX-License-Identifier: MIT */
/* Tests for core/plugins.c: search path, loading real test modules, every load error, lookups. */
#include <criterion/criterion.h>
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "plugins.h"
#include "strv.h"

#define TP_LIBS GX_TEST_BUILDDIR "/plugins/.libs"

/* Each test runs in its own process: one scratch directory per test. */
static char tp_root[PATH_MAX];

/* Checked snprintf: test paths and messages must never be cut short. */
static void tp_print(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void tp_print(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	cr_assert(n >= 0 && (size_t)n < size, "tp_print: %s... does not fit", buf);
}

static void tp_setup(void)
{
	const char *tmp = getenv("TMPDIR");

	tp_print(tp_root, sizeof(tp_root), "%s/gx-test-plugins-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	cr_assert_not_null(mkdtemp(tp_root), "mkdtemp: %s", strerror(errno));
	unsetenv("GRAVITY_PLUGIN_PATH");
}

static int tp_remove(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static void tp_teardown(void)
{
	nftw(tp_root, tp_remove, 16, FTW_DEPTH | FTW_PHYS);
}

/* tp_root/sub, in a buffer of its own that lives as long as the test. */
static const char *tp_path(const char *sub)
{
	static char bufs[32][PATH_MAX];
	static unsigned next;

	cr_assert_lt(next, 32, "tp_path: out of buffers");
	tp_print(bufs[next], PATH_MAX, "%s/%s", tp_root, sub);
	return bufs[next++];
}

/* Create tp_root/sub (and its parents) and return its path. */
static const char *tp_dir(const char *sub)
{
	char buf[PATH_MAX];
	const char *path = tp_path(sub);

	tp_print(buf, sizeof(buf), "%s", path);
	for (char *s = buf + strlen(tp_root) + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		mkdir(buf, 0755);
		*s = '/';
	}
	cr_assert_eq(mkdir(buf, 0755), 0, "mkdir %s: %s", buf, strerror(errno));
	return path;
}

/* Put test module tp_<module>.so into dir as <as>.so (a symlink to the build tree). */
static void tp_link(const char *dir, const char *module, const char *as)
{
	char target[PATH_MAX], link[PATH_MAX];

	tp_print(target, sizeof(target), "%s/%s.so", TP_LIBS, module);
	tp_print(link, sizeof(link), "%s/%s.so", dir, as ? as : module);
	cr_assert_eq(access(target, R_OK), 0, "test module %s missing (make check builds it)",
		     target);
	cr_assert_eq(symlink(target, link), 0, "symlink %s: %s", link, strerror(errno));
}

static void tp_write(const char *dir, const char *name, const char *text)
{
	char path[PATH_MAX];
	FILE *f;

	tp_print(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	cr_assert_not_null(f, "fopen %s: %s", path, strerror(errno));
	fputs(text, f);
	fclose(f);
}

/* Init with GRAVITY_PLUGIN_PATH=path, no build tree and a pkglibdir that does not exist. */
static void tp_init(struct gx_plugins *p, const char *path)
{
	setenv("GRAVITY_PLUGIN_PATH", path, 1);
	cr_assert_eq(gx_plugins_init(p, NULL, tp_path("nope")), 0);
}

/* Load with GRAVITY_PLUGIN_PATH=path and expect failure with code and message. */
static void tp_expect_load_error(const char *path, int code, const char *message)
{
	struct gx_plugins p;
	struct gx_error err = { 0 };

	tp_init(&p, path);
	cr_assert_eq(gx_plugins_load(&p, &err), code, "load: %d (%s)", err.code, err.message);
	cr_assert_eq(err.code, code);
	cr_assert_str_eq(err.message, message);
	/* All or nothing: a failed load keeps no module. */
	cr_assert_eq(p.n_modules, 0);
	cr_assert_null(p.modules);
	cr_assert_eq(p.n_types, 0);
	cr_assert_null(p.types);
	cr_assert_null(p.type_paths);
	cr_assert_eq(p.n_backends, 0);
	cr_assert_null(p.backends);
	cr_assert_null(p.backend_paths);
	cr_assert_not_null(p.search_path);
	gx_plugins_release(&p);
}

static char tp_msg[2048];

/* printf into a shared buffer, for expected messages. */
static const char *tp_fmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static const char *tp_fmt(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tp_msg, sizeof(tp_msg), fmt, ap);
	va_end(ap);
	cr_assert(n >= 0 && (size_t)n < sizeof(tp_msg), "tp_fmt: message too long");
	return tp_msg;
}

TestSuite(plugins, .init = tp_setup, .fini = tp_teardown);

/* ------------------------------------------------------------------ */
/* The search path                                                     */

Test(plugins, search_path_order_and_empty_entries)
{
	struct gx_plugins p;
	const char *want[] = { "/a", "/b/", "rel", "/bd/backends/.libs", "/bd/services/.libs",
			       "/pk/backends", "/pk/services", NULL };

	setenv("GRAVITY_PLUGIN_PATH", ":/a::/b/:rel:", 1);
	cr_assert_eq(gx_plugins_init(&p, "/bd", "/pk"), 0);
	for (size_t i = 0; want[i]; i++) {
		cr_assert_not_null(p.search_path[i], "entry %zu missing", i);
		cr_assert_str_eq(p.search_path[i], want[i]);
	}
	cr_assert_null(p.search_path[7]);
	cr_assert_eq(p.n_modules, 0);
	gx_plugins_release(&p);
}

Test(plugins, search_path_without_env_or_build_tree)
{
	struct gx_plugins p;

	cr_assert_eq(gx_plugins_init(&p, NULL, "/usr/lib/galaxyctl"), 0);
	cr_assert_str_eq(p.search_path[0], "/usr/lib/galaxyctl/backends");
	cr_assert_str_eq(p.search_path[1], "/usr/lib/galaxyctl/services");
	cr_assert_null(p.search_path[2]);
	gx_plugins_release(&p);
}

Test(plugins, search_path_env_only)
{
	struct gx_plugins p;

	setenv("GRAVITY_PLUGIN_PATH", "/only", 1);
	cr_assert_eq(gx_plugins_init(&p, NULL, NULL), 0);
	cr_assert_str_eq(p.search_path[0], "/only");
	cr_assert_null(p.search_path[1]);
	gx_plugins_release(&p);
}

/* Nothing to search: loads nothing, and says so when a backend is asked for. */
Test(plugins, empty_search_path)
{
	struct gx_plugins p;
	struct gx_error err = { 0 };

	setenv("GRAVITY_PLUGIN_PATH", "::", 1);
	cr_assert_eq(gx_plugins_init(&p, NULL, NULL), 0);
	cr_assert_not_null(p.search_path);
	cr_assert_null(p.search_path[0]);
	cr_assert_eq(gx_plugins_load(&p, &err), 0);
	cr_assert_eq(p.n_modules, 0);
	cr_assert_null(gx_plugins_backend(&p, "foo", &err));
	cr_assert_eq(err.code, -ENOENT);
	cr_assert_str_eq(err.message,
			 "unknown backend 'foo'; no backends are installed (the plugin search path is empty)");
	gx_plugins_release(&p);
}

Test(plugins, release_zeroed_and_twice)
{
	struct gx_plugins p = { 0 };

	gx_plugins_release(&p);
	gx_plugins_release(NULL);
	cr_assert_eq(gx_plugins_init(&p, NULL, "/pk"), 0);
	gx_plugins_release(&p);
	cr_assert_null(p.search_path);
	gx_plugins_release(&p);
}

/* Several hosts at once: libltdl is initialised and shut down per struct. */
Test(plugins, two_hosts_nest)
{
	struct gx_plugins a, b;
	struct gx_error err = { 0 };
	const char *d = tp_dir("d");

	tp_link(d, "tp_backend", NULL);
	tp_init(&a, d);
	tp_init(&b, d);
	cr_assert_eq(gx_plugins_load(&a, &err), 0, "%s", err.message);
	cr_assert_eq(gx_plugins_load(&b, &err), 0, "%s", err.message);
	gx_plugins_release(&a);
	cr_assert_not_null(gx_plugins_backend(&b, "testbackend", &err));
	/* b still has the module mapped: its code runs. */
	cr_assert_eq(b.backends[0]->update(NULL, NULL, NULL), 0);
	gx_plugins_release(&b);
}

/* ------------------------------------------------------------------ */
/* Loading                                                             */

/*
 * d1: tp_services, tp_backend and things that are not modules;
 * /nonexistent; d2: another backend and a tp_services.so that d1's shadows
 * (it is really tp_duptype, which would clash on 'alpha' if loaded).
 */
static void tp_load_two_dirs(struct gx_plugins *p, const char **ret_d1, const char **ret_d2)
{
	struct gx_error err = { 0 };
	const char *d1 = tp_dir("d1"), *d2 = tp_dir("d2");
	char path[3 * PATH_MAX];

	tp_link(d1, "tp_services", NULL);
	tp_link(d1, "tp_backend", NULL);
	tp_write(d1, "README", "not a module\n");
	tp_write(d1, ".hidden.so", "hidden files are not loaded\n");
	tp_write(d1, "tp_backend.so.txt", "wrong extension\n");
	tp_dir("d1/dir.so");
	cr_assert_eq(symlink("/nonexistent/dangling.so", tp_path("d1/dangling.so")), 0);
	tp_link(d2, "tp_backend2", NULL);
	tp_link(d2, "tp_duptype", "tp_services");

	tp_print(path, sizeof(path), "%s:/nonexistent:%s/README:%s", d1, d1, d2);
	tp_init(p, path);
	cr_assert_eq(gx_plugins_load(p, &err), 0, "load: %s", err.message);
	*ret_d1 = d1;
	*ret_d2 = d2;
}

Test(plugins, load_order_and_shadowing)
{
	struct gx_plugins p;
	const char *d1, *d2;

	tp_load_two_dirs(&p, &d1, &d2);
	cr_assert_eq(p.n_modules, 3);
	cr_assert_str_eq(p.modules[0].path, tp_fmt("%s/tp_backend.so", d1));
	cr_assert_str_eq(p.modules[1].path, tp_fmt("%s/tp_services.so", d1));
	cr_assert_str_eq(p.modules[2].path, tp_fmt("%s/tp_backend2.so", d2));
	for (size_t i = 0; i < p.n_modules; i++) {
		cr_assert_not_null(p.modules[i].handle);
		cr_assert_not_null(p.modules[i].module);
		cr_assert_eq(p.modules[i].module->abi_major, GX_ABI_MAJOR);
	}
	cr_assert_str_eq(p.modules[1].module->name, "tp_services");

	cr_assert_eq(p.n_types, 2);
	cr_assert_str_eq(p.types[0]->name, "alpha");
	cr_assert_str_eq(p.types[1]->name, "beta");
	cr_assert_str_eq(p.type_paths[0], tp_fmt("%s/tp_services.so", d1));
	cr_assert_str_eq(p.type_paths[1], tp_fmt("%s/tp_services.so", d1));

	cr_assert_eq(p.n_backends, 2);
	cr_assert_str_eq(p.backends[0]->name, "testbackend");
	cr_assert_str_eq(p.backends[1]->name, "another");
	cr_assert_str_eq(p.backend_paths[0], tp_fmt("%s/tp_backend.so", d1));
	cr_assert_str_eq(p.backend_paths[1], tp_fmt("%s/tp_backend2.so", d2));
	gx_plugins_release(&p);
	cr_assert_null(p.modules);
	cr_assert_null(p.search_path);
}

Test(plugins, lookups)
{
	struct gx_plugins p;
	struct gx_error err = { 0 };
	const struct gx_service_type *t;
	const char *d1, *d2;

	tp_load_two_dirs(&p, &d1, &d2);
	t = gx_plugins_type(&p, "alpha");
	cr_assert_not_null(t);
	cr_assert_str_eq(t->name, "alpha");
	cr_assert_str_eq(t->section, "alpha");
	t = gx_plugins_type(&p, "beta");
	cr_assert_not_null(t);
	cr_assert_str_eq(t->section, "alpha");
	cr_assert_not_null(t->argv);
	cr_assert_null(gx_plugins_type(&p, "gamma"));
	cr_assert_null(gx_plugins_type(&p, "testbackend"));

	cr_assert_eq(gx_plugins_backend(&p, "testbackend", &err), p.backends[0]);
	cr_assert_eq(gx_plugins_backend(&p, "another", &err), p.backends[1]);
	cr_assert_eq(err.code, 0, "a found backend leaves err alone");
	gx_plugins_release(&p);
}

Test(plugins, load_twice_is_a_no_op)
{
	struct gx_plugins p;
	struct gx_error err = { 0 };
	const char *d1, *d2;

	tp_load_two_dirs(&p, &d1, &d2);
	cr_assert_eq(gx_plugins_load(&p, &err), 0, "%s", err.message);
	cr_assert_eq(p.n_modules, 3);
	cr_assert_eq(p.n_types, 2);
	cr_assert_eq(p.n_backends, 2);
	gx_plugins_release(&p);
}

/* A directory given with a trailing slash does not double it in module paths. */
Test(plugins, trailing_slash)
{
	struct gx_plugins p;
	struct gx_error err = { 0 };
	const char *d = tp_dir("d");

	tp_link(d, "tp_backend", NULL);
	tp_init(&p, tp_fmt("%s/", d));
	cr_assert_eq(gx_plugins_load(&p, &err), 0, "%s", err.message);
	cr_assert_eq(p.n_modules, 1);
	cr_assert_str_eq(p.modules[0].path, tp_fmt("%s/tp_backend.so", d));
	gx_plugins_release(&p);
}

/* The build tree and pkglibdir are searched, in that order, after the environment. */
Test(plugins, build_tree_and_pkglibdir)
{
	struct gx_plugins p;
	struct gx_error err = { 0 };
	const char *env = tp_dir("env");
	const char *bb = tp_dir("build/backends/.libs");
	const char *ps = tp_dir("pkg/services");

	tp_link(env, "tp_backend2", "tp_backend");
	tp_link(bb, "tp_backend", NULL);
	tp_link(ps, "tp_services", NULL);
	setenv("GRAVITY_PLUGIN_PATH", env, 1);
	cr_assert_eq(gx_plugins_init(&p, tp_path("build"), tp_path("pkg")), 0);
	cr_assert_eq(gx_plugins_load(&p, &err), 0, "%s", err.message);
	cr_assert_eq(p.n_modules, 2);
	/* The environment's tp_backend.so (really "another") shadows the build tree's. */
	cr_assert_str_eq(p.modules[0].path, tp_fmt("%s/tp_backend.so", env));
	cr_assert_str_eq(p.modules[1].path, tp_fmt("%s/tp_services.so", ps));
	cr_assert_eq(p.n_backends, 1);
	cr_assert_str_eq(p.backends[0]->name, "another");
	cr_assert_not_null(gx_plugins_type(&p, "alpha"));
	gx_plugins_release(&p);
}

/* The build tree's and pkglibdir's backends are opened only when asked for, by file name. */
Test(plugins, backends_open_on_demand)
{
	struct gx_plugins p;
	struct gx_error err = { 0 };
	const char *bb = tp_dir("build/backends/.libs");
	const char *pb = tp_dir("pkg/backends");

	tp_link(bb, "tp_backend", "testbackend");
	tp_link(pb, "tp_backend2", "another");
	unsetenv("GRAVITY_PLUGIN_PATH");
	cr_assert_eq(gx_plugins_init(&p, tp_path("build"), tp_path("pkg")), 0);
	cr_assert_eq(gx_plugins_load(&p, &err), 0, "%s", err.message);
	cr_assert_eq(p.n_modules, 0, "no backend is opened by load");
	cr_assert_not_null(gx_plugins_backend(&p, "another", &err), "%s", err.message);
	cr_assert_eq(p.n_modules, 1);
	cr_assert_str_eq(p.modules[0].path, tp_fmt("%s/another.so", pb));
	cr_assert_null(gx_plugins_backend(&p, "nosuch", &err));
	cr_assert_str_eq(err.message,
			 tp_fmt("unknown backend 'nosuch'; available backends: another, testbackend "
				"(searched: %s, %s/services/.libs, %s, %s/services)", bb,
				tp_path("build"), pb, tp_path("pkg")));
	cr_assert_eq(p.n_modules, 1, "an unknown name opens nothing");
	gx_plugins_release(&p);
}

/* Every backend by name, once: the loaded, then unopened files of each backends directory. */
Test(plugins, backend_names)
{
	struct gx_plugins p;
	struct gx_error err = { 0 };
	struct gx_strv names = { 0 };
	const char *bb = tp_dir("build/backends/.libs");
	const char *pb = tp_dir("pkg/backends");

	tp_link(bb, "tp_backend", "testbackend");
	tp_link(pb, "tp_backend2", "another");
	tp_link(pb, "tp_backend", "testbackend"); /* the build tree's shadows it */
	unsetenv("GRAVITY_PLUGIN_PATH");
	cr_assert_eq(gx_plugins_init(&p, tp_path("build"), tp_path("pkg")), 0);
	cr_assert_eq(gx_plugins_load(&p, &err), 0, "%s", err.message);
	cr_assert_not_null(gx_plugins_backend(&p, "another", &err), "%s", err.message);
	cr_assert_eq(gx_plugins_backend_names(&p, &names), 0);
	cr_assert_eq(names.n, 2);
	cr_assert_str_eq(names.v[0], "another");
	cr_assert_str_eq(names.v[1], "testbackend");
	cr_assert_eq(p.n_modules, 1, "listing opens nothing");
	gx_strv_release(&names);
	gx_plugins_release(&p);
}

/* ------------------------------------------------------------------ */
/* Load errors                                                         */

/* The system loader's reason, not libltdl's "file not found" for a file that is there. */
Test(plugins, not_loadable)
{
	const char *d = tp_dir("d");
	struct gx_plugins p;
	struct gx_error err = { 0 };
	const char *prefix = tp_fmt("cannot load module %s/broken.so: ", d);
	size_t len = strlen(prefix);

	tp_write(d, "broken.so",
		 "This text is long enough to fill an ELF header, which it is not.\n");
	tp_init(&p, d);
	cr_assert_eq(gx_plugins_load(&p, &err), -ELIBBAD);
	cr_assert_eq(err.code, -ELIBBAD);
	cr_assert_eq(strncmp(err.message, prefix, len), 0, "got: %s", err.message);
#ifdef __GLIBC__
	cr_assert_str_eq(err.message + len, "invalid ELF header");
#else
	cr_assert_gt(strlen(err.message), len, "got: %s", err.message);
	cr_assert_null(strstr(err.message, "file not found"), "got: %s", err.message);
#endif
	cr_assert_eq(p.n_modules, 0);
	gx_plugins_release(&p);
}

/* A good module loaded before the failure is closed again. */
Test(plugins, failure_after_a_good_module)
{
	const char *d = tp_dir("d");
	struct gx_plugins p;
	struct gx_error err = { 0 };

	tp_link(d, "tp_services", "a");
	tp_write(d, "b.so", "garbage\n");
	tp_link(d, "tp_backend", "c");
	tp_init(&p, d);
	cr_assert_eq(gx_plugins_load(&p, &err), -ELIBBAD, "%s", err.message);
	cr_assert_eq(p.n_modules, 0);
	cr_assert_eq(p.n_types, 0);
	cr_assert_null(gx_plugins_type(&p, "alpha"));
	gx_plugins_release(&p);
}

Test(plugins, no_module_symbol)
{
	const char *d = tp_dir("d");

	tp_link(d, "tp_nosym", NULL);
	tp_expect_load_error(d, -ENOEXEC,
			     tp_fmt("%s/tp_nosym.so is not a galaxyctl module (no gx_module symbol)",
				    d));
}

Test(plugins, abi_major_mismatch)
{
	const char *d = tp_dir("d");

	tp_link(d, "tp_abinext", NULL);
	tp_expect_load_error(
		d, -EPROTO,
		tp_fmt("module %s/tp_abinext.so was built for plugin ABI %u.%u; this galaxyctl provides %u.%u",
		       d, GX_ABI_MAJOR + 1, GX_ABI_MINOR, GX_ABI_MAJOR, GX_ABI_MINOR));
}

Test(plugins, abi_minor_newer)
{
	const char *d = tp_dir("d");

	/* It may call host slots this galaxyctl does not have. */
	tp_link(d, "tp_abinewer", NULL);
	tp_expect_load_error(
		d, -EPROTO,
		tp_fmt("module %s/tp_abinewer.so needs plugin ABI %u.%u; this galaxyctl provides %u.%u",
		       d, GX_ABI_MAJOR, GX_ABI_MINOR + 1, GX_ABI_MAJOR, GX_ABI_MINOR));
}

/*
 * Modules built for ABI 1.0 load, and the core reads no slot of theirs
 * that came later: tp_abi10_backend's struct holds traps where 1.0's ended
 * (check, process_names, plan), which the accessors must not hand out.
 */
Test(plugins, abi_1_0_modules_load_and_get_no_newer_slot)
{
	struct gx_plugins p;
	struct gx_error err = { 0 };
	const struct gx_backend *b;
	const char *d = tp_dir("d");

	tp_link(d, "tp_abi10_service", NULL);
	tp_link(d, "tp_abi10_backend", NULL);
	tp_init(&p, d);
	cr_assert_eq(gx_plugins_load(&p, &err), 0, "%s", err.message);
	cr_assert_eq(p.n_modules, 2);
	for (size_t i = 0; i < 2; i++)
		cr_assert_eq(p.modules[i].module->abi_minor, 0);
	cr_assert_not_null(gx_plugins_type(&p, "vintage"));
	b = gx_plugins_backend(&p, "vintage", &err);
	cr_assert_not_null(b, "%s", err.message);
	cr_assert_eq(gx_plugins_backend_minor(&p, b), 0);
	/* The bytes are there (a trap each), but a 1.0 module has no such slots. */
	cr_assert_not_null(b->check);
	cr_assert_not_null(b->process_names);
	cr_assert_not_null(b->plan);
	cr_assert_null(gx_plugins_backend_check(&p, b), "check read from an ABI 1.0 module");
	cr_assert_null(gx_plugins_backend_process_names(&p, b),
		       "process_names read from an ABI 1.0 module");
	cr_assert_null(gx_plugins_backend_plan(&p, b), "plan read from an ABI 1.0 module");
	gx_plugins_release(&p);
}

Test(plugins, module_struct_too_small)
{
	const char *d = tp_dir("d");

	tp_link(d, "tp_small", NULL);
	tp_expect_load_error(
		d, -EPROTO,
		tp_fmt("module %s/tp_small.so was built for plugin ABI %u.%u but its module struct has %zu bytes; this galaxyctl needs at least %zu",
		       d, GX_ABI_MAJOR, GX_ABI_MINOR, offsetof(struct gx_module, services),
		       sizeof(struct gx_module)));
}

Test(plugins, module_provides_nothing)
{
	const char *d = tp_dir("d");

	tp_link(d, "tp_empty", NULL);
	tp_expect_load_error(
		d, -EINVAL,
		tp_fmt("module %s/tp_empty.so provides no service type and no backend", d));
}

Test(plugins, type_without_name)
{
	const char *d = tp_dir("d");

	tp_link(d, "tp_badtype_name", NULL);
	tp_expect_load_error(
		d, -EINVAL,
		tp_fmt("module %s/tp_badtype_name.so has a service type without a name", d));
}

Test(plugins, type_without_section)
{
	const char *d = tp_dir("d");

	tp_link(d, "tp_badtype_section", NULL);
	tp_expect_load_error(
		d, -EINVAL,
		tp_fmt("module %s/tp_badtype_section.so: service type 'flawed' has no section", d));
}

Test(plugins, type_without_options)
{
	const char *d = tp_dir("d");

	tp_link(d, "tp_badtype_options", NULL);
	tp_expect_load_error(
		d, -EINVAL,
		tp_fmt("module %s/tp_badtype_options.so: service type 'flawed' has no option table",
		       d));
}

Test(plugins, type_without_argv)
{
	const char *d = tp_dir("d");

	tp_link(d, "tp_badtype_argv", NULL);
	tp_expect_load_error(
		d, -EINVAL,
		tp_fmt("module %s/tp_badtype_argv.so: service type 'flawed' has no argv callback",
		       d));
}

Test(plugins, backend_without_name)
{
	const char *d = tp_dir("d");

	tp_link(d, "tp_noname_backend", NULL);
	tp_expect_load_error(
		d, -EINVAL,
		tp_fmt("module %s/tp_noname_backend.so has a backend without a name", d));
}

Test(plugins, duplicate_type_across_dirs)
{
	const char *d1 = tp_dir("d1"), *d2 = tp_dir("d2");
	char path[2 * PATH_MAX + 2];

	tp_link(d1, "tp_services", NULL);
	tp_link(d2, "tp_duptype", NULL);
	tp_print(path, sizeof(path), "%s:%s", d1, d2);
	tp_expect_load_error(path, -EEXIST,
			     tp_fmt("service type 'alpha' is provided by both %s/tp_services.so and %s/tp_duptype.so",
				    d1, d2));
}

Test(plugins, duplicate_backend_in_one_dir)
{
	const char *d = tp_dir("d");

	tp_link(d, "tp_backend", NULL);
	tp_link(d, "tp_dupbackend", NULL);
	/* Sorted by name: tp_backend.so comes first. */
	tp_expect_load_error(d, -EEXIST,
			     tp_fmt("backend 'testbackend' is provided by both %s/tp_backend.so and %s/tp_dupbackend.so",
				    d, d));
}

/* A directory that exists but cannot be read is an error, not silently skipped. */
Test(plugins, unreadable_dir)
{
	const char *loop = tp_path("loop");

	cr_assert_eq(symlink(loop, loop), 0);
	tp_expect_load_error(loop, -ELOOP,
			     tp_fmt("cannot read plugin directory %s: %s", loop, strerror(ELOOP)));
}

/* ------------------------------------------------------------------ */
/* Backend lookup errors                                               */

/* The search path of tp_load_two_dirs, as the message lists it. */
static const char *tp_searched(const char *d1, const char *d2)
{
	static char buf[4 * PATH_MAX];

	tp_print(buf, sizeof(buf), "%s, /nonexistent, %s/README, %s, %s/backends, %s/services", d1,
		 d1, d2, tp_path("nope"), tp_path("nope"));
	return buf;
}

Test(plugins, unknown_backend)
{
	struct gx_plugins p;
	struct gx_error err = { 0 };
	const char *d1, *d2;

	tp_load_two_dirs(&p, &d1, &d2);
	cr_assert_null(gx_plugins_backend(&p, "foo", &err));
	cr_assert_eq(err.code, -ENOENT);
	cr_assert_str_eq(err.message,
			 tp_fmt("unknown backend 'foo'; available backends: testbackend, another (searched: %s)",
				tp_searched(d1, d2)));
	gx_plugins_release(&p);
}

Test(plugins, first_party_backend_not_installed)
{
	struct gx_plugins p;
	struct gx_error err = { 0 };
	const char *d1, *d2;
	const char *names[] = { "supervisor", "systemd", "direct" };
	const char *packages[] = { "galaxyctl-backend-supervisor", "galaxyctl-backend-systemd",
				   "galaxyctl" };

	tp_load_two_dirs(&p, &d1, &d2);
	for (size_t i = 0; i < 3; i++) {
		char want[sizeof(tp_msg)];

		cr_assert_null(gx_plugins_backend(&p, names[i], &err));
		tp_print(want, sizeof(want),
			 "unknown backend '%s'; available backends: testbackend, another (searched: %s); the %s backend is not installed (install the %s package)",
			 names[i], tp_searched(d1, d2), names[i], packages[i]);
		cr_assert_str_eq(err.message, want);
		cr_assert_eq(err.code, -ENOENT);
	}
	gx_plugins_release(&p);
}

Test(plugins, no_backends_installed)
{
	struct gx_plugins p;
	struct gx_error err = { 0 };
	const char *d = tp_dir("d");

	tp_link(d, "tp_services", NULL);
	tp_init(&p, d);
	cr_assert_eq(gx_plugins_load(&p, &err), 0, "%s", err.message);
	cr_assert_null(gx_plugins_backend(&p, "direct", &err));
	cr_assert_str_eq(err.message,
			 tp_fmt("unknown backend 'direct'; no backends are installed (searched: %s, %s/backends, %s/services); the direct backend is not installed (install the galaxyctl package)",
				d, tp_path("nope"), tp_path("nope")));
	gx_plugins_release(&p);
}
