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
# Real libtool modules (tests/plugins/.libs/*.so), built by `make check` before the tests run.
# Several are one source built with a flaw chosen by -D.
GX_TEST_MODULE_FLAGS = $(GX_MODULE_FLAGS) -rpath /nowhere
check_LTLIBRARIES += tests/plugins/tp_services.la tests/plugins/tp_duptype.la \
	tests/plugins/tp_backend.la tests/plugins/tp_backend2.la \
	tests/plugins/tp_dupbackend.la tests/plugins/tp_noname_backend.la \
	tests/plugins/tp_abinext.la tests/plugins/tp_small.la tests/plugins/tp_empty.la \
	tests/plugins/tp_badtype_name.la tests/plugins/tp_badtype_section.la \
	tests/plugins/tp_badtype_options.la tests/plugins/tp_badtype_argv.la \
	tests/plugins/tp_nosym.la
# alpha and beta; tp_duptype is the same code under another file name.
tests_plugins_tp_services_la_SOURCES = tests/plugins/tp_services.c
tests_plugins_tp_services_la_LDFLAGS = $(GX_TEST_MODULE_FLAGS)
tests_plugins_tp_duptype_la_SOURCES = tests/plugins/tp_services.c
tests_plugins_tp_duptype_la_LDFLAGS = $(GX_TEST_MODULE_FLAGS)
# Backends: testbackend, another, testbackend again, and one without a name.
tests_plugins_tp_backend_la_SOURCES = tests/plugins/tp_backend.c
tests_plugins_tp_backend_la_CPPFLAGS = $(AM_CPPFLAGS) -DTP_BACKEND_NAME='"testbackend"'
tests_plugins_tp_backend_la_LDFLAGS = $(GX_TEST_MODULE_FLAGS)
tests_plugins_tp_backend2_la_SOURCES = tests/plugins/tp_backend.c
tests_plugins_tp_backend2_la_CPPFLAGS = $(AM_CPPFLAGS) -DTP_BACKEND_NAME='"another"'
tests_plugins_tp_backend2_la_LDFLAGS = $(GX_TEST_MODULE_FLAGS)
tests_plugins_tp_dupbackend_la_SOURCES = tests/plugins/tp_backend.c
tests_plugins_tp_dupbackend_la_CPPFLAGS = $(AM_CPPFLAGS) -DTP_BACKEND_NAME='"testbackend"'
tests_plugins_tp_dupbackend_la_LDFLAGS = $(GX_TEST_MODULE_FLAGS)
tests_plugins_tp_noname_backend_la_SOURCES = tests/plugins/tp_backend.c
tests_plugins_tp_noname_backend_la_CPPFLAGS = $(AM_CPPFLAGS) -DTP_BACKEND_NAME=NULL
tests_plugins_tp_noname_backend_la_LDFLAGS = $(GX_TEST_MODULE_FLAGS)
# Handshake: next ABI major, a struct too small, a module that provides nothing.
tests_plugins_tp_abinext_la_SOURCES = tests/plugins/tp_header.c
tests_plugins_tp_abinext_la_CPPFLAGS = $(AM_CPPFLAGS) -DTP_ABI_MAJOR='(GX_ABI_MAJOR + 1)'
tests_plugins_tp_abinext_la_LDFLAGS = $(GX_TEST_MODULE_FLAGS)
tests_plugins_tp_small_la_SOURCES = tests/plugins/tp_header.c
tests_plugins_tp_small_la_CPPFLAGS = $(AM_CPPFLAGS) \
	-DTP_SIZE='offsetof(struct gx_module, services)'
tests_plugins_tp_small_la_LDFLAGS = $(GX_TEST_MODULE_FLAGS)
tests_plugins_tp_empty_la_SOURCES = tests/plugins/tp_header.c
tests_plugins_tp_empty_la_CPPFLAGS = $(AM_CPPFLAGS)
tests_plugins_tp_empty_la_LDFLAGS = $(GX_TEST_MODULE_FLAGS)
# A service type missing one required slot each.
tests_plugins_tp_badtype_name_la_SOURCES = tests/plugins/tp_badtype.c
tests_plugins_tp_badtype_name_la_CPPFLAGS = $(AM_CPPFLAGS) -DTP_NO_NAME
tests_plugins_tp_badtype_name_la_LDFLAGS = $(GX_TEST_MODULE_FLAGS)
tests_plugins_tp_badtype_section_la_SOURCES = tests/plugins/tp_badtype.c
tests_plugins_tp_badtype_section_la_CPPFLAGS = $(AM_CPPFLAGS) -DTP_NO_SECTION
tests_plugins_tp_badtype_section_la_LDFLAGS = $(GX_TEST_MODULE_FLAGS)
tests_plugins_tp_badtype_options_la_SOURCES = tests/plugins/tp_badtype.c
tests_plugins_tp_badtype_options_la_CPPFLAGS = $(AM_CPPFLAGS) -DTP_NO_OPTIONS
tests_plugins_tp_badtype_options_la_LDFLAGS = $(GX_TEST_MODULE_FLAGS)
tests_plugins_tp_badtype_argv_la_SOURCES = tests/plugins/tp_badtype.c
tests_plugins_tp_badtype_argv_la_CPPFLAGS = $(AM_CPPFLAGS) -DTP_NO_ARGV
tests_plugins_tp_badtype_argv_la_LDFLAGS = $(GX_TEST_MODULE_FLAGS)
# Exports something, but not gx_module.
tests_plugins_tp_nosym_la_SOURCES = tests/plugins/tp_nosym.c
tests_plugins_tp_nosym_la_LDFLAGS = -module -avoid-version -shared -rpath /nowhere \
	-export-symbols-regex '^tp_nosym_' $(SAN_FLAGS)

unit_tests += tests/core/test_plugins
tests_core_test_plugins_SOURCES = tests/core/test_plugins.c
tests_core_test_plugins_CPPFLAGS = $(GX_UNIT_FLAGS)
tests_core_test_plugins_LDADD = $(GX_UNIT_LIBS)
# --- end core/plugins.c ---

# --- core/strv.c, core/fsutil.c, core/http.c ---
unit_tests += tests/core/test_strv tests/core/test_fsutil tests/core/test_http
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

# --- core/diag.c, core/node.c, core/yaml.c, core/settings.c ---
unit_tests += tests/core/test_diag tests/core/test_node tests/core/test_yaml \
	tests/core/test_settings
tests_core_test_diag_SOURCES = tests/core/test_diag.c
tests_core_test_diag_CPPFLAGS = $(GX_UNIT_FLAGS)
tests_core_test_diag_LDADD = $(GX_UNIT_LIBS)
tests_core_test_node_SOURCES = tests/core/test_node.c
tests_core_test_node_CPPFLAGS = $(GX_UNIT_FLAGS)
tests_core_test_node_LDADD = $(GX_UNIT_LIBS)
tests_core_test_yaml_SOURCES = tests/core/test_yaml.c
tests_core_test_yaml_CPPFLAGS = $(GX_UNIT_FLAGS)
tests_core_test_yaml_LDADD = $(GX_UNIT_LIBS)
tests_core_test_settings_SOURCES = tests/core/test_settings.c
tests_core_test_settings_CPPFLAGS = $(GX_UNIT_FLAGS)
tests_core_test_settings_LDADD = $(GX_UNIT_LIBS)
# The same core sources again, built so that each allocation can be made to fail.
unit_tests += tests/core/test_alloc_failures
tests_core_test_alloc_failures_SOURCES = tests/core/test_alloc_failures.c \
	tests/core/alloc_fail.h core/diag.c core/node.c core/yaml.c core/settings.c
tests_core_test_alloc_failures_CPPFLAGS = $(GX_UNIT_FLAGS) $(YAML_CFLAGS) \
	-include $(top_srcdir)/tests/core/alloc_fail.h
tests_core_test_alloc_failures_LDADD = $(CRITERION_LIBS) $(YAML_LIBS)
EXTRA_DIST += tests/fixtures/yaml/gravity.yml tests/fixtures/yaml/syntax-error.yml \
	tests/fixtures/yaml/empty.yml tests/fixtures/yaml/anchors.yml
# --- end core/diag.c, core/node.c, core/yaml.c, core/settings.c ---

check_PROGRAMS += $(unit_tests)
TESTS += $(unit_tests)
endif

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
