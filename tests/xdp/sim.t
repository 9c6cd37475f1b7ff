#!/usr/bin/env bash
# The live rig driven by the line simulator: iiot-sim plays a scenario on
# one end of a veth pair, iiot-xdp captures on the other.  Every simulated
# frame arrives, byte for byte and in order (the ring's checksum equals the
# one of the same scenario written to a pcap and replayed), per-protocol
# counters match the capture file, and a blocklisted device is dropped and
# counted in inline mode; iiot's decoders find the same devices in the live
# capture as in the file.
. "$(dirname "$0")/common.sh"
xdp_require
SIM=$BIN/iiot-sim REPLAY=$BIN/iiot-replay
SCEN=$IIOT_TOP/sim/scenarios/small-cell.conf
[ -x "$SIM" ] || skip_all "iiot-sim not built"
[ -x "$REPLAY" ] && [ -x "$RINGDUMP" ] || skip_all "iiot-replay / iiot-ringdump not built"
[ -f "$SCEN" ] || skip_all "scenario $SCEN missing"
command -v tcpdump >/dev/null || skip_all "tcpdump is not installed"
netns_pair xsim || { fail "veth rig"; exit 0; }
RING=xsim-$$-$RANDOM CYCLES=2000

# The reference: the same scenario written to a file, replayed into a ring.
"$SIM" "$SCEN" --cycles $CYCLES --out "$XDIR/ref.pcap" 2>"$XDIR/ref.err" ||
	{ fail "iiot-sim writes the reference capture" "$(cat "$XDIR/ref.err")"; exit 0; }
cleanup_push "rm -f /dev/shm/iiot/$RING-ref /dev/shm/iiot/$RING-ref.wake"
"$REPLAY" --fast --block --ring "$RING-ref" "$XDIR/ref.pcap" >/dev/null 2>"$XDIR/rep.err" &
rp=$!
"$RINGDUMP" --json --wait 10 --timeout 60 "$RING-ref" >"$XDIR/ref.json" 2>&1
wait $rp
REF_N=$(jget "$XDIR/ref.json" .frames) REF_B=$(jget "$XDIR/ref.json" .bytes)
check "reference capture has frames" test "${REF_N:-0}" -gt 1000
count() { tcpdump -nr "$XDIR/ref.pcap" "$@" 2>/dev/null | grep -c '^[0-9]'; }	# one line per frame (hex dumps start with a tab)
REF_ECAT=$(count ether proto 0x88a4)
REF_PN=$(count ether proto 0x8892)

xdp_start "$NS_B" "$IF_B" "$RING" --mode tap --frames 32768 || { fail "iiot-xdp starts" "$(cat "$XDIR/$RING.err")"; exit 0; }
in_ns "$NS_A" "$SIM" "$SCEN" --iface "$IF_A" --cycles $CYCLES --speed 10 2>"$XDIR/sim.err" ||
	fail "iiot-sim plays the scenario live" "$(cat "$XDIR/sim.err")"
xdp_stop
F=$XDIR/$RING.json
"$RINGDUMP" --json --wait 2 --timeout 20 --pcap "$XDIR/live.pcap" "$RING" >"$XDIR/live.json" 2>"$XDIR/live.err"
expect_eq "every simulated frame arrives" "$(jget "$XDIR/live.json" .frames)" "$REF_N"
expect_eq "every simulated byte arrives" "$(jget "$XDIR/live.json" .bytes)" "$REF_B"
expect_eq "same frames, same order (checksum)" "$(jget "$XDIR/live.json" .checksum)" "$(jget "$XDIR/ref.json" .checksum)"
expect_eq "ethercat counter matches the capture" "$(jget "$F" .ethercat.frames)" "$REF_ECAT"
expect_eq "profinet counters match the capture" \
	"$(jget "$F" '.profinet_rt.frames + .profinet_alarm.frames + .profinet_dcp.frames + .profinet_other.frames')" "$REF_PN"
expect_eq "no drops" "$(jget "$F" '.ring_drops + .socket_drops')" 0
check "detach leaves no XDP program" xdp_detached "$NS_B" "$IF_B"

# iiot's decoders find the same line in the live capture as in the file.
CTL=$BIN/iiotctl
if [ -x "$CTL" ] && "$CTL" inventory --json "$XDIR/ref.pcap" >"$XDIR/inv-ref.json" 2>/dev/null; then
	shape='[.devices[] | {label: .label, kind, frames, serial, vendor_id, product_code}] | sort_by(.label)'
	"$CTL" inventory --json "$XDIR/live.pcap" >"$XDIR/inv-live.json" 2>&1
	expect_eq "decoded inventory of the live capture equals the file's" \
		"$(jq -c "$shape" "$XDIR/inv-live.json" 2>&1 | md5sum)" "$(jq -c "$shape" "$XDIR/inv-ref.json" | md5sum)"
	check "inventory found devices" test "$(jq '.devices | length' "$XDIR/inv-ref.json")" -gt 4
else
	skip "decoded inventory of the live capture" "iiotctl inventory not available"
fi

# Inline, with the EtherCAT master's MAC blocklisted.
MASTER=$(tcpdump -enr "$XDIR/ref.pcap" ether proto 0x88a4 2>/dev/null | awk 'NR == 1 { print $2 }')
FROM_MASTER=$(count ether src "$MASTER")
RING2=$RING-i
xdp_start "$NS_B" "$IF_B" "$RING2" --mode inline --block "$MASTER" ||
	{ fail "iiot-xdp inline starts" "$(cat "$XDIR/$RING2.err")"; exit 0; }
in_ns "$NS_A" "$SIM" "$SCEN" --iface "$IF_A" --cycles $CYCLES --speed 10 2>>"$XDIR/sim.err" ||
	fail "iiot-sim plays the scenario again" "$(cat "$XDIR/sim.err")"
xdp_stop
F=$XDIR/$RING2.json
check "master frames exist in the scenario" test "$FROM_MASTER" -gt 0
expect_eq "blocklisted master dropped and counted" "$(jget "$F" .blocked.frames)" "$FROM_MASTER"
expect_eq "everything else captured" "$(jget "$F" .frames)" $((REF_N - FROM_MASTER))
hits=$(in_ns "$NS_B" "$XDP" block list --iface "$IF_B" --json | jq -r ".[] | select(.mac==\"$MASTER\") | .hits")
expect_eq "per-entry hit counter" "$hits" "$FROM_MASTER"
check "detach leaves no XDP program" xdp_detached "$NS_B" "$IF_B"
