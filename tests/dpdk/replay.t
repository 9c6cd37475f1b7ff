#!/usr/bin/env bash
# iiot-dpdk on a net_pcap vdev replaying each real capture: every frame the
# filter keeps arrives byte-identical in the ring (tshark is the oracle for
# which frames match), stamped, tagged as DPDK; ring-full drops are counted.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/dpdk_lib.sh"

command -v tshark >/dev/null || skip_all "tshark not installed"

# capture FILE RING OPTS...: replay FILE through iiot-dpdk into RING, wait
# until every frame of the file was received, stop; $tmp/out.json = counters
capture() {
	local file=$1 ring=$2 total
	shift 2
	total=$("$RINGCAT" pcap "$file" | wc -l)
	ring_rm "$ring"
	cleanup_push "ring_rm $ring"
	rm -f $tmp/stats.json
	eal_setup
	dpdk_start $tmp/out.json $tmp/err "${EAL[@]}" \
		"--vdev=net_pcap0,rx_pcap=$file" -- --port 0 --ring "$ring" \
		--snaplen 16384 --stats-file $tmp/stats.json \
		--stats-interval 0.1 "$@"
	t0=$(date +%s%N)
	if ! wait_json $tmp/stats.json ".received >= $total" 60; then
		dpdk_stop
		return 1
	fi
	dpdk_stop
}

# oracle FILE FILTER: the frames tshark keeps, as ringcat lines (IP not
# reassembled: a UDP port is in the first fragment's frame)
oracle() {
	tshark -o ip.defragment:FALSE -r "$1" -Y "$2" -w $tmp/want.pcap -F pcap 2>/dev/null
	"$RINGCAT" pcap $tmp/want.pcap >$tmp/want.txt
}

# the default filter: fieldbus, LLDP and PNIO-CM (IPv4 UDP port 34964, not
# as quoted in an ICMP error)
IND='eth.type == 0x88a4 || eth.type == 0x8892 || eth.type == 0x88cc ||
	vlan.etype == 0x88a4 || vlan.etype == 0x8892 || vlan.etype == 0x88cc ||
	(ip.version == 4 && udp.port == 34964 && !icmp)'

# the real captures; the generated corner cases below need none
if [ -n "$(shared_pcaps)" ]; then
	i=0
	while read -r f; do
		i=$((i + 1))
		name=${f##*/}
		ring=$(ring_name r$i)
		if ! capture "$f" "$ring"; then
			fail "$name: replayed through net_pcap" "$(tail -3 $tmp/err)"
			continue
		fi
		t1=$(date +%s%N)
		oracle "$f" "$IND"
		"$RINGCAT" ring "$ring" >$tmp/got.txt 2>$tmp/ring.json
		want=$(wc -l <$tmp/want.txt)
		expect_eq "$name: $want industrial frames in the ring" \
			"$(jq .records $tmp/ring.json)/$(jq .written $tmp/out.json)" "$want/$want"
		if cmp -s <(frames $tmp/want.txt) <(frames $tmp/got.txt); then
			ok "$name: frames byte-identical, in order"
		else
			fail "$name: frames byte-identical, in order" \
				"$(diff <(frames $tmp/want.txt) <(frames $tmp/got.txt) | head -4 | cut -c1-120)"
		fi
		bad=$(awk -v a="$t0" -v b="$t1" '$1 < a || $1 > b || $2 != 0 || $3 != 3' $tmp/got.txt | wc -l)
		expect_eq "$name: software ns stamps within the run, source dpdk" "$bad" 0
		expect_eq "$name: ring closed, nothing dropped" \
			"$(jq -r '"\(.state) \(.drops)"' $tmp/ring.json)" "closed 0"
		ring_rm "$ring"
	done < <(shared_pcaps)

	# Configurable ethertypes and --all, on the capture with IP noise in it.
	f=$(shared_pcaps | grep soem-sdinfo | head -1)
	[ -n "$f" ] || f=$(shared_pcaps | head -1)
	ring=$(ring_name ip)
	if capture "$f" "$ring" --ethertype 0x0800,0x0806; then
		oracle "$f" 'eth.type == 0x0800 || eth.type == 0x0806 || vlan.etype == 0x0800 || vlan.etype == 0x0806'
		"$RINGCAT" ring "$ring" >$tmp/got.txt 2>/dev/null
		if cmp -s <(frames $tmp/want.txt) <(frames $tmp/got.txt); then
			ok "--ethertype 0x0800,0x0806 keeps exactly those frames ($(wc -l <$tmp/want.txt))"
		else
			fail "--ethertype 0x0800,0x0806 keeps exactly those frames"
		fi
	else
		fail "--ethertype run" "$(tail -3 $tmp/err)"
	fi
	if capture "$f" "$ring" --all; then
		"$RINGCAT" pcap "$f" >$tmp/want.txt
		"$RINGCAT" ring "$ring" >$tmp/got.txt 2>/dev/null
		if cmp -s <(frames $tmp/want.txt) <(frames $tmp/got.txt); then
			ok "--all keeps every frame ($(wc -l <$tmp/want.txt))"
		else
			fail "--all keeps every frame"
		fi
		expect_eq "--all: nothing filtered" "$(jq .filtered $tmp/out.json)" 0
	else
		fail "--all run" "$(tail -3 $tmp/err)"
	fi

	# A ring too small for the capture and nobody draining it: every frame is
	# either written or counted as dropped, in iiot-dpdk and in the ring.
	f=$(shared_pcaps | xargs ls -S | head -1)
	ring=$(ring_name small)
	if capture "$f" "$ring" --ring-size 64K --snaplen 1518 --all; then
		"$RINGCAT" ring "$ring" >/dev/null 2>$tmp/ring.json
		m=$(jq .matched $tmp/out.json)
		w=$(jq .written $tmp/out.json)
		d=$(jq .ring_drops $tmp/out.json)
		check "small ring: frames were dropped ($d)" test "$d" -gt 0
		expect_eq "small ring: written + dropped = matched" $((w + d)) "$m"
		expect_eq "small ring: the ring counts the same drops" \
			"$(jq -r '"\(.records) \(.drops)"' $tmp/ring.json)" "$w $d"
	else
		fail "small ring run" "$(tail -3 $tmp/err)"
	fi
else
	skip "real captures through net_pcap" "no captures in $PCAPS"
fi

# Filter corners and truncation on generated frames: QinQ, 0x9100 tags,
# three tags (not looked into), runts, and frames longer than the snap
# length (cut, flagged truncated, wire length kept).
python3 - $tmp/corners.pcap $tmp/corners.want <<'PY'
import struct, sys
D = bytes.fromhex("ffffffffffff020000000001")
def tag(tpid, vid): return struct.pack(">HH", tpid, vid)
def ip(ihl, proto, sport, dport, frag=0):
    hl = max(ihl, 5) * 4
    h = struct.pack(">BBHHHBBH4s4s", 0x40 | ihl, 0, hl + 48, 1, frag, 64,
                    proto, 0, bytes([192, 168, 0, 10]), bytes([192, 168, 0, 20]))
    return h + b"\x01" * (hl - 20) + struct.pack(">HH", sport, dport)
frames = [
    (D + tag(0x88a8, 10) + tag(0x8100, 20) + b"\x88\xa4" + bytes(60), True),
    (D + tag(0x9100, 7) + b"\x88\x92" + bytes(50), True),
    (D + tag(0x8100, 1) + tag(0x8100, 2) + tag(0x8100, 3) + b"\x88\xa4" + bytes(50), False),
    (D + b"\x88", False),                       # runt: no full ethertype
    (D + tag(0x8100, 1), False),                # tag, nothing after it
    (D + b"\x88\xa4" + bytes(range(256)) * 6, True),   # 1550 bytes
    (D + b"\x08\x00" + bytes(60), False),
    (D + b"\x88\xcc" + bytes(50), True),                         # LLDP
    (D + b"\x08\x00" + ip(5, 17, 0xc001, 34964) + bytes(40), True),   # PNIO-CM
    (D + b"\x08\x00" + ip(7, 17, 34964, 0xc001) + bytes(40), True),   # options
    (D + tag(0x8100, 5) + b"\x08\x00" + ip(5, 17, 0xc001, 34964) + bytes(40), True),
    (D + b"\x08\x00" + ip(5, 17, 0xc001, 53) + bytes(40), False),     # DNS
    (D + b"\x08\x00" + ip(5, 6, 0xc001, 34964) + bytes(40), False),   # TCP
    (D + b"\x08\x00" + ip(5, 17, 0xc001, 34964, frag=185) + bytes(40), False),
    (D + b"\x08\x00" + ip(7, 17, 0xc001, 34964)[:26], False),        # ports cut
    (D + b"\x08\x00" + ip(4, 17, 0xc001, 34964) + bytes(40), False),  # IHL < 5
]
with open(sys.argv[1] + ".n", "w") as n:
    n.write("%d\n" % len(frames))
with open(sys.argv[1], "wb") as f, open(sys.argv[2], "w") as w:
    f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
    for i, (fr, keep) in enumerate(frames):
        f.write(struct.pack("<IIII", 1700000000, i, len(fr), len(fr)) + fr)
        if keep:
            cap = min(len(fr), 128)
            w.write("%d %d %s\n" % (len(fr), cap, fr[:cap].hex()))
PY
ring=$(ring_name corners)
if capture $tmp/corners.pcap "$ring" --snaplen 128; then
	"$RINGCAT" ring "$ring" >$tmp/got.txt 2>/dev/null
	if cmp -s $tmp/corners.want <(frames $tmp/got.txt); then
		ok "QinQ and 0x9100 tags kept, 3 tags and runts not, long frame cut to the snap length, LLDP and PNIO-CM (options, VLAN) kept, DNS, TCP, later fragments and cut headers not"
	else
		fail "QinQ and 0x9100 tags kept, 3 tags and runts not, long frame cut to the snap length, LLDP and PNIO-CM kept, other IP not" \
			"$(diff $tmp/corners.want <(frames $tmp/got.txt) | cut -c1-100)"
	fi
	expect_eq "the cut frame is flagged truncated" \
		"$(awk '$5 > $6 {print $2}' $tmp/got.txt)" 2
else
	fail "corner frames run" "$(tail -3 $tmp/err)"
fi

# Two ports into one ring: each frame carries its port (no kernel ifindex
# on net_pcap: the port id), and each port's frames keep their order.
ring=$(ring_name ports)
ring_rm "$ring"
cleanup_push "ring_rm $ring"
rm -f $tmp/stats.json
eal_setup
dpdk_start $tmp/out.json $tmp/err "${EAL[@]}" \
	"--vdev=net_pcap0,rx_pcap=$tmp/corners.pcap" \
	"--vdev=net_pcap1,rx_pcap=$tmp/corners.pcap" -- \
	--port net_pcap0 --port 1 --ring "$ring" --snaplen 128 \
	--stats-file $tmp/stats.json --stats-interval 0.1
NC=$(cat $tmp/corners.pcap.n)
if wait_json $tmp/stats.json ".received >= $((2 * NC))" 60; then
	dpdk_stop
	"$RINGCAT" ring "$ring" >$tmp/got.txt 2>/dev/null
	for p in 0 1; do
		if cmp -s $tmp/corners.want <(awk -v p=$p '$4 == p' $tmp/got.txt | frames /dev/stdin); then
			ok "two ports, one ring: port $p's frames complete and in order"
		else
			fail "two ports, one ring: port $p's frames complete and in order"
		fi
	done
	check "two ports: counters per port" \
		jq -e --argjson n "$NC" '(.ports | length) == 2 and all(.ports[]; .ipackets == $n)' $tmp/out.json
	expect_eq "two ports: the ring's nic_packets is both ports' sum" \
		"$("$BIN/iiotctl" rings --json "$ring" | jq '.rings[0].nic_packets')" $((2 * NC))
else
	dpdk_stop
	fail "two ports run" "$(tail -3 $tmp/err)"
fi
