#!/bin/bash
# SPDX-License-Identifier: MIT
# direct backend: memory_limit and memory_high in cgroup v2, through GRAVITY_DIRECT_CGROUP at a
# directory prepared like a delegated cgroup (the kernel's own needs a cgroup v2 memory controller);
# the galaxyctl that started the manager leaves the cgroup with it; program cgroups are named
# after the manager's state dir, with memory.oom.group; the RSS poll where there is none; the
# manager's log says which applied; program cgroups go with their programs.
set -euo pipefail
. "$(dirname "$0")/direct_lib.sh"

# $1: extra services (a handler with its own limits, or nothing); $2: gunicorn's memory_limit.
config() {
	write_config <<EOF
gravity:
  process_manager: direct
  galaxy_root: @ROOT@
  virtualenv: @ROOT@/venv
  gunicorn:
    bind: unix:@WORK@/gunicorn.sock
    start_timeout: 1
    memory_limit: $2
    memory_high: 0.5
  celery:
    enable: false
    enable_beat: false
$1
galaxy:
  brand: direct-test
  job_config:
    handling:
      assign: [db-skip-locked]
EOF
}
handler="  handlers:
    tiny:
      processes: 1
      start_timeout: 1
      memory_limit: 2"

# A cgroup as far as files go: memory among its controllers, nothing enabled for children yet.
fake_cgroup() {
	mkdir "$1"
	echo "$2" >"$1/cgroup.controllers"
	: >"$1/cgroup.subtree_control"
}

log=$ddir/manager.log
# The manager's log from line $mark on: what the current manager said.
mark=1
said() {
	tail -n "+$mark" "$log" 2>/dev/null | grep -qF -- "$1"
}
new_manager() {
	mark=$(($( (cat "$log" 2>/dev/null || true) | wc -l) + 1))
}

# The manager's program cgroups are HASH_NAME: HASH the 32-bit FNV-1a of its state dir, in hex.
fnv1a() {
	local s=$1 h=2166136261 i c
	for ((i = 0; i < ${#s}; i++)); do
		printf -v c '%d' "'${s:i:1}"
		h=$(((h ^ c) * 16777619 & 0xffffffff))
	done
	printf '%08x' "$h"
}
prefix=$(fnv1a "$(realpath -m "$state")")_

cg=$work/cg
fake_cgroup "$cg" "memory hugetlb"
gun=$cg/${prefix}gunicorn
tiny=$cg/${prefix}tiny
# tiny cannot move into its cgroup (the write fails): it starts anyway, and its memory is polled.
mkdir "$tiny"
ln -s /dev/full "$tiny/cgroup.procs"
config "$handler" 1
new_manager
# galaxyctl start as the cgroup's only process, as in a Delegate=yes unit (on a real cgroup v2, it
# would keep "+memory" out of cgroup.subtree_control): the manager takes it along into its leaf.
(
	echo "$BASHPID" >"$cg/cgroup.procs"
	GRAVITY_DIRECT_CGROUP=$cg exec "$galaxyctl" -c "$cfg" ${gx_backend:+--backend "$gx_backend"} start
) >"$work/start.out" 2>&1 || fail "start failed: $(cat "$work/start.out")"
client=$(cat "$cg/cgroup.procs")
for name in gunicorn tiny; do
	wait_up_to 20 state_is "$name" RUNNING || fail "$name did not reach RUNNING"
done

# The manager in its leaf with its client, memory for the children, a cgroup per program with its
# limits in bytes and memory.oom.group.
[ "$(cat "$cg/manager/cgroup.procs")" = "$(manager_pid)
$client" ] || fail "the manager and galaxyctl (pid $client) did not move into $cg/manager: $(cat "$cg/manager/cgroup.procs")"
[ "$(cat "$cg/cgroup.subtree_control")" = +memory ] || fail "+memory was not written to cgroup.subtree_control"
said "cgroup v2 $cg: the manager moved into its leaf cgroup $cg/manager, programs with memory limits get cgroups $cg/${prefix}NAME beside it" ||
	fail "the manager did not say it moved"
[ "$(cat "$gun/memory.max")" = 1073741824 ] || fail "gunicorn's memory.max: $(cat "$gun/memory.max")"
[ "$(cat "$gun/memory.high")" = 536870912 ] || fail "gunicorn's memory.high: $(cat "$gun/memory.high")"
[ "$(cat "$gun/memory.oom.group")" = 1 ] || fail "gunicorn's memory.oom.group: $(cat "$gun/memory.oom.group")"
[ "$(cat "$tiny/memory.max")" = 2147483648 ] || fail "tiny's memory.max: $(cat "$tiny/memory.max")"
[ "$(cat "$tiny/memory.high")" = max ] || fail "tiny's memory.high: $(cat "$tiny/memory.high")"
gunicorn=$(field gunicorn pid)
[ "$(cat "$gun/cgroup.procs")" = "$gunicorn" ] || fail "gunicorn (pid $gunicorn) did not move into its cgroup"
said "memory limits of gunicorn: cgroup v2 $gun (memory.max=1073741824, memory.high=536870912, memory.oom.group=1)" ||
	fail "the manager did not say that gunicorn's limits are its cgroup's"
said "WARN memory limits of tiny: RSS polled every 5 s (cannot move pid $(field tiny pid) into cgroup $tiny: No space left on device)" ||
	fail "the manager did not say that tiny could not move into its cgroup"

# A restart: the new process goes into the same cgroup; the limits are not said again.
kill -KILL "$gunicorn"
pid_changed() {
	local now
	now=$(field gunicorn pid)
	[ -n "$now" ] && [ "$now" != 0 ] && [ "$now" != "$gunicorn" ]
}
wait_up_to 10 pid_changed || fail "gunicorn was not restarted"
[ "$(cat "$gun/cgroup.procs")" = "$(field gunicorn pid)" ] || fail "the restarted gunicorn is not in its cgroup"
[ "$(tail -n "+$mark" "$log" | grep -c 'memory limits of gunicorn')" = 1 ] || fail "the limits were said again"

# update drops tiny: its cgroup goes.  gunicorn's memory_limit changes: its cgroup follows, no restart.
gunicorn=$(field gunicorn pid)
config "" 2
gx update >"$work/update.out" 2>&1 || fail "update failed: $(cat "$work/update.out")"
wait_up_to 10 test ! -e "$tiny" || fail "tiny's cgroup was left after update removed it"
[ -d "$gun" ] || fail "update removed gunicorn's cgroup"
[ "$(field gunicorn pid)" = "$gunicorn" ] || fail "a new memory_limit restarted gunicorn"
[ "$(cat "$gun/memory.max")" = 2147483648 ] || fail "gunicorn's new memory.max: $(cat "$gun/memory.max")"
said "memory limits of gunicorn: cgroup v2 $gun (memory.max=2147483648, memory.high=536870912, memory.oom.group=1)" ||
	fail "the manager did not say gunicorn's new limits"

# The manager exits: the program cgroups go (its own leaf stays: it was in it).
gx stop >/dev/null 2>&1 || fail "stop failed"
wait_up_to 10 test ! -e "$gun" || fail "gunicorn's cgroup was left after the manager exited"
[ -d "$cg/manager" ] || fail "the manager's leaf went"
wait_up_to 5 no_root_pids || fail "processes left after stop: $(root_pids)"

# GRAVITY_DIRECT_CGROUP at a cgroup without memory: said at start, and the poll applies.
fake_cgroup "$work/nomem" "cpu io"
new_manager
GRAVITY_DIRECT_CGROUP=$work/nomem gx start >"$work/start2.out" 2>&1 || fail "start failed: $(cat "$work/start2.out")"
wait_up_to 20 state_is gunicorn RUNNING || fail "gunicorn did not reach RUNNING"
said "WARN GRAVITY_DIRECT_CGROUP=$work/nomem is not used: " || fail "the unusable GRAVITY_DIRECT_CGROUP was not said"
tail -n "+$mark" "$log" | grep -q "memory limits of gunicorn: RSS polled every 5 s (.*memory controller.*)" ||
	fail "the manager did not say that gunicorn's memory is polled, and why"
[ -e "$work/nomem/manager" ] && fail "the manager moved into a cgroup without memory"
gx stop >/dev/null 2>&1 || fail "stop failed"

# Without GRAVITY_DIRECT_CGROUP: the manager's own cgroup, which here has no memory controller.
new_manager
gx start >"$work/start3.out" 2>&1 || fail "start failed: $(cat "$work/start3.out")"
wait_up_to 20 state_is gunicorn RUNNING || fail "gunicorn did not reach RUNNING"
line=$(tail -n "+$mark" "$log" | grep -o "memory limits of gunicorn: .*") ||
	fail "the manager did not say how gunicorn's limits apply"
echo "$line"
case $line in
*"RSS polled every 5 s ("?*")") ;;
*"cgroup v2 "*) echo "(this machine delegates a cgroup v2 with memory to the manager)" ;;
*) fail "unexpected: $line" ;;
esac
[ -e "$gun" ] && fail "a manager without GRAVITY_DIRECT_CGROUP used $cg"
gx stop >/dev/null 2>&1 || fail "stop failed"
echo "PASS"
