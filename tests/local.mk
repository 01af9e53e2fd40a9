# SPDX-License-Identifier: MIT
# Unit tests (Criterion, one file per source file) and integration tests.

AM_TESTS_ENVIRONMENT = \
	GX_TOP_SRCDIR='$(abs_top_srcdir)'; export GX_TOP_SRCDIR; \
	GX_TOP_BUILDDIR='$(abs_top_builddir)'; export GX_TOP_BUILDDIR; \
	GRAVITY_PLUGIN_PATH=; export GRAVITY_PLUGIN_PATH;

if HAVE_CRITERION
GX_UNIT_FLAGS = $(AM_CPPFLAGS) $(CRITERION_CFLAGS) -DGX_TEST_SRCDIR='"$(abs_top_srcdir)/tests"' \
	-DGX_TEST_BUILDDIR='"$(abs_top_builddir)/tests"'
GX_UNIT_LIBS = libgxcore.la $(CRITERION_LIBS)
unit_tests =

# tests/core: one program per core source file.
# (add: unit_tests += tests/core/test_X, tests_core_test_X_SOURCES, _CPPFLAGS, _LDADD)

# --- core/plugins.c: test_plugins and the test modules it loads (tests/plugins/) ---
# Real libtool modules (tests/plugins/.libs/*.so), built by `make check` before the tests run,
# each against include/ alone as the real modules are.
# Several are one source built with a flaw chosen by -D.
GX_TEST_MODULE_FLAGS = $(GX_MODULE_FLAGS) -rpath /nowhere
check_LTLIBRARIES += tests/plugins/tp_services.la tests/plugins/tp_duptype.la \
	tests/plugins/tp_backend.la tests/plugins/tp_backend2.la \
	tests/plugins/tp_dupbackend.la tests/plugins/tp_noname_backend.la \
	tests/plugins/tp_abinext.la tests/plugins/tp_abinewer.la tests/plugins/tp_small.la tests/plugins/tp_empty.la \
	tests/plugins/tp_badtype_name.la tests/plugins/tp_badtype_section.la \
	tests/plugins/tp_badtype_options.la tests/plugins/tp_badtype_argv.la \
	tests/plugins/tp_nosym.la tests/plugins/tp_abi10_service.la tests/plugins/tp_abi10_backend.la
# alpha and beta; tp_duptype is the same code under another file name.
tests_plugins_tp_services_la_SOURCES = tests/plugins/tp_services.c
tests_plugins_tp_services_la_CPPFLAGS = $(GX_MODULE_INCLUDES)
tests_plugins_tp_services_la_LDFLAGS = $(GX_TEST_MODULE_FLAGS)
tests_plugins_tp_duptype_la_SOURCES = tests/plugins/tp_services.c
tests_plugins_tp_duptype_la_CPPFLAGS = $(GX_MODULE_INCLUDES)
tests_plugins_tp_duptype_la_LDFLAGS = $(GX_TEST_MODULE_FLAGS)
# Backends: testbackend, another, testbackend again, and one without a name.
tests_plugins_tp_backend_la_SOURCES = tests/plugins/tp_backend.c
tests_plugins_tp_backend_la_CPPFLAGS = $(GX_MODULE_INCLUDES) -DTP_BACKEND_NAME='"testbackend"'
tests_plugins_tp_backend_la_LDFLAGS = $(GX_TEST_MODULE_FLAGS)
tests_plugins_tp_backend2_la_SOURCES = tests/plugins/tp_backend.c
tests_plugins_tp_backend2_la_CPPFLAGS = $(GX_MODULE_INCLUDES) -DTP_BACKEND_NAME='"another"'
tests_plugins_tp_backend2_la_LDFLAGS = $(GX_TEST_MODULE_FLAGS)
tests_plugins_tp_dupbackend_la_SOURCES = tests/plugins/tp_backend.c
tests_plugins_tp_dupbackend_la_CPPFLAGS = $(GX_MODULE_INCLUDES) -DTP_BACKEND_NAME='"testbackend"'
tests_plugins_tp_dupbackend_la_LDFLAGS = $(GX_TEST_MODULE_FLAGS)
tests_plugins_tp_noname_backend_la_SOURCES = tests/plugins/tp_backend.c
tests_plugins_tp_noname_backend_la_CPPFLAGS = $(GX_MODULE_INCLUDES) -DTP_BACKEND_NAME=NULL
tests_plugins_tp_noname_backend_la_LDFLAGS = $(GX_TEST_MODULE_FLAGS)
# Handshake: next ABI major, next minor, a struct too small, a module that provides nothing.
tests_plugins_tp_abinext_la_SOURCES = tests/plugins/tp_header.c
tests_plugins_tp_abinext_la_CPPFLAGS = $(GX_MODULE_INCLUDES) -DTP_ABI_MAJOR='(GX_ABI_MAJOR + 1)'
tests_plugins_tp_abinext_la_LDFLAGS = $(GX_TEST_MODULE_FLAGS)
tests_plugins_tp_abinewer_la_SOURCES = tests/plugins/tp_header.c
tests_plugins_tp_abinewer_la_CPPFLAGS = $(GX_MODULE_INCLUDES) -DTP_ABI_MINOR='(GX_ABI_MINOR + 1)'
tests_plugins_tp_abinewer_la_LDFLAGS = $(GX_TEST_MODULE_FLAGS)
tests_plugins_tp_small_la_SOURCES = tests/plugins/tp_header.c
tests_plugins_tp_small_la_CPPFLAGS = $(GX_MODULE_INCLUDES) \
	-DTP_SIZE='offsetof(struct gx_module, services)'
tests_plugins_tp_small_la_LDFLAGS = $(GX_TEST_MODULE_FLAGS)
tests_plugins_tp_empty_la_SOURCES = tests/plugins/tp_header.c
tests_plugins_tp_empty_la_CPPFLAGS = $(GX_MODULE_INCLUDES)
tests_plugins_tp_empty_la_LDFLAGS = $(GX_TEST_MODULE_FLAGS)
# A service type missing one required slot each.
tests_plugins_tp_badtype_name_la_SOURCES = tests/plugins/tp_badtype.c
tests_plugins_tp_badtype_name_la_CPPFLAGS = $(GX_MODULE_INCLUDES) -DTP_NO_NAME
tests_plugins_tp_badtype_name_la_LDFLAGS = $(GX_TEST_MODULE_FLAGS)
tests_plugins_tp_badtype_section_la_SOURCES = tests/plugins/tp_badtype.c
tests_plugins_tp_badtype_section_la_CPPFLAGS = $(GX_MODULE_INCLUDES) -DTP_NO_SECTION
tests_plugins_tp_badtype_section_la_LDFLAGS = $(GX_TEST_MODULE_FLAGS)
tests_plugins_tp_badtype_options_la_SOURCES = tests/plugins/tp_badtype.c
tests_plugins_tp_badtype_options_la_CPPFLAGS = $(GX_MODULE_INCLUDES) -DTP_NO_OPTIONS
tests_plugins_tp_badtype_options_la_LDFLAGS = $(GX_TEST_MODULE_FLAGS)
tests_plugins_tp_badtype_argv_la_SOURCES = tests/plugins/tp_badtype.c
tests_plugins_tp_badtype_argv_la_CPPFLAGS = $(GX_MODULE_INCLUDES) -DTP_NO_ARGV
tests_plugins_tp_badtype_argv_la_LDFLAGS = $(GX_TEST_MODULE_FLAGS)
# Exports something, but not gx_module.
tests_plugins_tp_nosym_la_SOURCES = tests/plugins/tp_nosym.c
tests_plugins_tp_nosym_la_CPPFLAGS = $(GX_MODULE_INCLUDES)
tests_plugins_tp_nosym_la_LDFLAGS = -module -avoid-version -shared -rpath /nowhere \
	-export-symbols-regex '^tp_nosym_' $(SAN_FLAGS)

# Modules as ABI 1.0 built them: a service type "vintage", and backend "vintage" whose slots
# past 1.0's struct are traps (test_plugins and tests/integration/old_abi.sh load them).
tests_plugins_tp_abi10_service_la_SOURCES = tests/plugins/tp_abi10_service.c
tests_plugins_tp_abi10_service_la_CPPFLAGS = $(GX_MODULE_INCLUDES)
tests_plugins_tp_abi10_service_la_LDFLAGS = $(GX_TEST_MODULE_FLAGS)
tests_plugins_tp_abi10_backend_la_SOURCES = tests/plugins/tp_abi10_backend.c
tests_plugins_tp_abi10_backend_la_CPPFLAGS = $(GX_MODULE_INCLUDES)
tests_plugins_tp_abi10_backend_la_LDFLAGS = $(GX_TEST_MODULE_FLAGS)

unit_tests += tests/core/test_plugins
tests_core_test_plugins_SOURCES = tests/core/test_plugins.c
tests_core_test_plugins_CPPFLAGS = $(GX_UNIT_FLAGS)
tests_core_test_plugins_LDADD = $(GX_UNIT_LIBS)
# --- end core/plugins.c ---

# --- core/strv.c, core/fsutil.c, core/http.c ---
unit_tests += tests/core/test_strv tests/core/test_fsutil tests/core/test_http tests/core/test_names
tests_core_test_names_SOURCES = tests/core/test_names.c
tests_core_test_names_CPPFLAGS = $(GX_UNIT_FLAGS)
tests_core_test_names_LDADD = $(GX_UNIT_LIBS)
unit_tests += tests/core/test_udiff
unit_tests += tests/core/test_dry_run
tests_core_test_dry_run_SOURCES = tests/core/test_dry_run.c
tests_core_test_dry_run_CPPFLAGS = $(GX_UNIT_FLAGS)
tests_core_test_dry_run_LDADD = $(GX_UNIT_LIBS)
tests_core_test_udiff_SOURCES = tests/core/test_udiff.c
tests_core_test_udiff_CPPFLAGS = $(GX_UNIT_FLAGS)
tests_core_test_udiff_LDADD = $(GX_UNIT_LIBS)
unit_tests += tests/core/test_escape
tests_core_test_escape_SOURCES = tests/core/test_escape.c
tests_core_test_escape_CPPFLAGS = $(GX_UNIT_FLAGS)
tests_core_test_escape_LDADD = $(GX_UNIT_LIBS)
tests_core_test_strv_SOURCES = tests/core/test_strv.c
tests_core_test_strv_CPPFLAGS = $(GX_UNIT_FLAGS)
tests_core_test_strv_LDADD = $(GX_UNIT_LIBS)
tests_core_test_fsutil_SOURCES = tests/core/test_fsutil.c
tests_core_test_fsutil_CPPFLAGS = $(GX_UNIT_FLAGS)
tests_core_test_fsutil_LDADD = $(GX_UNIT_LIBS)
tests_core_test_http_SOURCES = tests/core/test_http.c
tests_core_test_http_CPPFLAGS = $(GX_UNIT_FLAGS)
tests_core_test_http_LDADD = $(GX_UNIT_LIBS)
# test_http runs this server (python3 stdlib) on TCP and on a unix socket.
EXTRA_DIST += tests/fixtures/http/server.py
# --- end core/strv.c, core/fsutil.c, core/http.c ---

# --- core/env_settings.c ---
unit_tests += tests/core/test_env_settings
tests_core_test_env_settings_SOURCES = tests/core/test_env_settings.c
tests_core_test_env_settings_CPPFLAGS = $(GX_UNIT_FLAGS)
tests_core_test_env_settings_LDADD = $(GX_UNIT_LIBS)
# --- end core/env_settings.c ---

# --- core/diag.c, core/node.c, core/yaml_load.c, core/settings.c ---
unit_tests += tests/core/test_diag tests/core/test_node tests/core/test_yaml_load \
	tests/core/test_settings
tests_core_test_diag_SOURCES = tests/core/test_diag.c
tests_core_test_diag_CPPFLAGS = $(GX_UNIT_FLAGS)
tests_core_test_diag_LDADD = $(GX_UNIT_LIBS)
tests_core_test_node_SOURCES = tests/core/test_node.c
tests_core_test_node_CPPFLAGS = $(GX_UNIT_FLAGS)
tests_core_test_node_LDADD = $(GX_UNIT_LIBS)
tests_core_test_yaml_load_SOURCES = tests/core/test_yaml_load.c
tests_core_test_yaml_load_CPPFLAGS = $(GX_UNIT_FLAGS)
tests_core_test_yaml_load_LDADD = $(GX_UNIT_LIBS)
tests_core_test_settings_SOURCES = tests/core/test_settings.c
tests_core_test_settings_CPPFLAGS = $(GX_UNIT_FLAGS)
tests_core_test_settings_LDADD = $(GX_UNIT_LIBS)
# The same core sources again, built so that each allocation can be made to fail.
unit_tests += tests/core/test_alloc_failures
tests_core_test_alloc_failures_SOURCES = tests/core/test_alloc_failures.c \
	tests/core/alloc_fail.h core/diag.c core/node.c core/yaml_load.c core/settings.c core/fsutil.c \
	core/escape.c
tests_core_test_alloc_failures_CPPFLAGS = $(GX_UNIT_FLAGS) $(YAML_CFLAGS) \
	-include $(top_srcdir)/tests/core/alloc_fail.h
tests_core_test_alloc_failures_LDADD = $(CRITERION_LIBS) $(YAML_LIBS)
EXTRA_DIST += tests/fixtures/yaml/gravity.yml tests/fixtures/yaml/syntax-error.yml \
	tests/fixtures/yaml/empty.yml tests/fixtures/yaml/anchors.yml
# --- end core/diag.c, core/node.c, core/yaml_load.c, core/settings.c ---

# --- services/celery.c, services/tusd.c, services/gx_it_proxy.c ---
if BUILD_SERVICE_CELERY
unit_tests += tests/services/test_celery
endif
if BUILD_SERVICE_TUSD
unit_tests += tests/services/test_tusd
endif
if BUILD_SERVICE_GX_IT_PROXY
unit_tests += tests/services/test_gx_it_proxy
endif
tests_services_test_celery_SOURCES = tests/services/test_celery.c
tests_services_test_celery_CPPFLAGS = $(GX_HARNESS_FLAGS)
tests_services_test_celery_LDADD = $(GX_HARNESS_LIBS)
EXTRA_tests_services_test_celery_DEPENDENCIES = services/celery.la
tests_services_test_tusd_SOURCES = tests/services/test_tusd.c
tests_services_test_tusd_CPPFLAGS = $(GX_HARNESS_FLAGS)
tests_services_test_tusd_LDADD = $(GX_HARNESS_LIBS)
EXTRA_tests_services_test_tusd_DEPENDENCIES = services/tusd.la
tests_services_test_gx_it_proxy_SOURCES = tests/services/test_gx_it_proxy.c
tests_services_test_gx_it_proxy_CPPFLAGS = $(GX_HARNESS_FLAGS)
tests_services_test_gx_it_proxy_LDADD = $(GX_HARNESS_LIBS)
EXTRA_tests_services_test_gx_it_proxy_DEPENDENCIES = services/gx_it_proxy.la
# --- end services/celery.c, services/tusd.c, services/gx_it_proxy.c ---

# --- services/gunicorn.c, services/reports.c ---
if BUILD_SERVICE_GUNICORN
unit_tests += tests/services/test_gunicorn
endif
if BUILD_SERVICE_REPORTS
unit_tests += tests/services/test_reports
endif
tests_services_test_gunicorn_SOURCES = tests/services/test_gunicorn.c
tests_services_test_gunicorn_CPPFLAGS = $(GX_HARNESS_FLAGS)
tests_services_test_gunicorn_LDADD = $(GX_HARNESS_LIBS)
EXTRA_tests_services_test_gunicorn_DEPENDENCIES = services/gunicorn.la galaxyctl
tests_services_test_reports_SOURCES = tests/services/test_reports.c
tests_services_test_reports_CPPFLAGS = $(GX_HARNESS_FLAGS)
tests_services_test_reports_LDADD = $(GX_HARNESS_LIBS)
EXTRA_tests_services_test_reports_DEPENDENCIES = services/reports.la
# --- end services/gunicorn.c, services/reports.c ---

# --- services/handlers.c ---
if BUILD_SERVICE_HANDLERS
unit_tests += tests/services/test_handlers
endif
tests_services_test_handlers_SOURCES = tests/services/test_handlers.c
tests_services_test_handlers_CPPFLAGS = $(GX_HARNESS_FLAGS)
tests_services_test_handlers_LDADD = $(GX_HARNESS_LIBS)
EXTRA_tests_services_test_handlers_DEPENDENCIES = services/handlers.la
# --- end services/handlers.c ---

# --- backends/supervisor: quoting, names, rendering (against tests/fixtures/supervisor), XML-RPC ---
if BUILD_ALL_MODULES
unit_tests += tests/backends/test_supervisor
tests_backends_test_supervisor_SOURCES = tests/backends/test_supervisor.c \
	backends/supervisor/sv.h backends/supervisor/buf.c backends/supervisor/quote.c \
	backends/supervisor/render.c backends/supervisor/xmlrpc.c
tests_backends_test_supervisor_CPPFLAGS = $(GX_HARNESS_FLAGS) \
	$(CURL_CFLAGS) $(XML_CFLAGS)
tests_backends_test_supervisor_LDADD = $(GX_HARNESS_LIBS) $(CURL_LIBS) $(XML_LIBS)
EXTRA_tests_backends_test_supervisor_DEPENDENCIES = services/gunicorn.la services/celery.la
endif
# --- end backends/supervisor ---

# --- backends/systemd.c: quoting, names, values, show parsing; rendering through the harness ---
if BUILD_ALL_MODULES
unit_tests += tests/backends/test_systemd
endif
tests_backends_test_systemd_SOURCES = tests/backends/test_systemd.c backends/systemd.c \
	backends/systemd/systemd.h backends/systemd/quote.c backends/systemd/unit.c \
	backends/systemd/ctl.c backends/systemd/update.c backends/systemd/status.c \
	backends/systemd/graceful.c
tests_backends_test_systemd_CPPFLAGS = $(GX_HARNESS_FLAGS) \
	$(NETTLE_CFLAGS)
tests_backends_test_systemd_LDADD = $(GX_HARNESS_LIBS) $(NETTLE_LIBS) -lm
EXTRA_tests_backends_test_systemd_DEPENDENCIES = services/gunicorn.la services/celery.la
# --- end backends/systemd.c ---

# --- backends/direct: the manager's pure parts (state table, names, programs, logs, prefixes, lines, children record) ---
if BUILD_BACKEND_DIRECT
unit_tests += tests/backends/test_direct
tests_backends_test_direct_SOURCES = tests/backends/test_direct_fsm.c \
	tests/backends/test_direct_names.c tests/backends/test_direct_program.c \
	tests/backends/test_direct_logfile.c tests/backends/test_direct_prefix.c \
	tests/backends/test_direct_proto.c tests/backends/test_direct_safefs.c \
	backends/direct/fsm.c backends/direct/names.c \
	backends/direct/program.c backends/direct/logfile.c backends/direct/prefix.c \
	backends/direct/proto.c backends/direct/safefs.c \
	tests/backends/test_direct_children.c backends/direct/children.c backends/direct/proc.c
tests_backends_test_direct_CPPFLAGS = $(GX_UNIT_FLAGS) \
	-iquote $(top_srcdir)/backends/direct $(JANSSON_CFLAGS)
tests_backends_test_direct_LDADD = $(CRITERION_LIBS) $(JANSSON_LIBS)
endif
# --- end backends/direct ---

# --- backends/direct: the update request its manager is told to run, built through the harness ---
if BUILD_BACKEND_DIRECT
if BUILD_ALL_MODULES
unit_tests += tests/backends/test_direct_render
tests_backends_test_direct_render_SOURCES = tests/backends/test_direct_render.c \
	$(backends_direct_la_SOURCES)
tests_backends_test_direct_render_CPPFLAGS = $(GX_HARNESS_FLAGS) \
	-iquote $(top_srcdir)/backends/direct $(JANSSON_CFLAGS)
tests_backends_test_direct_render_LDADD = $(GX_HARNESS_LIBS) $(JANSSON_LIBS)
EXTRA_tests_backends_test_direct_render_DEPENDENCIES = services/gunicorn.la services/celery.la
endif
endif
# --- end backends/direct: the update request ---

# --- backends/direct/cgroup.c: a plain directory prepared like a delegated cgroup v2 ---
if BUILD_BACKEND_DIRECT
unit_tests += tests/backends/test_direct_cgroup
tests_backends_test_direct_cgroup_SOURCES = tests/backends/test_direct_cgroup.c \
	backends/direct/cgroup.c
tests_backends_test_direct_cgroup_CPPFLAGS = $(GX_UNIT_FLAGS) -iquote $(top_srcdir)/backends/direct
tests_backends_test_direct_cgroup_LDADD = $(CRITERION_LIBS)
endif
# --- end backends/direct/cgroup.c ---

# --- core/sample.c: show --sample-config (issue 7) ---
if BUILD_ALL_MODULES
unit_tests += tests/core/test_sample
endif
tests_core_test_sample_SOURCES = tests/core/test_sample.c
tests_core_test_sample_CPPFLAGS = $(GX_HARNESS_FLAGS)
tests_core_test_sample_LDADD = $(GX_HARNESS_LIBS)
# --- end core/sample.c ---
check_PROGRAMS += $(unit_tests)
TESTS += $(unit_tests)

endif

# make check-valgrind: every unit test again under valgrind (no memory
# errors, no definite leaks).  Separate from check: it takes many minutes.
check-valgrind: $(check_PROGRAMS) $(check_LTLIBRARIES) all
	GX_TOP_BUILDDIR='$(abs_top_builddir)' GX_TOP_SRCDIR='$(abs_top_srcdir)' \
	GX_UNIT_TESTS='$(unit_tests)' $(top_srcdir)/tests/valgrind_unit.sh
.PHONY: check-valgrind
EXTRA_DIST += tests/valgrind_unit.sh

# --- the shared harness for tests that load configs through the real core ---
if HAVE_CRITERION
check_LTLIBRARIES += tests/lib/libgxtest.la
tests_lib_libgxtest_la_SOURCES = tests/lib/harness.c tests/lib/harness.h
tests_lib_libgxtest_la_CPPFLAGS = $(GX_UNIT_FLAGS)
tests_lib_libgxtest_la_LIBADD = libgxcore.la
GX_HARNESS_FLAGS = $(GX_UNIT_FLAGS) -iquote $(top_srcdir)/tests/lib
GX_HARNESS_LIBS = tests/lib/libgxtest.la $(GX_UNIT_LIBS)
endif
EXTRA_DIST += tests/fixtures/galaxy-standin tests/fixtures/http
# --- end harness ---

# --- core/config.c, core/instance.c, core/cli.c, core/show.c, core/status.c, core/host.c,
# core/commands.c: unit tests (scratch.h: temp dirs) and the CLI integration test ---
if HAVE_CRITERION
unit_tests += tests/core/test_config tests/core/test_cli tests/core/test_show \
	tests/core/test_status tests/core/test_host
if BUILD_ALL_MODULES
unit_tests += tests/core/test_instance
endif
tests_core_test_config_SOURCES = tests/core/test_config.c tests/core/scratch.h
tests_core_test_config_CPPFLAGS = $(GX_UNIT_FLAGS)
tests_core_test_config_LDADD = $(GX_UNIT_LIBS)
# test_instance loads tests/plugins/.libs/tp_services.so and services/.libs/gunicorn.so.
tests_core_test_instance_SOURCES = tests/core/test_instance.c tests/core/scratch.h
tests_core_test_instance_CPPFLAGS = $(GX_UNIT_FLAGS)
tests_core_test_instance_LDADD = $(GX_UNIT_LIBS)
tests_core_test_cli_SOURCES = tests/core/test_cli.c
tests_core_test_cli_CPPFLAGS = $(GX_UNIT_FLAGS)
tests_core_test_cli_LDADD = $(GX_UNIT_LIBS)
tests_core_test_show_SOURCES = tests/core/test_show.c tests/core/scratch.h
tests_core_test_show_CPPFLAGS = $(GX_UNIT_FLAGS) $(JANSSON_CFLAGS)
tests_core_test_show_LDADD = $(GX_UNIT_LIBS) $(JANSSON_LIBS)
tests_core_test_status_SOURCES = tests/core/test_status.c
tests_core_test_status_CPPFLAGS = $(GX_UNIT_FLAGS) $(JANSSON_CFLAGS)
tests_core_test_status_LDADD = $(GX_UNIT_LIBS) $(JANSSON_LIBS)
tests_core_test_host_SOURCES = tests/core/test_host.c
tests_core_test_host_CPPFLAGS = $(GX_UNIT_FLAGS)
tests_core_test_host_LDADD = $(GX_UNIT_LIBS)
endif
# The built galaxyctl and galaxy end to end (no Criterion needed); run directly, so it stays executable.
if BUILD_ALL_MODULES
TESTS += tests/integration/cli.sh tests/integration/names.sh
endif
EXTRA_DIST += tests/integration/cli.sh tests/integration/names.sh
# --- end core/config.c ... core/commands.c ---

# --- integration: exec of celery, celery-beat, tusd, gx-it-proxy on the stand-in ---
# (lib.sh is shared by every exec_*.sh and thirdparty_plugin.sh; gxitproxy_lib.sh by every test
# of the real gx-it-proxy; tusd is the one fake, exec_tusd_fake.sh)
if BUILD_ALL_MODULES
TESTS += tests/integration/exec_celery.sh tests/integration/exec_tusd_fake.sh \
	tests/integration/exec_gxitproxy.sh tests/integration/exec_installed.sh
endif
EXTRA_DIST += tests/integration/exec_celery.sh tests/integration/exec_tusd_fake.sh \
	tests/integration/exec_gxitproxy.sh tests/integration/exec_installed.sh \
	tests/integration/lib.sh tests/integration/gxitproxy_lib.sh
# --- end integration: exec of celery, celery-beat, tusd, gx-it-proxy ---

# --- integration: exec of gunicorn and reports on the stand-in; the third-party flower plugin;
# modules built for ABI 1.0 (old_abi.sh) ---
if BUILD_ALL_MODULES
TESTS += tests/integration/exec_gunicorn.sh tests/integration/exec_reports.sh \
	tests/integration/thirdparty_plugin.sh tests/integration/old_abi.sh
endif
EXTRA_DIST += tests/integration/exec_gunicorn.sh tests/integration/exec_reports.sh \
	tests/integration/thirdparty_plugin.sh tests/integration/old_abi.sh \
	tests/plugins/flower/flower.c tests/plugins/flower/Makefile
# --- end integration: gunicorn, reports, flower ---

# --- integration: the systemd backend (a real systemd user manager in a private mount namespace;
# systemd_fakectl.sh records systemctl/journalctl command lines for what cannot run here) ---
if BUILD_ALL_MODULES
TESTS += tests/integration/systemd_render.sh tests/integration/systemd_lifecycle.sh \
	tests/integration/systemd_instances.sh tests/integration/systemd_rolling.sh \
	tests/integration/systemd_fakectl.sh tests/integration/systemd_gxitproxy.sh
endif
EXTRA_DIST += tests/integration/systemd_render.sh tests/integration/systemd_lifecycle.sh \
	tests/integration/systemd_instances.sh tests/integration/systemd_rolling.sh \
	tests/integration/systemd_fakectl.sh tests/integration/systemd_gxitproxy.sh \
	tests/integration/systemd_env.sh tests/fixtures/systemd
# --- end integration: systemd ---

# --- integration: exec of a job handler (services/handlers.c) on the stand-in ---
if BUILD_ALL_MODULES
TESTS += tests/integration/exec_handler.sh
endif
EXTRA_DIST += tests/integration/exec_handler.sh
# --- end integration: exec of a job handler ---

# --- integration: the supervisor backend against a real supervisord (tests/fixtures/supervisor) ---
supervisor_integration = tests/integration/supervisor_files.sh \
	tests/integration/supervisor_lifecycle.sh tests/integration/supervisor_rolling.sh \
	tests/integration/supervisor_instances.sh tests/integration/supervisor_gxitproxy.sh \
	tests/integration/dryrun_supervisor.sh
if BUILD_ALL_MODULES
TESTS += $(supervisor_integration)
endif
EXTRA_DIST += $(supervisor_integration) tests/integration/supervisor_lib.sh tests/integration/rolling_lib.sh \
	tests/fixtures/supervisor tests/bench/supervisor.sh
# --- end integration: supervisor ---

# --- integration: the direct backend on the stand-in (direct_lib.sh is their shared part) ---
if BUILD_ALL_MODULES
TESTS += tests/integration/direct_lifecycle.sh tests/integration/direct_crash.sh \
	tests/integration/direct_graceful.sh tests/integration/direct_update.sh \
	tests/integration/direct_foreground.sh tests/integration/direct_rotation.sh \
	tests/integration/direct_root.sh tests/integration/direct_container.sh \
	tests/integration/direct_manager.sh tests/integration/direct_instances.sh \
	tests/integration/direct_cgroup.sh tests/integration/direct_orphans.sh \
	tests/integration/direct_pidreuse.sh
# issue 10: a root manager's logs and own files beside galaxy_user
TESTS += tests/integration/direct_logswap.sh tests/integration/direct_statedir.sh
# issue 17: a stopped manager hangs no command
TESTS += tests/integration/direct_stopped.sh tests/integration/direct_flood.sh \
	tests/integration/direct_restartloop.sh tests/integration/direct_fulldisk.sh \
	tests/integration/direct_wait.sh
# issue 18: the real gx-it-proxy under each backend (exec_gxitproxy.sh, supervisor_, systemd_)
TESTS += tests/integration/direct_gxitproxy.sh
endif
EXTRA_DIST += tests/integration/direct_logswap.sh tests/integration/direct_statedir.sh \
	tests/integration/direct_stopped.sh tests/integration/direct_flood.sh tests/integration/direct_restartloop.sh \
	tests/integration/direct_fulldisk.sh tests/integration/direct_wait.sh \
	tests/integration/direct_paths.sh tests/integration/direct_gxitproxy.sh
EXTRA_DIST += tests/integration/direct_lib.sh tests/integration/direct_lifecycle.sh \
	tests/integration/direct_crash.sh tests/integration/direct_graceful.sh \
	tests/integration/direct_update.sh tests/integration/direct_foreground.sh \
	tests/integration/direct_rotation.sh tests/integration/direct_root.sh \
	tests/integration/direct_container.sh tests/integration/direct_manager.sh \
	tests/integration/direct_instances.sh tests/integration/direct_cgroup.sh \
	tests/integration/direct_orphans.sh tests/integration/direct_pidreuse.sh \
	tests/bench/direct_bench.sh
# --- end integration: direct ---

# --- integration: several celery workers from a list, each on its own queues (issue 14), on every
# backend; celery_workers_lib.sh is their shared config and task checks ---
celery_workers_integration = tests/integration/celery_workers_direct.sh \
	tests/integration/celery_workers_supervisor.sh tests/integration/celery_workers_systemd.sh
if BUILD_ALL_MODULES
TESTS += $(celery_workers_integration)
endif
EXTRA_DIST += $(celery_workers_integration) tests/integration/celery_workers_lib.sh
# --- end integration: several celery workers ---

# --- completion/galaxyctl.bash, driven in bash against a stand-in config (issue 7) ---
if BUILD_ALL_MODULES
TESTS += tests/integration/completion.sh
endif
EXTRA_DIST += tests/integration/completion.sh
# --- end completion ---

# --- integration: update --dry-run on each backend (supervisor above, with its own) ---
if BUILD_ALL_MODULES
TESTS += tests/integration/dryrun_systemd.sh tests/integration/dryrun_direct.sh
endif
EXTRA_DIST += tests/integration/dryrun_systemd.sh tests/integration/dryrun_direct.sh \
	tests/integration/dryrun_lib.sh
# --- end update --dry-run ---

# --- man/: the built pages read cleanly and cover --help (issue 7) ---
if BUILD_ALL_MODULES
TESTS += tests/integration/man.sh
endif
EXTRA_DIST += tests/integration/man.sh
# --- end man ---

# --- install layout and plugin SDK (issue 7): galaxyctl installed into a temp prefix, the flower
# plugin built against it through pkg-config; tests/packaging/deb.sh is run by hand (root, dpkg) ---
if BUILD_ALL_MODULES
TESTS += tests/integration/sdk_install.sh
endif
EXTRA_DIST += tests/integration/sdk_install.sh tests/packaging/deb.sh
# --- end install layout and plugin SDK ---

# --- conformance: upstream Gravity 1.2.3's renders (recorded), rendered again and compared ---
if BUILD_ALL_MODULES
TESTS += tests/integration/conformance.sh
endif
EXTRA_DIST += tests/integration/conformance.sh tests/differential/conformance.py \
	tests/fixtures/conformance tests/fixtures/conformance-ours tests/differential/make_cases.py \
	tests/differential/random_cases.py
# --- end conformance ---

# --- make upstream-check GRAVITY_SRC=DIR: upstream Gravity 1.2.3's own tests (DIR/tests,
# unchanged) against the built galaxyctl, through tests/upstream/ (shim, fixtures, driver) ---
GRAVITY_SRC =
upstream-check: all
	$(SHELL) $(top_srcdir)/tests/upstream/run.sh '$(abs_top_builddir)' '$(abs_top_srcdir)' '$(GRAVITY_SRC)'
.PHONY: upstream-check
EXTRA_DIST += tests/upstream/run.sh tests/upstream/gx_upstream.py tests/upstream/standin_fixtures.py \
	tests/upstream/not-applicable.txt tests/upstream/pytest.ini tests/upstream/bin/child-output.sh \
	tests/upstream/bin/journalctl tests/upstream/bin/systemctl tests/upstream/gravity/__init__.py \
	tests/upstream/gravity/cli.py tests/upstream/gravity/config_manager.py \
	tests/upstream/gravity/settings.py tests/upstream/gravity/state.py \
	tests/upstream/gravity/process_manager/__init__.py tests/upstream/gravity/process_manager/supervisor.py

# --- integration: the admin pages' examples (docs/*.md) run and compared (docs_examples.py) ---
TESTS += tests/integration/docs_examples.sh
EXTRA_DIST += tests/integration/docs_examples.sh tests/integration/docs_examples.py docs \
	tests/fixtures/docs
# --- end docs ---
