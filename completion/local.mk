# SPDX-License-Identifier: MIT
# Bash completion for galaxyctl and galaxy, installed where bash-completion loads it on demand.

# bash-completion finds a command's completion by its name, so one copy per name.
bashcompletiondir = $(datadir)/bash-completion/completions
bashcompletion_DATA = %reldir%/galaxyctl %reldir%/galaxy
EXTRA_DIST += %reldir%/galaxyctl.bash
CLEANFILES += $(bashcompletion_DATA)

%reldir%/galaxyctl %reldir%/galaxy: %reldir%/galaxyctl.bash
	$(AM_V_GEN)$(MKDIR_P) $(@D) && cp $(srcdir)/%reldir%/galaxyctl.bash $@
