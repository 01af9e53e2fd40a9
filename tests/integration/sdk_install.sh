#!/bin/bash
# SPDX-License-Identifier: MIT
# The install layout and the plugin SDK: galaxyctl installed into a temp prefix, the flower
# plugin built and installed through pkg-config alone, the installed galaxyctl loading it.
set -euo pipefail

. "${GX_TOP_SRCDIR:-$(dirname "$0")/../..}/tests/integration/lib.sh"

cc=${CC_FOR_PLUGIN:-cc}
for tool in "$cc" make pkg-config; do
	command -v "$tool" >/dev/null || { echo "SKIP: $tool not found"; exit 77; }
done

make_work sdk
prefix=$work/prefix
quiet_make() { env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make "$@" >>"$work/build.log" 2>&1; }

# ---- a source tree of the distributed files, configured for $prefix (the prefix is compiled
# into galaxyctl, so the build under test, configured for another prefix, cannot be installed)
quiet_make -C "$top_builddir" distdir distdir="$work/src" ||
	fail "make distdir: $(tail -20 "$work/build.log")"
(cd "$work/src" && ./configure --prefix="$prefix" >>"$work/build.log" 2>&1) ||
	fail "configure: $(tail -20 "$work/build.log")"
quiet_make -C "$work/src" -j2 install || fail "make install: $(tail -20 "$work/build.log")"
# Nothing may be found through the build tree from here on.
rm -rf "$work/src"
ok "galaxyctl configured for $prefix, built and installed"

# ---- the layout
for f in bin/galaxyctl bin/galaxy include/galaxyctl/plugin.h lib/pkgconfig/galaxyctl-plugin.pc \
	lib/galaxyctl/backends/direct.so lib/galaxyctl/backends/galaxyctl-direct \
	lib/galaxyctl/services/gunicorn.so; do
	[ -e "$prefix/$f" ] || fail "not installed: $f"
done
[ "$(readlink "$prefix/bin/galaxy")" = galaxyctl ] || fail "bin/galaxy is not a link to galaxyctl"
left=$(find "$prefix" -name '*.la' -o -name '*.a')
[ -z "$left" ] || fail "libtool archives or static libraries installed: $left"
ok "bin/galaxyctl, bin/galaxy, the modules (no .la or .a), the header and the .pc are installed"

# ---- pkg-config names the include and plugin dirs
export PKG_CONFIG_PATH=$prefix/lib/pkgconfig
servicedir=$(pkg-config --variable=servicedir galaxyctl-plugin)
[ "$servicedir" = "$prefix/lib/galaxyctl/services" ] || fail "servicedir: $servicedir"
backenddir=$(pkg-config --variable=backenddir galaxyctl-plugin)
[ "$backenddir" = "$prefix/lib/galaxyctl/backends" ] || fail "backenddir: $backenddir"
cflags=$(pkg-config --cflags galaxyctl-plugin | sed "s/ *$//")
[ "$cflags" = "-I$prefix/include" ] || fail "cflags: $cflags"
ok "pkg-config galaxyctl-plugin: servicedir, backenddir and cflags point into $prefix"

# ---- the third-party plugin: its own Makefile, pkg-config only, out of tree
mkdir -p "$work/flower"
quiet_make -C "$work/flower" -f "$top_srcdir/tests/plugins/flower/Makefile" CC="$cc" install ||
	fail "flower build or install: $(tail -20 "$work/build.log")"
[ -f "$servicedir/flower.so" ] || fail "flower.so is not in $servicedir"
ok "flower built through pkg-config and installed into its servicedir"

# ---- the installed galaxyctl finds its own modules and flower, with no plugin path
make_standin
cat >"$cfg" <<EOF
gravity:
  virtualenv: $root/venv
  flower:
    enable: true
    port: 5556
galaxy:
  brand: sdk test
EOF
"$prefix/bin/galaxyctl" -c "$cfg" show --details >"$work/show.json" 2>"$work/show.err" ||
	fail "installed show: $(cat "$work/show.err")"
grep -q "warning" "$work/show.err" && fail "installed show warned: $(cat "$work/show.err")"
/usr/bin/python3 - "$work/show.json" <<'PY' || fail "show --details: $(cat "$work/show.json")"
import json, sys
data = json.load(open(sys.argv[1]))
names = {s["service_name"]: s["service_type"] for s in data["services"]}
assert names.get("flower") == "flower", names
assert names.get("gunicorn") == "gunicorn", names
assert data["settings"]["flower"]["port"] == 5556, data["settings"]["flower"]
PY
ok "the installed galaxyctl loads gunicorn and flower from $prefix without GRAVITY_PLUGIN_PATH"

out=$("$prefix/bin/galaxy" --help 2>&1) || fail "installed galaxy --help: $out"
ok "the installed galaxy runs"

# ---- a first-party backend that is not installed: the hint names the package that ships it
# (debian/*.install), from galaxyctl itself, since the missing module cannot be read
for backend in supervisor systemd; do
	rm "$prefix/lib/galaxyctl/backends/$backend.so"
	package=galaxyctl-backend-$backend
	grep_q "^usr/lib/\*/galaxyctl/backends/$backend.so\$" "$top_srcdir/debian/$package.install" ||
		fail "debian/$package.install does not ship $backend.so"
	rc=0
	"$prefix/bin/galaxyctl" -c "$cfg" --backend "$backend" status >"$work/missing.out" \
		2>"$work/missing.err" || rc=$?
	[ "$rc" != 0 ] || fail "status on a missing $backend backend succeeded"
	grep_q "the $backend backend is not installed (install the $package package)" \
		"$work/missing.err" || fail "no install hint for $backend: $(cat "$work/missing.err")"
done
ok "a missing supervisor or systemd backend: galaxyctl names the package to install (exit $rc)"
