#!/usr/bin/env bash
# Fleet mode in Debian's chromium (headless, playwright-core): a platform
# iiotd ([fleet], no PostgreSQL) on a real mosquitto with two edge iiotd
# on two simulated lines, the second with Sparkplug ids beyond
# [A-Za-z0-9._-] (group "Werk Süd 2", edge node "IPC 2 Straße:α").  The
# top bar's site selector lists both sites; choosing one opens its page
# with its IPC online; the IPC's devices are those the API lists (its
# routes open such ids percent-encoded; an id MQTT forbids, '+', is a
# 400); the page in zh-CN.  Screenshots in
# build/test-output/web-fleet/.
. "$(dirname "$0")/../north/lib_fleet.sh"
. "$IIOT_TOP/tests/api/lib_api.sh"
[ -x /usr/bin/chromium ] || skip_all "chromium missing (scripts/deps.sh)"
[ -d "$IIOT_TOP/web/node_modules/playwright-core" ] || skip_all "web/node_modules missing (make)"
north_setup
broker_start a || { fail "mosquitto starts"; exit 0; }
api_start "[capture]" "ring = $RING_PREFIX-p" "[fleet]" "broker = mqtt://127.0.0.1:$PORT_a" "host_id = web"
edge_start 1 small-cell "devices = all" || fail "edge 1 starts"
EDGE_GROUP="Werk Süd 2" EDGE_NODE="IPC 2 Straße:α" edge_start 2 dc-drift "devices = all" ||
	fail "edge 2 starts"
engineer_account || exit 0
OUT=$BUILD/test-output/web-fleet
rm -rf "$OUT"
URL=$URL ENG_PW=$ENG_PW OUT=$OUT PROFILE=$D/chromium-profile \
	timeout 300 node "$IIOT_TOP/tests/web/fleet.mjs"
rc=$?
[ $rc -ne 0 ] && echo "# iiotd: $(tail -5 "$D/iiotd.log" | tr '\n' '|')"
exit $rc
