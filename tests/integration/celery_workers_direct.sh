#!/bin/bash
# SPDX-License-Identifier: MIT
# A list of two celery workers under the direct backend: programs celery0 and external beside one
# celery-beat, each worker with its own --queues, --hostname, environment and log, and a task sent
# to each queue (over a filesystem broker that the processes share) is run by that queue's worker.
set -euo pipefail
. "$(dirname "$0")/direct_lib.sh"
. "$(dirname "$0")/celery_workers_lib.sh"

broker=$work/broker
mkdir -p "$broker"
{
	cat <<EOF
gravity:
  process_manager: direct
  galaxy_root: $root
  virtualenv: $root/venv
  gunicorn:
    enable: false
EOF
	cw_celery_section "$broker" "      start_timeout: 1"
	echo "galaxy: {}"
} >"$cfg"
log=$state/log

gx start >"$work/start.out" 2>&1 || fail "start: $(cat "$work/start.out")"
names() {
	gx status --json 2>/dev/null | /usr/bin/python3 -c '
import json, sys
print(" ".join("%s=%s" % (r["name"], r["state"]) for r in json.load(sys.stdin)))'
}
all_running() {
	[ "$(names)" = "celery0=RUNNING external=RUNNING celery-beat=RUNNING" ]
}
wait_up_to 30 all_running || fail "not all RUNNING: $(names)"
wait_up_to 30 cw_ready "$log/celery0.log" celery0 || fail "celery0 never became ready"
wait_up_to 30 cw_ready "$log/external.log" external || fail "external never became ready"
ok "programs: $(names)"

p0=$(field celery0 pid) p1=$(field external pid)
case "$(cmdline "$p0")" in
*" worker --concurrency 1 --loglevel INFO --pool threads --queues galaxy.internal --hostname celery0@%h "*) ;;
*) fail "celery0 (pid $p0) runs: $(cmdline "$p0")" ;;
esac
case "$(cmdline "$p1")" in
*" worker --concurrency 1 --loglevel INFO --pool threads --queues galaxy.external --hostname external@%h "*) ;;
*) fail "external (pid $p1) runs: $(cmdline "$p1")" ;;
esac
environ "$p1" | grep_q -x GX_WORKER=external || fail "external lacks its own environment"
! environ "$p0" | grep_q '^GX_WORKER=' || fail "celery0 has external's environment"
grep_q "memory limits of celery0: " "$ddir/manager.log" || fail "celery0 has no memory limit"
! grep_q "memory limits of external: " "$ddir/manager.log" || fail "external has celery0's memory limit"
ok "each worker runs its own command line, environment and memory limit"

cw_check_tasks "$root" "$broker" "$log/celery0.log" "$log/external.log" "wait_up_to 20" fail
ok "the galaxy.internal task ran on celery0, the galaxy.external one on external"

gx stop >"$work/stop.out" 2>&1 || fail "stop: $(cat "$work/stop.out")"
wait_up_to 20 no_root_pids || fail "services left after stop: $(root_pids)"
ok "stopped"
