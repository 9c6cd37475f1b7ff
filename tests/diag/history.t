#!/usr/bin/env bash
# Link statistics as stored series: iiotd fed by the simulator's faulty
# line writes every cyclic link's period, jitter, lost frames and wrong
# working counters into the store; after a restart without traffic the
# history is still there, the trends are seeded from it, and when the
# line comes back its links write into the same series; a slave's port
# errors are series too (docs/diagnostics.md, "History").
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../api/lib_api.sh"
[ -x "$BIN/iiot-sim" ] || skip_all "iiot-sim not built"
command -v jq >/dev/null || skip_all "jq not installed"
ring=iiot-diaghist$$
cleanup_push "rm -f /dev/shm/iiot/$ring /dev/shm/iiot/$ring.wake"
api_start "[capture]" "ring = $ring" "[diag]" "history = 200ms"
tok=$(token vw viewer)
VW=(-H "Authorization: Bearer $tok")

sim() {
	"$BIN/iiot-sim" "$IIOT_TOP/sim/scenarios/faulty-line.conf" --ring "$ring" --duration 3 >>"$D/sim.log" 2>&1
}

# the master's link, by what identifies it on the wire
master_link() {
	req "$D/none" GET "/devices" "" "${VW[@]}"
	local m
	m=$(jf '[.devices[] | select(.label == "00:1b:21:30:00:01")][0].id')
	req "$D/none" GET "/links?device=$m" "" "${VW[@]}"
	jf '[.links[] | select(.kind == "ecat")][0]'
}

sim
store_rows() { sqlite3 "$D/iiot.db" "SELECT count(*) FROM samples_raw WHERE signal >= 131072" 2>/dev/null; }
l=$(master_link)
per=$(echo "$l" | jq -r '.series.period_us // empty')
wkc=$(echo "$l" | jq -r '.series.wkc_errors // empty')
[ -n "$per" ] && [ "$per" -ge 131072 ] && ok "the master's link has series ($per...)" ||
	fail "link series" "$l"
req "$D/none" GET "/signals/$per/samples?rollup=raw&max_points=10000" "" "${VW[@]}"
expect_eq "its period is in the store" "$CODE" 200
n1=$(jf '.points | length')
[ "${n1:-0}" -ge 5 ] && ok "with a sample per 200 ms while frames came ($n1)" || fail "period samples" "$BODY"
expect_eq "in µs, about the 1 ms cycle" "$(jf '[.points[] | .[3]] | (add / length) | . > 900 and . < 1100')" true
expect_eq "and its unit" "$(jf .unit)" "µs"
req "$D/none" GET "/signals/$wkc/samples?rollup=raw&max_points=10000" "" "${VW[@]}"
[ "$(jf '[.points[] | .[3]] | add > 0')" = true ] &&
	ok "the wrong working counters (press-io-3 misses 5 %) are counted per sample" || fail "wkc series" "$BODY"
req "$D/none" GET "/signals/$per/samples?rollup=1s" "" "${VW[@]}"
[ "$(jf '.points | length >= 1')" = true ] && ok "with 1 s rollups" || fail "1s rollup" "$BODY"
# silence writes nothing: no new frames, no new samples
sleep 1
req "$D/none" GET "/signals/$per/samples?rollup=raw&max_points=10000" "" "${VW[@]}"
n2=$(jf '.points | length')
sleep 1
req "$D/none" GET "/signals/$per/samples?rollup=raw&max_points=10000" "" "${VW[@]}"
expect_eq "a silent link writes no samples" "$(jf '.points | length')" "$n2"

api_stop
"$IIOTD" -d -f "$D/iiotd.conf" >"$D/iiotd2.log" 2>&1 &
IIOTD_PID=$!
cleanup_push "kill $IIOTD_PID 2>/dev/null"
for i in $(seq 100); do curl -sk -o /dev/null "$URL/api/v1/health" && break; sleep 0.1; done
req "$D/none" GET "/signals/$per/samples?rollup=raw&max_points=10000" "" "${VW[@]}"
expect_eq "after a restart the history is still there" "$(jf '.points | length')" "$n2"
sim
l=$(master_link)
expect_eq "the line back: its link writes into the same series" "$(echo "$l" | jq -r .series.period_us)" "$per"
req "$D/none" GET "/signals/$per/samples?rollup=raw&max_points=10000" "" "${VW[@]}"
[ "$(jf '.points | length')" -gt "$n2" ] && ok "and goes on from there" || fail "after restart" "$BODY"
st=$("$BIN/iiotctl" stats -s "$D/iiotd.sock" --json 2>/dev/null | jq .diag)
[ "$(echo "$st" | jq '.history_samples > 0 and .history_dropped == 0 and .history_bad_defs == 0')" = true ] &&
	ok "iiotctl stats counts the history samples" || fail "stats" "$st"
[ "$(echo "$st" | jq '.seeds > 0')" = true ] &&
	ok "the restart seeded the trends from the history" || fail "seeds" "$st"
# a slave's error counters, read every 100 cycles on the degrading line
# whose cable into its fourth slave fails (its DC difference only where a
# master reads 0x092C: test_linkhist)
"$BIN/iiot-sim" "$IIOT_TOP/sim/scenarios/degrading-line.conf" --ring "$ring" --duration 4 >>"$D/sim.log" 2>&1
req "$D/none" GET "/devices" "" "${VW[@]}"
sl=$(jf '[.devices[] | select(.label == "00:1b:21:40:00:01/3")][0].id')
req "$D/none" GET "/devices/$sl" "" "${VW[@]}"
rx0=$(jf '.diag_series.rx_errors_p0 // empty')
[ -n "$rx0" ] && [ "$rx0" -ge 131072 ] && ok "a slave has series of its port errors ($rx0)" ||
	fail "slave series" "$BODY"
req "$D/none" GET "/signals/$rx0/samples?rollup=raw&max_points=10000" "" "${VW[@]}"
[ "$CODE" = 200 ] && [ "$(jf '[.points[] | .[3] * .[4]] | add > 0')" = true ] && [ "$(jf .unit)" = errors ] &&
	ok "the errors of its port 0 (the bad cable) are in the store" || fail "rx series" "$CODE $BODY"
req "$D/none" GET "/signals/131071/samples" "" "${VW[@]}"
expect_eq "an id below the series is no signal" "$CODE" 404
openapi_check
echo "1..$_tap_n"
