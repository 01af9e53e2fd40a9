#!/bin/bash
# SPDX-License-Identifier: MIT
# `galaxyctl exec reports` really serves the stand-in's Reports app on its bind and stays up.
set -euo pipefail

. "${GX_TOP_SRCDIR:-$(dirname "$0")/../..}/tests/integration/lib.sh"

if ! /usr/bin/python3 -c 'import gunicorn, uvicorn' 2>/dev/null || ! command -v curl >/dev/null; then
	echo "SKIP: Debian's gunicorn, python3-uvicorn or curl is not installed"
	exit 77
fi

make_work exec-reports
make_standin
port=$(free_port)
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
spawn "$work/reports.log" "$galaxyctl" -c "$cfg" exec reports
pid=$!
wait_for curl -sf --max-time 2 "http://localhost:$port/reports/" ||
	fail "reports never answered on localhost:$port"
body=$(curl -sf --max-time 5 "http://localhost:$port/reports/anything")
[ "$body" = '{"app": "reports"}' ] || fail "reports answered: $body"
case "$(cmdline "$pid")" in
*" -m gunicorn galaxy.webapps.reports.fast_factory:factory() --timeout 300 "*"-k uvicorn.workers.UvicornWorker "*) ;;
*) fail "pid $pid runs: $(cmdline "$pid")" ;;
esac
[ "$(readlink "/proc/$pid/cwd")" = "$root" ] || fail "pid $pid runs in $(readlink "/proc/$pid/cwd")"
environ "$pid" | grep_q -x "GALAXY_REPORTS_CONFIG=$root/config/reports.yml" ||
	fail "no GALAXY_REPORTS_CONFIG in the environment"
grep -q "Using worker: uvicorn.workers.UvicornWorker" "$work/reports.log" || fail "not the uvicorn worker"
ok "reports answers on localhost:$port as pid $pid (exec replaced galaxyctl)"

sleep 3
kill -0 "$pid" 2>/dev/null || fail "reports exited"
body=$(curl -sf --max-time 5 "http://localhost:$port/reports/again") || fail "reports stopped answering"
[ "$body" = '{"app": "reports"}' ] || fail "reports answered: $body"
ok "reports still up and answering after 3 s"
