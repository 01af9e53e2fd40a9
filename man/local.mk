# SPDX-License-Identifier: MIT
# Man pages: written in man(7) macros (*.in), with @GX_...@ (version, install dirs) filled in by sed.

man_MANS = %reldir%/galaxyctl.1 %reldir%/galaxy.1 %reldir%/galaxyctl-plugin.7
EXTRA_DIST += %reldir%/galaxyctl.1.in %reldir%/galaxy.1.in %reldir%/galaxyctl-plugin.7.in
CLEANFILES += $(man_MANS)

gx_man_subst = $(SED) -e 's|@GX_VERSION@|$(PACKAGE_VERSION)|g' -e 's|@GX_PKGLIBDIR@|$(pkglibdir)|g' \
	-e 's|@GX_INCLUDEDIR@|$(includedir)|g'

%reldir%/galaxyctl.1: %reldir%/galaxyctl.1.in Makefile
	$(AM_V_GEN)$(MKDIR_P) $(@D) && $(gx_man_subst) $(srcdir)/%reldir%/galaxyctl.1.in > $@
%reldir%/galaxy.1: %reldir%/galaxy.1.in Makefile
	$(AM_V_GEN)$(MKDIR_P) $(@D) && $(gx_man_subst) $(srcdir)/%reldir%/galaxy.1.in > $@
%reldir%/galaxyctl-plugin.7: %reldir%/galaxyctl-plugin.7.in Makefile
	$(AM_V_GEN)$(MKDIR_P) $(@D) && $(gx_man_subst) $(srcdir)/%reldir%/galaxyctl-plugin.7.in > $@
