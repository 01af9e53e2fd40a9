#!/bin/bash
# SPDX-License-Identifier: MIT
# direct backend runs the real gx-it-proxy (through npx): it watches its sessions database, serves and routes a session to gunicorn, restarts and stops with no process left.
set -euo pipefail
. "$(dirname "$0")/direct_lib.sh"
. "$(dirname "$0")/gxitproxy_lib.sh"

gport=$(free_port)
pport=$(free_port)
while [ "$pport" = "$gport" ]; do pport=$(free_port); done
sessions=$root/database/it_map.sqlite
write_config <<EOF
gravity:
  process_manager: direct
  galaxy_root: @ROOT@
  virtualenv: @ROOT@/venv
  gunicorn:
    bind: 127.0.0.1:$gport
    start_timeout: 2
  celery:
    enable: false
    enable_beat: false
  gx_it_proxy:
    enable: true
    ip: 127.0.0.1
    port: $pport
galaxy:
  interactivetools_enable: true
  interactivetools_map: database/it_map.sqlite
EOF
log=$state/log/gx-it-proxy.log
gxit_sessions "$sessions"

gx start >"$work/start.out" 2>&1 || fail "start: $(cat "$work/start.out")"
wait_up_to 30 state_is gx-it-proxy RUNNING || fail "gx-it-proxy did not reach RUNNING"
wait_for gxit_says_missing "$pport" || fail "gx-it-proxy does not answer on port $pport"
grep -qx "Watching path database/it_map.sqlite" "$log" || fail "no 'Watching path' line in $log"
grep -qx "Listening on 127.0.0.1:$pport" "$log" || fail "no 'Listening on' line in $log"
gxit_node_is_real "$pport" || fail "no node runs $gxit_prefix's gx-it-proxy: $(gxit_pids "$pport")"
ok "gx-it-proxy RUNNING: the real one watches database/it_map.sqlite and answers on $pport"

wait_up_to 30 state_is gunicorn RUNNING || fail "gunicorn did not reach RUNNING"
gxit_add_session "$sessions" "$gport"
wait_for gxit_routes "$pport" || fail "the new session is not routed to gunicorn on $gport"
ok "a session added to the database reaches gunicorn through the proxy"

# A restart stops the old group: a node left behind would hold the port and the new one fail.
old=$(gxit_pids "$pport")
gx restart gx-it-proxy >"$work/restart.out" 2>&1 || fail "restart: $(cat "$work/restart.out")"
wait_up_to 30 state_is gx-it-proxy RUNNING || fail "gx-it-proxy not RUNNING after restart"
wait_for gxit_routes "$pport" || fail "the restarted proxy does not route the session"
for p in $old; do
	[ -d "/proc/$p" ] && fail "process $p of the old gx-it-proxy outlived the restart"
done
[ "$(grep -cx "Watching path database/it_map.sqlite" "$log")" = 2 ] ||
	fail "the restarted proxy did not watch the database again"
ok "restart: the old processes are gone, the new proxy routes the session"

gx stop >"$work/stop.out" 2>&1 || fail "stop: $(cat "$work/stop.out")"
grep -qx "gx-it-proxy: stopped" "$work/stop.out" || fail "stop did not report gx-it-proxy"
wait_up_to 5 gxit_gone "$pport" || fail "gx-it-proxy processes left after stop: $(gxit_pids "$pport")"
wait_up_to 5 no_root_pids || fail "processes left after stop: $(root_pids)"
gxit_says_missing "$pport" && fail "something still answers on $pport"
ok "stop: no gx-it-proxy process left, port $pport closed"
