#!/bin/bash
# SPDX-License-Identifier: MIT
# update --dry-run with the supervisor backend and a real supervisord: the files update would add,
# change (a diff) and remove, the groups supervisorctl update would start, restart and stop, exit
# 0 when nothing would change and 1 otherwise, a config error still located (exit 3), and a
# state dir whose every byte and time stays as it was.
set -euo pipefail
. "$(dirname "$0")/supervisor_lib.sh"
. "$(dirname "$0")/dryrun_lib.sh"

state=$root/database/gravity
confd=$state/supervisor/supervisord.conf.d/_default_.d
cfg=$root/config/galaxy.yml
port=$(free_port)
volatile="^$state/log/"
gx() { "$galaxyctl" -c "$cfg" "$@"; }
watch_pidfile "$state/supervisor/supervisord.pid"

# $1: gunicorn's start_timeout; $2: yes to have celery; $3: yes to have a handler.
config() {
	{
		echo "gravity:"
		echo "  virtualenv: $root/venv"
		echo "  gunicorn:"
		echo "    bind: 127.0.0.1:$port"
		echo "    start_timeout: $1"
		echo "  celery:"
		echo "    enable: $([ "$2" = yes ] && echo true || echo false)"
		echo "    enable_beat: false"
		echo "    start_timeout: 1"
		if [ "$3" = yes ]; then
			echo "  handlers:"
			echo "    handler:"
			echo "      start_timeout: 1"
		fi
		echo "galaxy:"
		echo "  brand: dry-run"
	} >"$cfg"
}

# ---- nothing there yet: everything would be added, nothing is created
config 1 yes no
sum=$(tree_sum "$root/database")
dry_run 1 "$work/d1.out" update --dry-run
expect_line "$work/d1.out" "supervisor: add $confd/gunicorn_gunicorn.conf \(service gunicorn\)"
expect_line "$work/d1.out" "supervisor: add $confd/celery_celery.conf \(service celery\)"
expect_line "$work/d1.out" "\+\+\+ $confd/gunicorn_gunicorn.conf"
expect_line "$work/d1.out" "\+\[program:gunicorn\]"
expect_line "$work/d1.out" "supervisor: create directory $state/log \(log dir of instance _default_\)"
expect_line "$work/d1.out" "supervisor: note: supervisord is not running .*"
[ "$(tail -n 1 "$work/d1.out")" = "update --dry-run: would write 2 files, create 1 directory" ] ||
	fail "summary: $(tail -n 1 "$work/d1.out")"
same_sum "$sum" "$root/database"
[ ! -e "$state" ] || fail "the dry run created $state"
ok "fresh: the files it would add, as diffs; nothing created; exit 1"

# ---- the same files in place and running: nothing would change
gx start >"$work/start.out" 2>&1 || fail "start: $(cat "$work/start.out")"
all_running() { all_in_state "$(gx status --json 2>/dev/null)" RUNNING; }
WAIT=30 wait_for all_running || fail "not all RUNNING: $(gx status 2>&1)"
gunicorn=$(json_pid "$(gx status --json)" gunicorn)
celery=$(json_pid "$(gx status --json)" celery)
sum=$(tree_sum "$root/database")
dry_run 0 "$work/d2.out" update --dry-run
[ "$(cat "$work/d2.out")" = "update --dry-run: nothing would change" ] ||
	fail "no-change dry run said: $(cat "$work/d2.out")"
same_sum "$sum" "$root/database"
ok "up to date and running: nothing would change, exit 0"

# ---- gunicorn changes, celery goes, a handler comes: diffs and supervisorctl update's groups
config 2 no yes
dry_run 1 "$work/d3.out" update --dry-run
expect_line "$work/d3.out" "supervisor: change $confd/gunicorn_gunicorn.conf \(service gunicorn\)"
expect_line "$work/d3.out" "-startsecs +=  *1"
expect_line "$work/d3.out" "\+startsecs +=  *2"
expect_line "$work/d3.out" "@@ -[0-9]+,7 \+[0-9]+,7 @@"
expect_line "$work/d3.out" "supervisor: remove $confd/celery_celery.conf \(supervisor config\)"
expect_line "$work/d3.out" "-\[program:celery\]"
expect_line "$work/d3.out" "supervisor: add $confd/standalone_handler.conf \(service handler\)"
expect_line "$work/d3.out" "supervisor: restart gunicorn \(supervisord stopProcessGroup, removeProcessGroup, addProcessGroup gunicorn: .*\)"
expect_line "$work/d3.out" "supervisor: stop celery \(supervisord stopProcessGroup, removeProcessGroup celery: its config is removed\)"
expect_line "$work/d3.out" "supervisor: start handler \(supervisord addProcessGroup: .*\)"
expect_line "$work/d3.out" "update --dry-run: would write 2 files, remove 1 file or directory, take 3 actions on processes"
same_sum "$sum" "$root/database"
st=$(gx status --json)
[ "$(json_pid "$st" gunicorn)" = "$gunicorn" ] && kill -0 "$celery" ||
	fail "the dry run restarted or stopped something: $st"
[ "$(json_pid "$st" handler)" = 0 ] ||
	fail "the dry run started the handler: $st"
ok "changes: a diff per file, restart/stop/start per group; nothing signalled, nothing written"

# ---- what it said is what update does
gx update >"$work/update.out" 2>&1 || fail "update: $(cat "$work/update.out")"
grep -q "Updating service gunicorn" "$work/update.out" && grep -q "Adding service handler" "$work/update.out" ||
	fail "update said: $(cat "$work/update.out")"
WAIT=30 wait_for all_running || fail "not all RUNNING after update: $(gx status 2>&1)"
st=$(gx status --json)
[ "$(json_pid "$st" gunicorn)" != "$gunicorn" ] || fail "update did not restart gunicorn"
grep -q '"celery"' <<<"$st" && fail "celery still there: $st"
sum=$(tree_sum "$root/database")
dry_run 0 "$work/d4.out" update --dry-run
same_sum "$sum" "$root/database"
ok "update did what the dry run said; a dry run after it: nothing would change"

# ---- --clean: every file would go and every program stop
dry_run 1 "$work/d5.out" update --dry-run --clean
expect_line "$work/d5.out" "supervisor: remove $confd/gunicorn_gunicorn.conf \(supervisor config\)"
expect_line "$work/d5.out" "supervisor: remove directory $confd \(empty instance dir\)"
expect_line "$work/d5.out" "supervisor: stop gunicorn .*"
expect_line "$work/d5.out" "supervisor: stop handler .*"
same_sum "$sum" "$root/database"
ok "--clean --dry-run: the removals and stops, nothing removed"

# ---- a config error is still a located error, exit 3, and nothing moves
sed -i 's/    start_timeout: 2/    start_timeout: 2\n    workers: many/' "$cfg"
dry_run 3 "$work/d6.out" update --dry-run
grep -Eq "galaxy.yml:[0-9]+:[0-9]+: error: gravity.gunicorn.workers" "$work/d6.out.err" ||
	fail "config error: $(cat "$work/d6.out.err")"
[ ! -s "$work/d6.out" ] || fail "a config error printed a plan: $(cat "$work/d6.out")"
same_sum "$sum" "$root/database"
ok "a config error: file:line:col, exit 3, no plan"

# ---- GRAVITY_UPDATE_DRY_RUN=1 is --dry-run, as every option's variable
config 2 no yes
GRAVITY_UPDATE_DRY_RUN=1 dry_run 0 "$work/d7.out" update
same_sum "$sum" "$root/database"
ok "GRAVITY_UPDATE_DRY_RUN=1"
