#!/bin/bash
# SPDX-License-Identifier: MIT
# Bad service and instance names, and bad environment variable names, are config errors at load.
set -u
. "$(dirname "$0")/lib.sh"

make_work names
make_standin
state=$root/database/gravity
ESC=$(printf '\033')

# check WHAT YAML_HANDLERS_OR_EXTRA PATTERN: show and update refused (3), located, nothing written.
check() {
	local what=$1 body=$2 pattern=$3 b
	printf 'gravity:\n  galaxy_root: %s\n  celery:\n    enable_beat: false\n%b\n' "$root" "$body" >"$work/c.yml"
	for b in direct supervisor systemd; do
		before=$(find "$root" "$work/units" 2>/dev/null | sort)
		"$galaxyctl" -c "$work/c.yml" --backend $b show >"$work/out" 2>"$work/err"
		[ $? -eq 3 ] || fail "$what: show --backend $b did not exit 3: $(cat "$work/err")"
		grep -Eq "c.yml:[0-9]+:[0-9]+: error: .*$pattern" "$work/err" || fail "$what ($b): $(cat "$work/err")"
		grep -q "$ESC" "$work/err" && fail "$what ($b): raw ESC printed"
		GRAVITY_SYSTEMD_UNIT_PATH=$work/units "$galaxyctl" -c "$work/c.yml" --backend $b update \
			>"$work/out" 2>"$work/err"
		[ $? -eq 3 ] || fail "$what: update --backend $b did not exit 3"
		after=$(find "$root" "$work/units" 2>/dev/null | sort)
		[ "$before" = "$after" ] || fail "$what ($b): update wrote files"
	done
	ok "$what"
}

check "../ handler" '  handlers:\n    "../../../../tmp/x/root-owned": {}' 'gravity.handlers: name "\.\./\.\./\.\./\.\./tmp/x/root-owned" may hold only'
check "../ instance" '  instance_name: "../../dir/INST"' 'instance_name: instance name "\.\./\.\./dir/INST"'
check "newline handler" '  handlers:\n    "h\\n123 0 injected": {}' 'name "h\\n123 0 injected"'
check "escape handler" '  handlers:\n    "h\\e[2J\\e]0;owned\\a": {}' 'name "h\\x1b\[2J\\x1b\]0;owned\\x07"'
check "-n handler" '  handlers:\n    "-n": {}' "may not start with '-'"
check "300-char handler" "  handlers:\n    $(printf 'a%.0s' $(seq 300)): {}" 'is longer than 64 characters'
check "celery handler" '  handlers:\n    celery: {}' 'service name "celery" is already used'
check "a x2 beside a_0" '  handlers:\n    a:\n      processes: 2\n    a_0: {}' 'service name "a_0" is already used'
check "env name with =" '  gunicorn:\n    environment:\n      "A=B": x' "variable name 'A=B'"
check "empty env name" '  gunicorn:\n    environment:\n      "": x' "variable name ''"
# Not only names: any value quoted in a message reaches the terminal escaped.
check "escape in a value" '  process_manager: "x\\e[2Jy"' "gravity.process_manager: 'x\\\\x1b\[2Jy' is not one of"
