# SPDX-License-Identifier: MIT
# Backend modules, one per file.

# --- systemd: Gravity's units, driven through systemctl/journalctl; SHA-1 from nettle ---
if BUILD_BACKEND_SYSTEMD
backend_LTLIBRARIES += backends/systemd.la
backends_systemd_la_SOURCES = backends/systemd.c backends/systemd/systemd.h \
	backends/systemd/quote.c backends/systemd/unit.c backends/systemd/ctl.c \
	backends/systemd/update.c backends/systemd/status.c backends/systemd/graceful.c
backends_systemd_la_CPPFLAGS = $(GX_MODULE_INCLUDES) $(NETTLE_CFLAGS)
backends_systemd_la_LDFLAGS = $(GX_MODULE_FLAGS)
backends_systemd_la_LIBADD = $(NETTLE_LIBS) -lm
endif
# --- end systemd ---

# --- supervisor: Gravity's supervisord files, supervisord over XML-RPC (libcurl + libxml2) ---
if BUILD_BACKEND_SUPERVISOR
backend_LTLIBRARIES += backends/supervisor.la
backends_supervisor_la_SOURCES = backends/supervisor.c backends/supervisor/sv.h \
	backends/supervisor/buf.c backends/supervisor/quote.c backends/supervisor/render.c \
	backends/supervisor/xmlrpc.c backends/supervisor/files.c backends/supervisor/daemon.c \
	backends/supervisor/leftover.c \
	backends/supervisor/procs.c backends/supervisor/control.c backends/supervisor/graceful.c \
	backends/supervisor/status.c backends/supervisor/dry_run.c
backends_supervisor_la_CPPFLAGS = $(GX_MODULE_INCLUDES) $(CURL_CFLAGS) $(XML_CFLAGS)
backends_supervisor_la_LDFLAGS = $(GX_MODULE_FLAGS)
backends_supervisor_la_LIBADD = $(CURL_LIBS) $(XML_LIBS)
endif
# --- end supervisor ---

# --- direct: galaxyctl's own supervisor (backends/direct.c, backends/direct/) ---
# The module (the galaxyctl side, and the manager for `start -f`), and the
# manager daemon as a program of its own, installed beside the module:
# linked statically unless sanitizing, so that it holds well under a MB.
if BUILD_BACKEND_DIRECT
DIRECT_MANAGER_SOURCES = backends/direct/manager.c backends/direct/manager.h \
	backends/direct/manager_int.h backends/direct/server.c backends/direct/leftover.c \
	backends/direct/fsm.c backends/direct/fsm.h backends/direct/program.c \
	backends/direct/program.h backends/direct/proto.c backends/direct/proto.h \
	backends/direct/logfile.c backends/direct/logfile.h backends/direct/prefix.c \
	backends/direct/prefix.h backends/direct/spawn.c backends/direct/spawn.h \
	backends/direct/memory.c backends/direct/cgroup.c backends/direct/cgroup.h \
	backends/direct/proc.c backends/direct/proc.h backends/direct/safefs.c \
	backends/direct/safefs.h backends/direct/children.c backends/direct/children.h
backend_LTLIBRARIES += backends/direct.la
backends_direct_la_SOURCES = backends/direct.c backends/direct/cli.h \
	backends/direct/session.c backends/direct/build.c backends/direct/graceful.c \
	backends/direct/status.c backends/direct/dry_run.c backends/direct/names.c backends/direct/names.h \
	backends/direct/client.c backends/direct/client.h backends/direct/follow.c \
	backends/direct/follow.h $(DIRECT_MANAGER_SOURCES)
backends_direct_la_CPPFLAGS = $(GX_MODULE_INCLUDES) $(JANSSON_CFLAGS)
backends_direct_la_LDFLAGS = $(GX_MODULE_FLAGS)
backends_direct_la_LIBADD = $(JANSSON_LIBS)
backend_PROGRAMS = backends/galaxyctl-direct
backends_galaxyctl_direct_SOURCES = backends/direct/main.c $(DIRECT_MANAGER_SOURCES)
backends_galaxyctl_direct_CPPFLAGS = $(GX_MODULE_INCLUDES) $(JANSSON_CFLAGS)
backends_galaxyctl_direct_LDADD = $(JANSSON_LIBS)
if !SANITIZERS
backends_galaxyctl_direct_LDFLAGS = -all-static
endif
endif
# --- end direct ---
