# SPDX-License-Identifier: MIT
# Shared by the dryrun_*.sh tests (sourced after their backend's lib): a checksum of directories
# that moves with any file or directory made, removed, rewritten or touched, and the runs of
# update --dry-run with their exit status.
# shellcheck shell=bash

# Paths (an extended regex) whose bytes and times the running services change themselves (their
# logs): only their names and types count.  Empty: none.
volatile=${volatile:-}

# tree_sum DIR...: every entry's path, type, mode, size and mtime (ns), and every file's sha256.
tree_sum() {
	local d
	for d in "$@"; do
		if [ ! -e "$d" ]; then
			echo "absent $d"
			continue
		fi
		find "$d" -printf '%p %y %m %s %T@\n' | LC_ALL=C sort |
			awk -v v="$volatile" 'v != "" && $1 ~ v { print $1, $2; next } { print }'
		find "$d" -type f -print0 | LC_ALL=C sort -z | while IFS= read -r -d '' f; do
			if [ -n "$volatile" ] && [[ $f =~ $volatile ]]; then
				continue
			fi
			sha256sum "$f"
		done
	done
}

# dry_run WANT_RC OUT ARGS...: galaxyctl ... update --dry-run ARGS, stdout in OUT, stderr in
# OUT.err; fails unless it exits WANT_RC.
dry_run() {
	local want=$1 out=$2 rc=0
	shift 2
	gx "$@" >"$out" 2>"$out.err" || rc=$?
	[ "$rc" = "$want" ] || {
		echo "--- stdout"; cat "$out"; echo "--- stderr"; cat "$out.err"
		fail "update --dry-run $* exited $rc, not $want"
	}
}

# expect_line FILE REGEX: some line of FILE matches (grep -E -x).
expect_line() {
	grep -Eqx -- "$2" "$1" || { cat "$1"; fail "no line '$2' in $1"; }
}
no_line() {
	! grep -Eqx -- "$2" "$1" || { cat "$1"; fail "a line '$2' in $1"; }
}

# same_sum BEFORE DIR...: the checksum has not moved.
same_sum() {
	local before=$1 now
	shift
	now=$(tree_sum "$@")
	[ "$before" = "$now" ] || fail "update --dry-run changed the state:
$(diff <(echo "$before") <(echo "$now"))"
}
