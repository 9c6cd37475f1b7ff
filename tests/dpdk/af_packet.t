#!/usr/bin/env bash
# iiot-dpdk on net_af_packet over a veth pair in a private network
# namespace, with traffic sent live: the industrial frames arrive
# byte-identical; frames the kernel socket missed while the helper was
# stopped show up as NIC misses in the ring's own drop counter; the line
# simulator's scenario played live arrives frame for frame.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/dpdk_lib.sh"

[ "$(id -u)" -eq 0 ] || skip_all "needs root for network namespaces"
command -v nsenter >/dev/null || skip_all "nsenter (util-linux) not installed"
ns=iiot-dpdk-$$-$RANDOM
ip netns add $ns 2>/dev/null || skip_all "cannot create network namespaces"
cleanup_push "ip netns del $ns"
in_ns() { nsenter --net=/run/netns/$ns "$@"; }
# IPv6 off: no neighbour discovery chatter on the link
in_ns sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
in_ns ip link add vsend type veth peer name vcap || skip_all "cannot create veth pairs"
in_ns ip link set vsend up && in_ns ip link set vcap up

SEND=$(dirname "$0")/send_frames.py
ring=$(ring_name af)
cleanup_push "ring_rm $ring"

# start_capture [OPTS...]: iiot-dpdk on vcap; returns when the port is up.
# The socket ring holds 8192 frames: net_af_packet cannot report what the
# kernel drops, and a loaded test machine may not schedule the helper for
# tens of milliseconds.
VDEV=net_af_packet0,iface=vcap,framecnt=8192
start_capture() {
	ring_rm $ring
	rm -f $tmp/stats.json
	eal_setup
	# the EAL's runtime folder and the ring must be the host's: keep the
	# mount namespace, enter only the network one
	DPDK_WRAP=(nsenter --net=/run/netns/$ns)
	dpdk_start $tmp/out.json $tmp/err "${EAL[@]}" "--vdev=$VDEV" -- \
		--port 0 --ring $ring --stats-file $tmp/stats.json \
		--stats-interval 0.1 "$@"
	wait_json $tmp/stats.json '.running' 30
}

# 1. a mix of frames sent live: the industrial ones arrive byte-identical
if start_capture; then
	in_ns python3 "$SEND" vsend $tmp/want.txt 700
	want=$(wc -l <$tmp/want.txt)
	wait_json $tmp/stats.json ".received >= 700" 30
	dpdk_stop
	expect_eq "af_packet: exit status 0 after SIGTERM" $? 0
	"$RINGCAT" ring $ring >$tmp/got.txt 2>$tmp/ring.json
	expect_eq "af_packet: $want of 700 frames kept (EtherCAT, PROFINET, VLAN-tagged)" \
		"$(jq -r '"\(.received) \(.written)"' $tmp/out.json)" "700 $want"
	if cmp -s <(frames $tmp/want.txt) <(frames $tmp/got.txt); then
		ok "af_packet: frames byte-identical, in order, VLAN tags kept"
	else
		fail "af_packet: frames byte-identical, in order, VLAN tags kept" \
			"$(diff <(frames $tmp/want.txt) <(frames $tmp/got.txt) | head -4 | cut -c1-120)"
	fi
	ifindex=$(in_ns ip -o link show vcap | cut -d: -f1)
	bad=$(awk -v i="$ifindex" '$3 != 3 || $4 != i' $tmp/got.txt | wc -l)
	expect_eq "af_packet: records carry source dpdk and the kernel ifindex" "$bad" 0
else
	fail "af_packet: capture started" "$(tail -3 $tmp/err)"
fi

# 2. the helper stopped while the line goes on: the kernel socket's buffer
#    overflows, and those misses reach the libshm ring's drop counter.
#    DPDK 22.11's net_af_packet does not report its socket's drops, so this
#    runs on net_pcap reading the same interface live, which does.
VDEV=net_pcap0,rx_iface=vcap
if start_capture; then
	kill -STOP $dpdk_pid
	in_ns python3 "$SEND" vsend $tmp/want.txt 20000
	kill -CONT $dpdk_pid
	wait_json $tmp/stats.json '.received + .imissed >= 20000' 30
	sleep 0.3	# one more housekeeping tick
	dpdk_stop
	"$RINGCAT" ring $ring >/dev/null 2>$tmp/ring.json
	check "NIC misses: the socket dropped frames ($(jq .imissed $tmp/out.json))" \
		jq -e '.imissed > 0' $tmp/out.json
	check "NIC misses: received + missed = sent" \
		jq -e '.received + .imissed == 20000' $tmp/out.json
	expect_eq "NIC misses: counted in the ring's drops" \
		"$(jq .drops $tmp/ring.json)" \
		"$(jq '.nic_drops + .ring_drops' $tmp/out.json)"
	expect_eq "NIC misses: all of them" \
		"$(jq .nic_drops $tmp/out.json)" "$(jq '.imissed + .rx_nombuf' $tmp/out.json)"
else
	fail "af_packet: capture restarted" "$(tail -3 $tmp/err)"
fi

VDEV=net_af_packet0,iface=vcap,framecnt=8192

# 3. the line simulator sending live, as a mirror port would: the ring
#    holds exactly the frames of the same scenario written to a file
SIM=$BIN/iiot-sim
SCEN=$IIOT_TOP/sim/scenarios/small-cell.conf
if [ -x "$SIM" ] && [ -f "$SCEN" ]; then
	CYCLES=2000
	"$SIM" "$SCEN" --cycles $CYCLES --out $tmp/ref.pcap 2>$tmp/sim.err ||
		fail "iiot-sim writes the reference capture" "$(cat $tmp/sim.err)"
	"$RINGCAT" pcap $tmp/ref.pcap >$tmp/want.txt
	if start_capture --all; then
		in_ns "$SIM" "$SCEN" --iface vsend --cycles $CYCLES --speed 10 \
			2>$tmp/sim.err || fail "iiot-sim plays the scenario live" "$(cat $tmp/sim.err)"
		n=$(wc -l <$tmp/want.txt)
		wait_json $tmp/stats.json ".received >= $n" 30
		dpdk_stop
		"$RINGCAT" ring $ring >$tmp/got.txt 2>/dev/null
		check "iiot-sim: the scenario has frames ($n)" test "$n" -gt 1000
		if cmp -s <(frames $tmp/want.txt) <(frames $tmp/got.txt); then
			ok "iiot-sim: every simulated frame in the ring, byte-identical, in order"
		else
			fail "iiot-sim: every simulated frame in the ring, byte-identical, in order" \
				"ring $(wc -l <$tmp/got.txt) frames, scenario $n"
		fi
		expect_eq "iiot-sim: nothing dropped" "$(jq '.ring_drops + .nic_drops' $tmp/out.json)" 0
	else
		fail "iiot-sim: capture started" "$(tail -3 $tmp/err)"
	fi
else
	skip "iiot-sim sending live" "iiot-sim or its scenario not built"
fi
