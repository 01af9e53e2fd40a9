# SPDX-License-Identifier: MIT
"""gravity.settings for upstream's tests: the one constant they read."""

# The minimum gx-it-proxy version that Gravity 1.2.3 (and galaxyctl) put in the npx command.
GX_IT_PROXY_MIN_VERSION = "0.0.6"
