#!/usr/bin/env bash
# The web UI in Debian's chromium (headless, playwright-core) against a real
# iiotd on a simulated line; screenshots in build/test-output/web/.
. "$(dirname "$0")/../lib.sh"
. "$IIOT_TOP/tests/api/lib_api.sh"
[ -x /usr/bin/chromium ] || skip_all "chromium missing (scripts/deps.sh)"
[ -d "$IIOT_TOP/web/node_modules/playwright-core" ] || skip_all "web/node_modules missing (make)"
[ -x "$BIN/iiot-sim" ] || skip_all "iiot-sim not built"
ring=iiot-webt$$
# before api_start: cleanups run last-in first-out, so this runs after
# iiotd has stopped and can no longer recreate the wake FIFO
cleanup_push "rm -f /dev/shm/iiot/$ring /dev/shm/iiot/$ring.wake"
# the small cell's signals, and one digital input bit (drawn as 0/1 steps)
map=$(mktemp /tmp/iiot-webt-map.XXXXXX)
chmod 644 "$map"	# iiotd reads it after dropping root
cleanup_push "rm -f $map"
{ cat "$IIOT_TOP/etc/signals.map"; echo "di_1_bit0     ecat            0x10000  bit0"; } >"$map"
api_start "[capture]" "ring = $ring" "[model]" "signals = $map"
"$BIN/iiot-sim" "$IIOT_TOP/sim/scenarios/small-cell.conf" --ring "$ring" >"$D/sim.log" 2>&1 &
SIM_PID=$!
cleanup_push "kill $SIM_PID"
# the browser test stops and restarts iiotd and the simulator itself: the
# restarted iiotd (its pid in the state lock) idles sessions out in 6 s
sed '/^\[api\]$/a session_idle = 6s' "$D/iiotd.conf" >"$D/iiotd-idle.conf"
cleanup_push "kill \$(cat $D/iiotd.lock) \$(cat $D/sim2.pid)"
OUT=$BUILD/test-output/web
rm -rf "$OUT"
URL=$URL ADMIN_PW=$ADMIN_PW OUT=$OUT PROFILE=$D/chromium-profile D=$D \
	IIOTD_PID=$IIOTD_PID IIOTD_BIN=$IIOTD IIOTD_CONF2=$D/iiotd-idle.conf \
	SIM_PID=$SIM_PID SIM_BIN=$BIN/iiot-sim SIM_SCENARIO=$IIOT_TOP/sim/scenarios/small-cell.conf RING=$ring \
	timeout 400 node "$IIOT_TOP/tests/web/ui.mjs"
rc=$?
if [ $rc -ne 0 ]; then
	echo "# iiotd: $(tail -5 "$D/iiotd.log" | tr '\n' '|')"
	echo "# iiot-sim: $(tail -3 "$D/sim.log" | tr '\n' '|')"
	echo "# rings: $("$BIN/iiotctl" rings "$ring" 2>&1 | tail -1)"
fi
n=$(ls "$OUT"/*.png 2>/dev/null | wc -l)
[ "$n" -ge 10 ] && echo "ok 100 - $n screenshots in ${OUT#"$IIOT_TOP"/}" || echo "not ok 100 - screenshots ($n)"
exit $rc
