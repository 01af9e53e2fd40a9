#!/bin/bash
# SPDX-License-Identifier: MIT
# systemd backend, rolling graceful of two gunicorns under a real systemd user manager: an instance
# found stopped refuses the roll, --start-if-stopped starts it first, and an instance that does not
# come back after its restart stops the roll with a clear error within restart_timeout.
. "${GX_TOP_SRCDIR:-$(dirname "$0")/../..}/tests/integration/systemd_env.sh"

command -v curl >/dev/null || sd_skip "no curl"

R=$SD_TMP/galaxy
sd_standin "$R"
CONF=$R/config/galaxy.yml
S0=$SD_TMP/gunicorn0.sock

# $1: where the second gunicorn binds.
write_conf() {
	cat >"$CONF" <<EOF
gravity:
  process_manager: systemd
  virtualenv: $R/venv
  gunicorn:
    - bind: unix:$S0
      restart_timeout: 4
    - bind: unix:$1
      restart_timeout: 4
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

# --- a stopped instance: nothing restarts, unless --start-if-stopped starts it first ---
sdctl stop galaxy-gunicorn@1.service
g0=$(sd_prop galaxy-gunicorn@0.service MainPID)
n0=$(sd_prop galaxy-gunicorn@0.service NRestarts)
if "$GX" -c "$CONF" --user graceful 2>"$SD_TMP/err"; then
	sd_fail "graceful with a stopped instance succeeded"
fi
grep -q "Refusing to continue rolling restart, instance 1 check failed before restart (gunicorn: inactive (dead))" "$SD_TMP/err" &&
	grep -q "nothing was restarted; .galaxyctl graceful --start-if-stopped. starts it first" "$SD_TMP/err" ||
	{ cat "$SD_TMP/err" >&2; sd_fail "graceful with a stopped instance said the wrong thing"; }
# systemd restarting a crashed gunicorn by itself (NRestarts) is not graceful's doing.
[ "$(sd_prop galaxy-gunicorn@0.service MainPID)" = "$g0" ] ||
	[ "$(sd_prop galaxy-gunicorn@0.service NRestarts)" != "$n0" ] ||
	{ sdctl status galaxy-gunicorn@0.service >&2 || true; sd_fail "instance 0 was restarted beside a stopped one"; }
"$GX" -c "$CONF" --user graceful --start-if-stopped 2>"$SD_TMP/err" ||
	{ cat "$SD_TMP/err" >&2; sd_fail "graceful --start-if-stopped"; }
grep -q "Starting gunicorn instance 1 (it was inactive (dead))" "$SD_TMP/err" ||
	{ cat "$SD_TMP/err" >&2; sd_fail "the stopped instance was not started"; }
grep -q "Restarted gunicorn instance 0, waiting for readiness check" "$SD_TMP/err" &&
	! grep -q "Restarting gunicorn instance 1" "$SD_TMP/err" ||
	{ cat "$SD_TMP/err" >&2; sd_fail "not only the instance that ran was rolled"; }
serving "$SD_TMP/gunicorn1.sock" || sd_fail "instance 1 does not serve"
echo "ok - a stopped instance: refused by default; --start-if-stopped starts it, then rolls the other"

# --- an instance that does not come back: a clear error after restart_timeout ---
# The units run `galaxyctl exec`, which reads the config when the process starts: once graceful
# has loaded it, moving instance 1's socket makes the restarted process answer elsewhere.
g0=$(sd_prop galaxy-gunicorn@0.service MainPID)
"$GX" -c "$CONF" --user graceful 2>"$SD_TMP/err" &
GRACEFUL=$!
SD_PIDS+=("$GRACEFUL")
sd_wait_for 20 grep -q "Performing rolling restart" "$SD_TMP/err" || sd_fail "graceful did not begin"
write_conf "$SD_TMP/elsewhere.sock"
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
