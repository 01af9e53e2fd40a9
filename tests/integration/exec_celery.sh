#!/bin/bash
# SPDX-License-Identifier: MIT
# `galaxyctl exec celery` and `exec celery-beat` really start the stand-in's celery and stay up.
set -euo pipefail

. "${GX_TOP_SRCDIR:-$(dirname "$0")/../..}/tests/integration/lib.sh"

if ! /usr/bin/python3 -c 'import celery' 2>/dev/null; then
	echo "SKIP: Debian's python3-celery is not installed"
	exit 77
fi

make_work exec-celery
make_standin
cat >"$cfg" <<EOF
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
	spawn "$work/$1.log" "$galaxyctl" -c "$cfg" exec "$1"
	eval "${1//-/_}_pid=$!"
}

start celery
start celery-beat

wait_for grep -q "celery@.* ready\." "$work/celery.log" || fail "celery worker never became ready"
schedule_file() {
	[ -e "$state/celerybeat-schedule" ] || [ -e "$state/celerybeat-schedule.db" ]
}
wait_for schedule_file || fail "no celerybeat-schedule[.db] in $state"
grep -q "beat: Starting" "$work/celery-beat.log" || fail "celery beat did not start"

# exec replaced galaxyctl: the same pid now runs celery with the upstream arguments.
case "$(cmdline "$celery_pid")" in
*" -m celery --app galaxy.celery worker --concurrency 1 --loglevel INFO --pool threads"*) ;;
*) fail "pid $celery_pid runs: $(cmdline "$celery_pid")" ;;
esac
case "$(cmdline "$celery_beat_pid")" in
*" -m celery --app galaxy.celery beat --loglevel INFO --schedule $state/celerybeat-schedule ") ;;
*) fail "pid $celery_beat_pid runs: $(cmdline "$celery_beat_pid")" ;;
esac
grep -q "^Working directory: $root\$" "$work/celery.log" || fail "no working directory line"
grep -q "^Executing: PYTHONPATH=lib GALAXY_CONFIG_FILE=$cfg " \
	"$work/celery.log" || fail "no Executing line with the Galaxy environment"

sleep 3
kill -0 "$celery_pid" 2>/dev/null || fail "celery worker exited"
kill -0 "$celery_beat_pid" 2>/dev/null || fail "celery beat exited"
ok "celery and celery-beat up; schedule: $(cd "$state" && ls celerybeat-schedule*)"
