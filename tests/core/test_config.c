/* SPDX-License-Identifier: MIT */
/* Tests for core/config.c: the config search order and how files split into raw instances. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "node.h"
#include "scratch.h"

static void cfg_setup(void)
{
	scratch_setup();
	unsetenv("GRAVITY_CONFIG_FILE");
	unsetenv("GALAXY_CONFIG_FILE");
}

TestSuite(find, .init = cfg_setup, .fini = scratch_teardown);
TestSuite(load, .init = cfg_setup, .fini = scratch_teardown);

/* ---------------------------------------------------------------------- */
/* Finding */

/* Sources that search the scratch dir as cwd and the scratch "etc" dir as /etc/galaxy. */
static struct gx_config_sources cfg_sources(char *const *files, size_t n, bool root)
{
	return (struct gx_config_sources){
		.files = files,
		.n_files = n,
		.is_root = root,
		.cwd = scratch_path(""),
		.etc_dir = scratch_path("etc"),
	};
}

/* Find with src and expect exactly the paths given (NULL-terminated). */
static void cfg_expect_paths(const struct gx_config_sources *src, ...)
{
	struct gx_config cfg = { 0 };
	struct gx_error err = { 0 };
	const char *want;
	size_t i = 0;
	va_list ap;

	cr_assert_eq(gx_config_find(&cfg, src, &err), 0, "find failed: %s", err.message);
	va_start(ap, src);
	while ((want = va_arg(ap, const char *))) {
		cr_assert_lt(i, cfg.n_paths, "missing path %zu: %s", i, want);
		cr_expect_str_eq(cfg.paths[i], want, "path %zu", i);
		i++;
	}
	va_end(ap);
	cr_expect_eq(cfg.n_paths, i, "found %zu paths, expected %zu", cfg.n_paths, i);
	cr_expect_null(cfg.paths[cfg.n_paths]);
	gx_config_release(&cfg);
}

/* Find with src and expect failure with code and a message containing each fragment. */
static void cfg_expect_find_error(const struct gx_config_sources *src, int code, ...)
{
	struct gx_config cfg = { 0 };
	struct gx_error err = { 0 };
	const char *frag;
	va_list ap;

	cr_assert_eq(gx_config_find(&cfg, src, &err), code);
	cr_expect_eq(err.code, code);
	va_start(ap, code);
	while ((frag = va_arg(ap, const char *)))
		cr_expect(strstr(err.message, frag), "'%s' not in: %s", frag, err.message);
	va_end(ap);
	gx_config_release(&cfg);
}

Test(find, config_files_in_order_relative_to_cwd)
{
	const char *a = scratch_write("a.yml", "galaxy: {}\n");
	const char *b = scratch_write("sub/b.yml", "galaxy: {}\n");
	char *files[] = { "sub/b.yml", (char *)a };
	struct gx_config_sources src = cfg_sources(files, 2, false);

	scratch_write("config/galaxy.yml", "galaxy: {}\n");
	setenv("GRAVITY_CONFIG_FILE", a, 1);
	cfg_expect_paths(&src, b, a, NULL);
}

Test(find, config_file_named_twice_is_read_once)
{
	const char *a = scratch_write("a.yml", "galaxy: {}\n");
	char *files[] = { "a.yml", "./a.yml", (char *)a };
	struct gx_config_sources src = cfg_sources(files, 3, false);

	cfg_expect_paths(&src, a, NULL);
}

/* As click's resolve_path: the systemd backend hashes this path, so it must be upstream's. */
Test(find, config_file_symlinks_are_resolved)
{
	const char *real = scratch_write("real/galaxy.yml", "galaxy: {}\n");
	char *files[] = { "link/galaxy.yml" };
	struct gx_config_sources src = cfg_sources(files, 1, false);

	cr_assert_eq(symlink(scratch_path("real"), scratch_path("link")), 0);
	cfg_expect_paths(&src, real, NULL);
}

Test(find, gravity_config_file_symlinks_are_resolved)
{
	const char *real = scratch_write("real/galaxy.yml", "galaxy: {}\n");
	struct gx_config_sources src = cfg_sources(NULL, 0, false);

	cr_assert_eq(symlink(scratch_path("real"), scratch_path("link")), 0);
	setenv("GRAVITY_CONFIG_FILE", scratch_path("link/galaxy.yml"), 1);
	cfg_expect_paths(&src, real, NULL);
}

Test(find, galaxy_config_file_symlinks_are_kept)
{
	struct gx_config_sources src = cfg_sources(NULL, 0, false);

	scratch_write("real/galaxy.yml", "galaxy: {}\n");
	cr_assert_eq(symlink(scratch_path("real"), scratch_path("link")), 0);
	setenv("GALAXY_CONFIG_FILE", scratch_path("link/galaxy.yml"), 1);
	cfg_expect_paths(&src, scratch_path("link/galaxy.yml"), NULL);
}

Test(find, missing_config_file_is_an_error)
{
	char *files[] = { "nope.yml" };
	struct gx_config_sources src = cfg_sources(files, 1, false);

	scratch_write("config/galaxy.yml", "galaxy: {}\n");
	cfg_expect_find_error(&src, -ENOENT, "nope.yml", "--config-file", "does not exist", NULL);
}

Test(find, config_file_that_is_a_directory_is_an_error)
{
	char *files[] = { "adir" };
	struct gx_config_sources src = cfg_sources(files, 1, false);

	scratch_mkdir("adir");
	/* The directory is relative to the sources' cwd, not the process's. */
	cr_assert_neq(chdir("/"), -1);
	cfg_expect_find_error(&src, -ENOENT, "adir", "(it is a directory)", NULL);
}

Test(find, gravity_config_file_is_a_colon_list)
{
	const char *a = scratch_write("a.yml", "galaxy: {}\n");
	const char *b = scratch_write("b/b.yml", "galaxy: {}\n");
	struct gx_config_sources src = cfg_sources(NULL, 0, false);
	char list[2 * PATH_MAX];

	scratch_write("config/galaxy.yml", "galaxy: {}\n");
	scratch_print(list, sizeof(list), "b/b.yml::%s:", a);
	setenv("GRAVITY_CONFIG_FILE", list, 1);
	setenv("GALAXY_CONFIG_FILE", a, 1);
	cfg_expect_paths(&src, b, a, NULL);
}

Test(find, gravity_config_file_entry_missing)
{
	const char *a = scratch_write("a.yml", "galaxy: {}\n");
	struct gx_config_sources src = cfg_sources(NULL, 0, false);
	char list[2 * PATH_MAX];

	scratch_print(list, sizeof(list), "%s:gone.yml", a);
	setenv("GRAVITY_CONFIG_FILE", list, 1);
	cfg_expect_find_error(&src, -ENOENT, "gone.yml", "$GRAVITY_CONFIG_FILE", NULL);
}

Test(find, empty_gravity_config_file_is_unset)
{
	const char *c = scratch_write("config/galaxy.yml", "galaxy: {}\n");
	struct gx_config_sources src = cfg_sources(NULL, 0, false);

	setenv("GRAVITY_CONFIG_FILE", "", 1);
	cfg_expect_paths(&src, c, NULL);
}

Test(find, galaxy_config_file_is_one_path_not_a_list)
{
	const char *odd = scratch_write("x:y/galaxy.yml", "galaxy: {}\n");
	struct gx_config_sources src = cfg_sources(NULL, 0, false);

	scratch_write("config/galaxy.yml", "galaxy: {}\n");
	setenv("GALAXY_CONFIG_FILE", odd, 1);
	cfg_expect_paths(&src, odd, NULL);
}

Test(find, galaxy_config_file_missing)
{
	struct gx_config_sources src = cfg_sources(NULL, 0, false);

	scratch_write("config/galaxy.yml", "galaxy: {}\n");
	setenv("GALAXY_CONFIG_FILE", "missing/galaxy.yml", 1);
	cfg_expect_find_error(&src, -ENOENT, "missing/galaxy.yml", "$GALAXY_CONFIG_FILE", NULL);
}

Test(find, cwd_config_galaxy_yml_first)
{
	const char *c = scratch_write("config/galaxy.yml", "galaxy: {}\n");
	struct gx_config_sources src = cfg_sources(NULL, 0, false);

	scratch_write("galaxy.yml", "galaxy: {}\n");
	scratch_write("config/galaxy.yml.sample", "galaxy: {}\n");
	cfg_expect_paths(&src, c, NULL);
}

Test(find, cwd_galaxy_yml_second)
{
	const char *g = scratch_write("galaxy.yml", "galaxy: {}\n");
	struct gx_config_sources src = cfg_sources(NULL, 0, false);

	scratch_write("config/galaxy.yml.sample", "galaxy: {}\n");
	cfg_expect_paths(&src, g, NULL);
}

Test(find, cwd_sample_last)
{
	const char *s = scratch_write("config/galaxy.yml.sample", "galaxy: {}\n");
	struct gx_config_sources src = cfg_sources(NULL, 0, false);

	scratch_mkdir("galaxy.yml"); /* a directory is not a config file */
	cfg_expect_paths(&src, s, NULL);
}

Test(find, cwd_defaults_to_the_process_cwd)
{
	const char *g = scratch_write("galaxy.yml", "galaxy: {}\n");
	struct gx_config_sources src = { 0 };

	cr_assert_eq(chdir(scratch_path("")), 0);
	cfg_expect_paths(&src, g, NULL);
}

Test(find, nothing_found)
{
	struct gx_config_sources src = cfg_sources(NULL, 0, false);

	scratch_write("etc/galaxy.yml", "galaxy: {}\n"); /* not read unless root */
	cfg_expect_find_error(&src, -ENOENT, "no config file found", "--config-file",
			      "$GRAVITY_CONFIG_FILE", "config/galaxy.yml, galaxy.yml, "
			      "config/galaxy.yml.sample", NULL);
}

Test(find, nothing_found_as_root_mentions_etc)
{
	struct gx_config_sources src = cfg_sources(NULL, 0, true);

	scratch_mkdir("etc/gravity.d");
	cfg_expect_find_error(&src, -ENOENT, "no config file found", "and /etc/galaxy", NULL);
}

/* The etc dir as root: gravity.yml, galaxy.yml, gravity.d/ *.yml then *.yaml, each sorted. */
static void cfg_write_etc(void)
{
	scratch_write("etc/gravity.yml", "gravity: {}\n");
	scratch_write("etc/galaxy.yml", "galaxy: {}\n");
	scratch_write("etc/gravity.d/c.yml", "gravity: {}\n");
	scratch_write("etc/gravity.d/a.yaml", "gravity: {}\n");
	scratch_write("etc/gravity.d/b.yml", "gravity: {}\n");
	scratch_write("etc/gravity.d/notes.txt", "not a config\n");
	scratch_write("etc/gravity.d/d.yml.orig", "gravity: {}\n");
}

Test(find, root_reads_every_etc_file)
{
	struct gx_config_sources src = cfg_sources(NULL, 0, true);

	cfg_write_etc();
	cfg_expect_paths(&src, scratch_path("etc/gravity.yml"), scratch_path("etc/galaxy.yml"),
			 scratch_path("etc/gravity.d/b.yml"), scratch_path("etc/gravity.d/c.yml"),
			 scratch_path("etc/gravity.d/a.yaml"), NULL);
}

/* As upstream: root reads /etc/galaxy instead of the working directory's config. */
Test(find, root_reads_etc_instead_of_cwd)
{
	struct gx_config_sources src = cfg_sources(NULL, 0, true);

	scratch_write("config/galaxy.yml", "galaxy: {}\n");
	scratch_write("etc/gravity.d/only.yaml", "gravity: {}\n");
	cfg_expect_paths(&src, scratch_path("etc/gravity.d/only.yaml"), NULL);
}

/* Not upstream's (which finds nothing): root with an empty /etc/galaxy uses the cwd's config. */
Test(find, root_without_etc_configs_reads_cwd)
{
	const char *c = scratch_write("config/galaxy.yml", "galaxy: {}\n");
	struct gx_config_sources src = cfg_sources(NULL, 0, true);

	cfg_expect_paths(&src, c, NULL);
}

/* As upstream: $GALAXY_CONFIG_FILE alone, /etc/galaxy unread. */
Test(find, root_with_galaxy_config_file_skips_etc)
{
	const char *g = scratch_write("g.yml", "galaxy: {}\n");
	struct gx_config_sources src = cfg_sources(NULL, 0, true);

	scratch_write("etc/galaxy.yml", "galaxy: {}\n");
	setenv("GALAXY_CONFIG_FILE", g, 1);
	cfg_expect_paths(&src, g, NULL);
}

Test(find, root_with_config_file_skips_etc)
{
	const char *a = scratch_write("a.yml", "galaxy: {}\n");
	char *files[] = { (char *)a };
	struct gx_config_sources src = cfg_sources(files, 1, true);

	cfg_write_etc();
	cfg_expect_paths(&src, a, NULL);
}

Test(find, root_with_gravity_config_file_skips_etc)
{
	const char *a = scratch_write("a.yml", "galaxy: {}\n");
	struct gx_config_sources src = cfg_sources(NULL, 0, true);

	cfg_write_etc();
	setenv("GRAVITY_CONFIG_FILE", a, 1);
	cfg_expect_paths(&src, a, NULL);
}

Test(find, non_root_ignores_etc)
{
	const char *c = scratch_write("config/galaxy.yml", "galaxy: {}\n");
	struct gx_config_sources src = cfg_sources(NULL, 0, false);

	cfg_write_etc();
	cfg_expect_paths(&src, c, NULL);
}

Test(find, galaxy_config_file_in_etc_is_the_only_one)
{
	struct gx_config_sources src = cfg_sources(NULL, 0, true);
	const char *g;

	cfg_write_etc();
	g = scratch_path("etc/gravity.d/b.yml");
	setenv("GALAXY_CONFIG_FILE", g, 1);
	cfg_expect_paths(&src, g, NULL);
}

/* ---------------------------------------------------------------------- */
/* Loading */

struct loaded {
	struct gx_config cfg;
	struct gx_diag diag;
	int r;
};

/* Find and load the given files (NULL-terminated scratch-relative names). */
static void cfg_load(struct loaded *l, ...)
{
	char *files[8];
	size_t n = 0;
	struct gx_config_sources src;
	struct gx_error err = { 0 };
	const char *f;
	va_list ap;

	memset(l, 0, sizeof(*l));
	va_start(ap, l);
	while ((f = va_arg(ap, const char *)) && n < 8)
		files[n++] = (char *)f;
	va_end(ap);
	src = cfg_sources(files, n, false);
	cr_assert_eq(gx_config_find(&l->cfg, &src, &err), 0, "find: %s", err.message);
	l->r = gx_config_load(&l->cfg, &l->diag);
}

static void cfg_loaded_release(struct loaded *l)
{
	gx_config_release(&l->cfg);
	gx_diag_release(&l->diag);
}

/* Expect message i of diag to be level with text, at file:line:col (file NULL: no location; line 0: any). */
static void cfg_expect_msg(const struct gx_diag *d, size_t i, enum gx_log_level level,
			   const char *file, unsigned line, unsigned column, const char *text)
{
	const struct gx_diag_msg *m;

	cr_assert_lt(i, d->n, "no message %zu (have %zu)", i, d->n);
	m = &d->msgs[i];
	cr_expect_eq(m->level, level, "message %zu level %d: %s", i, m->level, m->text);
	cr_expect_str_eq(m->text, text);
	if (!file) {
		cr_expect_null(m->file, "message %zu has a location: %s", i, m->file);
		return;
	}
	cr_assert_not_null(m->file, "message %zu has no location", i);
	cr_expect_str_eq(m->file, file);
	if (line) {
		cr_expect_eq(m->line, line, "line %u, expected %u", m->line, line);
		cr_expect_eq(m->column, column, "column %u, expected %u", m->column, column);
	}
}

static char *cfg_text(const char *fmt, const char *path)
{
	char *s = NULL;

	cr_assert(asprintf(&s, fmt, path) >= 0);
	return s;
}

Test(load, gravity_and_galaxy_in_one_file)
{
	const char *p = scratch_write("galaxy.yml", "gravity:\n"
						    "  instance_name: one\n"
						    "  galaxy_config_file: elsewhere.yml\n"
						    "galaxy:\n"
						    "  brand: x\n");
	struct loaded l;

	cfg_load(&l, "galaxy.yml", NULL);
	cr_assert_eq(l.r, 0);
	cr_expect_eq(l.diag.n, 0, "unexpected message: %s", l.diag.n ? l.diag.msgs[0].text : "");
	cr_assert_eq(l.cfg.n_raw, 1);
	cr_expect_str_eq(l.cfg.raw[0].config_file, p);
	/* With a galaxy section in the file, galaxy_config_file is ignored, as upstream does. */
	cr_expect_str_eq(l.cfg.raw[0].galaxy_config_file, p);
	cr_assert_not_null(l.cfg.raw[0].gravity);
	cr_expect_str_eq(gx_node_get(l.cfg.raw[0].gravity, "instance_name")->scalar, "one");
	cr_assert_not_null(l.cfg.raw[0].galaxy);
	cr_expect_str_eq(gx_node_get(l.cfg.raw[0].galaxy, "brand")->scalar, "x");
	cr_expect_eq(l.cfg.raw[0].at, l.cfg.raw[0].gravity);
	cr_expect_eq(l.cfg.n_docs, 1);
	cfg_loaded_release(&l);
}

Test(load, gravity_only_with_relative_galaxy_config_file)
{
	const char *g, *gal;
	struct loaded l;

	g = scratch_write("etc/gravity.yml", "gravity:\n"
					     "  galaxy_config_file: ../srv/galaxy.yml\n");
	gal = scratch_write("srv/galaxy.yml", "galaxy:\n  data_dir: /data\n");
	/* A same-named file beside the cwd must not be picked. */
	scratch_write("galaxy.yml", "galaxy:\n  data_dir: /wrong\n");
	cr_assert_eq(chdir(scratch_path("")), 0);
	cfg_load(&l, "etc/gravity.yml", NULL);
	cr_assert_eq(l.r, 0);
	cr_expect_eq(l.diag.n, 0, "unexpected message: %s", l.diag.n ? l.diag.msgs[0].text : "");
	cr_assert_eq(l.cfg.n_raw, 1);
	cr_expect_str_eq(l.cfg.raw[0].config_file, g);
	cr_expect_str_eq(l.cfg.raw[0].galaxy_config_file, gal);
	cr_assert_not_null(l.cfg.raw[0].galaxy);
	cr_expect_str_eq(gx_node_get(l.cfg.raw[0].galaxy, "data_dir")->scalar, "/data");
	cr_expect_str_eq(l.cfg.raw[0].galaxy->mark.file, gal);
	cr_expect_eq(l.cfg.n_docs, 2);
	cfg_loaded_release(&l);
}

Test(load, gravity_only_with_null_galaxy_section_elsewhere)
{
	struct loaded l;

	scratch_write("gravity.yml", "gravity:\n  galaxy_config_file: galaxy.yml\n");
	scratch_write("galaxy.yml", "galaxy:\n");
	cfg_load(&l, "gravity.yml", NULL);
	cr_assert_eq(l.r, 0);
	cr_expect_eq(l.diag.n, 0);
	cr_assert_eq(l.cfg.n_raw, 1);
	cr_expect_null(l.cfg.raw[0].galaxy);
	cr_expect_str_eq(l.cfg.raw[0].galaxy_config_file, scratch_path("galaxy.yml"));
	cfg_loaded_release(&l);
}

Test(load, gravity_only_warns)
{
	const char *p = scratch_write("gravity.yml", "gravity:\n  instance_name: g\n");
	struct loaded l;
	char *want = cfg_text("Config file appears to be a Gravity config but contains no galaxy "
			      "section, Galaxy defaults will be used: %s", p);

	cfg_load(&l, "gravity.yml", NULL);
	cr_assert_eq(l.r, 0);
	cr_assert_eq(l.diag.n, 1);
	cr_expect_eq(l.diag.n_errors, 0);
	cfg_expect_msg(&l.diag, 0, GX_LOG_WARNING, p, 0, 0, want);
	cr_assert_eq(l.cfg.n_raw, 1);
	cr_expect_null(l.cfg.raw[0].galaxy);
	cr_expect_str_eq(l.cfg.raw[0].galaxy_config_file, p);
	free(want);
	cfg_loaded_release(&l);
}

Test(load, galaxy_only_warns)
{
	const char *p = scratch_write("galaxy.yml", "galaxy:\n  brand: b\n");
	struct loaded l;
	char *want = cfg_text("Config file appears to be a Galaxy config but contains no gravity "
			      "section, Gravity defaults will be used: %s", p);

	cfg_load(&l, "galaxy.yml", NULL);
	cr_assert_eq(l.r, 0);
	cr_assert_eq(l.diag.n, 1);
	cfg_expect_msg(&l.diag, 0, GX_LOG_WARNING, p, 0, 0, want);
	cr_assert_eq(l.cfg.n_raw, 1);
	cr_expect_null(l.cfg.raw[0].gravity);
	cr_assert_not_null(l.cfg.raw[0].galaxy);
	cr_expect_str_eq(l.cfg.raw[0].galaxy_config_file, p);
	cr_assert_not_null(l.cfg.raw[0].at);
	cr_expect_eq(l.cfg.raw[0].at, l.cfg.n_docs ? l.cfg.docs[0]->root : NULL);
	free(want);
	cfg_loaded_release(&l);
}

Test(load, null_gravity_with_galaxy_is_quiet)
{
	struct loaded l;

	scratch_write("galaxy.yml", "gravity:\ngalaxy:\n  brand: b\n");
	cfg_load(&l, "galaxy.yml", NULL);
	cr_assert_eq(l.r, 0);
	cr_expect_eq(l.diag.n, 0, "unexpected message: %s", l.diag.n ? l.diag.msgs[0].text : "");
	cr_assert_eq(l.cfg.n_raw, 1);
	cr_expect_null(l.cfg.raw[0].gravity);
	cr_expect_not_null(l.cfg.raw[0].galaxy);
	cfg_loaded_release(&l);
}

static void cfg_expect_not_a_config(const char *text)
{
	const char *p = scratch_write("other.yml", text);
	char *want = cfg_text("Config file does not look like valid Galaxy or Gravity "
			      "configuration file: %s", p);
	struct loaded l;

	cfg_load(&l, "other.yml", NULL);
	cr_expect_eq(l.r, -EINVAL);
	cr_assert_eq(l.diag.n, 1);
	cr_expect_eq(l.diag.n_errors, 1);
	cfg_expect_msg(&l.diag, 0, GX_LOG_ERROR, p, 0, 0, want);
	cr_expect_eq(l.cfg.n_raw, 0);
	free(want);
	cfg_loaded_release(&l);
}

Test(load, neither_section_is_an_error)
{
	cfg_expect_not_a_config("uwsgi:\n  http: :8080\n");
}

Test(load, empty_file_is_an_error)
{
	cfg_expect_not_a_config("");
}

Test(load, list_document_is_an_error)
{
	cfg_expect_not_a_config("- gravity: {}\n");
}

Test(load, scalar_document_is_an_error)
{
	cfg_expect_not_a_config("just text\n");
}

Test(load, gravity_scalar_is_an_error)
{
	const char *p = scratch_write("galaxy.yml", "galaxy: {}\ngravity: 12\n");
	struct loaded l;

	cfg_load(&l, "galaxy.yml", NULL);
	cr_expect_eq(l.r, -EINVAL);
	cr_assert_eq(l.diag.n, 1);
	cfg_expect_msg(&l.diag, 0, GX_LOG_ERROR, p, 2, 10,
		       "gravity: expected a mapping or a list of mappings, got a scalar");
	cr_expect_eq(l.cfg.n_raw, 0);
	cfg_loaded_release(&l);
}

Test(load, galaxy_list_is_an_error)
{
	const char *p = scratch_write("galaxy.yml", "gravity: {}\ngalaxy:\n  - a\n");
	struct loaded l;

	cfg_load(&l, "galaxy.yml", NULL);
	cr_expect_eq(l.r, -EINVAL);
	cr_assert_eq(l.diag.n, 1);
	cfg_expect_msg(&l.diag, 0, GX_LOG_ERROR, p, 3, 3,
		       "galaxy: expected a mapping, got a sequence");
	cfg_loaded_release(&l);
}

Test(load, gravity_list)
{
	const char *g;
	struct loaded l;

	scratch_write("a/galaxy.yml", "galaxy:\n  brand: A\n");
	/* An absolute galaxy_config_file is taken as is. */
	scratch_write("b.yml", "galaxy:\n  brand: B\n");
	g = scratch_writef("gravity.yml", "gravity:\n"
				      "  - instance_name: a\n"
				      "    galaxy_config_file: a/galaxy.yml\n"
				      "  - instance_name: b\n"
				      "    galaxy_config_file: %s\n", scratch_path("b.yml"));
	cfg_load(&l, "gravity.yml", NULL);
	cr_assert_eq(l.r, 0);
	cr_expect_eq(l.diag.n, 0, "unexpected message: %s", l.diag.n ? l.diag.msgs[0].text : "");
	cr_assert_eq(l.cfg.n_raw, 2);
	for (size_t i = 0; i < 2; i++) {
		const struct gx_raw_instance *raw = &l.cfg.raw[i];

		cr_expect_str_eq(raw->config_file, g);
		cr_assert_not_null(raw->gravity);
		cr_expect_str_eq(gx_node_get(raw->gravity, "instance_name")->scalar,
				 i ? "b" : "a");
		cr_assert_not_null(raw->galaxy);
		cr_expect_str_eq(gx_node_get(raw->galaxy, "brand")->scalar, i ? "B" : "A");
		cr_expect_eq(raw->at, raw->gravity);
		cr_expect_eq(raw->at->mark.line, i ? 4 : 2);
	}
	cr_expect_str_eq(l.cfg.raw[0].galaxy_config_file, scratch_path("a/galaxy.yml"));
	cr_expect_str_eq(l.cfg.raw[1].galaxy_config_file, scratch_path("b.yml"));
	cfg_loaded_release(&l);
}

Test(load, gravity_list_sharing_a_galaxy_file_reads_it_once)
{
	struct loaded l;

	scratch_write("gravity.yml", "gravity:\n"
				     "  - instance_name: a\n"
				     "    galaxy_config_file: galaxy.yml\n"
				     "  - instance_name: b\n"
				     "    galaxy_config_file: ./galaxy.yml\n");
	scratch_write("galaxy.yml", "galaxy: {}\n");
	cfg_load(&l, "gravity.yml", NULL);
	cr_assert_eq(l.r, 0);
	cr_assert_eq(l.cfg.n_raw, 2);
	cr_expect_eq(l.cfg.n_docs, 2);
	cr_expect_eq(l.cfg.raw[0].galaxy, l.cfg.raw[1].galaxy);
	cfg_loaded_release(&l);
}

Test(load, gravity_list_with_galaxy_section_is_an_error)
{
	const char *p = scratch_write("galaxy.yml", "galaxy:\n"
						    "  brand: x\n"
						    "gravity:\n"
						    "  - galaxy_config_file: galaxy.yml\n");
	char *want = cfg_text("Multiple Gravity configurations in a shared Galaxy configuration "
			      "file is ambiguous, set `galaxy_config_file` and remove the Galaxy "
			      "configuration: %s", p);
	struct loaded l;

	cfg_load(&l, "galaxy.yml", NULL);
	cr_expect_eq(l.r, -EINVAL);
	cr_assert_eq(l.diag.n, 1);
	cfg_expect_msg(&l.diag, 0, GX_LOG_ERROR, p, 4, 3, want);
	cr_expect_eq(l.cfg.n_raw, 0);
	free(want);
	cfg_loaded_release(&l);
}

Test(load, gravity_list_item_without_galaxy_config_file)
{
	const char *p = scratch_write("gravity.yml", "gravity:\n"
						     "  - instance_name: a\n"
						     "    galaxy_config_file: galaxy.yml\n"
						     "  - instance_name: b\n"
						     "    galaxy_config_file:\n");
	char *want = cfg_text("The `galaxy_config_file` option must be set when multiple Gravity "
			      "configurations are present: %s", p);
	struct loaded l;

	scratch_write("galaxy.yml", "galaxy: {}\n");
	cfg_load(&l, "gravity.yml", NULL);
	cr_expect_eq(l.r, -EINVAL);
	cr_assert_eq(l.diag.n, 1);
	cfg_expect_msg(&l.diag, 0, GX_LOG_ERROR, p, 4, 5, want);
	free(want);
	cfg_loaded_release(&l);
}

Test(load, gravity_list_item_not_a_mapping)
{
	const char *p = scratch_write("gravity.yml", "gravity:\n  - just-a-name\n");
	struct loaded l;

	cfg_load(&l, "gravity.yml", NULL);
	cr_expect_eq(l.r, -EINVAL);
	cr_assert_eq(l.diag.n, 1);
	cfg_expect_msg(&l.diag, 0, GX_LOG_ERROR, p, 2, 5,
		       "gravity[0]: expected a mapping, got a scalar");
	cfg_loaded_release(&l);
}

Test(load, galaxy_config_file_without_galaxy_section)
{
	const char *g = scratch_write("gravity.yml", "gravity:\n"
						     "  galaxy_config_file: other.yml\n");
	const char *o = scratch_write("other.yml", "uwsgi: {}\n");
	char *want = cfg_text("Galaxy config file does not contain a galaxy section: %s", o);
	struct loaded l;

	cfg_load(&l, "gravity.yml", NULL);
	cr_expect_eq(l.r, -EINVAL);
	cr_assert_eq(l.diag.n, 1);
	cfg_expect_msg(&l.diag, 0, GX_LOG_ERROR, g, 2, 23, want);
	free(want);
	cfg_loaded_release(&l);
}

Test(load, galaxy_config_file_missing)
{
	struct loaded l;

	scratch_write("gravity.yml", "gravity:\n  galaxy_config_file: gone.yml\n");
	cfg_load(&l, "gravity.yml", NULL);
	cr_expect_eq(l.r, -EINVAL);
	cr_assert_geq(l.diag.n, 1);
	cr_expect_eq(l.diag.msgs[0].level, GX_LOG_ERROR);
	cr_expect(strstr(l.diag.msgs[0].text, scratch_path("gone.yml")) ||
		  (l.diag.msgs[0].file && strcmp(l.diag.msgs[0].file, scratch_path("gone.yml")) == 0),
		  "the missing file is not named: %s", l.diag.msgs[0].text);
	cfg_loaded_release(&l);
}

Test(load, galaxy_config_file_not_a_string)
{
	const char *g = scratch_write("gravity.yml", "gravity:\n"
						     "  galaxy_config_file: [a, b]\n");
	struct loaded l;

	cfg_load(&l, "gravity.yml", NULL);
	cr_expect_eq(l.r, -EINVAL);
	cr_assert_eq(l.diag.n, 1);
	cfg_expect_msg(&l.diag, 0, GX_LOG_ERROR, g, 2, 23,
		       "gravity.galaxy_config_file: expected a path, got a sequence");
	cfg_loaded_release(&l);
}

Test(load, syntax_error_has_a_location)
{
	const char *p = scratch_write("bad.yml", "gravity:\n  a: [1, 2\nb: c\n");
	struct loaded l;

	cfg_load(&l, "bad.yml", NULL);
	cr_expect_eq(l.r, -EINVAL);
	cr_assert_eq(l.diag.n, 1);
	cr_expect_eq(l.diag.msgs[0].level, GX_LOG_ERROR);
	cr_assert_not_null(l.diag.msgs[0].file);
	cr_expect_str_eq(l.diag.msgs[0].file, p);
	cr_expect_gt(l.diag.msgs[0].line, 1);
	cr_expect_gt(l.diag.msgs[0].column, 0);
	cr_expect_eq(l.cfg.n_raw, 0);
	cfg_loaded_release(&l);
}

Test(load, every_file_is_loaded_and_errors_accumulate)
{
	struct loaded l;

	scratch_write("one.yml", "gravity:\n  instance_name: one\ngalaxy: {}\n");
	scratch_write("bad.yml", "other: {}\n");
	scratch_write("two.yml", "gravity:\n  instance_name: two\ngalaxy: {}\n");
	cfg_load(&l, "one.yml", "bad.yml", "two.yml", NULL);
	cr_expect_eq(l.r, -EINVAL);
	cr_expect_eq(l.diag.n_errors, 1);
	cr_assert_eq(l.cfg.n_raw, 2);
	cr_expect_str_eq(l.cfg.raw[0].config_file, scratch_path("one.yml"));
	cr_expect_str_eq(l.cfg.raw[1].config_file, scratch_path("two.yml"));
	cfg_loaded_release(&l);
}

Test(load, release_twice_is_harmless)
{
	struct loaded l;

	scratch_write("galaxy.yml", "gravity: {}\ngalaxy: {}\n");
	cfg_load(&l, "galaxy.yml", NULL);
	cr_assert_eq(l.r, 0);
	gx_config_release(&l.cfg);
	cr_expect_eq(l.cfg.n_paths, 0);
	cr_expect_null(l.cfg.raw);
	cfg_loaded_release(&l);
}
