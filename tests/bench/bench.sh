#!/bin/sh
# SPDX-License-Identifier: MIT
# make bench: median wall time of `galaxyctl show` on the docs' example config
# beside /bin/true, measured in the same hyperfine run.
set -eu
builddir=${1:?builddir}
srcdir=${2:?srcdir}
command -v hyperfine >/dev/null || { echo "bench: hyperfine is needed (apt-get install hyperfine)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$srcdir/tests/fixtures/galaxy-standin/make-standin.sh" "$tmp/root" >/dev/null
cp "$srcdir/tests/fixtures/demo/docs-example.yml" "$tmp/root/config/galaxy.yml"
export GRAVITY_SKIP_SYSTEMD=1
"$builddir/galaxyctl" -c "$tmp/root/config/galaxy.yml" show >/dev/null
hyperfine -N --warmup 20 --runs 500 --export-json "$tmp/bench.json" \
	"$builddir/galaxyctl -c $tmp/root/config/galaxy.yml show" /bin/true >/dev/null 2>&1
python3 - "$tmp/bench.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
show, true = (x["median"] * 1000 for x in r)
print(f"galaxyctl show (docs example): median {show:.3f} ms")
print(f"/bin/true:                     median {true:.3f} ms")
print(f"difference:                    {show - true:.3f} ms")
PY

# The supervisor backend: status and a no-change update against a running supervisord.
"$srcdir/tests/bench/supervisor.sh" "$builddir" "$srcdir"
