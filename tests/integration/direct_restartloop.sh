#!/bin/bash
# SPDX-License-Identifier: MIT
# direct backend: a program in a restart loop (it exits at once, start_timeout: 0) says in status
# why it last exited and how often it was restarted, in the table and in --json.
set -euo pipefail
. "$(dirname "$0")/direct_lib.sh"

write_config <<'EOF2'
gravity:
  process_manager: direct
  galaxy_root: @ROOT@
  virtualenv: @ROOT@/venv
  gunicorn:
    enable: false
  celery:
    enable_beat: false
    start_timeout: 0
    extra_args: --no-such-flag
galaxy:
  brand: direct-test
EOF2

gx start >/dev/null 2>&1 || fail "start failed"
looping() {
	"$galaxyctl" -c "$cfg" status >"$work/status.out" 2>&1 || true
	grep -Eq "^celery +(RUNNING +pid [0-9]+, uptime [0-9:]+, restarts [1-9][0-9]*, last exit: status 2|EXITED +exit: status 2, restarting, restarts [1-9][0-9]*)$" "$work/status.out"
}
wait_up_to 30 looping || fail "status does not say why celery exits and how often: $(cat "$work/status.out")"
"$galaxyctl" -c "$cfg" status --json celery | /usr/bin/python3 -c '
import json, sys
row = json.load(sys.stdin)[0]
assert row["restarts"] >= 1 and row["exit_status"] == 2, row' || fail "status --json: no restarts or exit status"
echo "ok - a restart loop: $(cut -c34- "$work/status.out")"

gx stop >/dev/null 2>&1 || fail "stop failed"
wait_up_to 10 no_root_pids || fail "processes left after stop: $(root_pids)"
echo "PASS"
