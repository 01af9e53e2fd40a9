#!/bin/bash
# SPDX-License-Identifier: MIT
# A list of two celery workers under a real systemd user manager, in the direct command style (so
# that --hostname's %h is written as systemd's %%h): units galaxy-celery0 and galaxy-external beside
# one galaxy-celery-beat, each with its own command line, environment and MemoryMax, and a task sent
# to each queue (over a filesystem broker the processes share) is run by that queue's worker.  No
# journald here: each worker also logs to a file (celery's --logfile, in extra_args).
. "${GX_TOP_SRCDIR:-$(dirname "$0")/../..}/tests/integration/systemd_env.sh"
. "$SD_TOP_SRCDIR/tests/integration/celery_workers_lib.sh"

R=$SD_TMP/galaxy
sd_standin "$R"
CONF=$R/config/galaxy.yml
broker=$SD_TMP/broker
mkdir -p "$broker"
{
	cat <<EOF
gravity:
  process_manager: systemd
  service_command_style: direct
  virtualenv: $R/venv
  gunicorn:
    enable: false
EOF
	cw_celery_section "$broker" "      extra_args: --logfile $SD_TMP/@NAME@.log"
	echo "galaxy: {}"
} >"$CONF"
gx() {
	"$GX" -c "$CONF" --user "$@" 2>"$SD_TMP/err" >"$SD_TMP/out" ||
		{ cat "$SD_TMP/err" "$SD_TMP/out" >&2; sd_fail "galaxyctl $*"; }
}
UNITS="galaxy-celery0.service galaxy-external.service galaxy-celery-beat.service"

gx start
[ "$(cd "$SD_UNITS" && ls -d galaxy*)" = "galaxy-celery-beat.service
galaxy-celery0.service
galaxy-external.service
galaxy.target" ] || sd_fail "unit files: $(ls "$SD_UNITS")"
for u in $UNITS; do
	sd_wait_for 30 sh -c "[ \"\$(systemctl --user is-active $u)\" = active ]" ||
		sd_fail "$u is not active: $(sdctl status "$u" 2>&1 | head -n 5)"
	sd_prop galaxy.target Wants | tr ' ' '\n' | grep_q -x "$u" || sd_fail "galaxy.target does not want $u"
done
grep -q -- "--queues galaxy.external --hostname external@%%h --logfile" "$SD_UNITS/galaxy-external.service" ||
	sd_fail "external's ExecStart: $(grep ExecStart "$SD_UNITS/galaxy-external.service")"
echo "ok - units: $UNITS"

p0=$(sd_prop galaxy-celery0.service MainPID) p1=$(sd_prop galaxy-external.service MainPID)
tr '\0' ' ' <"/proc/$p0/cmdline" | grep_q -- "--queues galaxy.internal --hostname celery0@%h --logfile" ||
	sd_fail "celery0 runs: $(tr '\0' ' ' <"/proc/$p0/cmdline")"
tr '\0' '\n' <"/proc/$p1/environ" | grep_q -x GX_WORKER=external || sd_fail "external lacks its environment"
! tr '\0' '\n' <"/proc/$p0/environ" | grep_q '^GX_WORKER=' || sd_fail "celery0 has external's environment"
[ "$(sd_prop galaxy-celery0.service MemoryMax)" = $((2 * 1024 * 1024 * 1024)) ] ||
	sd_fail "celery0's MemoryMax: $(sd_prop galaxy-celery0.service MemoryMax)"
[ "$(sd_prop galaxy-external.service MemoryMax)" = infinity ] ||
	sd_fail "external's MemoryMax: $(sd_prop galaxy-external.service MemoryMax)"
sd_wait_for 30 cw_ready "$SD_TMP/celery0.log" celery0 || sd_fail "celery0 never became ready"
sd_wait_for 30 cw_ready "$SD_TMP/external.log" external || sd_fail "external never became ready"
echo "ok - each worker runs its own command line, environment and memory limit"

cw_check_tasks "$R" "$broker" "$SD_TMP/celery0.log" "$SD_TMP/external.log" "sd_wait_for 20" sd_fail
echo "ok - the galaxy.internal task ran on celery0, the galaxy.external one on external"

gx stop
for u in $UNITS; do
	sd_wait_for 20 sh -c "[ \"\$(systemctl --user is-active $u)\" != active ]" || sd_fail "$u still active"
done
echo "ok - stopped"
