#!/bin/bash
# SPDX-License-Identifier: MIT
# Runs every unit test program under valgrind and fails on any memory error or
# definite leak.  Criterion hides valgrind's exit code, so the logs are read.
set -uo pipefail
command -v valgrind >/dev/null || { echo "valgrind not installed"; exit 77; }
[ -n "${GX_UNIT_TESTS:-}" ] || { echo "GX_UNIT_TESTS is empty"; exit 77; }
cd "$GX_TOP_BUILDDIR"
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
status=0
for t in $GX_UNIT_TESTS; do
	name=$(echo "$t" | tr / _)
	./libtool --mode=execute valgrind -q --trace-children=yes \
		--trace-children-skip='*python*,/bin/*,/usr/bin/*,*/venv/bin/*,*.sh' \
		--leak-check=full --errors-for-leak-kinds=definite --show-leak-kinds=definite \
		--log-file="$logs/$name.%p" "./$t" >"$logs/$name.out" 2>&1
	if grep -lE 'ERROR SUMMARY: [1-9]|definitely lost: [1-9]' "$logs/$name".[0-9]* >/dev/null 2>&1; then
		echo "FAIL: $t"
		grep -hE -B2 -A20 'Invalid|uninitialised|definitely lost' "$logs/$name".[0-9]* | head -60
		status=1
	else
		echo "ok: $t"
	fi
done
exit $status
