#!/bin/bash
# SPDX-License-Identifier: MIT
# direct backend: log files rotate at log_max_bytes keeping log_backups files; SIGHUP reopens them;
# graceful of a gunicorn without preload is a SIGHUP.
set -euo pipefail
. "$(dirname "$0")/direct_lib.sh"

write_config <<'EOF'
gravity:
  process_manager: direct
  galaxy_root: @ROOT@
  virtualenv: @ROOT@/venv
  log_max_bytes: 4096
  log_backups: 2
  gunicorn:
    bind: unix:@WORK@/gunicorn.sock
    start_timeout: 1
    extra_args: --access-logfile -
    preload: false
  celery:
    enable: false
    enable_beat: false
galaxy:
  brand: direct-test
EOF

# n requests to gunicorn, each logged (about 100 bytes) by its access log.
requests() {
	/usr/bin/python3 - "$work/gunicorn.sock" "$1" <<'PY'
import socket, sys
for i in range(int(sys.argv[2])):
    s = socket.socket(socket.AF_UNIX)
    s.connect(sys.argv[1])
    s.sendall(b"GET /api/version?n=%d HTTP/1.0\r\nHost: localhost\r\n\r\n" % i)
    reply = b""
    while chunk := s.recv(4096):  # to the end: gunicorn logs a request once it is answered
        reply += chunk
    assert b" 200 " in reply.split(b"\r\n")[0]
    s.close()
PY
}

gx start >/dev/null 2>&1 || fail "start failed"
wait_up_to 10 test -S "$work/gunicorn.sock" || fail "gunicorn does not listen"
wait_up_to 10 requests 1 || fail "gunicorn does not answer"
requests 300 || fail "requests failed"
log=$state/log/gunicorn.log
wait_up_to 5 grep -q 'n=299 ' "$log" || fail "the last request was not logged"
for f in "$log" "$log.1" "$log.2"; do
	[ -s "$f" ] || fail "$f is missing or empty"
	size=$(stat -c %s "$f")
	[ "$size" -le 4096 ] || fail "$f has $size bytes, more than log_max_bytes"
done
[ -e "$log.3" ] && fail "more than log_backups rotated files were kept"
for f in "$log.1" "$log.2"; do
	[ "$(tail -c 1 "$f" | od -An -c | tr -d ' ')" = '\n' ] || fail "$f does not end with a whole line"
	[ "$(stat -c %s "$f")" -ge 3500 ] || fail "$f was rotated well before log_max_bytes"
done
# No line lost across the rotations that the three files span.
first=$(grep -o 'n=[0-9]*' "$log.2" | head -n 1 | cut -d= -f2)
count=$(cat "$log.2" "$log.1" "$log" | grep -c 'GET /api/version?n=')
[ "$count" = $((300 - first)) ] || fail "lines were lost: $count lines from n=$first on"

# SIGHUP: the manager reopens the log files (after an outside rotation).
mv "$log" "$log.moved"
kill -HUP "$(manager_pid)"
wait_up_to 5 grep -q 'received SIGHUP, reopening log files' "$ddir/manager.log" || fail "SIGHUP not seen"
moved=$(stat -c %s "$log.moved")
requests 5 || fail "requests failed"
wait_up_to 5 grep -q 'n=4 ' "$log" || fail "the reopened log did not get the new lines"
[ "$(stat -c %s "$log.moved")" = "$moved" ] || fail "the moved log still grows"

# Without preload, gunicorn's graceful method is SIGHUP: same process, new workers.
gunicorn=$(field gunicorn pid)
gx graceful >"$work/graceful.out" 2>&1 || fail "graceful failed"
grep -qx 'gunicorn: signalled' "$work/graceful.out" || fail "graceful: $(cat "$work/graceful.out")"
wait_up_to 10 grep -q 'Handling signal: hup' "$log" || fail "gunicorn did not get SIGHUP"
[ "$(field gunicorn pid)" = "$gunicorn" ] || fail "graceful restarted gunicorn instead of signalling it"

gx stop >/dev/null 2>&1 || fail "stop failed"
wait_up_to 10 no_root_pids || fail "processes left after stop: $(root_pids)"
echo "PASS"
