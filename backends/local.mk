# SPDX-License-Identifier: MIT
# Backend modules, one per file.
