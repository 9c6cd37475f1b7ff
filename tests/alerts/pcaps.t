#!/usr/bin/env bash
# No false alarms: every shared capture raises exactly the alerts listed,
# with reasons, in pcaps.golden; the simulator's normal scenarios raise
# nothing of severity warning or higher, and its faulty line raises the
# DCP Set from a stranger it injects.
. "$(dirname "$0")/../lib.sh"
command -v jq >/dev/null || skip_all "jq not installed"
golden=$IIOT_TOP/tests/alerts/pcaps.golden
work=$(mktemp -d)
cleanup_push "rm -rf $work"

n=0
for c in $(shared_pcaps); do
	f=${c##*/}
	got=$("$BIN/iiotctl" alerts "$c" | jq -r '[.rule, .severity, .frames[0], (.note // "-" | split(" ")[0])] | join(" ")')
	want=$(grep -v '^#' "$golden" | awk -v f="$f" '$1 == f { print $2, $3, $4, $5 }')
	expect_eq "$f raises what pcaps.golden says" "$got" "$want"
	n=$((n + 1))
done
[ $n -gt 0 ] || skip "shared captures" "absent ($PCAPS)"

for s in small-cell large-line; do
	"$BIN/iiot-sim" "$IIOT_TOP/sim/scenarios/$s.conf" --out "$work/$s.pcap" --duration 10 >/dev/null 2>&1 ||
		{ fail "iiot-sim $s"; continue; }
	got=$("$BIN/iiotctl" alerts "$work/$s.pcap" | jq -r 'select(.severity != "info") | .rule')
	expect_eq "the $s scenario raises no warning or critical alert" "$got" ""
done
"$BIN/iiot-sim" "$IIOT_TOP/sim/scenarios/faulty-line.conf" --out "$work/f.pcap" --duration 10 >/dev/null 2>&1
got=$("$BIN/iiotctl" alerts "$work/f.pcap" | jq -r '[.rule, .severity, .src_mac, .note] | join(" ")')
expect_eq "the faulty line's DCP Set from a stranger, and nothing else" "$got" \
	"pn.dcp.set_from_stranger critical 02:de:ad:be:ef:01 accepted by the device"
echo "1..$_tap_n"
