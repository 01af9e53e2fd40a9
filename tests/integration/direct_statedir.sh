#!/bin/bash
# SPDX-License-Identifier: MIT
# direct backend as root: the manager keeps its own files in /run/galaxyctl/<hash of the state
# dir>/, where status and stop find them, and not in the state dir, which galaxy_user owns: a
# direct/ planted there (its children file naming an unrelated process, manager.log a link to a
# root-only file) is not used.
set -euo pipefail
. "$(dirname "$0")/direct_lib.sh"

[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
id nobody >/dev/null 2>&1 && getent group nogroup >/dev/null ||
	{ echo "SKIP: needs the nobody user and the nogroup group"; exit 77; }
command -v setpriv >/dev/null || { echo "SKIP: needs setpriv (util-linux)"; exit 77; }

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
    enable: false
    enable_beat: false
  handlers:
    handler:
      processes: 1
      start_timeout: 1
galaxy:
  brand: direct-test
EOF
as_nobody() {
	setpriv --reuid=nobody --regid=nogroup --clear-groups -- "$@"
}

# The location: /run/galaxyctl/<16 hex digits>, root's alone; status and stop find the manager.
case $ddir in /run/galaxyctl/[0-9a-f]*) ;; *) fail "own_dir gave $ddir" ;; esac
gx start >"$work/start.out" 2>&1 || fail "start failed: $(cat "$work/start.out")"
wait_up_to 20 state_is handler RUNNING || fail "handler did not reach RUNNING"
[ -S "$ddir/manager.sock" ] && [ -s "$ddir/manager.pid" ] && [ -s "$ddir/manager.log" ] ||
	fail "the manager's files are not in $ddir: $(ls -la "$ddir" 2>&1)"
for d in /run/galaxyctl "$ddir"; do
	[ "$(stat -c %U:%a "$d")" = root:700 ] || fail "$d is $(stat -c %U:%a "$d"), not root:700"
done
[ "$(proc_status "$(manager_pid)" Uid | cut -f1)" = 0 ] || fail "the manager does not run as root"
[ -e "$state/direct" ] && fail "the manager's files are still in the state dir"
gx status >"$work/status.out" 2>&1 || fail "status failed: $(cat "$work/status.out")"
grep -q '^handler  *RUNNING' "$work/status.out" || fail "status: $(cat "$work/status.out")"
mgr=$(manager_pid)
gx stop >"$work/stop.out" 2>&1 || fail "stop failed: $(cat "$work/stop.out")"
grep -q 'Shut down' "$work/stop.out" || fail "stop did not shut the manager down: $(cat "$work/stop.out")"
wait_up_to 10 no_root_pids || fail "processes left after stop: $(root_pids)"
wait_up_to 10 sh -c "! kill -0 $mgr 2>/dev/null" || fail "the manager $mgr still runs"

# What galaxy_user plants: a direct/ of its own, with a children file naming an unrelated process
# (root's, in a session of its own) and manager.log a link to a root-only file.
secret=$work/secret
mkdir -m 700 "$secret"
echo "root only" >"$secret/file"
chmod 600 "$secret/file"
setsid sleep 300 </dev/null >/dev/null 2>&1 &
victim=$!
extra_pids+=("$victim")
wait_up_to 5 sh -c "[ \"\$(ps -o pgid= -p $victim | tr -d ' ')\" = $victim ]" || fail "sleep has no group"
starttime=$(awk '{ sub(/^.*\) /, ""); print $20 }' "/proc/$victim/stat")
as_nobody mkdir -m 700 "$state/direct"
as_nobody sh -c "printf 'galaxyctl-direct-children 1 boot %s\n%s %s 0123456789abcdef\n' \
	'$(cat /proc/sys/kernel/random/boot_id)' '$victim' '$starttime' >'$state/direct/children'"
as_nobody ln -s "$secret/file" "$state/direct/manager.log"

gx start >"$work/start2.out" 2>&1 || fail "start failed: $(cat "$work/start2.out")"
wait_up_to 20 state_is handler RUNNING || fail "handler did not reach RUNNING"
sleep 1 # a leftover kill is SIGTERM, then a wait: the victim would be gone by now
kill -0 "$victim" 2>/dev/null || fail "the root manager killed what a planted children file named"
[ "$(stat -c %U:%G:%a "$secret/file")" = root:root:600 ] && [ "$(cat "$secret/file")" = "root only" ] ||
	fail "the manager wrote through a planted manager.log link"
[ -e "$state/direct/manager.pid" ] || [ -e "$state/direct/manager.sock" ] &&
	fail "the root manager used the planted $state/direct"
grep -q 'the direct manager runs for' "$ddir/manager.log" || fail "the manager's log is not in $ddir"

gx stop >/dev/null 2>&1 || fail "stop failed"
wait_up_to 10 no_root_pids || fail "processes left after stop: $(root_pids)"
echo "PASS"
