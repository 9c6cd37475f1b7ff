#!/usr/bin/env bash
# iiot-sim into a libshm ring (real time, no end: how `make run` gets a
# simulated line), its command line, and scenario errors that name the line.
. "$(dirname "$0")/../lib.sh"

tmp=$(mktemp -d)
ring=test-sim-$$
cleanup_push "rm -rf $tmp /dev/shm/iiot/$ring /dev/shm/iiot/$ring.wake"
SC=$IIOT_TOP/sim/scenarios
jget() { grep -o "\"$1\":\"\?[^,\"}]*" "$2" | sed 's/.*:"\?//'; }

# 1. a bounded run into a ring carries exactly what the file run carries
"$BIN/iiot-sim" $SC/small-cell.conf --out $tmp/f.pcap --duration 0.5 2>$tmp/f.err
want=$(grep -o '[0-9]* frames' $tmp/f.err | awk '{print $1}')
"$BIN/iiot-sim" $SC/small-cell.conf --ring $ring --duration 0.5 2>$tmp/r.err &
pid=$!
"$BIN/iiot-ringdump" --wait 5 --timeout 30 --json $ring >$tmp/d.json
wait $pid
expect_eq "ring run: exit status" $? 0
expect_eq "ring run: same frame count as the file run" "$(jget frames $tmp/d.json)" "$want"
expect_eq "ring run: records say source sim" "$(jget source $tmp/d.json)" 5
expect_eq "ring run: no drops" "$(jget drops $tmp/d.json)" 0
span=$(( ($(jget last_ns $tmp/d.json) - $(jget first_ns $tmp/d.json)) / 1000000 ))
[ $span -ge 400 ] && [ $span -lt 600 ] && ok "ring run: timestamps span the 0.5 s simulated" ||
	fail "ring run: timestamps span the 0.5 s simulated" "span $span ms"
now=$(date +%s%N)
ago=$(( (now - $(jget last_ns $tmp/d.json)) / 1000000000 ))
[ $ago -ge 0 ] && [ $ago -lt 60 ] && ok "ring run: stamped with the current time" ||
	fail "ring run: stamped with the current time" "$ago s ago"

# 2. no duration: runs until stopped, frames arrive while it runs
rm -f /dev/shm/iiot/$ring /dev/shm/iiot/$ring.wake
"$BIN/iiot-sim" $SC/small-cell.conf --ring $ring 2>$tmp/r.err &
pid=$!
cleanup_push "kill $pid"
"$BIN/iiot-ringdump" --wait 5 --count 3000 --timeout 30 --json $ring >$tmp/d.json
expect_eq "endless run: frames flow while it runs" "$(jget frames $tmp/d.json)" 3000
kill -0 $pid 2>/dev/null && ok "endless run: still running" || fail "endless run: still running"
kill -TERM $pid; wait $pid
expect_eq "endless run: SIGTERM stops it cleanly" $? 0
grep -q "small-cell: [0-9]* frames" $tmp/r.err && ok "endless run: summary on stop" ||
	fail "endless run: summary on stop" "$(cat $tmp/r.err)"

# 3. --loop: the scenario starts over (start-up frames again)
rm -f /dev/shm/iiot/$ring /dev/shm/iiot/$ring.wake
"$BIN/iiot-sim" $SC/small-cell.conf --ring $ring --duration 0.1 --fast --loop 2>$tmp/l.err &
pid=$!
"$BIN/iiot-ringdump" --wait 5 --count 2000 --timeout 30 --pcap $tmp/loop.pcap $ring >/dev/null 2>&1
kill -TERM $pid; wait $pid
python3 - $tmp/loop.pcap >$tmp/brd <<'PY'
import struct, sys
d = open(sys.argv[1], "rb").read()[24:]; o = n = 0
while o + 16 <= len(d):
    l = struct.unpack_from("<I", d, o + 8)[0]; f = d[o + 16:o + 16 + l]; o += 16 + l
    # the master's BRD of the ESC type register opens every start-up
    if f[12:14] == b"\x88\xa4" and f[6] == 0 and f[16] == 7 and f[20:22] == b"\0\0": n += 1
print(n)
PY
[ "$(cat $tmp/brd)" -ge 2 ] && ok "--loop: start-up repeats ($(cat $tmp/brd) times)" ||
	fail "--loop: start-up repeats" "$(cat $tmp/brd)"

# 4. command line and scenario errors: clear, and they name the line
err() {	# what expected-status pattern args...
	local what=$1 want=$2 pat=$3 rc=0; shift 3
	"$BIN/iiot-sim" "$@" >/dev/null 2>$tmp/err || rc=$?
	if [ $rc -eq "$want" ] && grep -q -- "$pat" $tmp/err; then ok "$what"; else
		fail "$what" "exit $rc" "$(cat $tmp/err)"; fi
}
err "no output given" 2 "one of --out, --ring, --iface" $SC/small-cell.conf
err "two outputs given" 2 "one of --out, --ring, --iface" $SC/small-cell.conf --out $tmp/x.pcap --ring x
err "missing scenario" 1 "$tmp/none.conf: No such file" $tmp/none.conf --out $tmp/x.pcap
err "bad --duration" 2 "duration" $SC/small-cell.conf --out $tmp/x.pcap --duration -3
err "--loop without an end" 2 "--loop needs" $SC/small-cell.conf --ring x --loop
err "unwritable output" 1 "$tmp/no/x.pcap" $SC/small-cell.conf --out $tmp/no/x.pcap
err "no such interface" 1 "interface nosuch0" $SC/small-cell.conf --iface nosuch0

scen() { printf '%s\n' "$@" >$tmp/s.conf; }
scen "[ethercat-master m]" "cycle = 1ms" "" "[ethercat-slave]" "master = m" "inputs = 9999"
err "scenario: value out of range names line 6" 1 "s.conf:6: inputs must be" $tmp/s.conf --out $tmp/x.pcap
scen "# c" "[ethercat-master m]" "cycel = 1ms"
err "scenario: unknown key names line 3" 1 "s.conf:3: unknown key 'cycel'" $tmp/s.conf --out $tmp/x.pcap
scen "[ethercat-master m]" "cycle = 1" "[ethercat-slave]" "master = m"
err "scenario: time without unit" 1 "s.conf:2: cycle must be a time with a unit" $tmp/s.conf --out $tmp/x.pcap
scen "[profinet-controller plc]" "" "[profinet-device io]" "controller = nope"
err "scenario: unknown controller names line 4" 1 "s.conf:4: no PROFINET controller 'nope'" $tmp/s.conf --out $tmp/x.pcap
scen "[ethercat-master m]" "[fault]" "kind = slave-drop"
err "scenario: fault without target names its section" 1 "s.conf:2: a slave-drop fault needs target" $tmp/s.conf --out $tmp/x.pcap
scen "[bogus]"
err "scenario: unknown section" 1 "s.conf:1: unknown section \[bogus\]" $tmp/s.conf --out $tmp/x.pcap
scen "[profinet-controller plc]" "[profinet-device Bad_Name]" "controller = plc"
err "scenario: invalid station name" 1 "s.conf:2: name 'Bad_Name'" $tmp/s.conf --out $tmp/x.pcap
