# SPDX-License-Identifier: MIT
"""gravity.config_manager for upstream's tests: remembers a state dir and config files.

Upstream's test_process_manager.py loads configs into a ConfigManager and hands it to
process_manager(); here that only collects galaxyctl's --state-dir and --config-file options.
"""
import contextlib


class ConfigManager:
    def __init__(self, config_file=None, state_dir=None):
        self.state_dir = state_dir
        self.config_files = [str(config_file)] if config_file else []

    def load_config_file(self, config_file):
        self.config_files.append(str(config_file))

    def galaxyctl_args(self):
        """The global options that select this manager's state dir and configs."""
        args = ["--state-dir", str(self.state_dir)] if self.state_dir is not None else []
        for path in self.config_files:
            args += ["--config-file", path]
        return args


@contextlib.contextmanager
def config_manager(config_file=None, state_dir=None):
    yield ConfigManager(config_file=config_file, state_dir=state_dir)
