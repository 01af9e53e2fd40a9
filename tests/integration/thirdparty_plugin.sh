#!/bin/bash
# SPDX-License-Identifier: MIT
# A third-party service plugin (tests/plugins/flower) built out of tree against the installed header
# alone, loaded from $GRAVITY_PLUGIN_PATH, configured from its own section, shown by show and exec.
set -euo pipefail

. "${GX_TOP_SRCDIR:-$(dirname "$0")/../..}/tests/integration/lib.sh"

cc=${CC_FOR_PLUGIN:-cc}
if ! command -v "$cc" >/dev/null || ! command -v make >/dev/null; then
	echo "SKIP: no C compiler ($cc) or make to build the plugin with"
	exit 77
fi

make_work thirdparty

# ---- build: plain make, an include dir holding nothing but the installed header
mkdir -p "$work/include/galaxyctl" "$work/plugins"
cp "$top_srcdir/include/galaxyctl/plugin.h" "$work/include/galaxyctl/plugin.h"
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -f "$top_srcdir/tests/plugins/flower/Makefile" CC="$cc" \
	GALAXYCTL_INCLUDE="$work/include" OUT="$work/plugins/flower.so" ||
	fail "the flower plugin does not build against galaxyctl/plugin.h alone"
exported=$(nm -D --defined-only "$work/plugins/flower.so" | awk '{ print $3 }')
[ "$exported" = gx_module ] || fail "flower.so exports: $exported"
ok "flower.so built out of tree against the installed header; it exports gx_module alone"

# ---- a stand-in Galaxy whose galaxy.yml has a flower: section
make_standin
cat >"$cfg" <<EOF
gravity:
  virtualenv: $root/venv
  flower:
    enable: true
    address: 127.0.0.1
    port: 5556
    extra_args: --persistent=True --broker_api 'http://guest:guest@localhost:15672/api/'
    start_timeout: 20
    environment:
      FLOWER_UNAUTHENTICATED_API: "true"
galaxy:
  brand: flower test
EOF
gx() { GRAVITY_PLUGIN_PATH=$work/plugins "$galaxyctl" -c "$cfg" "$@"; }

# ---- show: the service and its effective settings (defaults filled in by the core)
gx show --details >"$work/show.json" 2>"$work/show.err" || fail "show: $(cat "$work/show.err")"
grep -q "warning" "$work/show.err" && fail "show warned: $(cat "$work/show.err")"
/usr/bin/python3 - "$work/show.json" <<'PY' || fail "show --details: $(cat "$work/show.json")"
import json, sys
data = json.load(open(sys.argv[1]))
svc = [s for s in data["services"] if s["service_name"] == "flower"]
assert svc == [{"service_name": "flower", "service_type": "flower", "processes": 1,
                "service_instances": False}], svc
flower = data["settings"]["flower"]
want = {"enable": True, "address": "127.0.0.1", "port": 5556, "url_prefix": None,
        "extra_args": "--persistent=True --broker_api 'http://guest:guest@localhost:15672/api/'",
        "umask": None, "start_timeout": 20, "stop_timeout": 10, "memory_limit": None,
        "memory_high": None, "environment": {"FLOWER_UNAUTHENTICATED_API": "true"}}
assert flower == want, flower
PY
gx show | grep_q '^    "process_manager": ' || fail "show prints no upstream JSON"
ok "show lists the flower service and its settings"

# ---- exec --no-exec: the plugin's command and environment
out=$(gx exec --no-exec flower 2>&1) || fail "exec --no-exec flower: $out"
echo "$out"
[ "$(sed -n 1p <<<"$out")" = "Working directory: $root" ] || fail "working directory line: $out"
line=$(sed -n 2p <<<"$out")
case "$line" in
"Executing: PYTHONPATH=lib GALAXY_CONFIG_FILE=$cfg VIRTUAL_ENV=$root/venv PATH=$root/venv/bin:"*) ;;
*) fail "environment part of: $line" ;;
esac
case "$line" in
*" FLOWER_UNAUTHENTICATED_API=true $root/venv/bin/celery --app galaxy.celery flower --address=127.0.0.1 --port=5556 --persistent=True --broker_api http://guest:guest@localhost:15672/api/") ;;
*) fail "command part of: $line" ;;
esac
ok "exec --no-exec flower prints the plugin's command"

# ---- the plugin's option table is enforced by the core, with locations
sed 's|^    port: 5556$|    port: lots|' "$cfg" >"$root/config/bad.yml"
rc=0
out=$(GRAVITY_PLUGIN_PATH=$work/plugins "$galaxyctl" -c "$root/config/bad.yml" show 2>&1) || rc=$?
[ "$rc" = 3 ] || fail "bad port: exit $rc, want 3: $out"
case "$out" in
*"$root/config/bad.yml:6:11: error: gravity.flower.port: expected an integer, got"*) ;;
*) fail "bad port: $out" ;;
esac
ok "a wrong value in the flower section is refused with file:line"

# ---- without the plugin path, flower is unknown
out=$("$galaxyctl" -c "$cfg" show 2>&1 >/dev/null) || fail "show without the plugin: $out"
case "$out" in
*"warning: Unknown option 'gravity.flower'"*) ;;
*) fail "show without the plugin: $out" ;;
esac
rc=0
out=$("$galaxyctl" -c "$cfg" exec --no-exec flower 2>&1) || rc=$?
[ "$rc" != 0 ] || fail "exec flower worked without the plugin"
ok "without \$GRAVITY_PLUGIN_PATH the flower section is an unknown option"
