# SPDX-License-Identifier: MIT
# Where a direct manager keeps its own files (backends/direct/proto.h), for the tests that look.
# shellcheck shell=bash

# own_dir STATE_DIR: <STATE_DIR>/direct, or as root /run/galaxyctl/<FNV-1a 64, in 16 hex digits,
# of the state dir's path with its existing part resolved>.
own_dir() {
	if [ "$(id -u)" != 0 ]; then
		echo "$1/direct"
		return
	fi
	/usr/bin/python3 -c '
import os, sys
h = 0xcbf29ce484222325
for b in os.path.realpath(sys.argv[1]).encode():
    h = ((h ^ b) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
print("/run/galaxyctl/%016x" % h)' "$1"
}
