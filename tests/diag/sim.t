#!/usr/bin/env bash
# Simulated lines with ground truth (sim/scenarios): the normal scenarios
# give no finding at all; the faulty line's injected EtherCAT faults are
# diagnosed where and when they were injected.
. "$(dirname "$0")/../lib.sh"
command -v jq >/dev/null || skip_all "jq not installed"
work=$(mktemp -d)
cleanup_push "rm -rf $work"
sc=$IIOT_TOP/sim/scenarios

for s in small-cell large-line; do
	"$BIN/iiot-sim" "$sc/$s.conf" --out "$work/$s.pcap" --duration 10 >/dev/null 2>&1 ||
		{ fail "iiot-sim $s"; continue; }
	got=$("$BIN/iiotctl" diagnose "$work/$s.pcap" | jq -r '.rule')
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

# wkc-error press-io-3 from 200 ms: one slave's read+write share missing
wkc=$(jq -c 'select(.rule == "ecat.wkc.mismatch" and .state == "active")' "$work/f.json" | head -1)
expect_eq "the working counter is one slave short" "$(echo "$wkc" | jq -r .detail)" \
	"LRW 0x00010000: 15, expected 18 (1 slave did not read and write)"
late=$(( $(echo "$wkc" | jq .ts_ns) - t0 - 200000000 ))
[ "$late" -ge 0 ] && ok "no working-counter finding before the fault" ||
	fail "no working-counter finding before the fault" "$late ns"
echo "1..$_tap_n"
