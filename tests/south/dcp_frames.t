#!/usr/bin/env bash
# DCP control frames against tshark's PROFINET dissector: every request
# iiot sends (tests/south/dcptool.c writes them as a pcap) dissects as the
# operation it is, with no expert warning; and every DCP answer in the
# shared captures reads the same through iiot's answer check as through
# tshark (device, Xid, name, IP), an answer tshark calls malformed or a
# name no device may have being an anomaly, not a result.
. "$(dirname "$0")/../lib.sh"
DCPTOOL=$BUILD/tests-south/dcptool
[ -x "$DCPTOOL" ] || skip_all "dcptool not built (make tests)"
command -v tshark >/dev/null || skip_all "tshark not installed"
T=$(mktemp -d)
cleanup_push "rm -rf $T"

"$DCPTOOL" requests "$T/req.pcap" || fail "dcptool requests"
tshark -r "$T/req.pcap" -T fields -E occurrence=f -e pn_dcp.xid -e pn_rt.frame_id -e pn_dcp.service_id \
	-e pn_dcp.option -e pn_dcp.suboption_device_nameofstation -e pn_dcp.block_qualifier \
	-e pn_dcp.suboption_ip_ip -e pn_dcp.suboption_ip_subnetmask -e pn_dcp.suboption_ip_standard_gateway \
	-e pn_dcp.suboption_control_signal_value -e pn_dcp.block_qualifier_reset -e eth.dst \
	-e _ws.malformed -e _ws.expert >"$T/req.txt" 2>/dev/null
row() { sed -n "$1p" "$T/req.txt" | tr '\t' '|'; }
expect_eq "7 requests dissected" "$(wc -l <"$T/req.txt")" 7
expect_eq "Identify all: multicast, the All selector" "$(row 1)" "0x00000100|65278|5|255||||||||01:0e:cf:00:00:00||"
expect_eq "Identify by name" "$(row 2)" "0x00000101|65278|5|2|et200sp-3|||||||01:0e:cf:00:00:00||"
expect_eq "Signal: flash once, to the device" "$(row 3)" "0x00000102|65277|4|5||0||||0x0100||00:0e:8c:10:00:03||"
expect_eq "Set NameOfStation, permanent" "$(row 4)" "0x00000103|65277|4|2|press-7.line-2|1||||||00:0e:8c:10:00:03||"
expect_eq "Set IP, temporary" "$(row 5)" "0x00000104|65277|4|1||0|192.168.0.99|255.255.255.0|192.168.0.1|||00:0e:8c:10:00:03||"
expect_eq "Set IP, permanent, no gateway" "$(row 6)" "0x00000105|65277|4|1||1|10.0.0.2|255.0.0.0|0.0.0.0|||00:0e:8c:10:00:03||"
expect_eq "Reset to factory: communication parameters" "$(row 7)" "0x00000106|65277|4|5|||||||4|00:0e:8c:10:00:03||"

# real captures: each DCP answer (tshark -Y pn_dcp) against the check
n=0
while read -r cap; do
	tshark -r "$cap" -Y "pn_dcp && pn_dcp.service_type != 0" -T fields -E occurrence=f \
		-e frame.number -e pn_dcp.xid -e eth.src -e pn_dcp.suboption_device_nameofstation \
		-e pn_dcp.suboption_ip_ip -e _ws.malformed 2>/dev/null >"$T/ts.txt"
	[ -s "$T/ts.txt" ] || continue
	n=$((n + 1))
	"$DCPTOOL" answers "$cap" >"$T/ours.txt"
	name=${cap##*/}
	while IFS=$'\t' read -r fno xid mac nos ip bad; do
		ours=$(awk -F'\t' -v f="$fno" '$1 == f' "$T/ours.txt")
		res=$(echo "$ours" | cut -f4)
		if [ -n "$bad" ] || { [ -n "$nos" ] && ! [[ $nos =~ ^[A-Za-z0-9.-]+$ ]]; }; then
			expect_eq "$name #$fno: malformed or a bad name is an anomaly" "$res" "answer_malformed"
		elif [ "$res" = ok ]; then
			expect_eq "$name #$fno: Xid, device, name, IP as tshark" \
				"$(echo "$ours" | cut -f2-3,5-6)" "$(printf '%s\t%s\t%s\t%s' "$xid" "$mac" "$nos" "$ip")"
		else
			# a Set of several blocks is no answer to one control request
			expect_eq "$name #$fno: not one of our Sets" "$res" "answer_without_result_block"
		fi
	done <"$T/ts.txt"
done < <(shared_pcaps)
[ $n -gt 0 ] || skip "real captures" "no shared capture holds a DCP answer"
