# SPDX-License-Identifier: MIT
# Service-type modules, one per file, each built only against galaxyctl/plugin.h.
