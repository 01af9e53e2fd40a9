#!/bin/bash
# SPDX-License-Identifier: MIT
# make bench, supervisor part: median latency of `galaxyctl status` and of a no-change
# `galaxyctl update` against one running supervisord, beside `supervisorctl status` and a raw
# XML-RPC call over the socket (curl), measured in the same hyperfine run.
set -euo pipefail
builddir=${1:?builddir}
srcdir=${2:?srcdir}
command -v hyperfine >/dev/null || { echo "bench: hyperfine is needed (apt-get install hyperfine)" >&2; exit 1; }
if [ ! -x /usr/bin/supervisord ] || ! command -v curl >/dev/null; then
	echo "bench: supervisor part skipped (supervisor or curl not installed)"
	exit 0
fi
tmp=$(mktemp -d /tmp/gx-bench-XXXXXX)
root=$tmp/root
sv=$root/database/gravity/supervisor
export GRAVITY_SKIP_SYSTEMD=1
unset SUPERVISORD_SOCKET GRAVITY_STATE_DIR
cleanup() {
	local pid
	pid=$(cat "$sv/supervisord.pid" 2>/dev/null) || true
	"$builddir/galaxyctl" -c "$root/config/galaxy.yml" shutdown >/dev/null 2>&1 || true
	[ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT
"$srcdir/tests/fixtures/galaxy-standin/make-standin.sh" "$root" >/dev/null
port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >"$root/config/galaxy.yml" <<EOF
gravity:
  virtualenv: $root/venv
  gunicorn:
    bind: localhost:$port
    start_timeout: 1
  celery:
    concurrency: 1
    start_timeout: 1
galaxy:
  brand: bench
EOF
gx="$builddir/galaxyctl -c $root/config/galaxy.yml"
$gx start >/dev/null 2>&1
# Measure once everything has settled (the services' start-up competes for the CPU).
for i in $(seq 1 60); do
	$gx status 2>/dev/null | grep -qv RUNNING || break
	sleep 0.5
done
sleep 2
cat >"$tmp/call.xml" <<EOF
<?xml version="1.0"?>
<methodCall><methodName>supervisor.getAllProcessInfo</methodName><params/></methodCall>
EOF
hyperfine -N --warmup 10 --runs 100 --export-json "$tmp/bench.json" \
	"$gx status" "$gx update" \
	"curl -s --unix-socket $sv/supervisor.sock --data-binary @$tmp/call.xml http://localhost/RPC2" \
	>/dev/null 2>&1
hyperfine -N --warmup 2 --runs 10 --export-json "$tmp/ctl.json" \
	"supervisorctl -c $sv/supervisord.conf status" >/dev/null 2>&1
/usr/bin/python3 - "$tmp/bench.json" "$tmp/ctl.json" <<'PY'
import json, sys
status, update, raw = (x["median"] * 1000 for x in json.load(open(sys.argv[1]))["results"])
ctl = json.load(open(sys.argv[2]))["results"][0]["median"] * 1000
print(f"galaxyctl status (supervisor):     median {status:.1f} ms ({status / raw:.2f}x the raw call)")
print(f"galaxyctl update (no change):      median {update:.1f} ms")
print(f"supervisorctl status:              median {ctl:.1f} ms")
print(f"raw XML-RPC getAllProcessInfo:     median {raw:.1f} ms")
PY
