# SPDX-License-Identifier: MIT
"""gravity.process_manager.supervisor for upstream's tests: only what test_process_manager imports."""


def supervisor_program_names(*args, **kwargs):
    # An upstream Python internal with no galaxyctl equivalent; its test is not applicable
    # (tests/upstream/not-applicable.txt) and never calls this.
    raise NotImplementedError("supervisor_program_names is internal to upstream Gravity")
