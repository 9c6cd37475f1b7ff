#!/usr/bin/env bash
# The shipped iiot-dpdk@.service: systemd-analyze verify is clean on an
# instance, its exposure stays where docs/operations.md says, and its own
# ExecStart (the instance as port, ring dpdk-<port>, EAL options from the
# per-port environment file) captures under its capability bounding set
# and no-new-privileges: a net_pcap port named as the instance replays a
# capture into the ring.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/dpdk_lib.sh"
command -v setpriv >/dev/null || skip_all "setpriv (util-linux) is not installed"
[ "$(id -u)" -eq 0 ] || skip_all "needs root for the capability bounding set"
pcap=$(shared_pcaps | head -1)
[ -n "$pcap" ] || skip_all "no capture in $PCAPS"

inst=net_pcap0
unit=$tmp/iiot-dpdk@$inst.service
sed "s|@BINDIR@|$BIN|g" "$IIOT_TOP/etc/systemd/iiot-dpdk@.service.in" >"$unit"
systemd_unit_check "$unit" 2.1

# what /etc/iiot/dpdk-net_pcap0.env would say on a machine without a NIC
eal_setup
IIOT_DPDK_EAL="${EAL[*]} --vdev=$inst,rx_pcap=$pcap"
IIOT_DPDK_OPTS="--stats-interval 0.1"
cmd=$(sed -n 's/^ExecStart=//p' "$unit" | sed -e "s|%I|$inst|g" \
	-e "s|/run/iiot-dpdk/|$tmp/|" -e "s|\$IIOT_DPDK_EAL|$IIOT_DPDK_EAL|" \
	-e "s|\$IIOT_DPDK_OPTS|$IIOT_DPDK_OPTS|")
ring=$(echo "$cmd" | sed -n 's/.*--ring \([^ ]*\).*/\1/p')
expect_eq "the instance's ring" "$ring" "dpdk-$inst"
ring_rm "$ring"
cleanup_push "ring_rm $ring"
caps=$(sed -n 's/^CapabilityBoundingSet=//p' "$unit" | tr 'A-Z' 'a-z' |
	sed -e 's/cap_/+/g' -e 's/ /,/g')
total=$("$RINGCAT" pcap "$pcap" | wc -l)
# shellcheck disable=SC2206  # the unit's command line, split as systemd does
DPDK_WRAP=(setpriv --bounding-set "-all,$caps" --inh-caps -all --no-new-privs)
# shellcheck disable=SC2086
dpdk_start $tmp/out.json $tmp/err ${cmd#"$BIN/iiot-dpdk "}
if wait_json "$tmp/$inst.json" ".received >= $total" 60; then
	ok "iiot-dpdk receives the capture within the unit's bounding set ($caps)"
else
	fail "iiot-dpdk receives the capture within the unit's bounding set ($caps)" "$(tail -3 $tmp/err)"
fi
dpdk_stop
expect_eq "exit status after SIGTERM" "$?" 0
"$RINGCAT" ring "$ring" >$tmp/got.txt 2>$tmp/ring.json
expect_eq "records in dpdk-$inst as written" "$(jq .records $tmp/ring.json)" "$(jq .written $tmp/out.json)"
check "some industrial frames captured" test "$(jq .records $tmp/ring.json)" -gt 0
if getent group iiot >/dev/null; then
	expect_eq "the ring is group iiot" "$(stat -c %G "/dev/shm/iiot/$ring")" iiot
fi
echo "1..$_tap_n"
