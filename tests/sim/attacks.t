#!/usr/bin/env bash
# Every attack scenario (sim/scenarios/attacks/*.conf): iiot-sim writes the
# attack and its ground truth; tshark, the oracle, dissects the attack's
# frames as intended (DCP, ARP, EtherCAT, FoE, IPv4/TCP, 802.1Q) without a
# malformed frame or an expert warning; and "iiotctl alerts" raises the
# attack's rule within 1 s (capture time) of its first frame, read from
# the ground-truth file (issue 13 §6, detection bar).
. "$(dirname "$0")/../lib.sh"
command -v tshark >/dev/null || skip_all "tshark not installed"
command -v jq >/dev/null || skip_all "jq not installed"
tmp=$(mktemp -d)
cleanup_push "rm -rf $tmp"
DIR=$IIOT_TOP/sim/scenarios/attacks

# dump FILE: '|'-separated (empty fields stay fields), one line per frame:
#  1 number 2 eth.src 3 eth.dst 4 vlan.id 5 vlan.priority 6 DCP service
#  7 DCP type 8 NameOfStation 9 DCP IP 10 reset qualifier 11 arp.opcode
#  12 arp sender MAC 13 arp sender IP 14 ecat.cmd 15 ecat.adp 16 ecat.ado
#  17 AL control 18 FoE opmode 19 FoE file 20 TCP SYN 21 IP checksum
#  22 TCP checksum 23 expert severity 24 malformed
dump() {
	tshark -o ip.check_checksum:TRUE -o tcp.check_checksum:TRUE -r "$1" \
		-T fields -E occurrence=f -E separator='|' -e frame.number -e eth.src -e eth.dst \
		-e vlan.id -e vlan.priority -e pn_dcp.service_id -e pn_dcp.service_type \
		-e pn_dcp.suboption_device_nameofstation -e pn_dcp.suboption_ip_ip \
		-e pn_dcp.block_qualifier_reset -e arp.opcode -e arp.src.hw_mac \
		-e arp.src.proto_ipv4 -e ecat.cmd -e ecat.adp -e ecat.ado \
		-e ecat.reg.alctrl.ctrl -e ecat_mailbox.foe_opmode \
		-e ecat_mailbox.foe_filename -e tcp.flags.syn -e ip.checksum.status \
		-e tcp.checksum.status -e _ws.expert.severity -e _ws.malformed \
		>"$1.txt" 2>/dev/null
}
# frame FILE N: the dump line of frame N
frame() { sed -n "$2p" "$1.txt"; }
col() { cut -d'|' -f"$1"; }

# The oracle can fail: a frame cut short in its DCP block is flagged.
python3 - $tmp/bad.pcap <<'PY'
import struct, sys
with open(sys.argv[1], "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
    b = bytes.fromhex("010ecf000000000e8c0000018892fefe05000000000100010040ffff0000") + bytes(30)
    f.write(struct.pack("<IIII", 1, 0, len(b), len(b)) + b)
PY
dump $tmp/bad.pcap
[ "$(col 24 <$tmp/bad.pcap.txt)" != "" ] && ok "the oracle flags a malformed frame" || fail "oracle"

# check_effects NAME TRUTH ALERTS: what the attack did to the line (an AR
# it broke) raises its rule once the AR's watchdog and iiotd's ar_timeout
# (1 s) have passed, and within 1 s after that
check_effects() {
	local e r tgt last a ts
	while read -r e; do
		[ -n "$e" ] || continue
		r=$(jq -r .rule <<<"$e")
		tgt=$(jq -r .target <<<"$e")
		last=$(jq .last_cyclic_ns <<<"$e")
		a=$(jq -c --arg r "$r" --arg t "$tgt" 'select(.rule == $r and (.device == $t or .device == null))' <<<"$3" | head -1)
		ts=$(jq .ts_ns <<<"${a:-null}")
		if [ -n "$a" ] && [ "$ts" -ge $((last + 1000000000)) ] && [ "$ts" -lt $((last + 2000000000)) ]; then
			ok "$1: the attack succeeds, $r on $tgt $(((ts - last) / 1000000)) ms after its last cyclic frame"
		else
			fail "$1: $r on $tgt within 1 s after ar_timeout" "last cyclic $last; $3"
		fi
	done < <(jq -c '.effects[]' "$2")
}

n=0
for conf in "$DIR"/*.conf; do
	name=$(basename "$conf" .conf)
	f=$tmp/$name.pcap
	n=$((n + 1))
	if ! "$BIN/iiot-sim" "$conf" --out "$f" --duration 4 2>"$tmp/$name.err"; then
		fail "$name: iiot-sim runs" "$(cat "$tmp/$name.err")"
		continue
	fi
	truth=$(cat "$f.truth.jsonl")
	rule=$(jq -r .rule <<<"$truth")
	kind=$(jq -r .attack <<<"$truth")
	src=$(jq -r .source <<<"$truth")
	first=$(jq .first_frame <<<"$truth")
	t0=$(jq .first_ns <<<"$truth")
	nf=$(jq .frames <<<"$truth")
	if [ "$(wc -l <"$f.truth.jsonl")" -ne 1 ] || [ "$first" = null ] || [ "$nf" -lt 1 ]; then
		fail "$name: one ground-truth line with frames" "$truth"
		continue
	fi

	# tshark: every frame read, none malformed or with a warning
	dump "$f"
	want=$(grep -o "$name: [0-9]* frames" "$tmp/$name.err" | awk '{print $2}')
	bad=$(awk -F'|' '$24 != "" || $23 ~ /6291456|8388608/' "$f.txt" | wc -l)
	if [ "$(wc -l <"$f.txt")" = "$want" ] && [ "$bad" = 0 ]; then
		ok "$name: tshark reads all $want frames, none malformed or warned"
	else
		fail "$name: tshark clean" "$(wc -l <"$f.txt") of $want frames, $bad with problems"
	fi

	# tshark sees the attack's first frame as intended
	line=$(frame "$f" "$first")
	IFS='|' read -r -a c <<<"$line"
	case $kind in
	dcp-set) got="${c[1]} ${c[5]}/${c[6]} ${c[7]} ${c[8]}"
		 exp="$src 4/0 pwned 192.168.0.99" ;;
	dcp-reset) got="${c[1]} ${c[5]}/${c[6]} qualifier ${c[9]}"
		   exp="$src 4/0 qualifier 4" ;;
	identify-flood) got="${c[1]} ${c[5]}/${c[6]} $(awk -F'|' -v s="$src" '$2 == s && $6 == 5 && $7 == 0' "$f.txt" | wc -l)"
			exp="$src 5/0 $nf" ;;
	name-responder) got="${c[1]} ${c[5]}/${c[6]} ${c[7]}"
			exp="$src 5/1 $(jq -r .target <<<"$truth")" ;;
	arp-port-stealing) got="${c[2]} ${c[10]} ${c[11]} ${c[12]}"
			   exp="$src 1 ${c[1]} 10.0.0.250" ;;
	ecat-rogue-master) got="${c[1]} ${c[13]}"; exp="$src 0x07" ;;
	ecat-station-write) got="${c[1]} ${c[13]} ${c[14]} ${c[15]}"
			    exp="$src 0x05 0x1002 0x0010" ;;
	ecat-al-control) got="${c[13]} ${c[15]} ${c[16]}"; exp="0x05 0x0120 0x0001" ;;
	ecat-foe) got="${c[13]} ${c[15]} ${c[17]} ${c[18]}"
		  exp="0x05 0x1000 0x02 ek1100-v2.efw" ;;
	ecat-inject) got="${c[1]} ${c[13]} ${c[15]}"; exp="02:1b:21:10:00:01 0x04 0x0130" ;;
	mac-flood) got="SYN ${c[19]} checksums ${c[20]}/${c[21]}"; exp="SYN 1 checksums 1/1" ;;
	*) got=unknown exp="a known kind" ;;
	esac
	expect_eq "$name: tshark dissects the attack as intended" "$got" "$exp"
	if [ "$(jq .vlan <<<"$truth")" != null ]; then
		rt=$(awk -F'|' '$4 != "" && $5 == 6' "$f.txt" | wc -l)
		[ "${c[3]}" = 0 ] && [ "$rt" -gt 0 ] && ok "$name: the line and the attack are 802.1Q-tagged" ||
			fail "$name: 802.1Q tags" "attack VID '${c[3]}', $rt RT frames with priority 6"
	fi

	# the detection bar
	alerts=$("$BIN/iiotctl" alerts "$f") || { fail "$name: iiotctl alerts"; continue; }
	a=$(jq -c --arg r "$rule" 'select(.rule == $r)' <<<"$alerts" | head -1)
	if [ -z "$a" ]; then
		fail "$name raises $rule" "$alerts"
		continue
	fi
	ts=$(jq .ts_ns <<<"$a")
	fr=$(jq '.frames[0]' <<<"$a")
	if [ "$ts" -ge "$t0" ] && [ $((ts - t0)) -lt 1000000000 ] && [ "$fr" -ge "$first" ]; then
		ok "$name raises $rule $(((ts - t0) / 1000000)) ms after the attack's first frame ($first)"
	else
		fail "$name raises $rule within 1 s" "alert at frame $fr, $(((ts - t0) / 1000000)) ms; attack from frame $first"
	fi
	check_effects "$name" "$f.truth.jsonl" "$alerts"
done
[ "$n" -ge 11 ] && ok "$n attack scenarios" || fail "every attack kind has a scenario" "$n"

# a flood of one rule stays one alert: the Identify flood's 2,000 requests
cnt=$("$BIN/iiotctl" alerts "$tmp/identify-flood.pcap" | jq -s '[.[] | select(.rule == "pn.dcp.identify_flood")] | length')
expect_eq "2,000 Identify requests make one identify_flood alert" "$cnt" 1

# the ground truth follows the run: --truth names it, a ring run too,
# and a scenario without attacks writes none
"$BIN/iiot-sim" "$DIR/dcp-set.conf" --out $tmp/x.pcap --truth $tmp/x.jsonl --duration 2 2>/dev/null
expect_eq "--truth FILE" "$(jq -r .attack $tmp/x.jsonl) $([ -e $tmp/x.pcap.truth.jsonl ] && echo also-default)" "dcp-set "
"$BIN/iiot-sim" "$IIOT_TOP/sim/scenarios/small-cell.conf" --out $tmp/y.pcap --duration 1 2>/dev/null
[ ! -e $tmp/y.pcap.truth.jsonl ] && ok "no attacks, no ground-truth file" || fail "no attacks, no ground-truth file"
"$BIN/iiot-sim" "$DIR/dcp-set.conf" --out $tmp/z.pcap --duration 0.5 2>/dev/null
expect_eq "an attack after the end of the run: no frames in its truth" \
	"$(jq -c '[.frames, .first_ns]' $tmp/z.pcap.truth.jsonl)" "[0,null]"

# an attack alone is a scenario: the bench's line-rate Identify flood
"$BIN/iiot-sim" "$IIOT_TOP/bench/idflood-ring.conf" --out $tmp/fl.pcap --duration 2.1 2>/dev/null
expect_eq "bench/idflood-ring.conf: 0.1 s of flood at 1 GbE line rate" \
	"$(jq -c '[.frames, .rule]' $tmp/fl.pcap.truth.jsonl)" '[148810,"pn.dcp.identify_flood"]'
rm -f $tmp/fl.pcap

# scenario errors name the line
bad() {
	printf '[scenario]\n[ethercat-master m]\n[ethercat-slave s]\nmaster = m\n[profinet-controller c]\n[profinet-device d]\ncontroller = c\n[attack]\n%b' "$1" >$tmp/bad.conf
	"$BIN/iiot-sim" $tmp/bad.conf --out $tmp/bad.pcap 2>&1
}
expect_eq "an unknown kind" "$(bad 'kind = teleport\n')" \
	"iiot-sim: $tmp/bad.conf:9: kind must be one of dcp-set, dcp-reset, identify-flood, name-responder, arp-port-stealing, ecat-rogue-master, ecat-station-write, ecat-al-control, ecat-foe, ecat-inject, mac-flood, not 'teleport'"
expect_eq "a kind that needs a target" "$(bad 'kind = dcp-set\n')" \
	"iiot-sim: $tmp/bad.conf:8: a dcp-set attack needs target = NAME"
expect_eq "a target of the wrong kind" "$(bad 'kind = ecat-foe\ntarget = d\n')" \
	"iiot-sim: $tmp/bad.conf:8: a ecat-foe attack cannot target that"
expect_eq "a key of another kind" "$(bad 'kind = identify-flood\nfile = x.efw\n')" \
	"iiot-sim: $tmp/bad.conf:8: file does not apply to a identify-flood attack"
expect_eq "an EtherCAT attacker with a local MAC" "$(bad 'kind = ecat-inject\ntarget = m\nsource = 02:00:00:00:00:01\n')" \
	"iiot-sim: $tmp/bad.conf:8: an EtherCAT attacker's MAC must be globally administered (the slaves set bit 1 on the returning frame)"
echo "1..$_tap_n"
