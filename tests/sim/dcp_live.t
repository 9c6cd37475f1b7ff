#!/usr/bin/env bash
# iiot-sim on a live interface: a veth pair in a private network namespace.
# A raw-socket client on the other end sends DCP Identify, Get and Set;
# the simulated devices answer as real ones would (checked with tshark).
. "$(dirname "$0")/../lib.sh"

command -v tshark >/dev/null || skip_all "tshark not installed"
[ "$(id -u)" -eq 0 ] || skip_all "needs root for a network namespace"
ns=iiot-sim-$$
ip netns add $ns 2>/dev/null || skip_all "cannot create a network namespace"
tmp=$(mktemp -d)
cleanup_push "ip netns del $ns"
cleanup_push "rm -rf $tmp"
in_ns() { ip netns exec $ns "$@"; }
in_ns ip link add sim0 type veth peer name probe0 &&
in_ns ip link set sim0 up && in_ns ip link set probe0 up ||
	skip_all "cannot create a veth pair"

# nsenter execs (ip netns exec forks): $! is the simulator itself
nsenter --net=/run/netns/$ns "$BIN/iiot-sim" "$IIOT_TOP/sim/scenarios/small-cell.conf" --iface sim0 \
	--duration 60 2>$tmp/sim.err &
sim=$!
cleanup_push "kill $sim"

# The client: requests out, every DCP frame addressed to it saved as pcap.
in_ns python3 - probe0 $tmp/answers.pcap <<'PY'
import socket, struct, sys, time
ifname, out = sys.argv[1], sys.argv[2]
me = bytes.fromhex("020000000099")
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
s.bind((ifname, 0))
s.settimeout(0.05)
# the kernel takes a received frame's outer VLAN tag off: ask for it
s.setsockopt(263, 8, 1)         # SOL_PACKET, PACKET_AUXDATA

def recv():
    f, anc, _, _ = s.recvmsg(2048, socket.CMSG_SPACE(20))
    for lvl, typ, d in anc:
        if lvl == 263 and typ == 8 and len(d) >= 20:
            st, _, _, _, _, tci, tpid = struct.unpack("=IIIHHHH", d[:20])
            if st & 0x10:       # TP_STATUS_VLAN_VALID
                tpid = tpid if st & 0x40 else 0x8100
                f = f[:12] + struct.pack(">HH", tpid, tci) + f[12:]
    return f

def untag(f):
    # the ethertype and body after up to two tags, and the tags
    o = 12
    while f[o:o + 2] in (b"\x81\x00", b"\x88\xa8") and o < 20:
        o += 4
    return f[o:], f[12:o]

def block(opt, sub, body):
    b = bytes([opt, sub]) + struct.pack(">H", len(body)) + body
    return b + (b"\0" if len(body) % 2 else b"")

def dcp(dst, frame_id, service, xid, blocks, delay=0, length=None, tags=b""):
    data = b"".join(blocks)
    n = len(data) if length is None else length
    f = dst + me + tags + b"\x88\x92" + struct.pack(">HBBIHH", frame_id, service, 0, xid, delay, n) + data
    s.send(f + b"\0" * max(0, 60 - len(f)))

mc = bytes.fromhex("010ecf000000")
dev = lambda n: bytes.fromhex("000e8c10000%d" % n)
got = []
def collect(seconds):
    end = time.time() + seconds
    while time.time() < end:
        try:
            f = recv()
        except socket.timeout:
            continue
        body = untag(f)[0]
        if f[0:6] == me and body[0:2] == b"\x88\x92" and body[2:4] in (b"\xfe\xfd", b"\xfe\xff"):
            got.append((time.time(), f))

# wait until the simulator's traffic arrives: then its socket is open
end = time.time() + 20
while time.time() < end:
    try:
        if s.recv(2048)[12:14] == b"\x88\xa4":
            break
    except socket.timeout:
        pass
dcp(mc, 0xfefe, 5, 0x1001, [block(0xff, 0xff, b"")], delay=1)
collect(0.5)
dcp(mc, 0xfefe, 5, 0x1002, [block(2, 2, b"et200sp-3")], delay=1)
collect(0.3)
dcp(dev(3), 0xfefd, 4, 0x1003, [block(2, 2, b"\x00\x01renamed-3")])
collect(0.3)
dcp(mc, 0xfefe, 5, 0x1004, [block(2, 2, b"renamed-3")], delay=1)
collect(0.3)
dcp(dev(1), 0xfefd, 3, 0x1005, [bytes([2, 2, 1, 2, 2, 3])])
collect(0.3)
dcp(dev(2), 0xfefd, 4, 0x1006, [block(5, 3, b"\x00\x00\x01\x00")])
collect(0.3)
dcp(dev(1), 0xfefd, 4, 0x1007, [block(2, 2, b"\x00\x01x")], length=400)   # lies about its length
collect(0.3)
dcp(dev(4), 0xfefd, 4, 0x1008, [block(1, 2, b"\x00\x01" + socket.inet_aton("192.168.0.99") +
                                      socket.inet_aton("255.255.255.0") + socket.inet_aton("0.0.0.0"))])
collect(0.3)
dcp(mc, 0xfefe, 5, 0x1009, [block(1, 2, socket.inet_aton("192.168.0.99"))], delay=1)
collect(0.5)
# as on a Siemens line: priority-tagged (VID 0), in a VLAN, double-tagged
dcp(mc, 0xfefe, 5, 0x100a, [block(2, 2, b"et200sp-2")], delay=1, tags=b"\x81\x00\x00\x00")
collect(0.3)
dcp(dev(2), 0xfefd, 3, 0x100b, [bytes([2, 2])], tags=b"\x81\x00\xc0\x07")
collect(0.3)
dcp(dev(1), 0xfefd, 4, 0x100c, [block(2, 2, b"\x00\x01tagged-1")], tags=b"\x88\xa8\x00\x64\x81\x00\x00\x00")
collect(0.3)
with open(out, "wb") as o:
    o.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
    for t, f in got:
        o.write(struct.pack("<IIII", int(t), int(t % 1 * 1e6), len(f), len(f)) + f)
PY
kill -TERM $sim; wait $sim
rc=$?
expect_eq "iiot-sim stops cleanly on SIGTERM" $rc 0

a=$tmp/answers.pcap
tshark -r $a -T fields -e pn_dcp.xid -e pn_dcp.service_id -e pn_dcp.service_type -e eth.src \
	-e pn_dcp.suboption_device_nameofstation -e pn_dcp.block_error -e _ws.malformed \
	-e _ws.expert.severity -e ieee8021ad.id -e vlan.id -e vlan.priority >$tmp/a.txt 2>/dev/null
x() { awk -F'\t' -v x=$1 '$1 == x' $tmp/a.txt; }
expect_eq "every answer dissects cleanly" "$(awk -F'\t' '$7 != "" || $8 ~ /6291456|8388608/' $tmp/a.txt | wc -l)" 0
expect_eq "Identify All: the four devices answer" \
	"$(x 0x00001001 | cut -f5 | sort | tr '\n' ' ')" "et200sp-1 et200sp-2 et200sp-3 et200sp-4 "
expect_eq "Identify by name: only that device answers" \
	"$(x 0x00001002 | cut -f4,5 | tr '\t' ' ')" "00:0e:8c:10:00:03 et200sp-3"
expect_eq "Set NameOfStation: accepted" "$(x 0x00001003 | cut -f2,3,6 | tr '\t' ' ')" "4 1 0"
expect_eq "Identify by the new name finds the renamed device" \
	"$(x 0x00001004 | cut -f4,5 | tr '\t' ' ')" "00:0e:8c:10:00:03 renamed-3"
expect_eq "Get: NameOfStation, IP and DeviceID of one device" \
	"$(x 0x00001005 | cut -f2,3,4,5 | tr '\t' ' ')" "3 1 00:0e:8c:10:00:01 et200sp-1"
expect_eq "Set Signal (flash): accepted" "$(x 0x00001006 | cut -f2,3,6 | tr '\t' ' ')" "4 1 0"
expect_eq "a request that lies about its length gets no answer" "$(x 0x00001007 | wc -l)" 0
expect_eq "Set IP: accepted" "$(x 0x00001008 | cut -f2,3,6 | tr '\t' ' ')" "4 1 0"
expect_eq "Identify by the new IP finds the device" "$(x 0x00001009 | cut -f4)" "00:0e:8c:10:00:04"
expect_eq "an untagged request gets an untagged answer" "$(x 0x00001009 | cut -f9-11 | tr '\t' ' ')" "  "
expect_eq "a priority-tagged Identify: answered in VLAN 0" \
	"$(x 0x0000100a | cut -f4,5,9-11 | tr '\t' ' ')" "00:0e:8c:10:00:02 et200sp-2  0 0"
expect_eq "a Get in VLAN 7 (priority 6): answered in VLAN 7" \
	"$(x 0x0000100b | cut -f2,3,4,9-11 | tr '\t' ' ')" "3 1 00:0e:8c:10:00:02  7 6"
expect_eq "a double-tagged Set: accepted, answered with both tags" \
	"$(x 0x0000100c | cut -f2,3,6,9,10 | tr '\t' ' ')" "4 1 0 100 0"
grep -q "device et200sp-2: DCP Signal" $tmp/sim.err && ok "Signal is shown to the operator" ||
	fail "Signal is shown to the operator" "$(cat $tmp/sim.err)"
grep -q "1 bad DCP requests" $tmp/sim.err && ok "the malformed request is counted" ||
	fail "the malformed request is counted" "$(cat $tmp/sim.err)"
