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

check_PROGRAMS += $(unit_tests)
TESTS += $(unit_tests)
endif
