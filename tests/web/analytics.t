#!/usr/bin/env bash
# The OEE board, the rule editor and the anomaly band in Debian's chromium
# (headless, playwright-core) against iiotd fed by the simulator's machine
# (tests/analytics/machine.conf): an engineer sees the machine banded,
# gives a stop its reason, sees it in the Pareto; builds rules in the
# form, each error shown beside its field (an expression's column marked),
# saves, changes, rolls back and deletes one, in English and Chinese; an
# admin sees the rule's audit rows (refusals too); the trend
# chart shades a signal's band; the Reports page lists a shift report
# made on schedule (a shift ends 40 s after the start) and one made from
# the page, opens the printable page and offers the download.
# Screenshots in build/test-output/web-analytics/.
. "$(dirname "$0")/../lib.sh"
. "$IIOT_TOP/tests/api/lib_api.sh"
. "$IIOT_TOP/tests/analytics/shortshift.sh"
[ -x /usr/bin/chromium ] || skip_all "chromium missing (scripts/deps.sh)"
[ -d "$IIOT_TOP/web/node_modules/playwright-core" ] || skip_all "web/node_modules missing (make)"
[ -x "$BIN/iiot-sim" ] || skip_all "iiot-sim not built"
ring=iiot-webox$$
cleanup_push "rm -f /dev/shm/iiot/$ring /dev/shm/iiot/$ring.wake"
cfg=$(mktemp -d /tmp/iiot-webox.XXXXXX)
chmod 755 "$cfg"
cleanup_push "rm -rf $cfg"
cp "$IIOT_TOP/tests/analytics/machine.map" "$IIOT_TOP/tests/analytics/machine.oee" "$cfg/"
short_shifts "$cfg/machine.oee" 40
chmod 644 "$cfg"/*
api_start "[capture]" "ring = $ring" "[model]" "signals = $cfg/machine.map" \
	"[analytics]" "oee = $cfg/machine.oee"
"$BIN/iiot-sim" "$IIOT_TOP/tests/analytics/machine.conf" --ring "$ring" --duration 240 >"$D/sim.log" 2>&1 &
cleanup_push "kill $!"
engineer_account || exit 0
OUT=$BUILD/test-output/web-analytics
rm -rf "$OUT"
URL=$URL ENG_PW=$ENG_PW ADMIN_PW="plant supervisor 2026" ADMIN_CODE=${RECOVERY[0]} OUT=$OUT PROFILE=$D/chromium-profile \
	timeout 300 node "$IIOT_TOP/tests/web/analytics.mjs"
rc=$?
[ $rc -ne 0 ] && echo "# iiotd: $(tail -5 "$D/iiotd.log" | tr '\n' '|')"
exit $rc
