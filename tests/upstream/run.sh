#!/bin/bash
# SPDX-License-Identifier: MIT
# make upstream-check: upstream Gravity's own tests (from GRAVITY_SRC, unchanged) against our
# galaxyctl, inside a private mount namespace with journald and a real systemd user manager.
# Usage: run.sh TOP_BUILDDIR TOP_SRCDIR GRAVITY_SRC [PYTEST_ARGS...]
set -euo pipefail

builddir=$1 srcdir=$2 gravity_src=$3
shift 3
here=$srcdir/tests/upstream
# Debian's python3 and its python3-pytest, python3-click, ... (.ci/deps), whatever else is on PATH.
python=/usr/bin/python3

skip() {
	echo "upstream-check: skipped: $*"
	exit 0
}

if [ -z "${GX_UP_IN_NS:-}" ]; then
	[ -n "$gravity_src" ] || skip "GRAVITY_SRC is not set (make upstream-check GRAVITY_SRC=DIR, DIR holding Gravity v1.2.3's tests/)"
	[ -f "$gravity_src/tests/conftest.py" ] || { echo "upstream-check: $gravity_src/tests/conftest.py: no such file" >&2; exit 1; }
	[ -x "$builddir/galaxyctl" ] || { echo "upstream-check: $builddir/galaxyctl is not built" >&2; exit 1; }
	for mod in pytest pytest_timeout click yaml requests; do
		"$python" -c "import $mod" 2>/dev/null || { echo "upstream-check: python3 module $mod is missing (bash .ci/deps)" >&2; exit 1; }
	done
	[ "$(id -u)" = 0 ] || skip "a private mount namespace for systemd needs root (unshare -m)"
	gravity_src=$(cd "$gravity_src" && pwd)
	GX_UP_IN_NS=1 exec unshare -m bash "$0" "$builddir" "$srcdir" "$gravity_src" "$@"
fi

tmp=$(mktemp -d /tmp/gx-upstream-XXXXXX)
mgr= journald=
cleanup() {
	local rc=$? pid
	for pid in $mgr $journald; do
		kill "$pid" 2>/dev/null || true
		for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		kill -9 "$pid" 2>/dev/null || true
	done
	if [ "$rc" -ne 0 ] && [ -f "$tmp/manager.log" ]; then
		echo "--- last lines of the systemd user manager's log:" >&2
		tail -n 20 "$tmp/manager.log" >&2 || true
	fi
	umount /run 2>/dev/null || true
	rm -rf "$tmp"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

wait_for() {
	for _ in $(seq 100); do
		[ -S "$1" ] && return 0
		sleep 0.1
	done
	echo "upstream-check: $1 did not appear" >&2
	return 1
}

# A private /run: upstream's conftest puts the units in /run/user/UID/systemd/user, which is
# the user manager's runtime unit dir when XDG_RUNTIME_DIR is /run/user/UID.
mkdir -p "$tmp/run" "$tmp/home/.config/systemd/user" "$tmp/cwd"
mount --bind "$tmp/run" /run
mkdir -p /run/systemd/system
export XDG_RUNTIME_DIR=/run/user/$(id -u)
mkdir -p -m 700 "$XDG_RUNTIME_DIR"
mkdir -p "$XDG_RUNTIME_DIR/systemd/user"
export HOME=$tmp/home
unset VIRTUAL_ENV GRAVITY_SYSTEMCTL_EXTRA_ARGS DBUS_SESSION_BUS_ADDRESS GRAVITY_CONFIG_FILE \
	GALAXY_CONFIG_FILE GRAVITY_STATE_DIR GRAVITY_SYSTEMD_UNIT_PATH || true

# journald, so that upstream's log_for_service finds the services' output (bin/journalctl).
setpriv --pdeathsig TERM /lib/systemd/systemd-journald >"$tmp/journald.log" 2>&1 &
journald=$!
wait_for /run/systemd/journal/stdout
setpriv --pdeathsig TERM /lib/systemd/systemd --user >"$tmp/manager.log" 2>&1 &
mgr=$!
wait_for "$XDG_RUNTIME_DIR/systemd/private"

# Root behaves as the ordinary user upstream's CI is (supervisor by default, systemd --user).
export GRAVITY_SKIP_SYSTEMD=1
export GX_GALAXYCTL=$builddir/galaxyctl GX_STANDIN=$srcdir/tests/fixtures/galaxy-standin
export GX_GRAVITY_SRC=$gravity_src
# The stand-in is Galaxy 23.1: upstream runs its reports test on branches before 26.0.
export GRAVITY_TEST_GALAXY_BRANCH=release_23.1
export PYTHONPATH=$here${PYTHONPATH:+:$PYTHONPATH} PYTHONDONTWRITEBYTECODE=1
# Upstream's tests run in tox's virtualenv, active ($VIRTUAL_ENV), which its systemd backend
# takes for Galaxy's when a config names none; so do these (Debian's packages seen from it).
"$python" -m venv --without-pip --system-site-packages "$tmp/venv"
export VIRTUAL_ENV=$tmp/venv
export PATH=$here/bin:$VIRTUAL_ENV/bin:$PATH
cd "$tmp/cwd"
"$VIRTUAL_ENV/bin/python" -m pytest -c "$here/pytest.ini" --rootdir "$gravity_src" -p gx_upstream \
	-p no:cacheprovider --basetemp "$tmp/pytest" -rfEs "$@" "$gravity_src/tests"
