#!/bin/bash
# SPDX-License-Identifier: MIT
# systemd backend runs the real gx-it-proxy (through npx) under a real systemd user manager: it watches its sessions database, serves and routes a session to gunicorn, and stops with no process left.
. "${GX_TOP_SRCDIR:-$(dirname "$0")/../..}/tests/integration/systemd_env.sh"
. "$SD_TOP_SRCDIR/tests/integration/gxitproxy_lib.sh"

/usr/bin/python3 -c 'import gunicorn' 2>/dev/null || sd_skip "Debian's gunicorn is not installed"

R=$SD_TMP/galaxy
sd_standin "$R"
CONF=$R/config/galaxy.yml
UNIT=galaxy-gx-it-proxy.service
LOG=$SD_TMP/gx-it-proxy.log
sessions=$R/database/it_map.sqlite
gport=$(sd_free_port)
pport=$(sd_free_port)
while [ "$pport" = "$gport" ]; do pport=$(sd_free_port); done
cat >"$CONF" <<EOF
gravity:
  process_manager: systemd
  virtualenv: $R/venv
  gunicorn:
    bind: 127.0.0.1:$gport
    preload: false
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
gxit_sessions "$sessions"
# journald does not run here: a runtime drop-in of the test's own (outside the unit dir that
# galaxyctl manages) sends the proxy's output to a file instead.
mkdir -p "$XDG_RUNTIME_DIR/systemd/user/$UNIT.d"
printf '[Service]\nStandardOutput=file:%s\nStandardError=file:%s\n' "$LOG" "$LOG" \
	>"$XDG_RUNTIME_DIR/systemd/user/$UNIT.d/output.conf"

"$GX" -c "$CONF" --user start >"$SD_TMP/out" 2>"$SD_TMP/err" ||
	{ cat "$SD_TMP/out" "$SD_TMP/err" >&2; sd_fail "start"; }
[ "$(sdctl is-active "$UNIT")" = active ] || sd_fail "$UNIT is not active"
sd_wait_for 30 gxit_says_missing "$pport" ||
	{ cat "$LOG" >&2; sd_fail "gx-it-proxy does not answer on port $pport"; }
grep -qx "Watching path database/it_map.sqlite" "$LOG" || sd_fail "no 'Watching path' line in $LOG"
grep -qx "Listening on 127.0.0.1:$pport" "$LOG" || sd_fail "no 'Listening on' line in $LOG"
gxit_node_is_real "$pport" || sd_fail "no node runs $gxit_prefix's gx-it-proxy: $(gxit_pids "$pport")"
main=$(sd_prop "$UNIT" MainPID)
case $(tr '\0' ' ' <"/proc/$main/cmdline") in
"npm exec @galaxyproject/gx-it-proxy@>=0.0.6 --ip 127.0.0.1 --port $pport "*) ;;
*) sd_fail "the unit's main process $main is not npm's npx" ;;
esac
echo "ok - $UNIT active: the real proxy watches database/it_map.sqlite and answers on $pport"

sd_wait_for 30 curl -sf --max-time 2 "http://127.0.0.1:$gport/api/version" || sd_fail "gunicorn does not answer"
gxit_add_session "$sessions" "$gport"
sd_wait_for 20 gxit_routes "$pport" || sd_fail "the new session is not routed to gunicorn on $gport"
echo "ok - a session added to the database reaches gunicorn through the proxy"

"$GX" -c "$CONF" --user stop >"$SD_TMP/out" 2>"$SD_TMP/err" ||
	{ cat "$SD_TMP/out" "$SD_TMP/err" >&2; sd_fail "stop"; }
[ "$(sdctl is-active "$UNIT")" != active ] || sd_fail "$UNIT is still active after stop"
sd_wait_for 10 gxit_gone "$pport" || sd_fail "gx-it-proxy processes left after stop: $(gxit_pids "$pport")"
gxit_says_missing "$pport" && sd_fail "something still answers on $pport"
echo "ok - stop: $UNIT inactive, no gx-it-proxy process left, port $pport closed"
