# SPDX-License-Identifier: MIT
"""pytest plugin (-p gx_upstream): upstream Gravity's own tests, run unchanged against galaxyctl.

It swaps our stand-in Galaxy into upstream's conftest.py (standin_fixtures.py), leaves out the
tests that not-applicable.txt lists (whole files are not even imported: they import Gravity's
Python internals), and ends with passed/failed/skipped/not-applicable counts per file and
process manager.
"""
import ast
import collections
import inspect
import os
from pathlib import Path

import pytest

import standin_fixtures

HERE = Path(__file__).resolve().parent
NOT_APPLICABLE = HERE / "not-applicable.txt"


def _read_not_applicable():
    """{id: reason}; an id is `file.py` or `file.py::test_name` (optionally with [params])."""
    entries = {}
    with open(NOT_APPLICABLE, encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            ident, _, reason = line.partition(" ")
            if not reason.strip():
                raise pytest.UsageError(f"{NOT_APPLICABLE}:{lineno}: an entry needs a reason")
            entries[ident] = reason.strip()
    return entries


NA = _read_not_applicable()
NA_FILES = {ident: reason for ident, reason in NA.items() if "::" not in ident}
_pm_of = {}
_outcomes = {}
_deselected = []


@pytest.hookimpl(tryfirst=True)
def pytest_plugin_registered(plugin, manager):
    # Upstream's conftest.py is registered before its fixtures are read (pytest reads them in
    # its own, later, call of this hook), so replacing the module's attributes here replaces the
    # fixtures; the file itself stays as it is.
    path = getattr(plugin, "__file__", None)
    if not path or Path(path).name != "conftest.py" or not hasattr(plugin, "galaxy_root_dir"):
        return
    for name, fixture in standin_fixtures.REPLACEMENTS.items():
        setattr(plugin, name, fixture)


def pytest_ignore_collect(collection_path, config):
    return collection_path.name in NA_FILES


def _process_manager(item):
    callspec = getattr(item, "callspec", None)
    if callspec is not None and "process_manager_name" in callspec.params:
        return callspec.params["process_manager_name"]
    # Upstream's systemd-only tests set it in their body; the others run on the default
    # (supervisor, for a user that is not root, as GRAVITY_SKIP_SYSTEMD=1 makes root here).
    source = inspect.getsource(item.function)
    return "systemd" if "process_manager_name = 'systemd'" in source else "supervisor"


def _not_applicable(item):
    name = item.nodeid.split("/")[-1]
    return NA.get(name) or NA.get(name.split("[")[0])


def pytest_collection_modifyitems(session, config, items):
    keep = []
    for item in items:
        _pm_of[item.nodeid] = _process_manager(item)
        reason = _not_applicable(item)
        if reason:
            _deselected.append((item.nodeid, reason))
        else:
            keep.append(item)
    if len(keep) != len(items):
        config.hook.pytest_deselected(items=[i for i in items if i not in keep])
        items[:] = keep


def pytest_runtest_logreport(report):
    previous = _outcomes.get(report.nodeid)
    if report.failed:
        _outcomes[report.nodeid] = "failed"
    elif report.skipped and previous is None:
        _outcomes[report.nodeid] = "skipped"
    elif report.when == "call" and report.passed and previous is None:
        _outcomes[report.nodeid] = "passed"


def _count_tests(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return sum(isinstance(node, ast.FunctionDef) and node.name.startswith("test")
               for node in tree.body)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    counts = collections.defaultdict(collections.Counter)
    for nodeid, outcome in _outcomes.items():
        counts[(nodeid.split("::")[0].split("/")[-1], _pm_of.get(nodeid, "?"))][outcome] += 1
    for nodeid, _ in _deselected:
        counts[(nodeid.split("::")[0].split("/")[-1], _pm_of.get(nodeid, "?"))]["n/a"] += 1
    tests_dir = Path(os.environ.get("GX_GRAVITY_SRC", ".")) / "tests"
    tr = terminalreporter
    tr.section("upstream Gravity tests against galaxyctl")
    tr.write_line(f"{'file':28} {'manager':11} {'passed':>6} {'failed':>6} {'skipped':>7} {'n/a':>4}")
    for (name, pm), c in sorted(counts.items()):
        tr.write_line(f"{name:28} {pm:11} {c['passed']:6} {c['failed']:6} {c['skipped']:7} {c['n/a']:4}")
    for name in sorted(NA_FILES):
        path = tests_dir / name
        n = _count_tests(path) if path.exists() else 0
        tr.write_line(f"{name:28} {'-':11} {0:6} {0:6} {0:7} {n:4}  (whole file, {n} test functions)")
    tr.write_line("not applicable:")
    for ident, reason in sorted(NA.items()):
        tr.write_line(f"  {ident}: {reason}")
