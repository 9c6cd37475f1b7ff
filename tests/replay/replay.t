#!/usr/bin/env bash
# iiot-replay → ring → iiot-ringdump: counts, bytes and timestamps equal
# tshark's reading of the same captures; clear errors on bad files.
. "$(dirname "$0")/../lib.sh"

command -v tshark >/dev/null || skip_all "tshark not installed"
tmp=$(mktemp -d)
ring=test-replay-$$
cleanup_push "rm -rf $tmp /dev/shm/iiot/$ring /dev/shm/iiot/$ring.wake"

# replay FILE... [options]: fresh ring, replay it, dump it to $tmp/out.pcap
replay() {
	rm -f /dev/shm/iiot/$ring /dev/shm/iiot/$ring.wake
	"$BIN/iiot-replay" --ring $ring "$@" >$tmp/replay.out 2>$tmp/replay.err &&
	"$BIN/iiot-ringdump" --wait 2 --json --pcap $tmp/out.pcap $ring >$tmp/dump.json
}
# frame md5, time and length as tshark reads them (the oracle) ...
digest() { tshark -o frame.generate_md5_hash:TRUE -r "$1" -T fields \
	-e frame.md5_hash -e frame.time_epoch -e frame.len 2>/dev/null; }
# ... and the same lines from iiot-ringdump's nanosecond pcap
dump_digest() {
	python3 - "$1" <<'PY'
import hashlib, struct, sys
d = open(sys.argv[1], "rb").read()
assert struct.unpack_from("<I", d)[0] == 0xa1b23c4d
o = 24
while o + 16 <= len(d):
    s, ns, cap, wire = struct.unpack_from("<IIII", d, o)
    print("%s\t%d.%09d\t%d" % (hashlib.md5(d[o + 16:o + 16 + cap]).hexdigest(), s, ns, wire))
    o += 16 + cap
PY
}
# jget KEY FILE: a number or string from one-line JSON (jq rounds big ints)
jget() { grep -o "\"$1\":\"\?[^,\"}]*" "$2" | sed 's/.*:"\?//'; }

# 1. every real capture: same frames, bytes and timestamps as tshark sees
n=0
while read -r f; do
	[ -n "$f" ] || continue
	n=$((n + 1))
	name=${f##*/}
	digest "$f" >$tmp/want.txt
	want=$(wc -l <$tmp/want.txt)
	if ! replay --fast "$f"; then
		fail "$name: replay" "$(cat $tmp/replay.err)"
		continue
	fi
	expect_eq "$name: frames in ring" "$(jget frames $tmp/dump.json)" "$want"
	expect_eq "$name: no drops" "$(jget drops $tmp/dump.json)" 0
	if [ "$(cat $tmp/want.txt)" == "$(dump_digest $tmp/out.pcap)" ]; then
		ok "$name: bytes and ns timestamps unchanged"
	else
		fail "$name: bytes and ns timestamps unchanged"
	fi
done < <(shared_pcaps)
[ $n -gt 0 ] || skip "captures in \$PCAPS" "folder $PCAPS absent"

# mkcap FILE ns|us N GAP_US [linktype]: N EtherCAT-typed frames GAP_US apart
mkcap() {
	python3 - "$@" <<'PY'
import struct, sys
path, prec, n, gap = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
link = int(sys.argv[5]) if len(sys.argv) > 5 else 1
magic = 0xa1b23c4d if prec == "ns" else 0xa1b2c3d4
scale = 1000 if prec == "ns" else 1
with open(path, "wb") as f:
    f.write(struct.pack("<IHHiIII", magic, 2, 4, 0, 0, 65535, link))
    t0 = 1700000000 * 10**9 + 123456789
    for i in range(n):
        t = t0 + i * gap * 1000
        sub = (t % 10**9) // (1 if prec == "ns" else 1000)
        body = bytes.fromhex("ffffffffffff001122334455" "88a4") + bytes([i & 0xff]) * (46 + i % 20)
        f.write(struct.pack("<IIII", t // 10**9, sub, len(body), len(body)))
        f.write(body)
PY
}

# 2. nanosecond and microsecond pcap, pcapng with several interfaces
mkcap $tmp/ns.pcap ns 50 10000
mkcap $tmp/us.pcap us 30 1000
replay --fast $tmp/ns.pcap
expect_eq "ns pcap: 50 frames" "$(jget frames $tmp/dump.json)" 50
expect_eq "ns pcap: first timestamp keeps its nanoseconds" \
	"$(jget first_ns $tmp/dump.json)" 1700000000123456789
expect_eq "ns pcap: 490 ms from first to last frame" \
	"$(( $(jget last_ns $tmp/dump.json) - $(jget first_ns $tmp/dump.json) ))" 490000000
replay --fast $tmp/us.pcap
expect_eq "us pcap: first timestamp in ns" \
	"$(jget first_ns $tmp/dump.json)" 1700000000123456000
mergecap -F pcapng -w $tmp/multi.pcapng $tmp/ns.pcap $tmp/us.pcap 2>/dev/null
expect_eq "pcapng: two interfaces" \
	"$(tshark -r $tmp/multi.pcapng -T fields -e frame.interface_id 2>/dev/null | sort -u | wc -l)" 2
replay --fast $tmp/multi.pcapng
expect_eq "pcapng with two interfaces: 80 frames" "$(jget frames $tmp/dump.json)" 80
if [ "$(digest $tmp/multi.pcapng)" == "$(dump_digest $tmp/out.pcap)" ]; then
	ok "pcapng with two interfaces: bytes and timestamps unchanged"
else
	fail "pcapng with two interfaces: bytes and timestamps unchanged"
fi

# 3. several files, loops: timestamps keep rising, counts add up
replay --fast --loop 3 $tmp/ns.pcap $tmp/us.pcap
expect_eq "--loop 3 over two files: 240 frames" "$(jget frames $tmp/dump.json)" 240
sorted=$(dump_digest $tmp/out.pcap | cut -f2 | sort -c 2>&1 && echo sorted)
expect_eq "--loop: timestamps never go back" "$sorted" sorted
grep -q "240 frames" $tmp/replay.out && ok "summary line counts frames" ||
	fail "summary line counts frames" "$(cat $tmp/replay.out)"

# 4. pace: 50 frames 10 ms apart take at least 490 ms at speed 1, and at
# least 49 ms at speed 10 (lower bounds only: never a speed test)
t0=$(date +%s%N); replay $tmp/ns.pcap; t1=$(date +%s%N)
ms1=$(( (t1 - t0) / 1000000 ))
[ $ms1 -ge 480 ] && ok "recorded pace is kept" || fail "recorded pace is kept" "took $ms1 ms"
t0=$(date +%s%N); replay --speed 10 $tmp/ns.pcap; t1=$(date +%s%N)
ms=$(( (t1 - t0) / 1000000 ))
[ $ms -ge 45 ] && [ $ms -lt $ms1 ] && ok "--speed 10 is paced, and quicker than --speed 1" ||
	fail "--speed 10 is paced, and quicker than --speed 1" "took $ms ms, speed 1 took $ms1 ms"

# 5. --now, --snap, --json
before=$(date +%s%N)
replay --fast --now $tmp/ns.pcap
[ "$(jget first_ns $tmp/dump.json)" -ge "$before" ] && ok "--now stamps replay time" ||
	fail "--now stamps replay time"
replay --fast --snap 64 $tmp/ns.pcap
expect_eq "--snap 64 cuts longer frames" "$(jget truncated $tmp/dump.json)" \
	"$(tshark -r $tmp/ns.pcap -Y 'frame.len > 64' 2>/dev/null | wc -l)"
replay --fast --json $tmp/ns.pcap
expect_eq "--json summary" "$(jq -r '.frames,.drops' $tmp/replay.out | tr '\n' ' ')" "50 0 "

# 6. a full ring drops and counts (the consumer starts only afterwards)
rm -f /dev/shm/iiot/$ring /dev/shm/iiot/$ring.wake
mkcap $tmp/big.pcap ns 4000 1
"$BIN/iiot-replay" --ring $ring --fast --ring-size 65536 --json $tmp/big.pcap >$tmp/replay.out
drops=$(jq -r .drops $tmp/replay.out)
[ "$drops" -gt 0 ] && ok "full ring drops and counts ($drops)" || fail "full ring drops and counts"
"$BIN/iiot-ringdump" --wait 2 --json $ring >$tmp/dump.json
expect_eq "ring shows the same drops" "$(jget drops $tmp/dump.json)" "$drops"
expect_eq "frames read + drops = frames sent" \
	"$(( $(jget frames $tmp/dump.json) + drops ))" 4000
# --block waits for a consumer instead
rm -f /dev/shm/iiot/$ring /dev/shm/iiot/$ring.wake
"$BIN/iiot-replay" --ring $ring --fast --block --ring-size 65536 --json $tmp/big.pcap >$tmp/replay.out &
pid=$!
"$BIN/iiot-ringdump" --wait 5 --timeout 60 --json $ring >$tmp/dump.json
wait $pid
expect_eq "--block: every frame arrives" "$(jget frames $tmp/dump.json)" 4000
expect_eq "--block: no drops" "$(jget drops $tmp/dump.json)" 0

# 7. bad files: exit status and a message that names the file and the fault
bad() {	# what file pattern
	local what=$1 file=$2 pattern=$3 rc=0
	"$BIN/iiot-replay" --fast --ring $ring "$file" >$tmp/out 2>$tmp/err || rc=$?
	if [ $rc -ne 0 ] && grep -q -- "$file" $tmp/err && grep -qi -- "$pattern" $tmp/err; then
		ok "$what"
	else
		fail "$what" "exit $rc" "$(cat $tmp/err)"
	fi
}
bad "missing file" $tmp/nope.pcap "no such file"
head -c 1000 $tmp/ns.pcap >$tmp/trunc.pcap
bad "truncated file" $tmp/trunc.pcap "truncated"
mkcap $tmp/rawip.pcap us 3 10 101
bad "non-Ethernet file" $tmp/rawip.pcap "not Ethernet"
head -c 4000 /dev/urandom >$tmp/junk.pcap
bad "not a capture" $tmp/junk.pcap "not a readable pcap"
: >$tmp/empty.pcap
bad "empty file" $tmp/empty.pcap "not a readable pcap"
bad "a directory" $tmp "not a regular file"
rc=0; "$BIN/iiot-replay" --speed -1 $tmp/ns.pcap 2>/dev/null || rc=$?
expect_eq "bad --speed is refused" $rc 2
rc=0; "$BIN/iiot-replay" --ring-size 1000 $tmp/ns.pcap 2>/dev/null || rc=$?
expect_eq "too small --ring-size is refused" $rc 2
rc=0; "$BIN/iiot-replay" --ring $ring --ring-size 100000 $tmp/ns.pcap >/dev/null 2>$tmp/err || rc=$?
expect_eq "--ring-size not a power of two is refused" "$rc $(grep -c 'power of two' $tmp/err)" "1 1"
