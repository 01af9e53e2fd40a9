#!/bin/bash
# SPDX-License-Identifier: MIT
# direct backend: kill -9 of a service (restarted), a service that cannot start (FATAL), memory_limit
# and memory_high, kill -9 of the manager (no orphan; the next start works and kills what an earlier
# crash left, and only what its record proves to be that: no line that does not parse exactly).
set -euo pipefail
. "$(dirname "$0")/direct_lib.sh"

write_config <<'EOF'
gravity:
  process_manager: direct
  galaxy_root: @ROOT@
  virtualenv: @ROOT@/venv
  start_retries: 2
  gunicorn:
    bind: unix:@WORK@/gunicorn.sock
    start_timeout: 2
  celery:
    concurrency: 1
    loglevel: INFO
    start_timeout: 60
    extra_args: --no-such-option
  handlers:
    hungry:
      processes: 1
      start_timeout: 1
      memory_limit: 0.001
    heavy:
      processes: 1
      start_timeout: 1
      memory_high: 0.001
galaxy:
  brand: direct-test
  job_config:
    handling:
      assign: [db-skip-locked]
EOF

gx start >"$work/start.out" 2>&1 || fail "start failed"
wait_up_to 20 state_is gunicorn RUNNING || fail "gunicorn did not reach RUNNING"

# kill -9 of a service: the manager restarts it.
old=$(field gunicorn pid)
kill -KILL "$old"
# RUNNING with another pid: the old one may read RUNNING until the manager has reaped it.
running_again() { [ "$(field gunicorn pid)" != "$old" ] && state_is gunicorn RUNNING; }
wait_up_to 10 running_again || fail "gunicorn was not restarted"
new=$(field gunicorn pid)
[ "$new" != "$old" ] || fail "gunicorn kept its pid"
[ "$(field gunicorn restarts)" = 1 ] || fail "restarts is $(field gunicorn restarts), not 1"
{ gx status || true; } | grep_q "^gunicorn  *RUNNING  *pid $new, uptime 0:00:0[0-9], restarts 1, last exit: killed by SIGKILL\$" ||
	fail "the status table does not show the restart: $(gx status)"
grep -q "exited: gunicorn (terminated by SIGKILL; not expected)" "$ddir/manager.log" ||
	fail "the manager did not log why gunicorn exited"
wait_up_to 10 curl -sf --unix-socket "$work/gunicorn.sock" http://localhost/api/version >/dev/null ||
	fail "the restarted gunicorn does not answer"

# celery exits at once (bad option): FATAL after start_retries failed starts.
wait_up_to 30 state_is celery FATAL || fail "celery did not go FATAL"
[ "$(field celery exit_status)" = 2 ] || fail "celery's exit status is not 2"
rc=0
gx status >"$work/status.out" || rc=$?
[ "$rc" = 3 ] || fail "status with celery FATAL exited $rc, not 3 (a service is not running)"
grep -q '^celery  *FATAL  *exit status 2 (2 failed starts)' "$work/status.out" ||
	fail "status does not say why celery is FATAL: $(cat "$work/status.out")"
grep -q "gave up: celery entered FATAL state, 2 failed starts in a row (last: exit status 2)" \
	"$ddir/manager.log" || fail "the manager did not log why celery is FATAL"
[ "$(grep -c "spawned: 'celery'" "$ddir/manager.log")" = 2 ] || fail "celery was not tried exactly twice"

# memory_limit (1 MB, less than any python holds): restarted, with the reason logged.
hungry=$(field hungry pid)
wait_up_to 15 grep -q "memory: hungry holds [0-9]* kB, over its memory_limit of 1048 kB: restarting it" \
	"$ddir/manager.log" || fail "memory_limit was not enforced"
pid_changed() {
	local now
	now=$(field "$1" pid)
	[ -n "$now" ] && [ "$now" != 0 ] && [ "$now" != "$2" ]
}
wait_up_to 10 pid_changed hungry "$hungry" || fail "hungry was not restarted"
grep -q "memory: heavy holds [0-9]* kB, over its memory_high of 1048 kB (without a cgroup it cannot be throttled)" \
	"$ddir/manager.log" || fail "memory_high was not reported"
[ "$(grep -c 'memory: heavy' "$ddir/manager.log")" = 1 ] || fail "memory_high was reported more than once"
[ "$(field heavy restarts)" = 0 ] || fail "memory_high restarted heavy"

# kill -9 of the manager: every service goes with it.
mgr=$(manager_pid)
kill -KILL "$mgr"
wait_up_to 15 no_root_pids || fail "orphans left after kill -9 of the manager: $(root_pids)"
[ -e "$ddir/manager.sock" ] || fail "expected a stale socket to test cleanup with"

# What a crash could leave (a process that ignored SIGTERM) is recorded; the next manager kills it,
# with its process group, and only what the record proves its own: the same boot, pid and start
# time.  A line that does not parse exactly (a name, a line a name could have injected, a wrong
# boot) is logged and ignored, and the decoy it names lives on.
setsid sh -c 'sleep 300 & exec sleep 301' </dev/null >/dev/null 2>&1 &
straggler=$!
decoy_pids=()
for i in 1 2 3; do
	setsid sleep 302 </dev/null >/dev/null 2>&1 &
	decoy_pids+=("$!")
done
extra_pids+=("$straggler" "${decoy_pids[@]}")
wait_up_to 5 test "$(pgrep -g "$straggler" | wc -l)" = 2 || fail "no straggler group"
straggler_member=$(pgrep -g "$straggler" | grep -vx "$straggler")
starttime() { awk '{ sub(/.*\) /, ""); print $20 }' "/proc/$1/stat"; }
boot_id=$(cat /proc/sys/kernel/random/boot_id)
other_boot=00000000-0000-0000-0000-000000000000
{
	echo "galaxyctl-direct-children 1 boot $boot_id"
	echo "$straggler $(starttime "$straggler") 0123456789abcdef"
	echo "${decoy_pids[0]} 0 injected"                               # line 3: a name
	echo "${decoy_pids[1]} $(starttime "${decoy_pids[1]}")"          # line 4: no key
	echo " ${decoy_pids[2]} $(starttime "${decoy_pids[2]}") 0123456789abcdef" # line 5: a space first
	echo "${decoy_pids[0]} $(($(starttime "${decoy_pids[0]}") - 1)) 0123456789abcdef" # 6: not its start
	printf '%s %s 0123456789abcdef' "${decoy_pids[1]}" "$(starttime "${decoy_pids[1]}")" # 7: no newline
} >"$ddir/children"
chmod 600 "$ddir/children"

gx start >"$work/start2.out" 2>&1 || fail "start after the crash failed"
[ "$(manager_pid)" != "$mgr" ] || fail "no new manager"
gone() { ! kill -0 "$1" 2>/dev/null || grep -q '^State:.*Z' "/proc/$1/status"; }
wait_up_to 10 gone "$straggler" || fail "the recorded leftover survived the next start"
wait_up_to 10 gone "$straggler_member" || fail "the recorded leftover's process group survived the next start"
for pid in "${decoy_pids[@]}"; do
	gone "$pid" && fail "the next start killed $pid, which no valid line of the record names"
done
grep -q "killing what a previous manager left running: pid $straggler (sleep: sleep 301) and its process group" \
	"$ddir/manager.log" || fail "the leftover kill was not logged"
for line in 3 4 5 7; do
	grep -q "$ddir/children:$line: ignored (" "$ddir/manager.log" ||
		fail "line $line of the record was not logged as ignored"
done
grep -q "children:6:" "$ddir/manager.log" && fail "line 6 (valid, but not its start time) was logged as bad"
[ -e "$ddir/children" ] && grep -q injected "$ddir/children" &&
	fail "the new manager kept the old record"
wait_up_to 20 state_is gunicorn RUNNING || fail "gunicorn did not come back after the crash"

# start revives a FATAL service (and it fails again).
gx start celery >/dev/null 2>&1 || fail "start celery failed"
wait_up_to 30 state_is celery FATAL || fail "celery did not go FATAL again"

gx stop >"$work/stop.out" 2>&1 || fail "stop failed"
grep -qx 'All processes stopped, the direct manager will exit' "$work/stop.out" ||
	fail "a FATAL service kept the manager up: $(cat "$work/stop.out")"
wait_up_to 10 no_root_pids || fail "processes left after stop: $(root_pids)"
echo "PASS"
