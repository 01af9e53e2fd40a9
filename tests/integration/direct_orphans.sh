#!/bin/bash
# SPDX-License-Identifier: MIT
# direct backend as root with galaxy_user: kill -9 of the manager takes every service along (their
# death signal survives the switch to nobody), status without a manager never says STOPPED for a
# process that still runs (ORPHANED), and the next start stops it.
set -euo pipefail
. "$(dirname "$0")/direct_lib.sh"

[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
id nobody >/dev/null 2>&1 || { echo "SKIP: needs the nobody user"; exit 77; }

# A handler that ignores SIGTERM, as a wedged service would: what a crash can leave running.
sed -i 's/^    signal.signal(signal.SIGINT, stop)$/&\n    if args.server_name.startswith("stubborn"):\n        signal.signal(signal.SIGTERM, signal.SIG_IGN)/' \
	"$root/scripts/galaxy-main"
grep -q stubborn "$root/scripts/galaxy-main" || fail "the stand-in was not patched"

mkdir "$work/sock"
chown nobody "$work/sock"
write_config <<'EOF'
gravity:
  process_manager: direct
  galaxy_root: @ROOT@
  virtualenv: @ROOT@/venv
  galaxy_user: nobody
  gunicorn:
    bind: unix:@WORK@/sock/gunicorn.sock
    start_timeout: 1
  celery:
    enable: false
    enable_beat: false
  handlers:
    handler:
      processes: 1
      start_timeout: 1
    stubborn:
      processes: 1
      start_timeout: 1
      stop_timeout: 1
galaxy:
  brand: direct-test
EOF

gx start >"$work/start.out" 2>&1 || fail "start failed"
for name in gunicorn handler stubborn; do
	wait_up_to 20 state_is "$name" RUNNING || fail "$name did not reach RUNNING"
done
nobody_uid=$(id -u nobody)
for name in gunicorn handler stubborn; do
	[ "$(proc_status "$(field "$name" pid)" Uid | cut -f1)" = "$nobody_uid" ] || fail "$name does not run as nobody"
done
stubborn=$(field stubborn pid)

# kill -9 of the manager: each service gets its SIGTERM; only the one that ignores it stays.
kill -KILL "$(manager_pid)"
only_stubborn() { [ "$(root_pids)" = "$stubborn" ]; }
wait_up_to 15 only_stubborn || fail "services left after kill -9 of the manager: $(for p in $(root_pids); do tr '\0' ' ' <"/proc/$p/cmdline"; echo; done)"

# status without a manager: the live one is not STOPPED, in the table or in JSON.
rc=0
gx status >"$work/status.out" 2>"$work/status.err" || rc=$?
grep -q "^stubborn  *RUNNING  *pid $stubborn, ORPHANED: runs unsupervised since its manager died (galaxyctl start stops it)\$" \
	"$work/status.out" || fail "status does not show the orphan: $(cat "$work/status.out")"
grep -q "1 process it started still runs unsupervised" "$work/status.err" ||
	fail "status does not warn of the orphan: $(cat "$work/status.err")"
grep -q '^gunicorn  *STOPPED' "$work/status.out" || fail "gunicorn is not STOPPED: $(cat "$work/status.out")"
[ "$(field stubborn state)" = RUNNING ] || fail "status --json says $(field stubborn state) for a live process"
[ "$(field stubborn pid)" = "$stubborn" ] || fail "status --json gives pid $(field stubborn pid), not $stubborn"

# The next start kills it (with SIGKILL, after SIGTERM did nothing) and starts all afresh.
gx start >"$work/start2.out" 2>&1 || fail "start after the crash failed"
wait_up_to 10 sh -c "! kill -0 $stubborn 2>/dev/null" || fail "the orphan survived the next start"
grep -q "killing what a previous manager left running: pid $stubborn (python3: .*--server-name=stubborn_0" \
	"$ddir/manager.log" || fail "the orphan's kill was not logged"
for name in gunicorn handler stubborn; do
	wait_up_to 20 state_is "$name" RUNNING || fail "$name did not come back after the crash"
done
gx stop >/dev/null 2>&1 || fail "stop failed"
wait_up_to 10 no_root_pids || fail "processes left after stop: $(root_pids)"
echo "PASS"
