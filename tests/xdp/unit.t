#!/usr/bin/env bash
# The shipped iiot-xdp@.service: systemd-analyze verify is clean on an
# instance, its exposure stays where docs/operations.md says, and its own
# ExecStart (the instance as interface, ring xdp-<if>) captures under its
# capability bounding set and no-new-privileges, on a live veth rig: the
# bounding set is enough for XDP, AF_XDP and handing the ring to group iiot.
. "$(dirname "$0")/common.sh"
xdp_require
command -v setpriv >/dev/null || skip_all "setpriv (util-linux) is not installed"
netns_pair xunit || { fail "veth rig"; exit 0; }

in=$IIOT_TOP/etc/systemd/iiot-xdp@.service.in
unit=$XDIR/iiot-xdp@$IF_B.service
sed "s|@BINDIR@|$BIN|g" "$in" >"$unit"
systemd_unit_check "$unit" 2.4

# ExecStart with the unit's defaults (IIOT_XDP_MODE=tap, no options) and %I
cmd=$(sed -n 's/^ExecStart=//p' "$unit" | sed -e "s/%I/$IF_B/g" \
	-e 's/\${IIOT_XDP_MODE}/tap/' -e 's/ \$IIOT_XDP_OPTS//')
ring=$(echo "$cmd" | sed -n 's/.*--ring \([^ ]*\).*/\1/p')
expect_eq "the instance's ring" "$ring" "xdp-$IF_B"
caps=$(sed -n 's/^CapabilityBoundingSet=//p' "$unit" | tr 'A-Z' 'a-z' |
	sed -e 's/cap_/+/g' -e 's/ /,/g')
grep -q '^NoNewPrivileges=yes' "$unit" && ok "unit sets NoNewPrivileges" || fail "unit sets NoNewPrivileges"

cleanup_push "rm -rf /sys/fs/bpf/iiot/$IF_B /dev/shm/iiot/$ring /dev/shm/iiot/$ring.wake"
# shellcheck disable=SC2086  # the unit's command line, split as systemd does
nsenter --net="/run/netns/$NS_B" setpriv --bounding-set "-all,$caps" \
	--inh-caps -all --no-new-privs $cmd >"$XDIR/unit.json" 2>"$XDIR/unit.err" &
pid=$!
cleanup_push "kill -9 $pid"
for ((i = 0; i < 200; i++)); do
	grep -q "^iiot-xdp: $IF_B: .* mode" "$XDIR/unit.err" && break
	kill -0 "$pid" 2>/dev/null || break
	sleep 0.1
done
if ! grep -q "^iiot-xdp: $IF_B: .* mode" "$XDIR/unit.err"; then
	fail "iiot-xdp attaches within the unit's bounding set ($caps)" "$(cat "$XDIR/unit.err")"
	exit 0
fi
ok "iiot-xdp attaches within the unit's bounding set ($caps)"
gen "$NS_A" "$IF_A" --rate 10000 --count 500 --proto ecat >>"$XDIR/gen.log"
kill -TERM "$pid"; wait "$pid"
expect_eq "exit status after SIGTERM" "$?" 0
expect_eq "frames captured into xdp-$IF_B" "$(jget "$XDIR/unit.json" .frames)" 500
if getent group iiot >/dev/null; then
	expect_eq "the ring is group iiot" "$(stat -c %G "/dev/shm/iiot/$ring")" iiot
fi
"$RINGDUMP" --json --wait 2 --timeout 20 "$ring" >"$XDIR/dump.json" 2>&1
expect_eq "ring consumer reads every frame" "$(jget "$XDIR/dump.json" .frames)" 500
echo "1..$_tap_n"
