#!/usr/bin/env bash
# A DCMD write to a Modbus device that does not answer it never holds the
# edge node's publishing: the write goes to the device's poller and the
# session thread goes on (issue 20).  A real mosquitto and a Modbus TCP
# server (tests/south/mbserver -w) that answers reads and holds every
# write unanswered: while it holds the DCMD's write, the data of another
# device keep going out in DDATA, and the command is neither counted nor
# audited yet; once the server goes away the write fails and the command
# is audited as failed.  A write still held when iiotd stops is answered
# (the device's timeout) and audited before iiotd ends; a DCMD arriving
# while the pollers stop is refused, audited as fail with "iiotd is
# stopping: nothing sent" (regression test for "DCMD during shutdown": it
# raced the pollers' ends, and was audited as a write tried and failed).
# Regression test for "DCMD write blocks the north thread": before, the
# session thread waited in the write for the device's timeout and no
# DDATA went out meanwhile.
. "$(dirname "$0")/lib_north.sh"
. "$(dirname "$0")/../south/lib_modbus.sh"
north_setup
[ -x "$MBSERVER" ] || skip_all "mbserver not built (make tests)"
# its port on stdout, the writes it holds on stderr
mbs() {
	"$MBSERVER" -w "$@" >"$T/mbport" 2>>"$T/held.log" &
	MB_PID=$!
	cleanup_push "kill -9 $MB_PID"
	wait_for "mbserver" 10 test -s "$T/mbport"
	P=$(head -1 "$T/mbport")
}
: >"$T/held.log"
mbs
[ -n "$P" ] || { fail "mbserver starts"; exit 0; }
broker_start a || { fail "mosquitto starts"; exit 0; }
sub_start a
S=$T/sub-a.jsonl
DT="spBv1.0/plant/DCMD/ipc1/modbus:plc1"
DD="spBv1.0/plant/DDATA/ipc1/modbus:plc2"
# plc1 takes the writes (held); plc2 on its own connection counts up
north_conf "$T/iiotd.conf" "mqtt://127.0.0.1:$PORT_a" -- "scan = 200ms" \
	"remote_commands = yes" "per_device = 20" \
	"[modbus.plc1]" "host = 127.0.0.1" "port = $P" "timeout = 20s" "retries = 0" \
	"point = sp hr 40 u16 every=1s" \
	"[modbus.plc2]" "host = 127.0.0.1" "port = $P" "timeout = 1s" \
	"point = ctr ir 100 u16 every=200ms"
dcmd() { "$SPTOOL" cmd "$@" | mosquitto_pub -p "$PORT_a" -t "$DT" -s; }
writes() { mbj plc1 '"\(.counters.writes) \(.counters.write_errors)"'; }
audit() { ctl audit --state "$T/state" export | jq -r "select(.action == \"north.command\") | $1"; }
held() { [ "$(grep -c '^held write' "$T/held.log")" -ge "$1" ]; }
ddata() { sel "$S" ".topic == \"$DD\"" | wc -l; }

start_iiotd "$T/iiotd.conf" || { fail "iiotd starts"; exit 0; }
wait_for "plc1's DBIRTH" 30 has "$S" '.topic == "spBv1.0/plant/DBIRTH/ipc1/modbus:plc1"' ||
	fail "DBIRTH of plc1" "$(tail -3 "$T/iiotd.log")"
wait_for "plc2's DDATA" 30 has "$S" ".topic == \"$DD\"" || fail "DDATA of plc2"
ID=$(mbj plc1 .device)
ctl device lifecycle "$ID" active >/dev/null && ctl device lifecycle "$ID" maintenance >/dev/null
# the lifecycle reaches the north thread through the next snapshot
sleep 2

dcmd write Signals/plc1.sp 7
wait_for "the write held by the device" 40 held 1 ||
	fail "the DCMD's write reaches the device" "$(tail -3 "$T/iiotd.log")"
n0=$(ddata)
wait_for "three DDATA of plc2 after the held write" 40 has "$S" ".topic == \"$DD\"" $((n0 + 3))
expect_eq "while the device holds the write, plc2's DDATA go on and the write is still under way" \
	"$(($(ddata) >= n0 + 3)) $(nstat commands_pending) $(writes)" "1 1 0 0"
expect_eq "...and the command is not audited before its answer" "$(audit .result | wc -l)" 0
expect_eq "the write was queued to the poller" "$(nstat commands_queued)" 1

# the device goes away: the held write fails, the command says so
kill -9 "$MB_PID"
wait_for "the write's answer" 30 sh -c "[ \"\$($BIN/iiotctl audit --state $T/state export | grep -c north.command)\" -ge 1 ]"
expect_eq "the failed write is audited with its reason" \
	"$(audit '.result + " " + (.detail | fromjson | (.value | tostring) + " " + (.reason | length > 0 | tostring))')" \
	"fail 7 true"
expect_eq "counted as refused or failed, none pending" \
	"$(nstat commands_refused) $(nstat commands_done) $(nstat commands_pending) $(writes)" "1 0 0 0 1"

# a write held as iiotd stops: answered within the device's timeout (the
# Modbus pollers end in their quiesce, north_stop waits for any answer
# still owed) and audited before iiotd ends
P0=$P
rm -f "$T/mbport"
mbs -p "$P"
expect_eq "the server is back on its port" "$P" "$P0"
wait_for "plc1 answers again" 60 sh -c "[ \"\$($BIN/iiotctl modbus plc1 --json | jq -r .device.counters.scans)\" -gt \"$(mbj plc1 .counters.scans)\" ] && [ \"\$($BIN/iiotctl modbus plc1 --json | jq -r .device.online)\" = true ]"
dcmd write Signals/plc1.sp 8
wait_for "the second write held" 60 held 2 ||
	fail "the second write reaches the device" "$(tail -3 "$T/iiotd.log")"
# a DCMD while the pollers stop (dcmd_during_shutdown): plc1's poller is
# held in the write above, north still runs; the write is refused by the
# Modbus subsystem, counted and audited as fail (the API's 503), nothing sent
kill -TERM "$IIOTD_PID"
wait_for "the pollers stopping" 30 grep -q "modbus: stopping" "$T/iiotd.log" ||
	fail "modbus says it stops" "$(tail -3 "$T/iiotd.log")"
dcmd write Signals/plc1.sp 9
wait_for "the refusal" 30 grep -q "fail: iiotd is stopping: nothing sent" "$T/iiotd.log" ||
	fail "a DCMD during shutdown is refused" "$(tail -3 "$T/iiotd.log")"
stop_iiotd
expect_eq "iiotd stopped with a write held: the write is audited as failed" \
	"$(audit 'select(.detail | fromjson | .value == 8) | .result')" fail
expect_eq "a DCMD as the pollers stop: audited as fail, iiotd is stopping" \
	"$(audit 'select(.detail | fromjson | .value == 9) | .result + " " + (.detail | fromjson | .reason)')" \
	"fail iiotd is stopping: nothing sent"
expect_eq "...and the device saw no third write" "$(grep -c '^held write' "$T/held.log")" 2
echo "1..$_tap_n"
