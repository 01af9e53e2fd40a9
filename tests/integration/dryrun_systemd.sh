#!/bin/bash
# SPDX-License-Identifier: MIT
# update --dry-run with the systemd backend and a real systemd user manager: the units update
# would add, change (a diff) and remove, what it would ask systemd (enable, disable --now,
# daemon-reload), exit 0/1, a located config error (exit 3); the unit dir and the state dir keep
# every byte and time, and systemd's units stay as they were.
. "${GX_TOP_SRCDIR:-$(dirname "$0")/../..}/tests/integration/systemd_env.sh"
fail() { sd_fail "$@"; }
. "$SD_TOP_SRCDIR/tests/integration/dryrun_lib.sh"

R=$SD_TMP/galaxy
sd_standin "$R"
CONF=$R/config/galaxy.yml
gx() { "$GX" -c "$CONF" --user "$@"; }
# The logs, and the schedule that a running celery-beat keeps rewriting.
volatile="^$R/database/gravity/(log/|celerybeat-schedule)"
port=$(sd_free_port)

# $1: celery's stop_timeout; $2: yes to have celery-beat.
write_conf() {
	cat >"$CONF" <<EOF2
gravity:
  process_manager: systemd
  virtualenv: $R/venv
  gunicorn:
    bind: 127.0.0.1:$port
  celery:
    stop_timeout: $1
    enable_beat: $([ "$2" = yes ] && echo true || echo false)
galaxy:
  brand: stand-in
EOF2
}
sums() { tree_sum "$SD_UNITS" "$R/database"; }

# --- nothing there: every unit would be added and the target enabled
write_conf 10 no
sum=$(sums)
dry_run 1 "$SD_TMP/d1" update --dry-run
expect_line "$SD_TMP/d1" "systemd: add $SD_UNITS/galaxy-gunicorn.service \(systemd unit\)"
expect_line "$SD_TMP/d1" "systemd: add $SD_UNITS/galaxy.target \(systemd unit\)"
expect_line "$SD_TMP/d1" "\+ExecStart=.*exec _default_ gunicorn"
expect_line "$SD_TMP/d1" "systemd: enable galaxy.target \(systemctl --user enable $SD_UNITS/galaxy.target\)"
expect_line "$SD_TMP/d1" "systemd: reload the systemd user manager \(systemctl --user daemon-reload\)"
same_sum "$sum" "$SD_UNITS" "$R/database"
[ "$(sdctl is-enabled galaxy.target 2>/dev/null || true)" != enabled ] || sd_fail "the target got enabled"
echo "ok - fresh: units as diffs, enable and daemon-reload announced; nothing written"

# --- started and up to date: nothing would change
gx start >"$SD_TMP/start.out" 2>&1 || { cat "$SD_TMP/start.out" >&2; sd_fail "start"; }
sd_wait_for 20 test "$(sdctl is-active galaxy-celery.service)" = active || sd_fail "celery not active"
celery=$(sd_prop galaxy-celery.service MainPID)
sum=$(sums)
dry_run 0 "$SD_TMP/d2" update --dry-run
[ "$(cat "$SD_TMP/d2")" = "update --dry-run: nothing would change" ] || sd_fail "said: $(cat "$SD_TMP/d2")"
same_sum "$sum" "$SD_UNITS" "$R/database"
echo "ok - up to date: nothing would change, exit 0"

# --- celery's unit changes, celery-beat comes: a diff, the note that celery runs on
write_conf 20 yes
dry_run 1 "$SD_TMP/d3" update --dry-run
expect_line "$SD_TMP/d3" "systemd: change $SD_UNITS/galaxy-celery.service \(systemd unit\)"
expect_line "$SD_TMP/d3" "-TimeoutStopSec=10"
expect_line "$SD_TMP/d3" "\+TimeoutStopSec=20"
expect_line "$SD_TMP/d3" "systemd: add $SD_UNITS/galaxy-celery-beat.service \(systemd unit\)"
expect_line "$SD_TMP/d3" "systemd: change $SD_UNITS/galaxy.target \(systemd unit\)"
expect_line "$SD_TMP/d3" "systemd: note: galaxy-celery.service is active: it keeps running on its old unit until restarted .*"
expect_line "$SD_TMP/d3" "systemd: reload the systemd user manager \(systemctl --user daemon-reload\)"
same_sum "$sum" "$SD_UNITS" "$R/database"
[ "$(sd_prop galaxy-celery.service MainPID)" = "$celery" ] || sd_fail "celery was restarted"
[ "$(sd_prop galaxy-celery.service NeedDaemonReload)" = no ] || sd_fail "a unit file changed on disk"
echo "ok - changes: diffs, enable, daemon-reload, a note for the running unit; systemd untouched"

# --- celery-beat goes again (after a real update): its unit would be removed and stopped
gx update >"$SD_TMP/u.out" 2>&1 || { cat "$SD_TMP/u.out" >&2; sd_fail "update"; }
gx start >"$SD_TMP/start2.out" 2>&1 || sd_fail "start"
sd_wait_for 20 test "$(sdctl is-active galaxy-celery-beat.service)" = active || sd_fail "beat not active"
# celery-beat writes its schedule into the state dir once it is up: that, not the dry run, must
# come before the snapshot.
beat_db() { compgen -G "$R/database/gravity/celerybeat-schedule*" >/dev/null; }
settled() { local a; a=$(sums); sleep 0.5; [ "$a" = "$(sums)" ]; }
sd_wait_for 20 beat_db && sd_wait_for 20 settled || sd_fail "celery-beat wrote no schedule"
write_conf 20 no
sum=$(sums)
dry_run 1 "$SD_TMP/d4" update --dry-run
expect_line "$SD_TMP/d4" "systemd: remove $SD_UNITS/galaxy-celery-beat.service \(systemd unit\)"
expect_line "$SD_TMP/d4" "-Description=Galaxy celery-beat"
expect_line "$SD_TMP/d4" "systemd: stop galaxy-celery-beat.service \(systemctl --user disable --now: its unit file is removed\)"
same_sum "$sum" "$SD_UNITS" "$R/database"
[ "$(sdctl is-active galaxy-celery-beat.service)" = active ] || sd_fail "the dry run stopped celery-beat"
echo "ok - a unit to remove: its diff and its stop; it still runs"

# --- --clean: the target is disabled and stopped, every unit removed
dry_run 1 "$SD_TMP/d5" update --dry-run --clean
expect_line "$SD_TMP/d5" "systemd: remove $SD_UNITS/galaxy.target \(systemd unit\)"
expect_line "$SD_TMP/d5" "systemd: stop galaxy.target \(systemctl --user disable --now\)"
same_sum "$sum" "$SD_UNITS" "$R/database"
echo "ok - --clean --dry-run"

# --- a config error: located, exit 3, nothing printed on stdout
sed -i 's/    stop_timeout: 20/    stop_timeout: soon/' "$CONF"
dry_run 3 "$SD_TMP/d6" update --dry-run
grep -Eq "galaxy.yml:[0-9]+:[0-9]+: error: gravity.celery.stop_timeout" "$SD_TMP/d6.err" ||
	sd_fail "config error: $(cat "$SD_TMP/d6.err")"
[ ! -s "$SD_TMP/d6" ] || sd_fail "a plan with a config error"
same_sum "$sum" "$SD_UNITS" "$R/database"
echo "ok - a config error: file:line:col, exit 3"
