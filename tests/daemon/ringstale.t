#!/usr/bin/env bash
# A stale ring producer is detected and alerted (ops.ring.stale): the
# simulator stopped (SIGSTOP: ring open, process alive, no commit) raises
# it once with how long it has been silent, and health says so; let go,
# it commits again and the alert clears; killed (SIGKILL: no clean close),
# the alert names the pid that is gone.
. "$(dirname "$0")/lib_daemon.sh"
[ -x "$BIN/iiot-sim" ] || skip_all "iiot-sim not built"
daemon_setup
ring=$RING_PREFIX-st
cleanup_push "rm -f /dev/shm/iiot/$ring /dev/shm/iiot/$ring.wake"
write_conf "$T/iiotd.conf" "[capture]" "ring = $ring"
start_iiotd "$T/iiotd.conf" || { fail "iiotd starts"; exit 0; }
"$BIN/iiot-sim" "$IIOT_TOP/sim/scenarios/small-cell.conf" --ring "$ring" >"$T/sim.log" 2>&1 &
sim=$!
cleanup_push "kill -CONT $sim; kill -9 $sim"
stale() { ctl alerts --json | jq -c 'select(.rule == "ops.ring.stale")' | tail -1; }
wait_for "frames" 20 sh -c "[ \$($BIN/iiotctl status --json | jq .frames) -gt 100 ]" ||
	fail "frames drained" "$(tail -5 "$T/iiotd.log")"
expect_eq "no stale alert while the producer commits" "$(stale)" ""

kill -STOP "$sim"
wait_for "stale" 20 sh -c "$BIN/iiotctl alerts --json | grep -q ops.ring.stale" || true
a=$(stale)
case $(echo "$a" | jq -r '"\(.severity) \(.state) \(.detail)"') in
"warning active-unack no commit for "*" s") ok "a stopped producer is alerted: $(echo "$a" | jq -r .message)" ;;
*) fail "stale producer alerted" "$a" ;;
esac
expect_eq "once" "$(ctl alerts --json | grep -c ops.ring.stale) $(ctl stats --json | jq .ops.ring_stale)" "1 1"

kill -CONT "$sim"
wait_for "cleared" 20 sh -c "$BIN/iiotctl alerts --json | grep ops.ring.stale | grep -q cleared" &&
	ok "it clears when the producer commits again" || fail "stale alert cleared" "$(stale)"

kill -9 "$sim"; wait "$sim" 2>/dev/null
wait_for "gone" 20 sh -c "$BIN/iiotctl alerts --json | grep ops.ring.stale | grep -q 'is gone'" &&
	ok "a killed producer: $(stale | jq -r .detail)" || fail "dead producer alerted" "$(stale)"
expect_eq "raised twice in all" "$(ctl stats --json | jq .ops.ring_stale)" 2
kill -0 "$IIOTD_PID" && ok "iiotd runs on" || fail "iiotd runs on"
echo "1..$_tap_n"
