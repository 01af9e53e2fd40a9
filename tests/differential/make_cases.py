#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Write conformance cases (input/, cmd, user, env, desc) for a matrix of configs, in the form of
tests/fixtures/conformance.  Their expectations are then recorded by running upstream Gravity
itself:  conformance.py --record --galaxyctl UPSTREAM_GALAXYCTL --cases DIR

Each variant is a gravity: section (and optionally a galaxy: section and job conf), rendered for
the supervisor backend (as nobody) and for systemd (as root), unless the variant says otherwise.
"""
import os
import shutil
import sys

VERSION_PY = 'VERSION_MAJOR = "23.1"\nVERSION_MINOR = "2"\nVERSION = VERSION_MAJOR + (".%s" % VERSION_MINOR if VERSION_MINOR else "")\n'
ENV = {
    "HOME": "@CASE@/home",
    "LANG": "C.UTF-8",
    "PATH": "@BIN@:/usr/local/bin:/usr/bin:/bin",
    "PYTHONHASHSEED": "0",
    "SYSTEMCTL_SHIM_LOG": "@CASE@/.systemctl-calls.log",
}
UPDATE = "-c @CASE@/config/galaxy.yml --state-dir @CASE@/state update"

JOB_CONF_YML = """runners:
  local:
    load: galaxy.jobs.runners.local:LocalJobRunner
execution:
  default: local
  environments:
    local:
      runner: local
handling:
  processes:
    handler0:
    handler1:
      environment:
        SPECIAL: "yes"
"""

JOB_CONF_POOLS = """runners:
  local:
    load: galaxy.jobs.runners.local:LocalJobRunner
handling:
  assign: [db-skip-locked]
  pools:
    job-handlers:
      - name: main
    workflow-schedulers:
      - name: wf
"""

# name: (gravity lines, galaxy lines, extra files, description, backends)
VARIANTS = {
    "gunicorn-options": ("""  gunicorn:
    bind: 0.0.0.0:9090
    workers: 3
    timeout: 120
    preload: false
    extra_args: --forwarded-allow-ips='*' --log-level debug
    umask: "027"
    start_timeout: 20
    stop_timeout: 30
""", "", {}, "gunicorn with every option set", "both"),
    "gunicorn-unix": ("""  gunicorn:
    bind: unix:@CASE@/gunicorn.sock
    workers: 2
""", "", {}, "gunicorn on a unix socket", "both"),
    "gunicorn-list": ("""  gunicorn:
    - bind: localhost:8081
    - bind: localhost:8082
      workers: 4
""", "", {}, "two gunicorns as a list", "both"),
    "celery-nobeat": ("""  celery:
    enable_beat: false
    concurrency: 8
    queues: galaxy.internal
""", "", {}, "celery without beat", "both"),
    "celery-off": ("""  celery:
    enable: false
    enable_beat: false
""", "", {}, "celery and beat disabled", "both"),
    "tusd-single": ("""  tusd:
    enable: true
    tusd_path: /usr/local/bin/tusd
    upload_dir: @CASE@/tus
    port: 1080
    extra_args: -verbose
""", "  galaxy_infrastructure_url: http://localhost:8080\n", {}, "one tusd with hooks", "both"),
    "reports": ("""  reports:
    enable: true
    bind: localhost:9001
    workers: 2
    url_prefix: /reports
""", "", {"config/reports.yml": "reports:\n  database_connection: sqlite:///reports.sqlite\n"},
        "the reports app", "both"),
    "handlers-dynamic": ("""  handlers:
    handler:
      processes: 2
      pools:
        - job-handlers
        - workflow-schedulers
""", "", {}, "dynamic handlers with pools", "both"),
    "handlers-named": ("""  handlers:
    job-handler:
      processes: 1
      pools: [job-handlers]
    workflow-scheduler:
      processes: 2
      pools: [workflow-schedulers]
      environment:
        WF: "1"
""", "", {}, "two named dynamic handler sections", "both"),
    "jobconf-yml": ("", "  job_config_file: job_conf.yml\n", {"config/job_conf.yml": JOB_CONF_YML},
                    "static handlers from job_conf.yml", "both"),
    "jobconf-pools": ("", "  job_config_file: job_conf.yml\n", {"config/job_conf.yml": JOB_CONF_POOLS},
                      "a job conf with pools and no processes", "both"),
    "memory-zero": ("""  memory_limit: 8
  gunicorn:
    memory_limit: 0
  celery:
    memory_limit: 2
""", "", {}, "a service's 0 memory_limit falls back to the global one", "sd"),
    "memory-high": ("""  memory_limit: 4
  memory_high: 3
  celery:
    memory_high: 1
""", "", {}, "memory_high, global and per service", "sd"),
    "umask-global": ("""  umask: "002"
  gunicorn:
    umask: "077"
""", "", {}, "the global umask and a service's own", "both"),
    "env-awkward": ("""  gunicorn:
    environment:
      SPACES: two words here
      DOLLAR: $HOME/x
      EMPTY: ""
""", "", {}, "environment values with spaces, $ and nothing (a,b and it's: upstream writes what supervisord cannot read back, see README)", "both"),
    "log-dir-abs": ("""  log_dir: @CASE@/var/log/galaxy
""", "", {}, "an absolute log_dir", "sup"),
    "instance-gravity-style": ("""  instance_name: prod
  service_command_style: gravity
  gunicorn:
    - bind: localhost:8081
    - bind: localhost:8082
""", "", {}, "an instance name with galaxyctl exec commands", "both"),
    "galaxy-user-group": ("""  galaxy_group: galaxygrp
""", "", {}, "galaxy_user and galaxy_group", "sd"),
    "gx-it-proxy-defaults": ("""  gx_it_proxy:
    enable: true
""", "  interactivetools_enable: true\n  interactivetools_map: database/interactivetools_map.sqlite\n",
        {}, "gx-it-proxy with its defaults", "both"),
}


BAD = {
    "process-manager": ("  process_manager: runit\n", ""),
    "command-style": ("  service_command_style: shell\n", ""),
    "app-server": ("  app_server: uwsgi\n", ""),
    "unknown-key": ("  no_such_option: 1\n", ""),
    "gravity-list-item": ("  gunicorn: [1, 2]\n", ""),
    "gunicorn-string": ("  gunicorn: fast\n", ""),
    "workers-text": ("  gunicorn:\n    workers: many\n", ""),
    "timeout-text": ("  gunicorn:\n    timeout: soon\n", ""),
    "preload-text": ("  gunicorn:\n    preload: maybe\n", ""),
    "gunicorn-unknown": ("  gunicorn:\n    threads: 4\n", ""),
    "celery-pool": ("  celery:\n    pool: bogus\n", ""),
    "celery-loglevel": ("  celery:\n    loglevel: LOUD\n", ""),
    "celery-concurrency": ("  celery:\n    concurrency: lots\n", ""),
    "celery-unknown": ("  celery:\n    workers: 2\n", ""),
    "tusd-port": ("  tusd:\n    enable: true\n    upload_dir: /tmp/x\n    port: high\n", ""),
    "tusd-no-upload-dir": ("  tusd:\n    enable: true\n", ""),
    "gx-it-proxy-port": ("  gx_it_proxy:\n    enable: true\n    port: x\n",
                         "  interactivetools_enable: true\n"),
    "gx-it-proxy-no-it": ("  gx_it_proxy:\n    enable: true\n", ""),
    "reports-workers": ("  reports:\n    enable: true\n    workers: x\n", ""),
    "reports-no-config": ("  reports:\n    enable: true\n", ""),
    "handler-processes": ("  handlers:\n    handler:\n      processes: two\n", ""),
    "handlers-list": ("  handlers: [a, b]\n", ""),
    "memory-text": ("  memory_limit: lots\n", ""),
    "start-timeout-text": ("  gunicorn:\n    start_timeout: later\n", ""),
    "stop-timeout-text": ("  celery:\n    stop_timeout: later\n", ""),
    "enable-text": ("  celery:\n    enable: perhaps\n", ""),
    "environment-list": ("  gunicorn:\n    environment: [A, B]\n", ""),
    "yaml-syntax": ("  gunicorn: {bind: [\n", ""),
}


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def make_case(out, name, backend, gravity, galaxy, files, desc, extra_env=None, user=None,
              cmd=None, style="direct"):
    case = os.path.join(out, name)
    shutil.rmtree(case, ignore_errors=True)
    pm = {"sup": "supervisor", "sd": "systemd"}[backend]
    head = "gravity:\n  process_manager: %s\n" % pm
    if backend == "sd":
        head += "  galaxy_user: galaxy\n"
    head += "  virtualenv: @CASE@/venv\n"
    if "service_command_style" not in gravity and style:
        head += "  service_command_style: %s\n" % style
    write(os.path.join(case, "input/config/galaxy.yml"),
          head + gravity + "galaxy:\n  admin_users: admin@example.org\n" + galaxy)
    write(os.path.join(case, "input/lib/galaxy/version.py"), VERSION_PY)
    write(os.path.join(case, "input/requirements.txt"), "galaxy-app==23.1\n")
    for rel, text in files.items():
        write(os.path.join(case, "input", rel), text)
    env = dict(ENV)
    if backend == "sd":
        env["GRAVITY_SYSTEMD_UNIT_PATH"] = "@CASE@/units"
    env.update(extra_env or {})
    write(os.path.join(case, "env"), "".join("%s=%s\n" % kv for kv in sorted(env.items())))
    write(os.path.join(case, "user"), (user or ("nobody" if backend == "sup" else "root")) + "\n")
    write(os.path.join(case, "cmd"), (cmd or UPDATE) + "\n")
    write(os.path.join(case, "desc"), desc + " (%s).\n" % pm)


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for name, (gravity, galaxy, files, desc, backends) in VARIANTS.items():
        for b in ("sup", "sd"):
            if backends in ("both", b):
                make_case(out, "%s-%s" % (name, b), b, gravity, galaxy, files, desc)
    # The default command style, galaxyctl exec, for the variants whose commands differ most.
    for name in ("gunicorn-list", "handlers-dynamic", "tusd-single", "jobconf-yml", "reports",
                 "gx-it-proxy-defaults", "celery-nobeat"):
        gravity, galaxy, files, desc, backends = VARIANTS[name]
        for b in ("sup", "sd"):
            if backends in ("both", b):
                make_case(out, "%s-gstyle-%s" % (name, b), b, gravity, galaxy, files,
                          desc + ", gravity command style", style="gravity")
    # Bad input that upstream rejects: we reject it too (at its file:line:col, which
    # bad_located() in conformance.py checks of ours).
    for name, (gravity, galaxy) in BAD.items():
        make_case(out, "bad-" + name, "sup", gravity, galaxy, {}, "bad input: " + name)
    # What the conformance issue names beyond the matrix.
    make_case(out, "skip-systemd-0", "sd", "", "", {}, "GRAVITY_SKIP_SYSTEMD=0 as root is not a skip",
              extra_env={"GRAVITY_SKIP_SYSTEMD": "0"})
    make_case(out, "usermode-novenv-sd", "sd", "", "", {},
              "systemd user mode with neither virtualenv nor $VIRTUAL_ENV", user="nobody")
    with open(os.path.join(out, "usermode-novenv-sd/input/config/galaxy.yml")) as f:
        text = f.read().replace("  galaxy_user: galaxy\n", "").replace("  virtualenv: @CASE@/venv\n", "")
    write(os.path.join(out, "usermode-novenv-sd/input/config/galaxy.yml"), text)
    make_case(out, "old-names-sup", "sup", "", "", {
        "state/supervisor/supervisord.conf.d/_default_.d/galaxy_gunicorn_gunicorn.conf":
            "[program:gunicorn]\ncommand = true\n",
        "state/supervisor/supervisord.conf.d/_default_.d/galaxy_celery_celery.conf":
            "[program:celery]\ncommand = true\n"},
        "update removes what Gravity 1.0 named with config_type")
    make_case(out, "root-supervisor", "sup", "", "", {},
              "supervisor as root without GRAVITY_SKIP_SYSTEMD is refused", user="root")


if __name__ == "__main__":
    main()
