#!/bin/bash
# SPDX-License-Identifier: MIT
# update --dry-run with the direct backend and its real manager: the directories and lock update
# would create, what the manager says the same update would do to each program (start, restart,
# stop), exit 0/1, a located config error (exit 3); the state dir and the manager's own dir keep
# every byte and time, and no program is signalled.
set -euo pipefail
. "$(dirname "$0")/direct_lib.sh"
. "$(dirname "$0")/dryrun_lib.sh"

volatile="^$state/log/"
# $1: celery's concurrency; $2: yes for a handler.
config() {
	write_config <<EOF2
gravity:
  process_manager: direct
  galaxy_root: @ROOT@
  virtualenv: @ROOT@/venv
  gunicorn:
    bind: unix:@WORK@/gunicorn.sock
    start_timeout: 2
  celery:
    concurrency: $1
    start_timeout: 2
    enable_beat: false
$([ "$2" = yes ] && printf '  handlers:\n    handler:\n      start_timeout: 1\n')
galaxy:
  brand: dry-run
EOF2
}
sums() { tree_sum "$root/database" "$ddir"; }

# ---- nothing there: the state dir, log dir and lock would be made; no manager runs
config 1 no
sum=$(sums)
dry_run 1 "$work/d1.out" update --dry-run
expect_line "$work/d1.out" "direct: create directory $state \(state dir\)"
expect_line "$work/d1.out" "direct: add $ddir/lock \(the lock that serialises galaxyctl runs\)"
expect_line "$work/d1.out" "direct: note: the direct manager is not running \($state\): .*"
same_sum "$sum" "$root/database" "$ddir"
[ ! -e "$state" ] || fail "the dry run created $state"
ok "no manager: the dirs and lock it would create; nothing created; exit 1"

# ---- running and up to date: nothing would change
gx start >/dev/null 2>&1 || fail "start failed"
for name in gunicorn celery; do
	wait_up_to 20 state_is "$name" RUNNING || fail "$name did not reach RUNNING"
done
gunicorn=$(field gunicorn pid)
celery=$(field celery pid)
sum=$(sums)
dry_run 0 "$work/d2.out" update --dry-run
[ "$(cat "$work/d2.out")" = "update --dry-run: nothing would change" ] ||
	fail "no-change dry run said: $(cat "$work/d2.out")"
same_sum "$sum" "$root/database" "$ddir"
ok "running and up to date: nothing would change, exit 0"

# ---- celery's command changes, a handler comes
config 2 yes
dry_run 1 "$work/d3.out" update --dry-run
expect_line "$work/d3.out" "direct: restart celery \(its command changed: .*\)"
expect_line "$work/d3.out" "direct: start handler \(the direct manager starts it\)"
no_line "$work/d3.out" "direct: .* gunicorn .*"
same_sum "$sum" "$root/database" "$ddir"
[ "$(field celery pid)" = "$celery" ] && [ "$(field gunicorn pid)" = "$gunicorn" ] ||
	fail "the dry run restarted something"
[ "$(field handler state)" != RUNNING ] || fail "the dry run started the handler"
ok "changes: the manager's own plan, restart and start; nothing signalled, nothing written"

# ---- what it said is what update does
gx update >"$work/update.out" 2>&1 || fail "update: $(cat "$work/update.out")"
expect_line "$work/update.out" "Updating service celery"
expect_line "$work/update.out" "Adding service handler"
wait_up_to 20 state_is handler RUNNING || fail "the handler did not start"
[ "$(field celery pid)" != "$celery" ] || fail "update did not restart celery"
wait_up_to 20 state_is celery RUNNING || fail "celery did not come back"
sum=$(sums)
dry_run 0 "$work/d4.out" update --dry-run
same_sum "$sum" "$root/database" "$ddir"
ok "update did what the dry run said; then nothing would change"

# ---- --clean: every program would stop, and the manager exit
dry_run 1 "$work/d5.out" update --dry-run --clean
expect_line "$work/d5.out" "direct: stop gunicorn \(it is no longer configured: .*\)"
expect_line "$work/d5.out" "direct: stop handler \(it is no longer configured: .*\)"
expect_line "$work/d5.out" "direct: stop the direct manager \(pid [0-9]+, $state: no programs are left, so it exits\)"
same_sum "$sum" "$root/database" "$ddir"
[ -n "$(manager_pid)" ] && kill -0 "$(manager_pid)" || fail "the manager is gone"
ok "--clean --dry-run: every stop and the manager's exit; all still run"

# ---- a config error: located, exit 3
sed -i 's/    concurrency: 2/    concurrency: two/' "$cfg"
dry_run 3 "$work/d6.out" update --dry-run
grep -Eq "galaxy.yml:[0-9]+:[0-9]+: error: gravity.celery.concurrency" "$work/d6.out.err" ||
	fail "config error: $(cat "$work/d6.out.err")"
[ ! -s "$work/d6.out" ] || fail "a plan with a config error"
same_sum "$sum" "$root/database" "$ddir"
ok "a config error: file:line:col, exit 3"

# ---- a manager older than update --dry-run (its ping lists no ops): refused by what it says it
# knows, before any plan is asked; nothing changed
sed -i 's/    concurrency: two/    concurrency: 2/' "$cfg"
gx shutdown >/dev/null 2>&1 || fail "shutdown"
mkdir -p "$ddir" && chmod 700 "$ddir"
/usr/bin/python3 - "$ddir" "$work/old.asked" <<'PY' &
import json, os, socket, sys
own, asked = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX)
s.bind(own + "/manager.sock")
s.listen(4)
with open(own + "/manager.pid", "w") as f:
    f.write("%d\n" % os.getpid())
while True:
    c, _ = s.accept()
    f = c.makefile("rw")
    for line in f:
        op = json.loads(line).get("op")
        with open(asked, "a") as a:
            a.write(op + "\n")
        if op == "ping":  # what a manager from before the plan op answers
            reply = {"ok": True, "manager_pid": os.getpid(), "programs": 2, "path": os.environ["PATH"]}
        else:
            reply = {"ok": False, "error": "unknown op %s" % op}
        f.write(json.dumps(reply) + "\n")
        f.flush()
    c.close()
PY
old=$!
extra_pids+=("$old")
wait_up_to 10 test -S "$ddir/manager.sock" || fail "the old manager's socket"
sum=$(sums)
dry_run 1 "$work/d7.out" update --dry-run
grep -Eq "error: the direct manager of $state \(pid [0-9]+\) is older than update --dry-run and cannot tell what an update would do; nothing was changed" \
	"$work/d7.out.err" || fail "an old manager: $(cat "$work/d7.out.err")"
grep -qx plan "$work/old.asked" && fail "the old manager was asked for a plan: $(cat "$work/old.asked")"
same_sum "$sum" "$root/database" "$ddir"
kill "$old"
wait "$old" 2>/dev/null || true
rm -f "$ddir/manager.sock" "$ddir/manager.pid" # the fake's, which cleanup would take for a manager
ok "a manager older than --dry-run: exit 1, said so, not asked for a plan, nothing changed"
