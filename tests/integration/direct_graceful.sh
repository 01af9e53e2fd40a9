#!/bin/bash
# SPDX-License-Identifier: MIT
# direct backend: a rolling graceful of two gunicorns under a request loop fails no request;
# graceful of other services; restart; graceful and restart with no manager running.
set -euo pipefail
. "$(dirname "$0")/direct_lib.sh"

write_config <<'EOF'
gravity:
  process_manager: direct
  galaxy_root: @ROOT@
  virtualenv: @ROOT@/venv
  gunicorn:
    - bind: unix:@WORK@/g0.sock
      start_timeout: 2
      restart_timeout: 8
    - bind: unix:@WORK@/g1.sock
      start_timeout: 2
      restart_timeout: 8
  celery:
    concurrency: 1
    loglevel: INFO
    start_timeout: 2
    enable_beat: false
galaxy:
  brand: direct-test
EOF

# With no manager running, graceful starts everything and says the command was ignored.
gx graceful >"$work/graceful0.out" 2>&1 || fail "graceful with no manager failed"
grep -q "the direct manager was not previously running; it has been started, so the 'graceful' command has been ignored" \
	"$work/graceful0.out" || fail "graceful with no manager: $(cat "$work/graceful0.out")"
for name in gunicorn:gunicorn_0 gunicorn:gunicorn_1 celery; do
	wait_up_to 20 state_is "$name" RUNNING || fail "$name did not reach RUNNING"
done
for sock in g0 g1; do
	wait_up_to 10 curl -sf --unix-socket "$work/$sock.sock" http://localhost/api/version >/dev/null ||
		fail "$sock does not answer"
done

# The request loop: each request goes to one gunicorn, then to the other if the first fails.
request_loop() {
	local ok=0 failed=0 i=0 a b
	while [ ! -e "$work/stop-loop" ] && [ $i -lt 5000 ]; do
		i=$((i + 1))
		a=$work/g$((i % 2)).sock
		b=$work/g$(((i + 1) % 2)).sock
		if curl -sf -m 5 --unix-socket "$a" http://localhost/api/version >/dev/null ||
			curl -sf -m 5 --unix-socket "$b" http://localhost/api/version >/dev/null; then
			ok=$((ok + 1))
		else
			failed=$((failed + 1))
		fi
	done
	echo "$ok $failed" >"$work/loop.result"
}
request_loop &
loop=$!
sleep 1
g0=$(field gunicorn:gunicorn_0 pid)
g1=$(field gunicorn:gunicorn_1 pid)
gx graceful gunicorn >"$work/graceful.out" 2>&1 || fail "graceful gunicorn failed"
sleep 1
touch "$work/stop-loop"
wait "$loop"
read -r ok failed <"$work/loop.result"
echo "requests during the rolling restart: $ok served, $failed failed"
[ "$failed" = 0 ] || fail "$failed requests failed during the rolling restart"
[ "$ok" -gt 10 ] || fail "only $ok requests were made"
[ "$(field gunicorn:gunicorn_0 pid)" != "$g0" ] || fail "gunicorn_0 was not restarted"
[ "$(field gunicorn:gunicorn_1 pid)" != "$g1" ] || fail "gunicorn_1 was not restarted"
for line in "Performing rolling restart on service: gunicorn" "Restarting gunicorn instance 0" \
	"Restarted gunicorn instance 0, waiting for readiness check..." "Restarting gunicorn instance 1"; do
	grep -qF "$line" "$work/graceful.out" || fail "graceful did not say: $line"
done
# One instance at a time: 0 was back before 1 went down.
awk '/stopped: gunicorn:gunicorn_1/ { exit !seen } /spawned: .gunicorn:gunicorn_0/ { seen = 1 }' \
	"$ddir/manager.log" || fail "the gunicorns were not restarted one at a time"

# A stopped instance: refused by default, started first with --start-if-stopped.
gx pm status >"$work/pm.out" || fail "pm status failed"
grep -q '^gunicorn:gunicorn_1 ' "$work/pm.out" || fail "pm status: $(cat "$work/pm.out")"
/usr/bin/python3 - "$ddir/manager.sock" <<'PY' || fail "cannot stop one instance"
import json, socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall(b'{"op": "stop", "names": ["gunicorn:gunicorn_1"]}\n')
reply = json.loads(s.makefile().readline())
assert reply["ok"] and reply["programs"][0]["state"] == "STOPPED", reply
PY
# Without --start-if-stopped, a stopped instance means nothing is restarted (upstream #163).
g0=$(field gunicorn:gunicorn_0 pid)
if gx graceful gunicorn >"$work/graceful0.out" 2>&1; then
	fail "graceful went on with a stopped instance: $(cat "$work/graceful0.out")"
fi
grep -q "Refusing to continue rolling restart, instance 1 check failed before restart (gunicorn: STOPPED)" \
	"$work/graceful0.out" && grep -q "nothing was restarted.*--start-if-stopped" "$work/graceful0.out" ||
	fail "graceful refused without naming the instance and the flag: $(cat "$work/graceful0.out")"
[ "$(field gunicorn:gunicorn_0 pid)" = "$g0" ] || fail "gunicorn_0 was restarted beside a stopped instance"
state_is gunicorn:gunicorn_1 STOPPED || fail "the refused graceful started gunicorn_1"
# With it, the stopped one is started and ready first; then only gunicorn_0 is restarted.
gx graceful --start-if-stopped gunicorn >"$work/graceful1.out" 2>&1 ||
	fail "graceful --start-if-stopped failed: $(cat "$work/graceful1.out")"
grep -q "Starting gunicorn instance 1 (it was STOPPED)" "$work/graceful1.out" ||
	fail "graceful did not start the stopped instance: $(cat "$work/graceful1.out")"
grep -q "Restarting gunicorn instance 1" "$work/graceful1.out" &&
	fail "the instance just started was restarted again: $(cat "$work/graceful1.out")"
[ "$(field gunicorn:gunicorn_0 pid)" != "$g0" ] || fail "--start-if-stopped did not roll gunicorn_0"
state_is gunicorn:gunicorn_1 STARTING || state_is gunicorn:gunicorn_1 RUNNING || fail "gunicorn_1 is not up after --start-if-stopped"

# An instance that does not answer stops the rolling restart before anything is restarted.
wait_up_to 20 state_is gunicorn:gunicorn_1 RUNNING || fail "gunicorn_1 did not reach RUNNING"
g0=$(field gunicorn:gunicorn_0 pid)
kill -STOP -- "-$(field gunicorn:gunicorn_1 pid)" # master and worker
if timeout 60 "$galaxyctl" -c "$cfg" graceful gunicorn >"$work/graceful2.out" 2>&1; then
	fail "graceful went on with an instance that does not answer"
fi
kill -CONT -- "-$(field gunicorn:gunicorn_1 pid)"
grep -q "Refusing to continue rolling restart, instance 1 check failed before restart" \
	"$work/graceful2.out" || fail "graceful refused without saying why: $(cat "$work/graceful2.out")"
[ "$(field gunicorn:gunicorn_0 pid)" = "$g0" ] || fail "gunicorn_0 was restarted although 1 did not answer"

# celery's method is a restart; restart restarts.
celery=$(field celery pid)
gx graceful celery >"$work/graceful3.out" 2>&1 || fail "graceful celery failed"
grep -qx "celery: restarted" "$work/graceful3.out" || fail "graceful celery: $(cat "$work/graceful3.out")"
[ "$(field celery pid)" != "$celery" ] || fail "graceful did not restart celery"
celery=$(field celery pid)
gx restart celery >"$work/restart.out" 2>&1 || fail "restart failed"
grep -qx "celery: started" "$work/restart.out" || fail "restart: $(cat "$work/restart.out")"
[ "$(field celery pid)" != "$celery" ] || fail "restart did not restart celery"

gx stop >/dev/null 2>&1 || fail "stop failed"
gx restart >"$work/restart2.out" 2>&1 || fail "restart with no manager failed"
grep -q "so the 'restart' command has been ignored" "$work/restart2.out" || fail "restart with no manager"
wait_up_to 20 state_is celery RUNNING || fail "restart with no manager did not start celery"
gx stop >/dev/null 2>&1 || fail "stop failed"
wait_up_to 10 no_root_pids || fail "processes left after stop: $(root_pids)"
echo "PASS"
