#!/bin/bash
# SPDX-License-Identifier: MIT
# graceful on two gunicorns under supervisord is a rolling restart: through nginx, a request
# loop sees no failure, paced by --delay too; a stopped instance is started first; one that cannot come back is an error.
set -euo pipefail
. "$(dirname "$0")/supervisor_lib.sh"

if ! /usr/bin/python3 -c 'import gunicorn' 2>/dev/null || ! command -v curl >/dev/null; then
	echo "SKIP: Debian's gunicorn or curl is not installed"
	exit 77
fi

cfg=$root/config/galaxy.yml
sv=$root/database/gravity/supervisor
port=$(free_port)
watch_pidfile "$sv/supervisord.pid"
gx() { "$galaxyctl" -c "$cfg" "$@"; }
config() { # $1: the second gunicorn's extra_args
	cat >"$cfg" <<EOF
gravity:
  virtualenv: $root/venv
  gunicorn:
    - bind: unix:$work/g0.sock
      start_timeout: 1
      restart_timeout: 10
    - bind: unix:$work/g1.sock
      start_timeout: 1
      restart_timeout: 10
      extra_args: "$1"
  celery:
    enable: false
    enable_beat: false
galaxy:
  brand: rolling
EOF
}
status_json() { gx status --json 2>/dev/null; }
all_running() { all_in_state "$(status_json)" RUNNING; }
pid_of() { json_pid "$(status_json)" "$1"; }
answers() { curl -sf --max-time 2 --unix-socket "$1" http://localhost/api/version | grep_q version_major; }

# ---- nginx in front of both sockets, as production does
. "$(dirname "$0")/rolling_lib.sh"
rl_nginx "$work/nginx" "$work/g0.sock" "$work/g1.sock"
bgpids+=("$rl_nginx_pid")
under_load() { # the command, then the loop's verdict: no request may fail
	local rc=0
	rl_under_load "$@" || rc=$?
	[ "$rl_failed" = 0 ] || fail "$rl_failed of $rl_served requests failed during: $*"
	[ "$rl_served" -ge 10 ] || fail "only $rl_served requests were made during: $*"
	return $rc
}

# ---- start both
config ""
out=$(gx start 2>&1) || fail "start: $out"
grep -qx "gunicorn:gunicorn_0: started" <<<"$out" && grep -qx "gunicorn:gunicorn_1: started" <<<"$out" ||
	fail "start said: $out"
WAIT=30 wait_for all_running || fail "not RUNNING: $(gx status 2>&1)"
wait_for answers "$work/g0.sock" && wait_for answers "$work/g1.sock" || fail "gunicorns do not answer"
wait_for rl_request || fail "nginx does not answer"
ok "two gunicorns under supervisord: gunicorn:gunicorn_0 and gunicorn:gunicorn_1"

# ---- rolling restart under load
p0=$(pid_of gunicorn:gunicorn_0) p1=$(pid_of gunicorn:gunicorn_1)
under_load gx graceful || fail "graceful: $(cat "$rl_dir/cmd.out")"
out=$(cat "$rl_dir/cmd.out")
echo "$out"
want="Performing rolling restart on service: gunicorn
Restarting gunicorn instance 0
gunicorn:gunicorn_0: stopped
gunicorn:gunicorn_0: started
Restarted gunicorn instance 0, waiting for readiness check...
Restarting gunicorn instance 1
gunicorn:gunicorn_1: stopped
gunicorn:gunicorn_1: started
Restarted gunicorn instance 1, waiting for readiness check..."
[ "$(grep -v '^Gunicorn on ' <<<"$out")" = "$want" ] || fail "graceful said: $out"
[ "$(grep -c "^Gunicorn on unix:$work/g[01].sock running, version: 23.1.2 (disk version: 23.1.2)$" <<<"$out")" -ge 4 ] ||
	fail "readiness lines: $out"
[ "$(pid_of gunicorn:gunicorn_0)" != "$p0" ] && [ "$(pid_of gunicorn:gunicorn_1)" != "$p1" ] ||
	fail "not both gunicorns were restarted"
ok "graceful: rolling restart, one at a time, no failed request"

# ---- one instance by the name status prints: stopped alone, the other untouched
p0=$(pid_of gunicorn:gunicorn_0)
out=$(gx stop gunicorn:gunicorn_1 2>&1) || fail "stop gunicorn:gunicorn_1: $out"
grep -qx "gunicorn:gunicorn_1: stopped" <<<"$out" && ! grep -q "gunicorn_0" <<<"$out" ||
	fail "stop gunicorn:gunicorn_1 said: $out"
rc=0
out=$(gx status gunicorn:gunicorn_1 2>&1) || rc=$?
[ $rc = 3 ] && grep -q "^gunicorn:gunicorn_1 .*STOPPED" <<<"$out" && ! grep -q "gunicorn_0" <<<"$out" ||
	fail "status gunicorn:gunicorn_1 exited $rc: $out"
[ "$(pid_of gunicorn:gunicorn_0)" = "$p0" ] && answers "$work/g0.sock" || fail "stopping instance 1 touched instance 0"
ok "stop and status take one instance by its status name (gunicorn:gunicorn_1)"

# ---- a stopped instance: nothing is restarted, unless --start-if-stopped starts it first
rc=0
under_load gx graceful gunicorn || rc=$?
out=$(cat "$rl_dir/cmd.out")
[ $rc != 0 ] || fail "graceful with a stopped instance succeeded: $out"
grep -q "Refusing to continue rolling restart, instance 1 check failed before restart (gunicorn: STOPPED)" <<<"$out" &&
	grep -q "nothing was restarted; \`galaxyctl graceful --start-if-stopped\` starts it first" <<<"$out" ||
	fail "graceful with a stopped instance said: $out"
[ "$(pid_of gunicorn:gunicorn_0)" = "$p0" ] || fail "instance 0 was restarted beside a stopped one"
ok "graceful with a stopped instance refuses, names it and restarts nothing"
under_load gx graceful --start-if-stopped gunicorn || fail "graceful: $(cat "$rl_dir/cmd.out")"
out=$(cat "$rl_dir/cmd.out")
grep -qx "Starting gunicorn instance 1 (it was STOPPED)" <<<"$out" &&
	grep -qx "gunicorn:gunicorn_1: started" <<<"$out" &&
	grep -qx "Restarting gunicorn instance 0" <<<"$out" || fail "graceful said: $out"
grep -q "Restarting gunicorn instance 1" <<<"$out" && fail "the freshly started instance was restarted: $out"
[ "$(pid_of gunicorn:gunicorn_0)" != "$p0" ] || fail "instance 0 was not restarted"
WAIT=30 wait_for all_running || fail "not RUNNING: $(gx status 2>&1)"
ok "graceful --start-if-stopped starts the stopped instance, then rolls the others, under load"

# ---- graceful of one instance by its status name rolls that one alone
p0=$(pid_of gunicorn:gunicorn_0) p1=$(pid_of gunicorn:gunicorn_1)
under_load gx graceful gunicorn:gunicorn_1 || fail "graceful gunicorn:gunicorn_1: $(cat "$rl_dir/cmd.out")"
out=$(cat "$rl_dir/cmd.out")
grep -qx "Restarting gunicorn instance 1" <<<"$out" && ! grep -q "instance 0" <<<"$out" ||
	fail "graceful gunicorn:gunicorn_1 said: $out"
[ "$(pid_of gunicorn:gunicorn_0)" = "$p0" ] && [ "$(pid_of gunicorn:gunicorn_1)" != "$p1" ] ||
	fail "graceful gunicorn:gunicorn_1 did not restart instance 1 alone"
WAIT=30 wait_for all_running || fail "not RUNNING: $(gx status 2>&1)"
ok "graceful gunicorn:gunicorn_1 restarts that instance alone, under load"

# ---- paced: --delay 3, instance 1 goes down only 3 s after 0 is ready again (by their start times)
under_load gx graceful --delay 3 gunicorn || fail "graceful --delay 3: $(cat "$rl_dir/cmd.out")"
rl_paced "$rl_dir/cmd.out" 3 --delay "$(pid_of gunicorn:gunicorn_0)" "$(pid_of gunicorn:gunicorn_1)" ||
	fail "--delay 3 did not pace the rolling restart"
WAIT=30 wait_for all_running || fail "not RUNNING: $(gx status 2>&1)"
ok "graceful --delay 3 paces the rolling restart, with progress, under load"

# ---- an instance that cannot come back stops the rolling restart with an error
config "--no-such-option"
rc=0
out=$(gx graceful 2>&1) || rc=$?
[ $rc != 0 ] || fail "graceful succeeded with a broken instance: $out"
grep -qx "Restarted gunicorn instance 0, waiting for readiness check..." <<<"$out" ||
	fail "instance 0 was not restarted first: $out"
# It keeps exiting: FATAL after its retries, or restarted again and again (BACKOFF, EXITED).
grep -Eq "Refusing to continue rolling restart, instance (1 did not come back \(|failed to respond after 10 seconds \()(FATAL|BACKOFF|EXITED|STOPPED)\)" <<<"$out" ||
	grep -q "Refusing to continue rolling restart, instance failed to respond after 10 seconds (gunicorn on unix:$work/g1.sock is not answering" <<<"$out" ||
	fail "graceful said: $out"
answers "$work/g0.sock" || fail "instance 0 is down"
ok "an instance that does not come back ends the rolling restart with an error"

config ""
out=$(gx stop 2>&1) || fail "stop: $out"
grep -qx "Shut down" <<<"$out" || fail "stop said: $out"
# Every process of the instance runs in the Galaxy root: none may be left, gunicorn masters included.
in_root() {
	local p
	for p in /proc/[0-9]*; do
		[ "$(readlink "$p/cwd" 2>/dev/null)" = "$root" ] && echo "${p#/proc/} $(tr '\0' ' ' <"$p/cmdline" 2>/dev/null)"
	done
	return 0
}
none_left() { [ -z "$(in_root)" ]; }
WAIT=15 wait_for none_left || fail "processes left after stop: $(in_root)"
ok "stop leaves no process of the instance"
