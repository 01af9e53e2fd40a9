# SPDX-License-Identifier: MIT
# Sourced (after a backend's own lib) by the tests that run the real gx-it-proxy: the skip when it is not installed, its sessions database, and what a user sees of it.
# shellcheck shell=bash
#
# The stand-in's venv/bin/npx runs npm's npx offline on the copy that .ci/deps installs
# (tests/fixtures/galaxy-standin/root/venv/bin/npx). The rendered command uses the default
# interactivetools prefix, so a session KEY/TOKEN is reached at /interactivetool/ep/KEY/TOKEN/...

gxit_prefix=${GX_IT_PROXY_PREFIX:-/opt/gx-it-proxy}
gxit_key=3f2a9c
gxit_token=5e1d7b

# No fallback to a fake: without the real proxy (and node, npx, curl) the test is skipped.
if ! command -v node >/dev/null || ! command -v npx >/dev/null; then
	echo "SKIP: no node/npx (Debian: nodejs; bash .ci/deps installs it)"
	exit 77
fi
if [ ! -x "$gxit_prefix/node_modules/.bin/gx-it-proxy" ]; then
	echo "SKIP: the real gx-it-proxy is not installed in $gxit_prefix (bash .ci/deps installs it)"
	exit 77
fi
if ! command -v curl >/dev/null || ! /usr/bin/python3 -c 'import sqlite3' 2>/dev/null; then
	echo "SKIP: curl or python3's sqlite3 is missing"
	exit 77
fi

# An empty sessions database in Galaxy's schema at $1 (Galaxy creates it; the proxy exits
# without it).
gxit_sessions() {
	mkdir -p "$(dirname "$1")"
	/usr/bin/python3 - "$1" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("CREATE TABLE gxitproxy (key text, key_type text, token text, host text,"
           " port integer, info text, PRIMARY KEY (key, key_type))")
db.commit()
PY
}

# Add the session KEY/TOKEN -> 127.0.0.1:$2 to the database $1, as Galaxy does for a new tool.
gxit_add_session() {
	/usr/bin/python3 - "$1" "$gxit_key" "$gxit_token" "$2" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("INSERT INTO gxitproxy VALUES (?, 'interactivetoolentrypoint', ?, '127.0.0.1', ?, NULL)",
           (sys.argv[2], sys.argv[3], int(sys.argv[4])))
db.commit()
PY
}

gxit_url() { echo "http://127.0.0.1:$1/interactivetool/ep/$gxit_key/$gxit_token/api/version"; }

# The proxy on port $1 answers, itself, that the session has no target yet.
gxit_says_missing() {
	local out
	out=$(curl -s --max-time 2 -w ' %{http_code}' "$(gxit_url "$1")") || return 1
	[ "$out" = "Proxy target missing 502" ]
}

# The proxy on port $1 passes the session's request on to the stand-in gunicorn behind it.
gxit_routes() {
	curl -sf --max-time 2 "$(gxit_url "$1")" | grep_q '"version_major": "23.1"'
}

# Pids of the proxy's processes on port $1: npm's npx, its shell, node running gx-it-proxy.
gxit_pids() {
	local p cmd
	for p in /proc/[0-9]*; do
		cmd=$(tr '\0' ' ' 2>/dev/null <"$p/cmdline") || continue
		[[ $cmd == *gx-it-proxy*" --port $1 "* ]] && echo "${p#/proc/}"
	done
	return 0
}

# The node process serving port $1 runs the installed gx-it-proxy (not some other copy).
gxit_node_is_real() {
	local p cmd
	for p in $(gxit_pids "$1"); do
		cmd=$(tr '\0' ' ' 2>/dev/null <"/proc/$p/cmdline") || continue
		[[ $cmd == "node $gxit_prefix/node_modules/.bin/gx-it-proxy "* ]] && return 0
	done
	return 1
}

gxit_gone() { [ -z "$(gxit_pids "$1")" ]; }
