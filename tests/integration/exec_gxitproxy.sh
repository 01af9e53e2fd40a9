#!/bin/bash
# SPDX-License-Identifier: MIT
# `galaxyctl exec gx-it-proxy` runs the real gx-it-proxy through npx: it watches the sessions database, serves and routes a session to gunicorn, and its whole group stops.
set -euo pipefail

. "${GX_TOP_SRCDIR:-$(dirname "$0")/../..}/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/gxitproxy_lib.sh"

if ! /usr/bin/python3 -c 'import gunicorn' 2>/dev/null; then
	echo "SKIP: Debian's gunicorn is not installed"
	exit 77
fi

make_work exec-gxit
make_standin
gport=$(free_port)
pport=$(free_port)
while [ "$pport" = "$gport" ]; do pport=$(free_port); done
sessions=$root/database/it_map.sqlite
cat >"$cfg" <<EOF
gravity:
  virtualenv: $root/venv
  gunicorn:
    bind: 127.0.0.1:$gport
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

# Not tested: the proxy started before Galaxy made the sessions database. Whether it exits
# ("Error: ... does not exist") or serves races inside gx-it-proxy 0.2.3 itself: sqlite3 may
# create the file on its worker thread before node-watch looks for it (failed CI once).

# ---- the rendered command, run by the real npx, which exec's pid becomes
gxit_sessions "$sessions"
spawn "$work/gunicorn.log" "$galaxyctl" -c "$cfg" exec gunicorn
spawn "$work/gx-it-proxy.log" "$galaxyctl" -c "$cfg" exec gx-it-proxy
proxy_pid=$!
wait_for gxit_says_missing "$pport" || fail "gx-it-proxy does not answer on port $pport"
grep -q "^Executing: npm_config_yes=true VIRTUAL_ENV=$root/venv PATH=.* $root/venv/bin/npx '@galaxyproject/gx-it-proxy@>=0.0.6' --ip 127.0.0.1 --port $pport --sessions database/it_map.sqlite --verbose --proxyPathPrefix /interactivetool/ep\$" \
	"$work/gx-it-proxy.log" || fail "unexpected gx-it-proxy command"
grep -qx "Watching path database/it_map.sqlite" "$work/gx-it-proxy.log" || fail "no 'Watching path' line"
grep -qx "Listening on 127.0.0.1:$pport" "$work/gx-it-proxy.log" || fail "no 'Listening on' line"
case $(cmdline "$proxy_pid") in
"npm exec @galaxyproject/gx-it-proxy@>=0.0.6 --ip 127.0.0.1 --port $pport "*) ;;
*) fail "exec's pid $proxy_pid is not npm's npx: $(cmdline "$proxy_pid")" ;;
esac
gxit_node_is_real "$pport" || fail "no node runs $gxit_prefix's gx-it-proxy: $(gxit_pids "$pport")"
ok "gx-it-proxy on $pport: the real one, through npx, says the session has no target yet"

# ---- a session Galaxy adds is picked up from the watched file and routed
wait_for curl -sf --max-time 2 "http://127.0.0.1:$gport/api/version" || fail "gunicorn does not answer"
gxit_add_session "$sessions" "$gport"
wait_for gxit_routes "$pport" || fail "the new session is not routed to gunicorn on $gport"
grep -q "^PROXY 127.0.0.1:$pport GET /api/version to 127.0.0.1:$gport\$" "$work/gx-it-proxy.log" ||
	fail "the proxy did not log the request it passed on"
ok "a session added to the database reaches gunicorn through the proxy"

# ---- a process manager stops the group exec left: nothing of the proxy stays
kill -TERM -- "-$proxy_pid"
wait_for gxit_gone "$pport" || fail "gx-it-proxy processes left after SIGTERM: $(gxit_pids "$pport")"
gxit_says_missing "$pport" && fail "something still answers on $pport"
ok "SIGTERM to its group: no gx-it-proxy process left, port $pport closed"
