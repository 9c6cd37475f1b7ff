#!/usr/bin/env bash
# PROFINET signals from a GSDML and the connect request
# (docs/descriptions.md) on a live simulated line: iiotd, without a
# mapping file, holding iiot's own GSDML of the simulated ET 200SP, drains
# iiot-sim's small cell, whose controller connects to each station at the
# start of its AR as a real one does (sim/pn_connect.c: the modules of the
# scenario's [profinet-module] sections, their ident numbers and input
# offsets; the station's own input FrameID in the response).  Each station
# then has the GSDML's signals on its FrameID, and every PROFINET signal of
# the hand-written etc/signals.map is among them at its offset with its
# type.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib_api.sh"
[ -x "$BIN/iiot-sim" ] || skip_all "iiot-sim not built"
command -v jq >/dev/null || skip_all "jq not installed"
SC=$IIOT_TOP/sim/scenarios/small-cell.conf
ring=iiot-apipnsig$$
cleanup_push "rm -f /dev/shm/iiot/$ring /dev/shm/iiot/$ring.wake"
api_start "[capture]" "ring = $ring"
EN=(-H "Authorization: Bearer $(token en engineer)")
VW=(-H "Authorization: Bearer $(token vw viewer)")

# the simulator's connects, as the decoder reads them (tshark agrees:
# tests/decode compares pn_io's fields)
"$BIN/iiot-sim" "$SC" --out "$D/cell.pcap" --duration 1 >/dev/null 2>&1 || fail "iiot-sim small cell"
expect_eq "the simulator's connect requests decode with their ident numbers" \
	"$("$BIN/iiotctl" decode "$D/cell.pcap" | jq -c 'select(.cm.expected) | [.dst, [.cm.expected[] | select(.[4] > 0) | .[2]]]' | tr '\n' ' ')" \
	'["00:0e:8c:10:00:01",[257]] ["00:0e:8c:10:00:02",[258]] ["00:0e:8c:10:00:03",[259,260]] ["00:0e:8c:10:00:04",[261]] '
expect_eq "each OK response names the station's input FrameID" \
	"$("$BIN/iiotctl" decode "$D/cell.pcap" | jq -r 'select(.cm.rpc_type == 2) | "\(.src) \(.cm.iocr[0].frame_id)"' | tr '\n' ' ')" \
	"00:0e:8c:10:00:01 49153 00:0e:8c:10:00:02 49155 00:0e:8c:10:00:03 49157 00:0e:8c:10:00:04 49159 "

jq -Rs '{file: "sim-et200sp.gsdml.xml", xml: .}' "$IIOT_TOP/etc/descriptions/sim-et200sp.gsdml.xml" >"$D/g.json"
req "$D/none" POST /descriptions "@$D/g.json" "${EN[@]}"
expect_eq "the GSDML imports" "$CODE" 201

# the live line: its ARs start once iiotd drains the ring
"$BIN/iiot-sim" "$SC" --ring "$ring" >"$D/sim.log" 2>&1 &
sp=$!
cleanup_push "kill $sp"
for i in $(seq 240); do
	req "$D/none" GET /signals "" "${VW[@]}"
	[ "$(jf '[.signals[] | select(.device | test("^pn:et200sp-[1-4]@0xc00[1357]$"))] | length')" -ge 6 ] && break
	sleep 0.25
done
jf '[.signals[] | "\(.device) \(.offset) \(.type) \(.name)"] | .[]' >"$D/imported"
hand=$(grep -v '^#' "$IIOT_TOP/etc/signals.map" | awk '$2 ~ /^pn:/ { print $2, $3, $4 }')
missing=
while read -r dev off type; do
	# et200sp-N sends its inputs on FrameID 0xc001 + 2 (N - 1)
	n=${dev##*-}
	fid=$(printf '0x%04x' $((0xc001 + 2 * (n - 1))))
	grep -q "^$dev@$fid $((off)) $type " "$D/imported" || missing="$missing $dev@$fid:$off:$type"
done <<<"$hand"
expect_eq "every hand-written PROFINET signal comes from the GSDML and the simulator's connect" \
	"$(echo "$hand" | wc -l) missing:$missing" "6 missing:"
expect_eq "named as the GSDML names the data" \
	"$(awk '$1 == "pn:et200sp-1@0xc001" { print $4 }' "$D/imported")" "et200sp-1.Temperature"
kill $sp 2>/dev/null
wait $sp 2>/dev/null
openapi_check
echo "1..$_tap_n"
