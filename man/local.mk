# SPDX-License-Identifier: MIT
# Man pages: written in scdoc(5) (*.scd), with @GX_...@ (version, install dirs) filled in by sed,
# then turned into roff by scdoc.  The roff pages are shipped in the tarball too, so that a build
# from it without scdoc still installs them: configure only insists on scdoc when they are missing.
# In a VPATH build a page scdoc regenerates lands in the build tree; install and dist look in the
# build tree first, then in srcdir.

dist_man_MANS = %reldir%/galaxyctl.1 %reldir%/galaxy.1 %reldir%/galaxyctl-plugin.7
EXTRA_DIST += %reldir%/galaxyctl.1.scd %reldir%/galaxy.1.scd %reldir%/galaxyctl-plugin.7.scd
MAINTAINERCLEANFILES = $(dist_man_MANS)

gx_man_subst = $(SED) -e 's|@GX_VERSION@|$(PACKAGE_VERSION)|g' -e 's|@GX_PKGLIBDIR@|$(pkglibdir)|g' \
	-e 's|@GX_INCLUDEDIR@|$(includedir)|g'
# sed, then scdoc; written to $@-t first so that a failure leaves no half page behind.
gx_man_scdoc = $(MKDIR_P) $(@D) && $(gx_man_subst) < $< | $(SCDOC) > $@-t && mv -f $@-t $@

if HAVE_SCDOC
# Rebuilt when the Makefile changes too: the pages name the configured directories.
%reldir%/galaxyctl.1: %reldir%/galaxyctl.1.scd Makefile
	$(AM_V_GEN)$(gx_man_scdoc)
%reldir%/galaxy.1: %reldir%/galaxy.1.scd Makefile
	$(AM_V_GEN)$(gx_man_scdoc)
%reldir%/galaxyctl-plugin.7: %reldir%/galaxyctl-plugin.7.scd Makefile
	$(AM_V_GEN)$(gx_man_scdoc)
# Only when scdoc can make them again: without it, the shipped pages are all there is.
CLEANFILES += $(dist_man_MANS)
else
# Without scdoc the shipped pages are used as they are, naming the directories of the build that
# made the tarball; say so when a source is newer than its page.
%reldir%/galaxyctl.1: %reldir%/galaxyctl.1.scd
	@echo "warning: $@ is older than $<, and scdoc is not installed: install scdoc to rebuild it" >&2
%reldir%/galaxy.1: %reldir%/galaxy.1.scd
	@echo "warning: $@ is older than $<, and scdoc is not installed: install scdoc to rebuild it" >&2
%reldir%/galaxyctl-plugin.7: %reldir%/galaxyctl-plugin.7.scd
	@echo "warning: $@ is older than $<, and scdoc is not installed: install scdoc to rebuild it" >&2
endif
