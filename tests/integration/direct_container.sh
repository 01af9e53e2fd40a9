#!/bin/bash
# SPDX-License-Identifier: MIT
# direct backend as a container's PID 1 (a new PID namespace): orphans are reaped, signals are
# forwarded to the services, SIGTERM stops everything cleanly.
set -euo pipefail
. "$(dirname "$0")/direct_lib.sh"

[ "$(id -u)" = 0 ] || { echo "SKIP: needs root (for a PID namespace)"; exit 77; }
unshare -fp --mount-proc true 2>/dev/null || { echo "SKIP: cannot create a PID namespace here"; exit 77; }

write_config <<'EOF'
gravity:
  galaxy_root: @ROOT@
  virtualenv: @ROOT@/venv
  gunicorn:
    bind: unix:@WORK@/gunicorn.sock
    workers: 2
    start_timeout: 1
  celery:
    enable: false
    enable_beat: false
galaxy:
  brand: direct-test
EOF
gx_backend=direct

unshare -fp --mount-proc "$galaxyctl" -c "$cfg" --backend direct start -f >"$work/pid1.out" 2>&1 </dev/null &
ns=$!
extra_pids+=("$ns")
wait_up_to 10 sh -c "pgrep -P $ns >/dev/null" || fail "no PID 1 started"
gpid=$(pgrep -P "$ns" | head -n 1)
extra_pids+=("$gpid")
[ "$(awk '/^NSpid:/ { print $3 }' "/proc/$gpid/status")" = 1 ] || fail "galaxyctl is not PID 1 in its namespace"
wait_up_to 20 state_is gunicorn RUNNING || fail "gunicorn did not reach RUNNING"
wait_up_to 20 curl -sf --unix-socket "$work/gunicorn.sock" http://localhost/api/version >/dev/null ||
	fail "gunicorn does not answer"

# Signals for the services are forwarded (gunicorn reopens its logs on USR1).
kill -USR1 "$gpid"
wait_up_to 10 grep -q 'Handling signal: usr1' "$state/log/gunicorn.log" || fail "SIGUSR1 was not forwarded"

# kill -9 of gunicorn's master orphans its workers onto PID 1: they are killed and reaped.
master=$(pgrep -P "$gpid" | head -n 1)
workers=$(pgrep -P "$master" | tr '\n' ' ')
[ -n "$workers" ] || fail "gunicorn has no workers"
kill -KILL "$master"
no_zombies() {
	! ps -o stat= --ppid "$gpid" | grep_q Z
}
workers_gone() {
	local w
	for w in $workers; do
		[ -d "/proc/$w" ] && return 1
	done
	return 0
}
wait_up_to 10 workers_gone || fail "orphaned workers were not reaped: $workers"
wait_up_to 5 no_zombies || fail "zombies under PID 1: $(ps -o pid,stat,cmd --ppid "$gpid")"
wait_up_to 20 state_is gunicorn RUNNING || fail "gunicorn was not restarted"

kill -TERM "$gpid"
rc=0
wait "$ns" || rc=$?
[ "$rc" = 0 ] || fail "PID 1 exited with $rc after SIGTERM: $(tail -n 20 "$work/pid1.out")"
grep -q 'received SIGTERM (from pid [0-9]*), stopping every program' "$work/pid1.out" || fail "SIGTERM was not reported"
wait_up_to 5 no_root_pids || fail "processes left: $(root_pids)"
echo "PASS"
