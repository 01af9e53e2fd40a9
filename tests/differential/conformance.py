#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Run conformance cases (what upstream Gravity 1.2.3 rendered) against our galaxyctl.

A case directory holds input/, cmd, user, env, rc*, expected/, tree.txt and systemctl-calls*.txt
(see tests/fixtures/conformance/README.md). Each case is laid down at /tmp/gxgold/<case>, each
line of cmd is run there with exactly the case's environment, and the results are compared with
upstream's by meaning: exit status zero or not, the files left in the rendered dirs, the paths
created, and the systemctl calls made. Prints one line per case and the differences of each
failing one; exits 1 when any case differs.
"""
import argparse
import os
import re
import shlex
import shutil
import subprocess
import sys

GOLD = "/tmp/gxgold"
BIN = "/tmp/gxgold-bin"
NOBODY = 65534

SHIM = """#!/bin/sh
# Records its name and arguments, as the conformance cases' shim did, and succeeds.
printf '%s' "$(basename "$0")" >>"$SYSTEMCTL_SHIM_LOG"
for a in "$@"; do printf ' %s' "$a" >>"$SYSTEMCTL_SHIM_LOG"; done
printf '\\n' >>"$SYSTEMCTL_SHIM_LOG"
# What the cases' recording shim answered: the manager's PATH, without the shim's own dir.
case " $* " in *" show-environment "*) echo 'PATH=/usr/local/bin:/usr/bin:/bin' ;; esac
exit 0
"""


def make_bin(galaxyctl):
    shutil.rmtree(BIN, ignore_errors=True)
    os.makedirs(BIN)
    os.chmod(BIN, 0o755)
    os.symlink(os.path.abspath(galaxyctl), os.path.join(BIN, "galaxyctl"))
    for name in ("systemctl", "journalctl"):
        path = os.path.join(BIN, name)
        with open(path, "w") as f:
            f.write(SHIM)
        os.chmod(path, 0o755)


def subst(text, case_dir):
    return text.replace("@CASE@", case_dir).replace("@BIN@", BIN)


def read(path, default=None):
    try:
        with open(path) as f:
            return f.read()
    except FileNotFoundError:
        return default


def step_file(case, stem, ext, step, steps):
    """The expected file of one step: stem.N.ext for several steps, stem.ext for one."""
    if steps > 1:
        return os.path.join(case, "%s.%d%s" % (stem, step, ext))
    return os.path.join(case, stem + ext)


# --- parsing rendered files into something compared by meaning ---

def split_supervisor_env(value, strict):
    """supervisor's environment=: KEY=VALUE pairs as supervisord itself reads them, when its
    parser is at hand.  When it rejects the line: None if strict (ours must be readable), else
    (upstream's, which writes lines supervisord rejects) the pairs it meant: comma-separated,
    quotes removed."""
    try:
        sys.path.append("/usr/lib/python3/dist-packages")
        from supervisor.datatypes import dict_of_key_value_pairs
    except ImportError:
        dict_of_key_value_pairs = None
    if dict_of_key_value_pairs:
        try:
            return sorted("%s=%s" % kv for kv in dict_of_key_value_pairs(value).items())
        except ValueError:
            if strict:
                return None
    lex = shlex.shlex(value, posix=True)
    lex.whitespace = ","
    lex.whitespace_split = True
    lex.commenters = ""
    return sorted(tok.strip() for tok in lex if tok.strip())


def parse_ini(text, kind, strict):
    """Sections of a supervisor conf or systemd unit: name -> sorted list of (key, value)."""
    sections = {}
    current = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line[0] in ";#":
            continue
        m = re.match(r"^\[(.+)\]$", line)
        if m:
            current = sections.setdefault(m.group(1), [])
            continue
        if current is None or "=" not in line:
            current = sections.setdefault("", [])
            current.append(("?", line))
            continue
        key, value = (s.strip() for s in line.split("=", 1))
        current.extend(normalize(kind, key, value, strict))
    return {name: sorted(items, key=repr) for name, items in sections.items()}


def normalize(kind, key, value, strict):
    if key in ("command", "ExecStart", "ExecReload", "ExecStop", "ExecStartPre"):
        try:
            return [(key, tuple(shlex.split(value)))]
        except ValueError:
            return [(key, value)]
    if kind == "supervisor" and key == "environment":
        pairs = split_supervisor_env(value, strict)
        return [(key, tuple(pairs) if pairs is not None else "UNREADABLE BY SUPERVISORD: " + value)]
    if kind == "systemd" and key == "Environment":
        try:
            return [(key, item) for item in shlex.split(value)]
        except ValueError:
            return [(key, value)]
    if key == "programs":
        return [(key, tuple(p.strip() for p in value.split(",")))]
    return [(key, value)]


def file_kind(path):
    if path.endswith(".conf"):
        return "supervisor"
    if re.search(r"\.(service|target|socket|timer)$", path):
        return "systemd"
    return None


def compare_file(rel, want_text, got_text):
    kind = file_kind(rel)
    if kind is None:
        return [] if want_text == got_text else ["%s: content differs" % rel]
    want, got = parse_ini(want_text, kind, False), parse_ini(got_text, kind, True)
    diffs = []
    for name in sorted(set(want) | set(got)):
        w, g = want.get(name), got.get(name)
        if w is None:
            diffs.append("%s: extra section [%s]" % (rel, name))
        elif g is None:
            diffs.append("%s: missing section [%s]" % (rel, name))
        else:
            for item in w:
                if item not in g:
                    diffs.append("%s [%s]: missing %s = %r" % (rel, name, item[0], item[1]))
            for item in g:
                if item not in w:
                    diffs.append("%s [%s]: extra   %s = %r" % (rel, name, item[0], item[1]))
    return diffs


def walk(root):
    out = set()
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames:
            out.add(os.path.relpath(os.path.join(dirpath, name), root) + "/")
        for name in filenames:
            out.add(os.path.relpath(os.path.join(dirpath, name), root))
    return out


def rendered_roots(paths):
    """The dirs whose every file must match expected/: supervisor's conf.d, systemd unit dirs."""
    roots = set()
    for p in paths:
        m = re.match(r"^(.*supervisord\.conf\.d/)", p)
        if m:
            roots.add(m.group(1))
        elif re.search(r"\.(service|target)$", p):
            roots.add(os.path.dirname(p) + "/")
    return roots


def lines(text, unordered):
    """Call lines; how often the PATH is asked for (upstream: once per service) is no contract."""
    items = []
    for l in text.splitlines():
        if l.strip() and not (l.endswith(" show-environment") and l in items):
            items.append(l)
    return sorted(items) if unordered else items


# --- running one case ---

def lay_down(case, case_dir):
    """The case's input/ at case_dir, placeholders filled in, owned by the case's user."""
    shutil.rmtree(case_dir, ignore_errors=True)
    os.makedirs(GOLD, exist_ok=True)
    shutil.copytree(os.path.join(case, "input"), case_dir, symlinks=True)
    for dirpath, _, filenames in os.walk(case_dir):
        os.chmod(dirpath, 0o755)
        for f in filenames:
            path = os.path.join(dirpath, f)
            if os.path.islink(path):
                continue
            os.chmod(path, os.stat(path).st_mode | 0o644)
            with open(path, "rb") as fh:
                data = fh.read()
            if b"@CASE@" in data or b"@BIN@" in data:
                with open(path, "wb") as fh:
                    fh.write(subst(data.decode(), case_dir).encode())
    if read(os.path.join(case, "user"), "root").strip() == "nobody":
        for dirpath, dirnames, filenames in os.walk(case_dir):
            for n in [dirpath] + [os.path.join(dirpath, f) for f in dirnames + filenames]:
                os.lchown(n, NOBODY, NOBODY)


def run_steps(case, extra_env, record=False):
    """Lay the case down and run its steps: {"steps": [(rc, stdout, stderr, calls)], "before",
    "after" (the paths created), "case_dir"}.  calls is None when the case records none."""
    name = os.path.basename(case.rstrip("/"))
    case_dir = os.path.join(GOLD, name)
    lay_down(case, case_dir)
    before = walk(case_dir)
    user = read(os.path.join(case, "user"), "root").strip()
    env = {}
    for line in subst(read(os.path.join(case, "env"), ""), case_dir).splitlines():
        if "=" in line:
            k, v = line.split("=", 1)
            env[k] = v
    env.update(extra_env)
    calls_log = env.get("SYSTEMCTL_SHIM_LOG")
    lines_ = [l for l in read(os.path.join(case, "cmd")).splitlines() if l.strip()]
    steps = []
    for i, line in enumerate(lines_, 1):
        line = subst(line, case_dir)
        if line.startswith("!cp "):
            _, src, dst = shlex.split(line)
            shutil.copyfile(os.path.join(case_dir, src), os.path.join(case_dir, dst))
            steps.append(None)
            continue
        if calls_log and os.path.exists(calls_log):
            os.unlink(calls_log)
        argv = [os.path.join(BIN, "galaxyctl")] + shlex.split(line)
        if user == "nobody":
            argv = ["setpriv", "--reuid=%d" % NOBODY, "--regid=%d" % NOBODY, "--clear-groups"] + argv
        proc = subprocess.run(argv, cwd=case_dir, env=env, capture_output=True, text=True)
        known = record or os.path.exists(step_file(case, "systemctl-calls", ".txt", i, len(lines_)))
        calls = subst(read(calls_log, "") if calls_log else "", case_dir) if known else None
        steps.append((proc.returncode, proc.stdout, proc.stderr, calls))
    if calls_log and os.path.exists(calls_log):
        os.unlink(calls_log)
    return {"steps": steps, "before": before, "after": walk(case_dir) - before,
            "case_dir": case_dir}


def run_case(case, extra_env, verbose):
    name = os.path.basename(case.rstrip("/"))
    res = run_steps(case, extra_env)
    case_dir, before, after = res["case_dir"], res["before"], res["after"]
    unordered = set(read(os.path.join(case, "UNORDERED"), "").split())
    n = len(res["steps"])
    diffs = []
    for i, step in enumerate(res["steps"], 1):
        if step is None:
            continue
        rc, _, err, calls = step
        want_rc = int(read(step_file(case, "rc", "", i, n), "0").strip())
        if (want_rc == 0) != (rc == 0):
            diffs.append("step %d: rc %d, upstream %d" % (i, rc, want_rc))
        if verbose or (want_rc == 0) != (rc == 0):
            diffs.append("step %d stderr: %s" % (i, err.strip()[:2000]))
        # Bad input: where upstream gives pydantic's words, ours name the file, line and column.
        if name.startswith("bad-") and want_rc != 0 and not re.search(
                r"\.ya?ml:\d+:\d+: error", err):
            diffs.append("step %d: the error is not located at its file:line:col: %s"
                         % (i, err.strip()[:500]))
        want_calls = read(step_file(case, "systemctl-calls", ".txt", i, n))
        if want_calls is not None:
            ufile = os.path.basename(step_file(case, "systemctl-calls", ".txt", i, n))
            w = lines(subst(want_calls, case_dir), ufile in unordered)
            g = lines(calls or "", ufile in unordered)
            if w != g:
                diffs.append("step %d systemctl calls:\n    upstream: %s\n    ours:     %s"
                             % (i, "\n              ".join(w), "\n              ".join(g)))
    want_tree = set(l.strip() for l in read(os.path.join(case, "tree.txt"), "").splitlines()
                    if l.strip())
    expected_dir = os.path.join(case, "expected")
    expected = walk(expected_dir) if os.path.isdir(expected_dir) else set()
    for rel in sorted(p for p in expected if not p.endswith("/")):
        got = read(os.path.join(case_dir, rel))
        if got is None:
            diffs.append("%s: not written" % rel)
            continue
        diffs.extend(compare_file(rel, subst(read(os.path.join(expected_dir, rel)), case_dir), got))
    for root in rendered_roots(want_tree | after):
        for rel in sorted(after):
            if rel.startswith(root) and not rel.endswith("/") and rel not in expected:
                diffs.append("%s: written, upstream has no such file" % rel)
    missing = sorted(want_tree - after - before)
    extra = sorted(after - want_tree)
    if missing:
        diffs.append("paths upstream creates and we do not: %s" % " ".join(missing))
    if extra:
        diffs.append("paths we create and upstream does not: %s" % " ".join(extra))
    return name, diffs


def unsubst(text, case_dir):
    return text.replace(case_dir, "@CASE@").replace(BIN, "@BIN@")


def record_case(case):
    """Run a case's steps with upstream's galaxyctl and write what it did as the case's expectations."""
    name = os.path.basename(case.rstrip("/"))
    case_dir = os.path.join(GOLD, name)
    for old in os.listdir(case):
        if re.match(r"^(rc|stdout|stderr|systemctl-calls)(\.\d+)?(\.txt)?$", old) or old in ("tree.txt",):
            os.unlink(os.path.join(case, old))
    shutil.rmtree(os.path.join(case, "expected"), ignore_errors=True)
    results = run_steps(case, {}, record=True)
    steps = results["steps"]
    n = len(steps)
    for i, step in enumerate(steps, 1):
        if step is None:
            continue
        rc, out, err, calls = step
        with open(step_file(case, "rc", "", i, n), "w") as f:
            f.write("%d\n" % rc)
        with open(step_file(case, "stdout", ".txt", i, n), "w") as f:
            f.write(unsubst(out, case_dir))
        with open(step_file(case, "stderr", ".txt", i, n), "w") as f:
            f.write(unsubst(err, case_dir))
        if calls is not None:
            with open(step_file(case, "systemctl-calls", ".txt", i, n), "w") as f:
                f.write(unsubst(calls, case_dir))
    after = results["after"]
    with open(os.path.join(case, "tree.txt"), "w") as f:
        f.write("".join(p + "\n" for p in sorted(after)))
    for root in rendered_roots(after):
        for rel in sorted(after):
            if rel.startswith(root) and not rel.endswith("/"):
                dst = os.path.join(case, "expected", rel)
                os.makedirs(os.path.dirname(dst), exist_ok=True)
                with open(os.path.join(case_dir, rel)) as src, open(dst, "w") as out:
                    out.write(unsubst(src.read(), case_dir))
    print("recorded: %s (rc %s)" % (name, " ".join(str(s[0]) for s in steps if s)))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--record", action="store_true",
                    help="run --galaxyctl (upstream's) and write each case's expectations")
    ap.add_argument("--galaxyctl", required=True)
    ap.add_argument("--cases", required=True, help="dir of case dirs")
    ap.add_argument("--plugin-path", help="GRAVITY_PLUGIN_PATH for our galaxyctl")
    ap.add_argument("-v", "--verbose", action="store_true")
    ap.add_argument("only", nargs="*", help="case names (default: all)")
    args = ap.parse_args()
    make_bin(args.galaxyctl)
    if args.record:
        # Upstream's launcher names itself in sys.argv[0]: as a copy here it names @BIN@/galaxyctl.
        script = os.path.join(BIN, "galaxyctl")
        with open(os.path.realpath(script)) as f:
            text = re.sub(r'sys\.argv\[0\] = ".*"', 'sys.argv[0] = "%s"' % script, f.read())
        os.unlink(script)
        with open(script, "w") as f:
            f.write(text)
        os.chmod(script, 0o755)
    extra_env = {}
    if args.plugin_path:
        extra_env["GRAVITY_PLUGIN_PATH"] = args.plugin_path
    cases = sorted(d for d in os.listdir(args.cases)
                   if os.path.isfile(os.path.join(args.cases, d, "cmd")))
    if args.only:
        cases = [c for c in cases if c in args.only]
    if args.record:
        for c in cases:
            record_case(os.path.join(args.cases, c))
        return 0
    failed = 0
    for c in cases:
        name, diffs = run_case(os.path.join(args.cases, c), extra_env, args.verbose)
        bad = [d for d in diffs if " stderr: " not in d]
        print("%s: %s" % ("ok  " if not bad else "FAIL", name))
        if bad or args.verbose:
            for d in diffs:
                print("    " + d)
        failed += bool(bad)
    print("%d of %d cases render as upstream does" % (len(cases) - failed, len(cases)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
