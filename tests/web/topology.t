#!/usr/bin/env bash
# The drawn topology in Debian's chromium (headless, playwright-core)
# against iiotd fed by the large line (4 EtherCAT masters with 200 slaves,
# 4 PROFINET controllers with 60 devices): every device is a node of the
# SVG, the chains are cabled in ring order, the PROFINET switches LLDP
# names are drawn, nodes say their state in words, the keyboard walks the
# drawing and Enter opens a device, renamed there by keyboard and its
# alias shown in the list, the search and the drawing; the descriptions
# page imports etc/descriptions/ (picker and drop), shows one, names the
# line of bad XML and removes one; the page in zh-CN.  Screenshots in
# build/test-output/web-topology/ (01-topology.png: the whole line).
. "$(dirname "$0")/../lib.sh"
. "$IIOT_TOP/tests/api/lib_api.sh"
[ -x /usr/bin/chromium ] || skip_all "chromium missing (scripts/deps.sh)"
[ -d "$IIOT_TOP/web/node_modules/playwright-core" ] || skip_all "web/node_modules missing (make)"
[ -x "$BIN/iiot-sim" ] || skip_all "iiot-sim not built"
ring=iiot-webtopo$$
cleanup_push "rm -f /dev/shm/iiot/$ring /dev/shm/iiot/$ring.wake"
api_start "[capture]" "ring = $ring"
"$BIN/iiot-sim" "$IIOT_TOP/sim/scenarios/large-line.conf" --ring "$ring" --duration 300 >"$D/sim.log" 2>&1 &
cleanup_push "kill $!"
engineer_account || exit 0
OUT=$BUILD/test-output/web-topology
rm -rf "$OUT"
URL=$URL ENG_PW=$ENG_PW OUT=$OUT PROFILE=$D/chromium-profile IIOT_TOP=$IIOT_TOP \
	timeout 300 node "$IIOT_TOP/tests/web/topology.mjs"
rc=$?
[ $rc -ne 0 ] && echo "# iiotd: $(tail -5 "$D/iiotd.log" | tr '\n' '|')"
exit $rc
