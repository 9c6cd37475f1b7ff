#!/usr/bin/env bash
# Every attack scenario as a real wire shows it (issue 13: "VLAN-tagged"):
# iiot-sim --vlan 0 priority-tags every frame (RT priority 6) as a Siemens
# line and a trunk port's mirror deliver them, --qinq adds an 802.1ad
# service tag outside (double-tagged, a provider's or a TAP aggregator's
# VLAN).  tshark checks the tags; "iiotctl alerts" raises each attack's rule
# within 1 s of its first frame (ground truth) and exactly the alerts of
# the untagged run, no more and no fewer: same rule, severity, device,
# sources, time, frames and count.
. "$(dirname "$0")/../lib.sh"
command -v tshark >/dev/null || skip_all "tshark not installed"
command -v jq >/dev/null || skip_all "jq not installed"
tmp=$(mktemp -d)
cleanup_push "rm -rf $tmp"
DIR=$IIOT_TOP/sim/scenarios/attacks

# alerts FILE: the alerts, one compact line each, in a stable order, times
# from the attack's first frame (python: jq's numbers lose nanoseconds)
alerts() {
	"$BIN/iiotctl" alerts "$1" | python3 -c '
import json, sys
t0 = json.load(open(sys.argv[1]))["first_ns"]
keys = ("rule", "severity", "device", "src_mac", "dst_mac", "ts_ns", "frames", "count", "technique", "message")
rows = []
for l in sys.stdin:
    a = json.loads(l)
    a["ts_ns"] -= t0
    rows.append(json.dumps({k: a.get(k) for k in keys}))
print("\n".join(sorted(rows)))' "$1.truth.jsonl"
}

# tags FILE: "frames untagged single double" as tshark counts them (an
# 802.1ad S-tag is ieee8021ad, the C-tag inside it vlan)
tags() {
	tshark -r "$1" -T fields -e ieee8021ad.id -e vlan.id -E occurrence=a \
		-E aggregator=' ' -E separator=' ' 2>/dev/null |
		awk '{ n[NF > 2 ? 2 : NF]++ } END { printf "%d %d %d %d", NR, n[0], n[1], n[2] }'
}

n=0
for conf in "$DIR"/*.conf; do
	name=$(basename "$conf" .conf)
	n=$((n + 1))
	"$BIN/iiot-sim" "$conf" --out $tmp/plain.pcap --duration 4 2>/dev/null &&
		"$BIN/iiot-sim" "$conf" --out $tmp/v.pcap --duration 4 --vlan 0 2>/dev/null &&
		"$BIN/iiot-sim" "$conf" --out $tmp/q.pcap --duration 4 --vlan 0 --qinq 100 2>/dev/null ||
		{ fail "$name: iiot-sim runs tagged"; continue; }
	read -r total none one two < <(tags $tmp/v.pcap)
	expect_eq "$name --vlan 0: every frame 802.1Q-tagged" "$none $one $two" "0 $total 0"
	read -r total none one two < <(tags $tmp/q.pcap)
	expect_eq "$name --qinq: every frame double-tagged" "$none $one $two" "0 0 $total"
	want=$(alerts $tmp/plain.pcap)
	for v in v q; do
		rule=$(jq -r .rule $tmp/$v.pcap.truth.jsonl)
		got=$(alerts $tmp/$v.pcap)
		expect_eq "$name ($v): the alerts of the untagged run, no more" \
			"$got" "$want"
		# the first of the rule's alerts (those of several targets)
		dt=$(jq -s --arg r "$rule" '[.[] | select(.rule == $r) | .ts_ns] | min' <<<"$got")
		if [ "$dt" != null ] && [ "$dt" -ge 0 ] && [ "$dt" -lt 1000000000 ]; then
			ok "$name ($v) raises $rule $((dt / 1000000)) ms after its first frame"
		else
			fail "$name ($v) raises $rule within 1 s" "$got"
		fi
	done
	expect_eq "$name: the ground truth names the tags" \
		"$(jq -c '[.vlan, .svlan]' $tmp/q.pcap.truth.jsonl)" "[$(jq .vlan $tmp/v.pcap.truth.jsonl),100]"
done
[ "$n" -ge 11 ] && ok "$n attack scenarios tagged" || fail "every attack scenario" "$n"

# options: a VID out of range, --qinq alone
expect_eq "--vlan 4095 refused" "$("$BIN/iiot-sim" "$DIR/dcp-set.conf" --out $tmp/x.pcap --vlan 4095 2>&1)" \
	"iiot-sim: --vlan must be a VLAN id 0..4094, not '4095'"
expect_eq "--qinq needs --vlan" "$("$BIN/iiot-sim" "$DIR/dcp-set.conf" --out $tmp/x.pcap --qinq 5 2>&1)" \
	"iiot-sim: --qinq needs --vlan (the inner tag)"
echo "1..$_tap_n"
