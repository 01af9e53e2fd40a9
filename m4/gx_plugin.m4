# SPDX-License-Identifier: MIT
# GX_PLUGIN(KIND, NAME): offer --disable-KIND-NAME, define the Automake
# conditional BUILD_<KIND>_<NAME> and record the choice for the summary.
AC_DEFUN([GX_PLUGIN], [
  m4_pushdef([gx_var], m4_translit([$1_$2], [-a-z], [_A-Z]))
  AC_ARG_ENABLE([$1-$2],
    [AS_HELP_STRING([--disable-$1-$2], [do not build the $2 $1 module])],
    [], [enable_[]m4_translit([$1_$2], [-], [_])=yes])
  AM_CONDITIONAL([BUILD_]gx_var, [test "x$enable_[]m4_translit([$1_$2], [-], [_])" != xno])
  AS_IF([test "x$enable_[]m4_translit([$1_$2], [-], [_])" != xno],
    [gx_built_$1s="$gx_built_$1s $2"], [gx_skipped_$1s="$gx_skipped_$1s $2"])
  m4_popdef([gx_var])
])
