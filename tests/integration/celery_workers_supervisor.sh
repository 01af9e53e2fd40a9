#!/bin/bash
# SPDX-License-Identifier: MIT
# A list of two celery workers under a real supervisord, in the direct command style (so that
# --hostname's %h is written as supervisor's %%h): programs celery0 and external beside one
# celery-beat, each in its own file with its own command line and log, and a task sent to each
# queue (over a filesystem broker the processes share) is run by that queue's worker.
set -euo pipefail
. "$(dirname "$0")/supervisor_lib.sh"
. "$(dirname "$0")/celery_workers_lib.sh"

cfg=$root/config/galaxy.yml
sv=$root/database/gravity/supervisor
logs=$root/database/gravity/log
broker=$work/broker
mkdir -p "$broker"
watch_pidfile "$sv/supervisord.pid"
{
	cat <<EOF
gravity:
  virtualenv: $root/venv
  service_command_style: direct
  gunicorn:
    enable: false
EOF
	cw_celery_section "$broker" "      start_timeout: 1"
	echo "galaxy: {}"
} >"$cfg"
gx() { "$galaxyctl" -c "$cfg" "$@"; }
status_json() { gx status --json 2>/dev/null; }
names() {
	status_json | /usr/bin/python3 -c '
import json, sys
print(" ".join("%s=%s" % (r["name"], r["state"]) for r in json.load(sys.stdin)))'
}
all_running() { [ "$(names)" = "celery0=RUNNING external=RUNNING celery-beat=RUNNING" ]; }

out=$(gx start 2>&1) || fail "start: $out"
for s in celery0 external celery-beat; do
	grep -qx "$s: started" <<<"$out" || fail "start did not report $s: $out"
done
WAIT=30 wait_for all_running || fail "not all RUNNING: $(names)"
confd=$sv/supervisord.conf.d/_default_.d
[ "$(cd "$confd" && ls)" = "celery-beat_celery-beat.conf
celery_celery0.conf
celery_external.conf" ] || fail "program files: $(ls "$confd")"
grep -q -- "--queues galaxy.external --hostname external@%%h\$" "$confd/celery_external.conf" ||
	fail "external's command: $(grep command "$confd/celery_external.conf")"
ok "programs: $(names)"

p0=$(json_pid "$(status_json)" celery0) p1=$(json_pid "$(status_json)" external)
tr '\0' ' ' <"/proc/$p0/cmdline" | grep_q -- "--queues galaxy.internal --hostname celery0@%h \$" ||
	fail "celery0 runs: $(tr '\0' ' ' <"/proc/$p0/cmdline")"
tr '\0' '\n' <"/proc/$p1/environ" | grep_q -x GX_WORKER=external || fail "external lacks its environment"
! tr '\0' '\n' <"/proc/$p0/environ" | grep_q '^GX_WORKER=' || fail "celery0 has external's environment"
wait_for cw_ready "$logs/celery0.log" celery0 || fail "celery0 never became ready"
wait_for cw_ready "$logs/external.log" external || fail "external never became ready"
ok "each worker runs its own command line and environment"

cw_check_tasks "$root" "$broker" "$logs/celery0.log" "$logs/external.log" wait_for fail
ok "the galaxy.internal task ran on celery0, the galaxy.external one on external"

# One worker restarts alone, by its own name.
out=$(gx restart external 2>&1) || fail "restart external: $out"
WAIT=30 wait_for all_running || fail "not all RUNNING after restart: $(names)"
[ "$(json_pid "$(status_json)" celery0)" = "$p0" ] || fail "restart external restarted celery0"
[ "$(json_pid "$(status_json)" external)" != "$p1" ] || fail "external was not restarted"
ok "restart external leaves celery0 alone"

out=$(gx stop 2>&1) || fail "stop: $out"
wait_for eval '! kill -0 '"$p0"' 2>/dev/null' || fail "celery0 still runs after stop"
ok "stopped"
