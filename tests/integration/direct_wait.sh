#!/bin/bash
# SPDX-License-Identifier: MIT
# galaxyctl wait (direct backend): 0 once every selected process is RUNNING and gunicorn answers
# /api/version; exit 3 at the timeout, naming what is not ready and why. Glob patterns select
# services ('handler*', upstream issue #63); one that matches nothing lists the names there are.
# A handler's restart_delay paces its graceful.
set -euo pipefail
. "$(dirname "$0")/direct_lib.sh"

write_config <<'EOF2'
gravity:
  process_manager: direct
  galaxy_root: @ROOT@
  virtualenv: @ROOT@/venv
  gunicorn:
    bind: unix:@WORK@/gunicorn.sock
    start_timeout: 120
  celery:
    concurrency: 1
    start_timeout: 1
    enable_beat: false
  handlers:
    handler:
      processes: 2
      start_timeout: 1
galaxy:
  brand: direct-test
EOF2
answers() { curl -sf --max-time 2 --unix-socket "$work/gunicorn.sock" http://localhost/api/version >/dev/null; }

rc=0
out=$(gx wait --timeout 1 2>&1) || rc=$?
[ $rc = 3 ] || fail "wait with nothing running exited $rc: $out"
grep -q "error: Not ready after 1 seconds: gunicorn (STOPPED), celery (STOPPED), handler:handler_0 (STOPPED), handler:handler_1 (STOPPED)" <<<"$out" || fail "wait said: $out"
echo "ok - wait with nothing running: exit 3, naming each"

gx start >/dev/null 2>&1 || fail "start failed"
out=$(gx wait --timeout 60 2>&1) || fail "wait after start: $out"
answers || fail "wait returned before gunicorn answers"
[ "$(field gunicorn state)" = RUNNING ] && [ "$(field celery state)" = RUNNING ] || fail "wait returned before RUNNING"
echo "ok - wait returns once both are RUNNING and gunicorn answers"

# RUNNING as soon as the readiness check passes, not after start_timeout (120 s), also after a crash.
grep -q "success: gunicorn entered RUNNING state, its readiness check passed" "$ddir/manager.log" ||
	fail "gunicorn was not RUNNING by its readiness check: $(grep gunicorn "$ddir/manager.log" | tail -3)"
old=$(field gunicorn pid)
kill -KILL "$old"
back() { [ "$(field gunicorn pid)" != "$old" ] && state_is gunicorn RUNNING; }
wait_up_to 40 back || fail "gunicorn was not RUNNING again well before its start_timeout: $(gx status 2>&1)"
answers || fail "RUNNING again but not answering"
echo "ok - gunicorn is RUNNING once it answers, after a kill -9 too"

gx stop celery >/dev/null 2>&1 || fail "stop celery"
gx wait gunicorn --timeout 5 >/dev/null 2>&1 || fail "wait gunicorn with celery stopped"
rc=0
out=$(gx wait celery --timeout 1 2>&1) || rc=$?
[ $rc = 3 ] && grep -q "Not ready after 1 seconds: celery (STOPPED)$" <<<"$out" || fail "wait celery said ($rc): $out"
echo "ok - wait selects: gunicorn is ready, celery (stopped) is not"

# Polling is quiet: while the handlers are still down, gunicorn's readiness line is not repeated
# at each look; it is shown once, when everything is ready.
gx stop 'handler*' >/dev/null 2>&1 || fail "stop 'handler*'"
(sleep 3 && "$galaxyctl" -c "$cfg" start 'handler*' >/dev/null 2>&1) &
out=$(gx wait --timeout 60 gunicorn 'handler*' 2>&1) || fail "wait for gunicorn and the handlers: $out"
wait $!
[ "$(grep -c '^Gunicorn on ' <<<"$out")" = 1 ] || fail "wait printed gunicorn's readiness line other than once: $out"
echo "ok - wait polls quietly and shows gunicorn's readiness line once"

# ---- glob patterns
g=$(field gunicorn pid) h0=$(field handler:handler_0 pid) h1=$(field handler:handler_1 pid)
out=$(gx restart 'handler*' 2>&1) || fail "restart 'handler*': $out"
gx wait 'handler*' --timeout 30 >/dev/null 2>&1 || fail "the handlers did not come back"
[ "$(field handler:handler_0 pid)" != "$h0" ] && [ "$(field handler:handler_1 pid)" != "$h1" ] ||
	fail "restart 'handler*' did not restart both handlers"
[ "$(field gunicorn pid)" = "$g" ] || fail "restart 'handler*' restarted gunicorn"
rc=0
out=$(gx status 'nothing*' 2>&1) || rc=$?
[ $rc = 2 ] && grep -q "error: No instance or service name matches 'nothing\*'" <<<"$out" &&
	grep -q "the names there are: gunicorn celery handler$" <<<"$out" || fail "a pattern matching nothing ($rc): $out"
echo "ok - 'handler*' restarts both handlers and nothing else; a pattern matching nothing lists the names"

# ---- a paced graceful of the handlers (restarted one at a time): restart_delay on the handler
# makes handler_1 go down only 2 s after handler_0 is RUNNING again, by their start times.
. "$(dirname "$0")/rolling_lib.sh"
sed -i 's/^      start_timeout: 1$/&\n      restart_delay: 2/' "$cfg"
grep -q "restart_delay: 2" "$cfg" || fail "the config has no restart_delay"
out=$(gx graceful handler 2>&1) || fail "paced graceful handler: $out"
grep -qx "Waiting 2 s (restart_delay) before restarting handler instance 1" <<<"$out" &&
	grep -Eqx "handler instance 0 is ready after [0-9.]+ s" <<<"$out" || fail "paced graceful handler said: $out"
t0=$(rl_started "$(field handler:handler_0 pid)") t1=$(rl_started "$(field handler:handler_1 pid)")
awk -v a="$t0" -v b="$t1" 'BEGIN { exit !(b - a >= 2) }' ||
	fail "handler_1 started at $t1 s, not 2 s after handler_0 at $t0 s"
echo "ok - graceful handler with restart_delay: one at a time, 2 s apart ($t0 s, $t1 s since boot)"

# ---- a gunicorn the manager gives up on (FATAL) ends the wait at once, not at its timeout
sed -i 's|^    start_timeout: 120$|&\n    extra_args: --worker-class-typo sync|' "$cfg"
gx update >/dev/null 2>&1 || fail "update with the broken gunicorn"
gx restart gunicorn >/dev/null 2>&1 || true
rc=0
out=$(timeout 120 "$galaxyctl" -c "$cfg" wait --timeout 600 gunicorn 2>&1) || rc=$?
[ $rc = 3 ] && grep -q "error: Will not become ready: gunicorn (FATAL); the process manager gave up" <<<"$out" ||
	fail "wait on a FATAL gunicorn exited $rc (124: it waited on): $out"
echo "ok - wait ends at once, exit 3, when the manager gave up on gunicorn (FATAL)"

rc=0
out=$(gx wait --timeout soon 2>&1) || rc=$?
[ $rc = 2 ] && grep -q "'soon' is not a number of seconds" <<<"$out" || fail "a bad timeout ($rc): $out"
gx stop >/dev/null 2>&1 || fail "stop failed"
wait_up_to 10 no_root_pids || fail "processes left after stop: $(root_pids)"
echo "PASS"
