#!/bin/bash
# SPDX-License-Identifier: MIT
# By hand, as root, after `dpkg-buildpackage -us -uc -b`: installs the galaxyctl .deb alone,
# checks the missing-backend hint and the direct backend, then removes the package again.
# Usage: tests/packaging/deb.sh [DIR-HOLDING-THE-DEBS]   (default: the source tree's parent)
set -euo pipefail

top_srcdir=$(cd "$(dirname "$0")/../.." && pwd)
debdir=${1:-$(dirname "$top_srcdir")}
deb=$(ls "$debdir"/galaxyctl_*.deb 2>/dev/null | tail -1)

fail() { echo "FAIL: $*" >&2; exit 1; }
ok() { echo "ok: $*"; }

[ "$(id -u)" = 0 ] || fail "run as root (dpkg -i)"
[ -n "$deb" ] || fail "no galaxyctl_*.deb in $debdir"
dpkg-query -W -f '${Status}' galaxyctl 2>/dev/null | grep -q ' installed$' &&
	fail "galaxyctl is installed already; this test installs and removes it"
for p in galaxyctl-backend-supervisor galaxyctl-backend-systemd galaxyctl-dev; do
	dpkg-query -W -f '${Status}' "$p" 2>/dev/null | grep -q ' installed$' &&
		fail "$p is installed; the test wants galaxyctl alone"
done

work=$(mktemp -d /tmp/gx-deb-XXXXXX)
chmod 755 "$work"
root=$work/galaxy
cfg=$root/config/galaxy.yml
export GRAVITY_SKIP_SYSTEMD=1
unset GRAVITY_CONFIG_FILE GRAVITY_STATE_DIR GALAXY_CONFIG_FILE GALAXY_ROOT_DIR GRAVITY_PLUGIN_PATH

cleanup() {
	[ -x /usr/bin/galaxyctl ] &&
		timeout 30 /usr/bin/galaxyctl -c "$cfg" --backend direct shutdown >/dev/null 2>&1
	dpkg -r galaxyctl >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT

dpkg -i "$deb" >"$work/dpkg.log" 2>&1 || fail "dpkg -i $deb: $(cat "$work/dpkg.log")"
ok "installed $(basename "$deb")"
for f in /usr/bin/galaxyctl /usr/bin/galaxy; do [ -x "$f" ] || fail "$f missing"; done
files=$(dpkg -L galaxyctl)
grep -q '/backends/direct\.so$' <<<"$files" || fail "no direct.so in the package"
grep -q '/backends/galaxyctl-direct$' <<<"$files" || fail "no galaxyctl-direct in the package"
grep -q '/services/gunicorn\.so$' <<<"$files" || fail "no gunicorn.so in the package"
grep -q '/backends/\(supervisor\|systemd\)\.so$\|\.la$\|\.h$' <<<"$files" &&
	fail "galaxyctl holds what belongs elsewhere: $files"
ok "galaxyctl holds the core, the service modules and the direct backend alone"

"$top_srcdir/tests/fixtures/galaxy-standin/make-standin.sh" "$root" >/dev/null
cat >"$cfg" <<EOF
gravity:
  galaxy_root: $root
  virtualenv: $root/venv
  gunicorn:
    bind: unix:$work/gunicorn.sock
    start_timeout: 2
  celery:
    concurrency: 1
    start_timeout: 2
galaxy:
  brand: deb-test
EOF

rc=0
out=$(/usr/bin/galaxyctl -c "$cfg" --backend supervisor start 2>&1) || rc=$?
echo "$out"
[ "$rc" != 0 ] || fail "--backend supervisor start worked without the backend package"
case "$out" in
*"not installed"*"galaxyctl-backend-supervisor"*) ;;
*) fail "--backend supervisor: no hint naming galaxyctl-backend-supervisor: $out" ;;
esac
ok "--backend supervisor: not installed, install galaxyctl-backend-supervisor (exit $rc)"

out=$(/usr/bin/galaxyctl -c "$cfg" --backend direct start 2>&1) || fail "direct start: $out"
echo "$out"
status=$(/usr/bin/galaxyctl -c "$cfg" --backend direct status 2>&1) || true
echo "$status"
grep -q '^gunicorn  *\(STARTING\|RUNNING\)' <<<"$status" || fail "direct status: $status"
. "$top_srcdir/tests/integration/direct_paths.sh"
mgr=$(cat "$(own_dir "$root/database/gravity")/manager.pid") # as root: /run/galaxyctl/<hash>
exe=$(readlink "/proc/$mgr/exe")
case "$exe" in
/usr/lib/*/galaxyctl/backends/galaxyctl-direct) ;;
*) fail "the direct manager runs $exe, not the packaged galaxyctl-direct" ;;
esac
/usr/bin/galaxyctl -c "$cfg" --backend direct shutdown >/dev/null 2>&1 || fail "direct shutdown"
for _ in $(seq 1 50); do
	kill -0 "$mgr" 2>/dev/null || break
	sleep 0.2
done
kill -0 "$mgr" 2>/dev/null && fail "the manager $mgr still runs 10 s after shutdown"
ok "--backend direct starts the stand-in's services and shuts down"

dpkg -r galaxyctl >"$work/dpkg.log" 2>&1 || fail "dpkg -r: $(cat "$work/dpkg.log")"
[ ! -e /usr/bin/galaxyctl ] || fail "/usr/bin/galaxyctl is left after dpkg -r"
ok "dpkg -r galaxyctl removes it again"
