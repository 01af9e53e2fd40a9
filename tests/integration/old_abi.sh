#!/bin/bash
# SPDX-License-Identifier: MIT
# Modules built for plugin ABI 1.0 (tests/plugins/tp_abi10_*.c): a service type and a backend,
# both "vintage", loaded from $GRAVITY_PLUGIN_PATH by this galaxyctl.  They load and work (the
# service expands and its command renders; the backend's update writes it), and the core calls
# none of the backend's slots newer than 1.0 (check, process_names, plan: traps in the module
# that say so on stderr): update --dry-run says that the backend cannot tell, and names resolve
# without its process names.
set -euo pipefail

. "${GX_TOP_SRCDIR:-$(dirname "$0")/../..}/tests/integration/lib.sh"

make_work oldabi
mkdir -p "$work/plugins"
for m in tp_abi10_service tp_abi10_backend; do
	[ -f "$top_builddir/tests/plugins/.libs/$m.so" ] || fail "$m.so missing (make check builds it)"
	cp "$top_builddir/tests/plugins/.libs/$m.so" "$work/plugins/"
done

make_standin
cat >"$cfg" <<EOF
gravity:
  virtualenv: $root/venv
  vintage:
    port: 8123
  celery:
    enable: false
    enable_beat: false
galaxy:
EOF
gx() { GRAVITY_PLUGIN_PATH=$work/plugins "$galaxyctl" -c "$cfg" --state-dir "$work/state" "$@"; }
no_trap() {
	if grep_q 'newer than this module' "$work/$1.err"; then
		fail "$1: the core used a slot newer than ABI 1.0: $(cat "$work/$1.err")"
	fi
}

# ---- the 1.0 service type expands and its command renders through the core
gx exec --no-exec vintage >"$work/exec.out" 2>"$work/exec.err" || fail "exec --no-exec: $(cat "$work/exec.err")"
grep_q "^Executing: .* vintage-serve --port 8123\$" "$work/exec.out" ||
	fail "exec --no-exec vintage: $(cat "$work/exec.out")"
ok "the ABI 1.0 service type expands; exec --no-exec prints its command"

# ---- the 1.0 backend's update writes every service's command; check is not called
gx --backend vintage update >"$work/update.out" 2>"$work/update.err" || {
	no_trap update
	fail "update on the ABI 1.0 backend: $(cat "$work/update.err")"
}
no_trap update
rendered=$work/state/vintage.txt
[ -f "$rendered" ] || fail "the ABI 1.0 backend wrote no $rendered: $(ls -R "$work/state")"
grep_q "^vintage: vintage-serve --port 8123\$" "$rendered" || fail "vintage.txt: $(cat "$rendered")"
grep_q '^gunicorn: .*gunicorn' "$rendered" || fail "vintage.txt has no gunicorn: $(cat "$rendered")"
ok "update on the ABI 1.0 backend renders the services, with no check call"

# ---- update --dry-run: the backend cannot tell (no plan call), and nothing changes
cp "$rendered" "$work/before.txt"
sed -i 's/port: 8123/port: 8124/' "$cfg"
rc=0
gx --backend vintage update --dry-run >"$work/dryrun.out" 2>"$work/dryrun.err" || rc=$?
no_trap dryrun
[ "$rc" = 4 ] || fail "update --dry-run exited $rc (want 4): $(cat "$work/dryrun.err")"
grep_q "the vintage backend cannot tell what update would do" "$work/dryrun.err" ||
	fail "update --dry-run: $(cat "$work/dryrun.err")"
cmp -s "$work/before.txt" "$rendered" || fail "update --dry-run changed $rendered"
ok "update --dry-run on the ABI 1.0 backend says it cannot tell and changes nothing"

# ---- names: service and instance names resolve without process names from the backend
rc=0
gx --backend vintage status vintage >"$work/status.out" 2>"$work/status.err" || rc=$?
no_trap status
[ "$rc" = 0 ] || [ "$rc" = 3 ] || fail "status vintage exited $rc: $(cat "$work/status.err")"
grep_q 'vintage' "$work/status.out" || fail "status vintage: $(cat "$work/status.out")"
grep_q 'gunicorn' "$work/status.out" && fail "status vintage lists gunicorn: $(cat "$work/status.out")"
rc=0
gx --backend vintage status gunicorn:gunicorn_0 >"$work/procname.out" 2>"$work/procname.err" || rc=$?
no_trap procname
[ "$rc" != 0 ] && [ "$rc" != 3 ] || fail "a process name resolved on a backend with no process_names"
ok "names resolve on the ABI 1.0 backend without process_names ('vintage' alone; no 'gunicorn:gunicorn_0')"
