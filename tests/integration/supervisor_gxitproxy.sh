#!/bin/bash
# SPDX-License-Identifier: MIT
# supervisor backend runs the real gx-it-proxy (through npx) under a real supervisord: it watches its sessions database, serves and routes a session to gunicorn, and stops with no process left.
set -euo pipefail
. "$(dirname "$0")/supervisor_lib.sh"
. "$(dirname "$0")/gxitproxy_lib.sh"

if ! /usr/bin/python3 -c 'import gunicorn' 2>/dev/null; then
	echo "SKIP: Debian's gunicorn is not installed"
	exit 77
fi

cfg=$root/config/galaxy.yml
sv=$root/database/gravity/supervisor
log=$root/database/gravity/log/gx-it-proxy.log
sessions=$root/database/it_map.sqlite
watch_pidfile "$sv/supervisord.pid"
gx() { "$galaxyctl" -c "$cfg" "$@"; }
gone() { ! kill -0 "$1" 2>/dev/null; }
state_of() { # $1: service
	/usr/bin/python3 -c '
import json, sys
print(" ".join(r["state"] for r in json.loads(sys.argv[1]) if r["name"] == sys.argv[2]))' \
		"$(gx status --json 2>/dev/null)" "$1"
}
running() { [ "$(state_of "$1")" = RUNNING ]; }

gport=$(free_port)
pport=$(free_port)
while [ "$pport" = "$gport" ]; do pport=$(free_port); done
cat >"$cfg" <<EOF
gravity:
  virtualenv: $root/venv
  gunicorn:
    bind: 127.0.0.1:$gport
    start_timeout: 1
  celery:
    enable: false
    enable_beat: false
  gx_it_proxy:
    enable: true
    ip: 127.0.0.1
    port: $pport
    start_timeout: 1
galaxy:
  interactivetools_enable: true
  interactivetools_map: database/it_map.sqlite
EOF
gxit_sessions "$sessions"

out=$(gx start 2>&1) || fail "start: $out"
grep -qx "gx-it-proxy: started" <<<"$out" || fail "start did not report gx-it-proxy: $out"
supervisord_pid=$(cat "$sv/supervisord.pid")
WAIT=30 wait_for running gx-it-proxy || fail "gx-it-proxy not RUNNING: $(gx status 2>&1)"
wait_for gxit_says_missing "$pport" || fail "gx-it-proxy does not answer on port $pport"
grep -qx "Watching path database/it_map.sqlite" "$log" || fail "no 'Watching path' line in $log"
grep -qx "Listening on 127.0.0.1:$pport" "$log" || fail "no 'Listening on' line in $log"
gxit_node_is_real "$pport" || fail "no node runs $gxit_prefix's gx-it-proxy: $(gxit_pids "$pport")"
ok "gx-it-proxy RUNNING: the real one watches database/it_map.sqlite and answers on $pport"

WAIT=30 wait_for running gunicorn || fail "gunicorn not RUNNING: $(gx status 2>&1)"
gxit_add_session "$sessions" "$gport"
wait_for gxit_routes "$pport" || fail "the new session is not routed to gunicorn on $gport"
ok "a session added to the database reaches gunicorn through the proxy"

# npx runs the proxy two processes down: supervisor stops the whole group (stopasgroup).
out=$(gx stop 2>&1) || fail "stop: $out"
grep -qx "supervisord has terminated" <<<"$out" || fail "stop said: $out"
wait_for gone "$supervisord_pid" || fail "supervisord still runs after stop"
wait_for gxit_gone "$pport" || fail "gx-it-proxy processes left after stop: $(gxit_pids "$pport")"
gxit_says_missing "$pport" && fail "something still answers on $pport"
ok "stop: supervisord gone, no gx-it-proxy process left, port $pport closed"
