#!/usr/bin/env bash
# Loss costs statistics, never identity: the simulator's captures and
# every shared capture, with 5, 20 and 50 % of frames dropped (seeded) and
# with their start cut off, yield the devices of the full capture (kind,
# identity, slaves per master), and the losses are counted.
. "$(dirname "$0")/lib_daemon.sh"
daemon_setup
[ -x "$BIN/iiot-sim" ] || skip_all "iiot-sim not built"
THIN="python3 $IIOT_TOP/tests/pcapthin.py"
CMP="python3 $IIOT_TOP/tests/daemon/invcompare.py"
inv() { "$BIN/iiotctl" inventory --json "$1" 2>/dev/null; }

# compare NAME FULL.json CAPTURE [invcompare options] -- thinning options
compare() {
	local name=$1 full=$2 cap=$3 opts=() out
	shift 3
	while [ $# -gt 0 ] && [ "$1" != -- ]; do opts+=("$1"); shift; done
	shift
	$THIN "$@" "$cap" "$T/thin.pcap" 2>/dev/null || { fail "$name: thin"; return; }
	inv "$T/thin.pcap" >"$T/thin.json"
	if out=$($CMP "$full" "$T/thin.json" "${opts[@]}"); then
		ok "$name"
	else
		fail "$name" "$(echo "$out" | head -5)"
	fi
}

for s in large-line small-cell faulty-line; do
	"$BIN/iiot-sim" "$IIOT_TOP/sim/scenarios/$s.conf" --out "$T/$s.pcap" \
		--duration 3 >/dev/null 2>&1 || { fail "iiot-sim writes $s"; continue; }
	inv "$T/$s.pcap" >"$T/$s.json"
	for r in 0.05 0.2 0.5; do
		compare "$s, $r dropped" "$T/$s.json" "$T/$s.pcap" -- --drop $r --seed 7
	done
	compare "$s, first second cut" "$T/$s.json" "$T/$s.pcap" -- --cut 1
	# slaves seen only in what both took may be missing, none doubled
	compare "$s, first half-second cut, then 20 % dropped" "$T/$s.json" \
		"$T/$s.pcap" --subset -- --cut 0.5 --drop 0.2 --seed 7
done

j=$T/large-line.json
if [ -f "$j" ]; then
	# regression: returning frames went to another master, whose frames
	# grew from 7,034 to 10,551, and the real master had no slaves
	compare "regression: a master's first 240 outgoing frames lost" "$j" \
		"$T/large-line.pcap" -- --drop-first 00:1b:21:20:00:01:240
	inv "$T/thin.pcap" >"$T/first.json"
	expect_eq "regression: the other masters keep their own frame counts" \
		"$(jq -c '[.devices[] | select(.kind == "ecat-master" and .mac != "00:1b:21:20:00:01") | .frames]' "$T/first.json")" \
		"$(jq -c '[.devices[] | select(.kind == "ecat-master" and .mac != "00:1b:21:20:00:01") | .frames]' "$j")"
	check "returns from the master not yet seen are counted" \
		test "$(jq .counters.ecat_unmatched "$T/first.json")" -gt 0
	# regression: 320, 200, 220 and 260 slaves instead of 200 each
	$THIN --drop 0.2 --seed 1 "$T/large-line.pcap" "$T/thin.pcap" 2>/dev/null
	inv "$T/thin.pcap" >"$T/d20.json"
	expect_eq "regression: 20 % dropped, 200 slaves per master" \
		"$(jq -c '[.devices[] | select(.kind == "ecat-master") | .slaves]' "$T/d20.json")" \
		'[200,200,200,200]'
	expect_eq "regression: no ghost master from a returning MAC" \
		"$(jq '[.devices[] | select(.kind == "ecat-master") | select(.mac | test("^.[2367abef]"))] | length' "$T/d20.json")" 0
	expect_eq "regression: no slave beyond the ring" \
		"$(jq '[.devices[] | select(.kind == "ecat-slave" and .ring_pos != null and .ring_pos >= 200)] | length' "$T/d20.json")" 0
	check "lost cyclic frames are counted" \
		test "$(jq .counters.lost_frames "$T/d20.json")" -gt 0
	check "returns without their outgoing copy are counted" \
		test "$(jq .counters.ecat_unpaired "$T/d20.json")" -gt 0
	# regression: controllers counted as devices once DCP was cut off
	$THIN --cut 1 "$T/large-line.pcap" "$T/thin.pcap" 2>/dev/null
	expect_eq "regression: first second cut, 4 controllers, 240 devices" \
		"$(inv "$T/thin.pcap" | jq -c '[([.devices[] | select(.kind == "pn-controller")] | length), ([.devices[] | select(.kind == "pn-device")] | length)]')" \
		'[4,240]'
fi

[ -d "$PCAPS" ] || skip_all "no $PCAPS"
for c in $(shared_pcaps); do
	n=${c##*/}
	inv "$c" >"$T/full.json"
	for r in 0.05 0.2 0.5; do
		compare "$n, $r dropped" "$T/full.json" "$c" -- --drop $r --seed 7
	done
	# short captures: the start may hold all a device ever sent
	if [ "$n" = iti__profinet-wireshark-bug.pcap ]; then
		skip "$n, first quarter cut" "its controller role is only in the Identify cut off"
		continue
	fi
	compare "$n, first quarter cut" "$T/full.json" "$c" --subset -- --cut 25%
done

# regression: a TwinCAT line (EK1100 + EL1004) seen by position (SII
# reads) and by station address (AL status), without the frames that set
# the addresses, was 4 slaves; the BRD count and ring order make it 2
f=$PCAPS/ethercrab__dumps_twincat-scan-boxes.pcapng
if [ -f "$f" ]; then
	tshark -r "$f" -Y '!(ecat.ado == 0x0010)' -F pcap -w "$T/tc.pcap" 2>/dev/null
	expect_eq "regression: TwinCAT line without 0x0010 accesses, 2 slaves with both addresses" \
		"$(inv "$T/tc.pcap" | jq -c '[.devices[] | select(.kind == "ecat-slave") | [.ring_pos, .station_addr, .product_code]] | sort')" \
		'[[0,1001,72100946],[1,1002,65810514]]'
fi
