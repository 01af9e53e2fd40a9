#!/bin/bash
# SPDX-License-Identifier: MIT
# systemd backend with two instances in one gravity config (so one ownership hash) under a real
# systemd user manager: acting on one instance (`restart b gunicorn`, `graceful a`, `stop a`) never
# disables, removes or restarts the other's units; another config's units are never touched.
. "${GX_TOP_SRCDIR:-$(dirname "$0")/../..}/tests/integration/systemd_env.sh"

command -v curl >/dev/null || sd_skip "no curl"

R=$SD_TMP/galaxy
sd_standin "$R"
CONF=$R/config/gravity.yml
cat >"$CONF" <<EOF
gravity:
  - instance_name: a
    process_manager: systemd
    galaxy_config_file: $R/config/galaxy.yml
    galaxy_root: $R
    virtualenv: $R/venv
    gunicorn:
      bind: unix:$SD_TMP/a.sock
    celery:
      enable_beat: false
  - instance_name: b
    process_manager: systemd
    galaxy_config_file: $R/config/galaxy.yml
    galaxy_root: $R
    virtualenv: $R/venv
    gunicorn:
      bind: unix:$SD_TMP/b.sock
    celery:
      enable: false
      enable_beat: false
EOF
A_UNITS="galaxy-a-gunicorn.service galaxy-a-celery.service galaxy-a.target"
B_UNITS="galaxy-b-gunicorn.service galaxy-b.target"

gx() {
	"$GX" -c "$CONF" --user "$@" 2>"$SD_TMP/err" >"$SD_TMP/out" ||
		{ cat "$SD_TMP/err" >&2; sd_fail "galaxyctl $*"; }
}

serving() {
	curl -sf --max-time 2 --unix-socket "$1" http://localhost/api/version | grep_q version_major
}

# The files of units (a target's and its services'), each present and the target enabled.
check_present() {
	local u
	for u in "$@"; do
		[ -f "$SD_UNITS/$u" ] || sd_fail "$u was removed"
		case $u in
		*.target) [ "$(sdctl is-enabled "$u")" = enabled ] || sd_fail "$u is not enabled" ;;
		esac
	done
}

pid_of() {
	sd_prop "$1" MainPID
}

# --- another config's units, which must never be touched ---
OTHER=$SD_TMP/other.yml
cat >"$OTHER" <<EOF
gravity:
  instance_name: c
  process_manager: systemd
  galaxy_config_file: $R/config/galaxy.yml
  galaxy_root: $R
  virtualenv: $R/venv
  gunicorn:
    enable: false
  celery:
    enable_beat: false
EOF
"$GX" -c "$OTHER" --user update 2>/dev/null || sd_fail "update of the other config"
(cd "$SD_UNITS" && sha256sum galaxy-c*) >"$SD_TMP/other.sum"

# --- both instances up ---
gx start
sd_wait_for 20 serving "$SD_TMP/a.sock" && sd_wait_for 20 serving "$SD_TMP/b.sock" ||
	sd_fail "gunicorns not serving"
check_present $A_UNITS $B_UNITS
echo "ok - start: units of both instances written, enabled and running"

# --- restart b gunicorn: only b's gunicorn restarts; a's units stay, enabled and running ---
a_gunicorn=$(pid_of galaxy-a-gunicorn.service)
a_celery=$(pid_of galaxy-a-celery.service)
b_gunicorn=$(pid_of galaxy-b-gunicorn.service)
gx restart b gunicorn
check_present $A_UNITS $B_UNITS
[ "$(pid_of galaxy-b-gunicorn.service)" != "$b_gunicorn" ] || sd_fail "b's gunicorn did not restart"
[ "$(pid_of galaxy-a-gunicorn.service)" = "$a_gunicorn" ] &&
	[ "$(pid_of galaxy-a-celery.service)" = "$a_celery" ] || sd_fail "a was restarted too"
grep -q "Removing\|Stopping active units" "$SD_TMP/err" && sd_fail "restart b removed units"
echo "ok - restart b gunicorn: a's units untouched (present, enabled, same pids)"

# --- graceful a: a's services restart, b's do not ---
b_gunicorn=$(pid_of galaxy-b-gunicorn.service)
gx graceful a
check_present $A_UNITS $B_UNITS
[ "$(pid_of galaxy-a-gunicorn.service)" != "$a_gunicorn" ] || sd_fail "a's gunicorn not restarted"
[ "$(pid_of galaxy-b-gunicorn.service)" = "$b_gunicorn" ] || sd_fail "graceful a restarted b"
grep -q "Restarted: galaxy-a-gunicorn.service" "$SD_TMP/err" || sd_fail "no graceful message"
echo "ok - graceful a: only a restarted, b's units untouched"

# --- status b, stop a ---
gx status --json b
python3 -c '
import json, sys
rows = json.load(open(sys.argv[1]))
assert [(r["instance"], r["name"], r["state"]) for r in rows] == \
    [("b", "galaxy-b-gunicorn.service", "RUNNING")], rows' "$SD_TMP/out" || sd_fail "status b"
gx stop a
[ "$(sdctl is-active galaxy-a-gunicorn.service)" = inactive ] || sd_fail "a still active"
[ "$(sdctl is-active galaxy-b-gunicorn.service)" = active ] || sd_fail "stop a stopped b"
check_present $A_UNITS $B_UNITS
echo "ok - status b shows b only; stop a leaves b running"

# --- the other config's units were never touched ---
(cd "$SD_UNITS" && sha256sum -c --quiet "$SD_TMP/other.sum") || sd_fail "the other config's units changed"
[ "$(sdctl is-enabled galaxy-c.target)" = enabled ] || sd_fail "galaxy-c.target disabled"
gx update --clean
[ ! -e "$SD_UNITS/galaxy-a.target" ] && [ ! -e "$SD_UNITS/galaxy-b-gunicorn.service" ] ||
	sd_fail "--clean left units of a or b"
(cd "$SD_UNITS" && sha256sum -c --quiet "$SD_TMP/other.sum") || sd_fail "--clean removed c's units"
echo "ok - another config's units survive every command, including --clean"
