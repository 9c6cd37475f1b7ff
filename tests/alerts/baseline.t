#!/usr/bin/env bash
# The baseline offline (iiotctl alerts --learn/--baseline/--export-baseline,
# docs/security.md "Baseline"): each deviation rule on a crafted capture
# (tests/alerts/craft_baseline.py) fires at its first deviating frame or,
# for rate rules, within 1 s of it; the same line raises nothing; an
# exported baseline protects a capture like the learned one; bad baseline
# files are refused naming the problem; and the false-alarm bar: after
# learning, the small-cell, large-line and faulty-line scenarios raise
# nothing of severity warning or higher.
. "$(dirname "$0")/../lib.sh"
command -v jq >/dev/null || skip_all "jq not installed"
work=$(mktemp -d)
cleanup_push "rm -rf $work"
python3 "$IIOT_TOP/tests/alerts/craft_baseline.py" "$work" || { fail "craft_baseline.py"; exit 0; }

out=$("$BIN/iiotctl" alerts --learn 2 "$work/clean.pcap")
expect_eq "a clean line after learning raises nothing" "$out" ""

while read -r name rule mark; do
	out=$("$BIN/iiotctl" alerts --learn 2 "$work/$name.pcap") || { fail "$name: iiotctl failed"; continue; }
	line=$(echo "$out" | jq -c --arg r "$rule" 'select(.rule == $r)' | head -1)
	if [ -z "$line" ]; then
		fail "$name raises $rule" "$out"
		continue
	fi
	first=$(echo "$line" | jq '.frames[0]')
	ts=$(echo "$line" | jq '.ts_ns')
	t0=$("$BIN/iiotctl" decode "$work/$name.pcap" | sed -n "${mark}p" | jq '.ts_ns')
	if [ "$first" -ge "$mark" ] && [ $((ts - t0)) -lt 1000000000 ]; then
		ok "$name raises $rule at frame $first (deviation from $mark)"
	else
		fail "$name raises $rule in time" "first frame $first, deviation $mark, $(((ts - t0) / 1000000)) ms late"
	fi
	# without a baseline the rule never fires
	n=$("$BIN/iiotctl" alerts "$work/$name.pcap" | jq -c --arg r "$rule" 'select(.rule == $r)' | wc -l)
	expect_eq "$name: no $rule without a baseline" "$n" 0
done <"$work/expect.txt"

# a master whose MAC changed: the alert names the old and the new MAC and
# the line, and concerns the new master
got=$("$BIN/iiotctl" alerts --learn 2 "$work/master_changed.pcap" | jq -r 'select(.rule == "ecat.master.changed") | [.src_mac, .device, .detail] | join(" | ")')
expect_eq "ecat.master.changed names the old and the new master and the line" "$got" \
	"00:bb:00:00:00:01 | 00:bb:00:00:00:01 | 00:bb:00:00:00:01 instead of 00:aa:00:00:00:01 on line capture"
sev=$("$BIN/iiotctl" alerts --learn 2 "$work/foreign_source.pcap" | jq -r 'select(.rule == "pn.rt.foreign_source") | .severity')
expect_eq "cyclic frames from a MAC that is not the AR's peer are critical" "$sev" critical

# export, then protect another capture with the exported baseline
"$BIN/iiotctl" alerts --learn 2 "$work/clean.pcap" --export-baseline "$work/bl.json" >/dev/null
expect_eq "the exported baseline is protecting" "$(jq -r .state "$work/bl.json")" protecting
expect_eq "it holds the controller's AR FrameIDs" \
	"$(jq -r '[.ars[].frame_id] | sort | join(" ")' "$work/bl.json")" "0x8001 0x8002"
expect_eq "and the EtherCAT master" "$(jq -r '.masters[].mac' "$work/bl.json")" "00:aa:00:00:00:01"
expect_eq "and the working counter of its cyclic LRW" \
	"$(jq -r '.wkc[] | "\(.cmd) \(.address) \(.wkc)"' "$work/bl.json")" "LRW 0x10000000 3"
got=$("$BIN/iiotctl" alerts --baseline "$work/bl.json" "$work/foreign_source.pcap" | jq -r 'select(.severity != "info") | .rule' | sort -u | tr '\n' ' ')
expect_eq "an imported baseline protects from the first frame" "$got" "pn.rt.foreign_source "
got=$("$BIN/iiotctl" alerts --baseline "$work/bl.json" "$work/clean.pcap")
expect_eq "the capture it was learned from raises nothing against it" "$got" ""

# bad baseline files: refused with the place and the problem
bad() {
	local what=$1 json=$2 want=$3 err
	echo "$json" >"$work/bad.json"
	err=$("$BIN/iiotctl" alerts --baseline "$work/bad.json" "$work/clean.pcap" 2>&1 >/dev/null)
	rc=$?
	case "$err" in
	*"$want"*) [ $rc -ne 0 ] && ok "$what: $err" || fail "$what: exit status" "$rc" ;;
	*) fail "$what" "$err" ;;
	esac
}
bad "not JSON" '{"version": 1,' "bad.json:"
bad "no version" '{}' "version: missing"
bad "a future version" '{"version": 2}' "version: 2 is not 1"
bad "a bad MAC" '{"version":1,"pairs":[{"src":"00:11","dst":"ff:ff:ff:ff:ff:ff","ethertype":"0x88a4"}]}' "pairs[0].src: not a MAC address"
bad "an unknown key" '{"version":1,"devices":[{"mac":"00:11:22:33:44:55","colour":1}]}' "devices[0].colour: unknown key"
bad "an ethertype out of range" '{"version":1,"pairs":[{"src":"00:11:22:33:44:55","dst":"ff:ff:ff:ff:ff:ff","ethertype":70000}]}' "pairs[0].ethertype: out of range"
bad "a rate kind" '{"version":1,"rates":[{"rate":"bytes","per_10s":3}]}' "rates[0].rate: not frames, dcp or arp"
bad "not an array" '{"version":1,"ars":{}}' "ars: not an array"
bad "a duplicate" '{"version":1,"masters":[{"mac":"00:aa:00:00:00:01"},{"mac":"00:aa:00:00:00:01"}]}' "masters[1]: a duplicate entry"

# the false-alarm bar: learn the first 10 s, check the next 20 s
for s in small-cell large-line faulty-line; do
	"$BIN/iiot-sim" "$IIOT_TOP/sim/scenarios/$s.conf" --out "$work/$s.pcap" --duration 30 >/dev/null 2>&1 ||
		{ fail "iiot-sim $s"; continue; }
	out=$("$BIN/iiotctl" alerts --learn 10 "$work/$s.pcap" --export-baseline "$work/$s.json")
	until=$(jq .learned_until_ns "$work/$s.json")
	[ "$until" -gt 0 ] || fail "$s: learning ended" "$until"
	got=$(echo "$out" | jq -r --argjson u "$until" 'select(.severity != "info" and .ts_ns >= $u) | [.rule, .severity, .detail] | join(" ")')
	expect_eq "$s after learning raises no warning or critical alert" "$got" ""
	n=$(jq '.not_stored' "$work/$s.json")
	expect_eq "$s: the whole line fits the baseline" "$n" 0
	rm -f "$work/$s.pcap"
done
