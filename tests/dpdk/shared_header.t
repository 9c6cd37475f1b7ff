#!/usr/bin/env bash
# Regression: iiot-dpdk sized its bursts by the snap length in the ring
# file's header, which any writer of the file can change.  With 64 written
# there while it ran (the real snap length 1518), each burst's frames ran
# tens of kilobytes past the span it had claimed, and it aborted.  It now
# goes by libshm's private copy: capture carries on, frames whole.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/dpdk_lib.sh"

DUMP=$BIN/iiot-ringdump
[ -x "$DUMP" ] || skip_all "iiot-ringdump not built"

# 64 EtherCAT frames of 1000 bytes, replayed without end
python3 - $tmp/big.pcap <<'PY'
import struct, sys
D = bytes.fromhex("ffffffffffff020000000001") + b"\x88\xa4"
with open(sys.argv[1], "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
    for i in range(64):
        fr = D + bytes([i]) * (1000 - len(D))
        f.write(struct.pack("<IIII", 1700000000, i, len(fr), len(fr)) + fr)
PY

ring=$(ring_name hdr)
ring_rm "$ring"
cleanup_push "ring_rm $ring"
eal_setup
dpdk_start $tmp/out.json $tmp/err "${EAL[@]}" \
	"--vdev=net_pcap0,rx_pcap=$tmp/big.pcap,infinite_rx=1" -- \
	--port 0 --ring "$ring" --ring-size 4M --snaplen 1518 \
	--stats-file $tmp/stats.json --stats-interval 0.1
if ! wait_json $tmp/stats.json '.written > 1000' 30; then
	dpdk_stop
	fail "iiot-dpdk runs on an endless replay" "$(tail -3 $tmp/err)"
	exit 0
fi

# a reader keeps the ring from filling, so bursts keep going into spans
"$DUMP" --timeout 3 --json "$ring" >$tmp/dump.json 2>$tmp/dump.err &
dump_pid=$!
cleanup_push "kill $dump_pid"
sleep 0.3
# struct iiot_ring_hdr.snap_len: offset 32, little endian
python3 -c '
import struct, sys
with open(sys.argv[1], "r+b") as f:
    f.seek(32)
    f.write(struct.pack("<I", 64))
' "/dev/shm/iiot/$ring"
w0=$(jq .written $tmp/stats.json)
sleep 1
wait_json $tmp/stats.json ".written > $w0 + 1000" 10
alive=$?
expect_eq "header snap length changed to 64: iiot-dpdk keeps capturing" $alive 0
dpdk_stop
expect_eq "iiot-dpdk exits cleanly afterwards" $? 0
wait $dump_pid
if jq -e '.frames > 1000' $tmp/dump.json >/dev/null 2>&1; then
	expect_eq "every frame whole (1000 bytes), none cut to the file's 64" \
		"$(jq '.bytes == .frames * 1000' $tmp/dump.json)" true
	expect_eq "the reader saw no corrupt records" \
		"$(jq '.corrupt // 0' $tmp/dump.json)" 0
else
	fail "the reader drained frames" "$(cat $tmp/dump.json $tmp/dump.err | tail -3)"
fi
