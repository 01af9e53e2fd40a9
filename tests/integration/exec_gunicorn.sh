#!/bin/bash
# SPDX-License-Identifier: MIT
# `galaxyctl exec gunicorn` really serves the stand-in's /api/version on TCP and on a unix socket.
set -euo pipefail

. "${GX_TOP_SRCDIR:-$(dirname "$0")/../..}/tests/integration/lib.sh"

if ! /usr/bin/python3 -c 'import gunicorn' 2>/dev/null || ! command -v curl >/dev/null; then
	echo "SKIP: Debian's gunicorn or curl is not installed"
	exit 77
fi

make_work exec-gunicorn
make_standin
port=$(free_port)
sock=$work/gunicorn1.sock
cat >"$cfg" <<EOF
gravity:
  virtualenv: $root/venv
  umask: '027'
  gunicorn:
    - bind: localhost:$port
    - bind: unix:$sock
      preload: false
      extra_args: --name 'stand in'
      environment:
        GX_TEST_MARK: unix socket
  celery:
    enable: false
    enable_beat: false
galaxy:
  galaxy_url_prefix: /galaxy/
EOF
want='{"version_major": "23.1", "version_minor": "2"}'
gx() { "$galaxyctl" -c "$cfg" "$@"; }

# ---- exec --no-exec: the command, word for word, as upstream's template gives it
out=$(gx exec --no-exec --service-instance 0 gunicorn 2>&1) || fail "exec --no-exec: $out"
echo "$out"
[ "$(sed -n 1p <<<"$out")" = "Working directory: $root" ] || fail "working directory line: $out"
line=$(sed -n 2p <<<"$out")
case "$line" in
"Executing: PYTHONPATH=lib GALAXY_CONFIG_FILE=$cfg VIRTUAL_ENV=$root/venv PATH=$root/venv/bin:"*) ;;
*) fail "environment part of: $line" ;;
esac
case "$line" in
*" $root/venv/bin/gunicorn 'galaxy.webapps.galaxy.fast_factory:factory()' --timeout 300 --pythonpath lib -k galaxy.webapps.galaxy.workers.Worker -b localhost:$port --workers=1 --config python:galaxy.web_stack.gunicorn_config --preload") ;;
*) fail "command part of: $line" ;;
esac
out=$(gx exec --no-exec gunicorn --service-instance 1 2>&1) || fail "exec --no-exec: $out"
case "$out" in
*" PATH=$root/venv/bin:"*" GX_TEST_MARK='unix socket' $root/venv/bin/gunicorn 'galaxy.webapps.galaxy.fast_factory:factory()' --timeout 300 --pythonpath lib -k galaxy.webapps.galaxy.workers.Worker -b unix:$sock --workers=1 --config python:galaxy.web_stack.gunicorn_config --name 'stand in'") ;;
*) fail "instance 1: $out" ;;
esac
ok "exec --no-exec prints both instances' commands"

# ---- what exec refuses, with a clear message
expect_error() {
	local want_text=$1 out rc=0
	shift
	out=$(gx "$@" 2>&1) || rc=$?
	[ "$rc" != 0 ] || fail "galaxyctl $* succeeded"
	case "$out" in *"$want_text"*) ;; *) fail "galaxyctl $*: $out" ;; esac
}
expect_error "Cannot exec 'gunicorn': This service is configured to use multiple instances and --service-instance was not set" \
	exec --no-exec gunicorn
expect_error "--service-instance is out of range" exec --no-exec --service-instance 2 gunicorn
expect_error "Service 'reports' is not configured. Configured service(s): gunicorn" \
	exec --no-exec reports
expect_error "No provided names are known instance or service names
Configured service(s): gunicorn" exec --no-exec gunicrn
ok "exec refuses a missing or out-of-range instance, an unconfigured service and a typo"

# ---- the real thing: two gunicorns, one per instance
start() {
	spawn "$work/gunicorn$1.log" "$galaxyctl" -c "$cfg" exec --service-instance "$1" gunicorn
	eval "pid$1=$!"
}
start 0
start 1
wait_for curl -sf --max-time 2 "http://localhost:$port/galaxy/api/version" ||
	fail "gunicorn 0 never answered on localhost:$port"
body=$(curl -sf --max-time 5 "http://localhost:$port/galaxy/api/version")
[ "$body" = "$want" ] || fail "TCP /galaxy/api/version: $body"
wait_for curl -sf --max-time 2 --unix-socket "$sock" http://localhost/galaxy/api/version ||
	fail "gunicorn 1 never answered on unix:$sock"
body=$(curl -sf --max-time 5 --unix-socket "$sock" http://localhost/galaxy/api/version)
[ "$body" = "$want" ] || fail "unix socket /galaxy/api/version: $body"
ok "gunicorn answers /galaxy/api/version on localhost:$port and unix:$sock"

# exec replaced galaxyctl: the same pid runs gunicorn, in galaxy_root, with the service's
# environment and umask.
for n in 0 1; do
	eval "pid=\$pid$n"
	case "$(cmdline "$pid")" in
	*" -m gunicorn galaxy.webapps.galaxy.fast_factory:factory() --timeout 300 "*) ;;
	*) fail "pid $pid runs: $(cmdline "$pid")" ;;
	esac
	[ "$(readlink "/proc/$pid/cwd")" = "$root" ] || fail "pid $pid runs in $(readlink "/proc/$pid/cwd")"
	environ "$pid" | grep_q -x "GALAXY_CONFIG_FILE=$cfg" || fail "pid $pid: no GALAXY_CONFIG_FILE"
	environ "$pid" | grep_q -x "VIRTUAL_ENV=$root/venv" || fail "pid $pid: no VIRTUAL_ENV"
	environ "$pid" | grep_q "^PYTHONPATH=lib" || fail "pid $pid: no PYTHONPATH=lib"
	grep -q "Using worker: galaxy.webapps.galaxy.workers.Worker" "$work/gunicorn$n.log" ||
		fail "gunicorn $n does not use Galaxy's worker class"
	grep -q "gunicorn_config loaded" "$work/gunicorn$n.log" ||
		fail "gunicorn $n did not load galaxy.web_stack.gunicorn_config"
done
for pid in "$pid0" "$pid1"; do
	grep -q "^Umask:[[:space:]]*0027" "/proc/$pid/status" || fail "umask: $(grep Umask "/proc/$pid/status")"
done
environ "$pid1" | grep_q -x "GX_TEST_MARK=unix socket" || fail "instance 1: environment option not applied"
[ -d "$root/database/gravity" ] || fail "exec did not create the state dir"
ok "exec replaced galaxyctl by gunicorn (cwd, environment, umask 027, state dir)"

sleep 2
kill -0 "$pid0" 2>/dev/null || fail "gunicorn 0 exited"
kill -0 "$pid1" 2>/dev/null || fail "gunicorn 1 exited"
ok "both gunicorns still up"
