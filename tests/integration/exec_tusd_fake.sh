#!/bin/bash
# SPDX-License-Identifier: MIT
# `galaxyctl exec tusd` runs the stand-in's FAKE tusd (neither Debian nor npm ships tusd), which listens on the configured port.
set -euo pipefail

. "${GX_TOP_SRCDIR:-$(dirname "$0")/../..}/tests/integration/lib.sh"

command -v curl >/dev/null || { echo "SKIP: curl is not installed"; exit 77; }

make_work exec-tusd
tusd_port=$(free_port)

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
galaxy:
  galaxy_infrastructure_url: http://localhost:8080/
EOF

spawn "$work/tusd.log" "$galaxyctl" -c "$cfg" exec tusd
tusd_pid=$!

answers() {
	curl -sf --max-time 2 -o /dev/null "http://127.0.0.1:$1/"
}
wait_for answers "$tusd_port" || fail "the fake tusd does not answer on port $tusd_port"

grep -q "^tusd stand-in: listening on 127.0.0.1:$tusd_port pid=$tusd_pid upload-dir=$work/uploads " \
	"$work/tusd.log" || fail "tusd did not report its settings (or is not pid $tusd_pid)"
grep -q "^Executing: VIRTUAL_ENV=$root/venv PATH=$root/venv/bin:.* tusd -host=127.0.0.1 -port=$tusd_port -upload-dir=$work/uploads -hooks-http=http://localhost:8080/api/upload/hooks -hooks-http-forward-headers=X-Api-Key,Cookie -hooks-enabled-events pre-create\$" \
	"$work/tusd.log" || fail "unexpected tusd command"

sleep 2
kill -0 "$tusd_pid" 2>/dev/null || fail "tusd exited"
ok "the fake tusd on $tusd_port, run by exec with the rendered command"
