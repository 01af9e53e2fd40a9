#!/bin/bash
# SPDX-License-Identifier: MIT
# `galaxyctl exec tusd` and `exec gx-it-proxy` run the stand-ins, which listen on the configured ports.
set -euo pipefail

. "${GX_TOP_SRCDIR:-$(dirname "$0")/../..}/tests/integration/lib.sh"

command -v curl >/dev/null || { echo "SKIP: curl is not installed"; exit 77; }

make_work exec-tusd
tusd_port=$(free_port)
proxy_port=$(free_port)
while [ "$proxy_port" = "$tusd_port" ]; do proxy_port=$(free_port); done

make_standin
# tusd_path stays the bare default: PATH has the virtualenv's bin first.
cat >"$cfg" <<EOF
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
	spawn "$work/$1.log" "$galaxyctl" -c "$cfg" exec "$1"
	eval "${1//-/_}_pid=$!"
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
ok "tusd on $tusd_port, gx-it-proxy on $proxy_port"
