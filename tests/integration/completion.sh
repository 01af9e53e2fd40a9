#!/bin/bash
# SPDX-License-Identifier: MIT
# Bash completion (completion/galaxyctl.bash) driven in bash: COMP_WORDS in, COMPREPLY checked.
set -u

here=$(cd "$(dirname "$0")" && pwd)
srcdir=${GX_TOP_SRCDIR:-$here/../..}
builddir=${GX_TOP_BUILDDIR:-$srcdir}

if [ ! -x "$builddir/galaxyctl" ]; then
    echo "completion.sh: $builddir/galaxyctl is not built" >&2
    exit 99
fi
unset GRAVITY_CONFIG_FILE GALAXY_CONFIG_FILE GRAVITY_STATE_DIR GALAXY_ROOT_DIR GRAVITY_PLUGIN_PATH
export GRAVITY_SKIP_SYSTEMD=1 LC_ALL=C
PATH=$builddir:$PATH

tmp=$(mktemp -d "${TMPDIR:-/tmp}/gx-completion-XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT INT TERM
cd "$tmp" || exit 99

# shellcheck source=../../completion/galaxyctl.bash
. "$srcdir/completion/galaxyctl.bash" || exit 99

failures=0
count=0

# complete WORD... : complete the last word of the line, leaving the sorted replies in $got.
complete_line() {
    COMP_WORDS=("$@")
    COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
    COMP_LINE="$*"
    COMP_POINT=${#COMP_LINE}
    COMPREPLY=()
    _galaxyctl
    got=$(printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' ')
    got=${got% }
}

# expect "WANT" WORD... : the replies are exactly WANT (sorted, space-separated).
expect() {
    local want=$1
    shift
    complete_line "$@"
    count=$((count + 1))
    if [ "$got" = "$want" ]; then
        echo "ok $count - $* -> $want"
    else
        failures=$((failures + 1))
        echo "not ok $count - $*"
        echo "#   want: $want"
        echo "#   got:  $got"
    fi
}

# A stand-in config with two instances: names come from `galaxyctl list` and `show --details`.
"$srcdir/tests/fixtures/galaxy-standin/make-standin.sh" "$tmp/root" >/dev/null 2>&1 || exit 99
cat > "$tmp/gravity.yml" <<YAML
gravity:
  - instance_name: alpha
    galaxy_root: $tmp/root
    galaxy_config_file: alpha.yml
    celery:
      enable_beat: false
    tusd:
      enable: true
      upload_dir: $tmp/uploads
  - instance_name: beta
    galaxy_root: $tmp/root
    galaxy_config_file: beta.yml
    celery:
      enable: false
      enable_beat: false
    reports:
      enable: true
      config_file: reports.yml
YAML
printf 'galaxy:\n  galaxy_infrastructure_url: http://localhost:8080\n' > "$tmp/alpha.yml"
printf 'galaxy: {}\n' > "$tmp/beta.yml"
printf 'reports: {}\n' > "$tmp/reports.yml"
if ! galaxyctl -c "$tmp/gravity.yml" list >/dev/null 2>"$tmp/list.err"; then
    echo "completion.sh: the stand-in config does not load:" >&2
    cat "$tmp/list.err" >&2
    exit 99
fi

expect "$(printf '%s\n' start stop restart graceful reload update shutdown follow list configs \
    instances show get status pm supervisorctl exec | sort | tr '\n' ' ' | sed 's/ $//')" galaxyctl ""
expect "start status" galaxyctl sta
expect "--foreground --help --quiet -f" galaxyctl start -
expect "--foreground --help --quiet" galaxyctl start --
expect "--clean --dry-run --force --help" galaxyctl update --
expect "--details --help --json --sample-config" galaxyctl show --
expect "--config-file" galaxyctl --conf
expect "direct supervisor systemd" galaxyctl --backend ""
expect "configs" galaxyctl -d con
# A command after global options and their values.
expect "restart" galaxyctl --backend direct -c x.yml res
# Instance names from the config named with -c, --config-file and -cFILE.
expect "alpha" galaxyctl -c "$tmp/gravity.yml" show al
expect "alpha beta" galaxyctl --config-file "$tmp/gravity.yml" update ""
expect "beta" galaxyctl "-c$tmp/gravity.yml" shutdown b
# Service names of every instance, with the instance names, each once.
expect "alpha beta celery gunicorn reports tusd" galaxyctl -c "$tmp/gravity.yml" start ""
expect "tusd" galaxyctl -c "$tmp/gravity.yml" restart alpha tu
expect "gunicorn" galaxyctl -c "$tmp/gravity.yml" exec -n g
# --config-file=FILE, as bash splits it at '='.
expect "reports" galaxyctl --config-file = "$tmp/gravity.yml" status rep
# No config found: no names, and no error output.
expect "" galaxyctl -c "$tmp/missing.yml" start ""
expect "" galaxyctl start ""
# Files after -c.
touch "$tmp/galaxy-one.yml"
expect "galaxy-one.yml" galaxyctl -c galaxy-o
# pm and list take no names.
expect "" galaxyctl -c "$tmp/gravity.yml" pm ""
# galaxy has options only.
expect "--single-user" galaxy --sing
expect "--config-file --debug --help --quiet --single-user --state-dir --version -c -d -h -s" galaxy ""
# Both commands are registered.
count=$((count + 1))
if complete -p galaxyctl >/dev/null 2>&1 && complete -p galaxy >/dev/null 2>&1; then
    echo "ok $count - complete -F _galaxyctl is set for galaxyctl and galaxy"
else
    failures=$((failures + 1))
    echo "not ok $count - complete for galaxyctl and galaxy"
fi

echo "1..$count"
[ "$failures" -eq 0 ]
