#!/bin/bash
# SPDX-License-Identifier: MIT
# direct backend with two instances: one manager per state dir, instance names in program and log
# names, commands on one instance leave the other alone, a shared --state-dir shares one manager.
set -euo pipefail
. "$(dirname "$0")/direct_lib.sh"

for name in alpha beta; do
	cat >"$root/config/$name.yml" <<EOF
gravity:
  process_manager: direct
  instance_name: $name
  galaxy_root: $root
  virtualenv: $root/venv
  gunicorn:
    enable: false
  celery:
    enable: false
    enable_beat: false
  handlers:
    handler:
      processes: 2
      start_timeout: 1
galaxy:
  data_dir: $work/$name
  job_config:
    handling:
      assign: [db-skip-locked]
EOF
done
both() {
	"$galaxyctl" -c "$root/config/alpha.yml" -c "$root/config/beta.yml" "$@"
}
# "name=STATE ..." of every program of both instances (extra arguments go to galaxyctl).
state_of() {
	both "$@" status --json 2>/dev/null | /usr/bin/python3 -c '
import json, sys
print(" ".join("%s=%s" % (r["name"], r["state"]) for r in json.load(sys.stdin)))'
}
all_running() {
	[ "$(state_of "$@")" = "alpha:handler0=RUNNING alpha:handler1=RUNNING beta:handler0=RUNNING beta:handler1=RUNNING" ]
}
# The managers are not in the stand-in root: cleanup finds them by their pid files.
managers() {
	local d
	for d in "$work"/*/gravity "$work/shared"; do
		cat "$(own_dir "$d")/manager.pid" 2>/dev/null || true
	done
}
# As root their own files are in /run/galaxyctl, which outlives the work dir.
drop_own_dirs() {
	local d
	for d in "$work"/*/gravity "$work/shared"; do
		case $(own_dir "$d") in /run/galaxyctl/*) rm -rf "$(own_dir "$d")" ;; esac
	done
}
trap 'for pid in $(managers); do kill -KILL "$pid" 2>/dev/null; done; drop_own_dirs; direct_cleanup' EXIT

both start >"$work/start.out" 2>&1 || fail "start failed: $(cat "$work/start.out")"
grep -q '^alpha:handler0 ' "$work/start.out" || fail "no instance name in program names: $(cat "$work/start.out")"
grep -q 'Log files for beta are in' "$work/start.out" || fail "start did not name each instance's logs"
wait_up_to 20 all_running || fail "not all running: $(state_of)"
a=$(cat "$(own_dir "$work/alpha/gravity")/manager.pid")
b=$(cat "$(own_dir "$work/beta/gravity")/manager.pid")
[ "$a" != "$b" ] && kill -0 "$a" && kill -0 "$b" || fail "not one manager per state dir"
grep -q 'server_name=handler_1' "$work/beta/gravity/log/beta_standalone_handler_1.log" ||
	fail "log names do not carry the instance name: $(ls "$work/beta/gravity/log")"

# Acting on one instance leaves the other alone.
both stop alpha >"$work/stop.out" 2>&1 || fail "stop alpha failed"
grep -qx 'alpha:handler1: stopped' "$work/stop.out" || fail "stop alpha: $(cat "$work/stop.out")"
[ "$(state_of)" = "alpha:handler0=STOPPED alpha:handler1=STOPPED beta:handler0=RUNNING beta:handler1=RUNNING" ] ||
	fail "stop alpha touched beta: $(state_of)"
kill -0 "$a" 2>/dev/null && ! grep -q '^State:.*Z' "/proc/$a/status" && fail "alpha's manager did not exit"
kill -0 "$b" || fail "beta's manager exited"
both stop >/dev/null 2>&1 || fail "stop failed"
wait_up_to 10 no_root_pids || fail "processes left: $(root_pids)"

# One state dir for both: one manager holds them.
shared=$work/shared
both --state-dir "$shared" start >/dev/null 2>&1 || fail "start with a shared state dir failed"
wait_up_to 20 all_running --state-dir "$shared" || fail "not all running with a shared state dir: $(state_of --state-dir "$shared")"
[ "$(managers | wc -l)" = 1 ] || fail "not one manager for the shared state dir: $(managers)"
"$galaxyctl" -c "$root/config/alpha.yml" --state-dir "$shared" update >"$work/update.out" 2>&1 ||
	fail "update of alpha alone failed"
grep -q 'Removing' "$work/update.out" && fail "update of alpha alone removed beta's programs: $(cat "$work/update.out")"
both --state-dir "$shared" stop >"$work/stop2.out" 2>&1 || fail "stop failed"
grep -qx 'All processes stopped, the direct manager will exit' "$work/stop2.out" || fail "$(cat "$work/stop2.out")"
wait_up_to 10 no_root_pids || fail "processes left: $(root_pids)"
echo "PASS"
