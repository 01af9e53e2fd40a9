#!/bin/bash
# SPDX-License-Identifier: MIT
# `galaxyctl exec tusd` and `exec gx-it-proxy` run the stand-ins, which listen on the configured ports.
set -euo pipefail

top_srcdir=${GX_TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${GX_TOP_BUILDDIR:-$top_srcdir}
galaxyctl=$top_builddir/galaxyctl
export GRAVITY_SKIP_SYSTEMD=1
unset GRAVITY_CONFIG_FILE GRAVITY_STATE_DIR GALAXY_CONFIG_FILE GALAXY_ROOT_DIR

command -v curl >/dev/null || { echo "SKIP: curl is not installed"; exit 77; }

work=$(mktemp -d /tmp/gx-exec-tusd-XXXXXX)
pids=()
any_alive() {
	local pid
	for pid in "${pids[@]}"; do
		kill -0 -- "-$pid" 2>/dev/null && return 0
	done
	return 1
}
# Stop every process group we started: TERM, up to 5 s to exit, then KILL.
cleanup() {
	local pid i
	for pid in "${pids[@]}"; do
		kill -TERM -- "-$pid" 2>/dev/null || true
	done
	for i in $(seq 1 25); do
		any_alive || break
		sleep 0.2
	done
	for pid in "${pids[@]}"; do
		kill -KILL -- "-$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	rm -rf "$work"
}
trap cleanup EXIT

fail() {
	echo "FAIL: $*"
	for log in "$work"/*.log; do
		[ -f "$log" ] && { echo "--- $log"; tail -n 30 "$log"; }
	done
	exit 1
}

# A TCP port nobody listens on right now.
free_port() {
	/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
tusd_port=$(free_port)
proxy_port=$(free_port)
while [ "$proxy_port" = "$tusd_port" ]; do proxy_port=$(free_port); done

root=$work/galaxy
"$top_srcdir/tests/fixtures/galaxy-standin/make-standin.sh" "$root" >/dev/null
# tusd_path stays the bare default: PATH has the virtualenv's bin first.
cat >"$root/config/galaxy.yml" <<EOF
gravity:
  virtualenv: $root/venv
  gunicorn:
    enable: false
  celery:
    enable: false
    enable_beat: false
  tusd:
    enable: true
    host: 127.0.0.1
    port: $tusd_port
    upload_dir: $work/uploads
  gx_it_proxy:
    enable: true
    ip: 127.0.0.1
    port: $proxy_port
galaxy:
  galaxy_infrastructure_url: http://localhost:8080/
  interactivetools_enable: true
  interactivetools_map: database/it_map.sqlite
EOF

start() {
	setsid "$galaxyctl" -c "$root/config/galaxy.yml" exec "$1" >"$work/$1.log" 2>&1 </dev/null &
	pids+=("$!")
	eval "${1//-/_}_pid=$!"
}

wait_for() {
	local i
	for i in $(seq 1 100); do
		"$@" && return 0
		sleep 0.2
	done
	return 1
}

answers() {
	curl -sf --max-time 2 -o /dev/null "http://127.0.0.1:$1/"
}

start tusd
start gx-it-proxy

wait_for answers "$tusd_port" || fail "tusd stand-in does not answer on port $tusd_port"
wait_for answers "$proxy_port" || fail "gx-it-proxy stand-in does not answer on port $proxy_port"

grep -q "^tusd stand-in: listening on 127.0.0.1:$tusd_port pid=$tusd_pid upload-dir=$work/uploads " \
	"$work/tusd.log" || fail "tusd did not report its settings (or is not pid $tusd_pid)"
grep -q "^Executing: VIRTUAL_ENV=$root/venv PATH=$root/venv/bin:.* tusd -host=127.0.0.1 -port=$tusd_port -upload-dir=$work/uploads -hooks-http=http://localhost:8080/api/upload/hooks -hooks-http-forward-headers=X-Api-Key,Cookie -hooks-enabled-events pre-create\$" \
	"$work/tusd.log" || fail "unexpected tusd command"

grep -q "^gx-it-proxy stand-in: listening on 127.0.0.1:$proxy_port pid=$gx_it_proxy_pid package=@galaxyproject/gx-it-proxy@>=0.0.6 sessions=database/it_map.sqlite\$" \
	"$work/gx-it-proxy.log" || fail "gx-it-proxy did not report its settings (or is not pid $gx_it_proxy_pid)"
grep -q "^Executing: npm_config_yes=true VIRTUAL_ENV=$root/venv PATH=.* $root/venv/bin/npx '@galaxyproject/gx-it-proxy@>=0.0.6' --ip 127.0.0.1 --port $proxy_port --sessions database/it_map.sqlite --verbose --proxyPathPrefix /interactivetool/ep\$" \
	"$work/gx-it-proxy.log" || fail "unexpected gx-it-proxy command"

sleep 2
kill -0 "$tusd_pid" 2>/dev/null || fail "tusd exited"
kill -0 "$gx_it_proxy_pid" 2>/dev/null || fail "gx-it-proxy exited"
echo "ok: tusd on $tusd_port, gx-it-proxy on $proxy_port"
