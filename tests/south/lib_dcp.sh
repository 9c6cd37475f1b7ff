# The DCP rig of tests/south/dcp.t and tests/web/control.t.  Source after
# tests/lib.sh, tests/netns.sh and tests/api/lib_api.sh.
#
#   dcp_require             skips without iiot-sim, jq, tshark, tcpdump or
#                           network namespaces (netns_require)
#   dcp_rig TAG             a network namespace and a veth pair: IF_A,
#                           iiotd's [dcp] interface, here (MY_MAC its
#                           address), IF_B in NS for the simulated devices;
#                           DCP_RING, the ring to name in [capture];
#                           DCP_DIR, a scratch directory; all removed at exit
#   dcp_rig_start           after api_start: iiot-sim feeds the small cell
#                           into DCP_RING (the inventory) and answers DCP on
#                           IF_B as its four PROFINET devices; tcpdump keeps
#                           every DCP frame iiotd sends in $D/sent.pcap
#   dcp_rig_devices JAR     waits for the four in the inventory: D1..D4
#                           (MACs 00:0e:8c:10:00:01..04); 1 when they are not
#   dcp_maint JAR ID        device ID through commissioned, active, to
#                           maintenance

dcp_require() {
	[ -x "$BIN/iiot-sim" ] || skip_all "iiot-sim not built"
	local t
	for t in jq tshark tcpdump; do
		command -v "$t" >/dev/null || skip_all "$t not installed"
	done
	netns_require
}

dcp_rig() {
	local id
	id=$(printf '%x%02x' $$ $((RANDOM % 256)))
	NS=iiot-$1-$id
	IF_A=dcpa$id
	IF_B=dcpb$id
	ip netns add "$NS" || skip_all "cannot create a network namespace"
	cleanup_push "ip netns del $NS"
	ip link add "$IF_A" type veth peer name "$IF_B" netns "$NS" || skip_all "cannot create a veth pair"
	cleanup_push "ip link del $IF_A"
	sysctl -qw "net.ipv6.conf.$IF_A.disable_ipv6=1" 2>/dev/null || true
	ip link set "$IF_A" up && ip -n "$NS" link set "$IF_B" up
	MY_MAC=$(cat "/sys/class/net/$IF_A/address")
	DCP_RING=iiot-$1$$
	cleanup_push "rm -f /dev/shm/iiot/$DCP_RING /dev/shm/iiot/$DCP_RING.wake"
	DCP_DIR=$(mktemp -d /tmp/iiot-dcp.XXXXXX)
	cleanup_push "rm -rf $DCP_DIR"
}

dcp_rig_start() {
	"$BIN/iiot-sim" "$IIOT_TOP/sim/scenarios/small-cell.conf" --ring "$DCP_RING" >"$D/ring-sim.log" 2>&1 &
	cleanup_push "kill $!"
	# nsenter execs iiot-sim, so $! is the simulator itself (in_ns, a shell
	# function, would leave it running after the test for its 600 s)
	nsenter --net="/run/netns/$NS" "$BIN/iiot-sim" "$IIOT_TOP/sim/scenarios/small-cell.conf" \
		--iface "$IF_B" --duration 600 2>"$D/wire-sim.log" &
	cleanup_push "kill $!"
	# every DCP frame iiotd sends, as the wire sees it
	tcpdump -U -i "$IF_A" -w "$D/sent.pcap" "ether proto 0x8892 and ether src $MY_MAC" >/dev/null 2>&1 &
	CAP=$!
	cleanup_push "kill $CAP"
}

dcp_rig_devices() {
	local i
	for i in $(seq 100); do
		req "$1" GET "/devices?kind=pn-device"
		[ "$(jf .total)" -ge 4 ] 2>/dev/null && break
		sleep 0.2
	done
	for i in 1 2 3 4; do
		eval "D$i=\$(jf '.devices[] | select(.mac == \"00:0e:8c:10:00:0$i\") | .id')"
	done
	[ -n "$D1" ] && [ -n "$D4" ] || { fail "the four PROFINET devices in the inventory" "$BODY"; return 1; }
}

dcp_maint() {
	local s
	for s in commissioned active maintenance; do
		req "$1" PUT "/devices/$2/lifecycle" "{\"state\":\"$s\",\"reason\":\"t\"}"
	done
}
