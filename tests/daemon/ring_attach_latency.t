#!/usr/bin/env bash
# Regression (issue 20): a ring made after iiotd started waited for the
# one-second capture tick before it was attached, so a new producer's first
# frames sat in the ring (or were dropped from a small one).  With the
# tick's ring checks turned off (IIOTD_TEST_NO_RING_TICK) the ring
# directory watch alone must attach the new ring and drain it, and attach
# a restarted producer's ring again; the counters say who found them.
# Order and behaviour only: no timing is asserted.
. "$(dirname "$0")/lib_daemon.sh"
[ -x "$BIN/iiot-sim" ] || skip_all "iiot-sim not built"
daemon_setup
ring=$RING_PREFIX-aw
cleanup_push "rm -f /dev/shm/iiot/$ring /dev/shm/iiot/$ring.wake"
write_conf "$T/iiotd.conf" "[capture]" "ring = $ring"
export IIOTD_TEST_NO_RING_TICK=1
start_iiotd "$T/iiotd.conf" || { fail "iiotd starts"; exit 0; }
cap() { ctl stats --json | jq -r "$1"; }
expect_eq "no ring yet: nothing attached" \
	"$(cap '"\(.capture.attach_watch) \(.capture.attach_tick) \(.rings[0].open)"')" "0 0 false"

sim() {
	"$BIN/iiot-sim" "$IIOT_TOP/sim/scenarios/small-cell.conf" --ring "$ring" \
		>>"$T/sim.log" 2>&1 &
	SIM=$!
	cleanup_push "kill -9 $SIM"
}
sim
wait_for "frames" 60 sh -c "[ \$($BIN/iiotctl stats --json | jq '.capture.frames') -gt 0 ]" &&
	ok "a ring made after iiotd started is drained without the tick" ||
	fail "new ring drained" "$(tail -5 "$T/iiotd.log")"
expect_eq "found by the directory watch, not the tick" \
	"$(cap '"\(.capture.attach_watch) \(.capture.attach_tick)"')" "1 0"

# the producer ends: the watch sees it close the ring, iiotd lets it go
kill -TERM "$SIM"; wait "$SIM" 2>/dev/null
wait_for "ended" 60 sh -c "[ \$($BIN/iiotctl stats --json | jq '.rings[0].open') = false ]" &&
	ok "an ended ring is let go without the tick" ||
	fail "ended ring closed" "$(tail -5 "$T/iiotd.log")"
# a restarted producer takes the file over (same geometry): no new name
# in the directory, its wake FIFO says it is there; attached by the watch
before=$(cap .capture.frames)
sim
wait_for "reattach" 60 sh -c "[ \$($BIN/iiotctl stats --json | jq '.capture.attach_watch') -ge 2 ]" &&
	ok "a restarted producer's ring is attached again by the watch" ||
	fail "restarted ring attached" "$(tail -5 "$T/iiotd.log")"
wait_for "more frames" 60 sh -c "[ \$($BIN/iiotctl stats --json | jq '.capture.frames') -gt $before ]" &&
	ok "and drained" || fail "restarted ring drained" "$(tail -5 "$T/iiotd.log")"
expect_eq "the tick attached none" "$(cap .capture.attach_tick)" 0
kill -9 "$SIM"; wait "$SIM" 2>/dev/null
stop_iiotd
echo "1..$_tap_n"
