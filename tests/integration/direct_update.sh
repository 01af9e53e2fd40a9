#!/bin/bash
# SPDX-License-Identifier: MIT
# direct backend: update restarts only the service whose command changed, adds and removes services;
# update --clean empties the manager, which then exits.
set -euo pipefail
. "$(dirname "$0")/direct_lib.sh"

config() {
	write_config <<EOF
gravity:
  process_manager: direct
  galaxy_root: @ROOT@
  virtualenv: @ROOT@/venv
  gunicorn:
    bind: unix:@WORK@/gunicorn.sock
    start_timeout: 2
  celery:
    concurrency: $1
    loglevel: INFO
    start_timeout: 2
    enable_beat: $2
$3
galaxy:
  brand: direct-test
EOF
}

config 1 true ""
gx start >/dev/null 2>&1 || fail "start failed"
for name in gunicorn celery celery-beat; do
	wait_up_to 20 state_is "$name" RUNNING || fail "$name did not reach RUNNING"
done
gunicorn=$(field gunicorn pid)
celery=$(field celery pid)
beat=$(field celery-beat pid)

# Nothing changed: nothing restarts.
gx update >"$work/update0.out" 2>&1 || fail "update failed"
grep -q 'service' "$work/update0.out" && fail "an update without changes changed: $(cat "$work/update0.out")"
[ "$(field celery pid)" = "$celery" ] || fail "an update without changes restarted celery"

# Run from a shell with another PATH: the programs' PATH rests on the manager's, so nothing changes.
PATH=/opt/elsewhere/bin:$PATH gx update >"$work/update0b.out" 2>&1 || fail "update failed"
grep -q 'service' "$work/update0b.out" && fail "another PATH changed services: $(cat "$work/update0b.out")"
[ "$(field celery pid)" = "$celery" ] || fail "an update from another PATH restarted celery"
tr '\0' '\n' <"/proc/$celery/environ" | grep_q -x "PATH=$root/venv/bin:$PATH" ||
	fail "celery's PATH: $(tr '\0' '\n' <"/proc/$celery/environ" | grep '^PATH=')"

# celery's command changes: only celery restarts.
config 2 true ""
gx update >"$work/update1.out" 2>&1 || fail "update failed"
grep -qx 'Updating service celery' "$work/update1.out" || fail "update: $(cat "$work/update1.out")"
[ "$(field celery pid)" != "$celery" ] || fail "celery was not restarted"
cmdline "$(field celery pid)" | grep_q -- '--concurrency 2' ||
	fail "celery does not run the new command"
[ "$(field gunicorn pid)" = "$gunicorn" ] || fail "gunicorn was restarted"
[ "$(field celery-beat pid)" = "$beat" ] || fail "celery-beat was restarted"

# celery-beat goes, two handlers come.
config 2 false "  handlers:
    handler:
      processes: 2
      start_timeout: 1"
gx update >"$work/update2.out" 2>&1 || fail "update failed"
grep -qx 'Removing service celery-beat' "$work/update2.out" || fail "update: $(cat "$work/update2.out")"
grep -qx 'Adding service handler:handler_0' "$work/update2.out" || fail "update: $(cat "$work/update2.out")"
kill -0 "$beat" 2>/dev/null && ! grep -q '^State:.*Z' "/proc/$beat/status" && fail "celery-beat still runs"
gx status >"$work/status.out" || true
grep -q '^celery-beat' "$work/status.out" && fail "celery-beat is still listed"
wait_up_to 10 state_is handler:handler_1 RUNNING || fail "the added handler did not start"
[ "$(field gunicorn pid)" = "$gunicorn" ] || fail "gunicorn was restarted"
grep -q 'server_name=handler_1' "$state/log/handler_1.log" || fail "handler_1 logged nothing"

# --clean: every program goes, and the manager with them.
gx update --clean >"$work/update3.out" 2>&1 || fail "update --clean failed"
grep -qx 'Removing service gunicorn' "$work/update3.out" || fail "update --clean: $(cat "$work/update3.out")"
grep -qx 'No programs left, the direct manager will exit' "$work/update3.out" ||
	fail "update --clean: $(cat "$work/update3.out")"
[ -e "$ddir/manager.pid" ] && fail "the manager did not exit"
wait_up_to 10 no_root_pids || fail "processes left after update --clean: $(root_pids)"

# The instance moves to supervisor: update goes to the direct backend too, which points out the
# manager still running it (a `galaxy` session or --backend direct may be meant) without stopping
# it; supervisor gets its files, and nothing starts there.
config 1 false ""
gx start >/dev/null 2>&1 || fail "start failed"
wait_up_to 20 state_is celery RUNNING || fail "celery did not reach RUNNING"
celery=$(field celery pid)
sed -i 's/process_manager: direct/process_manager: supervisor/' "$cfg"
gx update >"$work/update4.out" 2>&1 || fail "update after the move: $(cat "$work/update4.out")"
grep -q "warning: a direct manager (pid $(manager_pid), $state) may still run instance _default_, whose process_manager is now supervisor: unless it was started on purpose (galaxy, --backend direct), stop it with \`galaxyctl --backend direct -c $cfg shutdown\`" "$work/update4.out" ||
	fail "no warning about the manager: $(cat "$work/update4.out")"
grep -qx 'Adding service celery' "$work/update4.out" || fail "supervisor got no files: $(cat "$work/update4.out")"
kill -0 "$celery" || fail "update stopped what the direct manager runs"
[ -e "$state/supervisor/supervisord.pid" ] && fail "update started supervisord"
gx --backend direct shutdown >/dev/null 2>&1 || fail "shutdown with --backend direct"
wait_up_to 10 no_root_pids || fail "processes left after the shutdown: $(root_pids)"
echo "PASS"
