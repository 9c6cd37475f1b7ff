#!/usr/bin/env bash
# The NIC's counters through the ring ABI: iiot-dpdk writes its ports'
# ipackets/imissed/ierrors/rx_nombuf into its ring's producer page;
# "iiotctl rings" reads them from the ring, iiotd reports them with its
# rings (status, stats) and warns when the NIC drops frames.
. "$(dirname "$0")/../daemon/lib_daemon.sh"
. "$(dirname "$0")/dpdk_lib.sh"
# after lib_daemon.sh: its wait_for takes a description first, this one not
. "$(dirname "$0")/../netns.sh"

daemon_setup
r1=$RING_PREFIX-pcap r2=$RING_PREFIX-live

# ring_json RING JQ: a field of "iiotctl rings --json RING"
ring_json() { ctl rings --json "$1" | jq -r ".rings[0] | $2"; }
# iiotd_ring VERB RING JQ: a field of RING in "iiotctl VERB --json"
iiotd_ring() { ctl "$1" --json | jq -r ".rings[] | select(.ring == \"$2\") | $3"; }
iiotd_ring_is() { [ "$(iiotd_ring "$1" "$2" "$3")" = "$4" ]; }
nic_alerts() { ctl stats --json | jq .capture.nic_alerts; }

write_conf "$T/iiotd.conf" "[capture]" "ring = $r1" "ring = $r2"
start_iiotd "$T/iiotd.conf" || { fail "iiotd starts"; exit 0; }

# 1. a capture replayed by net_pcap: the NIC received every frame of it,
#    the filter kept only some, and every reader sees the NIC's count
f=$(shared_pcaps | xargs -r ls -S | head -1)
if [ -z "$f" ]; then
	f=$tmp/sim.pcap
	"$BIN/iiot-sim" "$IIOT_TOP/sim/scenarios/small-cell.conf" --out "$f" \
		--duration 1 >/dev/null 2>&1
fi
total=$("$RINGCAT" pcap "$f" | wc -l)
eal_setup
dpdk_start $tmp/out.json $tmp/err "${EAL[@]}" "--vdev=net_pcap0,rx_pcap=$f" \
	-- --port 0 --ring "$r1" --stats-file $tmp/stats.json --stats-interval 0.1
if wait_json $tmp/stats.json ".received >= $total" 60; then
	check "iiotd: its rings show nic_packets = the $total frames of ${f##*/}" \
		wait_for 10 iiotd_ring_is status "$r1" .nic_packets "$total"
	expect_eq "iiotd stats: NIC received, missed, errors, no buffer" \
		"$(iiotd_ring stats "$r1" '"\(.nic_packets) \(.nic_missed) \(.nic_errors) \(.nic_nombuf)"')" \
		"$total 0 0 0"
	expect_eq "iiotctl status: a NIC line under the ring" \
		"$(ctl status | grep -A1 "^ring: *$r1 " | sed -n 2p)" \
		"         nic: $total received, 0 missed, 0 errors, 0 no buffer"
	expect_eq "iiotd: no NIC loss, no warning" "$(nic_alerts)" 0
	dpdk_stop
	expect_eq "iiot-dpdk: exit status 0" $? 0
	expect_eq "iiotctl rings --json: the ring's NIC counters after the run" \
		"$(ring_json "$r1" '"\(.source) \(.state) \(.nic_packets) \(.nic_missed) \(.nic_errors) \(.nic_nombuf)"')" \
		"dpdk closed $total 0 0 0"
	expect_eq "iiotctl rings --json: the same count as iiot-dpdk's ipackets" \
		"$(ring_json "$r1" .nic_packets)" "$(jq '.ports[0].ipackets' $tmp/out.json)"
	expect_eq "iiotctl rings: a NIC line under the ring" \
		"$(ctl rings "$r1" | sed -n 3p)" \
		"  nic: $total received, 0 missed, 0 errors, 0 no buffer"
else
	dpdk_stop
	fail "net_pcap replay of ${f##*/}" "$(tail -3 $tmp/err)"
fi

# Rings of sources without a NIC: no NIC line, zeros in JSON.
"$BIN/iiot-replay" --ring "$RING_PREFIX-replay" --fast "$f" >/dev/null 2>&1
expect_eq "iiotctl rings: no NIC line for a replay ring" \
	"$(ctl rings "$RING_PREFIX-replay" | wc -l)" 2
expect_eq "iiotctl rings --json: NIC counters 0 for a replay ring" \
	"$(ring_json "$RING_PREFIX-replay" '.nic_packets + .nic_missed + .nic_errors + .nic_nombuf')" 0

# 2. frames the NIC missed: iiot-dpdk stopped while a live line goes on
#    overflows the kernel socket net_pcap reads (which, unlike
#    net_af_packet, reports those drops as imissed); iiotd warns once.
if [ "$(id -u)" -eq 0 ] && command -v nsenter >/dev/null && netns_pair nic; then
	eal_setup
	DPDK_WRAP=(nsenter --net=/run/netns/$NS_B)
	rm -f $tmp/stats.json
	dpdk_start $tmp/out.json $tmp/err "${EAL[@]}" "--vdev=net_pcap0,rx_iface=$IF_B" \
		-- --port 0 --ring "$r2" --stats-file $tmp/stats.json --stats-interval 0.1
	if wait_json $tmp/stats.json .running 30; then
		kill -STOP $dpdk_pid
		in_ns "$NS_A" python3 "$(dirname "$0")/send_frames.py" "$IF_A" $tmp/want.txt 20000
		kill -CONT $dpdk_pid
		wait_json $tmp/stats.json '.received + .imissed >= 20000' 30
		sleep 0.3	# one more housekeeping tick
		missed=$(jq .imissed $tmp/stats.json)
		check "live: the socket dropped frames ($missed)" test "$missed" -gt 0
		check "iiotd: its rings show nic_missed = iiot-dpdk's imissed" \
			wait_for 10 iiotd_ring_is status "$r2" .nic_missed "$missed"
		# the counter may grow over two ticks; the warning says how much
		# was new when it was written
		check "iiotd: warned that the NIC dropped frames" \
			wait_for 5 grep -qE "capture: $r2: the NIC dropped [1-9][0-9]* more frames" "$T/iiotd.log"
		expect_eq "iiotd: one warning, counted" "$(nic_alerts)" 1
		dpdk_stop
		expect_eq "iiotctl rings --json: received + missed = sent" \
			"$(ring_json "$r2" '.nic_packets + .nic_missed')" 20000
		expect_eq "iiotctl rings --json: NIC misses also in the ring's drops" \
			"$(ring_json "$r2" '.drops - .nic_missed - .nic_nombuf')" \
			"$(jq .ring_drops $tmp/out.json)"
	else
		dpdk_stop
		fail "live capture on $IF_B started" "$(tail -3 $tmp/err)"
	fi
else
	skip "NIC misses on a live interface" "needs root, nsenter and network namespaces"
fi
