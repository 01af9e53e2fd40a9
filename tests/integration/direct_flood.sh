#!/bin/bash
# SPDX-License-Identifier: MIT
# direct backend: the control socket under abuse. A connection flood is capped (the manager still
# respawns programs: clients never take their fds) and a client that never reads its replies is
# dropped instead of freezing the manager for others.
set -euo pipefail
. "$(dirname "$0")/direct_lib.sh"

write_config <<'EOF2'
gravity:
  process_manager: direct
  galaxy_root: @ROOT@
  virtualenv: @ROOT@/venv
  gunicorn:
    enable: false
  celery:
    concurrency: 1
    loglevel: INFO
    start_timeout: 1
    enable_beat: false
galaxy:
  brand: direct-test
EOF2

gx start >/dev/null 2>&1 || fail "start failed"
wait_up_to 20 state_is celery RUNNING || fail "celery did not reach RUNNING"
celery=$(field celery pid)

# 300 connections held open, while celery is killed: the manager must respawn it.
/usr/bin/python3 - "$ddir/manager.sock" "$celery" "$work/flood.done" <<'PY' &
import os, signal, socket, sys, time
held = []
for _ in range(300):
    s = socket.socket(socket.AF_UNIX)
    s.setblocking(False)
    try:
        s.connect(sys.argv[1])
    except (BlockingIOError, OSError):
        pass
    held.append(s)
time.sleep(1)
os.kill(int(sys.argv[2]), signal.SIGKILL)
time.sleep(4)
open(sys.argv[3], "w").close()
PY
flood=$!
extra_pids+=("$flood")
wait "$flood" || fail "the flood client failed"
grep -q "refused a control connection: 64 are open already" "$ddir/manager.log" ||
	fail "the flood was not capped"
grep -q "spawn error\|cannot spawn\|Too many open files" "$ddir/manager.log" &&
	fail "a spawn failed during the flood: $(grep -i spawn "$ddir/manager.log" | tail -3)"
wait_up_to 20 state_is celery RUNNING || fail "celery was not respawned during the flood"
[ "$(field celery pid)" != "$celery" ] || fail "celery was not respawned"
echo "ok - a flood of 300 connections is capped at 64; celery is respawned meanwhile"

# A client that sends requests and never reads: dropped, and status answers others meanwhile.
/usr/bin/python3 - "$ddir/manager.sock" <<'PY' &
import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.setblocking(False)
req = b'{"op": "status"}\n' * 2000
try:
    for _ in range(200):
        s.send(req)
        time.sleep(0.01)
except OSError:
    pass
time.sleep(15)
PY
slow=$!
extra_pids+=("$slow")
sleep 2
for i in 1 2 3; do
	timeout 20 "$galaxyctl" -c "$cfg" status >"$work/status$i.out" 2>&1 || rc=$?
	[ "${rc:-0}" != 124 ] || fail "status hung behind a client that does not read"
	grep -q "^celery  *RUNNING" "$work/status$i.out" || fail "status: $(cat "$work/status$i.out")"
done
kill "$slow" 2>/dev/null || true
echo "ok - a client that never reads does not hold up status"

# A request line without end: the manager reads at most 1 MiB of it, says so and drops the client,
# its memory never growing with what the client sends.
rss_before=$(awk '/^VmRSS/ {print $2}' "/proc/$(cat "$ddir/manager.pid")/status")
/usr/bin/python3 - "$ddir/manager.sock" >"$work/long.out" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.settimeout(10)
sent = 0
try:
    while sent < 16 << 20:
        sent += s.send(b"x" * 65536)
except OSError:
    pass
try:
    print(s.recv(4096).decode(errors="replace"))
except OSError as e:
    print("no reply:", e)
print("sent", sent)
PY
grep -q '"a request line is longer than 1 MiB"' "$work/long.out" || fail "the long line: $(cat "$work/long.out")"
sent=$(awk '/^sent/ {print $2}' "$work/long.out")
[ "$sent" -lt $((8 << 20)) ] || fail "the manager read $sent bytes of one line"
rss_after=$(awk '/^VmRSS/ {print $2}' "/proc/$(cat "$ddir/manager.pid")/status")
[ $((rss_after - rss_before)) -lt 8192 ] || fail "the manager grew by $((rss_after - rss_before)) kB"
"$galaxyctl" -c "$cfg" status >/dev/null 2>&1 || fail "status after the long line"
echo "ok - a request line longer than 1 MiB is refused and its client dropped; the manager grew ${rss_before}->${rss_after} kB"

gx stop >/dev/null 2>&1 || fail "stop failed"
wait_up_to 10 no_root_pids || fail "processes left after stop: $(root_pids)"
echo "PASS"
