# SPDX-License-Identifier: MIT
"""gravity.process_manager for upstream's tests: update() is `galaxyctl ... update`."""
import contextlib

from gravity.cli import run


class ProcessManager:
    def __init__(self, config_manager):
        self.config_manager = config_manager

    def update(self, force=False, clean=False):
        args = self.config_manager.galaxyctl_args() + ["update"]
        args += ["--force"] if force else []
        args += ["--clean"] if clean else []
        status = run(args)
        if status != 0:
            # Upstream raises here too: a failed update fails the test at this call.
            raise RuntimeError(f"galaxyctl {' '.join(args)} exited with status {status}")


@contextlib.contextmanager
def process_manager(config_manager):
    yield ProcessManager(config_manager)
