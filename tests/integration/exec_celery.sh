#!/bin/bash
# SPDX-License-Identifier: MIT
# `galaxyctl exec celery` and `exec celery-beat` really start the stand-in's celery and stay up.
set -euo pipefail

top_srcdir=${GX_TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${GX_TOP_BUILDDIR:-$top_srcdir}
galaxyctl=$top_builddir/galaxyctl
export GRAVITY_SKIP_SYSTEMD=1
unset GRAVITY_CONFIG_FILE GRAVITY_STATE_DIR GALAXY_CONFIG_FILE GALAXY_ROOT_DIR

if ! /usr/bin/python3 -c 'import celery' 2>/dev/null; then
	echo "SKIP: Debian's python3-celery is not installed"
	exit 77
fi

work=$(mktemp -d /tmp/gx-exec-celery-XXXXXX)
pids=()
any_alive() {
	local pid
	for pid in "${pids[@]}"; do
		kill -0 -- "-$pid" 2>/dev/null && return 0
	done
	return 1
}
# Stop every process group we started: TERM, up to 5 s to exit, then KILL.
cleanup() {
	local pid i
	for pid in "${pids[@]}"; do
		kill -TERM -- "-$pid" 2>/dev/null || true
	done
	for i in $(seq 1 25); do
		any_alive || break
		sleep 0.2
	done
	for pid in "${pids[@]}"; do
		kill -KILL -- "-$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	rm -rf "$work"
}
trap cleanup EXIT

fail() {
	echo "FAIL: $*"
	for log in "$work"/*.log; do
		[ -f "$log" ] && { echo "--- $log"; tail -n 30 "$log"; }
	done
	exit 1
}

root=$work/galaxy
"$top_srcdir/tests/fixtures/galaxy-standin/make-standin.sh" "$root" >/dev/null
cat >"$root/config/galaxy.yml" <<EOF
gravity:
  virtualenv: $root/venv
  gunicorn:
    enable: false
  celery:
    concurrency: 1
    loglevel: INFO
galaxy:
  data_dir: $work/data
EOF
state=$work/data/gravity

# Start one service in a session of its own; $! is then its process group.
start() {
	setsid "$galaxyctl" -c "$root/config/galaxy.yml" exec "$1" >"$work/$1.log" 2>&1 </dev/null &
	pids+=("$!")
	eval "${1//-/_}_pid=$!"
}

# Wait up to 20 s for a command to succeed.
wait_for() {
	local i
	for i in $(seq 1 100); do
		"$@" && return 0
		sleep 0.2
	done
	return 1
}

# The command line of pid, words separated by spaces.
cmdline() {
	tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null
}

start celery
start celery-beat

wait_for grep -q "celery@.* ready\." "$work/celery.log" || fail "celery worker never became ready"
schedule_file() {
	[ -e "$state/celery-beat-schedule" ] || [ -e "$state/celery-beat-schedule.db" ]
}
wait_for schedule_file || fail "no celery-beat-schedule[.db] in $state"
grep -q "beat: Starting" "$work/celery-beat.log" || fail "celery beat did not start"

# exec replaced galaxyctl: the same pid now runs celery with the upstream arguments.
case "$(cmdline "$celery_pid")" in
*" -m celery --app galaxy.celery worker --concurrency 1 --loglevel INFO --pool threads"*) ;;
*) fail "pid $celery_pid runs: $(cmdline "$celery_pid")" ;;
esac
case "$(cmdline "$celery_beat_pid")" in
*" -m celery --app galaxy.celery beat --loglevel INFO --schedule $state/celery-beat-schedule ") ;;
*) fail "pid $celery_beat_pid runs: $(cmdline "$celery_beat_pid")" ;;
esac
grep -q "^Working directory: $root\$" "$work/celery.log" || fail "no working directory line"
grep -q "^Executing: PYTHONPATH=lib GALAXY_CONFIG_FILE=$root/config/galaxy.yml " \
	"$work/celery.log" || fail "no Executing line with the Galaxy environment"

sleep 3
kill -0 "$celery_pid" 2>/dev/null || fail "celery worker exited"
kill -0 "$celery_beat_pid" 2>/dev/null || fail "celery beat exited"
echo "ok: celery and celery-beat up; schedule: $(cd "$state" && ls celery-beat-schedule*)"
