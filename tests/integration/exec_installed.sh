#!/bin/bash
# SPDX-License-Identifier: MIT
# Galaxy installed as a package in a virtualenv (pip or uv): no galaxy_root, handlers run the
# venv's galaxy-main in the working directory, data/ is the data dir, and with no config file at
# all galaxyctl runs on defaults.  A job_config_file that does not exist is an error at its value.
set -euo pipefail

. "${GX_TOP_SRCDIR:-$(dirname "$0")/../..}/tests/integration/lib.sh"

if [ ! -x /usr/bin/python3 ]; then
	echo "SKIP: /usr/bin/python3 is missing"
	exit 77
fi

make_work exec-installed
# The virtualenv pip would leave: galaxy importable from site-packages, galaxy-main in bin/
# (the stand-in's, which needs nothing of a Galaxy root).
venv=$work/venv
mkdir -p "$venv/lib/python3.12/site-packages/galaxy" "$venv/bin" "$work/run" "$work/conf"
echo 'VERSION_MAJOR = "24.1"' >"$venv/lib/python3.12/site-packages/galaxy/version.py"
install -m 755 "$top_srcdir/tests/fixtures/galaxy-standin/root/scripts/galaxy-main" "$venv/bin/"
cfg=$work/conf/galaxy.yml
cat >"$cfg" <<EOF
gravity:
  virtualenv: $venv
  handlers:
    handler:
      pools: [job-handlers]
galaxy:
  job_config:
    handling:
      assign: [db-skip-locked]
EOF
cd "$work/run"

cmd="$venv/bin/galaxy-main -c $cfg --server-name=handler_0 --attach-to-pool=job-handlers"
"$galaxyctl" -c "$cfg" exec handler --no-exec >"$work/no-exec.log" 2>&1 ||
	fail "exec --no-exec failed"
grep -qx "Working directory: $work/run" "$work/no-exec.log" || fail "no working directory line"
grep -q "^Executing: VIRTUAL_ENV=$venv PATH=[^ ]* $cmd\$" "$work/no-exec.log" ||
	fail "unexpected Executing line"

spawn "$work/handler.log" "$galaxyctl" -c "$cfg" exec handler
pid=$!
wait_for grep -qF "galaxy-main stand-in: server_name=handler_0 pools=job-handlers config=$cfg pid=$pid" \
	"$work/handler.log" || fail "handler did not start"
[ "$(readlink "/proc/$pid/cwd")" = "$work/run" ] || fail "not running in $work/run"
[ -d "$work/run/data/gravity" ] || fail "state dir data/gravity not created in the working dir"
ok "an installed Galaxy's handler runs $venv/bin/galaxy-main in the working directory"

# No config file at all: defaults, with upstream's warning, when the active virtualenv has Galaxy.
VIRTUAL_ENV=$venv "$galaxyctl" show >"$work/show.log" 2>"$work/show.err" ||
	fail "show without a config file failed"
grep -q "warning: No configuration file found but Galaxy is installed in this Python environment" \
	"$work/show.err" || fail "no warning about running on defaults"
grep -q "\"gravity_data_dir\": \"$work/run/data/gravity\"" "$work/show.log" ||
	fail "state dir is not data/gravity in the working dir"
grep -q '"galaxy_root": null' "$work/show.log" || fail "an installed Galaxy has a galaxy_root"
VIRTUAL_ENV=$venv "$galaxyctl" exec celery --no-exec >"$work/celery.log" 2>&1 ||
	fail "exec celery without a config file failed"
if grep -q "GALAXY_CONFIG_FILE=" "$work/celery.log"; then
	fail "GALAXY_CONFIG_FILE set without a config file"
fi
rc=0
env -u VIRTUAL_ENV "$galaxyctl" show >"$work/novenv.log" 2>&1 || rc=$?
[ "$rc" -eq 3 ] || fail "without Galaxy installed, no config file exits $rc, not 3"
grep -q "no config file found" "$work/novenv.log" || fail "no 'no config file found' error"
ok "no config file: defaults with an installed Galaxy, the usual error without"

# A job_config_file set explicitly that does not exist: an error at its value, nothing changed.
cat >"$work/conf/jobs.yml" <<EOF
gravity:
  virtualenv: $venv
galaxy:
  job_config_file: missing/job_conf.yml
EOF
rc=0
"$galaxyctl" -c "$work/conf/jobs.yml" update >"$work/jobs.log" 2>&1 || rc=$?
[ "$rc" -eq 3 ] || fail "missing job_config_file: exit $rc, not 3"
grep -qF "galaxyctl: $work/conf/jobs.yml:4:20: error: galaxy.job_config_file: $work/conf/missing/job_conf.yml does not exist" \
	"$work/jobs.log" || fail "no error at the job_config_file value"
ok "a missing job_config_file is an error at $work/conf/jobs.yml:4:20"
