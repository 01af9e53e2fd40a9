# SPDX-License-Identifier: MIT
"""Our stand-in Galaxy in place of upstream's Galaxy checkout, for upstream's conftest.py.

Upstream's galaxy_root_dir fixture is a git worktree of Galaxy, and galaxy_virtualenv a
virtualenv that Galaxy's common_startup.sh builds; neither exists here (no network). These
fixtures keep their names, scopes and types: a py.path root with config/galaxy.yml.sample and
config/reports.yml.sample, and the path of a virtualenv whose bin/ runs the real gunicorn,
celery and uvicorn against tests/fixtures/galaxy-standin.
"""
import os
import subprocess

import pytest

# Shaped like Galaxy's config/galaxy.yml.sample: both sections hold only comments.
GALAXY_YML_SAMPLE = """\
# Galaxy stand-in: a sample config shaped like Galaxy's, every option commented out.
gravity:
  # process_manager: supervisor
  # instance_name: _default_
galaxy:
  # brand: stand-in
"""

REPORTS_YML_SAMPLE = """\
# Galaxy stand-in: a sample reports config (the stand-in's reports app reads nothing from it).
reports:
  # database_connection: sqlite:///./database/universe.sqlite
"""


def _standin_dir():
    path = os.environ.get("GX_STANDIN")
    if not path:
        raise RuntimeError("GX_STANDIN is not set: run these tests with `make upstream-check`")
    return path


@pytest.fixture(scope="session", name="galaxy_root_dir")
def standin_galaxy_root_dir(tmpdir_factory):
    root = tmpdir_factory.mktemp("galaxy-worktree")
    subprocess.run([os.path.join(_standin_dir(), "make-standin.sh"), str(root)], check=True,
                   stdout=subprocess.DEVNULL)
    (root / "config" / "galaxy.yml.sample").write(GALAXY_YML_SAMPLE)
    (root / "config" / "reports.yml.sample").write(REPORTS_YML_SAMPLE)
    return root


@pytest.fixture(scope="session", name="galaxy_virtualenv")
def standin_galaxy_virtualenv(galaxy_root_dir):
    venv = str(galaxy_root_dir / "venv")
    # Upstream's fixture exports it too, so galaxyctl runs in the same environment.
    os.environ["GALAXY_VIRTUAL_ENV"] = venv
    return venv


# The fixtures of upstream's conftest.py that these replace.
REPLACEMENTS = {
    "galaxy_root_dir": standin_galaxy_root_dir,
    "galaxy_virtualenv": standin_galaxy_virtualenv,
}
