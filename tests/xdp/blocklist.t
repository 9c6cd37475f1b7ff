#!/usr/bin/env bash
# Blocklist enforcement: frames from a listed source MAC are dropped at XDP
# time and counted per entry; entries are added before start (--block and
# `block add` without a running iiot-xdp) and while running; removing an
# entry lets the MAC through again; bad input is refused with a clear error.
. "$(dirname "$0")/common.sh"
xdp_require
netns_pair xblk || { fail "veth rig"; exit 0; }
RING=xblk-$$-$RANDOM
BAD1=02:00:00:00:0b:01 BAD2=02:00:00:00:0b:02 GOOD=02:00:00:00:0a:01
blk() { in_ns "$NS_B" "$XDP" block "$@" --iface "$IF_B"; }
cleanup_push "rm -rf /sys/fs/bpf/iiot/$IF_B"

check "block add before iiot-xdp runs (creates the pinned map)" blk add $BAD2
check "blocklist pinned" test -e "/sys/fs/bpf/iiot/$IF_B/blocklist"
xdp_start "$NS_B" "$IF_B" "$RING" --mode inline --block $BAD1 ||
	{ fail "iiot-xdp starts with --block" "$(cat "$XDIR/$RING.err")"; exit 0; }
ok "iiot-xdp starts with --block"

send() { gen "$NS_A" "$IF_A" --rate 10000 "$@" >>"$XDIR/gen.log"; }
send --count 700 --proto ecat --src $BAD1
send --count 300 --proto pn-rt --src $BAD2
send --count 500 --proto ecat --src $GOOD
blk list --json >"$XDIR/list.json"
expect_eq "two entries listed" "$(jq length "$XDIR/list.json")" 2
expect_eq "per-entry hits of $BAD1" "$(jq -r ".[] | select(.mac==\"$BAD1\") | .hits" "$XDIR/list.json")" 700
expect_eq "per-entry bytes of $BAD1" "$(jq -r ".[] | select(.mac==\"$BAD1\") | .bytes" "$XDIR/list.json")" $((700 * 64))
expect_eq "per-entry hits of $BAD2 (added before start)" "$(jq -r ".[] | select(.mac==\"$BAD2\") | .hits" "$XDIR/list.json")" 300
check "text listing names the MAC" bash -c "in_ns() { nsenter --net=/run/netns/\$1 \"\${@:2}\"; }; in_ns $NS_B $XDP block list --iface $IF_B | grep -q '^$BAD1 hits 700'"

# Live changes while capturing
check "block add while running" blk add $GOOD
send --count 200 --proto ecat --src $GOOD
check "block del while running" blk del $BAD1
send --count 100 --proto ecat --src $BAD1
out=$(blk del $BAD1 2>&1); rc=$?
check "deleting an absent entry fails" test $rc -ne 0
case $out in *"not on the blocklist"*) ok "absent entry: clear error";; *) fail "absent entry: clear error" "$out";; esac
out=$(blk add 02:00:zz:00:00:01 2>&1); rc=$?
case "$rc $out" in [12]*"not a MAC address"*) ok "bad MAC refused";; *) fail "bad MAC refused" "$rc $out";; esac
out=$(in_ns "$NS_B" "$XDP" block list --iface nosuchif0 2>&1); rc=$?
case "$rc $out" in 1*"no blocklist pinned"*) ok "no blocklist: clear error";; *) fail "no blocklist: clear error" "$rc $out";; esac

xdp_stop
F=$XDIR/$RING.json
rig_clean
expect_eq "blocked counter" "$(jget "$F" .blocked.frames)" $((700 + 300 + 200))
expect_eq "only unblocked frames captured" "$(jget "$F" .frames)" $((500 + 100))
expect_eq "blocked frames are not counted per protocol" "$(jget "$F" .ethercat.frames)" $((500 + 100))
check "detach leaves no XDP program" xdp_detached "$NS_B" "$IF_B"
check "blocklist stays pinned after exit (policy survives restarts)" test -e "/sys/fs/bpf/iiot/$IF_B/blocklist"

# The kept policy is enforced by the next run, in tap mode this time.
RING2=$RING-2
xdp_start "$NS_B" "$IF_B" "$RING2" --mode tap || { fail "restart in tap mode" "$(cat "$XDIR/$RING2.err")"; exit 0; }
send --count 250 --proto ecat --src $GOOD
send --count 50 --proto ecat --src $BAD1
xdp_stop
expect_eq "tap: policy from before the restart enforced" "$(jget "$XDIR/$RING2.json" .blocked.frames)" 250
expect_eq "tap: the rest captured" "$(jget "$XDIR/$RING2.json" .frames)" 50
hits=$(blk list --json | jq -r ".[] | select(.mac==\"$GOOD\") | .hits")
expect_eq "hit counter kept across the restart" "$hits" 450
