#!/usr/bin/env bash
# The alert console in Debian's chromium (headless, playwright-core): an
# operator sees the faulty line's DCP Set from a stranger in the list and
# the header counts, and the blocks section saying iiot cannot block (tap
# mode); acknowledges it and shelves it with a comment, opens its detail
# and downloads the evidence pcap; a slave behind a failing cable charts its
# port errors from the store.  Screenshots in
# build/test-output/web-alerts/.
. "$(dirname "$0")/../lib.sh"
. "$IIOT_TOP/tests/api/lib_api.sh"
[ -x /usr/bin/chromium ] || skip_all "chromium missing (scripts/deps.sh)"
[ -d "$IIOT_TOP/web/node_modules/playwright-core" ] || skip_all "web/node_modules missing (make)"
[ -x "$BIN/iiot-sim" ] || skip_all "iiot-sim not built"
ring=iiot-webal$$
cleanup_push "rm -f /dev/shm/iiot/$ring /dev/shm/iiot/$ring.wake"
api_start "[capture]" "ring = $ring"
# then the degrading line, whose slave behind a failing cable has its port
# errors charted
{ "$BIN/iiot-sim" "$IIOT_TOP/sim/scenarios/faulty-line.conf" --ring "$ring" --duration 4 &&
	"$BIN/iiot-sim" "$IIOT_TOP/sim/scenarios/degrading-line.conf" --ring "$ring" --duration 6; } >"$D/sim.log" 2>&1 &
cleanup_push "kill $!"
A=$D/admin
admin_enrol "$A" "plant supervisor 2026" || { fail "admin enrolment"; exit 0; }
req "$A" POST /users '{"name":"op1","role":"operator"}'
pw=$(jf .one_time_password)
[ -n "$pw" ] || { fail "operator account" "$BODY"; exit 0; }
OUT=$BUILD/test-output/web-alerts
rm -rf "$OUT"
URL=$URL OP_PW=$pw OUT=$OUT PROFILE=$D/chromium-profile \
	SIM=$BIN/iiot-sim RAMP=$IIOT_TOP/sim/scenarios/cable-ramp.conf RING=$ring \
	timeout 300 node "$IIOT_TOP/tests/web/alerts.mjs"
rc=$?
[ $rc -ne 0 ] && echo "# iiotd: $(tail -5 "$D/iiotd.log" | tr '\n' '|')"
exit $rc
