#!/bin/bash
# SPDX-License-Identifier: MIT
# `galaxyctl exec` really runs a job handler (scripts/galaxy-main of the stand-in), which stays up until SIGTERM.
set -euo pipefail

. "${GX_TOP_SRCDIR:-$(dirname "$0")/../..}/tests/integration/lib.sh"

if [ ! -x /usr/bin/python3 ]; then
	echo "SKIP: /usr/bin/python3 is missing"
	exit 77
fi

make_work exec-handler
make_standin
cat >"$cfg" <<EOF
gravity:
  virtualenv: $root/venv
  gunicorn:
    enable: false
  celery:
    enable: false
    enable_beat: false
  handlers:
    handler:
      processes: 2
      pools:
        - job-handlers
        - workflow-schedulers
galaxy:
  data_dir: $work/data
  job_config:
    handling:
      assign: [db-skip-locked]
      processes:
        static0:
          environment:
            HANDLER_FLAVOUR: static
EOF

# --no-exec: the command, word for word, and the static handler's environment.
cmd="$root/venv/bin/python ./scripts/galaxy-main -c $cfg --server-name=handler_1"
cmd="$cmd --attach-to-pool=job-handlers --attach-to-pool=workflow-schedulers"
"$galaxyctl" -c "$cfg" exec handler --service-instance 1 --no-exec >"$work/no-exec.log" 2>&1 ||
	fail "exec --no-exec failed"
grep -qx "Working directory: $root" "$work/no-exec.log" || fail "no working directory line"
grep -q "^Executing: VIRTUAL_ENV=$root/venv PATH=.* $cmd\$" "$work/no-exec.log" ||
	fail "unexpected Executing line"
if grep -q "PYTHONPATH=\|GALAXY_CONFIG_FILE=\|Dynamic handlers" "$work/no-exec.log"; then
	fail "handlers get no PYTHONPATH or GALAXY_CONFIG_FILE, and assign is db-skip-locked"
fi
"$galaxyctl" -c "$cfg" exec static0 --no-exec >"$work/static.log" 2>&1 || fail "exec static0"
# The job config's variables stand as the handler's environment: option, after VIRTUAL_ENV and PATH.
grep -q "^Executing: VIRTUAL_ENV=$root/venv PATH=[^ ]* HANDLER_FLAVOUR=static .* --server-name=static0\$" "$work/static.log" ||
	fail "static handler: unexpected Executing line"
if "$galaxyctl" -c "$cfg" exec handler --no-exec >"$work/multi.log" 2>&1; then
	fail "exec of a two-instance service without --service-instance succeeded"
fi
grep -q "service-instance was not set" "$work/multi.log" || fail "no --service-instance error"

# The real thing, in a session of its own: $! is its process group and, after exec, the handler.
spawn "$work/handler.log" "$galaxyctl" -c "$cfg" exec handler --service-instance 1
pid=$!
started="galaxy-main stand-in: server_name=handler_1 pools=job-handlers,workflow-schedulers"
started="$started config=$cfg pid=$pid"
wait_for grep -qF "$started" "$work/handler.log" || fail "handler did not start"
case "$(cmdline "$pid")" in
*"./scripts/galaxy-main -c $cfg --server-name=handler_1 --attach-to-pool=job-handlers"*) ;;
*) fail "pid $pid runs: $(cmdline "$pid")" ;;
esac
[ "$(readlink "/proc/$pid/cwd")" = "$root" ] || fail "not running in $root"
environ "$pid" | grep_q -x "VIRTUAL_ENV=$root/venv" || fail "no VIRTUAL_ENV"
if environ "$pid" | grep_q "^PYTHONPATH=\|^GALAXY_CONFIG_FILE="; then
	fail "handler environment has PYTHONPATH or GALAXY_CONFIG_FILE"
fi
[ -d "$work/data/gravity" ] || fail "state dir $work/data/gravity not created"

sleep 3
kill -0 "$pid" 2>/dev/null || fail "handler exited"

# SIGTERM stops it, cleanly.
kill -TERM "$pid"
rc=0
for _ in $(seq 1 100); do
	kill -0 "$pid" 2>/dev/null || break
	sleep 0.2
done
kill -0 "$pid" 2>/dev/null && fail "handler still running 20 s after SIGTERM"
wait "$pid" || rc=$?
pids=()  # reaped: its group is gone, and the pid may be reused
[ "$rc" -eq 0 ] || fail "handler exited with status $rc after SIGTERM"
grep -q "server_name=handler_1 got signal 15, exiting" "$work/handler.log" ||
	fail "handler did not log its SIGTERM"
ok "handler_1 ran as $cmd and stopped on SIGTERM"
