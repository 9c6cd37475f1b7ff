#!/usr/bin/env bash
# Malformed input: named anomalies, clear errors, never a crash.
. "$(dirname "$0")/../lib.sh"
IIOTCTL=$BIN/iiotctl
[ -x "$IIOTCTL" ] || skip_all "iiotctl not built"
tmp=$(mktemp -d)
cleanup_push "rm -rf '$tmp'"

# pcap with the given link type and frames given as hex strings
mkpcap() {
	python3 - "$@" <<'PY'
import struct, sys
out, linktype = sys.argv[1], int(sys.argv[2])
with open(out, "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, linktype))
    for i, h in enumerate(sys.argv[3:]):
        b = bytes.fromhex(h.replace(" ", ""))
        f.write(struct.pack("<IIII", 1000 + i, 5, len(b), len(b)) + b)
PY
}

# The Wireshark-bug capture: a format string as station name.
bug=$PCAPS/iti__profinet-wireshark-bug.pcap
if [ -f "$bug" ]; then
	out=$("$IIOTCTL" decode "$bug")
	expect_eq "wireshark-bug capture decodes every frame" "$(echo "$out" | wc -l)" 4
	expect_eq "station name \"%n%n%n \" is a named anomaly in frames 2 and 3" \
		"$(echo "$out" | jq -c 'select(.anomalies | index("dcp_bad_name")) | .n' | tr '\n' ' ')" "2 3 "
	expect_eq "its name is still shown" \
		"$(echo "$out" | jq -r 'select(.n == 2) | .dcp.name_of_station')" "%n%n%n "
else
	skip "wireshark-bug capture" "no $bug"
fi

eth="010203040506 021122334455"
# short frame, truncated VLAN, EtherCAT datagram overrun, DCP block overrun,
# unknown DCP service, PROFINET FrameID only, then a good EtherCAT frame
mkpcap "$tmp/bad.pcap" 1 \
	"010203040506" \
	"$eth 8100 00" \
	"$eth 88a4 0e10 07 00 0000 3001 c800 0000 0000 0000" \
	"$eth 8892 fefe 05 00 00000001 0001 0008 0202 0028 61626364" \
	"$eth 8892 fefe 77 00 00000001 0000 0000" \
	"$eth 8892 c001" \
	"$eth 88a4 0e10 07 00 0000 3001 0200 0000 0800 0100"
out=$("$IIOTCTL" decode "$tmp/bad.pcap")
check "iiotctl decode exits 0 on malformed frames" test $? -eq 0
expect_eq "anomalies, frame by frame" \
	"$(echo "$out" | jq -c '.anomalies' | tr '\n' ' ')" \
	'["eth_truncated"] ["vlan_truncated"] ["ecat_dgram_truncated"] ["dcp_block_truncated"] ["dcp_bad_service"] ["pn_truncated"] [] '
expect_eq "the good frame after them decodes" \
	"$(echo "$out" | jq -c 'select(.n == 7) | .ecat | [.datagrams[0].cmd, .datagrams[0].ado, .datagrams[0].wkc, .regs[0].reg, .regs[0].value]')" \
	'[7,304,1,"al_status",8]'
sum=$("$IIOTCTL" decode --stats-only "$tmp/bad.pcap")
expect_eq "--stats-only counts anomalous frames" "$(echo "$sum" | jq .anomalous)" 6
expect_eq "--stats-only counts per anomaly" "$(echo "$sum" | jq '.anomalies.dcp_block_truncated')" 1

# Files that are not what they claim: clear errors, non-zero exit.
"$IIOTCTL" decode "$tmp/nonexistent.pcap" >/dev/null 2>"$tmp/err"
check "a missing file fails" test $? -ne 0
check "and says why" grep -q 'nonexistent.pcap' "$tmp/err"
echo "not a capture" >"$tmp/junk.pcap"
"$IIOTCTL" decode "$tmp/junk.pcap" >/dev/null 2>"$tmp/err"
check "a file that is no capture fails" test $? -ne 0
check "with a message" test -s "$tmp/err"
mkpcap "$tmp/raw.pcap" 101 4500001c
"$IIOTCTL" decode "$tmp/raw.pcap" >/dev/null 2>"$tmp/err"
check "a non-Ethernet capture fails" test $? -ne 0
check "naming the link type" grep -q 'only Ethernet' "$tmp/err"
# a capture cut inside its last record: the whole frames still come out
head -c $(($(stat -c %s "$tmp/bad.pcap") - 5)) "$tmp/bad.pcap" >"$tmp/cut.pcap"
n=$("$IIOTCTL" decode "$tmp/cut.pcap" 2>"$tmp/err" | wc -l)
rc=${PIPESTATUS[0]}
expect_eq "a cut capture yields the frames before the cut" "$n" 6
check "and reports the cut" test -s "$tmp/err"
"$IIOTCTL" decode >/dev/null 2>&1
expect_eq "no file is a usage error" $? 2
