#!/bin/bash
# SPDX-License-Identifier: MIT
# systemd backend parts that cannot run for real here (no system manager as PID 1, no journald):
# root-mode units (User=/Group=, /etc-style unit dir via GRAVITY_SYSTEMD_UNIT_PATH) and the exact
# systemctl and journalctl command lines, recorded by FAKE systemctl/journalctl stand-ins on PATH.
SD_NO_MANAGER=1
. "${GX_TOP_SRCDIR:-$(dirname "$0")/../..}/tests/integration/systemd_env.sh"

[ "$(id -u)" = 0 ] || sd_skip "root mode needs root"
unset GRAVITY_SKIP_SYSTEMD

# The stand-ins: each call appends one line per argument, then a separator line.
mkdir -p "$SD_TMP/bin"
for tool in systemctl journalctl; do
	cat >"$SD_TMP/bin/$tool" <<EOF
#!/bin/sh
{ echo "$tool"; for a in "\$@"; do echo "\$a"; done; echo --; } >>"$SD_TMP/calls"
EOF
	chmod +x "$SD_TMP/bin/$tool"
done
export PATH=$SD_TMP/bin:$PATH
export GRAVITY_SYSTEMD_UNIT_PATH=$SD_TMP/etc-systemd-system
SD_UNITS=$GRAVITY_SYSTEMD_UNIT_PATH

R=$SD_TMP/galaxy
sd_standin "$R"
CONF=$R/config/galaxy.yml
SD_ROOT=$R
SD_HASH=$(printf %s "$CONF" | sha1sum | cut -d' ' -f1)

write_conf() {
	cat >"$CONF" <<EOF
gravity:
  process_manager: systemd
  virtualenv: $R/venv
$1
  log_namespace: galaxy
galaxy:
  brand: stand-in
EOF
}

# The calls recorded since the last reset, one per line, words joined by blanks.
calls() {
	awk '/^--$/ { print line; line = ""; next } { line = line ? line " " $0 : $0 }' "$SD_TMP/calls"
}

# --- root mode: User= and Group=, system units, no --user ---
write_conf "  galaxy_user: galaxy
  galaxy_group: galaxies"
: >"$SD_TMP/calls"
"$GX" -c "$CONF" update 2>"$SD_TMP/err" || { cat "$SD_TMP/err" >&2; sd_fail "root update"; }
for f in $(cd "$SD_FIXTURES/root" && ls); do
	sd_check_fixture "$SD_FIXTURES/root/$f" "$SD_UNITS/$f"
done
[ "$(ls "$SD_UNITS" | wc -l)" = 4 ] || sd_fail "other files in the unit dir: $(ls "$SD_UNITS")"
[ "$(calls)" = "systemctl enable $SD_UNITS/galaxy.target
systemctl daemon-reload" ] || sd_fail "root update called: $(calls)"
echo "ok - root: units with User= and Group= as fixtures; systemctl without --user"

write_conf "  galaxy_user: galaxy"
"$GX" -c "$CONF" update 2>/dev/null || sd_fail "root update without galaxy_group"
grep -q "^User=galaxy$" "$SD_UNITS/galaxy-celery.service" &&
	! grep -q "^Group=" "$SD_UNITS/galaxy-celery.service" || sd_fail "User= without Group="
write_conf ""
if "$GX" -c "$CONF" update 2>"$SD_TMP/err"; then
	sd_fail "root update without galaxy_user succeeded"
fi
grep -q "galaxy_user is required" "$SD_TMP/err" || { cat "$SD_TMP/err" >&2; sd_fail "no error"; }
grep -q "^User=galaxy$" "$SD_UNITS/galaxy-celery.service" || sd_fail "units changed on error"
echo "ok - root: Group= optional, galaxy_user required"

# --user as root (galaxy_user is still required, as upstream): user units, systemctl --user.
write_conf "  galaxy_user: galaxy"
: >"$SD_TMP/calls"
"$GX" -c "$CONF" --user update 2>"$SD_TMP/err" || { cat "$SD_TMP/err" >&2; sd_fail "update --user as root"; }
! grep -q "^User=" "$SD_UNITS/galaxy-celery.service" || sd_fail "--user units name a User="
calls | grep_q -x "systemctl --user daemon-reload" || sd_fail "--user: $(calls)"
echo "ok - --user as root writes user units and calls systemctl --user"

# --- the command lines of each command ---
check_calls() {
	local want=$1
	shift
	: >"$SD_TMP/calls"
	"$GX" -c "$CONF" --user "$@" >/dev/null 2>"$SD_TMP/err" ||
		{ cat "$SD_TMP/err" >&2; sd_fail "galaxyctl $*"; }
	[ "$(calls)" = "$want" ] || sd_fail "galaxyctl $*: called
$(calls)
instead of
$want"
}
check_calls "journalctl --user -f --namespace=galaxy -u galaxy-gunicorn.service -u galaxy-celery.service -u galaxy-celery-beat.service" follow
check_calls "journalctl --user -f --namespace=galaxy -u galaxy-celery.service" follow celery
check_calls "systemctl --user start galaxy.target
systemctl --user list-units --all galaxy.target galaxy-gunicorn.service galaxy-celery.service galaxy-celery-beat.service" start
check_calls "systemctl --user stop galaxy-gunicorn.service
systemctl --user list-units --all galaxy-gunicorn.service" stop gunicorn
check_calls "systemctl --user stop galaxy.target" shutdown
check_calls "systemctl --user list-units --no-pager galaxy-*" pm list-units --no-pager 'galaxy-*'
export GRAVITY_SYSTEMCTL_EXTRA_ARGS="--no-ask-password -H 'host name'"
check_calls "systemctl --user --no-ask-password -H host name restart galaxy-celery.service
systemctl --user --no-ask-password -H host name list-units --all galaxy-celery.service" restart celery
[ "$(sed -n '/^-H$/{n;p;q}' "$SD_TMP/calls")" = "host name" ] ||
	sd_fail "GRAVITY_SYSTEMCTL_EXTRA_ARGS was not split as shell words"
unset GRAVITY_SYSTEMCTL_EXTRA_ARGS
echo "ok - follow, start, stop, shutdown, pm and extra args: the exact command lines"

# journalctl without a namespace, as root: no --user, no --namespace.
write_conf "  galaxy_user: galaxy" && sed -i '/log_namespace/d' "$CONF"
: >"$SD_TMP/calls"
"$GX" -c "$CONF" follow gunicorn >/dev/null 2>&1 || sd_fail "root follow"
[ "$(calls)" = "journalctl -f -u galaxy-gunicorn.service" ] || sd_fail "root follow: $(calls)"
echo "ok - root follow: journalctl -f -u ..."

# An instance moved to another process manager: update goes to the systemd backend too, which
# stops, disables and removes the units it wrote for it (upstream's rule), then reloads.
write_conf "  galaxy_user: galaxy"
"$GX" -c "$CONF" update 2>/dev/null || sd_fail "update before the move"
[ -e "$SD_UNITS/galaxy.target" ] || sd_fail "no units to begin with"
sed -i 's/process_manager: systemd/process_manager: supervisor/' "$CONF"
: >"$SD_TMP/calls"
GRAVITY_SKIP_SYSTEMD=1 "$GX" -c "$CONF" update 2>"$SD_TMP/err" ||
	{ cat "$SD_TMP/err" >&2; sd_fail "update after the move to supervisor"; }
[ -z "$(ls "$SD_UNITS")" ] || sd_fail "units left after the move: $(ls "$SD_UNITS")"
grep -q "Removing systemd configs: $SD_UNITS/galaxy-celery-beat.service, $SD_UNITS/galaxy-celery.service, $SD_UNITS/galaxy-gunicorn.service, $SD_UNITS/galaxy.target" "$SD_TMP/err" ||
	sd_fail "removal message: $(cat "$SD_TMP/err")"
# GRAVITY_SKIP_SYSTEMD makes root a user, but root's units of an instance that moved are system
# units: no --user.
calls | grep_q -x "systemctl disable --now galaxy.target" || sd_fail "the target was not disabled: $(calls)"
[ "$(calls | tail -n 1)" = "systemctl daemon-reload" ] || sd_fail "no daemon-reload last: $(calls)"
grep -q "Adding service gunicorn" "$SD_TMP/err" || sd_fail "supervisor did not get the instance"
echo "ok - an instance moved to supervisor: update removes its systemd units"

# The default unit dir in user mode (GRAVITY_SKIP_SYSTEMD makes root a user): ~/.config/systemd/user.
write_conf ""
sed -i 's/process_manager: supervisor/process_manager: systemd/' "$CONF"
: >"$SD_TMP/calls"
(
	unset GRAVITY_SYSTEMD_UNIT_PATH
	HOME=$SD_TMP/home GRAVITY_SKIP_SYSTEMD=1 "$GX" -c "$CONF" update 2>"$SD_TMP/err"
) || { cat "$SD_TMP/err" >&2; sd_fail "user-mode update with the default unit dir"; }
[ -e "$SD_TMP/home/.config/systemd/user/galaxy.target" ] &&
	[ -e "$SD_TMP/home/.config/systemd/user/galaxy-gunicorn.service" ] ||
	sd_fail "no units in ~/.config/systemd/user: $(ls -R "$SD_TMP/home" 2>&1)"
calls | grep_q -x "systemctl --user daemon-reload" || sd_fail "user mode: $(calls)"
echo "ok - user mode writes ~/.config/systemd/user and calls systemctl --user"
