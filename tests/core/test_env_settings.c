/* SPDX-License-Identifier: MIT */
/* Tests of core/env_settings.c: GRAVITY_* variables fill what the YAML leaves out. */
#include <criterion/criterion.h>
#include <string.h>

#include "core_options.h"
#include "env_settings.h"
#include "node.h"
#include "strv.h"
#include "yaml_load.h"

static const char *const sections[] = { "gunicorn", "celery", "handlers", NULL };

static struct gx_yaml_doc *doc;
static struct gx_strv names;
static struct gx_node *out;

static void teardown(void)
{
	gx_node_free(out);
	gx_strv_release(&names);
	gx_yaml_doc_free(doc);
	out = NULL;
	doc = NULL;
}

TestSuite(env_settings, .fini = teardown);

/* The overlay of the gravity section of yaml under the NULL-terminated variables. */
static int overlay(const char *yaml, char *const *envp)
{
	const struct gx_node *gravity = NULL;
	struct gx_error err = { 0 };

	if (yaml) {
		cr_assert_eq(gx_yaml_load_string("t.yml", yaml, strlen(yaml), &doc, &err), 0, "%s",
			     err.message);
		gravity = gx_node_get(doc->root, "gravity");
	}
	return gx_env_settings_overlay(gravity, gx_core_options, sections, envp, &names, &out);
}

Test(env_settings, fills_an_absent_option_marked_with_the_variable)
{
	char *envp[] = { "PATH=/bin", "GRAVITY_LOG_DIR=/var/log/galaxy", NULL };
	const struct gx_node *v;

	cr_assert_eq(overlay("gravity:\n  virtualenv: /venv\n", envp), 0);
	cr_assert_not_null(out);
	cr_assert_str_eq(gx_node_get_str(out, "virtualenv"), "/venv");
	v = gx_node_get(out, "log_dir");
	cr_assert_not_null(v);
	cr_assert_str_eq(v->scalar, "/var/log/galaxy");
	cr_assert(v->plain, "a plain scalar, so that numbers and booleans resolve");
	cr_assert_str_eq(v->mark.file, "$GRAVITY_LOG_DIR");
}

Test(env_settings, the_yaml_wins)
{
	char *envp[] = { "GRAVITY_PROCESS_MANAGER=systemd", NULL };

	cr_assert_eq(overlay("gravity:\n  process_manager: supervisor\n", envp), 0);
	cr_assert_null(out, "nothing applied, so no copy");
}

Test(env_settings, names_are_case_insensitive)
{
	char *envp[] = { "gravity_Instance_Name=main", NULL };

	cr_assert_eq(overlay("gravity: {}\n", envp), 0);
	cr_assert_str_eq(gx_node_get_str(out, "instance_name"), "main");
	cr_assert_str_eq(gx_node_get(out, "instance_name")->mark.file, "$gravity_Instance_Name");
}

Test(env_settings, section_keys)
{
	char *envp[] = { "GRAVITY_GUNICORN.WORKERS=3", "GRAVITY_GUNICORN.BIND=:1", "GRAVITY_CELERY.POOL=solo",
			 NULL };
	const struct gx_node *g, *c;

	cr_assert_eq(overlay("gravity:\n  gunicorn:\n    bind: localhost:8080\n", envp), 0);
	g = gx_node_get(out, "gunicorn");
	cr_assert_str_eq(gx_node_get_str(g, "workers"), "3");
	cr_assert_str_eq(gx_node_get_str(g, "bind"), "localhost:8080", "the YAML wins");
	c = gx_node_get(out, "celery");
	cr_assert_not_null(c, "an absent section is created");
	cr_assert_eq(c->kind, GX_NODE_MAPPING);
	cr_assert_str_eq(gx_node_get_str(c, "pool"), "solo");
}

Test(env_settings, a_null_section_is_filled)
{
	char *envp[] = { "GRAVITY_CELERY.CONCURRENCY=4", NULL };

	cr_assert_eq(overlay("gravity:\n  celery:\n", envp), 0);
	cr_assert_str_eq(gx_node_get_str(gx_node_get(out, "celery"), "concurrency"), "4");
}

Test(env_settings, a_list_section_is_left_alone)
{
	char *envp[] = { "GRAVITY_GUNICORN.WORKERS=3", NULL };

	cr_assert_eq(overlay("gravity:\n  gunicorn:\n    - bind: :1\n", envp), 0);
	cr_assert_null(out);
}

Test(env_settings, what_is_not_a_setting_is_ignored)
{
	char *envp[] = { "GRAVITY_CONFIG_FILE=/etc/g.yml", "GRAVITY_STATE_DIR=/s",
			 "GRAVITY_PLUGIN_PATH=/p", "GRAVITY_SKIP_SYSTEMD=1",
			 "GRAVITY_GALAXY_CONFIG_FILE=/g.yml", "GRAVITY_GUNICORN=x",
			 "GRAVITY_NOSUCH.KEY=1", "GRAVITY_GUNICORN.=1", "GRAVITY_GUNICORN.A.B=1",
			 "GRAVITY_=1", "GRAVITYLOG_DIR=/x", "LOG_DIR=/x", NULL };

	cr_assert_eq(overlay("gravity:\n  virtualenv: /venv\n", envp), 0);
	cr_assert_null(out);
}

Test(env_settings, no_gravity_section)
{
	char *envp[] = { "GRAVITY_VIRTUALENV=/venv", NULL };

	cr_assert_eq(overlay(NULL, envp), 0);
	cr_assert_not_null(out);
	cr_assert_eq(out->kind, GX_NODE_MAPPING);
	cr_assert_str_eq(gx_node_get_str(out, "virtualenv"), "/venv");
}

Test(env_settings, no_environment)
{
	cr_assert_eq(overlay("gravity: {}\n", NULL), 0);
	cr_assert_null(out);
}
