#!/usr/bin/env bash
# Modbus TCP devices against a real server (tests/south/mbserver.c,
# libmodbus's server API): every byte and word order decodes to the
# server's values, reads are coalesced, values become stored signals that
# analytics rules act on, and the device an inventory entry of kind modbus
# with health; a device that dies is
# degraded after 3 failed scans with an alert, retried, and recovers; a
# device that hangs costs only timeouts, and capture goes on meanwhile.
. "$(dirname "$0")/lib_modbus.sh"
daemon_setup
[ -x "$MBSERVER" ] || skip_all "mbserver not built (make tests)"
command -v jq >/dev/null || skip_all "jq not installed"

mbserver_start P
mbserver_start DYING
mbserver_start HUNG -s
[ -n "$P" ] && [ -n "$DYING" ] && [ -n "$HUNG" ] || { fail "mbserver starts"; exit 0; }

# a rule of the analytics on a point's signal, as on a captured one
printf '[rule.ramp-high]\nkind = threshold\nsignal = plc1.ramp\nabove = 5\n' >"$T/rules.conf"
ring=$RING_PREFIX-mb
cleanup_push "rm -f /dev/shm/iiot/$ring /dev/shm/iiot/$ring.wake"
write_conf "$T/iiotd.conf" "[capture]" "ring = $ring" \
	"[analytics]" "rules = $T/rules.conf" \
	"[modbus]" "gap = 8" \
	"[modbus.plc1]" "host = 127.0.0.1" "port = $P" "unit = 1" \
	"point = f_abcd hr 0 f32" \
	"point = f_cdab hr 2 f32 order=CDAB" \
	"point = f_badc hr 4 f32 order=BADC" \
	"point = f_dcba hr 6 f32 order=DCBA unit=bar" \
	"point = d_abcd hr 10 f64" \
	"point = d_cdab hr 14 f64 order=GHEFCDAB" \
	"point = i16 hr 20 i16" \
	"point = i16_scaled hr 20 i16 scale=0.5 offset=10" \
	"point = u32 ir 0 u32" \
	"point = ramp ir 100 every=100ms" \
	"point = run co 5" \
	"point = door di 3" \
	"[modbus.dying]" "host = 127.0.0.1" "port = $DYING" "timeout = 200ms" \
	"retries = 1" "retry = 4s" "point = x hr 0 u16 every=200ms" \
	"[modbus.hung]" "host = 127.0.0.1" "port = $HUNG" "timeout = 300ms" \
	"retries = 0" "point = x hr 0 u16 every=100ms"
check "iiotd -n accepts the [modbus] sections" "$BIN/iiotd" -n -f "$T/iiotd.conf"
start_iiotd "$T/iiotd.conf" || { fail "iiotd starts"; exit 0; }

wait_for "plc1 values" 10 sh -c "$BIN/iiotctl modbus plc1 --json | jq -e '.device.points | all(has(\"value\"))'" ||
	fail "every plc1 point has a value" "$(ctl modbus plc1)"
expect_eq "f32 in ABCD, CDAB, BADC, DCBA" \
	"$(mbj plc1 '[.points[] | select(.name | startswith("f_")) | .value] | join(" ")')" \
	"10.5 10.5 10.5 10.5"
expect_eq "f64 in ABCDEFGH and GHEFCDAB" \
	"$(mbj plc1 '[.points[] | select(.name | startswith("d_")) | .value] | join(" ")')" "-2.25 -2.25"
expect_eq "i16, scaled, u32, coil, discrete input" \
	"$(mbj plc1 '[.points[] | select(.name | test("^(i16|u32|run|door)")) | .value] | join(" ")')" \
	"-2 9 123456789 1 1"
expect_eq "reads coalesced: hr 0-20, ir 0-1, coil, discrete, ir 100" \
	"$(mbj plc1 .reads_per_scan)" 5
r1=$(mbj plc1 '.points[] | select(.name == "ramp") | .value')
sleep 0.5
r2=$(mbj plc1 '.points[] | select(.name == "ramp") | .value')
check "the 100 ms point follows the process ($r1 -> $r2)" test "$r2" -gt "$r1"

# the inventory and the signals
expect_eq "plc1 in the inventory: kind modbus, online, commissioned" \
	"$(ctl devices --json | jq -r '.devices[] | select(.station_name == "plc1") | "\(.kind) \(.online) \(.lifecycle)"')" \
	"modbus true commissioned"
expect_eq "a point's signal has its device's name, unit and device" \
	"$(sqlite3 "$T/state/iiot.db" "select device || ' ' || unit from signals where name = 'plc1.f_dcba'")" \
	"modbus:plc1 bar"
wait_for "stored" 10 sh -c "sqlite3 '$T/state/iiot.db' \"select count(*) from signals s join samples_raw r on r.signal = s.id where s.name = 'plc1.ramp'\" | grep -qv '^0$'" &&
	ok "plc1.ramp samples are stored as a signal" ||
	fail "plc1.ramp samples are stored" "$(sqlite3 "$T/state/iiot.db" 'select * from signals' 2>&1 | head -5)"

wait_for "threshold" 10 sh -c "$BIN/iiotctl alerts --json | jq -s -e 'any(.[]; .rule == \"signal.threshold\" and .device == \"plc1.ramp\")'" &&
	ok "an analytics rule on plc1.ramp raises signal.threshold" ||
	fail "an analytics rule on plc1.ramp raises signal.threshold" "$(ctl alerts --json | head -3)"
expect_eq "plc1's health: kind modbus, online, good" \
	"$(ctl health --json plc1 | jq -r '.devices[0] | "\(.label) \(.kind) \(.online) \(.grade)"')" \
	"modbus:plc1 modbus true good"

# a dead device: refused connections, degraded after 3 failed scans
wait_for "dying answers" 5 sh -c "$BIN/iiotctl modbus dying --json | jq -e '.device.state == \"ok\"'"
f0=$(drained)
kill -9 "$DYING_PID"
wait_for "degraded" 10 sh -c "$BIN/iiotctl modbus dying --json | jq -e '.device.state == \"degraded\"'" &&
	ok "a dead device is degraded" || fail "a dead device is degraded" "$(ctl modbus dying)"
expect_eq "after 3 failed scans" "$(mbj dying .counters.scans_failed)" 3
al=$(ctl alerts --json | jq -r 'select(.rule == "modbus.device.degraded") | .state' | head -1)
check "modbus.device.degraded is raised ($al)" test -n "$al"
expect_eq "the device is offline in the inventory" \
	"$(ctl devices --json | jq -r '.devices[] | select(.station_name == "dying") | .online')" false
expect_eq "a degraded device's health: offline, fault, with a reason" \
	"$(ctl health --json dying | jq -r '.devices[0] | "\(.online) \(.grade) \(.reasons | length > 0)"')" \
	"false fault true"
sleep 1
expect_eq "no try within the 4 s retry" "$(mbj dying .counters.scans_failed)" 3
wait_for "retried" 10 sh -c "$BIN/iiotctl modbus dying --json | jq -e '.device.counters.scans_failed >= 4'" &&
	ok "retried after 4 s" || fail "retried after 4 s" "$(ctl modbus dying)"
"$MBSERVER" -p "$DYING" >/dev/null 2>&1 &
cleanup_push "kill -9 $!"
wait_for "recovered" 10 sh -c "$BIN/iiotctl modbus dying --json | jq -e '.device.state == \"ok\"'" &&
	ok "the device recovers when it answers again" || fail "recovers" "$(ctl modbus dying)"
wait_for "cleared" 5 sh -c "$BIN/iiotctl alerts --json | jq -s -e 'any(.[]; .rule == \"modbus.device.degraded\" and .device == \"dying\" and (.state | startswith(\"cleared\")))'" &&
	ok "the alert clears" || fail "the alert clears" "$(ctl alerts --json | grep modbus)"

# a hung device: timeouts counted, degraded, the line captured meanwhile
check "the hung device's requests time out" test "$(mbj hung .counters.timeouts)" -gt 0
expect_eq "the hung device is degraded" "$(mbj hung .state)" degraded
expect_eq "plc1 is unaffected by the other two" "$(mbj plc1 '.counters.scans_failed')" 0
"$BIN/iiot-sim" "$IIOT_TOP/sim/scenarios/small-cell.conf" --ring "$ring" \
	--duration 3 >"$T/sim.log" 2>&1 &
sim=$!
cleanup_push "kill -9 $sim"
wait_for "frames" 10 sh -c "[ \$($BIN/iiotctl status --json | jq .frames) -gt $f0 ]" &&
	ok "capture drains the line while devices time out" || fail "capture drains" "$(ctl status)"
wait $sim
stop_iiotd
