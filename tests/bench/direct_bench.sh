#!/bin/bash
# SPDX-License-Identifier: MIT
# make bench, direct backend: the manager's memory with 1, 10 and 100 services, the time to bring
# 200 handlers to RUNNING, and the latency of `galaxyctl status`.
set -euo pipefail
builddir=${1:?builddir}
srcdir=${2:?srcdir}
command -v hyperfine >/dev/null || { echo "bench: hyperfine is needed (apt-get install hyperfine)" >&2; exit 1; }
[ -e "$builddir/backends/.libs/direct.so" ] || { echo "bench: the direct backend is not built" >&2; exit 1; }

export GRAVITY_SKIP_SYSTEMD=1
unset GRAVITY_CONFIG_FILE GRAVITY_STATE_DIR GALAXY_CONFIG_FILE GALAXY_ROOT_DIR
tmp=$(mktemp -d /tmp/gx-direct-bench-XXXXXX)
root=$tmp/root
cfg=$root/config/galaxy.yml
state=$root/database/gravity
. "$srcdir/tests/integration/direct_paths.sh"
ddir=$(own_dir "$state") # the manager's own files (pid, socket, log)
rawdir=$(own_dir "$tmp/raw")
gx() {
	"$builddir/galaxyctl" -c "$cfg" "$@"
}
cleanup() {
	gx shutdown >/dev/null 2>&1 || true
	rm -rf "$tmp"
}
trap cleanup EXIT
"$srcdir/tests/fixtures/galaxy-standin/make-standin.sh" "$root" >/dev/null

# n handler processes (the stand-in's scripts/galaxy-main), nothing else.
handlers_config() {
	cat >"$cfg" <<EOF
gravity:
  process_manager: direct
  galaxy_root: $root
  virtualenv: $root/venv
  gunicorn:
    enable: false
  celery:
    enable: false
    enable_beat: false
  handlers:
    handler:
      processes: $1
      start_timeout: 1
galaxy:
  job_config:
    handling:
      assign: [db-skip-locked]
EOF
}

running() {
	[ "$(gx status --json 2>/dev/null | grep -c '"state": "RUNNING"')" = "$1" ]
}

wait_running() {
	local i
	for i in $(seq 1 600); do
		running "$1" && return 0
		sleep 0.1
	done
	echo "bench: $1 services did not all reach RUNNING" >&2
	exit 1
}

now_ms() {
	date +%s%3N
}

echo "load average (1, 5, 15 min): $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs"
echo "direct manager memory (the galaxyctl-direct daemon, VmRSS / Pss):"
for n in 1 10 100; do
	handlers_config "$n"
	gx start >/dev/null 2>&1
	wait_running "$n"
	pid=$(cat "$ddir/manager.pid")
	rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status")
	pss=$(awk '/^Pss:/ { print $2 }' "/proc/$pid/smaps_rollup")
	printf '  %3d services: VmRSS %5d kB, Pss %5d kB (target for VmRSS: %d kB)\n' \
		"$n" "$rss" "$pss" $((1024 + 20 * n))
	gx stop >/dev/null 2>&1
done

handlers_config 200
lines=$(wc -l <"$ddir/manager.log")
t0=$(now_ms)
gx start >/dev/null 2>&1
t1=$(now_ms)
wait_running 200
t2=$(now_ms)
pid=$(cat "$ddir/manager.pid")
tail -n +$((lines + 1)) "$ddir/manager.log" >"$tmp/run.log"
first=$(grep -m1 "spawned:" "$tmp/run.log" | awk '{ print $2 }')
last=$(grep "spawned:" "$tmp/run.log" | tail -n 1 | awk '{ print $2 }')
cpu=$(awk -v hz="$(getconf CLK_TCK)" '{ sub(/.*\) /, ""); printf "%d", ($12 + $13) * 1000 / hz }' "/proc/$pid/stat")
echo "200 handlers (python processes): galaxyctl start returned after $((t1 - t0)) ms; all RUNNING"
echo "  after $((t2 - t0)) ms (start_timeout 1 s); spawned from $first to $last;"
echo "  the manager used $cpu ms of CPU in all and holds VmRSS $(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status") kB"
hyperfine -N --warmup 5 --runs 50 --export-json "$tmp/status200.json" \
	"$builddir/galaxyctl -c $cfg status" >/dev/null 2>&1
gx stop >/dev/null 2>&1

# The default services (gunicorn, celery, celery-beat), as supervisord was measured with.
cat >"$cfg" <<EOF
gravity:
  process_manager: direct
  galaxy_root: $root
  virtualenv: $root/venv
  gunicorn:
    bind: unix:$tmp/gunicorn.sock
    start_timeout: 1
  celery:
    concurrency: 1
    start_timeout: 1
galaxy:
  brand: bench
EOF
gx start >/dev/null 2>&1
wait_running 3
pid=$(cat "$ddir/manager.pid")
echo "gunicorn + celery + celery-beat: manager VmRSS $(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status") kB" \
	"(supervisord: about 26 MB)"
hyperfine -N --warmup 10 --runs 200 --export-json "$tmp/status3.json" \
	"$builddir/galaxyctl -c $cfg status" "$builddir/galaxyctl -c $cfg show" >/dev/null 2>&1
gx stop >/dev/null 2>&1
python3 - "$tmp/status3.json" "$tmp/status200.json" <<'PY'
import json, sys
status, show = (x["median"] * 1000 for x in json.load(open(sys.argv[1]))["results"])
many = json.load(open(sys.argv[2]))["results"][0]["median"] * 1000
print(f"galaxyctl status, 3 services:   median {status:.2f} ms (galaxyctl show: {show:.2f} ms,"
      f" so the backend's part is {status - show:.2f} ms)")
print(f"galaxyctl status, 200 services: median {many:.2f} ms")
PY

# The manager alone, over its socket: 200 programs that cost nothing to start (sleep).
"$builddir/backends/galaxyctl-direct" --state-dir "$tmp/raw" >/dev/null 2>&1 &
for i in $(seq 1 100); do [ -S "$rawdir/manager.sock" ] && break; sleep 0.05; done
python3 - "$tmp/raw" "$rawdir" <<'PY'
import json, socket, sys, time
raw = sys.argv[1]
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[2] + "/manager.sock")
f = s.makefile("rw")
def call(req):
    f.write(json.dumps(req) + "\n")
    f.flush()
    return json.loads(f.readline())
programs = [{"name": f"sleep_{i}", "instance": "bench", "service": "sleep", "argv": ["sleep", "1000"],
             "env": ["PATH=/usr/bin:/bin"], "cwd": raw, "log": f"{raw}/sleep_{i}.log",
             "start_timeout": 1, "stop_timeout": 5} for i in range(200)]
t0 = time.monotonic()
reply = call({"op": "update", "instances": ["bench"], "programs": programs, "start": True})
t1 = time.monotonic()
while sum(p["state"] == "RUNNING" for p in call({"op": "status"})["programs"]) < 200:
    time.sleep(0.02)
t2 = time.monotonic()
t3 = time.monotonic()
for _ in range(100):
    call({"op": "status"})
t4 = time.monotonic()
print(f"manager alone, 200 sleep programs: all spawned in {(t1 - t0) * 1000:.0f} ms, all RUNNING after"
      f" {(t2 - t0) * 1000:.0f} ms; a status request over the socket takes {(t4 - t3) * 10:.2f} ms")
call({"op": "shutdown"})
PY
wait
