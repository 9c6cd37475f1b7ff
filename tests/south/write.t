#!/usr/bin/env bash
# Modbus writes through the API against a real server (tests/south/
# mbserver.c), with the gates of device control: device.control (a viewer
# is refused), an interactive session (a token is refused) that passed MFA,
# a reason, the device in maintenance (409 otherwise, nothing sent, audited
# as denied through the API and iiotctl alike); a dry
# run sends nothing; a write of each kind (f32 in CDAB, a scaled i16, a
# coil) is read back; a device that does not keep the value is a 502;
# every attempt is audited with what was sent and what came back; the
# rate limit of [modbus] per_device, shared by the API and iiotctl: a
# write past it is a 429 with the count, audited, and sends nothing, while
# refusals and dry runs never count.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../api/lib_api.sh"
MBSERVER=$BUILD/tests-south/mbserver
[ -x "$MBSERVER" ] || skip_all "mbserver not built (make tests)"
command -v jq >/dev/null || skip_all "jq not installed"

S=$(mktemp -d /tmp/iiot-mbw.XXXXXX)
cleanup_push "rm -rf $S"
"$MBSERVER" >"$S/port" 2>&1 &
cleanup_push "kill -9 $!"
for i in $(seq 50); do [ -s "$S/port" ] && break; sleep 0.1; done
P=$(head -1 "$S/port")
api_start "[modbus]" "per_device = 5" "[modbus.plc1]" "host = 127.0.0.1" "port = $P" "timeout = 500ms" \
	"point = sp hr 30 f32 order=CDAB unit=bar every=200ms" \
	"point = speed hr 40 i16 scale=0.1 every=200ms" \
	"point = run co 7 every=200ms" \
	"point = temp ir 0 u32" \
	"point = forgetful hr 999"

dev() { req "$D/admin" GET /modbus/devices/plc1; }
A=$D/admin
admin_enrol "$A" "plant supervisor 2026"
dev
ID=$(jf .device)
expect_eq "GET /modbus/devices/plc1: its inventory id and 5 points" "$CODE $(jf '.points | length')" "200 5"
W=/modbus/devices/plc1/write

req "$D/none" POST $W '{"point":"sp","value":1,"reason":"t"}' -H "Authorization: Bearer $(token vw viewer)"
expect_eq "a viewer may not write" "$CODE" 403
req "$D/none" POST $W '{"point":"sp","value":1,"reason":"t"}' -H "Authorization: Bearer $(token ad admin)"
expect_eq "an API token may not write" "$CODE" 403

# a second admin with a password-only session
admin_password_only
req "$D/a2" POST $W '{"point":"sp","value":1,"reason":"t"}'
expect_eq "without MFA: 403 with the reason" "$CODE $(jf .error | grep -o 'passed MFA')" "403 passed MFA"

req "$A" POST $W '{"point":"sp","value":12.5,"reason":"commissioning test"}'
expect_eq "a commissioned device: 409 with the reason" "$CODE $(jf .error | grep -o 'needs it in maintenance')" \
	"409 needs it in maintenance"
# audit result of a lifecycle refusal: the same "denied" through the API
# and iiotctl (the API said "fail" for a 409)
mbctl() { "$BIN/iiotctl" modbus -s "$D/iiotd.sock" "$@"; }
out=$(mbctl write plc1 sp 12.5 --reason "commissioning test" 2>&1); rc=$?
expect_eq "iiotctl modbus write to a commissioned device: refused with the reason" \
	"$rc $(grep -o 'needs it in maintenance' <<<"$out")" "1 needs it in maintenance"
req "$A" GET "/audit?limit=20"
expect_eq "a lifecycle refusal (409) is audited as denied through the API and iiotctl alike" \
	"$(jf '[.entries[] | select(.detail.status? == 409 and (.action == "modbus-write" or (.action | endswith("/modbus/devices/plc1/write")))) | "\(.addr == "ctl") \(.result)"] | sort | join(",")')" \
	"false denied,true denied"
req "$A" POST $W '{"point":"sp","value":12.5}'
expect_eq "no reason: 400" "$CODE" 400
dev
expect_eq "a refusal sends nothing" "$(jf '[.counters.writes, .counters.write_errors] | join(" ")')" "0 0"

req "$A" PUT "/devices/$ID/lifecycle" '{"state":"active","reason":"t"}'
req "$A" PUT "/devices/$ID/lifecycle" '{"state":"maintenance","reason":"setpoint change"}'
expect_eq "the device is in maintenance" "$CODE $(jf .lifecycle)" "200 maintenance"

req "$A" POST $W '{"point":"sp","value":12.5,"reason":"t","dry_run":true}'
expect_eq "dry run: what would be sent (12.5 as CDAB: 0x0000 0x4148)" \
	"$CODE $(jf '[.sent.function, .sent.address, (.sent.values | map(tostring) | join(","))] | join(" ")')" \
	"200 write multiple registers (16) 30 0,16712"
dev
expect_eq "...and nothing was sent" "$(jf .counters.writes)" 0

req "$A" POST $W '{"point":"sp","value":12.5,"reason":"new setpoint"}'
expect_eq "f32 CDAB written and read back" "$CODE $(jf .read_back)" "200 12.5"
req "$A" POST $W '{"point":"speed","value":-3.2,"reason":"t"}'
expect_eq "scaled i16 (-32 = 65504) written and read back" \
	"$CODE $(jf .read_back) $(jf '.sent.values[0]') $(jf .sent.function)" \
	"200 -3.2 65504 write single register (6)"
req "$A" POST $W '{"point":"run","value":1,"reason":"start"}'
expect_eq "coil written and read back" "$CODE $(jf .read_back) $(jf .sent.function)" "200 1 write single coil (5)"
for i in $(seq 30); do
	dev
	[ "$(jf '[.points[] | select(.name == "sp" or .name == "run") | .value] | join(" ")')" = "12.5 1" ] && break
	sleep 0.2
done
expect_eq "the poller reads the new values" \
	"$(jf '[.points[] | select(.name == "sp" or .name == "speed" or .name == "run") | .value] | join(" ")')" "12.5 -3.2 1"

req "$A" POST $W '{"point":"temp","value":1,"reason":"t"}'
expect_eq "an input register is read-only: 400" "$CODE $(jf .error | grep -o read-only)" "400 read-only"
req "$A" POST $W '{"point":"speed","value":4000,"reason":"t"}'
expect_eq "out of the type's range: 400" "$CODE $(jf .error | grep -o 'outside i16')" "400 outside i16"
req "$A" POST $W '{"point":"nosuch","value":1,"reason":"t"}'
expect_eq "no such point: 404" "$CODE" 404
req "$A" POST $W '{"point":"forgetful","value":5,"reason":"t"}'
expect_eq "a device that does not keep the value: 502, read back 0" \
	"$CODE $(jf .error | grep -o 'read back 0, not 5')" "502 read back 0, not 5"
dev
expect_eq "counted: 3 writes verified, 1 not" "$(jf '[.counters.writes, .counters.write_errors] | join(" ")')" "3 1"

req "$A" GET "/audit?limit=100"
expect_eq "audited: the request, what was sent, the read-back" \
	"$(jf '[.entries[] | (.detail | if type == "object" then . else {} end) as $d | select(.target == "modbus plc1" and .result == "ok" and $d.dry_run == false and $d.point == "sp") | "\($d.reason) \($d.sent.values | map(tostring) | join(",")) \($d.read_back)"] | first')" \
	"new setpoint 0,16712 12.5"
expect_eq "refusals audited as such" \
	"$(jf '[.entries[] | select((.action | endswith("/modbus/devices/plc1/write")) and .result != "ok")] | length >= 4')" true
# ---- iiotctl modbus: the local operator (the control socket's peer) -------
out=$(mbctl write plc1 sp 7.5 2>&1); rc=$?
expect_eq "iiotctl modbus write without --reason: refused" "$rc $(grep -o 'give --reason' <<<"$out")" "2 give --reason"
dev
w0=$(jf .counters.writes)
out=$(mbctl write plc1 sp 7.5 --reason "shell dry run" --dry-run --json 2>&1)
expect_eq "iiotctl modbus write --dry-run: what would be sent (7.5 as CDAB: 0x0000 0x40f0)" \
	"$(jq -r '[.dry_run, .sent.address, (.sent.values | map(tostring) | join(","))] | join(" ")' <<<"$out")" "true 30 0,16624"
dev
expect_eq "...and nothing was sent" "$(jf .counters.writes)" "$w0"
out=$(mbctl write plc1 sp -2.25 --reason "from the shell" 2>&1); rc=$?
expect_eq "iiotctl modbus write: written and read back" "$rc $(tail -1 <<<"$out")" "0 read back -2.25"
out=$(mbctl read plc1 sp 2>&1); rc=$?
expect_eq "iiotctl modbus read DEVICE POINT: that point only" "$rc $(tail -n +2 <<<"$out" | wc -l)" "0 1"
req "$A" GET "/audit?limit=20"
expect_eq "audited under the unix user and uid with the read-back" \
	"$(jf '[.entries[] | select(.action == "modbus-write" and .result == "ok" and .detail.dry_run == false) | "\(.user) \(.addr) \(.detail.uid) \(.target) \(.detail.reason) \(.detail.read_back)"] | first')" \
	"root ctl 0 modbus plc1 from the shell -2.25"

# ---- the rate limit: at most 5 writes a minute to plc1, API and iiotctl ----
# The window began with this test's first write: up to 5 went out since
# (the 400s, 404 and dry runs above did not count), so a burst of at most
# 6 more meets the limit whatever the machine's pace.
dev
w0=$(jf .counters.writes)
oks=0 code429=
for i in $(seq 6); do
	req "$A" POST $W "{\"point\":\"speed\",\"value\":$i,\"reason\":\"burst $i\"}"
	[ "$CODE" = 200 ] && oks=$((oks + 1))
	[ "$CODE" = 429 ] && { code429=$(jf .error); break; }
done
expect_eq "a write past [modbus] per_device: 429 with the count" \
	"$(grep -o "rate limit: device $ID had 5 control requests in the last minute (at most 5)" <<<"$code429")" \
	"rate limit: device $ID had 5 control requests in the last minute (at most 5)"
dev
expect_eq "...and it sent nothing: only the writes let through went out" \
	"$(jf .counters.writes)" "$((w0 + oks))"
req "$A" POST $W '{"point":"speed","value":1,"reason":"t","dry_run":true}'
expect_eq "a dry run is not limited" "$CODE $(jf .dry_run)" "200 true"
out=$(mbctl write plc1 speed 2 --reason "from the shell, limited" 2>&1); rc=$?
expect_eq "iiotctl modbus write counts against the same limit: refused" \
	"$rc $(grep -o 'rate limit: device' <<<"$out")" "1 rate limit: device"
dev
expect_eq "...and sent nothing" "$(jf .counters.writes)" "$((w0 + oks))"
req "$A" GET "/audit?limit=50"
expect_eq "the API's refusal is audited as denied, 429" \
	"$(jf '[.entries[] | select((.action | endswith("/modbus/devices/plc1/write")) and .result == "denied" and .detail.status == 429)] | length')" 1
expect_eq "iiotctl's refusal is audited as denied, 429, with why" \
	"$(jf '[.entries[] | select(.action == "modbus-write" and .result == "denied" and .detail.status == 429) | .detail.error | startswith("rate limit")] | join(" ")')" true
openapi_check
