#!/bin/bash
# SPDX-License-Identifier: MIT
# direct backend, in a private pid namespace: after kill -9 of the manager, a pid its record names
# is reused by an unrelated `setsid sleep` of nobody's, which then leads a group of that number
# and started after the record; the next start leaves it alone.
set -euo pipefail

[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
if [ -z "${GX_IN_PIDNS:-}" ]; then
	unshare --pid --fork --mount-proc true 2>/dev/null ||
		{ echo "SKIP: cannot make a pid namespace (unshare --pid --fork --mount-proc)"; exit 77; }
	GX_IN_PIDNS=1 exec unshare --pid --fork --mount-proc "$BASH" "$0" "$@"
fi
. "$(dirname "$0")/direct_lib.sh"
id nobody >/dev/null 2>&1 || { echo "SKIP: needs the nobody user"; exit 77; }

write_config <<'EOF'
gravity:
  process_manager: direct
  galaxy_root: @ROOT@
  virtualenv: @ROOT@/venv
  gunicorn:
    enable: false
  celery:
    enable: false
    enable_beat: false
  handlers:
    handler:
      processes: 1
      start_timeout: 1
galaxy:
  brand: direct-test
EOF

gx start >"$work/start.out" 2>&1 || fail "start failed"
wait_up_to 20 state_is handler RUNNING || fail "handler did not reach RUNNING"
handler=$(field handler pid)
grep -q "^$handler " "$ddir/children" || fail "the record does not name the handler: $(cat "$ddir/children")"

# The crash, and the handler gone with it (this shell, pid 1 here, reaps it).
kill -KILL "$(manager_pid)"
kill -KILL "$handler" 2>/dev/null || true
wait_up_to 10 sh -c "! test -e /proc/$handler" || fail "the handler's pid $handler was not freed"

# The next process of this namespace gets the handler's pid: setsid(1) does not fork here (no
# group leader), so the sleep of nobody's leads a new group numbered as the handler was.
reused=
for attempt in 1 2 3 4 5; do
	echo $((handler - 1)) >/proc/sys/kernel/ns_last_pid
	setsid setpriv --reuid=nobody --regid=nogroup --clear-groups sleep 300 </dev/null >/dev/null 2>&1 &
	pid=$!
	extra_pids+=("$pid")
	[ "$pid" = "$handler" ] && { reused=$pid; break; }
	kill -KILL "$pid"
	wait "$pid" 2>/dev/null || true
done
[ -n "$reused" ] || fail "could not get pid $handler again (ns_last_pid)"
wait_up_to 5 sh -c "grep -q '^Uid:[[:space:]]*$(id -u nobody)' /proc/$reused/status" || fail "the sleep does not run as nobody"
[ "$(awk '{ sub(/.*\) /, ""); print $3 }' "/proc/$reused/stat")" = "$reused" ] ||
	fail "the sleep does not lead its own group"

gx start >"$work/start2.out" 2>&1 || fail "start after the crash failed"
wait_up_to 20 state_is handler RUNNING || fail "handler did not come back after the crash"
kill -0 "$reused" 2>/dev/null && ! grep -q '^State:.*Z' "/proc/$reused/status" ||
	fail "the next start killed pid $reused, an unrelated process that reused a recorded pid"
grep -q "killing what a previous manager left running" "$ddir/manager.log" &&
	fail "the next start killed something: $(grep killing "$ddir/manager.log")"
gx stop >/dev/null 2>&1 || fail "stop failed"
echo "PASS"
