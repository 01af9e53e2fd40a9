#!/bin/bash
# SPDX-License-Identifier: MIT
# direct backend as root: the root rule holds, and with galaxy_user/galaxy_group every service
# runs as that user, with state and log dirs created for it.
set -euo pipefail
. "$(dirname "$0")/direct_lib.sh"

[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
id nobody >/dev/null 2>&1 && getent group nogroup >/dev/null ||
	{ echo "SKIP: needs the nobody user and the nogroup group"; exit 77; }
uid=$(id -u nobody)
gid=$(getent group nogroup | cut -d: -f3)

write_config <<'EOF'
gravity:
  process_manager: direct
  galaxy_root: @ROOT@
  virtualenv: @ROOT@/venv
  galaxy_user: nobody
  galaxy_group: nogroup
  gunicorn:
    enable: false
  celery:
    concurrency: 1
    loglevel: INFO
    start_timeout: 2
  handlers:
    handler:
      processes: 1
      start_timeout: 1
galaxy:
  brand: direct-test
EOF

# Gravity's rule: as root, only systemd, unless GRAVITY_SKIP_SYSTEMD says otherwise.
if env -u GRAVITY_SKIP_SYSTEMD "$galaxyctl" -c "$cfg" start >"$work/refused.out" 2>&1; then
	fail "root without GRAVITY_SKIP_SYSTEMD was not refused"
fi
grep -q 'Gravity cannot be run as root unless using the systemd process manager' "$work/refused.out" ||
	fail "the refusal: $(cat "$work/refused.out")"
[ -e "$state" ] && fail "the refused start created $state"

gx start >"$work/start.out" 2>&1 || fail "start failed: $(cat "$work/start.out")"
for name in celery celery-beat handler; do
	wait_up_to 20 state_is "$name" RUNNING || fail "$name did not reach RUNNING"
	pid=$(field "$name" pid)
	[ "$(proc_status "$pid" Uid | cut -f1)" = "$uid" ] || fail "$name runs as uid $(proc_status "$pid" Uid)"
	[ "$(proc_status "$pid" Gid | cut -f1)" = "$gid" ] || fail "$name runs as gid $(proc_status "$pid" Gid)"
	environ "$pid" | grep_q -x "USER=nobody" || fail "$name has not USER=nobody"
done
[ "$(proc_status "$(manager_pid)" Uid | cut -f1)" = 0 ] || fail "the manager does not run as root"
for dir in "$root/database" "$state" "$state/log"; do
	[ "$(stat -c %u:%g "$dir")" = "$uid:$gid" ] || fail "$dir belongs to $(stat -c %U:%G "$dir")"
done
[ "$(stat -c %u "$state/log/celery.log")" = "$uid" ] || fail "celery.log belongs to $(stat -c %U "$state/log/celery.log")"
# celery-beat writes its schedule into the state dir, as nobody.
wait_up_to 10 sh -c "ls '$state'/celerybeat-schedule* >/dev/null 2>&1" || fail "celery-beat could not write its schedule"
[ "$(stat -c %u:%g "$ddir")" = 0:0 ] || fail "the manager's own dir does not belong to root"

gx stop >/dev/null 2>&1 || fail "stop failed"
wait_up_to 10 no_root_pids || fail "processes left after stop: $(root_pids)"
echo "PASS"
