#!/usr/bin/env bash
# iiot-dpdk: bad arguments give clear errors; signals give a clean shutdown
# with the counters as JSON; several lcores each fill a ring of their own.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/dpdk_lib.sh"

# fails_with WHAT STATUS TEXT ARGS...: exits with STATUS, says TEXT
fails_with() {
	local what=$1 want=$2 text=$3 rc
	shift 3
	"$DPDK_BIN" "$@" >$tmp/out 2>$tmp/err
	rc=$?
	if [ $rc -eq "$want" ] && grep -qF -- "$text" $tmp/err; then
		ok "$what"
	else
		fail "$what" "exit $rc (want $want)" "$(tail -3 $tmp/err)"
	fi
}

ring=$(ring_name args)
cleanup_push "ring_rm $ring"
eal_setup
NULLDEV=--vdev=net_null0

fails_with "--ring is required" 2 "--ring NAME is required" \
	"${EAL[@]}" -- --port 0
fails_with "EAL option after -- is named" 2 \
	"EAL options go before '--'" --no-huge --ring $ring
fails_with "unknown option" 2 "unknown option --bogus" \
	"${EAL[@]}" -- --ring $ring --bogus
fails_with "queue list with a gap" 2 "without gaps" \
	"${EAL[@]}" -- --ring $ring --port 0:0,2
fails_with "bad ethertype" 2 "must be an ethertype" \
	"${EAL[@]}" -- --ring $ring --ethertype 0x12
fails_with "ring size not a power of two" 2 "power of two" \
	"${EAL[@]}" -- --ring $ring --ring-size 100000
fails_with "--all with --ethertype" 2 "exclude each other" \
	"${EAL[@]}" -- --ring $ring --all --ethertype 0x88a4

ncpu=$(nproc --all)
fails_with "core list beyond the machine" 2 "bad core list '0-$ncpu': core $ncpu does not exist" \
	"${EAL[@]}" -l "0-$ncpu" -- --ring $ring
fails_with "core list syntax" 2 "bad core list 'zero'" \
	"${EAL[@]}" -l zero -- --ring $ring
fails_with "core mask beyond the machine" 2 "bad core mask" \
	--no-huge -m 128 -c 0x10000 -- --ring $ring

huge=$(cat /sys/kernel/mm/hugepages/hugepages-*/nr_hugepages 2>/dev/null | awk '{s+=$1} END {print s+0}')
if [ "$huge" -eq 0 ]; then
	fails_with "no hugepages: suggests --no-huge" 2 "--no-huge -m 256" \
		-l 0 --no-pci -- --ring $ring
else
	skip "no hugepages: suggests --no-huge" "this machine has hugepages"
fi

fails_with "missing port by number" 1 "port 3 does not exist" \
	"${EAL[@]}" $NULLDEV -- --ring $ring --port 3
grep -qF "port 0: net_null0" $tmp/err && ok "missing port: lists the ports there are" ||
	fail "missing port: lists the ports there are" "$(cat $tmp/err)"
fails_with "missing port by name" 1 "port net_pcap7 does not exist" \
	"${EAL[@]}" $NULLDEV -- --ring $ring --port net_pcap7
fails_with "no port at all" 1 "no port is available" \
	"${EAL[@]}" -- --ring $ring
# an empty Ethernet capture: pcap header only
printf '\xd4\xc3\xb2\xa1\x02\x00\x04\x00\0\0\0\0\0\0\0\0\xff\xff\0\0\x01\0\0\0' >$tmp/empty.pcap
fails_with "more queues than the port has" 1 "has 1 RX queue, not 4" \
	"${EAL[@]}" "--vdev=net_pcap0,rx_pcap=$tmp/empty.pcap" -- --ring $ring --port 0:0-3
check "--help" "$DPDK_BIN" -- --help

# SIGUSR1 prints counters, SIGINT stops cleanly: ports closed, ring closed.
ring_rm $ring
dpdk_start $tmp/out $tmp/err "${EAL[@]}" $NULLDEV -- --ring $ring --all \
	--ring-size 1M --stats-file $tmp/stats.json --stats-interval 0.1
if wait_json $tmp/stats.json '.received > 1000'; then
	kill -USR1 $dpdk_pid
	for i in $(seq 50); do [ -s $tmp/out ] && break; sleep 0.1; done
	check "SIGUSR1: counters as JSON while running" \
		jq -e '.running == true and .received > 0' $tmp/out
	kill -INT $dpdk_pid
	wait $dpdk_pid
	expect_eq "SIGINT: exit status 0" $? 0
	tail -1 $tmp/out >$tmp/final.json
	check "SIGINT: final counters printed" \
		jq -e '.running == false and .received > 0 and .written > 0' $tmp/final.json
	check "SIGINT: every frame written or counted" \
		jq -e '.matched == .written + .ring_drops and .received == .matched' $tmp/final.json
	check "SIGINT: stats file holds the final counters" \
		jq -e '.running == false' $tmp/stats.json
	"$RINGCAT" ring $ring >/dev/null 2>$tmp/ring.json
	expect_eq "SIGINT: ring closed with iiot-dpdk's counts" \
		"$(jq -r '"\(.state) \(.records) \(.drops)"' $tmp/ring.json)" \
		"closed $(jq -r '"\(.written) \(.ring_drops)"' $tmp/final.json)"
	expect_eq "SIGINT: ring source is dpdk" "$(jq .source $tmp/ring.json)" 3
else
	fail "net_null capture started" "$(tail -3 $tmp/err)"
fi

# Two lcores, two queues: a ring each, NAME and NAME.1.
if [ "$ncpu" -ge 2 ]; then
	ring_rm $ring
	EAL2=("${EAL[@]}")
	EAL2[1]=0-1
	"$DPDK_BIN" "${EAL2[@]}" --vdev=net_null0 -- --ring $ring --all \
		--port 0:0-1 --ring-size 1M --duration 0.3 >$tmp/two.json 2>$tmp/err
	expect_eq "two lcores: exit status 0" $? 0
	check "two lcores: both rings written" \
		jq -e '(.rings | length) == 2 and all(.rings[]; .written > 0)' $tmp/two.json
	check "two lcores: ring $ring.1 exists" "$RINGCAT" ring $ring.1
	fails_with "two rings for one lcore" 1 "2 rings given but 1 lcore polls" \
		"${EAL[@]}" $NULLDEV -- --ring $ring --ring $ring.b
else
	skip "two lcores" "one CPU"
fi
