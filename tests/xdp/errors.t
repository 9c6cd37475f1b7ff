#!/usr/bin/env bash
# Failure paths: clear errors for bad input, a missing interface, missing
# privileges and an interface that already has an XDP program (left alone);
# a killed iiot-xdp leaves no program attached (BPF link) and a restart
# recovers.
. "$(dirname "$0")/common.sh"
xdp_require
netns_pair xerr || { fail "veth rig"; exit 0; }
RING=xerr-$$-$RANDOM
cleanup_push "rm -f /dev/shm/iiot/$RING*"

expect_rc_msg() {	# what rc pattern cmd...
	local what=$1 rc=$2 pat=$3 out got; shift 3
	out=$("$@" 2>&1); got=$?
	if [ "$got" = "$rc" ] && [[ $out == *$pat* ]]; then ok "$what"
	else fail "$what" "exit $got (want $rc)" "$out"; fi
}

expect_rc_msg "no arguments: usage" 2 "give --iface" "$XDP"
expect_rc_msg "bad --mode" 2 "tap or inline" "$XDP" --iface lo --mode mirror --ring x
expect_rc_msg "bad --ethertypes" 2 "ethertypes" "$XDP" --iface lo --mode tap --ring x --ethertypes 0x88a4,zz
expect_rc_msg "bad --ring-size" 2 "power of two" "$XDP" --iface lo --mode tap --ring x --ring-size 1000
expect_rc_msg "NIC stamps need native XDP" 2 "needs native XDP" "$XDP" --iface lo --mode tap --ring x --timestamps hw --xdp-mode generic
expect_rc_msg "missing interface" 1 "no interface 'nosuchif0'" in_ns "$NS_B" "$XDP" --iface nosuchif0 --mode tap --ring "$RING"
expect_rc_msg "stats when not running" 1 "not running on $IF_B" in_ns "$NS_B" "$XDP" stats --iface "$IF_B"
expect_rc_msg "generator: unknown protocol" 2 "unknown protocol" "$GEN" --iface "$IF_A" --proto modbus

if command -v setpriv >/dev/null; then
	expect_rc_msg "unprivileged: names the capability" 1 "needs CAP_" \
		in_ns "$NS_B" setpriv --reuid=65534 --regid=65534 --clear-groups \
		--inh-caps=-all --bounding-set=-all "$XDP" --iface "$IF_B" --mode tap --ring "$RING-np"
else
	skip "unprivileged: names the capability" "setpriv missing"
fi

xdp_start "$NS_B" "$IF_B" "$RING" --mode tap || { fail "iiot-xdp starts" "$(cat "$XDIR/$RING.err")"; exit 0; }
FIRST=$XDP_PID
expect_rc_msg "second iiot-xdp on the same interface refused" 1 "already has an XDP program" \
	in_ns "$NS_B" "$XDP" --iface "$IF_B" --mode inline --ring "$RING-2"
gen "$NS_A" "$IF_A" --count 100 --rate 20000 >/dev/null
check "the first one still captures" bash -c "nsenter --net=/run/netns/$NS_B $XDP stats --iface $IF_B --json | jq -e '.captured.frames == 100'"

kill -9 "$FIRST"; wait "$FIRST" 2>/dev/null
check "SIGKILL: the kernel detached the program (BPF link)" wait_for 5 xdp_detached "$NS_B" "$IF_B"
xdp_start "$NS_B" "$IF_B" "$RING" --mode tap || { fail "restart after SIGKILL" "$(cat "$XDIR/$RING.err")"; exit 0; }
ok "restart after SIGKILL (takes over the ring and the stale pins)"
gen "$NS_A" "$IF_A" --count 100 --rate 20000 >/dev/null
# the frames may still sit in veth's queue on a loaded machine: count them
# in before stopping, as for the first run
wait_for 10 bash -c "nsenter --net=/run/netns/$NS_B $XDP stats --iface $IF_B --json | jq -e '.captured.frames == 100'" >/dev/null
xdp_stop
expect_eq "restarted run captures" "$(jget "$XDIR/$RING.json" .frames)" 100
check "detach leaves no XDP program" xdp_detached "$NS_B" "$IF_B"
