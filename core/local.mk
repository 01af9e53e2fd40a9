# SPDX-License-Identifier: MIT
# The core: a convenience library (shared by galaxyctl and the unit tests) and the program.

noinst_LTLIBRARIES += libgxcore.la
libgxcore_la_SOURCES = \
	%reldir%/cli.c %reldir%/cli.h \
	%reldir%/commands.c %reldir%/commands.h \
	%reldir%/exec.c %reldir%/exec.h \
	%reldir%/self_path.c %reldir%/self_path.h %reldir%/abi_layout.c \
	%reldir%/wait_ready.c %reldir%/wait_ready.h \
	%reldir%/config.c %reldir%/config.h \
	%reldir%/core_options.c %reldir%/core_options.h \
	%reldir%/env_settings.c %reldir%/env_settings.h \
	%reldir%/escape.c %reldir%/escape.h \
	%reldir%/diag.c %reldir%/diag.h \
	%reldir%/dry_run.c %reldir%/dry_run.h \
	%reldir%/fsutil.c %reldir%/fsutil.h \
	%reldir%/graceful.c %reldir%/graceful.h \
	%reldir%/host.c %reldir%/host.h \
	%reldir%/http.c %reldir%/http.h \
	%reldir%/instance.c %reldir%/instance.h \
	%reldir%/name_check.c %reldir%/name_check.h \
	%reldir%/node.c %reldir%/node.h \
	%reldir%/plugins.c %reldir%/plugins.h \
	%reldir%/sample.c %reldir%/sample.h \
	%reldir%/selection.c %reldir%/selection.h \
	%reldir%/settings.c %reldir%/settings.h \
	%reldir%/show.c %reldir%/show.h \
	%reldir%/status.c %reldir%/status.h \
	%reldir%/strv.c %reldir%/strv.h \
	%reldir%/udiff.c %reldir%/udiff.h \
	%reldir%/yaml_load.c %reldir%/yaml_load.h
libgxcore_la_CPPFLAGS = $(AM_CPPFLAGS) \
	-DGX_BUILDDIR='"$(abs_top_builddir)"' -DGX_PKGLIBDIR='"$(pkglibdir)"' \
	$(YAML_CFLAGS) $(CURL_CFLAGS) $(JANSSON_CFLAGS)
libgxcore_la_LIBADD = $(YAML_LIBS) $(JANSSON_LIBS) $(LTDL_LIBS) -ldl

bin_PROGRAMS += galaxyctl
galaxyctl_SOURCES = %reldir%/main.c
galaxyctl_LDADD = libgxcore.la

# `galaxy` is galaxyctl under another name (argv[0] selects foreground start).
noinst_SCRIPTS += galaxy
galaxy: galaxyctl$(EXEEXT)
	$(AM_V_GEN)rm -f $@ && $(LN_S) galaxyctl$(EXEEXT) $@
CLEANFILES += galaxy

install-exec-hook:
	cd $(DESTDIR)$(bindir) && rm -f galaxy && $(LN_S) galaxyctl$(EXEEXT) galaxy
uninstall-hook:
	rm -f $(DESTDIR)$(bindir)/galaxy
