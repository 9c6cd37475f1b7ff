#!/usr/bin/env bash
# NCMD/DCMD through the control path, against a real mosquitto and a real
# Modbus TCP server (tests/south/mbserver.c): births mark what a host may
# write (property readOnly); a DCMD write of a holding register lands on
# the device (read back through iiotctl modbus, the API's JSON) and its
# value goes out in DDATA; refused cases (a read-only metric, remote
# commands off, the device not in maintenance, the rate limit) send
# nothing to the device and are audited; Node Control/Scan Rate and Next
# Server; a malformed DCMD is counted with one log line.
. "$(dirname "$0")/lib_north.sh"
north_setup
MBSERVER=$BUILD/tests-south/mbserver
[ -x "$MBSERVER" ] || skip_all "mbserver not built (make tests)"
"$MBSERVER" >"$T/mbport" 2>&1 &
cleanup_push "kill -9 $!"
wait_for "mbserver" 10 test -s "$T/mbport"
P=$(head -1 "$T/mbport")
broker_start a || { fail "mosquitto starts"; exit 0; }
sub_start a
S=$T/sub-a.jsonl
DEV=modbus:plc1
DT="spBv1.0/plant/DCMD/ipc1/$DEV"
conf() {
	north_conf "$T/iiotd.conf" "mqtt://127.0.0.1:$PORT_a" -- "per_device = 2" "$@" \
		"[modbus.plc1]" "host = 127.0.0.1" "port = $P" "timeout = 500ms" \
		"point = sp hr 30 f32 order=CDAB unit=bar every=200ms" \
		"point = temp ir 0 u32 every=200ms"
}
dcmd() { "$SPTOOL" cmd "$@" | mosquitto_pub -p "$PORT_a" -t "$DT" -s; }
ncmd() { "$SPTOOL" cmd "$@" | mosquitto_pub -p "$PORT_a" -t spBv1.0/plant/NCMD/ipc1 -s; }
mb() { ctl modbus --json plc1 | jq .device; }
writes() { mb | jq -r '"\(.counters.writes) \(.counters.write_errors)"'; }
# command metrics handled (audited), not only received
cmds() { [ "$(ctl stats --json | jq '.north | .commands_done + .commands_refused + .commands_bad')" -ge "$1" ]; }
audit() { ctl audit --state "$T/state" export | jq -r "select(.action == \"north.command\") | $1"; }

conf
sim_start
start_iiotd "$T/iiotd.conf" || { fail "iiotd starts"; exit 0; }
B="spBv1.0/plant/DBIRTH/ipc1/$DEV"
wait_for "the Modbus device's DBIRTH" 30 has "$S" ".topic == \"$B\" and any(.metrics[]; .name == \"Signals/plc1.sp\")" ||
	fail "DBIRTH of $DEV" "$(tail -3 "$T/iiotd.log")"
ro() { sel "$S" ".topic == \"$B\"" | tail -1 | jq -c "[.metrics[] | select(.name == \"$1\") | .props.readOnly]"; }
expect_eq "tck-id-payloads-metric-properties: a holding register is born writable (readOnly false)" "$(ro Signals/plc1.sp)" "[false]"
expect_eq "an input register is born readOnly" "$(ro Signals/plc1.temp)" "[true]"
expect_eq "identity metrics are born readOnly" "$(ro Identity/Kind)" "[true]"
expect_eq "NBIRTH: the node controls are writable" \
	"$(sel "$S" '.topic == "spBv1.0/plant/NBIRTH/ipc1"' | tail -1 | jq -c '[.metrics[] | select(.name | startswith("Node Control/")) | "\(.name)=\(.props.readOnly)"] | sort')" \
	'["Node Control/Next Server=false","Node Control/Rebirth=false","Node Control/Scan Rate=false"]'

# refused: remote commands off (the default), a read-only metric
dcmd write Signals/plc1.sp 7.5
dcmd write Signals/plc1.temp 3
dcmd write Identity/Kind 1
wait_for "3 commands" 10 cmds 3
expect_eq "remote_commands = no: refused; read-only metrics refused" "$(nstat commands_refused) $(nstat commands_done)" "3 0"
expect_eq "refusals send nothing to the device" "$(writes)" "0 0"
expect_eq "the refusal says remote commands are off" \
	"$(audit 'select(.target == "modbus:plc1 Signals/plc1.sp") | .result + " " + (.detail | fromjson | .reason)')" \
	"fail remote commands are off ([north] remote_commands = no)"
expect_eq "a read-only metric: refused as not writable" \
	"$(audit 'select(.target == "modbus:plc1 Signals/plc1.temp") | (.detail | fromjson | .reason)')" \
	"Signals/plc1.temp is not writable"
expect_eq "the audit row's user is the Sparkplug host, from the broker" \
	"$(audit '.user + " " + .addr' | sort -u)" "sparkplug:host mqtt://127.0.0.1:$PORT_a"

# remote commands on (a reload starts a new session): the lifecycle gate
conf "remote_commands = yes"
nb=$(sel "$S" '.topic == "spBv1.0/plant/NBIRTH/ipc1"' | wc -l)
kill -HUP "$IIOTD_PID"
wait_for "the new session's births" 20 has "$S" '.topic == "spBv1.0/plant/NBIRTH/ipc1"' $((nb + 1))
# the device born again in the new session, with its point
born_sp() {
	jq -se --arg b "$B" '(map(.topic == "spBv1.0/plant/NBIRTH/ipc1") | rindex(true)) as $n |
		any(.[$n:][]; .topic == $b and any(.metrics[]; .name == "Signals/plc1.sp"))' "$S"
}
wait_for "the device born again" 20 born_sp
dcmd write Signals/plc1.sp 7.5
wait_for "4 commands" 10 cmds 4
expect_eq "a commissioned device: refused, needs maintenance" \
	"$(audit 'select(.target == "modbus:plc1 Signals/plc1.sp") | .detail | fromjson | .reason' | tail -1 | grep -o 'needs it in maintenance')" \
	"needs it in maintenance"
expect_eq "...and nothing was sent" "$(writes)" "0 0"
# the same lifecycle refusal, the same result word through every door:
# a DCMD here and iiotctl's write (tests/south/write.t: iiotctl and the API)
ctl modbus write plc1 sp 7.5 --reason "lifecycle gate" >/dev/null 2>&1
expect_eq "a lifecycle refusal is audited as denied by a DCMD and iiotctl alike" \
	"$(ctl audit --state "$T/state" export | jq -r 'select((.action == "north.command" or .action == "modbus-write") and
		((.detail | fromjson | .error // .reason // "") | test("needs it in maintenance"))) | "\(.action) \(.result)"' | sort -u | tr '\n' ' ')" \
	"modbus-write denied north.command denied "

ID=$(mb | jq -r .device)
ctl device lifecycle "$ID" active >/dev/null && ctl device lifecycle "$ID" maintenance >/dev/null
expect_eq "the device is in maintenance" "$(ctl device show --json "$ID" | jq -r .device.lifecycle)" maintenance
# the lifecycle reaches the north thread through the next snapshot
sleep 2
alias=$(sel "$S" ".topic == \"$B\"" | tail -1 | jq '.metrics[] | select(.name == "Signals/plc1.sp") | .alias')
dcmd write Signals/plc1.sp 7.5
wait_for "the write" 20 cmds 5
expect_eq "DCMD write: written and read back on the device" "$(writes)" "1 0"
wait_for "the poller's value" 10 sh -c "[ \"\$($BIN/iiotctl modbus --json plc1 | jq '.device.points[] | select(.name == \"sp\") | .value')\" = 7.5 ]"
expect_eq "the register holds the new value (iiotctl modbus, the API's JSON)" \
	"$(mb | jq '.points[] | select(.name == "sp") | .value')" 7.5
wait_for "DDATA with 7.5" 10 has "$S" ".topic == \"spBv1.0/plant/DDATA/ipc1/$DEV\" and any(.metrics[]; .alias == $alias and .value == 7.5)" &&
	ok "tck-id-operational-behavior-data-commands-dcmd: the new value goes out in DDATA" ||
	fail "DDATA with the written value" "$(sel "$S" '.topic | test("DDATA/ipc1/modbus")' | tail -2)"
dcmd write-alias "$alias" 8.25
wait_for "the write by alias" 20 cmds 6
expect_eq "a write by alias lands too" "$(writes)" "2 0"
wait_for "DDATA with 8.25" 10 has "$S" ".topic == \"spBv1.0/plant/DDATA/ipc1/$DEV\" and any(.metrics[]; .alias == $alias and .value == 8.25)" &&
	ok "...and its value goes out in DDATA" || fail "DDATA 8.25"
# a burst of three: within a minute at most per_device = 2 go out
dcmd write Signals/plc1.sp 9
dcmd write Signals/plc1.sp 9.5
dcmd write Signals/plc1.sp 10
wait_for "9 commands" 20 cmds 9
expect_eq "per_device = 2: a burst of three writes, one or more refused for the rate" \
	"$(audit 'select(.result == "denied") | .detail | fromjson | .reason' | grep -c '^rate limit: device' | sed 's/^[1-3]$/yes/')" yes
nok=$(audit 'select(.result == "ok") | .target' | wc -l)
expect_eq "the device saw exactly the writes audited ok" "$(writes)" "$nok 0"
expect_eq "audited: the writes with what was sent and read back" \
	"$(audit 'select(.result == "ok") | .detail | fromjson | "\(.value) \(.read_back) \(.sent.function)"' | head -2)" \
	"7.5 7.5 write multiple registers (16)
8.25 8.25 write multiple registers (16)"

# node controls
ncmd write-int "Node Control/Scan Rate" 500
wait_for "Scan Rate in NDATA" 10 has "$S" '.topic == "spBv1.0/plant/NDATA/ipc1" and any(.metrics[]; .value == 500)' &&
	ok "Node Control/Scan Rate: the new rate goes out in NDATA" || fail "Scan Rate"
ncmd write-int "Node Control/Scan Rate" 5
wait_for "11 commands" 10 cmds 11
expect_eq "a Scan Rate out of range is refused" \
	"$(audit 'select(.target == "Node Control/Scan Rate") | .result' | tr '\n' ' ')" "ok fail "
nb=$(sel "$S" '.topic == "spBv1.0/plant/NBIRTH/ipc1"' | wc -l)
ncmd write "Node Control/Next Server"
wait_for "a new session" 30 has "$S" '.topic == "spBv1.0/plant/NBIRTH/ipc1"' $((nb + 1)) &&
	ok "Node Control/Next Server: the session ends and the next broker of the list is tried" ||
	fail "Next Server" "$(tail -3 "$T/iiotd.log")"

# a malformed DCMD: counted, one log line, nothing else
bad0=$(nstat commands_bad)
dcmd garbage
wait_for "bad" 10 sh -c "[ \$($BIN/iiotctl stats --json | jq .north.commands_bad) -gt $bad0 ]"
sleep 0.5	# its log line follows the counter
expect_eq "a malformed DCMD is counted" "$(nstat commands_bad)" $((bad0 + 1))
expect_eq "...with one log line" "$(grep -c "DCMD/ipc1/$DEV: ignored" "$T/iiotd.log")" 1
expect_eq "...and nothing sent" "$(writes)" "$nok 0"
kill -0 "$IIOTD_PID" && ok "iiotd runs on" || fail "iiotd runs on"
stop_iiotd
echo "1..$_tap_n"
