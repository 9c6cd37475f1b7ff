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
api_start "[capture]" "ring = $ring" "[model]" "signals = $IIOT_TOP/etc/signals.map"
"$BIN/iiot-sim" "$IIOT_TOP/sim/scenarios/small-cell.conf" --ring "$ring" >"$D/sim.log" 2>&1 &
cleanup_push "kill $!"
OUT=$BUILD/test-output/web
rm -rf "$OUT"
URL=$URL ADMIN_PW=$ADMIN_PW OUT=$OUT PROFILE=$D/chromium-profile \
	timeout 300 node "$IIOT_TOP/tests/web/ui.mjs"
rc=$?
if [ $rc -ne 0 ]; then
	echo "# iiotd: $(tail -5 "$D/iiotd.log" | tr '\n' '|')"
	echo "# iiot-sim: $(tail -3 "$D/sim.log" | tr '\n' '|')"
	echo "# rings: $("$BIN/iiotctl" rings "$ring" 2>&1 | tail -1)"
fi
n=$(ls "$OUT"/*.png 2>/dev/null | wc -l)
[ "$n" -ge 10 ] && echo "ok 100 - $n screenshots in ${OUT#"$IIOT_TOP"/}" || echo "not ok 100 - screenshots ($n)"
exit $rc
