#!/bin/bash
# SPDX-License-Identifier: MIT
# direct backend: start (twice at once), status, the services' process setup, the control socket,
# follow, stop.
set -euo pipefail
. "$(dirname "$0")/direct_lib.sh"

write_config <<'EOF'
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
    umask: '027'
galaxy:
  brand: direct-test
EOF

# Two galaxyctl runs at once: the lock serialises them, one manager results.
GX_DIRECT_TEST_MARKER=leak gx start >"$work/start1.out" 2>&1 &
first=$!
GX_DIRECT_TEST_MARKER=leak gx start >"$work/start2.out" 2>&1 || fail "the second start failed"
wait "$first" || fail "the first start failed"
grep -q '^gunicorn  *STARTING\|^gunicorn  *RUNNING' "$work/start1.out" ||
	fail "start did not print the status table"
grep -q 'Log files are in' "$work/start1.out" || fail "start did not say where the logs are"
[ "$(grep -c 'spawned:' "$ddir/manager.log")" = 3 ] ||
	fail "two starts at once spawned something twice"

mgr=$(manager_pid)
[ -n "$mgr" ] && kill -0 "$mgr" || fail "no manager runs"
[ "$(stat -c %a "$ddir/manager.sock")" = 600 ] || fail "the control socket is not mode 0600"
echo "manager pid $mgr, VmRSS $(proc_status "$mgr" VmRSS) kB"

for name in gunicorn celery celery-beat; do
	wait_up_to 20 state_is "$name" RUNNING || fail "$name did not reach RUNNING"
done
curl -sf --unix-socket "$work/gunicorn.sock" http://localhost/api/version | grep_q version_major ||
	fail "gunicorn does not answer"
for log in gunicorn celery celery-beat; do
	wait_up_to 20 test -s "$state/log/$log.log" || fail "no output in $state/log/$log.log"
done

# Each process: its own group, cwd galaxy_root, its umask, exactly the environment built for it.
celery=$(field celery pid)
[ "$(ps -o pgid= -p "$celery" | tr -d ' ')" = "$celery" ] || fail "celery does not lead its process group"
[ "$(readlink "/proc/$celery/cwd")" = "$root" ] || fail "celery does not run in galaxy_root"
[ "$(proc_status "$celery" Umask)" = 0027 ] || fail "celery's umask is not 027"
[ "$(proc_status "$(field gunicorn pid)" Umask)" = 0022 ] || fail "gunicorn's umask is not 022"
environ "$celery" >"$work/celery.env"
grep -q '^PYTHONPATH=lib\(:\|$\)' "$work/celery.env" || fail "PYTHONPATH=lib missing"
grep -qx "VIRTUAL_ENV=$root/venv" "$work/celery.env" || fail "VIRTUAL_ENV missing"
grep -q "^PATH=$root/venv/bin:" "$work/celery.env" || fail "PATH does not start with the venv"
grep -q GX_DIRECT_TEST_MARKER "$work/celery.env" && fail "galaxyctl's own environment leaked into celery"
grep -q '^status' "$work/celery.env" && fail "unexpected variable"

# A third start changes nothing; status says what runs.
gunicorn=$(field gunicorn pid)
gx start >/dev/null 2>&1 || fail "start on a running manager failed"
[ "$(field gunicorn pid)" = "$gunicorn" ] || fail "start restarted a running service"
[ "$(manager_pid)" = "$mgr" ] || fail "start replaced the manager"
gx status >"$work/status.out" || fail "status failed"
grep -q "^celery-beat  *RUNNING  *pid [0-9]*, uptime 0:00:" "$work/status.out" ||
	fail "status table: $(cat "$work/status.out")"
gx status --json | /usr/bin/python3 -c '
import json, sys
rows = json.load(sys.stdin)
assert [r["name"] for r in rows] == ["gunicorn", "celery", "celery-beat"], rows
for r in rows:
    assert r["state"] == "RUNNING" and r["pid"] > 0 and r["restarts"] == 0, r
    assert r["rss_kb"] > 1000 and r["log"].endswith("/log/" + r["name"] + ".log"), r
' || fail "status --json"

# Only root or the manager's user may talk to it.
if [ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1; then
	# A second name for the socket where nobody can reach it (as root, $ddir is in a 0700 dir).
	ln "$ddir/manager.sock" "$work/peer.sock"
	chmod 666 "$ddir/manager.sock"
	chmod 755 "$ddir"
	answer=$(setpriv --reuid=65534 --regid=65534 --clear-groups -- /usr/bin/python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
try:
    s.sendall(b"{\"op\": \"ping\"}\n")
    s.settimeout(5)
    print(s.recv(100) or "refused")
except OSError:
    print("refused")' "$work/peer.sock" 2>&1) || true
	rm -f "$work/peer.sock"
	chmod 600 "$ddir/manager.sock"
	chmod 700 "$ddir"
	[ "$answer" = refused ] || fail "another user got an answer: $answer"
	grep -q 'refused a control connection from uid 65534' "$ddir/manager.log" ||
		fail "the refused peer was not logged"
fi

# follow: the logs' last lines, then what comes, each prefixed; SIGINT ends it.
rc=0
timeout -s INT 3 "$galaxyctl" -c "$cfg" follow >"$work/follow.out" 2>&1 || rc=$?
[ "$rc" = 124 ] || fail "follow exited by itself ($rc): $(cat "$work/follow.out")"
grep -q '^gunicorn    | .*Listening at: unix:' "$work/follow.out" || fail "follow: $(head "$work/follow.out")"
grep -q '^celery-beat | ' "$work/follow.out" || fail "follow did not show celery-beat"
timeout -s INT 3 "$galaxyctl" -c "$cfg" follow --quiet >"$work/follow2.out" 2>&1 || true
grep -q "^direct | .*spawned: 'gunicorn'" "$work/follow2.out" ||
	fail "follow --quiet does not show the manager's log: $(head "$work/follow2.out")"

gx stop >"$work/stop.out" 2>&1 || fail "stop failed"
for name in gunicorn celery celery-beat; do
	grep -qx "$name: stopped" "$work/stop.out" || fail "stop did not report $name"
done
grep -qx 'All processes stopped, the direct manager will exit' "$work/stop.out" || fail "stop message"
grep -qx 'Shut down' "$work/stop.out" || fail "no 'Shut down'"
[ -d "/proc/$mgr" ] && ! grep -q "^State:.*Z" "/proc/$mgr/status" 2>/dev/null && fail "the manager still runs"
[ -e "$ddir/manager.sock" ] && fail "the socket was left behind"
[ -e "$ddir/manager.pid" ] && fail "the pid file was left behind"
wait_up_to 5 no_root_pids || fail "processes left after stop: $(root_pids)"

rc=0
gx status >"$work/status.out" 2>&1 || rc=$?
[ "$rc" = 3 ] || fail "status without a manager exited $rc, not 3 (nothing runs)"
grep -q '^gunicorn  *STOPPED' "$work/status.out" || fail "status without a manager: $(cat "$work/status.out")"
grep -q 'The direct manager is not running' "$work/status.out" || fail "status did not say the manager is down"
echo "PASS"
