#!/bin/bash
# SPDX-License-Identifier: MIT
# What upstream Gravity 1.2.3 rendered (tests/fixtures/conformance, recorded by running it), rendered
# again by our galaxyctl and compared by meaning: files, names, argv, environment, exit status,
# the paths created and the systemctl calls. As root, since supervisor cases run as nobody.
set -euo pipefail
top_srcdir=${GX_TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${GX_TOP_BUILDDIR:-$top_srcdir}

if [ "$(id -u)" != 0 ] || ! command -v setpriv >/dev/null; then
	echo "SKIP: the cases run as root and as nobody (setpriv)"
	exit 77
fi
unset GRAVITY_PLUGIN_PATH
rc=0
# The sample recorded with the project's brief, and our own cases (recorded the same way).
for cases in conformance conformance-ours; do
	echo "== tests/fixtures/$cases"
	/usr/bin/python3 "$top_srcdir/tests/differential/conformance.py" \
		--galaxyctl "$top_builddir/galaxyctl" --cases "$top_srcdir/tests/fixtures/$cases" "$@" || rc=1
done
exit $rc
