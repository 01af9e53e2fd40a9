/* SPDX-License-Identifier: MIT */
/* Test harness: a stand-in Galaxy root, a config, and the real core and modules from the build tree. */
#ifndef GX_TEST_HARNESS_H
#define GX_TEST_HARNESS_H

#include "config.h"
#include "diag.h"
#include "instance.h"
#include "plugins.h"

struct gx_test {
	char *root;   /* a fresh stand-in Galaxy root (tests/fixtures/galaxy-standin) */
	char *config; /* root/config/galaxy.yml */
	const struct gx_host *host;
	struct gx_plugins plugins;
	struct gx_config cfg;
	struct gx_instances insts;
	struct gx_diag diag;
};

/*
 * Create the stand-in root, write yaml (every "@ROOT@" replaced by the
 * root's path) to root/config/galaxy.yml and load it through the real
 * config, settings and instance code with the modules of the build tree.
 * Returns 0, or the negative errno of the failing step (diag says why).
 * Release with gx_test_release() in every case.
 */
int gx_test_load(struct gx_test *t, const char *yaml);
/* Write an extra file under the root (path relative to it), "@ROOT@" replaced. */
void gx_test_write(struct gx_test *t, const char *relpath, const char *content);
/* Load only: like gx_test_load for a root prepared with gx_test_prepare + gx_test_write. */
void gx_test_prepare(struct gx_test *t);
int gx_test_load_prepared(struct gx_test *t, const char *yaml);
/* The service called name in the instance (NULL: the only one), or NULL. */
const struct gx_service *gx_test_service(struct gx_test *t, const char *instance, const char *name);
/* The process's argv joined with single spaces (heap; caller frees). NULL on error. */
char *gx_test_argv(struct gx_test *t, const struct gx_service *svc, unsigned process);
/* The value of NAME in the process's environment (heap; caller frees), or NULL. */
char *gx_test_env(struct gx_test *t, const struct gx_service *svc, unsigned process,
		  const char *name);
/* Every diagnostic, one per line (heap; caller frees). */
char *gx_test_diag_text(const struct gx_test *t);
/*
 * text with every token replaced by value (heap; caller frees).  Tests build
 * expected strings this way rather than with positional printf formats, which
 * _FORTIFY_SOURCE rejects when an argument goes unused.
 */
char *gx_test_subst(const char *text, const char *token, const char *value);
/* Free everything and remove the root. */
void gx_test_release(struct gx_test *t);

#endif
