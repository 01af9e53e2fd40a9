#!/bin/bash
# SPDX-License-Identifier: MIT
# direct backend: a rolling graceful of two gunicorns through nginx fails no request, with all up,
# with one stopped (refused; --start-if-stopped), and for one instance by its status name;
# paced by restart_delay and --delay; graceful of other services; restart; graceful and restart with no manager running.
set -euo pipefail
. "$(dirname "$0")/direct_lib.sh"

tusd_port=$(free_port)
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
  tusd:
    enable: true
    host: 127.0.0.1
    port: @TUSD_PORT@
    upload_dir: @WORK@/uploads
galaxy:
  brand: direct-test
  galaxy_infrastructure_url: http://localhost:8080/
EOF
sed -i "s|@TUSD_PORT@|$tusd_port|" "$cfg"

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

# nginx in front of both sockets, as production runs it; no request through it may fail.
. "$(dirname "$0")/rolling_lib.sh"
rl_nginx "$work/nginx" "$work/g0.sock" "$work/g1.sock"
trap 'rl_stop_nginx; direct_cleanup' EXIT
wait_up_to 10 rl_request || fail "nginx does not answer"
under_load() {
	local rc=0
	rl_under_load "$@" || rc=$?
	[ "$rl_failed" = 0 ] || fail "$rl_failed of $rl_served requests failed during: $*"
	[ "$rl_served" -ge 10 ] || fail "only $rl_served requests were made during: $*"
	return $rc
}
g0=$(field gunicorn:gunicorn_0 pid)
g1=$(field gunicorn:gunicorn_1 pid)
under_load gx graceful gunicorn || fail "graceful gunicorn failed: $(cat "$rl_dir/cmd.out")"
cp "$rl_dir/cmd.out" "$work/graceful.out"
[ "$(field gunicorn:gunicorn_0 pid)" != "$g0" ] || fail "gunicorn_0 was not restarted"
[ "$(field gunicorn:gunicorn_1 pid)" != "$g1" ] || fail "gunicorn_1 was not restarted"
for line in "Performing rolling restart on service: gunicorn" "Restarting gunicorn instance 0" \
	"Restarted gunicorn instance 0, waiting for readiness check..." "Restarting gunicorn instance 1"; do
	grep -qF "$line" "$work/graceful.out" || fail "graceful did not say: $line"
done
# One instance at a time: 0 was back before 1 went down.
awk '/stopped: gunicorn:gunicorn_1/ { exit !seen } /spawned: .gunicorn:gunicorn_0/ { seen = 1 }' \
	"$ddir/manager.log" || fail "the gunicorns were not restarted one at a time"

# One instance by the name status prints: stopped alone, the other untouched.
wait_up_to 20 state_is gunicorn:gunicorn_0 RUNNING || fail "gunicorn_0 did not reach RUNNING"
wait_up_to 20 state_is gunicorn:gunicorn_1 RUNNING || fail "gunicorn_1 did not reach RUNNING"
g0=$(field gunicorn:gunicorn_0 pid)
gx stop gunicorn:gunicorn_1 >"$work/stop1.out" 2>&1 || fail "stop gunicorn:gunicorn_1: $(cat "$work/stop1.out")"
grep -qx "gunicorn:gunicorn_1: stopped" "$work/stop1.out" && ! grep -q gunicorn_0 "$work/stop1.out" ||
	fail "stop gunicorn:gunicorn_1 said: $(cat "$work/stop1.out")"
rc=0
gx status gunicorn:gunicorn_1 >"$work/status1.out" 2>&1 || rc=$?
[ $rc = 3 ] && grep -q "^gunicorn:gunicorn_1 .*STOPPED" "$work/status1.out" && ! grep -q gunicorn_0 "$work/status1.out" ||
	fail "status gunicorn:gunicorn_1 exited $rc: $(cat "$work/status1.out")"
[ "$(field gunicorn:gunicorn_0 pid)" = "$g0" ] && state_is celery RUNNING || fail "stopping gunicorn_1 touched others"
# Without --start-if-stopped, a stopped instance means nothing is restarted (upstream #163).
g0=$(field gunicorn:gunicorn_0 pid)
if under_load gx graceful gunicorn; then
	fail "graceful went on with a stopped instance: $(cat "$rl_dir/cmd.out")"
fi
cp "$rl_dir/cmd.out" "$work/graceful0.out"
grep -q "Refusing to continue rolling restart, instance 1 check failed before restart (gunicorn: STOPPED)" \
	"$work/graceful0.out" && grep -q "nothing was restarted.*--start-if-stopped" "$work/graceful0.out" ||
	fail "graceful refused without naming the instance and the flag: $(cat "$work/graceful0.out")"
[ "$(field gunicorn:gunicorn_0 pid)" = "$g0" ] || fail "gunicorn_0 was restarted beside a stopped instance"
state_is gunicorn:gunicorn_1 STOPPED || fail "the refused graceful started gunicorn_1"
# With it, the stopped one is started and ready first; then only gunicorn_0 is restarted.
under_load gx graceful --start-if-stopped gunicorn ||
	fail "graceful --start-if-stopped failed: $(cat "$rl_dir/cmd.out")"
cp "$rl_dir/cmd.out" "$work/graceful1.out"
grep -q "Starting gunicorn instance 1 (it was STOPPED)" "$work/graceful1.out" ||
	fail "graceful did not start the stopped instance: $(cat "$work/graceful1.out")"
grep -q "Restarting gunicorn instance 1" "$work/graceful1.out" &&
	fail "the instance just started was restarted again: $(cat "$work/graceful1.out")"
# tusd (upstream #106): graceful leaves it alone, and --start-if-stopped starts it when stopped.
wait_up_to 20 state_is tusd RUNNING || fail "tusd did not reach RUNNING"
gx stop tusd >/dev/null 2>&1 || fail "stop tusd"
state_is tusd STOPPED || fail "tusd was not stopped"
wait_up_to 20 state_is gunicorn:gunicorn_1 RUNNING || fail "gunicorn_1 did not reach RUNNING"
gx graceful >"$work/graceful-tusd0.out" 2>&1 || fail "graceful with tusd stopped: $(cat "$work/graceful-tusd0.out")"
state_is tusd STOPPED || fail "graceful without --start-if-stopped started tusd"
gx graceful --start-if-stopped >"$work/graceful-tusd1.out" 2>&1 ||
	fail "graceful --start-if-stopped with tusd stopped: $(cat "$work/graceful-tusd1.out")"
grep -q "Starting tusd" "$work/graceful-tusd1.out" ||
	fail "graceful --start-if-stopped did not say it starts tusd: $(cat "$work/graceful-tusd1.out")"
wait_up_to 20 state_is tusd RUNNING || fail "graceful --start-if-stopped did not start tusd"
[ "$(field gunicorn:gunicorn_0 pid)" != "$g0" ] || fail "--start-if-stopped did not roll gunicorn_0"
state_is gunicorn:gunicorn_1 STARTING || state_is gunicorn:gunicorn_1 RUNNING || fail "gunicorn_1 is not up after --start-if-stopped"

# graceful of one instance by its status name rolls that one alone.
wait_up_to 20 state_is gunicorn:gunicorn_1 RUNNING || fail "gunicorn_1 did not reach RUNNING"
g0=$(field gunicorn:gunicorn_0 pid)
g1=$(field gunicorn:gunicorn_1 pid)
under_load gx graceful gunicorn:gunicorn_1 || fail "graceful gunicorn:gunicorn_1: $(cat "$rl_dir/cmd.out")"
grep -q "Restarting gunicorn instance 1" "$rl_dir/cmd.out" && ! grep -q "instance 0" "$rl_dir/cmd.out" ||
	fail "graceful gunicorn:gunicorn_1 said: $(cat "$rl_dir/cmd.out")"
[ "$(field gunicorn:gunicorn_0 pid)" = "$g0" ] && [ "$(field gunicorn:gunicorn_1 pid)" != "$g1" ] ||
	fail "graceful gunicorn:gunicorn_1 did not restart gunicorn_1 alone"
# restart by a pattern over status names, too.
gx restart 'gunicorn:*_0' >"$work/restart0.out" 2>&1 || fail "restart 'gunicorn:*_0': $(cat "$work/restart0.out")"
[ "$(field gunicorn:gunicorn_0 pid)" != "$g0" ] && ! grep -q gunicorn_1 "$work/restart0.out" ||
	fail "restart 'gunicorn:*_0' did not restart gunicorn_0 alone: $(cat "$work/restart0.out")"

# An instance that does not answer stops the rolling restart before anything is restarted.
wait_up_to 20 state_is gunicorn:gunicorn_0 RUNNING || fail "gunicorn_0 did not reach RUNNING"
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

# Paced (restart_delay on instance 0 in the config; --delay for one run, over it): 1 goes down only
# the delay after 0 is ready again, by their new processes' start times; progress is shown.
wait_up_to 20 state_is gunicorn:gunicorn_0 RUNNING && wait_up_to 20 state_is gunicorn:gunicorn_1 RUNNING ||
	fail "the gunicorns are not RUNNING before the paced restart"
sed -i '0,/restart_timeout: 8/s//restart_timeout: 8\n      restart_delay: 2/' "$cfg"
under_load gx graceful gunicorn || fail "graceful with restart_delay: $(cat "$rl_dir/cmd.out")"
rl_paced "$rl_dir/cmd.out" 2 restart_delay "$(field gunicorn:gunicorn_0 pid)" "$(field gunicorn:gunicorn_1 pid)" ||
	fail "restart_delay: 2 did not pace the rolling restart"
under_load gx graceful --delay 4 gunicorn || fail "graceful --delay 4: $(cat "$rl_dir/cmd.out")"
rl_paced "$rl_dir/cmd.out" 4 --delay "$(field gunicorn:gunicorn_0 pid)" "$(field gunicorn:gunicorn_1 pid)" ||
	fail "--delay 4 did not pace the rolling restart"
under_load gx graceful --delay 0 gunicorn || fail "graceful --delay 0: $(cat "$rl_dir/cmd.out")"
grep -q "^Waiting" "$rl_dir/cmd.out" && fail "--delay 0 still waited: $(cat "$rl_dir/cmd.out")"
rc=0
out=$(gx graceful --delay soon gunicorn 2>&1) || rc=$?
[ $rc = 2 ] && grep -q "'soon' is not a number of seconds" <<<"$out" || fail "--delay soon exited $rc: $out"

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
