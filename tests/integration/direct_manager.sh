#!/bin/bash
# SPDX-License-Identifier: MIT
# The direct manager on its own (galaxyctl-direct), driven over its socket: exec and directory
# failures, exactly the environment given, SIGKILL after stop_timeout, refused requests.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/direct_paths.sh"

manager=$top_builddir/backends/galaxyctl-direct
[ -x "$manager" ] || { echo "SKIP: the direct backend is not built"; exit 77; }

make_work direct-manager
ddir=$(own_dir "$work/state")
trap 'case $ddir in /run/galaxyctl/*) rm -rf "$ddir" ;; esac; cleanup' EXIT
spawn "$work/manager.out" "$manager" --state-dir "$work/state" # cleanup stops its process group
wait_for test -S "$ddir/manager.sock" || fail "the manager does not listen"

/usr/bin/python3 - "$work" "$ddir" <<'PY'
import json, os, socket, sys, time

work = sys.argv[1]
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[2] + "/manager.sock")
f = s.makefile("rw")


def call(req, raw=None):
    f.write(raw if raw is not None else json.dumps(req) + "\n")
    f.flush()
    return json.loads(f.readline())


def program(name, argv, **kw):
    p = {"name": name, "instance": "t", "service": name, "argv": argv, "env": ["PATH=/usr/bin:/bin"],
         "cwd": work, "log": f"{work}/{name}.log", "start_timeout": 1, "stop_timeout": 1,
         "start_retries": 2}
    p.update(kw)
    return p


def status(name):
    return call({"op": "status", "names": [name]})["programs"][0]


def wait_state(name, state, secs=15):
    end = time.monotonic() + secs
    while time.monotonic() < end:
        st = status(name)
        if st["state"] == state:
            return st
        time.sleep(0.1)
    sys.exit(f"FAIL: {name} is {status(name)}, not {state}")


def check(cond, what):
    if not cond:
        sys.exit(f"FAIL: {what}")


programs = [
    program("noexec", ["/nonexistent/program"]),
    program("nodir", ["sleep", "100"], cwd="/nonexistent-dir"),
    program("env", ["/usr/bin/env"], env=["A=1", "B=two words", "PATH=/usr/bin:/bin"], start_retries=1),
    program("stubborn", ["sh", "-c", "trap '' TERM; echo ready; while :; do sleep 0.1; done"]),
]
reply = call({"op": "update", "instances": ["t"], "programs": programs, "start": True})
check(reply["ok"] and sorted(reply["added"]) == ["env", "nodir", "noexec", "stubborn"], reply)

st = wait_state("noexec", "FATAL")
check(st["error"] == "cannot execute /nonexistent/program: No such file or directory", st)
check(st["exit_status"] == 127 and st["failures"] == 2, st)
st = wait_state("nodir", "FATAL")
check(st["error"] == "cannot change to directory /nonexistent-dir: No such file or directory", st)
wait_state("env", "FATAL")
with open(work + "/env.log") as log:
    check(log.read() == "A=1\nB=two words\nPATH=/usr/bin:/bin\n", "the environment is not exactly the one given")

wait_state("stubborn", "RUNNING")
t0 = time.monotonic()
reply = call({"op": "stop", "names": ["stubborn"]})
check(reply["programs"][0]["state"] == "STOPPED", reply)
check(0.9 < time.monotonic() - t0 < 5, "stop did not wait for stop_timeout before SIGKILL")
check(reply["programs"][0]["error"] == "terminated by SIGKILL", reply)

check(call({"op": "start", "names": ["nope"]}) == {"ok": False, "error": "no such program: nope"}, "unknown name")
check(call(None, raw="not json\n")["error"] == "a request is one JSON object per line", "bad line")
check(call({"op": "dance"})["error"] == "unknown op dance", "unknown op")
reply = call({"op": "update", "instances": ["t"], "programs": [programs[0], programs[0]]})
check(not reply["ok"] and "listed twice" in reply["error"], reply)
reply = call({"op": "update", "instances": ["t"], "programs": [{"name": "x"}]})
check(not reply["ok"] and reply["error"].startswith("invalid program"), reply)
check(len(call({"op": "status"})["programs"]) == 4, "a refused update changed something")

# An update that drops programs of its instances removes them; other instances keep theirs.
other = program("other", ["sleep", "100"], instance="u")
check(call({"op": "update", "instances": ["u"], "programs": [other], "start": True})["ok"], "update u")
reply = call({"op": "update", "instances": ["t"], "programs": [], "start": True})
check(sorted(reply["removed"]) == ["env", "nodir", "noexec", "stubborn"], reply)
names = [p["name"] for p in call({"op": "status"})["programs"]]
check(names == ["other"], names)
reply = call({"op": "shutdown"})
check(reply["ok"], reply)
PY
wait "${pids[0]}" || fail "the manager exited with $?"
grep -q "killing 'stubborn' ([0-9]*) with SIGKILL: still running 1 s after SIGTERM" "$ddir/manager.log" ||
	fail "the SIGKILL was not logged"
[ -e "$ddir/manager.sock" ] && fail "the socket was left behind"
echo "PASS"
