#!/bin/bash
# SPDX-License-Identifier: MIT
# `galaxyctl exec` really runs a job handler (scripts/galaxy-main of the stand-in), which stays up until SIGTERM.
set -euo pipefail

top_srcdir=${GX_TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${GX_TOP_BUILDDIR:-$top_srcdir}
galaxyctl=$top_builddir/galaxyctl
export GRAVITY_SKIP_SYSTEMD=1
unset GRAVITY_CONFIG_FILE GRAVITY_STATE_DIR GALAXY_CONFIG_FILE GALAXY_ROOT_DIR PYTHONPATH

if [ ! -x /usr/bin/python3 ]; then
	echo "SKIP: /usr/bin/python3 is missing"
	exit 77
fi

work=$(mktemp -d /tmp/gx-exec-handler-XXXXXX)
pid=
# Stop the handler's process group if it is still there, then remove the scratch dir.
cleanup() {
	if [ -n "$pid" ]; then
		kill -KILL -- "-$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	fi
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

# Wait up to 20 s for a command to succeed.
wait_for() {
	local i
	for i in $(seq 1 100); do
		"$@" && return 0
		sleep 0.2
	done
	return 1
}

root=$work/galaxy
conf=$root/config/galaxy.yml
"$top_srcdir/tests/fixtures/galaxy-standin/make-standin.sh" "$root" >/dev/null
cat >"$conf" <<EOF
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
cmd="$root/venv/bin/python ./scripts/galaxy-main -c $conf --server-name=handler_1"
cmd="$cmd --attach-to-pool=job-handlers --attach-to-pool=workflow-schedulers"
"$galaxyctl" -c "$conf" exec handler --service-instance 1 --no-exec >"$work/no-exec.log" 2>&1 ||
	fail "exec --no-exec failed"
grep -qx "Working directory: $root" "$work/no-exec.log" || fail "no working directory line"
grep -q "^Executing: VIRTUAL_ENV=$root/venv PATH=.* $cmd\$" "$work/no-exec.log" ||
	fail "unexpected Executing line"
if grep -q "PYTHONPATH=\|GALAXY_CONFIG_FILE=\|Dynamic handlers" "$work/no-exec.log"; then
	fail "handlers get no PYTHONPATH or GALAXY_CONFIG_FILE, and assign is db-skip-locked"
fi
"$galaxyctl" -c "$conf" exec static0 --no-exec >"$work/static.log" 2>&1 || fail "exec static0"
grep -q "^Executing: HANDLER_FLAVOUR=static .* --server-name=static0\$" "$work/static.log" ||
	fail "static handler: unexpected Executing line"
if "$galaxyctl" -c "$conf" exec handler --no-exec >"$work/multi.log" 2>&1; then
	fail "exec of a two-instance service without --service-instance succeeded"
fi
grep -q "service-instance was not set" "$work/multi.log" || fail "no --service-instance error"

# The real thing, in a session of its own: $! is its process group and, after exec, the handler.
setsid "$galaxyctl" -c "$conf" exec handler --service-instance 1 >"$work/handler.log" 2>&1 \
	</dev/null &
pid=$!
started="galaxy-main stand-in: server_name=handler_1 pools=job-handlers,workflow-schedulers"
started="$started config=$conf pid=$pid"
wait_for grep -qF "$started" "$work/handler.log" || fail "handler did not start"
case "$(tr '\0' ' ' <"/proc/$pid/cmdline")" in
*"./scripts/galaxy-main -c $conf --server-name=handler_1 --attach-to-pool=job-handlers"*) ;;
*) fail "pid $pid runs: $(tr '\0' ' ' <"/proc/$pid/cmdline")" ;;
esac
[ "$(readlink "/proc/$pid/cwd")" = "$root" ] || fail "not running in $root"
tr '\0' '\n' <"/proc/$pid/environ" | grep -qx "VIRTUAL_ENV=$root/venv" || fail "no VIRTUAL_ENV"
if tr '\0' '\n' <"/proc/$pid/environ" | grep -q "^PYTHONPATH=\|^GALAXY_CONFIG_FILE="; then
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
pid=
[ "$rc" -eq 0 ] || fail "handler exited with status $rc after SIGTERM"
grep -q "server_name=handler_1 got signal 15, exiting" "$work/handler.log" ||
	fail "handler did not log its SIGTERM"
echo "ok: handler_1 ran as $cmd and stopped on SIGTERM"
