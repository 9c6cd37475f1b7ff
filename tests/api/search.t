#!/usr/bin/env bash
# GET /search against a real iiotd fed by the small cell: devices by MAC
# and label, signals by name and unit, any case; open alerts only for a
# role that may read them; a missing, long or control-character q is a
# 400; responses as docs/openapi.yaml says.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib_api.sh"
[ -x "$BIN/iiot-sim" ] || skip_all "iiot-sim not built"
ring=iiot-apisearch$$
cleanup_push "rm -f /dev/shm/iiot/$ring /dev/shm/iiot/$ring.wake"
api_start "[capture]" "ring = $ring" "[model]" "signals = $IIOT_TOP/etc/signals.map"
"$BIN/iiot-sim" "$IIOT_TOP/sim/scenarios/small-cell.conf" --ring "$ring" >"$D/sim.log" 2>&1 &
cleanup_push "kill $!"
T=(-H "Authorization: Bearer $(token t viewer)")
for i in $(seq 60); do
	req "$D/none" GET /devices "" "${T[@]}"
	[ "$(jf .total)" -ge 14 ] 2>/dev/null && break
	sleep 0.5
done

req "$D/none" GET "/search?q=00:0E:8C:10" "" "${T[@]}"
expect_eq "devices by MAC, any case: the 4 PROFINET devices" \
	"$CODE $(jf '[.devices[].kind] | join(",")')" "200 pn-device,pn-device,pn-device,pn-device"
lbl=$(jf '.devices[0].label')
req "$D/none" GET "/search?q=$lbl" "" "${T[@]}"
expect_eq "a device by its label" "$(jf '[.devices[].label] | index("'"$lbl"'") != null')" true
req "$D/none" GET "/search?q=AI_1" "" "${T[@]}"
expect_eq "signals by name, any case" "$(jf '[.signals[].name] | map(startswith("ai_1")) | all and length > 0')" true
req "$D/none" GET "/search?q=mbar" "" "${T[@]}"
expect_eq "signals by unit" "$(jf '[.signals[].unit] | unique | join(",")')" "mbar"
req "$D/none" GET "/search?q=nothing-is-called-this" "" "${T[@]}"
expect_eq "no match: three empty lists" "$(jf '[.devices, .signals, .alerts] | map(length) | add')" 0
req "$D/none" GET "/search" "" "${T[@]}"
expect_eq "no q: 400" "$CODE" 400
req "$D/none" GET "/search?q=" "" "${T[@]}"
expect_eq "an empty q: 400" "$CODE" 400
req "$D/none" GET "/search?q=$(printf 'x%.0s' $(seq 65))" "" "${T[@]}"
expect_eq "a q of 65 characters: 400" "$CODE" 400
req "$D/none" GET "/search?q=a%07b" "" "${T[@]}"
expect_eq "a control character: 400" "$CODE" 400
openapi_check
echo "1..$_tap_n"
