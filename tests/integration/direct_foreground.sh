#!/bin/bash
# SPDX-License-Identifier: MIT
# direct backend: `galaxy` under a pty shows every service's lines, prefixed and coloured, answers
# galaxyctl from elsewhere, and stops cleanly on SIGINT; exit_on_fatal ends a foreground run.
set -euo pipefail
. "$(dirname "$0")/direct_lib.sh"

command -v script >/dev/null || { echo "SKIP: script (util-linux) is needed"; exit 77; }
mkdir "$work/bin"
ln -s "$galaxyctl" "$work/bin/galaxy"

write_config <<'EOF'
gravity:
  galaxy_root: @ROOT@
  virtualenv: @ROOT@/venv
  gunicorn:
    bind: unix:@WORK@/gunicorn.sock
    start_timeout: 2
  celery:
    concurrency: 1
    loglevel: INFO
    start_timeout: 2
galaxy:
  brand: direct-test
EOF

# `galaxy` is `galaxyctl start --foreground` on the direct backend, whatever process_manager says.
gx_backend=direct
# script runs the command with $SHELL -c; exec, because dash (CI's /bin/sh) would otherwise keep a
# shell between script and galaxy, and the signal below must reach galaxy itself.
script -qec "exec $work/bin/galaxy -c $cfg -s admin@example.org" /dev/null >"$work/fg.out" 2>&1 </dev/null &
scr=$!
extra_pids+=("$scr")
galaxy_pid() {
	pgrep -P "$scr" | head -n 1
}
wait_up_to 10 galaxy_pid >/dev/null || fail "galaxy did not start"
gpid=$(galaxy_pid)
wait_up_to 20 grep -q 'Listening at: unix:' "$work/fg.out" || fail "no gunicorn line on the terminal"
wait_up_to 20 grep -q 'celery@.* ready' "$work/fg.out" || fail "no celery line on the terminal"
wait_up_to 20 grep -q 'beat: Starting' "$work/fg.out" || fail "no celery-beat line on the terminal"
grep -q $'^\e\\[3[0-9]mgunicorn    |\e\\[0m \\[.*Listening at: unix:' "$work/fg.out" ||
	fail "gunicorn's lines are not prefixed with its name in colour: $(grep -m1 Listening "$work/fg.out" | cat -v)"
grep -q $'^\e\\[3[0-9]mcelery-beat |\e\\[0m ' "$work/fg.out" || fail "celery-beat's lines are not prefixed"
grep -q 'Listening at: unix:' "$state/log/gunicorn.log" || fail "the log file was not written too"

# The foreground manager answers other galaxyctl runs.
wait_up_to 20 state_is celery RUNNING || fail "status from another galaxyctl does not see celery RUNNING"
[ "$(manager_pid)" = "$gpid" ] || fail "the manager is not the galaxy process"
# galaxy -s: single-user mode reaches the services.
for name in gunicorn celery; do
	env_of=$(tr '\0' '\n' <"/proc/$(field "$name" pid)/environ")
	grep_q -x "GALAXY_CONFIG_SINGLE_USER=admin@example.org" <<<"$env_of" &&
		grep_q -x "GALAXY_CONFIG_ADMIN_USERS=admin@example.org" <<<"$env_of" ||
		fail "galaxy -s did not reach $name's environment"
done

kill -INT "$gpid"
wait "$scr" || fail "galaxy exited with status $? after SIGINT: $(tail -n 20 "$work/fg.out")"
grep -q 'received SIGINT (from pid [0-9]*), stopping every program' "$work/fg.out" || fail "SIGINT was not reported"
for name in gunicorn celery celery-beat; do
	grep -q "stopped: $name (" "$work/fg.out" || fail "$name was not reported stopped"
done
wait_up_to 5 no_root_pids || fail "processes left after SIGINT: $(root_pids)"
[ -e "$ddir/manager.sock" ] && fail "the socket was left behind"

# galaxy --quiet: the manager's own lines, not the services' output (still in their logs).
: >"$state/log/gunicorn.log"
"$work/bin/galaxy" -c "$cfg" --quiet >"$work/quiet.out" 2>&1 </dev/null &
qpid=$!
extra_pids+=("$qpid")
wait_up_to 20 state_is gunicorn RUNNING || fail "galaxy --quiet: gunicorn is not RUNNING"
wait_up_to 20 grep -q 'Listening at: unix:' "$state/log/gunicorn.log" || fail "galaxy --quiet: gunicorn's log was not written"
grep -q "spawned: 'gunicorn' with pid" "$work/quiet.out" || fail "galaxy --quiet hid the manager's lines: $(head "$work/quiet.out")"
grep -q 'Listening at' "$work/quiet.out" && fail "galaxy --quiet showed gunicorn's output"
kill -TERM "$qpid"
wait "$qpid" || fail "galaxy --quiet exited with $? after SIGTERM: $(tail "$work/quiet.out")"
wait_up_to 5 no_root_pids || fail "processes left after galaxy --quiet: $(root_pids)"

# exit_on_fatal: a service that cannot start ends the run with a failure.
write_config <<'EOF'
gravity:
  galaxy_root: @ROOT@
  virtualenv: @ROOT@/venv
  start_retries: 1
  exit_on_fatal: true
  gunicorn:
    bind: unix:@WORK@/gunicorn.sock
    start_timeout: 2
  celery:
    concurrency: 1
    loglevel: INFO
    start_timeout: 60
    enable_beat: false
    extra_args: --no-such-option
galaxy:
  brand: direct-test
EOF
rc=0
timeout 60 "$galaxyctl" -c "$cfg" --backend direct start -f >"$work/fatal.out" 2>&1 </dev/null || rc=$?
[ "$rc" = 1 ] || fail "start -f with a FATAL service and exit_on_fatal exited with $rc"
grep -q 'exit_on_fatal: celery is FATAL, stopping everything' "$work/fatal.out" || fail "exit_on_fatal not reported"
grep -q 'stopped: gunicorn (' "$work/fatal.out" || fail "gunicorn was not stopped"
grep -q 'error: not every service stopped cleanly' "$work/fatal.out" || fail "no error message"
wait_up_to 5 no_root_pids || fail "processes left after exit_on_fatal: $(root_pids)"
echo "PASS"
