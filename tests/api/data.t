#!/usr/bin/env bash
# The data routes against a real iiotd fed by the line simulator: device
# inventory and filters, detail with chain and links, signals and samples
# with rollups, history, capture status, lifecycle changes; responses
# checked against docs/openapi.yaml.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib_api.sh"
[ -x "$BIN/iiot-sim" ] || skip_all "iiot-sim not built"
ring=iiot-apidata$$
# before api_start: cleanups run last-in first-out, so this runs after
# iiotd has stopped and can no longer recreate the wake FIFO
cleanup_push "rm -f /dev/shm/iiot/$ring /dev/shm/iiot/$ring.wake"
api_start "[capture]" "ring = $ring" "[model]" "signals = $IIOT_TOP/etc/signals.map"
"$BIN/iiot-sim" "$IIOT_TOP/sim/scenarios/small-cell.conf" --ring "$ring" >"$D/sim.log" 2>&1 &
cleanup_push "kill $!"

# machine access: an engineer token, stored the way iiotd stores tokens
T=(-H "Authorization: Bearer $(token t engineer)")
for i in $(seq 60); do
	req "$D/none" GET /devices "" "${T[@]}"
	[ "$(jf .total)" -ge 14 ] 2>/dev/null && break
	sleep 0.5
done
expect_eq "small-cell: 14 devices" "$(jf .total)" 14
sleep 3	# a few seconds of samples and rollups

req "$D/none" GET "/devices?kind=ecat-slave" "" "${T[@]}"
expect_eq "filter by kind" "$(jf '.devices | length') $(jf '[.devices[].kind] | unique | join(",")')" "8 ecat-slave"
req "$D/none" GET "/devices?state=online" "" "${T[@]}"
expect_eq "filter by state" "$(jf .total)" 14
req "$D/none" GET "/devices?q=NOSUCHDEVICE" "" "${T[@]}"
expect_eq "search with no match" "$(jf .total)" 0
req "$D/none" GET "/devices?kind=pn-device" "" "${T[@]}"
st=$(jf '.devices[0].station_name')
req "$D/none" GET "/devices?q=$st" "" "${T[@]}"
expect_eq "search by station name" "$(jf '.devices[0].station_name')" "$st"
req "$D/none" GET "/devices?state=sideways" "" "${T[@]}"
expect_eq "bad filter: 400" "$CODE" 400
req "$D/none" GET "/devices?limit=0" "" "${T[@]}"
expect_eq "bad limit: 400" "$CODE" 400

# paging, sorting by every column, search by every identifier, CSV
req "$D/none" GET "/devices?sort=id&offset=5&limit=4" "" "${T[@]}"
expect_eq "a page: 4 rows from the 6th, total of all" "$(jf '[.devices[].id] | join(",")') $(jf .total) $(jf .offset) $(jf .limit)" "6,7,8,9 14 5 4"
req "$D/none" GET "/devices?offset=100" "" "${T[@]}"
expect_eq "a page past the end is empty, total still counts" "$(jf '.devices | length') $(jf .total)" "0 14"
for col in id label kind lifecycle online frames errors mac ip station_name station_addr ring_pos parent \
	vendor_id product_code device_id first_seen_ns last_seen_ns; do
	bad=
	for dir in "" -; do
		req "$D/none" GET "/devices?sort=$dir$col" "" "${T[@]}"
		[ "$CODE" = 200 ] && [ "$(jf .sort)" = "$dir$col" ] || { bad="$dir$col: $CODE $(jf .sort)"; break; }
		# present values in order, strings without case (missing ones last)
		ok=$(jq --arg c "$col" --arg d "$dir" '[.devices[] | select(has($c)) | .[$c] |
			if type == "string" then ascii_downcase else . end] |
			. == (if $d == "-" then sort | reverse else sort end)' "$D/out")
		[ "$ok" = true ] || { bad="$dir$col out of order: $(jq -c --arg c "$col" '[.devices[] | .[$c]]' "$D/out")"; break; }
		[ "$(jq --arg c "$col" '[.devices[] | has($c)] | . == (sort | reverse)' "$D/out")" = true ] ||
			{ bad="$dir$col: missing values not last"; break; }
	done
	[ -z "$bad" ] || break
done
[ -z "$bad" ] && ok "sorted by each of 18 columns, both ways" || fail "sort by every column" "$bad"
req "$D/none" GET "/devices?sort=password" "" "${T[@]}"
expect_eq "sort by an unknown column: 400" "$CODE" 400
req "$D/none" GET "/devices?kind=ecat-slave&sort=station_addr" "" "${T[@]}"
sa=$(jf '.devices[1].station_addr'); sid=$(jf '.devices[1].id')
req "$D/none" GET "/devices?q=$(printf '0x%04x' "$sa")" "" "${T[@]}"
expect_eq "search by station address in hex" "$(jf '[.devices[].id] | index('"$sid"') != null')" true
req "$D/none" GET "/devices?kind=pn-device" "" "${T[@]}"
ip=$(jf '.devices[0].ip'); mac=$(jf '.devices[0].mac'); vid=$(jf '.devices[0].vendor_id'); pid=$(jf '.devices[0].id')
req "$D/none" GET "/devices?q=$ip" "" "${T[@]}"
expect_eq "search by IP" "$(jf '[.devices[].id] | index('"$pid"') != null')" true
req "$D/none" GET "/devices?q=$(echo "$mac" | tr a-f A-F)" "" "${T[@]}"
expect_eq "search by MAC, any case" "$(jf '[.devices[].id] | index('"$pid"') != null')" true
req "$D/none" GET "/devices?q=$(printf '0x%08x' "$vid")" "" "${T[@]}"
expect_eq "search by vendor ID" "$(jf '[.devices[].id] | index('"$pid"') != null')" true
req "$D/none" GET "/devices?kind=ecat-master" "" "${T[@]}"
m=$(jf '.devices[0].id')
req "$D/none" GET "/devices?parent=$m" "" "${T[@]}"
expect_eq "filter by master: its 8 slaves" "$(jf .total) $(jf '[.devices[].parent] | unique | join(",")')" "8 $m"
code=$(curl -sk -D "$D/csvh" -o "$D/devices.csv" -w '%{http_code}' "${T[@]}" "$URL/api/v1/devices?format=csv&kind=ecat-slave&sort=-ring_pos")
expect_eq "CSV export" "$code $(grep -ci '^content-type: text/csv' "$D/csvh") $(grep -ci 'content-disposition: attachment' "$D/csvh")" "200 1 1"
expect_eq "CSV: a header and the 8 slaves" "$(wc -l <"$D/devices.csv") $(head -1 "$D/devices.csv" | cut -d, -f1-4)" "9 id,label,kind,lifecycle"
req "$D/none" GET "/devices?kind=ecat-slave&sort=-ring_pos&limit=1" "" "${T[@]}"
expect_eq "CSV: station addresses in hex, the order asked for" \
	"$(sed -n 2p "$D/devices.csv" | cut -d, -f9,10 | tr -d '\r')" \
	"$(printf '0x%04X,%d' "$(jf '.devices[0].station_addr')" "$(jf '.devices[0].ring_pos')")"

req "$D/none" GET "/devices?kind=ecat-master" "" "${T[@]}"
mid=$(jf '.devices[0].id')
req "$D/none" GET "/devices/$mid" "" "${T[@]}"
expect_eq "master: chain of 8 slaves in ring order" "$(jf '[.chain[].ring_pos] | join(",")')" "0,1,2,3,4,5,6,7"
period=$(jf '.links[0].period_us')
[ "$(echo "$period > 900 && $period < 1100" | bc -l)" = 1 ] && ok "master link: 1 ms cycle ($period us)" || fail "cycle time" "$period"
expect_eq "master shows the EtherCAT signals" "$(jf '[.signals[].name] | sort | join(",")')" "ai_1_ch1,ai_2_ch2,di_1,di_2"
req "$D/none" GET "/devices/999999" "" "${T[@]}"
expect_eq "unknown device: 404" "$CODE $(jf .error)" "404 no such device"
req "$D/none" GET "/devices/abc" "" "${T[@]}"
expect_eq "bad id: 400" "$CODE" 400
req "$D/none" GET "/devices/$mid/history" "" "${T[@]}"
expect_eq "history from the store" "$CODE $(jf '.history | length > 0')" "200 true"

req "$D/none" GET /signals "" "${T[@]}"
expect_eq "signals of the map" "$(jf '.signals | length')" 10
sid=$(jf '.signals[] | select(.name == "ai_2_ch2") | .id')
req "$D/none" GET "/signals/$sid/samples" "" "${T[@]}"
expect_eq "samples: the last ten minutes by default" "$CODE $(jf '.to_ms - .from_ms')" "200 600000"
[ "$(jf '.points | length')" -ge 2 ] && ok "samples: points returned ($(jf '.points | length'))" || fail "samples" "$BODY"
to=$(jf .to_ms)
req "$D/none" GET "/signals/$sid/samples?from=$((to - 2000))&to=$to&rollup=raw&max_points=5000" "" "${T[@]}"
n=$(jf '.points | length')
[ "$n" -gt 10 ] && ok "raw samples over 2 s: $n" || fail "raw samples" "$n"
expect_eq "raw points: min = max = avg" "$(jf '[.points[] | select(.[1] != .[2] or .[1] != .[3])] | length')" 0
req "$D/none" GET "/signals/$sid/samples?from=$((to - 600000))&to=$to&rollup=1s" "" "${T[@]}"
expect_eq "1 s rollups: one point a second at most" "$(jf '[.points[][0]] | (length == (unique | length))')" true
req "$D/none" GET "/signals/$sid/samples?rollup=5s" "" "${T[@]}"
expect_eq "bad rollup: 400" "$CODE $(jf .error)" "400 rollup: raw, 1s, 1m or auto"
req "$D/none" GET "/signals/$sid/samples?from=10&to=5" "" "${T[@]}"
expect_eq "inverted range: 400" "$CODE" 400
req "$D/none" GET "/signals/999999/samples" "" "${T[@]}"
expect_eq "unknown signal: 404" "$CODE" 404

req "$D/none" GET /capture "" "${T[@]}"
expect_eq "capture: the ring with its records and drops" "$(jf ".rings[0].records > 0 and (.rings[0] | has(\"drops\"))")" true
expect_eq "capture: the ring's NIC counters, 0 behind the simulator" \
	"$(jf '.rings[0] | "\(.source) \(.nic_packets) \(.nic_missed) \(.nic_errors) \(.nic_nombuf)"')" "sim 0 0 0 0"
req "$D/none" GET /overview "" "${T[@]}"
expect_eq "overview counts" "$(jf '.devices') $(jf '.by_kind["ecat-slave"]')" "14 8"
req "$D/none" GET "/links?device=$mid" "" "${T[@]}"
expect_eq "links of a device" "$(jf '.links | length')" 1

req "$D/none" PUT "/devices/$mid/lifecycle" '{"state":"commissioned"}' "${T[@]}"
expect_eq "engineer token commissions a device" "$CODE $(jf .lifecycle)" "200 commissioned"
req "$D/none" PUT "/devices/$mid/lifecycle" '{"state":"flying"}' "${T[@]}"
expect_eq "unknown lifecycle state: 400" "$CODE" 400
req "$D/none" PUT "/devices/$mid/lifecycle" '{"state":"retired"}' "${T[@]}"
expect_eq "a move the rules forbid: 409, naming the allowed ones (as iiotctl)" "$CODE $(jf .error)" \
	"409 commissioned -> retired not allowed: from commissioned only to active (discovered -> pending -> commissioned -> active <-> maintenance -> retired)"
req "$D/none" GET "/devices/$mid" "" "${T[@]}"
expect_eq "the refused move changed nothing" "$(jf .lifecycle)" commissioned
for i in $(seq 30); do	# the store writes history in batches
	req "$D/none" GET "/devices/$mid/history" "" "${T[@]}"
	[ "$(jf '[.history[] | select(.event == "lifecycle")] | length')" -gt 0 ] && break
	sleep 0.1
done
expect_eq "history names who moved it" "$(jf '[.history[] | select(.event == "lifecycle")][0].detail')" \
	"pending -> commissioned by token:t"
sqlite3 "$D/audit.db" "SELECT user || ' ' || target || ' ' || result FROM audit WHERE action LIKE 'PUT /api/v1/devices/%/lifecycle' ORDER BY seq" >"$D/lc"
expect_eq "lifecycle changes audited, refused ones too" "$(tr '\n' '|' <"$D/lc")" "token:t device $mid ok|token:t device $mid fail|token:t device $mid fail|"

req "$D/none" PUT "/devices/$mid/lifecycle" '{"state":"active","reason":"line\u0007bell"}' "${T[@]}"
expect_eq "a reason with control characters: 400, nothing moved" "$CODE" 400
req "$D/none" PUT "/devices/$mid/lifecycle" '{"state":"active","reason":"SAT passed, ticket 42"}' "${T[@]}"
expect_eq "a move with a reason" "$CODE $(jf .lifecycle)" "200 active"
for i in $(seq 30); do
	req "$D/none" GET "/devices/$mid/history" "" "${T[@]}"
	[ "$(jf '[.history[] | select(.event == "lifecycle")] | length')" -gt 1 ] && break
	sleep 0.1
done
expect_eq "history says who and why" "$(jf '[.history[] | select(.event == "lifecycle")][0].detail')" \
	"commissioned -> active by token:t: SAT passed, ticket 42"
expect_eq "the audit row keeps the reason" \
	"$(sqlite3 "$D/audit.db" "SELECT json_extract(detail, '$.reason') FROM audit WHERE action LIKE 'PUT /api/v1/devices/%/lifecycle' ORDER BY seq DESC LIMIT 1")" \
	"SAT passed, ticket 42"

openapi_check
echo "1..$_tap_n"
