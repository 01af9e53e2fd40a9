#!/bin/bash
# SPDX-License-Identifier: MIT
# direct backend on a full disk (a small tmpfs as the state dir, run as nobody): start fails with a
# clear error and leaves no empty pid file; output lost while the disk is full is counted and
# said, in the program's log and the manager's, once there is room again.
set -euo pipefail
. "$(dirname "$0")/direct_lib.sh"

if [ "$(id -u)" != 0 ]; then
	echo "SKIP: mounting a small tmpfs needs root"
	exit 77
fi
disk=$work/disk
mkdir "$disk"
mount -t tmpfs -o size=1m,uid=65534,gid=65534,mode=0755 tmpfs "$disk"
fulldisk_cleanup() {
	nb stop >/dev/null 2>&1 || true
	umount -l "$disk" 2>/dev/null || true
	direct_cleanup
}
chown -R 65534:65534 "$root"
write_config <<'EOF2'
gravity:
  process_manager: direct
  galaxy_root: @ROOT@
  virtualenv: @ROOT@/venv
  gunicorn:
    enable: false
  celery:
    concurrency: 1
    loglevel: DEBUG
    start_timeout: 1
    enable_beat: false
galaxy:
  brand: direct-test
EOF2
st=$disk/st
nb() { setpriv --reuid=65534 --regid=65534 --clear-groups env GRAVITY_SKIP_SYSTEMD=1 "$galaxyctl" -c "$cfg" --state-dir "$st" "$@"; }
trap fulldisk_cleanup EXIT
fill() { setpriv --reuid=65534 --regid=65534 --clear-groups dd if=/dev/zero of="$disk/fill" bs=4k 2>/dev/null || true; }

# ---- start on a full disk
fill
rc=0
out=$(nb start 2>&1) || rc=$?
[ $rc != 0 ] || fail "start on a full disk succeeded: $out"
grep -q "cannot write $st/direct/manager.pid: No space left on device" <<<"$out" || fail "start said: $out"
[ ! -e "$st/direct/manager.pid" ] || fail "an empty pid file was left: $(ls -l "$st/direct")"
[ -z "$(root_pids)" ] || fail "processes run after the failed start: $(root_pids)"
echo "ok - start on a full disk: a clear error, no pid file, nothing running"

# ---- output lost while the disk is full is counted and said once there is room
rm -f "$disk/fill"
out=$(nb start 2>&1) || fail "start: $out"
celery_running() { nb status 2>/dev/null | grep -q "^celery  *RUNNING"; }
wait_up_to 30 celery_running || fail "celery did not start: $(nb status 2>&1)"
fill
# celery prints its banner and debug lines when it starts: restarts write into the full disk
# (more than the slack of the log's last page).
for _ in 1 2; do
	nb restart celery >/dev/null 2>&1 || fail "restart on a full disk"
	wait_up_to 30 celery_running || fail "celery did not restart"
	sleep 2
done
rm -f "$disk/fill"
nb restart celery >/dev/null 2>&1 || fail "restart"
wait_up_to 30 celery_running || fail "celery did not restart"
said() { grep -q "celery: [0-9]* bytes of its output were lost while .*celery.log could not be written (the disk was full)" "$st/direct/manager.log"; }
wait_up_to 20 said || fail "the manager log does not say what was lost: $(tail -5 "$st/direct/manager.log")"
grep -q "^\[galaxyctl: [1-9][0-9]* bytes of output were lost here: no space on the disk\]$" "$st/log/celery.log" ||
	fail "celery's log does not mark the gap"
echo "ok - output lost on a full disk: $(grep -o '[0-9]* bytes of output were lost' "$st/log/celery.log")"

nb stop >/dev/null 2>&1 || fail "stop failed"
wait_up_to 10 no_root_pids || fail "processes left after stop: $(root_pids)"
echo "PASS"
