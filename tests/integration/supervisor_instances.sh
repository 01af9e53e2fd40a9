#!/bin/bash
# SPDX-License-Identifier: MIT
# Two instances under one supervisord: group names, the direct command style really run,
# acting on one instance leaves the other's files and processes alone, stop and shutdown.
set -euo pipefail
. "$(dirname "$0")/supervisor_lib.sh"

if ! /usr/bin/python3 -c 'import gunicorn, celery' 2>/dev/null || ! command -v curl >/dev/null; then
	echo "SKIP: Debian's gunicorn, celery or curl is not installed"
	exit 77
fi

state=$work/st
sv=$state/supervisor
pa=$(free_port) pb=$(free_port)
watch_pidfile "$sv/supervisord.pid"
cat >"$root/config/a.yml" <<EOF
gravity:
  instance_name: a
  virtualenv: $root/venv
  gunicorn:
    bind: localhost:$pa
    start_timeout: 1
  celery:
    concurrency: 1
    loglevel: INFO
    start_timeout: 1
galaxy:
  brand: a
EOF
cat >"$root/config/b.yml" <<EOF
gravity:
  instance_name: b
  virtualenv: $root/venv
  service_command_style: direct
  gunicorn:
    bind: localhost:$pb
    start_timeout: 1
    extra_args: >-
      --name 'b ;odd #name 100%'
    environment:
      GX_MARK: "50% it's, b"
  celery:
    enable: false
    enable_beat: false
galaxy:
  brand: b
EOF
gx() { "$galaxyctl" -c "$root/config/a.yml" -c "$root/config/b.yml" --state-dir "$state" "$@"; }
status_json() { gx status --json 2>/dev/null; }
all_running() { all_in_state "$(status_json)" RUNNING; }
pid_of() { json_pid "$(status_json)" "$1"; }
answers() { curl -sf --max-time 2 "http://localhost:$1/api/version" | grep_q version_major; }
gone() { ! kill -0 "$1" 2>/dev/null; }
files_of() { find "$sv/supervisord.conf.d" -path "*$1*" -type f -exec md5sum {} + | sort; }

# ---- start both
out=$(gx start 2>&1) || fail "start: $out"
for n in a:gunicorn a:celery a:celery-beat b:gunicorn; do
	grep -qx "$n: started" <<<"$out" || fail "start did not report $n: $out"
done
grep -qx "Log files for a are in $state/log" <<<"$out" || fail "no log dir line: $out"
WAIT=30 wait_for all_running || fail "not RUNNING: $(gx status 2>&1)"
wait_for answers "$pa" && wait_for answers "$pb" || fail "the gunicorns do not answer"
rows=$(gx status b --json 2>/dev/null)
/usr/bin/python3 -c '
import json, sys
rows = json.loads(sys.argv[1])
assert [(r["instance"], r["service"], r["name"]) for r in rows] == [("b", "gunicorn", "b:gunicorn")], rows' "$rows" ||
	fail "status b: $rows"
ok "two instances started, processes named a:gunicorn ... b:gunicorn"

# ---- what Gravity 1.0 (and our releases before upstream's 1.1 names) left: a file and a running
# program named with config_type. update removes both, and says so as upstream does.
old=$sv/supervisord.conf.d/a.d/galaxy_celery_celery.conf
printf '[program:a_galaxy_celery_celery]\ncommand = sleep 1000\nprocess_name = oldcelery\n' >"$old"
sed -i 's/^programs = .*/&,a_galaxy_celery_celery/' "$sv/supervisord.conf.d/group_a.conf"
gx pm update >/dev/null 2>&1 || true
old_pid=$(gx pm pid a:oldcelery 2>/dev/null | head -n 1)
[[ "$old_pid" =~ ^[0-9]+$ ]] && [ "$old_pid" != 0 ] && grep -q sleep "/proc/$old_pid/cmdline" ||
	fail "the old-named program did not start under supervisord: $(gx pm status 2>&1)"
out=$(gx update 2>&1) || fail "update: $out"
grep -qF "Removing supervisor configs: $old" <<<"$out" || fail "update did not report the old file: $out"
[ ! -e "$old" ] || fail "the old-named file stayed"
wait_for gone "$old_pid" || fail "the old-named program still runs (pid $old_pid)"
! gx pm status 2>/dev/null | grep -q a_galaxy_celery_celery || fail "supervisord still has it: $(gx pm status 2>&1)"
WAIT=30 wait_for all_running || fail "not RUNNING after the update: $(gx status 2>&1)"
ok "update removes a config_type-named file and its program from the running supervisord"

# The direct style command and environment reach the process as configured.
pid=$(pid_of b:gunicorn)
tr '\0' '\n' <"/proc/$pid/environ" | grep_q -x "GX_MARK=50% it's, b" || fail "b's environment: $(tr '\0' ' ' <"/proc/$pid/environ")"
tr '\0' '\n' <"/proc/$pid/environ" | grep_q "^PATH=$root/venv/bin/:" || fail "b's PATH"
tr '\0' '\n' <"/proc/$pid/cmdline" | grep_q -x "b ;odd #name 100%" || fail "b's command: $(tr '\0' ' ' <"/proc/$pid/cmdline")"
ok "direct style under supervisord: the exact words and variables"

# ---- acting on b leaves a alone
a_files=$(files_of /a.d/; files_of group_a)
a_pids="$(pid_of a:gunicorn) $(pid_of a:celery) $(pid_of a:celery-beat)"
b_pid=$(pid_of b:gunicorn)
out=$(gx restart b gunicorn 2>&1) || fail "restart b gunicorn: $out"
[ "$out" = "$(printf 'b:gunicorn: stopped\nb:gunicorn: started')" ] || fail "restart said: $out"
WAIT=30 wait_for all_running || fail "not RUNNING: $(gx status 2>&1)"
[ "$(pid_of b:gunicorn)" != "$b_pid" ] || fail "b's gunicorn was not restarted"
[ "$(pid_of a:gunicorn) $(pid_of a:celery) $(pid_of a:celery-beat)" = "$a_pids" ] || fail "a was restarted"
[ "$(files_of /a.d/; files_of group_a)" = "$a_files" ] || fail "a's files changed"
ok "restart b gunicorn: a's files and processes untouched"

b_pid=$(pid_of b:gunicorn)
b_files=$(files_of /b.d/; files_of group_b)
out=$(gx graceful a 2>&1) || fail "graceful a: $out"
WAIT=30 wait_for all_running || fail "not RUNNING after graceful a: $(gx status 2>&1)"
[ "$(pid_of b:gunicorn)" = "$b_pid" ] || fail "graceful a restarted b's gunicorn"
[ "$(files_of /b.d/; files_of group_b)" = "$b_files" ] || fail "graceful a changed b's files"
[ "$(files_of /a.d/; files_of group_a)" = "$a_files" ] || fail "a's files changed"
ok "graceful a: b's files and processes untouched"

out=$(gx stop a 2>&1) || fail "stop a: $out"
for n in a:gunicorn a:celery a:celery-beat; do
	grep -qx "$n: stopped" <<<"$out" || fail "stop a did not report $n: $out"
done
grep -qx 'Not all processes stopped, supervisord not shut down (hint: see `galaxyctl status`)' <<<"$out" ||
	fail "stop a said: $out"
answers "$pb" || fail "b stopped answering"
[ "$(files_of /a.d/; files_of group_a)" = "$a_files" ] || fail "a's files changed"
for p in $a_pids; do wait_for gone "$p" || fail "pid $p of a still runs"; done
ok "stop a: b keeps running, supervisord stays up"

out=$(gx start a 2>&1) || fail "start a: $out"
grep -qx "a:gunicorn: started" <<<"$out" || fail "start a said: $out"
WAIT=30 wait_for all_running || fail "not RUNNING: $(gx status 2>&1)"
wait_for answers "$pa" || fail "a does not answer again"
ok "start a again"

# ---- b moves to the direct backend: update takes its group out of the running supervisord, and
# leaves a's alone.
a_pids="$(pid_of a:gunicorn) $(pid_of a:celery) $(pid_of a:celery-beat)"
b_pid=$(pid_of b:gunicorn)
sed -i 's/^  instance_name: b$/&\n  process_manager: direct/' "$root/config/b.yml"
out=$(gx update 2>&1) || fail "update after b moved: $out"
grep -qx "b: stopped" <<<"$out" && grep -qx "b: removed process group" <<<"$out" || fail "update said: $out"
wait_for gone "$b_pid" || fail "b's gunicorn still runs under supervisord"
[ ! -e "$sv/supervisord.conf.d/b.d" ] && [ ! -e "$sv/supervisord.conf.d/group_b.conf" ] ||
	fail "b's supervisor files stayed"
[ "$(pid_of a:gunicorn) $(pid_of a:celery) $(pid_of a:celery-beat)" = "$a_pids" ] || fail "a was restarted"
[ "$(files_of /a.d/; files_of group_a)" = "$a_files" ] || fail "a's files changed"
ok "an instance moved to another backend: update removes its group from supervisord, a runs on"

# ---- shutdown
pids="$(cat "$sv/supervisord.pid") $(pid_of a:gunicorn) $(pid_of a:celery)"
out=$(gx shutdown 2>&1) || fail "shutdown: $out"
grep -qx "Shut down" <<<"$out" && grep -qx "supervisord has terminated" <<<"$out" || fail "shutdown said: $out"
for p in $pids; do wait_for gone "$p" || fail "pid $p still runs after shutdown"; done
out=$(gx shutdown 2>&1) || fail "second shutdown: $out"
grep -q "supervisord is not running" <<<"$out" || fail "second shutdown said: $out"
ok "shutdown stops everything and supervisord"
