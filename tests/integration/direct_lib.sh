# SPDX-License-Identifier: MIT
# Shared by the direct_*.sh tests, on top of lib.sh: the stand-in's config, the direct manager, and
# cleanup of every process started in the stand-in root.
# shellcheck shell=bash

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/direct_paths.sh"

if [ ! -e "$top_builddir/backends/.libs/direct.so" ]; then
	echo "SKIP: the direct backend is not built"
	exit 77
fi
if ! /usr/bin/python3 -c 'import gunicorn, celery' 2>/dev/null; then
	echo "SKIP: Debian's gunicorn and python3-celery are not installed"
	exit 77
fi

make_work direct
chmod 755 "$work" # the root test runs services as nobody
make_standin
state=$root/database/gravity
ddir=$(own_dir "$state") # the manager's own files

# galaxyctl on the test's config (with --backend $gx_backend when set).
gx_backend=
gx() {
	"$galaxyctl" -c "$cfg" ${gx_backend:+--backend "$gx_backend"} "$@"
}

# The config: stdin with @ROOT@ and @WORK@ replaced.
write_config() {
	sed -e "s|@ROOT@|$root|g" -e "s|@WORK@|$work|g" >"$cfg"
}

# Pids of every process whose working directory is the stand-in root: the services.
root_pids() {
	local p
	for p in /proc/[0-9]*; do
		[ "$(readlink "$p/cwd" 2>/dev/null)" = "$root" ] && echo "${p#/proc/}"
	done
	return 0
}

manager_pid() {
	cat "$ddir/manager.pid" 2>/dev/null || true
}

# The manager and the services are not process groups of ours: they are found by the manager's
# pid file and by their working directory, then lib.sh's cleanup removes the work dir.
extra_pids=()
direct_cleanup() {
	local pid
	timeout 30 "$galaxyctl" -c "$cfg" --backend direct shutdown >/dev/null 2>&1 || true
	pid=$(manager_pid)
	[ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null
	for pid in $(root_pids) "${extra_pids[@]}"; do
		kill -KILL "$pid" 2>/dev/null || true
	done
	case $ddir in /run/galaxyctl/*) rm -rf "$ddir" ;; esac
	cleanup
}
trap direct_cleanup EXIT

# lib.sh's fail, with what the manager saw.
fail() {
	local log
	echo "FAIL: $*"
	gx status 2>&1 || true
	[ -f "$ddir/manager.log" ] && { echo "--- manager.log"; tail -n 40 "$ddir/manager.log"; }
	for log in "$state"/log/*.log "$work"/*.out; do
		[ -f "$log" ] && { echo "--- $log"; tail -n 20 "$log"; }
	done
	exit 1
}

# Wait up to $1 seconds for the rest of the arguments to succeed (lib.sh's wait_for waits 20 s).
wait_up_to() {
	local secs=$1 i
	shift
	for i in $(seq 1 $((secs * 5))); do
		"$@" && return 0
		sleep 0.2
	done
	return 1
}

# One field of a program's status row (JSON): field NAME FIELD.
field() {
	gx status --json 2>"$work/field.err" | /usr/bin/python3 -c '
import json, sys
for row in json.load(sys.stdin):
    if row["name"] == sys.argv[1]:
        print(row[sys.argv[2]])' "$1" "$2" 2>/dev/null || { cat "$work/field.err" >&2; return 1; }
}

state_is() {
	[ "$(field "$1" state)" = "$2" ]
}

no_root_pids() {
	[ -z "$(root_pids)" ]
}

# A process's status line from /proc, e.g. proc_status PID Umask.
proc_status() {
	awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"
}
