#!/bin/bash
# SPDX-License-Identifier: MIT
# systemd backend, what `update` writes (real systemd user manager): unit files byte for byte
# against fixtures for every service type, templates, named instances, both command styles,
# quoting, memory limits and log_namespace; systemd-analyze verify; what update removes and
# what it leaves alone; unrepresentable values; the $VIRTUAL_ENV fallback.
. "${GX_TOP_SRCDIR:-$(dirname "$0")/../..}/tests/integration/systemd_env.sh"

R=$SD_TMP/galaxy
sd_standin "$R"
CONF=$R/config/galaxy.yml
SD_ROOT=$R
SD_MANAGER_PATH=$(systemctl --user show-environment | sed -n 's/^PATH=//p')
SD_HASH=$(printf %s "$CONF" | sha1sum | cut -d' ' -f1)

write_conf() {
	sed -e "s|@ROOT@|$R|g" -e "s|@TMP@|$SD_TMP|g" >"$CONF"
}

# The unit dir holds exactly the fixture's files, each byte for byte.
check_case() {
	local case=$1 f
	(cd "$SD_FIXTURES/$case" && ls) >"$SD_TMP/want"
	(cd "$SD_UNITS" && ls -p | grep -v /) >"$SD_TMP/have"
	diff -u "$SD_TMP/want" "$SD_TMP/have" >&2 || sd_fail "$case: the unit dir holds other files"
	for f in $(cat "$SD_TMP/want"); do
		sd_check_fixture "$SD_FIXTURES/$case/$f" "$SD_UNITS/$f"
	done
	(cd "$SD_UNITS" && systemd-analyze --user verify $(cat "$SD_TMP/want")) ||
		sd_fail "$case: systemd-analyze verify failed"
	echo "ok - $case: $(wc -l <"$SD_TMP/want") units as fixtures, verified"
}

# --- 1. the default config: gravity command style, one instance with the default name ---
write_conf <<'EOF'
gravity:
  process_manager: systemd
  virtualenv: @ROOT@/venv
galaxy:
  brand: stand-in
EOF
"$GX" -c "$CONF" --user update 2>"$SD_TMP/err" || { cat "$SD_TMP/err" >&2; sd_fail "update"; }
grep -q "Adding systemd unit galaxy.target" "$SD_TMP/err" || sd_fail "no 'Adding' message"
check_case default
[ "$(sdctl is-enabled galaxy.target)" = enabled ] || sd_fail "galaxy.target is not enabled"
"$GX" -c "$CONF" --user -d update 2>"$SD_TMP/err"
grep -q "Adding\|Updating" "$SD_TMP/err" && sd_fail "an unchanged update rewrote units"
grep -q "daemon-reload not performed" "$SD_TMP/err" || sd_fail "an unchanged update reloaded"
"$GX" -c "$CONF" --user update --force 2>"$SD_TMP/err"
[ "$(grep -c "Updating systemd unit" "$SD_TMP/err")" = 4 ] || sd_fail "--force did not rewrite all"
echo "ok - an unchanged update writes nothing; --force rewrites every unit"

# Units that are not ours: a foreign service, and another config's target with its service.
cat >"$SD_UNITS/galaxy-foo.service" <<'EOF'
[Service]
ExecStart=/bin/sleep 1000
EOF
sed -e "s/^; GRAVITY=.*/; GRAVITY=0123456789abcdef0123456789abcdef01234567/" \
	-e "s/^Wants=.*/Wants=galaxy-other-celery.service/" "$SD_UNITS/galaxy.target" \
	>"$SD_UNITS/galaxy-other.target"
sed -e "s/PartOf=galaxy.target/PartOf=galaxy-other.target/" "$SD_UNITS/galaxy-celery.service" \
	>"$SD_UNITS/galaxy-other-celery.service"
(cd "$SD_UNITS" && sha256sum galaxy-foo.service galaxy-other*) >"$SD_TMP/foreign.sum"

# --- 2. every service type, a named instance, templates, limits, umask, log_namespace ---
echo "reports: {}" >"$R/config/reports.yml"
write_conf <<'EOF'
gravity:
  process_manager: systemd
  instance_name: main
  virtualenv: @ROOT@/venv
  umask: "027"
  memory_limit: 8
  log_namespace: galaxy
  gunicorn:
    - bind: unix:@TMP@/gunicorn0.sock
    - bind: unix:@TMP@/gunicorn1.sock
      memory_high: 1.5
  celery:
    memory_limit: 2
    memory_high: 1.25
    start_timeout: 30
  tusd:
    enable: true
    upload_dir: @TMP@/uploads
  gx_it_proxy:
    enable: true
  reports:
    enable: true
  handlers:
    handler:
      processes: 2
      pools: [job-handlers]
    special:
      pools: [job-handlers.special]
galaxy:
  interactivetools_enable: true
  galaxy_infrastructure_url: http://localhost:8080
  job_config:
    handling:
      assign: [db-skip-locked]
EOF
"$GX" -c "$CONF" --user update 2>"$SD_TMP/err" || { cat "$SD_TMP/err" >&2; sd_fail "update"; }
# galaxy.target had our hash: renaming the instance leaves none of the old units behind.
grep -q "Removing systemd configs: .*galaxy.target" "$SD_TMP/err" || sd_fail "old target kept"
mkdir "$SD_TMP/keep" && mv "$SD_UNITS"/galaxy-foo.service "$SD_UNITS"/galaxy-other* "$SD_TMP/keep"
check_case all-types
mv "$SD_TMP/keep"/* "$SD_UNITS"
(cd "$SD_UNITS" && sha256sum -c --quiet "$SD_TMP/foreign.sum") || sd_fail "foreign units changed"
echo "ok - units of a renamed instance were removed, foreign ones left alone"

# --- 3. direct command style: the real commands, environment quoting, ExecReload ---
write_conf <<'EOF'
gravity:
  process_manager: systemd
  service_command_style: direct
  virtualenv: @ROOT@/venv
  gunicorn:
    bind: localhost:8123
    preload: false
    extra_args: --log-level 'debug info' --name=100%$x
    environment:
      QUOTED: it's a "test" with $HOME, 100% and a \ back
      EMPTY: ""
      PLAIN: abc
  celery:
    enable_beat: false
galaxy:
  brand: stand-in
EOF
"$GX" -c "$CONF" --user update 2>"$SD_TMP/err" || { cat "$SD_TMP/err" >&2; sd_fail "update"; }
mv "$SD_UNITS"/galaxy-foo.service "$SD_UNITS"/galaxy-other* "$SD_TMP/keep"
check_case direct
mv "$SD_TMP/keep"/* "$SD_UNITS"
# What systemd makes of it: the exact words and values.
[ "$(sd_prop galaxy-gunicorn.service Environment)" = \
	"PYTHONPATH=lib GALAXY_CONFIG_FILE=$CONF VIRTUAL_ENV=$R/venv \"QUOTED=it's a \\\"test\\\" with \\\$HOME, 100% and a \\\\ back\" EMPTY= PLAIN=abc PATH=$R/venv/bin/:$SD_MANAGER_PATH" ] ||
	sd_fail "systemd reads another environment: $(sd_prop galaxy-gunicorn.service Environment)"
sd_prop galaxy-gunicorn.service ExecStart | grep_q -- "--log-level debug info --name=100%\$\$x ;" ||
	sd_fail "systemd reads another command: $(sd_prop galaxy-gunicorn.service ExecStart)"
echo "ok - systemd reads the environment and command back exactly"

# --- 4. a value a unit cannot hold: an error, and nothing is written ---
(cd "$SD_UNITS" && sha256sum galaxy*) >"$SD_TMP/before.sum"
write_conf <<'EOF'
gravity:
  process_manager: systemd
  service_command_style: direct
  virtualenv: @ROOT@/venv
  gunicorn:
    bind: localhost:8124
  celery:
    environment:
      BROKEN: "line one\nline two"
EOF
if "$GX" -c "$CONF" --user update 2>"$SD_TMP/err"; then
	sd_fail "a newline in an environment value was accepted"
fi
grep -q "BROKEN.*cannot be written into a systemd unit" "$SD_TMP/err" ||
	{ cat "$SD_TMP/err" >&2; sd_fail "no clear error for the newline"; }
(cd "$SD_UNITS" && sha256sum galaxy*) | diff - "$SD_TMP/before.sum" >&2 ||
	sd_fail "units changed although update failed"
echo "ok - a newline in the environment is an error and nothing is written"

# --- 5. no virtualenv: an error, or upstream's $VIRTUAL_ENV fallback in user mode ---
write_conf <<'EOF'
gravity:
  process_manager: systemd
galaxy:
  brand: stand-in
EOF
if "$GX" -c "$CONF" --user update 2>"$SD_TMP/err"; then
	sd_fail "update without a virtualenv was accepted"
fi
grep -q "The \`virtualenv\` Gravity config option must be set" "$SD_TMP/err" ||
	sd_fail "no virtualenv error"
VIRTUAL_ENV=$R/venv "$GX" -c "$CONF" --user update 2>"$SD_TMP/err" ||
	{ cat "$SD_TMP/err" >&2; sd_fail "update with \$VIRTUAL_ENV"; }
grep -q "warning: Assuming Galaxy virtualenv is value of \$VIRTUAL_ENV: $R/venv" "$SD_TMP/err" &&
	grep -q "Set \`virtualenv\` in Gravity configuration to override" "$SD_TMP/err" ||
	sd_fail "no \$VIRTUAL_ENV warnings"
echo "ok - virtualenv required; \$VIRTUAL_ENV fallback with upstream's warnings"

# --- 6. --clean removes ours only; --clean --force removes every galaxy-* unit ---
"$GX" -c "$CONF" --user update --clean 2>"$SD_TMP/err"
grep -q "Configs not managed by this Gravity remain after cleaning, use --force to remove" \
	"$SD_TMP/err" || sd_fail "no warning about units left after --clean"
[ ! -e "$SD_UNITS/galaxy.target" ] && [ ! -e "$SD_UNITS/galaxy-gunicorn.service" ] ||
	sd_fail "--clean left our units"
(cd "$SD_UNITS" && sha256sum -c --quiet "$SD_TMP/foreign.sum") || sd_fail "--clean touched others"
"$GX" -c "$CONF" --user update --clean --force 2>"$SD_TMP/err"
[ -z "$(cd "$SD_UNITS" && ls galaxy* 2>/dev/null)" ] || sd_fail "--clean --force left units"
echo "ok - --clean removes ours only, --clean --force every galaxy-* unit (as upstream)"

# --- 7. names that cannot be unit names ---
write_conf <<'EOF'
gravity:
  process_manager: systemd
  instance_name: my galaxy
  virtualenv: @ROOT@/venv
EOF
if "$GX" -c "$CONF" --user update 2>"$SD_TMP/err"; then
	sd_fail "an instance name with a blank was accepted"
fi
grep -q 'galaxy.yml:3:18: error: gravity.instance_name: instance name "my galaxy" may hold only' "$SD_TMP/err" ||
	{ cat "$SD_TMP/err" >&2; sd_fail "no clear error for the instance name"; }
[ -z "$(cd "$SD_UNITS" && ls galaxy* 2>/dev/null)" ] || sd_fail "units written despite the error"
echo "ok - an instance name that cannot be a unit name is an error"
