#!/usr/bin/env bash
# Network load per port (docs/diagnostics.md, "Network load"): the wire
# bytes of a real capture match tshark's frame lengths (padded to 60,
# plus 24 bytes of preamble, gap and FCS each), and a simulated EtherCAT
# line whose process image grows goes from fine to check to reduce on
# a 100 Mbit/s port.
. "$(dirname "$0")/../lib.sh"
command -v jq >/dev/null || skip_all "jq not installed"
work=$(mktemp -d)
cleanup_push "rm -rf $work"

c=$(shared_pcaps | grep replay-dc || true)
if [ -z "$c" ]; then
	skip "replay-dc capture" "absent ($PCAPS)"
elif ! command -v tshark >/dev/null; then
	skip "tshark oracle" "tshark not installed"
else
	want=$(tshark -r "$c" -T fields -e frame.len 2>/dev/null |
		awk '{ s += ($1 < 60 ? 60 : $1) + 24 } END { print NR, s }')
	got=$("$BIN/iiotctl" diagnose -l "$c" | jq -r 'select(.port) | "\(.frames) \(.wire_bytes)"')
	expect_eq "wire bytes of replay-dc as tshark counts them" "$got" "$want"
	expect_eq "replay-dc is a fine load with no finding" \
		"$("$BIN/iiotctl" diagnose -l "$c" | jq -r 'select(.port) | .grade')" "fine"
fi

# four slaves of N input bytes each at 250 µs: the LRD goes out and comes
# back, so the port carries about 2 x (4N + 60) bytes per cycle
line() {
	cat >"$work/$1.conf" <<CONF
[scenario]
name = load-$1
seed = 1

[ethercat-master plc]
mac = 00:1b:21:10:00:01
cycle = 250us

[ethercat-slave ai]
master = plc
count = 4
vendor = 0x00000002
product = 0x0bf83052
revision = 0x00140000
serial = 4001
inputs = $2
outputs = 0
CONF
	"$BIN/iiot-sim" "$work/$1.conf" --out "$work/$1.pcap" --duration 3 >/dev/null 2>&1 ||
		fail "iiot-sim load-$1"
	"$BIN/iiotctl" diagnose -l "$work/$1.pcap" >"$work/$1.json"
	rm -f "$work/$1.pcap"
}

line low 8
line mid 100
line high 200
expect_eq "8-byte inputs: fine, no finding" \
	"$(jq -r '.rule // .grade' "$work/low.json" | tr '\n' ' ')" "fine "
expect_eq "100-byte inputs: check, an info finding" \
	"$(jq -r '(.rule // .grade) + " " + (.severity // "-")' "$work/mid.json" | tr '\n' ' ')" \
	"diag.load.check info check - "
expect_eq "200-byte inputs: reduce, a warning" \
	"$(jq -r '(.rule // .grade) + " " + (.severity // "-")' "$work/high.json" | tr '\n' ' ')" \
	"diag.load.reduce warning reduce - "
pct=$(jq -r 'select(.port) | .load_pct | floor' "$work/high.json")
if [ "$pct" -gt 50 ] && [ "$pct" -lt 60 ]; then
	ok "200-byte inputs load the port ${pct} %"
else
	fail "200-byte inputs load the port 50-60 %" "$pct %"
fi
expect_eq "the warning takes 30 points off the port's health" \
	"$(jq -c 'select(.port) | [.score, .reasons[0].code]' "$work/high.json")" '[70,"load"]'
echo "1..$_tap_n"
