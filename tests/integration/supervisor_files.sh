#!/bin/bash
# SPDX-License-Identifier: MIT
# `galaxyctl update` with the supervisor backend: Gravity's files byte for byte, read back by
# supervisor's own parser, --force/--clean, cleanup rules, and the errors that stop a start.
set -euo pipefail
. "$(dirname "$0")/supervisor_lib.sh"

confd=$root/database/gravity/supervisor/supervisord.conf.d
cfg=$root/config/galaxy.yml
gx() { "$galaxyctl" -c "$cfg" "$@"; }
use() { subst "$fixtures/$1" >"$cfg"; }
mtime() { stat -c %Y.%y "$1"; }

# ---- default services, gravity command style
use default/galaxy.yml
out=$(gx update 2>&1) || fail "update: $out"
expect_files "$fixtures/default/expected" "$confd"
for s in gunicorn celery celery-beat; do
	grep -qx "Adding service $s" <<<"$out" || fail "no 'Adding service $s' in: $out"
done
[ -d "$root/database/gravity/log" ] || fail "update did not create the log dir"
[ ! -e "$root/database/gravity/supervisor/supervisord.conf" ] ||
	fail "update wrote supervisord.conf (only a start does)"
ok "default config: the three program files, byte for byte"

before=$(mtime "$confd/_default_.d/gunicorn_gunicorn.conf")
sleep 0.05
out=$(gx update 2>&1) || fail "second update: $out"
[ -z "$out" ] || fail "a no-change update said: $out"
[ "$(mtime "$confd/_default_.d/gunicorn_gunicorn.conf")" = "$before" ] || fail "no-change update rewrote"
out=$(gx update --force 2>&1) || fail "update --force: $out"
grep -qx "Updating service gunicorn" <<<"$out" || fail "update --force said: $out"
[ "$(mtime "$confd/_default_.d/gunicorn_gunicorn.conf")" != "$before" ] || fail "--force did not rewrite"
expect_files "$fixtures/default/expected" "$confd"
ok "update leaves unchanged files alone; --force rewrites every file"

# ---- files this config does not intend
echo stray >"$confd/_default_.d/gunicorn_old.conf"
mkdir -p "$confd/other.d"
echo other >"$confd/other.d/gunicorn_gunicorn.conf"
echo other >"$confd/group_other.conf"
cat >"$cfg" <<EOF
gravity:
  virtualenv: $root/venv
  celery:
    enable_beat: false
EOF
out=$(gx update 2>&1) || fail "update: $out"
[ ! -e "$confd/_default_.d/gunicorn_old.conf" ] || fail "a stray file of this instance stayed"
[ ! -e "$confd/_default_.d/celery-beat_celery-beat.conf" ] || fail "the disabled celery-beat stayed"
[ -e "$confd/other.d/gunicorn_gunicorn.conf" ] && [ -e "$confd/group_other.conf" ] ||
	fail "another config's files were removed"
grep -q "Removing supervisor configs: $confd/_default_.d/celery-beat_celery-beat.conf, $confd/_default_.d/gunicorn_old.conf" <<<"$out" ||
	fail "removal message: $out"
ok "update removes this instance's unintended files, not another config's"

out=$(gx update --clean 2>&1) || fail "update --clean: $out"
[ ! -e "$confd/_default_.d" ] || fail "--clean left $(ls "$confd/_default_.d")"
grep -q "Removing empty instance dir: $confd/_default_.d" <<<"$out" || fail "--clean said: $out"
grep -q "Configs not managed by this Gravity remain after cleaning, use --force to remove: $confd/group_other.conf, $confd/other.d/gunicorn_gunicorn.conf" <<<"$out" ||
	fail "--clean did not warn about other configs: $out"
[ -e "$confd/other.d/gunicorn_gunicorn.conf" ] || fail "--clean removed another config's file"
out=$(gx update --clean --force 2>&1) || fail "update --clean --force: $out"
[ -z "$(find "$confd" -type f)" ] || fail "--clean --force left: $(find "$confd" -type f)"
ok "--clean removes this config's files, --clean --force everything"

# ---- a named instance with service instances (numprocs) and its group file
rm -rf "$confd"
use instances/galaxy.yml
out=$(gx update 2>&1) || fail "update: $out"
expect_files "$fixtures/instances/expected" "$confd"
grep -qx "Adding service main:gunicorn" <<<"$out" && grep -qx "Adding supervisor group main" <<<"$out" ||
	fail "update said: $out"
ok "named instance: numprocs program files and the group file, byte for byte"

# ---- direct style: the real command and environment, quoted; supervisor's parser agrees
rm -rf "$confd"
use direct/galaxy.yml
out=$(gx update 2>&1) || fail "update: $out"
expect_files "$fixtures/direct/expected" "$confd"
cat >"$work/check.conf" <<EOF
[supervisord]
[unix_http_server]
file = $work/check.sock
[include]
files = $confd/*.d/*.conf
EOF
parsed=$(PATH=/usr/bin:/bin /usr/bin/python3 - "$work/check.conf" <<'PY'
import json, shlex, sys
from supervisor.options import ServerOptions
o = ServerOptions()
o.realize(args=["-c", sys.argv[1]])
for g in o.process_group_configs:
    for p in g.process_configs:
        print(json.dumps({"argv": shlex.split(p.command), "env": p.environment,
                          "dir": p.directory, "umask": p.umask, "log": p.stdout_logfile}))
PY
) || fail "supervisor could not read the files: $parsed"
want=$(/usr/bin/python3 - "$root" <<'PY'
import json, sys
root = sys.argv[1]
print(json.dumps({"argv": [root + "/venv/bin/gunicorn", "galaxy.webapps.galaxy.fast_factory:factory()",
    "--timeout", "300", "--pythonpath", "lib", "-k", "galaxy.webapps.galaxy.workers.Worker",
    "-b", "localhost:8181", "--workers=1", "--config", "python:galaxy.web_stack.gunicorn_config",
    "--name", "odd ;name #1 50% it's"],
    "env": {"PYTHONPATH": "lib:extra", "GALAXY_CONFIG_FILE": root + "/config/galaxy.yml",
            "VIRTUAL_ENV": root + "/venv", "GX_PERCENT": "50% off", "GX_QUOTE": "it's",
            "GX_COMMA": "a,b=c", "PATH": root + "/venv/bin/:/usr/bin:/bin"},
    "dir": root, "umask": 0o27, "log": root + "/database/gravity/log/gunicorn.log"}))
PY
)
[ "$parsed" = "$want" ] || fail "supervisor reads
$parsed
expected
$want"
ok "direct style: supervisor's own parser gives back every word and variable"

# '%' in paths: the working directory is expanded once, the log file twice.
odd=$work/g%1
"$top_srcdir/tests/fixtures/galaxy-standin/make-standin.sh" "$odd" >/dev/null
cat >"$odd/config/galaxy.yml" <<EOF
gravity:
  virtualenv: $odd/venv
  log_dir: $work/lo%g dir
  service_command_style: direct
  celery:
    enable: false
    enable_beat: false
galaxy:
  brand: percent
EOF
out=$("$galaxyctl" -c "$odd/config/galaxy.yml" update 2>&1) || fail "update: $out"
sed -i "s|^files = .*|files = ${odd//%/%%}/database/gravity/supervisor/supervisord.conf.d/*.d/*.conf|" "$work/check.conf"
parsed=$(/usr/bin/python3 - "$work/check.conf" <<'PY'
import sys
from supervisor.options import ServerOptions
o = ServerOptions()
o.realize(args=["-c", sys.argv[1]])
p = o.process_group_configs[0].process_configs[0]
print(p.directory)
print(p.stdout_logfile)
print(p.environment["VIRTUAL_ENV"])
PY
) || fail "supervisor could not read: $parsed"
[ "$parsed" = "$(printf '%s\n%s\n%s' "$odd" "$work/lo%g dir/gunicorn.log" "$odd/venv")" ] ||
	fail "paths with %: $parsed"
ok "paths with '%' and spaces come back from supervisor's parser"

# Every service type, direct style: supervisor would run exactly what `galaxyctl exec` runs.
every=$work/every
"$top_srcdir/tests/fixtures/galaxy-standin/make-standin.sh" "$every" >/dev/null
echo "reports: {}" >"$every/config/reports.yml"
cat >"$every/config/galaxy.yml" <<EOF
gravity:
  virtualenv: $every/venv
  service_command_style: direct
  gunicorn:
    - bind: localhost:8101
    - bind: unix:$work/g 1.sock
      extra_args: --name "it's 100%"
  celery:
    queues: "a,b"
  tusd:
    enable: true
    upload_dir: $work/up loads
    port: 1081
  gx_it_proxy:
    enable: true
    port: 4003
  reports:
    enable: true
  handlers:
    handler:
      processes: 2
      pools:
        - job-handlers
        - workflow-schedulers
galaxy:
  galaxy_infrastructure_url: http://localhost:8080
  interactivetools_enable: true
EOF
out=$("$galaxyctl" -c "$every/config/galaxy.yml" update 2>&1) || fail "update: $out"
sed -i "s|^files = .*|files = $every/database/gravity/supervisor/supervisord.conf.d/*.d/*.conf|" "$work/check.conf"
PATH=/usr/bin:/bin /usr/bin/python3 - "$work/check.conf" "$galaxyctl" "$every" <<'PY' ||
import shlex, subprocess, sys
from supervisor.options import ServerOptions
conf, galaxyctl, root = sys.argv[1:]
o = ServerOptions()
o.realize(args=["-c", conf])
names = sorted(g.name for g in o.process_group_configs)
want = ["celery", "celery-beat", "gunicorn0", "gunicorn1", "gx-it-proxy", "handler_0",
        "handler_1", "reports", "tusd"]
assert names == want, names
for g in o.process_group_configs:
    p = g.process_configs[0]
    run = subprocess.run([galaxyctl, "-c", root + "/config/galaxy.yml", "exec", "--no-exec", g.name],
                         capture_output=True, text=True, check=True)
    line = [l for l in (run.stdout + run.stderr).splitlines() if l.startswith("Executing: ")][0]
    words = shlex.split(line[len("Executing: "):])
    env = {}
    while words and "=" in words[0] and not words[0].startswith("/"):
        k, v = words.pop(0).split("=", 1)
        env[k] = v
    assert shlex.split(p.command) == words, (g.name, p.command, words)
    want_env = {k: v for k, v in env.items() if k != "PATH"}
    got_env = {k: v for k, v in p.environment.items() if k != "PATH"}
    assert got_env == want_env, (g.name, got_env, want_env)
    assert list(p.environment)[-1] == "PATH", (g.name, list(p.environment))
    assert p.environment["PATH"].startswith(root + "/venv/bin/:"), p.environment["PATH"]
    assert p.directory == root and p.stdout_logfile == f"{root}/database/gravity/log/{g.name}.log"
PY
	fail "supervisor and exec disagree"
ok "every service type in direct style: supervisor's command and environment are exec's"

# The same in gravity style: `galaxyctl exec` commands, with --service-instance for numprocs.
sed -i "s|service_command_style: direct|service_command_style: gravity|" "$every/config/galaxy.yml"
out=$("$galaxyctl" -c "$every/config/galaxy.yml" update 2>&1) || fail "update: $out"
PATH=/usr/bin:/bin /usr/bin/python3 - "$work/check.conf" "$galaxyctl" "$every" <<'PY' ||
import shlex, subprocess, sys
from supervisor.options import ServerOptions
conf, galaxyctl, root = sys.argv[1:]
cfg = root + "/config/galaxy.yml"
o = ServerOptions()
o.realize(args=["-c", conf])
procs = sorted((g.name, p.name, p) for g in o.process_group_configs for p in g.process_configs)
assert [(g, n) for g, n, _ in procs] == [
    ("celery", "celery"), ("celery-beat", "celery-beat"), ("gunicorn", "gunicorn_0"),
    ("gunicorn", "gunicorn_1"), ("gx-it-proxy", "gx-it-proxy"), ("handler", "handler_0"),
    ("handler", "handler_1"), ("reports", "reports"), ("tusd", "tusd")], procs
for group, name, p in procs:
    argv = shlex.split(p.command)
    tail = ["--service-instance", name.rsplit("_", 1)[1]] if group != name else []
    assert argv == [galaxyctl, "--config-file", cfg, "exec"] + tail + ["_default_", group], argv
    assert p.environment == {}, p.environment
    subprocess.run(argv[:4] + ["--no-exec"] + argv[4:], capture_output=True, check=True)
PY
	fail "gravity style commands"
ok "every service type in gravity style: exec commands that exec accepts, numprocs for lists"

# Values supervisor cannot hold are errors, and nothing is written.
snapshot() { find "$confd" -type f -exec md5sum {} + | sort; }
before=$(snapshot)
cat >"$cfg" <<EOF
gravity:
  virtualenv: $root/venv
  service_command_style: direct
  celery:
    enable: false
  gunicorn:
    bind: localhost:8181
    environment:
      GX_GOOD: fine
      GX_MULTI: "one\ntwo"
EOF
rc=0
out=$(gx update 2>&1) || rc=$?
[ $rc != 0 ] || fail "a newline in an environment value was accepted: $out"
grep -q "environment value of 'GX_MULTI' cannot be written in a supervisor config: it contains a line break" <<<"$out" ||
	fail "newline error: $out"
[ "$(snapshot)" = "$before" ] || fail "files changed after the error"
ok "a newline in an environment value is an error and no file changes"

# Awkward values that supervisord can hold are written so that it reads them back unchanged; one
# it cannot (a value ending in a quote: its parser strips quotes from both ends) is an error at
# the key's file:line:col.
cat >"$cfg" <<EOF
gravity:
  virtualenv: $root/venv
  service_command_style: direct
  celery:
    enable: false
  gunicorn:
    bind: localhost:8181
    environment:
      GX_COMMA: a,b
      GX_APOS: it's
      GX_PCT: "%"
      GX_MIX: 50% done, say "hi" now
EOF
out=$(gx update 2>&1) || fail "update with awkward values: $out"
printf '[supervisord]\n[include]\nfiles = %s/*.d/*.conf\n' "$confd" >"$work/awkward.conf"
PATH=/usr/bin:/bin /usr/bin/python3 - "$work/awkward.conf" <<'PY' || fail "supervisord read the values back changed"
import sys
from supervisor.options import ServerOptions
o = ServerOptions()
o.realize(args=["-c", sys.argv[1]])
env = [p for g in o.process_group_configs for p in g.process_configs if g.name == "gunicorn"][0].environment
want = {"GX_COMMA": "a,b", "GX_APOS": "it's", "GX_PCT": "%", "GX_MIX": '50% done, say "hi" now'}
got = {k: env.get(k) for k in want}
assert got == want, got
PY
printf '      GX_QUOTED: say "hi"\n' >>"$cfg"
before=$(snapshot)
rc=0
out=$(gx update 2>&1) || rc=$?
[ $rc != 0 ] || fail "a value ending in a quote was accepted: $out"
grep -q "^galaxyctl: $cfg:13:18: error: .*environment value of 'GX_QUOTED' cannot be written in a supervisor config" <<<"$out" ||
	fail "the error does not name the key's place: $out"
[ "$(snapshot)" = "$before" ] || fail "files changed after the error"
ok "awkward environment values read back unchanged by supervisord; an impossible one is an error at its key"

# ---- two instances in one state dir: program files, group files
rm -rf "$confd"
state=$work/st
subst "$fixtures/two/a.yml" >"$root/config/a.yml"
subst "$fixtures/two/b.yml" >"$root/config/b.yml"
gx2() { "$galaxyctl" -c "$root/config/a.yml" -c "$root/config/b.yml" "$@"; }
out=$(gx2 --state-dir "$state" update 2>&1) || fail "update: $out"
expect_files "$fixtures/two/expected" "$state/supervisor/supervisord.conf.d"
ok "two instances: program and group files of both, byte for byte"

# Without --state-dir, several instances share $XDG_CONFIG_HOME/galaxy-gravity.
out=$(XDG_CONFIG_HOME=$work/xdg gx2 update 2>&1) || fail "update: $out"
grep -q "Supervisor configuration will be stored in $work/xdg/galaxy-gravity, set --state-dir" <<<"$out" ||
	fail "state dir message: $out"
want=$(cd "$fixtures/two/expected" && find . -type f | sort)
got=$(cd "$work/xdg/galaxy-gravity/supervisor/supervisord.conf.d" && find . -type f | sort)
[ "$want" = "$got" ] || fail "files under \$XDG_CONFIG_HOME/galaxy-gravity: $got"
ok "several instances use \$XDG_CONFIG_HOME/galaxy-gravity without --state-dir"

# An instance moved to another process manager loses its supervisor files at the next update (as
# upstream's update, which goes to every process manager), even when the command names only the
# other instance; the one that stays keeps its files.
sed -i 's/^  instance_name: b$/&\n  process_manager: direct/' "$root/config/b.yml"
out=$(gx2 --state-dir "$state" update a 2>&1) || fail "update after b moved to direct: $out"
sv=$state/supervisor/supervisord.conf.d
grep -q "Removing supervisor configs: $sv/b.d/celery_celery.conf, $sv/b.d/gunicorn_gunicorn.conf, $sv/group_b.conf" <<<"$out" ||
	fail "removal message for the moved instance: $out"
[ ! -e "$sv/b.d" ] && [ ! -e "$sv/group_b.conf" ] || fail "b's supervisor files stayed: $(find "$sv")"
for f in group_a.conf a.d/celery_celery.conf a.d/celery-beat_celery-beat.conf \
	a.d/gunicorn_gunicorn.conf; do
	subst "$fixtures/two/expected/$f" | cmp -s - "$sv/$f" || fail "a's $f changed or went"
done
ok "an instance moved to another process manager: update removes its supervisor files only"

# Every instance moved: the supervisor backend, which no instance uses any more, still cleans.
sed -i 's/^  instance_name: a$/&\n  process_manager: direct/' "$root/config/a.yml"
grep -q 'process_manager: direct' "$root/config/a.yml" || fail "a.yml has no instance_name line to edit"
out=$(gx2 --state-dir "$state" update 2>&1) || fail "update after a moved to direct: $out"
[ -z "$(find "$sv" -type f)" ] || fail "supervisor files stayed after every instance moved: $(find "$sv" -type f)"
grep -q "Removing supervisor configs: $sv/a.d/celery-beat_celery-beat.conf" <<<"$out" || fail "update said: $out"
ok "no instance left under supervisor: update still removes the files of those that moved"

# ---- what stops a start before supervisord runs
use default/galaxy.yml
rc=0
out=$(PATH=$work/empty gx start 2>&1) || rc=$?
[ $rc != 0 ] || fail "start without supervisord succeeded"
grep -q "supervisord was not found in $root/venv/bin (the virtualenv of _default_), \$PATH ($work/empty)" <<<"$out" ||
	fail "missing supervisord: $out"
ok "supervisord missing: the error names the virtualenv and PATH searched"

long=$work/$(printf 'd%.0s' $(seq 1 100))
rc=0
out=$(gx --state-dir "$long" start 2>&1) || rc=$?
[ $rc != 0 ] || fail "start with a too long socket path succeeded"
grep -q "the supervisord socket $long/supervisor/supervisor.sock is .* bytes long, more than a unix socket can have (107): use a shorter --state-dir" <<<"$out" ||
	fail "long socket: $out"
[ ! -e "$long/supervisor/supervisord.pid" ] || fail "supervisord was started anyway"
rc=0
out=$(SUPERVISORD_SOCKET=$long/s.sock gx start 2>&1) || rc=$?
[ $rc != 0 ] && grep -q "SUPERVISORD_SOCKET to a shorter path" <<<"$out" || fail "long \$SUPERVISORD_SOCKET: $out"
ok "a socket path too long for a unix socket is a clear error"

# supervisord that cannot start (its socket directory does not exist) shows what it said.
watch_pidfile "$root/database/gravity/supervisor/supervisord.pid"
rc=0
out=$(SUPERVISORD_SOCKET=$work/missing/dir/s.sock gx start 2>&1) || rc=$?
[ $rc != 0 ] || fail "start with an impossible socket succeeded"
grep -q "supervisord exited with status 2 at start" <<<"$out" || fail "failed start: $out"
grep -q "Error: Cannot open an HTTP server" <<<"$out" || fail "supervisord's own words are missing: $out"
ok "supervisord exiting at start: its output is shown"
