# SPDX-License-Identifier: MIT
"""gravity.state for upstream's tests: the one constant they read."""

# celery-beat's schedule file in the state dir, as Gravity 1.2.3 (and galaxyctl) name it.
CELERY_BEAT_DB_FILENAME = "celerybeat-schedule"
