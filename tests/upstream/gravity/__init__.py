# SPDX-License-Identifier: MIT
"""A stand-in `gravity` package: upstream Gravity's tests drive our built galaxyctl through it."""
