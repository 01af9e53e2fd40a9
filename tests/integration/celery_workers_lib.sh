# SPDX-License-Identifier: MIT
# Shared by the celery_workers_*.sh tests (sourced after their backend's own lib): a config with a
# list of two celery workers on separate queues over one filesystem broker, and the task checks.
# shellcheck shell=bash

if ! /usr/bin/python3 -c 'import celery, kombu.transport.filesystem' 2>/dev/null; then
	echo "SKIP: Debian's python3-celery (with kombu's filesystem transport) is not installed"
	exit 77
fi

# The gravity section's celery list on stdout ($1: the broker dir, $2: extra lines for each
# entry, indented as its keys, with @NAME@ for the entry's worker name, e.g.
# "      extra_args: --logfile /tmp/@NAME@.log").  The first entry is unnamed (celery0) with a
# memory limit and runs beat; the second is named external.
cw_celery_section() {
	local extra0=${2//@NAME@/celery0} extra1=${2//@NAME@/external}
	cat <<EOF
  celery:
    - queues: galaxy.internal
      concurrency: 1
      loglevel: INFO
      memory_limit: 2
      environment:
        GALAXY_STANDIN_BROKER_DIR: $1
$extra0
    - name: external
      queues: galaxy.external
      concurrency: 1
      loglevel: INFO
      enable_beat: false
      environment:
        GALAXY_STANDIN_BROKER_DIR: $1
        GX_WORKER: external
$extra1
EOF
}

# Send galaxy.echo(word) to a queue over the broker ($1 stand-in root, $2 broker, $3 queue, $4 word).
cw_send() {
	(cd "$1" && GALAXY_STANDIN_BROKER_DIR=$2 PYTHONPATH=lib /usr/bin/python3 -c '
import sys
from galaxy.celery import celery
celery.send_task("galaxy.echo", args=[sys.argv[2]], queue=sys.argv[1])' "$3" "$4")
}

# Did the worker whose log is $1 run the task that returned $2?
cw_ran() {
	grep -q "Task galaxy.echo\[.*\] succeeded in .*: '$2'" "$1" 2>/dev/null
}

# Is the worker whose log is $1, with hostname $2@..., ready to take tasks?
cw_ready() {
	grep -q "$2@.* ready\." "$1" 2>/dev/null
}

# Send one task to each queue and check that each ran on its own worker only ($1 root, $2 broker,
# $3 celery0's log, $4 external's log, $5 the words of a wait command to run a check with, $6 a
# fail function).
cw_check_tasks() {
	local root=$1 broker=$2 log0=$3 log1=$4 wait=$5 die=$6
	local w0="to-internal-$$" w1="to-external-$$"

	cw_send "$root" "$broker" galaxy.internal "$w0" || "$die" "could not send to galaxy.internal"
	cw_send "$root" "$broker" galaxy.external "$w1" || "$die" "could not send to galaxy.external"
	# shellcheck disable=SC2086 # the wait command's words
	$wait cw_ran "$log0" "$w0" || "$die" "celery0 did not run the galaxy.internal task"
	# shellcheck disable=SC2086
	$wait cw_ran "$log1" "$w1" || "$die" "external did not run the galaxy.external task"
	! cw_ran "$log0" "$w1" || "$die" "celery0 ran the galaxy.external task"
	! cw_ran "$log1" "$w0" || "$die" "external ran the galaxy.internal task"
}
