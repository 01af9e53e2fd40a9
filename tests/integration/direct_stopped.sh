#!/bin/bash
# SPDX-License-Identifier: MIT
# direct backend: a stopped (SIGSTOP) manager makes no command hang, and nothing asked of it runs
# once it is continued: not what a command refused to send, nor a request whose client gave up.
set -euo pipefail
. "$(dirname "$0")/direct_lib.sh"

write_config <<'EOF2'
gravity:
  process_manager: direct
  galaxy_root: @ROOT@
  virtualenv: @ROOT@/venv
  gunicorn:
    bind: unix:@WORK@/gunicorn.sock
    start_timeout: 2
  celery:
    concurrency: 1
    loglevel: INFO
    start_timeout: 2
galaxy:
  brand: direct-test
EOF2

gx start >/dev/null 2>&1 || fail "start failed"
for name in gunicorn celery celery-beat; do
	wait_up_to 20 state_is "$name" RUNNING || fail "$name did not reach RUNNING"
done
pids() { echo "$(field gunicorn pid) $(field celery pid) $(field celery-beat pid)"; }
before=$(pids)
mgr=$(manager_pid)

kill -STOP "$mgr"
for cmd in status stop graceful restart; do
	rc=0
	timeout 60 "$galaxyctl" -c "$cfg" $cmd >"$work/$cmd.out" 2>&1 || rc=$?
	if [ "$rc" = 0 ] || [ "$rc" = 124 ] ||
		! grep -q "the direct manager of .* (pid $mgr) cannot answer: it is stopped (T); nothing was sent" "$work/$cmd.out"; then
		kill -CONT "$mgr"
		fail "$cmd on a stopped manager exited $rc: $(cat "$work/$cmd.out")"
	fi
done

# A client that gives up while the manager is stopped: its request is read with the hang-up.
/usr/bin/python3 - "$ddir/manager.sock" <<'PY' || { kill -CONT "$mgr"; fail "cannot send to the socket"; }
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall(b'{"op": "stop"}\n')
s.close()
PY
kill -CONT "$mgr"
sleep 2
[ "$(pids)" = "$before" ] || fail "something was stopped or restarted after SIGCONT: $before -> $(pids)"
for name in gunicorn celery celery-beat; do
	state_is "$name" RUNNING || fail "$name is not RUNNING after SIGCONT"
done
grep -q "dropped a stop request: its client gave up waiting" "$ddir/manager.log" ||
	fail "the given-up request was not logged as dropped"
echo "ok - a stopped manager: status, stop, graceful and restart fail at once; nothing runs later"

gx stop >/dev/null 2>&1 || fail "stop failed"
wait_up_to 10 no_root_pids || fail "processes left after stop: $(root_pids)"
echo "PASS"
