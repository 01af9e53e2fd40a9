#!/bin/bash
# SPDX-License-Identifier: MIT
# `galaxyctl exec reports` really serves the stand-in's Reports app on its bind and stays up.
set -euo pipefail

top_srcdir=${GX_TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${GX_TOP_BUILDDIR:-$top_srcdir}
galaxyctl=$top_builddir/galaxyctl
export GRAVITY_SKIP_SYSTEMD=1
unset GRAVITY_CONFIG_FILE GRAVITY_STATE_DIR GALAXY_CONFIG_FILE GALAXY_ROOT_DIR GRAVITY_PLUGIN_PATH

if ! /usr/bin/python3 -c 'import gunicorn, uvicorn' 2>/dev/null || ! command -v curl >/dev/null; then
	echo "SKIP: Debian's gunicorn, python3-uvicorn or curl is not installed"
	exit 77
fi

work=$(mktemp -d /tmp/gx-exec-reports-XXXXXX)
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
ok() { echo "ok: $*"; }

# A port free on 127.0.0.1 right now.
free_port() {
	/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Wait up to 20 s for a command to succeed.
wait_for() {
	local i
	for i in $(seq 1 100); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.2
	done
	return 1
}

cmdline() { tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null; }
environ() { tr '\0' '\n' <"/proc/$1/environ" 2>/dev/null; }

root=$work/galaxy
cfg=$root/config/galaxy.yml
port=$(free_port)
"$top_srcdir/tests/fixtures/galaxy-standin/make-standin.sh" "$root" >/dev/null
echo "# stand-in reports config" >"$root/config/reports.yml"
cat >"$cfg" <<EOF
gravity:
  virtualenv: $root/venv
  gunicorn:
    enable: false
  celery:
    enable: false
    enable_beat: false
  reports:
    enable: true
    bind: localhost:$port
    url_prefix: /reports
    extra_args: --graceful-timeout 5
galaxy:
  brand: reports test
EOF
gx() { "$galaxyctl" -c "$cfg" "$@"; }

# ---- exec --no-exec: upstream's command, word for word
out=$(gx exec --no-exec reports 2>&1) || fail "exec --no-exec: $out"
echo "$out"
[ "$(sed -n 1p <<<"$out")" = "Working directory: $root" ] || fail "working directory line: $out"
line=$(sed -n 2p <<<"$out")
case "$line" in
"Executing: PYTHONPATH=lib GALAXY_REPORTS_CONFIG=$root/config/reports.yml VIRTUAL_ENV=$root/venv PATH=$root/venv/bin:"*) ;;
*) fail "environment part of: $line" ;;
esac
case "$line" in
*" $root/venv/bin/gunicorn 'galaxy.webapps.reports.fast_factory:factory()' --timeout 300 --pythonpath lib -k uvicorn.workers.UvicornWorker -b localhost:$port --workers=1 --config python:galaxy.web_stack.gunicorn_config --env SCRIPT_NAME=/reports --graceful-timeout 5") ;;
*) fail "command part of: $line" ;;
esac
ok "exec --no-exec prints the reports command"

# ---- a missing reports config file is a configuration error, with its location
sed 's|^    url_prefix: /reports$|    config_file: nowhere.yml|' "$cfg" >"$root/config/missing.yml"
rc=0
out=$("$galaxyctl" -c "$root/config/missing.yml" exec --no-exec reports 2>&1) || rc=$?
[ "$rc" = 3 ] || fail "missing config file: exit $rc, want 3: $out"
case "$out" in
*"$root/config/missing.yml:11:18: error: Reports enabled but reports config file does not exist: $root/config/nowhere.yml"*) ;;
*) fail "missing config file: $out" ;;
esac
ok "a missing reports config file is refused (exit 3, file:line)"

# ---- the real thing
setsid "$galaxyctl" -c "$cfg" exec reports >"$work/reports.log" 2>&1 </dev/null &
pid=$!
pids+=("$pid")
wait_for curl -sf --max-time 2 "http://localhost:$port/reports/" ||
	fail "reports never answered on localhost:$port"
body=$(curl -sf --max-time 5 "http://localhost:$port/reports/anything")
[ "$body" = '{"app": "reports"}' ] || fail "reports answered: $body"
case "$(cmdline "$pid")" in
*" -m gunicorn galaxy.webapps.reports.fast_factory:factory() --timeout 300 "*"-k uvicorn.workers.UvicornWorker "*) ;;
*) fail "pid $pid runs: $(cmdline "$pid")" ;;
esac
[ "$(readlink "/proc/$pid/cwd")" = "$root" ] || fail "pid $pid runs in $(readlink "/proc/$pid/cwd")"
environ "$pid" | grep -qx "GALAXY_REPORTS_CONFIG=$root/config/reports.yml" ||
	fail "no GALAXY_REPORTS_CONFIG in the environment"
grep -q "Using worker: uvicorn.workers.UvicornWorker" "$work/reports.log" || fail "not the uvicorn worker"
ok "reports answers on localhost:$port as pid $pid (exec replaced galaxyctl)"

sleep 3
kill -0 "$pid" 2>/dev/null || fail "reports exited"
body=$(curl -sf --max-time 5 "http://localhost:$port/reports/again") || fail "reports stopped answering"
[ "$body" = '{"app": "reports"}' ] || fail "reports answered: $body"
ok "reports still up and answering after 3 s"
