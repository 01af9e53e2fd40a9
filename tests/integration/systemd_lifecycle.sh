#!/bin/bash
# SPDX-License-Identifier: MIT
# systemd backend against a real systemd user manager and the Galaxy stand-in (two gunicorns on
# unix sockets, celery, celery-beat): start, status, kill -9 and restart by systemd, a rolling
# graceful under a request loop through nginx with zero failures, a config change, stop, --clean.
. "${GX_TOP_SRCDIR:-$(dirname "$0")/../..}/tests/integration/systemd_env.sh"

command -v nginx >/dev/null || sd_skip "no nginx (Debian: nginx-light)"
command -v curl >/dev/null || sd_skip "no curl"

R=$SD_TMP/galaxy
sd_standin "$R"
CONF=$R/config/galaxy.yml
S0=$SD_TMP/gunicorn0.sock
S1=$SD_TMP/gunicorn1.sock
UNITS="galaxy-gunicorn@0.service galaxy-gunicorn@1.service galaxy-celery.service galaxy-celery-beat.service"

write_conf() {
	cat >"$CONF" <<EOF
gravity:
  process_manager: systemd
  virtualenv: $R/venv
  gunicorn:
    - bind: unix:$S0
      preload: false
      restart_timeout: 25
    - bind: unix:$S1
      preload: false
      restart_timeout: 25
  celery:
    stop_timeout: $1
galaxy:
  brand: stand-in
EOF
}

version_ok() {
	curl -sf --max-time 2 --unix-socket "$1" http://localhost/api/version | grep_q version_major
}

# Processes of the services: everything running in the Galaxy root.
service_pids() {
	local p
	for p in /proc/[0-9]*; do
		[ "$(readlink "$p/cwd" 2>/dev/null)" = "$R" ] && echo "${p#/proc/}"
	done
	return 0
}

# --- before update: the hint ---
write_conf 10
if "$GX" -c "$CONF" --user stop 2>"$SD_TMP/err"; then
	sd_fail "stop without units succeeded"
fi
grep -q "did you forget to run \`galaxyctl update\`?" "$SD_TMP/err" ||
	{ cat "$SD_TMP/err" >&2; sd_fail "no update hint for missing units"; }
rc=0
"$GX" -c "$CONF" --user status celery >"$SD_TMP/out" 2>"$SD_TMP/err" || rc=$?
[ "$rc" = 1 ] && grep -q "did you forget to run \`galaxyctl update\`?" "$SD_TMP/err" ||
	{ cat "$SD_TMP/err" >&2; sd_fail "status SERVICE without units exited $rc, without the update hint"; }
echo "ok - a missing unit gives the update hint (stop, status SERVICE)"

# --- 1. start: update first, every unit active, list-units shown ---
GRAVITY_SYSTEMCTL_EXTRA_ARGS="--no-ask-password" \
	"$GX" -c "$CONF" --user -d start >"$SD_TMP/out" 2>"$SD_TMP/err" ||
	{ cat "$SD_TMP/err" >&2; sd_fail "start"; }
grep -q "Adding systemd unit galaxy.target" "$SD_TMP/err" || sd_fail "start did not update"
grep -q "Calling systemctl with args: \['--user', '--no-ask-password', 'start', 'galaxy.target'\]" \
	"$SD_TMP/err" || sd_fail "start did not call systemctl as expected"
grep -q "galaxy-gunicorn@1.service .*loaded active" "$SD_TMP/out" || sd_fail "no list-units after start"
for u in $UNITS galaxy.target; do
	[ "$(sdctl is-active "$u")" = active ] || sd_fail "$u is not active"
done
sd_wait_for 20 version_ok "$S0" && sd_wait_for 20 version_ok "$S1" || sd_fail "gunicorns not serving"
echo "ok - start: every unit active, both gunicorns answer"

# --- status: systemd's list-units, and the core's JSON ---
"$GX" -c "$CONF" --user status >"$SD_TMP/out"
[ "$(grep -c "^ *galaxy-.*\.service  *loaded  *active  *running " "$SD_TMP/out")" = 4 ] &&
	grep_q "^ *galaxy\.target  *loaded  *active  *active " "$SD_TMP/out" ||
	{ cat "$SD_TMP/out" >&2; sd_fail "status (list-units)"; }
"$GX" -c "$CONF" --user status --json >"$SD_TMP/status.json"
python3 - "$SD_TMP/status.json" <<'PY' || sd_fail "status --json"
import json, sys
rows = json.load(open(sys.argv[1]))
names = sorted(r["name"] for r in rows)
assert names == ["galaxy-celery-beat.service", "galaxy-celery.service",
                 "galaxy-gunicorn@0.service", "galaxy-gunicorn@1.service"], names
for r in rows:
    assert r["state"] == "RUNNING" and r["pid"] > 0 and r["restarts"] >= 0, r
    assert r["instance"] == "_default_" and r["uptime_s"] >= 0 and r["rss_kb"] > 0, r
PY
echo "ok - status: four RUNNING rows, --json in the core's schema"

# On a terminal the table is systemctl's own terminal view (colours; upstream lets systemctl write
# on its stdout too), not a copy read through a pipe.
TERM=xterm GRAVITY_SYSTEMCTL_EXTRA_ARGS=--no-pager timeout 60 \
	script -qec "$(printf '%q ' "$GX" -c "$CONF" --user status)" /dev/null </dev/null \
	>"$SD_TMP/tty" 2>&1 || { cat "$SD_TMP/tty" >&2; sd_fail "status on a terminal"; }
grep_q "galaxy\.target" "$SD_TMP/tty" && grep_q $'\033\\[' "$SD_TMP/tty" ||
	{ od -c "$SD_TMP/tty" | head >&2; sd_fail "status on a terminal is not systemctl's terminal view"; }
echo "ok - status on a terminal: systemctl's own view, with its colours"

# --- 2. kill -9 a service: systemd restarts it ---
old=$(sd_prop galaxy-celery.service MainPID)
restarts=$(sd_prop galaxy-celery.service NRestarts)
# A MainPID of 0 (celery between restarts) would make this kill -9 0: this test's process group.
[ "${old:-0}" -gt 0 ] || sd_fail "celery has no main pid before kill -9 ($(sd_prop galaxy-celery.service ActiveState))"
kill -9 "$old"
restarted() {
	local pid
	pid=$(sd_prop galaxy-celery.service MainPID)
	[ "$pid" != 0 ] && [ "$pid" != "$old" ] && [ "$(sdctl is-active galaxy-celery.service)" = active ]
}
sd_wait_for 20 restarted || sd_fail "celery was not restarted after kill -9"
"$GX" -c "$CONF" --user status --json celery | python3 -c '
import json, sys
rows = json.load(sys.stdin)
assert len(rows) == 1 and rows[0]["state"] == "RUNNING", rows
assert rows[0]["restarts"] == int(sys.argv[1]) + 1, rows' "$restarts" ||
	sd_fail "status does not show the restart"
echo "ok - kill -9: systemd restarted celery, status counts it"

# status SERVICE: systemctl status of its units, as upstream; exit 0 while they run.
"$GX" -c "$CONF" --user status celery >"$SD_TMP/out" 2>"$SD_TMP/err" ||
	{ cat "$SD_TMP/err" >&2; sd_fail "status celery exited non-zero with celery running"; }
grep_q "galaxy-celery\.service" "$SD_TMP/out" && grep_q "Active: active (running)" "$SD_TMP/out" ||
	{ cat "$SD_TMP/out" >&2; sd_fail "status celery is not systemctl status"; }
echo "ok - status SERVICE runs systemctl status of its units"

# --- 2b. a stopped user manager: no command hangs, and nothing runs once it is continued ---
pids_before=$(for u in $UNITS; do sd_prop "$u" MainPID; done | tr '\n' ' ')
kill -STOP "$SD_MGR"
for cmd in status stop graceful; do
	rc=0
	# shellcheck disable=SC2086 # cmd is one word
	timeout 60 "$GX" -c "$CONF" --user $cmd >"$SD_TMP/out" 2>"$SD_TMP/err" || rc=$?
	if [ "$rc" = 0 ] || [ "$rc" = 124 ] ||
		! grep -q "the systemd user manager (pid $SD_MGR) cannot answer: it is stopped (T)" "$SD_TMP/err"; then
		kill -CONT "$SD_MGR"
		cat "$SD_TMP/err" >&2
		sd_fail "$cmd on a stopped manager exited $rc"
	fi
done
kill -CONT "$SD_MGR"
sleep 2
pids_after=$(for u in $UNITS; do sd_prop "$u" MainPID; done | tr '\n' ' ')
[ "$pids_after" = "$pids_before" ] ||
	sd_fail "a unit was stopped or restarted after SIGCONT: main pids $pids_before, then $pids_after; $(for u in $UNITS; do echo "$u: $(sd_prop "$u" NRestarts) restarts, $(sd_prop "$u" Result)"; done | tr '\n' ' ')"
echo "ok - a stopped user manager: status, stop and graceful fail at once, nothing runs later"

# --- 3. graceful: a rolling restart under a request loop through nginx, zero failures ---
PORT=$(sd_free_port)
mkdir -p "$SD_TMP/nginx/tmp"
cat >"$SD_TMP/nginx/nginx.conf" <<EOF
daemon off;
user root;
worker_processes 1;
pid $SD_TMP/nginx/nginx.pid;
error_log $SD_TMP/nginx/error.log;
events { worker_connections 64; }
http {
    access_log off;
    client_body_temp_path $SD_TMP/nginx/tmp/body;
    proxy_temp_path $SD_TMP/nginx/tmp/proxy;
    fastcgi_temp_path $SD_TMP/nginx/tmp/fastcgi;
    uwsgi_temp_path $SD_TMP/nginx/tmp/uwsgi;
    scgi_temp_path $SD_TMP/nginx/tmp/scgi;
    upstream galaxy {
        server unix:$S0 max_fails=0;
        server unix:$S1 max_fails=0;
    }
    server {
        listen 127.0.0.1:$PORT;
        location / {
            proxy_pass http://galaxy;
            proxy_next_upstream error timeout http_502 http_503;
        }
    }
}
EOF
nginx -c "$SD_TMP/nginx/nginx.conf" -p "$SD_TMP/nginx" -e "$SD_TMP/nginx/error.log" &
SD_PIDS+=($!)
sd_wait_for 10 curl -sf "http://127.0.0.1:$PORT/api/version" || sd_fail "nginx does not answer"
g0=$(sd_prop galaxy-gunicorn@0.service MainPID)
g1=$(sd_prop galaxy-gunicorn@1.service MainPID)
# One line per request, "ok" or "failed", until told to stop (bounded in count and time).
(
	end=$((SECONDS + 60))
	for _ in $(seq 5000); do
		[ ! -e "$SD_TMP/loop.stop" ] && [ "$SECONDS" -lt "$end" ] || break
		if curl -sf --max-time 5 -o /dev/null "http://127.0.0.1:$PORT/api/version"; then
			echo ok
		else
			echo failed
		fi
	done >"$SD_TMP/loop.result"
) &
LOOP=$!
SD_PIDS+=($LOOP)
sd_wait_for 10 grep -q ok "$SD_TMP/loop.result" || sd_fail "the request loop does not run"
"$GX" -c "$CONF" --user graceful 2>"$SD_TMP/err" || { cat "$SD_TMP/err" >&2; sd_fail "graceful"; }
touch "$SD_TMP/loop.stop"
wait "$LOOP"
ok=$(grep -c '^ok$' "$SD_TMP/loop.result" || true)
failed=$(grep -c '^failed$' "$SD_TMP/loop.result" || true)
for line in "Performing rolling restart on service: gunicorn" "Restarting gunicorn instance 0" \
	"Restarted gunicorn instance 1, waiting for readiness check..." \
	"Restarted: galaxy-celery.service"; do
	grep -qF "$line" "$SD_TMP/err" || { cat "$SD_TMP/err" >&2; sd_fail "graceful did not say: $line"; }
done
[ "$(sd_prop galaxy-gunicorn@0.service MainPID)" != "$g0" ] &&
	[ "$(sd_prop galaxy-gunicorn@1.service MainPID)" != "$g1" ] || sd_fail "a gunicorn was not restarted"
[ "$failed" = 0 ] || sd_fail "$failed of $((ok + failed)) requests failed during graceful"
[ "$ok" -ge 5 ] || sd_fail "only $ok requests ran during graceful"
echo "ok - graceful: both gunicorns restarted one by one, $ok requests, 0 failed"

# --- 4. change the config and update: the changed unit is rewritten and reloaded ---
write_conf 20
"$GX" -c "$CONF" --user update 2>"$SD_TMP/err"
# The celery section sets both celery and celery-beat; the gunicorns and the target stay.
[ "$(grep "systemd unit" "$SD_TMP/err" | tr '\n' ' ')" = \
	"Updating systemd unit galaxy-celery.service Updating systemd unit galaxy-celery-beat.service " ] ||
	{ cat "$SD_TMP/err" >&2; sd_fail "update rewrote other units"; }
grep -q "^TimeoutStopSec=20$" "$SD_UNITS/galaxy-celery.service" || sd_fail "unit not rewritten"
[ "$(sd_prop galaxy-celery.service TimeoutStopUSec)" = 20s ] &&
	[ "$(sd_prop galaxy-celery.service NeedDaemonReload)" = no ] || sd_fail "systemd was not reloaded"
echo "ok - the changed units are rewritten (only they) and systemd reloaded"

# --- 5. stop: nothing is left running ---
service_pids >"$SD_TMP/pids"
[ -s "$SD_TMP/pids" ] || sd_fail "no service processes found before stop"
"$GX" -c "$CONF" --user stop >"$SD_TMP/out" 2>"$SD_TMP/err" || { cat "$SD_TMP/err" >&2; sd_fail stop; }
none_left() { [ -z "$(service_pids)" ]; }
sd_wait_for 20 none_left || sd_fail "processes left after stop: $(service_pids)"
# A unit whose processes are gone can still be settling (deactivating) for a moment.
# Under a loaded machine a gunicorn may exit non-zero while it stops (failed): nothing runs either way.
unit_inactive() { case "$(sdctl is-active "$1")" in inactive | failed) return 0 ;; esac; return 1; }
for u in $UNITS galaxy.target; do
	sd_wait_for 10 unit_inactive "$u" ||
		sd_fail "$u is $(sdctl is-active "$u"), not inactive, after stop: $(sdctl status --no-pager -n 20 "$u" 2>&1)"
done
"$GX" -c "$CONF" --user status --json | python3 -c '
import json, sys
rows = json.load(sys.stdin)
assert len(rows) == 4 and all(r["state"] == "STOPPED" and r["pid"] == 0 for r in rows), rows' ||
	sd_fail "status after stop"
for args in "" celery; do
	rc=0
	# shellcheck disable=SC2086 # args is one word or none
	"$GX" -c "$CONF" --user status $args >"$SD_TMP/out" 2>&1 || rc=$?
	[ "$rc" = 3 ] || { cat "$SD_TMP/out" >&2; sd_fail "status $args after stop exited $rc, not 3"; }
done
grep_q "Active: inactive" "$SD_TMP/out" || { cat "$SD_TMP/out" >&2; sd_fail "status celery after stop"; }
echo "ok - stop: every unit inactive, no process left; status exits 3"

# --- 6. update --clean: ours removed; a foreign unit and another config's target survive ---
printf '[Service]\nExecStart=/bin/true\n' >"$SD_UNITS/galaxy-foo.service"
sed -e "s/^; GRAVITY=.*/; GRAVITY=0123456789abcdef0123456789abcdef01234567/" \
	"$SD_UNITS/galaxy.target" >"$SD_UNITS/galaxy-other.target"
"$GX" -c "$CONF" --user update --clean 2>"$SD_TMP/err" || { cat "$SD_TMP/err" >&2; sd_fail clean; }
[ "$(cd "$SD_UNITS" && ls galaxy* | tr '\n' ' ')" = "galaxy-foo.service galaxy-other.target " ] ||
	sd_fail "after --clean: $(cd "$SD_UNITS" && ls)"
[ "$(sdctl is-enabled galaxy.target 2>/dev/null)" != enabled ] || sd_fail "galaxy.target still enabled"
echo "ok - update --clean: our units gone, foreign ones kept"
