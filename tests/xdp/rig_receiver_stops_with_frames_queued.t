#!/usr/bin/env bash
# The enforcement rig's receiver (tests/xdp/pnrig.py recv) counts every
# frame that reached it, also those still queued in its socket when told to
# stop: it is held (SIGSTOP) while the controller sends, then stopped and
# let go.  Before, it left the loop at the stop file with the queue unread,
# so a receiver lagging under load lost the last frames of a run; that was
# once read as the first ~0.4 s of a new sender not crossing the inline
# bridge (tests/xdp/enforce.t).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../netns.sh"
netns_require
command -v jq >/dev/null || skip_all "jq is not installed"
RIG=$(dirname "$0")/pnrig.py
T=$(mktemp -d)
cleanup_push "rm -rf $T"
netns_pair rig || { fail "veth pair"; exit 0; }
CTRL=00:0e:8c:00:00:01

# nsenter execs python: $! is the receiver itself, for SIGSTOP
nsenter --net="/run/netns/$NS_B" python3 "$RIG" recv "$IF_B" $T/ready $T/stop-recv >$T/recv.json 2>$T/recv.err &
RECV=$!
cleanup_push "kill -CONT $RECV; kill $RECV"
wait_for 10 test -e $T/ready || { fail "receiver ready" "$(cat $T/recv.err)"; exit 0; }
kill -STOP $RECV
in_ns "$NS_A" python3 "$RIG" cyclic "$IF_A" $CTRL 00:0e:8c:10:00:01 $T/stop >$T/cyclic.json &
CYC=$!
wait_for 60 test -e $T/stop.sent || fail "the controller started sending"
sleep 0.2
touch $T/stop
wait $CYC
touch $T/stop-recv
kill -CONT $RECV
wait $RECV
sent=$(jq .sent $T/cyclic.json)
check "the controller sent" test "${sent:-0}" -gt 10
expect_eq "every frame queued while the receiver was held is counted, the last one included" \
	"$(jq -r "[.cyclic[\"$CTRL\"], .first_cycle[\"$CTRL\"], .last_cycle[\"$CTRL\"]] | join(\" \")" $T/recv.json)" \
	"$sent 0 $((sent - 1))"
echo "1..$_tap_n"
