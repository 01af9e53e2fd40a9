#!/bin/bash
# SPDX-License-Identifier: MIT
# direct backend as root with galaxy_user: the user who owns the log dir cannot get the root
# manager to chown or append to another file, by a link (or a FIFO) planted as a program's log
# before start, restart or SIGHUP, nor by making the log dir itself a link.
set -euo pipefail
. "$(dirname "$0")/direct_lib.sh"

[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
id nobody >/dev/null 2>&1 && getent group nogroup >/dev/null ||
	{ echo "SKIP: needs the nobody user and the nogroup group"; exit 77; }
command -v setpriv >/dev/null || { echo "SKIP: needs setpriv (util-linux)"; exit 77; }

write_config <<'EOF'
gravity:
  process_manager: direct
  galaxy_root: @ROOT@
  virtualenv: @ROOT@/venv
  galaxy_user: nobody
  galaxy_group: nogroup
  start_retries: 1
  gunicorn:
    enable: false
  celery:
    enable: false
    enable_beat: false
  handlers:
    handler:
      processes: 1
      start_timeout: 1
galaxy:
  brand: direct-test
EOF

# What root alone may read or write: the target of the planted links.
secret=$work/secret
mkdir -m 700 "$secret"
echo "root only" >"$secret/file"
chmod 600 "$secret/file"
unchanged() {
	[ "$(stat -c %U:%G:%a "$secret/file")" = root:root:600 ] &&
		[ "$(cat "$secret/file")" = "root only" ] &&
		[ "$(ls -A "$secret")" = file ]
}

# The dirs as galaxyctl makes them for galaxy_user, then what nobody does in the log dir.
mkdir -p "$state/log"
chown nobody:nogroup "$root/database" "$state" "$state/log"
as_nobody() {
	setpriv --reuid=nobody --regid=nogroup --clear-groups -- "$@"
}
log=$state/log/handler.log

# Before start: a link to the root-only file.
as_nobody ln -s "$secret/file" "$log"
gx start >"$work/start.out" 2>&1 && fail "start with a planted log link succeeded: $(cat "$work/start.out")"
grep -qF "refusing log $log: it is a symbolic link" "$work/start.out" ||
	fail "start did not report the refusal: $(cat "$work/start.out")"
unchanged || fail "the link's target was changed: $(stat -c %U:%G:%a "$secret/file"), $(ls -A "$secret")"
grep -qF "spawnerr: handler: refusing log $log: it is a symbolic link" "$ddir/manager.log" ||
	fail "the manager did not log the refusal"
[ -z "$(root_pids)" ] || fail "the handler was started with a planted log"

# A FIFO: no hang, refused.
as_nobody rm "$log"
as_nobody mkfifo "$log"
timeout 30 "$galaxyctl" -c "$cfg" start >"$work/fifo.out" 2>&1 && fail "start with a FIFO as log succeeded"
grep -qF "refusing log $log: it is not a regular file" "$work/fifo.out" ||
	fail "start did not refuse the FIFO: $(cat "$work/fifo.out")"
as_nobody rm "$log"

# The log dir itself a link to a root-only dir.
as_nobody mv "$state/log" "$state/log.real"
as_nobody ln -s "$secret" "$state/log"
gx start >"$work/dir.out" 2>&1 && fail "start with the log dir a link succeeded"
grep -qF "refusing log $log: $state/log: log is a symbolic link in a directory of uid $(id -u nobody)" \
	"$work/dir.out" || fail "start did not refuse the linked log dir: $(cat "$work/dir.out")"
unchanged || fail "a file was made in the root-only dir: $(ls -A "$secret")"
as_nobody rm "$state/log"
as_nobody mv "$state/log.real" "$state/log"

# Unharmed, it starts; the log belongs to galaxy_user.
gx start >"$work/start2.out" 2>&1 || fail "start failed: $(cat "$work/start2.out")"
wait_up_to 20 state_is handler RUNNING || fail "handler did not reach RUNNING"
[ "$(stat -c %U "$log")" = nobody ] || fail "the log belongs to $(stat -c %U "$log")"

# Before SIGHUP: the open log swapped for a link; the reopen refuses it.
as_nobody rm "$log"
as_nobody ln -s "$secret/file" "$log"
kill -HUP "$(manager_pid)"
wait_up_to 10 grep -qF "handler: refusing log $log: it is a symbolic link" "$ddir/manager.log" ||
	fail "the reopen on SIGHUP did not refuse the link"
unchanged || fail "SIGHUP reopened through the link"

# Before restart: the link is still there; the new process is not started on it.
gx restart handler >"$work/restart.out" 2>&1 || true
grep -q "handler: ERROR (spawn error)" "$work/restart.out" ||
	fail "restart did not report the failed start: $(cat "$work/restart.out")"
gx status >"$work/status.out" 2>&1 || true
grep -qF "FATAL      refusing log $log: it is a symbolic link" "$work/status.out" ||
	fail "status does not say why: $(cat "$work/status.out")"
unchanged || fail "restart wrote through the link"

gx stop >/dev/null 2>&1 || fail "stop failed"
wait_up_to 10 no_root_pids || fail "processes left after stop: $(root_pids)"
unchanged || fail "the link's target was changed"
echo "PASS"
