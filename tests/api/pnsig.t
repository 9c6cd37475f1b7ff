#!/usr/bin/env bash
# PROFINET signals from a GSDML and the connect request
# (docs/descriptions.md): iiotd, without a mapping file, holding iiot's
# own GSDML of the simulated ET 200SP, is fed the small cell with each
# station's connect request and its OK response (tests/desc/mkcr.py: the
# slots' module and submodule ident numbers, the input data objects'
# frame offsets, FrameID 0xc001 from the response).  Each station then
# has the GSDML's signals on that FrameID, and every PROFINET signal of
# the hand-written etc/signals.map is among them at its offset with its
# type.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib_api.sh"
[ -x "$BIN/iiot-sim" ] || skip_all "iiot-sim not built"
[ -x "$BIN/iiot-replay" ] || skip_all "iiot-replay not built"
command -v jq >/dev/null || skip_all "jq not installed"
ring=iiot-apipnsig$$
cleanup_push "rm -f /dev/shm/iiot/$ring /dev/shm/iiot/$ring.wake"
api_start "[capture]" "ring = $ring"
EN=(-H "Authorization: Bearer $(token en engineer)")
VW=(-H "Authorization: Bearer $(token vw viewer)")

"$BIN/iiot-sim" "$IIOT_TOP/sim/scenarios/small-cell.conf" --out "$D/cell.pcap" --duration 4 >/dev/null 2>&1 ||
	fail "iiot-sim small cell"
python3 "$IIOT_TOP/tests/desc/mkcr.py" "$D/cell.pcap" "$D/cr.pcap" || fail "mkcr.py"
expect_eq "the connect requests decode with their ident numbers" \
	"$("$BIN/iiotctl" decode "$D/cr.pcap" | jq -c 'select(.cm.expected) | [.dst, [.cm.expected[] | select(.[4] > 0) | .[2]]]' | tr '\n' ' ')" \
	'["00:0e:8c:10:00:01",[257]] ["00:0e:8c:10:00:02",[258]] ["00:0e:8c:10:00:03",[259,260]] ["00:0e:8c:10:00:04",[261]] '

jq -Rs '{file: "sim-et200sp.gsdml.xml", xml: .}' "$IIOT_TOP/etc/descriptions/sim-et200sp.gsdml.xml" >"$D/g.json"
req "$D/none" POST /descriptions "@$D/g.json" "${EN[@]}"
expect_eq "the GSDML imports" "$CODE" 201

"$BIN/iiot-replay" --ring "$ring" "$D/cr.pcap" >"$D/replay.log" 2>&1 &
rp=$!
cleanup_push "kill $rp"
for i in $(seq 120); do
	req "$D/none" GET /signals "" "${VW[@]}"
	[ "$(jf '[.signals[] | select(.device | test("@0xc001$"))] | length')" -ge 6 ] && break
	sleep 0.25
done
jf '[.signals[] | "\(.device) \(.offset) \(.type) \(.name)"] | .[]' >"$D/imported"
hand=$(grep -v '^#' "$IIOT_TOP/etc/signals.map" | awk '$2 ~ /^pn:/ { print $2, $3, $4 }')
missing=
while read -r dev off type; do
	grep -q "^$dev@0xc001 $((off)) $type " "$D/imported" || missing="$missing $dev:$off:$type"
done <<<"$hand"
expect_eq "every hand-written PROFINET signal comes from the GSDML and the connect request" \
	"$(echo "$hand" | wc -l) missing:$missing" "6 missing:"
expect_eq "named as the GSDML names the data" \
	"$(awk '$1 == "pn:et200sp-1@0xc001" { print $4 }' "$D/imported")" "et200sp-1.Temperature"
kill $rp 2>/dev/null
wait $rp 2>/dev/null
openapi_check
echo "1..$_tap_n"
