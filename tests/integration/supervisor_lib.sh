# SPDX-License-Identifier: MIT
# Shared by the supervisor_*.sh tests (sourced): a work dir, a stand-in root, cleanup of every
# supervisord and process they started, and small wait/assert helpers.

top_srcdir=${GX_TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${GX_TOP_BUILDDIR:-$top_srcdir}
galaxyctl=$top_builddir/galaxyctl
fixtures=$top_srcdir/tests/fixtures/supervisor
export GRAVITY_SKIP_SYSTEMD=1
unset GRAVITY_CONFIG_FILE GRAVITY_STATE_DIR GALAXY_CONFIG_FILE GALAXY_ROOT_DIR GRAVITY_PLUGIN_PATH \
	SUPERVISORD_SOCKET XDG_CONFIG_HOME PYTHONPATH

if [ ! -x /usr/bin/supervisord ] || ! /usr/bin/python3 -c 'import supervisor' 2>/dev/null; then
	echo "SKIP: Debian's supervisor is not installed"
	exit 77
fi

# Short, so that unix socket paths stay well under 108 bytes.
work=$(mktemp -d /tmp/gx-sv-XXXXXX)
root=$work/galaxy
"$top_srcdir/tests/fixtures/galaxy-standin/make-standin.sh" "$root" >/dev/null
pidfiles=()  # supervisord pid files to clean up
bgpids=()    # process groups we started in the background

# Every descendant of a pid, deepest first.
descendants() {
	local child
	for child in $(ps -o pid= --ppid "$1" 2>/dev/null); do
		descendants "$child"
		echo "$child"
	done
}

kill_tree() {
	local pid=$1 p i
	local tree
	tree="$(descendants "$pid") $pid"
	kill -TERM $tree 2>/dev/null || true
	for i in $(seq 1 50); do
		alive=0
		for p in $tree; do kill -0 "$p" 2>/dev/null && alive=1; done
		[ $alive = 0 ] && return 0
		sleep 0.1
	done
	kill -KILL $tree 2>/dev/null || true
}

cleanup() {
	local f pid
	for pid in "${bgpids[@]}"; do
		kill_tree "$pid"
		wait "$pid" 2>/dev/null || true
	done
	for f in "${pidfiles[@]}"; do
		pid=$(cat "$f" 2>/dev/null) || continue
		[ -n "$pid" ] && kill_tree "$pid"
	done
	rm -rf "$work"
}
trap cleanup EXIT

# A supervisord pid file to clean up on exit.
watch_pidfile() { pidfiles+=("$1"); }

fail() {
	local log
	echo "FAIL: $*"
	for log in "$work"/*.out $(find "$work" -name '*.log' 2>/dev/null | head -n 20); do
		[ -f "$log" ] && { echo "--- $log"; tail -n 25 "$log"; }
	done
	exit 1
}
ok() { echo "ok: $* [${SECONDS}s]"; }

free_port() {
	/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Wait up to $WAIT seconds (20) for a command to succeed.
wait_for() {
	local i n=$(( ${WAIT:-20} * 5 ))
	for i in $(seq 1 $n); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.2
	done
	return 1
}

# A fixture file with its placeholders replaced.
subst() {
	sed -e "s|@ROOT@|$root|g" -e "s|@GALAXYCTL@|$galaxyctl|g" -e "s|@STATE@|${state:-}|g" "$1"
}

# Compare every expected file of a fixture case with what is in a supervisord.conf.d.
expect_files() {
	local expected=$1 confd=$2 f want got
	want=$(cd "$expected" && find . -type f | sort)
	got=$(cd "$confd" && find . -type f | sort)
	[ "$want" = "$got" ] || fail "files in $confd:
$got
expected:
$want"
	for f in $want; do
		subst "$expected/$f" | cmp -s - "$confd/$f" ||
			fail "$confd/$f differs: $(subst "$expected/$f" | diff - "$confd/$f")"
	done
}

# The pid of a process in `galaxyctl status --json` output ($1: json, $2: name).
json_pid() {
	/usr/bin/python3 -c '
import json, sys
for row in json.loads(sys.argv[1]):
    if row["name"] == sys.argv[2]:
        print(row["pid"])' "$1" "$2"
}

# Every row in state $2 ($1: status --json output).
all_in_state() {
	/usr/bin/python3 -c '
import json, sys
rows = json.loads(sys.argv[1])
sys.exit(0 if rows and all(r["state"] == sys.argv[2] for r in rows) else 1)' "$1" "$2"
}

# grep -q for pipelines: it reads all its input, so that under pipefail the
# writer never dies of SIGPIPE when the match comes early.
grep_q() { grep "$@" >/dev/null; }
