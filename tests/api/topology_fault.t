#!/usr/bin/env bash
# A failing port from the diagnoses is marked on its cable in GET
# /topology: the degrading line's RX errors at line-io-4 (ring position
# 3) port 0 from 2 s mark the cable from position 2 into it, and only it;
# the search finds the alert.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib_api.sh"
[ -x "$BIN/iiot-sim" ] || skip_all "iiot-sim not built"
ring=iiot-apitopof$$
cleanup_push "rm -f /dev/shm/iiot/$ring /dev/shm/iiot/$ring.wake"
api_start "[capture]" "ring = $ring"
"$BIN/iiot-sim" "$IIOT_TOP/sim/scenarios/degrading-line.conf" --ring "$ring" >"$D/sim.log" 2>&1 &
cleanup_push "kill $!"
T=(-H "Authorization: Bearer $(token t viewer)")

faulty() {
	jq -c '(.nodes | map({key: .key, value: .}) | from_entries) as $n |
		[.links[] | select(.kind == "ecat" and .state == "fault") |
		 [$n[.a].ring_pos, .a_port, $n[.b].ring_pos, .b_port, (.alerts[].rule)]]' "$D/out"
}
for i in $(seq 120); do
	req "$D/none" GET /topology "" "${T[@]}"
	[ "$(faulty)" != "[]" ] && [ -n "$(faulty)" ] && break
	sleep 0.5
done
expect_eq "the cable into the slave with RX errors is marked, and only it" \
	"$(faulty)" '[[2,"1",3,"0","ecat.esc.rx_errors"]]'
expect_eq "its slave's node lists the alert" \
	"$(jq '[.nodes[] | select(.ring_pos == 3 and .kind == "ecat-slave") | .alerts | length] | .[0] > 0' "$D/out")" true
req "$D/none" GET "/search?q=RX_ERRORS" "" "${T[@]}"
expect_eq "the top bar's search finds the open alert" "$(jf '[.alerts[].rule] | unique | join(",")')" "ecat.esc.rx_errors"
echo "1..$_tap_n"
