#!/bin/bash
# SPDX-License-Identifier: MIT
# The supervisor backend against a real supervisord on the stand-in: start, status (--json),
# a killed service comes back, update restarts only what changed, restart, graceful, pm,
# follow, a stopped (SIGSTOP) supervisord, stop (supervisord exits), and start -f in the
# foreground until Ctrl-C.
set -euo pipefail
. "$(dirname "$0")/supervisor_lib.sh"

if ! /usr/bin/python3 -c 'import gunicorn, celery' 2>/dev/null || ! command -v curl >/dev/null; then
	echo "SKIP: Debian's gunicorn, celery or curl is not installed"
	exit 77
fi

cfg=$root/config/galaxy.yml
sv=$root/database/gravity/supervisor
logs=$root/database/gravity/log
port=$(free_port)
watch_pidfile "$sv/supervisord.pid"
gx() { "$galaxyctl" -c "$cfg" "$@"; }
config() { # $1: extra gunicorn lines, $2: extra celery lines
	cat >"$cfg" <<EOF
gravity:
  virtualenv: $root/venv
  gunicorn:
    bind: localhost:$port
    start_timeout: 1
$1
  celery:
    concurrency: 1
    loglevel: INFO
    start_timeout: 1
$2
galaxy:
  brand: lifecycle
EOF
}
status_json() { gx status --json 2>/dev/null; }
all_running() { all_in_state "$(status_json)" RUNNING; }
pid_of() { json_pid "$(status_json)" "$1"; }
answers() { curl -sf --max-time 2 "http://localhost:$port/api/version" | grep_q version_major; }
gone() { ! kill -0 "$1" 2>/dev/null; }

# ---- start, twice at once: one supervisord
config "" ""
gx start >"$work/start1.out" 2>&1 &
s1=$!
gx start >"$work/start2.out" 2>&1 || fail "start (2): $(cat "$work/start2.out")"
wait $s1 || fail "start (1): $(cat "$work/start1.out")"
out=$(cat "$work/start1.out" "$work/start2.out")
echo "$out"
for s in gunicorn celery celery-beat; do
	grep -qx "$s: started" <<<"$out" || fail "start did not report $s: $out"
	# then, as upstream's start runs `supervisorctl status`, the status lines
	grep -Eq "^$s +(STARTING|RUNNING)( |\$)" <<<"$out" || fail "start showed no status of $s: $out"
done
grep -qx "Log files are in $logs" <<<"$out" || fail "no log dir line: $out"
grep -q "ERROR" <<<"$out" && fail "a start reported an error: $out"
[ "$(ps -o pid= -C supervisord | while read -r p; do tr '\0' ' ' <"/proc/$p/cmdline"; echo; done |
	grep -c "$sv/supervisord.conf")" = 1 ] || fail "not exactly one supervisord for $sv"
subst "$fixtures/supervisord.conf" | cmp -s - "$sv/supervisord.conf" ||
	fail "supervisord.conf: $(subst "$fixtures/supervisord.conf" | diff - "$sv/supervisord.conf")"
[ -S "$sv/supervisor.sock" ] && [ -s "$sv/supervisord.pid" ] || fail "no socket or pid file"
supervisord_pid=$(cat "$sv/supervisord.pid")
WAIT=30 wait_for all_running || fail "not everything RUNNING: $(gx status 2>&1)"
wait_for answers || fail "gunicorn does not answer on localhost:$port"
ok "start: supervisord up, gunicorn, celery and celery-beat RUNNING, gunicorn answers"

table=$(gx status 2>&1)
echo "$table"
for s in gunicorn celery celery-beat; do
	grep -Eq "^$s +RUNNING +pid [0-9]+, uptime [0-9]+:[0-9]{2}:[0-9]{2}$" <<<"$table" ||
		fail "status line of $s: $table"
done
json=$(status_json)
/usr/bin/python3 - "$json" "$logs" <<'PY' || fail "status --json: $json"
import json, sys
rows = {r["name"]: r for r in json.loads(sys.argv[1])}
assert sorted(rows) == ["celery", "celery-beat", "gunicorn"], rows
for name, r in rows.items():
    assert r["instance"] == "_default_" and r["service"] == name, r
    assert r["state"] == "RUNNING" and r["pid"] > 0 and r["uptime_s"] >= 0, r
    assert r["log"] == f"{sys.argv[2]}/{name}.log", r
PY
ok "status: supervisorctl-like table and the core's JSON"

# ---- a service killed with SIGKILL comes back
old=$(pid_of celery)
kill -KILL "$old"
back() { p=$(pid_of celery); [ -n "$p" ] && [ "$p" != "$old" ] && all_running; }
WAIT=30 wait_for back || fail "celery did not come back: $(gx status 2>&1)"
ok "kill -9 celery: supervisord restarted it (pid $old -> $(pid_of celery))"

# ---- update restarts only what changed
g=$(pid_of gunicorn) c=$(pid_of celery) b=$(pid_of celery-beat)
config "    stop_timeout: 30" ""
out=$(gx update 2>&1) || fail "update: $out"
echo "$out"
grep -qx "Updating service gunicorn" <<<"$out" && grep -qx "gunicorn: stopped" <<<"$out" &&
	grep -qx "gunicorn: updated process group" <<<"$out" || fail "update said: $out"
grep -q "celery" <<<"$out" && fail "update touched celery: $out"
WAIT=30 wait_for all_running || fail "not RUNNING after update: $(gx status 2>&1)"
[ "$(pid_of gunicorn)" != "$g" ] || fail "gunicorn was not restarted"
[ "$(pid_of celery)" = "$c" ] && [ "$(pid_of celery-beat)" = "$b" ] || fail "celery was restarted"
wait_for answers || fail "gunicorn does not answer after update"
ok "update: only the changed gunicorn restarted"

config "    stop_timeout: 30" "    enable_beat: false"
out=$(gx update 2>&1) || fail "update: $out"
grep -qx "celery-beat: stopped" <<<"$out" && grep -qx "celery-beat: removed process group" <<<"$out" ||
	fail "update said: $out"
wait_for gone "$b" || fail "celery-beat still runs"
[ "$(gx status 2>/dev/null | grep -c celery-beat || true)" = 0 ] || fail "status still lists celery-beat"
[ ! -e "$sv/supervisord.conf.d/_default_.d/celery-beat_celery-beat.conf" ] || fail "its file stayed"
ok "update: a disabled service is stopped and removed"

# ---- restart, graceful, pm, follow
c=$(pid_of celery)
out=$(gx restart celery 2>&1) || fail "restart: $out"
[ "$out" = "$(printf 'celery: stopped\ncelery: started')" ] || fail "restart said: $out"
WAIT=30 wait_for all_running || fail "not RUNNING after restart"
[ "$(pid_of celery)" != "$c" ] || fail "celery was not restarted"
ok "restart celery"

g=$(pid_of gunicorn)
out=$(gx graceful gunicorn 2>&1) || fail "graceful: $out"
[ "$out" = "$(printf 'gunicorn: stopped\ngunicorn: started')" ] || fail "graceful (preload) said: $out"
WAIT=30 wait_for all_running || fail "not RUNNING after graceful"
[ "$(pid_of gunicorn)" != "$g" ] || fail "gunicorn was not restarted"
wait_for answers || fail "gunicorn does not answer after graceful"
ok "graceful gunicorn with preload restarts it"

out=$(gx pm status 2>&1) || fail "pm status: $out"
grep -Eq "^gunicorn +RUNNING" <<<"$out" || fail "pm status: $out"
ok "pm passes through to supervisorctl"

out=$(gx stop celery 2>&1) || fail "stop celery: $out"
rc=0
out=$(gx pm status 2>&1) || rc=$?
[ "$rc" = 3 ] || fail "pm status with celery stopped exited $rc, not supervisorctl's 3: $out"
grep -q "exited with status" <<<"$out" && fail "pm status added its own error: $out"
rc=0
gx status >/dev/null 2>&1 || rc=$?
[ "$rc" = 3 ] || fail "status with celery stopped exited $rc, not 3"
gx start celery >/dev/null 2>&1 || fail "start celery"
WAIT=30 wait_for all_running || fail "not RUNNING after starting celery again"
ok "pm status and status exit 3 with a service stopped, as supervisorctl does"

out=$(timeout -s TERM 3 "$galaxyctl" -c "$cfg" follow celery 2>&1) || true
grep -q "celery" <<<"$out" || fail "follow showed: $out"
ok "follow tails the service's log"

# ---- a stopped supervisord: nothing hangs, and nothing runs once it is continued
sd_pid=$(cat "$sv/supervisord.pid")
pids_before="$(pid_of gunicorn) $(pid_of celery) $(pid_of celery-beat)"
kill -STOP "$sd_pid"
for cmd in status stop graceful "pm status"; do
	rc=0
	# shellcheck disable=SC2086 # cmd is split on purpose
	out=$(timeout 60 "$galaxyctl" -c "$cfg" $cmd 2>&1) || rc=$?
	[ "$rc" != 0 ] && [ "$rc" != 124 ] || { kill -CONT "$sd_pid"; fail "$cmd on a stopped supervisord exited $rc: $out"; }
	grep -q "supervisord (pid $sd_pid) cannot answer: it is stopped (T)" <<<"$out" ||
		{ kill -CONT "$sd_pid"; fail "$cmd on a stopped supervisord said: $out"; }
done
kill -CONT "$sd_pid"
sleep 2
WAIT=30 wait_for all_running || fail "not RUNNING after SIGCONT"
[ "$(pid_of gunicorn) $(pid_of celery) $(pid_of celery-beat)" = "$pids_before" ] ||
	fail "something was stopped or restarted after SIGCONT: $pids_before -> $(pid_of gunicorn) $(pid_of celery) $(pid_of celery-beat)"
ok "a stopped supervisord: status, stop, graceful and pm fail at once and nothing runs later"

# ---- a move to a backend that cannot hold the config: refused before supervisor changes anything
cp "$cfg" "$work/cfg.before"
config "" '    environment:
      BROKEN: "line one\nline two"'
# The direct command style writes the environment into the units (the gravity style runs
# galaxyctl exec, which needs none there).
sed -i 's/^gravity:$/gravity:\n  process_manager: systemd\n  service_command_style: direct/' "$cfg"
conf_before=$(cd "$sv" && find . -type f -name '*.conf' -exec sha256sum {} + | sort)
for cmd in update show; do
	rc=0
	# HOME too: should systemctl --user run after all, it links units there.
	out=$(HOME=$work XDG_CONFIG_HOME=$work/xdg GRAVITY_SYSTEMD_UNIT_PATH=$work/units gx $cmd 2>&1) || rc=$?
	[ "$rc" = 3 ] || fail "$cmd of a config systemd cannot hold exited $rc: $out"
	grep -Eq "galaxy\.yml:[0-9]+:[0-9]+: error: the environment variable BROKEN of instance _default_ cannot be written into a systemd unit" <<<"$out" ||
		fail "$cmd: no located error: $out"
done
[ "$(cd "$sv" && find . -type f -name '*.conf' -exec sha256sum {} + | sort)" = "$conf_before" ] ||
	fail "the refused move changed supervisor's files"
[ -e "$work/units" ] && fail "the refused move wrote systemd units"
cp "$work/cfg.before" "$cfg"
[ "$(pid_of gunicorn) $(pid_of celery) $(pid_of celery-beat)" = "$pids_before" ] ||
	fail "the refused move stopped or restarted services: $pids_before -> $(pid_of gunicorn) $(pid_of celery) $(pid_of celery-beat)"
ok "a move to systemd with a value it cannot hold: exit 3 at its place, supervisor untouched"

# ---- stop: supervisord exits when nothing runs any more
pids="$(pid_of gunicorn) $(pid_of celery)"
out=$(gx stop 2>&1) || fail "stop: $out"
echo "$out"
grep -qx "All processes stopped, supervisord will exit" <<<"$out" && grep -qx "Shut down" <<<"$out" &&
	grep -qx "supervisord has terminated" <<<"$out" || fail "stop said: $out"
for p in $supervisord_pid $pids; do
	wait_for gone "$p" || fail "pid $p still runs after stop"
done
# Workers too (gunicorn's, celery's): nothing runs in the Galaxy root any more.
in_root() {
	local p
	for p in /proc/[0-9]*; do
		[ "$(readlink "$p/cwd" 2>/dev/null)" = "$root" ] && echo "${p#/proc/}"
	done
	return 0
}
nothing_in_root() { [ -z "$(in_root)" ]; }
wait_for nothing_in_root || fail "processes left in $root after stop: $(in_root)"
ok "stop: every process and supervisord are gone"

rc=0
out=$(gx status 2>&1) || rc=$?
[ "$rc" = 3 ] || fail "status without supervisord exited $rc, not 3: $out"
grep -q "supervisord is not running" <<<"$out" && grep -Eq "^gunicorn +STOPPED" <<<"$out" ||
	fail "status without supervisord: $out"
ok "status says supervisord is not running"

# ---- kill -9 of supervisord: its programs outlive it; start and stop find and stop them first
out=$(gx start 2>&1) || fail "start: $out"
WAIT=30 wait_for all_running || fail "not RUNNING: $(gx status 2>&1)"
wait_for answers || fail "gunicorn does not answer"
# Bystanders in the same root: another supervisord's program, and a plain process. They stay.
(cd "$root" && SUPERVISOR_ENABLED=1 SUPERVISOR_SERVER_URL=unix:///tmp/other.sock exec setsid sleep 300) &
other=$!
bgpids+=("$other")
(cd "$root" && exec setsid sleep 300) &
plain=$!
bgpids+=("$plain")
old_sd=$(cat "$sv/supervisord.pid")
old_gunicorn=$(pid_of gunicorn)
kill -9 "$old_sd"
wait_for gone "$old_sd" || fail "supervisord survived kill -9"
kill -0 "$old_gunicorn" 2>/dev/null || fail "gunicorn did not outlive supervisord (nothing to test)"
out=$(gx status 2>&1) || true
grep -q "still run unsupervised (ORPHANED below)" <<<"$out" && grep -Eq "^gunicorn +RUNNING +pid $old_gunicorn, ORPHANED" <<<"$out" ||
	fail "status after kill -9 of supervisord does not show the orphans: $out"
out=$(gx start 2>&1) || fail "start after kill -9 of supervisord: $out"
grep -q "warning: supervisord is not running, but [0-9]* processes it started still are; stopping them: .*$old_gunicorn (gunicorn)" <<<"$out" ||
	fail "start did not report the leftovers: $out"
wait_for gone "$old_gunicorn" || fail "the old gunicorn still runs beside the new one"
WAIT=30 wait_for all_running || fail "not RUNNING after the restart: $(gx status 2>&1)"
wait_for answers || fail "the new gunicorn does not answer (port still held?)"
new_sd=$(cat "$sv/supervisord.pid")
for p in $(in_root); do
	[ "$p" = "$other" ] || [ "$p" = "$plain" ] && continue
	q=$p
	while [ "$q" -gt 1 ] && [ "$q" != "$new_sd" ]; do q=$(ps -o ppid= -p "$q" | tr -d ' '); done
	[ "$q" = "$new_sd" ] || fail "pid $p ($(tr '\0' ' ' <"/proc/$p/cmdline")) is not under the new supervisord"
done
kill -0 "$other" && kill -0 "$plain" || fail "a process that is not ours was stopped"
ok "start after kill -9 of supervisord: the old programs are stopped first, one copy runs"

kill -9 "$new_sd"
wait_for gone "$new_sd" || fail "supervisord survived kill -9"
out=$(gx stop 2>&1) || fail "stop after kill -9 of supervisord: $out"
grep -q "stopping them:" <<<"$out" || fail "stop did not report the leftovers: $out"
ours_left() { [ -z "$(in_root | grep -vx -e "$other" -e "$plain")" ]; }
wait_for ours_left || fail "processes left after stop: $(in_root)"
kill -0 "$other" && kill -0 "$plain" || fail "a process that is not ours was stopped"
kill "$other" "$plain"
ok "stop after kill -9 of supervisord: its programs are stopped, nobody else's"

# ---- start -f: foreground until interrupted
setsid "$galaxyctl" -c "$cfg" start -f >"$work/fg.out" 2>&1 </dev/null &
fg=$!
bgpids+=("$fg")
WAIT=30 wait_for answers || fail "foreground start: gunicorn does not answer"
fg_supervisord=$(cat "$sv/supervisord.pid")
[ "$(ps -o ppid= -p "$fg_supervisord" | tr -d ' ')" = "$fg" ] || fail "supervisord is not our child"
sleep 1
kill -INT -- "-$fg"
WAIT=30 wait_for gone "$fg" || fail "start -f did not end after SIGINT"
rc=0
wait "$fg" || rc=$?
[ $rc = 0 ] || fail "start -f exited with $rc"
gone "$fg_supervisord" || fail "supervisord survived start -f"
grep -q "gunicorn_config loaded" "$work/fg.out" || fail "start -f did not follow the logs"
! answers || fail "gunicorn still answers"
ok "start -f: runs supervisord in the foreground, follows logs, stops on SIGINT"

# start -f also ends when supervisord is shut down from elsewhere.
setsid "$galaxyctl" -c "$cfg" start -f --quiet >"$work/fg2.out" 2>&1 </dev/null &
fg=$!
bgpids+=("$fg")
WAIT=30 wait_for answers || fail "foreground start (2): gunicorn does not answer"
out=$(gx shutdown 2>&1) || fail "shutdown: $out"
WAIT=30 wait_for gone "$fg" || fail "start -f did not end with supervisord"
rc=0
wait "$fg" || rc=$?
[ $rc = 0 ] || fail "start -f exited with $rc: $(cat "$work/fg2.out")"
grep -q "supervisord started with pid" "$work/fg2.out" || fail "start -f --quiet did not follow supervisord's log"
ok "start -f ends when supervisord is shut down"
