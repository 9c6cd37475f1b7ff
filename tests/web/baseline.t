#!/usr/bin/env bash
# The baseline page in Debian's chromium (headless, playwright-core)
# against iiotd fed by the small cell: an engineer sees what was learned
# by kind, removes a pair, exports the baseline as JSON, imports a smaller
# one and the export back, is told where a bad file is wrong, and learns
# again from nothing; every change is in the audit log under the
# engineer's name.  Screenshots in build/test-output/web-baseline/.
. "$(dirname "$0")/../lib.sh"
. "$IIOT_TOP/tests/api/lib_api.sh"
[ -x /usr/bin/chromium ] || skip_all "chromium missing (scripts/deps.sh)"
[ -d "$IIOT_TOP/web/node_modules/playwright-core" ] || skip_all "web/node_modules missing (make)"
[ -x "$BIN/iiot-sim" ] || skip_all "iiot-sim not built"
ring=iiot-webbl$$
cleanup_push "rm -f /dev/shm/iiot/$ring /dev/shm/iiot/$ring.wake"
api_start "[capture]" "ring = $ring" "[ids]" "learn = 2s"
"$BIN/iiot-sim" "$IIOT_TOP/sim/scenarios/small-cell.conf" --ring "$ring" --duration 300 >"$D/sim.log" 2>&1 &
cleanup_push "kill $!"
engineer_account || exit 0
OUT=$BUILD/test-output/web-baseline
rm -rf "$OUT"
URL=$URL ENG_PW=$ENG_PW OUT=$OUT PROFILE=$D/chromium-profile WORK=$D \
	timeout 300 node "$IIOT_TOP/tests/web/baseline.mjs"
rc=$?
[ $rc -ne 0 ] && echo "# iiotd: $(tail -5 "$D/iiotd.log" | tr '\n' '|')"
exit $rc
