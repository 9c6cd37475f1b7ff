#!/usr/bin/env bash
# Simulated lines with ground truth (sim/scenarios): the normal scenarios
# give no finding at all; the faulty and the degrading line's injected
# EtherCAT faults are diagnosed where and when they were injected.
. "$(dirname "$0")/../lib.sh"
command -v jq >/dev/null || skip_all "jq not installed"
work=$(mktemp -d)
cleanup_push "rm -rf $work"
sc=$IIOT_TOP/sim/scenarios

# large-line is eight lines in one capture: a gigabit mirror port, over
# half of a 100 Mbit/s one (diag.load.reduce)
for s in small-cell:100 large-line:1000; do
	mbps=${s#*:} s=${s%:*}
	"$BIN/iiot-sim" "$sc/$s.conf" --out "$work/$s.pcap" --duration 10 >/dev/null 2>&1 ||
		{ fail "iiot-sim $s"; continue; }
	got=$("$BIN/iiotctl" diagnose -s "$mbps" "$work/$s.pcap" | jq -r '.rule')
	expect_eq "the $s scenario gives no finding" "$got" ""
done

"$BIN/iiot-sim" "$sc/faulty-line.conf" --out "$work/f.pcap" --duration 10 >/dev/null 2>&1 ||
	fail "iiot-sim faulty-line"
"$BIN/iiotctl" diagnose "$work/f.pcap" >"$work/f.json"
t0=$("$BIN/iiotctl" decode "$work/f.pcap" | head -1 | jq .ts_ns)

# slave-drop press-io-5 (the fifth slave: position 4, station 0x1005) at 1 s
lost=$(jq -c 'select(.rule == "ecat.slave.lost" and .state == "active" and .station == 4101)' "$work/f.json" | head -1)
expect_eq "the dropped slave is named" "$(echo "$lost" | jq -c '[.position, .device]')" \
	'[4,"00:1b:21:30:00:01/4"]'
chain=$(jq -c 'select(.rule == "ecat.slave.lost" and .station == null)' "$work/f.json" | head -1)
expect_eq "the chain is one slave short" "$(echo "$chain" | jq -r .detail)" \
	"behind the master: 5 of 6 slaves answer (1 missing from the chain)"
late=$(( $(echo "$chain" | jq .ts_ns) - t0 - 1000000000 ))
if [ "$late" -ge 0 ] && [ "$late" -lt 2000000 ]; then
	ok "the chain is found short within two 1 ms cycles of the drop ($late ns)"
else
	fail "the chain is found short within two cycles" "$late ns after the drop"
fi
back=$(jq -r 'select(.rule == "ecat.slave.lost" and .state == "cleared") | .station // "chain"' "$work/f.json" | sort | tr '\n' ' ')
expect_eq "both clear when the slave returns" "$back" "4101 chain "

# lost-frames press-ecat from 500 ms for 1 s, 10 %: the master's frame
# goes out and never comes back
lf=$(jq -c 'select(.rule == "ecat.frame.lost")' "$work/f.json")
expect_eq "lost frames are one finding on the master" "$(echo "$lf" | jq -c '[.device, .station]')" '["00:1b:21:30:00:01",null]'
n=$(echo "$lf" | jq -r .detail | sed -n 's/.*sent at frame \([0-9]*\) never came back/\1/p')
fo=$("$BIN/iiotctl" decode "$work/f.pcap" | jq -c "select(.n >= ${n:-0} and .n <= $(echo "$lf" | jq .frame))")
idx=$(echo "$fo" | jq -r "select(.n == ${n:-0}) | .ecat.datagrams[0].idx")
expect_eq "...naming a frame that went out and whose index never came back" \
	"$(echo "$fo" | jq -r "select(.n > ${n:-0} and .ecat.datagrams[0].idx == ${idx:-999} and .ecat.datagrams[0].wkc > 0) | .n")" ""
lost_ts=$(echo "$fo" | jq "select(.n == ${n:-0}) | .ts_ns")
late=$(( $(echo "$lf" | jq .ts_ns) - ${lost_ts:-0} ))
[ -n "$idx" ] && [ "$late" -ge 0 ] && [ "$late" -le 2000000 ] &&
	ok "...within two 1 ms cycles of the lost frame ($late ns)" || fail "lost frame in time" "$late ns: $lf"

# wkc-error press-io-3 from 200 ms: one slave's read+write share missing
wkc=$(jq -c 'select(.rule == "ecat.wkc.mismatch" and .state == "active")' "$work/f.json" | head -1)
expect_eq "the working counter is one slave short" "$(echo "$wkc" | jq -r .detail)" \
	"LRW 0x00010000: 15, expected 18 (1 slave did not read and write)"
late=$(( $(echo "$wkc" | jq .ts_ns) - t0 - 200000000 ))
[ "$late" -ge 0 ] && ok "no working-counter finding before the fault" ||
	fail "no working-counter finding before the fault" "$late ns"
# lost-frames press-drive-2 (FrameID 0xc003, 2 ms) from 1 s for 2 s at
# 20 %: its cycle counter gaps are lost frames, found at the first frame
# after the first missing one (the oracle: the first interval of the
# device's frames over 1.5 cycles, from their capture times)
pl=$(jq -c 'select(.rule == "pn.cycle.lost")' "$work/f.json")
expect_eq "the PROFINET device losing frames is named, once" \
	"$(echo "$pl" | jq -r '[.device, .state] | join(" ")')" "00:0e:8c:30:00:02 active"
first=$("$BIN/iiotctl" decode "$work/f.pcap" |
	jq -s '[.[] | select(.src == "00:0e:8c:30:00:02" and .pn.frame_id == 49155) | .ts_ns] |
	       [range(1; length) as $i | select(.[$i] - .[$i - 1] > 3000000) | .[$i]] | first')
expect_eq "...at the first frame after the first gap" "$(echo "$pl" | jq .ts_ns)" "$first"
[ "$first" != null ] && [ "$((first - t0))" -ge 1000000000 ] &&
	ok "...and not before the fault" || fail "no gap before the fault" "$first"

# within: LABEL TS FAULT_AT_NS LIMIT_NS: the finding comes after the fault
# and no later than the limit
within() {
	local late=$(($2 - t0 - $3))
	if [ "$late" -ge 0 ] && [ "$late" -le "$4" ]; then
		ok "$1 ($((late / 1000)) µs after the fault)"
	else
		fail "$1" "$late ns after the fault"
	fi
}

"$BIN/iiot-sim" "$sc/degrading-line.conf" --out "$work/d.pcap" --duration 8 >/dev/null 2>&1 ||
	fail "iiot-sim degrading-line"
"$BIN/iiotctl" diagnose "$work/d.pcap" >"$work/d.json"
t0=$("$BIN/iiotctl" decode "$work/d.pcap" | head -1 | jq .ts_ns)

# rx-errors on line-io-4 (position 3) port 0 from 2 s at 1/s: the first
# error is counted at 3 s, read by the next diagnosis round (every 100 ms)
rx=$(jq -c 'select(.rule == "ecat.esc.rx_errors")' "$work/d.json")
expect_eq "the bad cable is found once, at its slave and port" \
	"$(echo "$rx" | jq -c '[.station, .position, .port]')" '[4100,3,0]'
expect_eq "...and placed between the slaves it joins" "$(echo "$rx" | jq -r .detail)" \
	"1 new on port 0 (0 invalid frames, 1 RX errors): between slave 2 (0x1003) (port 1) and slave 3 (0x1004) (port 0)"
# product 0x0BF83052 of vendor 2 in its SII, read by the master at start
expect_eq "...and the slave named as its SII says" "$(echo "$rx" | jq -r .name)" "Beckhoff EL3064"
within "...at the first counter read that shows it" "$(echo "$rx" | jq .ts_ns)" 3000000000 102000000
nfwd=$(jq -c 'select(.rule == "ecat.esc.rx_errors" and .station != 4100)' "$work/d.json" | wc -l)
expect_eq "forwarded errors downstream are no location" "$nfwd" 0

# al-error on line-io-2 (position 1) at 3 s for 2 s, code 0x001B
al=$(jq -c 'select(.rule == "ecat.al.error" and .state == "active")' "$work/d.json")
expect_eq "the slave in SAFEOP names its AL status code" \
	"$(echo "$al" | jq -r '[.station, .position, .detail] | join(" ")')" \
	"4098 1 SAFEOP, AL status code 0x001b: Sync manager watchdog"
within "...at its first AL status read" "$(echo "$al" | jq .ts_ns)" 3000000000 102000000
wkc=$(jq -c 'select(.rule == "ecat.wkc.mismatch" and .state == "active")' "$work/d.json")
expect_eq "its outputs missing from the working counter" "$(echo "$wkc" | jq -r .detail)" \
	"LRW 0x00010000: 16, expected 18 (a slave's outputs were not written (out of OP?))"
within "...within two cycles" "$(echo "$wkc" | jq .ts_ns)" 3000000000 2000000
back=$(jq -r 'select(.state == "cleared" and .station == 4098) | .rule' "$work/d.json" | sort | tr '\n' ' ')
expect_eq "both clear when it is back in OP" "$back" "ecat.al.error ecat.al.not_op "
# cable-ramp: the rate rises by 0.25/min each minute, 10/min at 40 min;
# the prediction comes at least 10 minutes before that
"$BIN/iiot-sim" "$sc/cable-ramp.conf" --out "$work/r.pcap" --duration 2700 >/dev/null 2>&1 ||
	fail "iiot-sim cable-ramp"
"$BIN/iiotctl" diagnose "$work/r.pcap" >"$work/r.json"
t0=$("$BIN/iiotctl" decode "$work/r.pcap" | head -1 | jq .ts_ns)
pr=$(jq -c 'select(.rule == "diag.predicted")' "$work/r.json")
expect_eq "one prediction, for the failing port" "$(echo "$pr" | jq -c '[.station, .port]')" '[4100,0]'
within "...at least 10 min before 10/min is reached at 40 min" "$(echo "$pr" | jq .ts_ns)" 0 1800000000000
[[ $(echo "$pr" | jq -r .detail) == "RX errors on port 0 reach 10/min in "* &&
   $(echo "$pr" | jq -r .evidence) == *Theil-Sen*"between slave 2 (0x1003) (port 1) and slave 3 (0x1004) (port 0); fitted line "*" per min, crossing 10/min at "* ]] &&
	ok "...saying when, and what it rests on" || fail "prediction text" "$pr"
# its fitted line, as the device chart draws it, crosses near the truth
within "...its fitted line crosses 10/min near 40 min" "$(echo "$pr" | jq '.fit.cross_ns')" \
	$(( 35 * 60000000000 )) $(( 10 * 60000000000 ))
expect_eq "...the line is the port's rate" "$(echo "$pr" | jq -c '[.fit.metric, .fit.unit, .fit.limit]')" \
	'["rx_errors_p0","/min",10]'
# dc-drift: the third slave's |0x092C| grows by ramp ns/min from the
# start (+-40 ns of noise), read every 5 s: its ground truth is the
# scenario's fault, it crosses the 1000 ns limit at 1000 / ramp minutes
"$BIN/iiot-sim" "$sc/dc-drift.conf" --out "$work/dc.pcap" --duration 2700 >/dev/null 2>&1 ||
	fail "iiot-sim dc-drift"
"$BIN/iiotctl" diagnose "$work/dc.pcap" >"$work/dc.json"
t0=$("$BIN/iiotctl" decode "$work/dc.pcap" | head -1 | jq .ts_ns)
ramp=$(sed -n 's/^ramp = //p' "$sc/dc-drift.conf")
cross_lo=$(( (1000 - 40) * 60000000000 / ramp ))
cross_hi=$(( (1000 + 40) * 60000000000 / ramp ))
dc=$(jq -c 'select(.rule == "ecat.dc.drift")' "$work/dc.json")
expect_eq "the drifting clock is found once, at its slave" \
	"$(echo "$dc" | jq -c '[.station, .position, .state]')" '[4099,2,"active"]'
within "...when it crosses 1000 ns (read every 5 s)" "$(echo "$dc" | jq .ts_ns)" \
	"$cross_lo" $(( cross_hi - cross_lo + 5000000000 ))
pr=$(jq -c 'select(.rule == "diag.predicted")' "$work/dc.json")
expect_eq "one prediction, for the drifting slave" "$(echo "$pr" | jq -c '[.station, .position]')" '[4099,2]'
within "...at least 10 min before the limit is crossed" "$(echo "$pr" | jq .ts_ns)" 0 \
	$(( cross_lo - 600000000000 ))
[[ $(echo "$pr" | jq -r .detail) == "DC time difference reaches 1000 ns in "* &&
   $(echo "$pr" | jq -r .evidence) == "Theil-Sen fit of |0x092C|"*"; fitted line "* ]] &&
	ok "...saying when, and what it rests on" || fail "prediction text" "$pr"
within "...its fitted line crosses 1000 ns near the truth" "$(echo "$pr" | jq '.fit.cross_ns')" \
	$(( cross_lo - 300000000000 )) $(( cross_hi - cross_lo + 600000000000 ))
echo "1..$_tap_n"
