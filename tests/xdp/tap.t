#!/usr/bin/env bash
# Tap mode on a live veth rig: every industrial frame sent reaches the ring
# (count and bytes), per-protocol counters match what was sent, other
# ethertypes are counted but not captured, the default takes LLDP and
# PROFINET's connect (IPv4 UDP port 34964, any header length, in a VLAN
# too) but no other IP traffic, the ethertype list is configurable, and
# detach leaves no program behind.
. "$(dirname "$0")/common.sh"
xdp_require
netns_pair xtap || { fail "veth rig"; exit 0; }
RING=xtap-$$-$RANDOM

xdp_start "$NS_B" "$IF_B" "$RING" --mode tap || { fail "iiot-xdp tap starts" "$(cat "$XDIR/$RING.err")"; exit 0; }
ok "iiot-xdp tap attaches to $IF_B"
check "program visible on the interface" bash -c "ip -n $NS_B link show dev $IF_B | grep -q 'prog/xdp'"

# name count args...: frames of each kind, paced so the test is about
# correctness, not speed
send() { gen "$NS_A" "$IF_A" --rate 10000 "$@" >>"$XDIR/gen.log"; }
send --count 3000 --proto ecat
send --count 1000 --proto pn-rt --size 120
send --count 200 --proto pn-dcp --size 80
send --count 50 --proto pn-alarm --size 90
send --count 30 --proto pn-other
send --count 500 --proto other --size 100
send --count 200 --proto ecat --vlan 7
send --count 100 --proto pn-rt --vlan 7 --qinq 100
send --count 20 --proto pn-rt --size 14      # ethertype only: no FrameID
send --count 10 --proto ecat --size 16 --vlan 3  # tag but no ethertype
# the default filter's LLDP and PNIO-CM, and IP traffic it leaves alone
send --count 40 --proto lldp
send --count 30 --proto pnio-cm --size 200
send --count 20 --proto pnio-cm-rsp --size 150 --ip-opts 3
send --count 10 --proto pnio-cm --size 120 --vlan 5
send --count 25 --proto udp53 --size 100
send --count 15 --proto tcp --size 100
send --count 5 --proto pnio-cm-frag --size 100
send --count 5 --proto pnio-cm --size 36 --ip-opts 1  # ports cut off

in_ns "$NS_B" "$XDP" stats --iface "$IF_B" --json >"$XDIR/live.json" 2>&1
expect_eq "stats while running: ethercat" "$(jget "$XDIR/live.json" .ethercat.frames)" 3200

xdp_stop
expect_eq "exit status after SIGTERM" "$?" 0
F=$XDIR/$RING.json
rig_clean
expect_eq "ethercat frames" "$(jget "$F" .ethercat.frames)" 3200
expect_eq "ethercat bytes" "$(jget "$F" .ethercat.bytes)" $((3200 * 64))
expect_eq "profinet rt frames (plain, QinQ)" "$(jget "$F" .profinet_rt.frames)" 1100
expect_eq "profinet dcp frames" "$(jget "$F" .profinet_dcp.frames)" 200
expect_eq "profinet alarm frames" "$(jget "$F" .profinet_alarm.frames)" 50
expect_eq "profinet other frames" "$(jget "$F" .profinet_other.frames)" 30
expect_eq "other ethertype frames" "$(jget "$F" .other.frames)" $((500 + 40 + 30 + 20 + 10 + 25 + 15 + 5 + 5))
expect_eq "vlan-tagged frames" "$(jget "$F" .vlan.frames)" 310
expect_eq "malformed frames counted" "$(jget "$F" .malformed.frames)" 30

want=$((3200 + 1100 + 200 + 50 + 30 + 40 + 30 + 20 + 10))
want_bytes=$((3200 * 64 + 1000 * 120 + 100 * 64 + 200 * 80 + 50 * 90 + 30 * 64 +
	40 * 64 + 30 * 200 + 20 * 150 + 10 * 120))
expect_eq "frames captured into the ring" "$(jget "$F" .frames)" $want
expect_eq "bytes captured into the ring" "$(jget "$F" .bytes)" $want_bytes
expect_eq "no drops" "$(jget "$F" '.ring_drops + .socket_drops')" 0
"$RINGDUMP" --json --wait 2 --timeout 20 "$RING" >"$XDIR/dump.json" 2>&1
expect_eq "ring consumer reads every frame" "$(jget "$XDIR/dump.json" .frames)" $want
expect_eq "ring consumer reads every byte" "$(jget "$XDIR/dump.json" .bytes)" $want_bytes
expect_eq "ring source is XDP" "$(jget "$XDIR/dump.json" .source)" 2
first=$(jget "$XDIR/dump.json" .first_ns); now=$(date +%s%N)
check "timestamps are wall-clock nanoseconds" test $((now - first)) -gt 0 -a $((now - first)) -lt 600000000000

expect_eq "native: device-bound program asks the NIC for RX stamps" "$(jget "$F" .hw_ts_program)" true
expect_eq "veth has no NIC stamps: all software" "$(jget "$F" .hw_stamped)" 0
check "detach leaves no XDP program" xdp_detached "$NS_B" "$IF_B"
check "counters unpinned on exit" test ! -e "/sys/fs/bpf/iiot/$IF_B/counters"

# The old narrow filter, named: the fieldbus frames only.
RING3=$RING-n
xdp_start "$NS_B" "$IF_B" "$RING3" --mode tap --ethertypes 0x88a4,0x8892 ||
	{ fail "iiot-xdp narrow filter starts" "$(cat "$XDIR/$RING3.err")"; exit 0; }
send --count 20 --proto lldp
send --count 20 --proto pnio-cm --size 200
send --count 30 --proto ecat
xdp_stop
expect_eq "--ethertypes 0x88a4,0x8892: no LLDP, no PNIO-CM" "$(jget "$XDIR/$RING3.json" .frames)" 30

# Configurable ethertypes: capture only 0x88b5, in generic (skb) mode.
RING2=$RING-e
xdp_start "$NS_B" "$IF_B" "$RING2" --mode tap --xdp-mode generic --ethertypes 0x88b5 ||
	{ fail "iiot-xdp generic mode starts" "$(cat "$XDIR/$RING2.err")"; exit 0; }
send --count 400 --proto other
send --count 300 --proto ecat
xdp_stop
F=$XDIR/$RING2.json
expect_eq "generic mode attached" "$(jget "$F" .xdp_mode)" generic
expect_eq "generic: plain program (software stamps)" "$(jget "$F" .hw_ts_program)" false
expect_eq "--ethertypes: only 0x88b5 captured" "$(jget "$F" .frames)" 400
expect_eq "--ethertypes: ethercat still counted" "$(jget "$F" .ethercat.frames)" 300
check "generic detach leaves no XDP program" xdp_detached "$NS_B" "$IF_B"

# More frames than UMEM buffers: each buffer goes back to the fill ring
# once its frame is in the ring, so 64 buffers carry 2,000 frames.  A frame
# that finds no buffer (a busy machine) is counted, never lost silently.
RING4=$RING-f
xdp_start "$NS_B" "$IF_B" "$RING4" --mode tap --frames 64 ||
	{ fail "iiot-xdp --frames 64 starts" "$(cat "$XDIR/$RING4.err")"; exit 0; }
gen "$NS_A" "$IF_A" --rate 2000 --count 2000 --proto ecat >>"$XDIR/gen.log"
xdp_stop
F=$XDIR/$RING4.json
check "--frames 64: buffers reused (more frames captured than buffers)" test "$(jget "$F" .frames)" -gt 64
# ring_drops holds the socket's drops and the program's capture_fail
expect_eq "--frames 64: every frame the program took captured or counted" \
	"$(jget "$F" '.frames + .ring_drops')" "$(jget "$F" '.captured.frames + .capture_fail.frames')"
expect_eq "copy mode (veth): no need_wakeup kick asked" "$(jget "$F" .xsk_wakeups)" 0
check "--frames 64 detach leaves no XDP program" xdp_detached "$NS_B" "$IF_B"
