# SPDX-License-Identifier: MIT
# Sourced by the exec_*.sh and thirdparty_plugin.sh tests: paths, a clean environment, a work dir,
# a stand-in Galaxy, and cleanup of every process group they started.
# shellcheck shell=bash

top_srcdir=${GX_TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${GX_TOP_BUILDDIR:-$top_srcdir}
galaxyctl=$top_builddir/galaxyctl
# Nothing from the caller's environment may pick the config, state, plugins or Python path.
export GRAVITY_SKIP_SYSTEMD=1
unset GRAVITY_CONFIG_FILE GRAVITY_STATE_DIR GALAXY_CONFIG_FILE GALAXY_ROOT_DIR GRAVITY_PLUGIN_PATH \
	PYTHONPATH

work=
pids=()  # process groups started by spawn

# Create the scratch dir /tmp/gx-$1-XXXXXX as $work; cleanup removes it.
make_work() {
	work=$(mktemp -d "/tmp/gx-$1-XXXXXX")
}

# Create a stand-in Galaxy at $root ($work/galaxy); $cfg is where its galaxy.yml goes.
make_standin() {
	root=$work/galaxy
	cfg=$root/config/galaxy.yml
	"$top_srcdir/tests/fixtures/galaxy-standin/make-standin.sh" "$root" >/dev/null
}

# Run the rest of the arguments in a session of their own, output to $1: $! is then both the
# pid (which exec keeps) and the process group that cleanup stops.
spawn() {
	local log=$1
	shift
	setsid "$@" >"$log" 2>&1 </dev/null &
	pids+=("$!")
}

# Whether any process group in pids still has a member.
any_alive() {
	local pid
	for pid in "${pids[@]}"; do
		kill -0 -- "-$pid" 2>/dev/null && return 0
	done
	return 1
}

# Stop every process group we started: TERM, up to 5 s to exit, then KILL; remove the work dir.
cleanup() {
	local pid
	for pid in "${pids[@]}"; do
		kill -TERM -- "-$pid" 2>/dev/null || true
	done
	for _ in $(seq 1 25); do
		any_alive || break
		sleep 0.2
	done
	for pid in "${pids[@]}"; do
		kill -KILL -- "-$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	if [ -n "$work" ]; then
		rm -rf "$work"
	fi
}
trap cleanup EXIT

# Report a failure with the tail of every log in the work dir, and exit 1.
fail() {
	local log
	echo "FAIL: $*"
	if [ -n "$work" ]; then
		for log in "$work"/*.log; do
			[ -f "$log" ] && { echo "--- $log"; tail -n 30 "$log"; }
		done
	fi
	exit 1
}

ok() { echo "ok: $*"; }

# A TCP port free on 127.0.0.1 right now.
free_port() {
	/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Wait up to 20 s for the arguments, run as a command, to succeed.
wait_for() {
	for _ in $(seq 1 100); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.2
	done
	return 1
}

# The command line of pid $1, words separated by spaces.
cmdline() { tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null; }

# The environment of pid $1, one variable a line.
environ() { tr '\0' '\n' <"/proc/$1/environ" 2>/dev/null; }

# grep -q for pipelines: it reads all its input, so that under pipefail the
# writer never dies of SIGPIPE when the match comes early.
grep_q() { grep "$@" >/dev/null; }
