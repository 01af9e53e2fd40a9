#!/bin/sh
# SPDX-License-Identifier: MIT
# End-to-end checks of the built galaxyctl: help, exit codes, config errors, list/show, backends, root rules.
set -u

here=$(cd "$(dirname "$0")" && pwd)
srcdir=${GX_TOP_SRCDIR:-$here/../..}
builddir=${GX_TOP_BUILDDIR:-$srcdir}
galaxyctl=$builddir/galaxyctl
galaxy=$builddir/galaxy

if [ ! -x "$galaxyctl" ]; then
    echo "cli.sh: $galaxyctl is not built" >&2
    exit 99
fi

unset GRAVITY_CONFIG_FILE GALAXY_CONFIG_FILE GRAVITY_STATE_DIR GALAXY_ROOT_DIR \
    GRAVITY_SKIP_SYSTEMD GRAVITY_IGNORE_ROOT GRAVITY_PLUGIN_PATH GRAVITY_DEBUG GRAVITY_USER \
    GRAVITY_BACKEND GRAVITY_LIST_VERSION GRAVITY_UPDATE_FORCE

tmp=$(mktemp -d "${TMPDIR:-/tmp}/gx-cli-XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT INT TERM
cd "$tmp" || exit 99

failures=0
count=0
# Commands that would run Galaxy in the foreground if a check failed get a time limit.
limit=
command -v timeout >/dev/null 2>&1 && limit="timeout 60"

ok() {
    count=$((count + 1))
    echo "ok $count - $1"
}

not_ok() {
    count=$((count + 1))
    failures=$((failures + 1))
    echo "not ok $count - $1"
    shift
    for line in "$@"; do
        echo "#   $line"
    done
    echo "#   stdout:"
    sed 's/^/#     /' "$tmp/out"
    echo "#   stderr:"
    sed 's/^/#     /' "$tmp/err"
}

# run EXPECTED_STATUS DESCRIPTION COMMAND...: run with output in $tmp/out and $tmp/err.
run() {
    want=$1
    what=$2
    shift 2
    "$@" >"$tmp/out" 2>"$tmp/err"
    status=$?
    if [ "$status" -eq "$want" ]; then
        ok "$what (exit $want)"
    else
        not_ok "$what (exit $want)" "exited $status"
    fi
}

# expect FILE WHAT PATTERN: an extended regular expression that a line of FILE must match.
expect() {
    if grep -E -q -e "$3" "$tmp/$1"; then
        ok "$2"
    else
        not_ok "$2" "no line of $1 matches: $3"
    fi
}

expect_not() {
    if grep -E -q -e "$3" "$tmp/$1"; then
        not_ok "$2" "a line of $1 matches: $3"
    else
        ok "$2"
    fi
}

# Quote a path for use in an extended regular expression.
re() {
    printf '%s\n' "$1" | sed 's/[][\.*^$+?(){}|]/\\&/g'
}

# --- help, version, usage errors -------------------------------------------

run 0 "galaxyctl --help" "$galaxyctl" --help
expect out "--help prints the usage" '^Usage: galaxyctl \[OPTIONS\] COMMAND \[ARGS\]\.\.\.$'
expect out "--help documents the exit codes" '^  3  invalid configuration \(nothing was changed\); for status \(without$'
run 0 "galaxyctl --version" "$galaxyctl" --version
expect out "--version prints the version" '^galaxyctl, version [0-9]'

for cmd in start stop restart graceful reload update shutdown follow list configs instances \
    show get status pm supervisorctl exec; do
    run 0 "galaxyctl $cmd --help" "$galaxyctl" "$cmd" --help
    expect out "$cmd --help prints its usage" '^Usage: galaxyctl [a-z]+ \[OPTIONS\]'
done

run 2 "unknown command" "$galaxyctl" frobnicate
expect err "unknown command is named" "No such command 'frobnicate'"
run 2 "unknown option" "$galaxyctl" --frobnicate list
run 2 "show takes one instance" "$galaxyctl" show a b
run 2 "exec needs a service" "$galaxyctl" exec

run 0 "galaxy --help" "$galaxy" --help
expect out "galaxy --help prints its usage" '^Usage: galaxy \[OPTIONS\]$'
expect out "galaxy --help documents --single-user" '-s, --single-user EMAIL'
run 0 "galaxy --version" "$galaxy" --version
expect out "galaxy --version names galaxy" '^galaxy, version [0-9]'
run 2 "galaxy takes no command" "$galaxy" start

# --- no config ---------------------------------------------------------------

mkdir "$tmp/empty"
(cd "$tmp/empty" && "$galaxyctl" status) >"$tmp/out" 2>"$tmp/err"
status=$?
if [ "$status" -eq 3 ]; then ok "no config file (exit 3)"; else not_ok "no config file (exit 3)" "exited $status"; fi
expect err "no config file is explained" 'no config file found'
# list, as upstream's, answers that there is nothing.
(cd "$tmp/empty" && "$galaxyctl" list) >"$tmp/out" 2>"$tmp/err"
status=$?
if [ "$status" -eq 0 ]; then ok "list with no config file (exit 0)"; else not_ok "list with no config file (exit 0)" "exited $status"; fi
expect out "list with no config file says so" '^No configured instances$'

# --- a stand-in Galaxy ---------------------------------------------------------

root=$tmp/galaxy
"$srcdir/tests/fixtures/galaxy-standin/make-standin.sh" "$root" >/dev/null || exit 99
conf=$root/config/galaxy.yml
conf_re=$(re "$conf")
root_re=$(re "$root")

run 0 "list on the stand-in" "$galaxyctl" -c "$conf" list
expect out "list header" '^INSTANCE NAME       CONFIG PATH$'
expect out "list row" "^_default_           $conf_re\$"
expect err "galaxy-only config warns" "warning: Config file appears to be a Galaxy config but contains no gravity section, Gravity defaults will be used: $conf_re\$"
run 0 "list --version on the stand-in" "$galaxyctl" -c "$conf" list --version
expect out "list --version header" '^INSTANCE NAME       VERSION       CONFIG PATH$'
expect out "list --version row" "^_default_           23\\.1\\.2        $conf_re\$"

# Options from GRAVITY_* variables, as upstream's click auto_envvar_prefix gives them.
run 0 "list with \$GRAVITY_LIST_VERSION" env GRAVITY_LIST_VERSION=1 "$galaxyctl" -c "$conf" list
expect out "\$GRAVITY_LIST_VERSION=1 adds the version column" '^INSTANCE NAME       VERSION       CONFIG PATH$'
run 0 "list with \$GRAVITY_LIST_VERSION=0" env GRAVITY_LIST_VERSION=0 "$galaxyctl" -c "$conf" list
expect_not out "\$GRAVITY_LIST_VERSION=0 is no --version" 'VERSION'
run 2 "an invalid \$GRAVITY_DEBUG" env GRAVITY_DEBUG=maybe "$galaxyctl" -c "$conf" list
expect err "the invalid variable is named" "^Error: Invalid value for \\\$GRAVITY_DEBUG: 'maybe' is not a valid boolean"
run 0 "the command line wins over an invalid variable" env GRAVITY_DEBUG=maybe "$galaxyctl" -d -c "$conf" list
if [ -e "$builddir/backends/.libs/supervisor.so" ]; then
    sv="env GRAVITY_SKIP_SYSTEMD=1 $galaxyctl -c $conf --state-dir $tmp/sv --backend supervisor"
    run 0 "supervisor update" $sv update
    run 0 "update with \$GRAVITY_UPDATE_FORCE=0" env GRAVITY_UPDATE_FORCE=0 $sv update
    expect_not err "\$GRAVITY_UPDATE_FORCE=0 leaves unchanged files alone" '^Updating service'
    run 0 "update with \$GRAVITY_UPDATE_FORCE=1" env GRAVITY_UPDATE_FORCE=1 $sv update
    expect err "\$GRAVITY_UPDATE_FORCE=1 rewrites every file" '^Updating service gunicorn$'
    rm -rf "$tmp/sv"
else
    echo "# skipped \$GRAVITY_UPDATE_FORCE: backends/.libs/supervisor.so is not built"
fi

(cd "$root" && "$galaxyctl" configs) >"$tmp/out" 2>"$tmp/err"
status=$?
if [ "$status" -eq 0 ]; then ok "configs from the Galaxy root (exit 0)"; else not_ok "configs from the Galaxy root (exit 0)" "exited $status"; fi
expect out "config/galaxy.yml is found from the cwd" "^_default_           $conf_re\$"

run 0 "show --json with \$GRAVITY_CONFIG_FILE" env GRAVITY_CONFIG_FILE="$conf" "$galaxyctl" show --json
expect out "show --json: galaxy_root" "^    \"galaxy_root\": \"$root_re\",\$"
expect out "show --json: state dir" "^    \"gravity_data_dir\": \"$root_re/database/gravity\",\$"
expect out "show --json: umask stays a string" '^    "umask": "022",$'
if command -v python3 >/dev/null 2>&1; then
    if python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); assert d["instance_name"] == "_default_"; assert d["log_dir"] == sys.argv[2] + "/database/gravity/log"; assert "services" not in d and isinstance(d["app_config"], dict)' \
        "$tmp/out" "$root" 2>>"$tmp/err"; then
        ok "show --json is JSON"
    else
        not_ok "show --json is JSON"
    fi
fi
# Settings from GRAVITY_* variables fill what the file leaves out; a bad one names the variable.
run 0 "show with \$GRAVITY_LOG_DIR" env GRAVITY_LOG_DIR=/var/log/gx "$galaxyctl" -c "$conf" show --json
expect out "show: log_dir from the environment" '^    "log_dir": "/var/log/gx",$'
run 3 "a bad \$GRAVITY_GUNICORN.WORKERS" env GRAVITY_GUNICORN.WORKERS=many "$galaxyctl" -c "$conf" show
expect err "the error names the variable" "^galaxyctl: \\\$GRAVITY_GUNICORN.WORKERS: error: gravity.gunicorn.workers: expected an integer, got 'many'\$"

run 0 "show (get) prints upstream's JSON" "$galaxyctl" -c "$conf" --state-dir "$tmp/state" get _default_
expect out "show: state dir from --state-dir" "^    \"gravity_data_dir\": \"$(re "$tmp/state")\",\$"
expect out "show: log dir under it" "^    \"log_dir\": \"$(re "$tmp/state")/log\",\$"
expect_not out "show: our extras only with --details" '"settings"'
run 0 "show --details" "$galaxyctl" -c "$conf" show --details
expect out "show --details: the services" '^    "services": \[$'
expect out "show --details: the settings" '^    "settings": \{$'
run 0 "an empty \$GRAVITY_STATE_DIR is unset" env GRAVITY_STATE_DIR= "$galaxyctl" -c "$conf" show
expect out "show: the default state dir" "^    \"gravity_data_dir\": \"$root_re/database/gravity\",\$"
(cd "$tmp" && "$galaxyctl" -c "$conf" --state-dir rel/state show) >"$tmp/out" 2>"$tmp/err"
expect out "show: a relative --state-dir is made absolute" "^    \"gravity_data_dir\": \"$(re "$tmp")/rel/state\",\$"
run 1 "show of an unknown instance" "$galaxyctl" -c "$conf" show nosuch
expect err "the unknown instance is named" 'Unknown instance name: nosuch'

# --- config errors: nothing is changed -------------------------------------------

bad=$root/config/bad.yml
cat >"$bad" <<EOF
gravity:
  galaxy_root: $root
  gunicorn:
    workers: many
galaxy: {}
EOF
if [ -e "$builddir/services/.libs/gunicorn.so" ]; then
    run 3 "type error in the config" env GRAVITY_SKIP_SYSTEMD=1 "$galaxyctl" -c "$bad" start
    expect err "type error with file:line:col and key path" "^galaxyctl: $(re "$bad"):4:14: error: gravity\\.gunicorn\\.workers: "
    expect err "nothing was changed" 'nothing was changed'
    if [ -e "$root/database/gravity" ]; then
        not_ok "a bad config writes no state" "$root/database/gravity exists"
    else
        ok "a bad config writes no state"
    fi
else
    echo "# skipped the gunicorn type error: services/.libs/gunicorn.so is not built"
fi

cat >"$bad" <<EOF
gravity:
  umask: [022]
galaxy: {}
EOF
run 3 "type error in a core option" "$galaxyctl" -c "$bad" show
expect err "core type error with file:line:col" "^galaxyctl: $(re "$bad"):2:10: error: gravity\\.umask: "

printf 'gravity:\n  gunicorn: [1, 2\nb: c\n' >"$bad"
run 3 "YAML syntax error" "$galaxyctl" -c "$bad" list
expect err "syntax error with file:line:col" "^galaxyctl: $(re "$bad"):[0-9]+:[0-9]+: error: "
expect err "nothing was changed after a syntax error" 'nothing was changed'

run 3 "missing config file" "$galaxyctl" -c "$tmp/nope.yml" list
expect err "the missing file is named" "$(re "$tmp/nope.yml")"

# Config reads are bounded: never block, never grow without limit.
run 3 "a character device as config" "$galaxyctl" -c /dev/zero list
expect err "a device is refused by name" "^galaxyctl: error: cannot read /dev/zero: it is a character device, not a regular file$"
mkfifo "$tmp/fifo.yml"
run 3 "a FIFO as config" $limit "$galaxyctl" -c "$tmp/fifo.yml" list
expect err "a FIFO is refused without waiting for a writer" "cannot read $(re "$tmp/fifo.yml"): it is a FIFO, not a regular file$"
head -c 17000000 /dev/zero | tr '\0' '#' >"$tmp/huge.yml"
run 3 "a config over the size cap" "$galaxyctl" -c "$tmp/huge.yml" list
expect err "the cap is named" "cannot read $(re "$tmp/huge.yml"): it holds 17000000 bytes, more than the 16777216 allowed$"
awk 'BEGIN { print "gravity:"; print "  x:"; for (i = 0; i < 1000001; i++) print "  - 1" }' >"$tmp/many.yml"
run 3 "a config of too many nodes" "$galaxyctl" -c "$tmp/many.yml" list
expect err "too many nodes is an error at its place" "many\.yml:[0-9]+:[0-9]+: error: document too large: more than 1000000 nodes$"
printf 'a: &a [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n' >"$tmp/laughs.yml"
run 3 "exponential aliases" "$galaxyctl" -c "$tmp/laughs.yml" list
expect err "aliases are named when the document uses them" "document too large: more than 1000000 nodes \(recursive or exponential alias expansion\?\)$"

# --- backends --------------------------------------------------------------------

run 4 "a backend that is not built" env GRAVITY_SKIP_SYSTEMD=1 "$galaxyctl" -c "$conf" --backend nosuch start
expect err "unknown backend is named" "unknown backend 'nosuch'"
expect err "the available backends are listed" 'available backends: '
expect err "the paths searched are listed" "searched: .*$(re "$builddir")/backends/\\.libs"

# --- root --------------------------------------------------------------------------

if [ "$(id -u)" -eq 0 ]; then
    run 3 "as root, supervisor is refused" $limit "$galaxyctl" -c "$conf" --backend supervisor start
    expect err "upstream's root message" 'Gravity cannot be run as root unless using the systemd process manager'
    expect err "GRAVITY_SKIP_SYSTEMD is suggested" 'GRAVITY_SKIP_SYSTEMD'
    expect err "--backend is named as the reason, with the config file" "instance _default_ of $(re "$conf") uses supervisor, from --backend"
    # Only upstream's true values (1, true, yes) make root a user; 0 keeps root on systemd.
    for v in 0 no false; do
        run 0 "as root, GRAVITY_SKIP_SYSTEMD=$v" env GRAVITY_SKIP_SYSTEMD=$v "$galaxyctl" -c "$conf" show
        expect out "GRAVITY_SKIP_SYSTEMD=$v keeps systemd" '^    "process_manager": "systemd",$'
    done
    for v in 1 True YES; do
        run 0 "as root, GRAVITY_SKIP_SYSTEMD=$v" env GRAVITY_SKIP_SYSTEMD=$v "$galaxyctl" -c "$conf" show
        expect out "GRAVITY_SKIP_SYSTEMD=$v acts as a user" '^    "process_manager": "supervisor",$'
    done
    pmsup=$root/config/supervisor.yml
    printf 'gravity:\n  galaxy_root: %s\n  process_manager: supervisor\ngalaxy: {}\n' "$root" >"$pmsup"
    run 3 "as root, process_manager: supervisor is refused" $limit "$galaxyctl" -c "$pmsup" start
    expect err "the refusal is at the process_manager line" "^galaxyctl: $(re "$pmsup"):3:20: error: Gravity cannot be run as root"
    run 3 "as root, galaxy (direct) is refused" $limit "$galaxy" -c "$conf"
    expect err "galaxy gets upstream's root message" 'Gravity cannot be run as root unless using the systemd process manager'

    pm=$root/config/systemd.yml
    printf 'gravity:\n  process_manager: systemd\n  galaxy_root: %s\ngalaxy: {}\n' "$root" >"$pm"
    run 3 "as root, systemd needs galaxy_user" $limit "$galaxyctl" -c "$pm" start
    expect err "galaxy_user is required" 'galaxy_user is required when running as root'
    if [ -e "$root/database/gravity" ]; then
        not_ok "a refused start writes no state" "$root/database/gravity exists"
    else
        ok "a refused start writes no state"
    fi
else
    echo "# skipped the root checks: not running as root"
fi

echo "1..$count"
if [ "$failures" -ne 0 ]; then
    echo "# $failures of $count checks failed"
    exit 1
fi
exit 0
