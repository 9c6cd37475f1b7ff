#!/usr/bin/env bash
# Inline mode: frames are copied into the ring and passed on.  A raw-socket
# receiver on the same interface sees every frame while iiot-xdp captures
# them all too; counters match; detach leaves the interface as found.
. "$(dirname "$0")/common.sh"
xdp_require
command -v python3 >/dev/null || skip_all "python3 is not installed"
netns_pair xinl || { fail "veth rig"; exit 0; }
RING=xinl-$$-$RANDOM
N_ECAT=4000 N_PN=1500 N_OTHER=300

xdp_start "$NS_B" "$IF_B" "$RING" --mode inline || { fail "iiot-xdp inline starts" "$(cat "$XDIR/$RING.err")"; exit 0; }
ok "iiot-xdp inline attaches to $IF_B"

in_ns "$NS_B" python3 "$(dirname "$0")/rawcount.py" "$IF_B" "$XDIR/raw.ready" \
	$((N_ECAT + N_PN)) 30 >"$XDIR/raw.json" 2>"$XDIR/raw.err" &
RAW=$!
cleanup_push "kill $RAW"
wait_for 10 test -e "$XDIR/raw.ready" || fail "raw receiver ready" "$(cat "$XDIR/raw.err")"

send() { gen "$NS_A" "$IF_A" --rate 10000 "$@" >>"$XDIR/gen.log"; }
send --count $N_OTHER --proto other
send --count $N_ECAT --proto ecat
send --count 1000 --proto pn-rt --size 200 --vlan 12
send --count 500 --proto pn-dcp --size 1400

wait "$RAW"
expect_eq "raw socket sees every industrial frame" "$(jget "$XDIR/raw.json" .industrial)" $((N_ECAT + N_PN))
expect_eq "raw socket sees every EtherCAT frame" "$(jget "$XDIR/raw.json" '.by_type["0x88a4"]')" $N_ECAT
expect_eq "raw socket sees every PROFINET frame" "$(jget "$XDIR/raw.json" '.by_type["0x8892"]')" $N_PN
expect_eq "raw socket sees the other frames" "$(jget "$XDIR/raw.json" '.by_type["0x88b5"]')" $N_OTHER

xdp_stop
expect_eq "exit status after SIGTERM" "$?" 0
rig_clean
F=$XDIR/$RING.json
want_bytes=$((N_ECAT * 64 + 1000 * 200 + 500 * 1400))
expect_eq "mode reported" "$(jget "$F" .mode)" inline
expect_eq "frames captured into the ring" "$(jget "$F" .frames)" $((N_ECAT + N_PN))
expect_eq "bytes captured into the ring" "$(jget "$F" .bytes)" $want_bytes
expect_eq "ethercat counter" "$(jget "$F" .ethercat.frames)" $N_ECAT
expect_eq "profinet rt counter" "$(jget "$F" .profinet_rt.frames)" 1000
expect_eq "profinet dcp counter" "$(jget "$F" .profinet_dcp.frames)" 500
expect_eq "other counter" "$(jget "$F" .other.frames)" $N_OTHER
expect_eq "no drops" "$(jget "$F" '.ring_drops + .capture_fail.frames')" 0
"$RINGDUMP" --json --wait 2 --timeout 20 "$RING" >"$XDIR/dump.json" 2>&1
expect_eq "ring consumer reads every frame" "$(jget "$XDIR/dump.json" .frames)" $((N_ECAT + N_PN))
expect_eq "ring consumer reads every byte" "$(jget "$XDIR/dump.json" .bytes)" $want_bytes
check "detach leaves no XDP program" xdp_detached "$NS_B" "$IF_B"

# Snap length: long frames are cut in the ring, wire length kept.
RING2=$RING-s
xdp_start "$NS_B" "$IF_B" "$RING2" --mode inline --snaplen 128 || { fail "inline --snaplen starts" "$(cat "$XDIR/$RING2.err")"; exit 0; }
send --count 100 --proto ecat --size 1000
xdp_stop
expect_eq "--snaplen 128: frames" "$(jget "$XDIR/$RING2.json" .frames)" 100
expect_eq "--snaplen 128: bytes kept" "$(jget "$XDIR/$RING2.json" .bytes)" 12800
check "detach after second run" xdp_detached "$NS_B" "$IF_B"
