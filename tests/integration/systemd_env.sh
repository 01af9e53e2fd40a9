# SPDX-License-Identifier: MIT
# Sourced by every systemd integration test: re-runs the test in a private mount namespace with a
# real systemd user manager (../shared/TESTING.md recipe), gives it helpers and a stand-in Galaxy,
# and on exit stops the manager (and with it every unit), kills what the test started, cleans up.

sd_skip() {
	echo "SKIP: $*" >&2
	exit 77
}

# SD_NO_MANAGER=1 (set before sourcing): no namespace and no manager, for tests that only run
# recording stand-ins of systemctl and journalctl.
if [ -z "${GX_SD_IN_NS:-}" ] && [ -z "${SD_NO_MANAGER:-}" ]; then
	[ "$(id -u)" = 0 ] || sd_skip "a private mount namespace needs root (unshare -m)"
	[ -x /lib/systemd/systemd ] || sd_skip "no /lib/systemd/systemd"
	command -v systemctl >/dev/null || sd_skip "no systemctl"
	command -v unshare >/dev/null && command -v setpriv >/dev/null || sd_skip "no unshare/setpriv"
	unshare -m true 2>/dev/null || sd_skip "unshare -m is not permitted here"
	GX_SD_IN_NS=1 exec unshare -m bash "$0" "$@"
fi

set -euo pipefail

SD_TOP_SRCDIR=${GX_TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
SD_TOP_BUILDDIR=${GX_TOP_BUILDDIR:-$SD_TOP_SRCDIR}
GX=$SD_TOP_BUILDDIR/galaxyctl
SD_FIXTURES=$SD_TOP_SRCDIR/tests/fixtures/systemd
[ -x "$GX" ] || sd_skip "galaxyctl is not built ($GX)"

SD_TMP=$(mktemp -d /tmp/gx-sd-XXXXXX)
SD_MGR=
SD_PIDS=()

sd_cleanup() {
	local rc=$?
	local pid

	for pid in "${SD_PIDS[@]}"; do
		kill "$pid" 2>/dev/null || true
	done
	if [ -n "$SD_MGR" ] && kill -0 "$SD_MGR" 2>/dev/null; then
		# SIGTERM: the manager stops every unit (and their cgroups) before it exits.
		kill "$SD_MGR" 2>/dev/null || true
		for _ in $(seq 100); do
			kill -0 "$SD_MGR" 2>/dev/null || break
			sleep 0.1
		done
		kill -9 "$SD_MGR" 2>/dev/null || true
	fi
	for pid in "${SD_PIDS[@]}"; do
		kill -9 "$pid" 2>/dev/null || true
	done
	if [ "$rc" -ne 0 ] && [ -f "$SD_TMP/manager.log" ]; then
		echo "--- last lines of the systemd user manager's log:" >&2
		tail -n 30 "$SD_TMP/manager.log" >&2 || true
	fi
	rm -rf "$SD_TMP"
	exit "$rc"
}
trap sd_cleanup EXIT
trap 'exit 130' INT TERM

sd_fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# Poll "$@" every 0.1 s for at most $1 seconds.
sd_wait_for() {
	local limit=$1 i
	shift
	for i in $(seq $((limit * 10))); do
		if "$@" >/dev/null 2>&1; then
			return 0
		fi
		sleep 0.1
	done
	return 1
}

sd_free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# A private /run, runtime dir and home, then the user manager itself.
export XDG_RUNTIME_DIR=$SD_TMP/xdg
export HOME=$SD_TMP/home
mkdir -p -m 700 "$XDG_RUNTIME_DIR"
mkdir -p "$SD_TMP/run" "$HOME/.config/systemd/user"
if [ -z "${SD_NO_MANAGER:-}" ]; then
	mount --bind "$SD_TMP/run" /run
	mkdir -p /run/systemd/system
fi
export GRAVITY_SYSTEMD_UNIT_PATH=$HOME/.config/systemd/user
export GRAVITY_SKIP_SYSTEMD=1
unset VIRTUAL_ENV GRAVITY_SYSTEMCTL_EXTRA_ARGS DBUS_SESSION_BUS_ADDRESS GRAVITY_CONFIG_FILE \
	GALAXY_CONFIG_FILE GRAVITY_STATE_DIR || true
SD_UNITS=$GRAVITY_SYSTEMD_UNIT_PATH

if [ -z "${SD_NO_MANAGER:-}" ]; then
	# --pdeathsig: even if this shell is killed outright, the manager (and its units) goes too.
	setpriv --pdeathsig TERM /lib/systemd/systemd --user >"$SD_TMP/manager.log" 2>&1 &
	SD_MGR=$!
	sd_wait_for 10 test -S "$XDG_RUNTIME_DIR/systemd/private" ||
		sd_fail "the systemd user manager did not start (see $SD_TMP/manager.log)"
fi

# A stand-in Galaxy root in $1 (with its virtualenv at $1/venv).
sd_standin() {
	"$SD_TOP_SRCDIR/tests/fixtures/galaxy-standin/make-standin.sh" "$1" >/dev/null
}

# Compare a unit file ($2) with a fixture file ($1) once its placeholders are filled in: @ROOT@
# ($SD_ROOT), @TMP@, @GALAXYCTL@, @PATH@ (the manager's, $SD_MANAGER_PATH), @HASH@ ($SD_HASH).
sd_check_fixture() {
	local expected=$SD_TMP/expected
	sed -e "s|@ROOT@|${SD_ROOT:-}|g" -e "s|@TMP@|$SD_TMP|g" -e "s|@GALAXYCTL@|$GX|g" \
		-e "s|@PATH@|${SD_MANAGER_PATH:-}|g" -e "s|@HASH@|${SD_HASH:-}|g" "$1" >"$expected"
	if ! cmp -s "$expected" "$2"; then
		diff -u "$expected" "$2" >&2 || true
		sd_fail "$2 differs from the fixture $1"
	fi
}

# systemctl --user, quietly, for the tests' own checks.
sdctl() {
	systemctl --user "$@"
}

# A property of a unit ("systemctl show -P").
sd_prop() {
	systemctl --user show -P "$2" "$1"
}

# grep -q for pipelines: it reads all its input, so that under pipefail the
# writer never dies of SIGPIPE when the match comes early.
grep_q() { grep "$@" >/dev/null; }
