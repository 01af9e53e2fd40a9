#!/bin/bash
# SPDX-License-Identifier: MIT
# systemd backend, rolling graceful of two gunicorns under a real systemd user manager, through
# nginx with no failed request: all up; an instance found stopped (by its unit name) refuses the
# roll, --start-if-stopped starts it first; --delay paces the roll; and an instance that does not come back after its
# restart stops the roll with a clear error within restart_timeout.
. "${GX_TOP_SRCDIR:-$(dirname "$0")/../..}/tests/integration/systemd_env.sh"

command -v curl >/dev/null || sd_skip "no curl"

R=$SD_TMP/galaxy
sd_standin "$R"
CONF=$R/config/galaxy.yml
S0=$SD_TMP/gunicorn0.sock

# $1: where the second gunicorn binds; $2: restart_timeout (30: a loaded machine's gunicorn may
# take longer than a few seconds to answer again; the last part wants a quick failure).
write_conf() {
	cat >"$CONF" <<EOF
gravity:
  process_manager: systemd
  virtualenv: $R/venv
  gunicorn:
    - bind: unix:$S0
      restart_timeout: ${2:-30}
    - bind: unix:$1
      restart_timeout: ${2:-30}
  celery:
    enable: false
    enable_beat: false
galaxy:
  brand: stand-in
EOF
}

serving() {
	curl -sf --max-time 2 --unix-socket "$1" http://localhost/api/version | grep_q version_major
}

write_conf "$SD_TMP/gunicorn1.sock"
"$GX" -c "$CONF" --user start >/dev/null 2>&1 || sd_fail "start"
sd_wait_for 60 serving "$S0" && sd_wait_for 60 serving "$SD_TMP/gunicorn1.sock" ||
	sd_fail "gunicorns not serving"

# --- nginx in front of both sockets; no request through it may fail ---
. "$SD_TOP_SRCDIR/tests/integration/rolling_lib.sh"
rl_nginx "$SD_TMP/nginx" "$S0" "$SD_TMP/gunicorn1.sock"
SD_PIDS+=("$rl_nginx_pid")
sd_wait_for 10 rl_request || sd_fail "nginx does not answer"
under_load() { # stderr of the command in $SD_TMP/err
	local rc=0
	rl_under_load "$@" || rc=$?
	cp "$rl_dir/cmd.out" "$SD_TMP/err"
	[ "$rl_failed" = 0 ] || sd_fail "$rl_failed of $rl_served requests failed during: $*"
	[ "$rl_served" -ge 10 ] || sd_fail "only $rl_served requests were made during: $*"
	return $rc
}

# --- all up: a rolling restart of both ---
g0=$(sd_prop galaxy-gunicorn@0.service MainPID)
g1=$(sd_prop galaxy-gunicorn@1.service MainPID)
under_load "$GX" -c "$CONF" --user graceful || { cat "$SD_TMP/err" >&2; sd_fail "graceful"; }
[ "$(sd_prop galaxy-gunicorn@0.service MainPID)" != "$g0" ] &&
	[ "$(sd_prop galaxy-gunicorn@1.service MainPID)" != "$g1" ] || sd_fail "not both were restarted"
echo "ok - all up: graceful rolls both gunicorns through nginx with no failed request"

# --- one instance by the name status prints (its unit) ---
g0=$(sd_prop galaxy-gunicorn@0.service MainPID)
"$GX" -c "$CONF" --user stop galaxy-gunicorn@1.service 2>"$SD_TMP/err" ||
	{ cat "$SD_TMP/err" >&2; sd_fail "stop galaxy-gunicorn@1.service"; }
[ "$(sd_prop galaxy-gunicorn@1.service ActiveState)" = inactive ] &&
	[ "$(sd_prop galaxy-gunicorn@0.service MainPID)" = "$g0" ] || sd_fail "stop of instance 1 alone"
rc=0
"$GX" -c "$CONF" --user status galaxy-gunicorn@1.service >"$SD_TMP/status.out" 2>&1 || rc=$?
[ $rc = 3 ] && grep -q 'galaxy-gunicorn@1.service' "$SD_TMP/status.out" &&
	! grep -q 'galaxy-gunicorn@0.service' "$SD_TMP/status.out" ||
	{ cat "$SD_TMP/status.out" >&2; sd_fail "status of instance 1 alone exited $rc"; }
"$GX" -c "$CONF" --user status --json galaxy-gunicorn@1.service >"$SD_TMP/status.json" 2>&1 || true
grep -q '"name": "galaxy-gunicorn@1.service"' "$SD_TMP/status.json" &&
	grep -q '"state": "STOPPED"' "$SD_TMP/status.json" &&
	! grep -q 'galaxy-gunicorn@0.service' "$SD_TMP/status.json" ||
	{ cat "$SD_TMP/status.json" >&2; sd_fail "status --json of instance 1 alone"; }
echo "ok - stop and status take one instance by its unit name"

# --- a stopped instance: nothing restarts, unless --start-if-stopped starts it first ---
g0=$(sd_prop galaxy-gunicorn@0.service MainPID)
n0=$(sd_prop galaxy-gunicorn@0.service NRestarts)
if under_load "$GX" -c "$CONF" --user graceful; then
	sd_fail "graceful with a stopped instance succeeded"
fi
grep -q "Refusing to continue rolling restart, instance 1 check failed before restart (gunicorn: inactive (dead))" "$SD_TMP/err" &&
	grep -q "nothing was restarted; .galaxyctl graceful --start-if-stopped. starts it first" "$SD_TMP/err" ||
	{ cat "$SD_TMP/err" >&2; sd_fail "graceful with a stopped instance said the wrong thing"; }
# systemd restarting a crashed gunicorn by itself (NRestarts) is not graceful's doing.
[ "$(sd_prop galaxy-gunicorn@0.service MainPID)" = "$g0" ] ||
	[ "$(sd_prop galaxy-gunicorn@0.service NRestarts)" != "$n0" ] ||
	{ sdctl status galaxy-gunicorn@0.service >&2 || true; sd_fail "instance 0 was restarted beside a stopped one"; }
under_load "$GX" -c "$CONF" --user graceful --start-if-stopped ||
	{ cat "$SD_TMP/err" >&2; sd_fail "graceful --start-if-stopped"; }
grep -q "Starting gunicorn instance 1 (it was inactive (dead))" "$SD_TMP/err" ||
	{ cat "$SD_TMP/err" >&2; sd_fail "the stopped instance was not started"; }
grep -q "Restarted gunicorn instance 0, waiting for readiness check" "$SD_TMP/err" &&
	! grep -q "Restarting gunicorn instance 1" "$SD_TMP/err" ||
	{ cat "$SD_TMP/err" >&2; sd_fail "not only the instance that ran was rolled"; }
serving "$SD_TMP/gunicorn1.sock" || sd_fail "instance 1 does not serve"
echo "ok - a stopped instance: refused by default; --start-if-stopped starts it, then rolls the other"

# --- paced: --delay 3, instance 1 goes down only 3 s after 0 is ready again (start times) ---
sd_wait_for 60 serving "$S0" && sd_wait_for 60 serving "$SD_TMP/gunicorn1.sock" ||
	sd_fail "gunicorns not serving before the paced restart"
under_load "$GX" -c "$CONF" --user graceful --delay 3 ||
	{ cat "$SD_TMP/err" >&2; sd_fail "graceful --delay 3"; }
rl_paced "$SD_TMP/err" 3 --delay "$(sd_prop galaxy-gunicorn@0.service MainPID)" \
	"$(sd_prop galaxy-gunicorn@1.service MainPID)" || sd_fail "--delay 3 did not pace the rolling restart"
echo "ok - graceful --delay 3 paces the rolling restart, with progress, through nginx"

rl_stop_nginx
write_conf "$SD_TMP/gunicorn1.sock" 4

# --- an instance that does not come back: a clear error after restart_timeout ---
# The units run `galaxyctl exec`, which reads the config when the process starts: once graceful
# has loaded it, moving instance 1's socket makes the restarted process answer elsewhere.
g0=$(sd_prop galaxy-gunicorn@0.service MainPID)
"$GX" -c "$CONF" --user graceful 2>"$SD_TMP/err" &
GRACEFUL=$!
SD_PIDS+=("$GRACEFUL")
sd_wait_for 20 grep -q "Performing rolling restart" "$SD_TMP/err" || sd_fail "graceful did not begin"
write_conf "$SD_TMP/elsewhere.sock" 4
start=$SECONDS
if wait "$GRACEFUL"; then
	sd_fail "graceful succeeded although instance 1 never answered"
fi
grep -q "error: Refusing to continue rolling restart, instance failed to respond after 4 seconds" \
	"$SD_TMP/err" || { cat "$SD_TMP/err" >&2; sd_fail "no clear error"; }
[ $((SECONDS - start)) -le 15 ] || sd_fail "the failure took $((SECONDS - start)) s"
[ "$(sd_prop galaxy-gunicorn@0.service MainPID)" != "$g0" ] && serving "$S0" ||
	sd_fail "instance 0 was not restarted before the failure"
echo "ok - an instance that does not come back stops the roll with a clear error"
