#!/usr/bin/env bash
# iiot-sim output is protocol-correct: tshark dissects every frame of all
# three shipped scenarios without malformed packets or expert warnings,
# and sees the traffic and faults each scenario describes.
. "$(dirname "$0")/../lib.sh"

command -v tshark >/dev/null || skip_all "tshark not installed"
tmp=$(mktemp -d)
cleanup_push "rm -rf $tmp"
SC=$IIOT_TOP/sim/scenarios
sim() { "$BIN/iiot-sim" "$@" 2>>$tmp/sim.err; }
ts() { tshark -r "$@" 2>/dev/null; }
# dump FILE: one tshark pass → FILE.txt, tab-separated columns:
#  1 number 2 time 3 eth.src 4 eth.dst 5 ecat.cmd 6 ecat.ado 7 ecat.cnt
#  8 AL control 9 CoE SDO data 10 PN FrameID 11 cycle counter 12 data status
#  13 DCP service 14 DCP type 15 NameOfStation 16 expert severity 17 malformed
dump() {
	tshark -r "$1" -T fields -E occurrence=a -e frame.number -e frame.time_epoch \
		-e eth.src -e eth.dst -e ecat.cmd -e ecat.ado -e ecat.cnt \
		-e ecat.reg.alctrl.ctrl -e ecat_mailbox.coe.sdodata -e pn_rt.frame_id \
		-e pn_rt.cycle_counter -e pn_rt.ds -e pn_dcp.service_id -e pn_dcp.service_type \
		-e pn_dcp.suboption_device_nameofstation -e _ws.expert.severity \
		-e _ws.malformed >"$1.txt" 2>/dev/null
}
# q FILE AWK-CONDITION [AWK-ACTION]: run over the dump of FILE
q() { awk -F'\t' "$2 { ${3:-print} }" "$1.txt"; }
# problems FILE: frames malformed or with an expert warning or error
problems() { q "$1" '$17 != "" || $16 ~ /6291456|8388608/' | wc -l; }
count() { q "$1" "$2" | wc -l; }

# The oracle can fail: a hand-made broken DCP frame is flagged.
python3 - $tmp/bad.pcap <<'PY'
import struct, sys
with open(sys.argv[1], "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
    b = bytes.fromhex("010ecf000000000e8c0000018892fefe05000000000100010040ffff0000") + bytes(30)
    f.write(struct.pack("<IIII", 1, 0, len(b), len(b)) + b)
PY
dump $tmp/bad.pcap
expect_eq "the check flags a malformed frame" "$(problems $tmp/bad.pcap)" 1

for s in small-cell large-line faulty-line; do
	dur=2; [ $s = large-line ] && dur=0.5
	if ! sim $SC/$s.conf --out $tmp/$s.pcap --duration $dur; then
		fail "$s: iiot-sim runs" "$(tail -3 $tmp/sim.err)"
		continue
	fi
	dump $tmp/$s.pcap
	want=$(grep -o "$s: [0-9]* frames" $tmp/sim.err | tail -1 | awk '{print $2}')
	expect_eq "$s: tshark reads every frame" "$(wc -l <$tmp/$s.pcap.txt)" "$want"
	expect_eq "$s: no malformed frames, no expert warnings or errors" "$(problems $tmp/$s.pcap)" 0
done

# small-cell: what a mirror port on that cell sees
f=$tmp/small-cell.pcap
M=00:1b:21:10:00:01 R=02:1b:21:10:00:01
for what in '$5 ~ /0x0c/:LRW cyclic' '$5 ~ /0x07/:BRD' '$5 ~ /0x02/ && $6 ~ /0x0010/:APWR station addresses' \
	    '$5 ~ /0x04/ && $6 ~ /0x0508/:SII reads' '$8 != "":AL control writes' \
	    '$5 ~ /0x01/ && $6 ~ /0x0130/:APRD AL status diagnostics' \
	    '$5 ~ /0x04/ && $6 ~ /0x0130/:FPRD AL status diagnostics' '$9 != "":CoE SDO upload responses' \
	    '$13 == 5 && $14 == 0:DCP Identify request' '$13 == 5 && $14 == 1:DCP Identify responses' \
	    '$10 == 49153:RT input frames' '$10 == 49152:RT output frames'; do
	[ "$(count $f "${what%%:*}")" -gt 0 ] && ok "small-cell: ${what#*:}" || fail "small-cell: ${what#*:}"
done
expect_eq "small-cell: 4 devices answer Identify" \
	"$(q $f '$13 == 5 && $14 == 1' 'print $15' | sort -u | tr '\n' ' ')" \
	"et200sp-1 et200sp-2 et200sp-3 et200sp-4 "
expect_eq "small-cell: AL states PREOP→SAFEOP→OP requested in order" \
	"$(q $f "\$3 == \"$M\" && \$8 != \"\"" 'print $8' | cut -d, -f1 | uniq | tr '\n' ' ')" \
	"0x0002 0x0004 0x0008 "
expect_eq "small-cell: CoE SDO reads the vendor ID of every slave" \
	"$(q $f "\$3 == \"$R\" && \$9 != \"\"" 'print $9' | sort | uniq -c | awk '{print $1, $2}' | head -1)" \
	"8 0x00000002"
# returning LRW: outputs 3 slaves x 2 + inputs 4 slaves x 1 = 10; BRD: 8 slaves
expect_eq "small-cell: working counters of the returning frames" \
	"$(q $f "\$3 == \"$R\" && \$5 ~ /0x0c/" 'print $7' | sort -u)" "10,8"
expect_eq "small-cell: the master's frames carry working counter 0" \
	"$(q $f "\$3 == \"$M\" && \$5 ~ /0x0c/" 'print $7' | sort -u)" "0,0"
cc=$(q $f '$10 == 49153' 'print $11' | head -3 | tr '\n' ' ')
set -- $cc
expect_eq "small-cell: RT cycle counter steps 64 (2 ms / 31.25 µs)" "$(( ($2 - $1 + 65536) % 65536 ))" 64
expect_eq "small-cell: RT data status valid, primary, run" \
	"$(q $f '$10 == 49153' 'print $12' | sort -u)" "0x35"

# large-line: over 1,000 devices, all talking
f=$tmp/large-line.pcap
expect_eq "large-line: 240 PROFINET devices answer Identify" \
	"$(q $f '$13 == 5 && $14 == 1' 'print $3' | sort -u | wc -l)" 240
expect_eq "large-line: 800 EtherCAT slaves read out over SII" \
	"$(q $f '$5 == "0x04" && $6 == "0x0508" && $3 ~ /^00/' 'print $3, $1' | wc -l)" 3200
for c in "0x0a:LRD" "0x0b:LWR" "0x0c:LRW"; do
	[ "$(count $f "\$5 ~ /${c%%:*}/")" -gt 0 ] && ok "large-line: cyclic ${c#*:}" || fail "large-line: cyclic ${c#*:}"
done
expect_eq "large-line: 240 devices send RT input frames" \
	"$(q $f '$10 >= 49152 && $10 < 63488' 'print $3' | sort -u | wc -l)" 244

# faulty-line: every fault kind is visible
f=$tmp/faulty-line.pcap
M=00:1b:21:30:00:01 R=02:1b:21:30:00:01
sent=$(count $f "\$3 == \"$M\" && \$5 ~ /0x0c/")
back=$(count $f "\$3 == \"$R\" && \$5 ~ /0x0c/")
[ "$back" -lt "$sent" ] && ok "faulty-line: lost frames ($sent sent, $back returned)" ||
	fail "faulty-line: lost frames" "$sent sent, $back returned"
# columns 7: "LRW wkc,BRD wkc"; a dropped slave also leaves the BRD count
wkcs=$(q $f "\$3 == \"$R\" && \$5 ~ /0x0c/" 'print $7' | sort -u | tr '\n' ' ')
[[ " $wkcs" == *" 18,6 "* ]] && [[ " $wkcs" == *" 15,6 "* ]] && ok "faulty-line: working counter errors ($wkcs)" ||
	fail "faulty-line: working counter errors" "saw $wkcs"
[[ " $wkcs" == *",5 "* ]] && ok "faulty-line: a slave drops out" || fail "faulty-line: a slave drops out" "saw $wkcs"
gaps=$(q $f "\$3 == \"$M\" && \$5 ~ /^0x0c/" 'if (p && $2 - p > 0.0012) n++; p = $2} END {print n+0' )
[ "$gaps" -gt 0 ] && ok "faulty-line: jitter spikes ($gaps late cycles)" || fail "faulty-line: jitter spikes"
expect_eq "faulty-line: an unknown device says Hello" \
	"$(q $f '$13 == 6' 'print $15' | sort -u)" rogue-device
expect_eq "faulty-line: a stranger sets a station name" \
	"$(q $f '$13 == 4 && $14 == 0' 'print $3, $15')" "02:de:ad:be:ef:01 renamed-by-stranger"
expect_eq "faulty-line: the device confirms the Set" "$(count $f '$13 == 4 && $14 == 1')" 1
[ "$(count $f '$10 == 65025 || $10 == 64513')" -gt 0 ] &&
	ok "faulty-line: PROFINET alarms with acknowledgements" || fail "faulty-line: PROFINET alarms"
pn_lost=$(( $(count $f '$10 == 49154') - $(count $f '$10 == 49155') ))
[ $pn_lost -gt 0 ] && ok "faulty-line: a device loses input frames ($pn_lost)" ||
	fail "faulty-line: a device loses input frames"

# pcapng output, and the same seed gives the same frames
sim $SC/small-cell.conf --out $tmp/a.pcapng --cycles 300
dump $tmp/a.pcapng
expect_eq "pcapng output: accepted, no problems" "$(problems $tmp/a.pcapng)" 0
expect_eq "pcapng output: --cycles 300 of the 1 ms master: 300 ms" \
	"$(awk -F'\t' 'NR == 1 {a = $2} {b = $2} END {printf "%.1f", b - a}' $tmp/a.pcapng.txt)" 0.3
sim $SC/faulty-line.conf --out $tmp/b1.pcap --duration 1 --seed 9
sim $SC/faulty-line.conf --out $tmp/b2.pcap --duration 1 --seed 9
sim $SC/faulty-line.conf --out $tmp/b3.pcap --duration 1 --seed 10
h() { tail -c +25 "$1" | python3 -c '
import sys, struct, hashlib
d = sys.stdin.buffer.read(); h = hashlib.md5(); o = 0
while o + 16 <= len(d):
    n = struct.unpack_from("<I", d, o + 8)[0]; h.update(d[o + 16:o + 16 + n]); o += 16 + n
print(h.hexdigest())'; }
expect_eq "same --seed, same frames" "$(h $tmp/b1.pcap)" "$(h $tmp/b2.pcap)"
[ "$(h $tmp/b1.pcap)" != "$(h $tmp/b3.pcap)" ] && ok "another --seed, other faults" || fail "another --seed, other faults"
