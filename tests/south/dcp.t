#!/usr/bin/env bash
# DCP control through the API on a real wire: iiotd's [dcp] interface is
# one end of a veth pair, iiot-sim answers DCP on the other end in a
# network namespace as the small cell's four PROFINET devices would (its
# own state: names, addresses, the LED), and a second iiot-sim feeds the
# same cell into iiotd's ring for the inventory.  Every operation makes a
# real round trip; the gates refuse (403, 409, 429, 400) and then nothing
# goes out, which a capture on iiotd's interface checks; a dry run shows
# the frame and sends nothing; every attempt is an audit row with the
# request, the answer and the result.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../netns.sh"
. "$(dirname "$0")/../api/lib_api.sh"
. "$(dirname "$0")/lib_dcp.sh"
dcp_require

dcp_rig dcp
api_start "[capture]" "ring = $DCP_RING" "[dcp]" "interface = $IF_A" "timeout = 2s" \
	"identify_wait = 1s" "per_device = 4" "per_user = 100"
dcp_rig_start

A=$D/admin
admin_enrol "$A" "plant supervisor 2026" || fail "admin enrolment"
dcp_rig_devices "$A" || exit 1
maint() { dcp_maint "$A" "$1"; }
sent() { tshark -r "$D/sent.pcap" 2>/dev/null | wc -l; }
wait_for 10 test -s "$D/sent.pcap" || true

# ---- refusals: nothing goes out -------------------------------------------
P="/devices/$D2/dcp/signal"
req "$D/none" POST $P '{"reason":"t"}' -H "Authorization: Bearer $(token vw viewer)"
expect_eq "a viewer may not control" "$CODE" 403
req "$D/none" POST $P '{"reason":"t"}' -H "Authorization: Bearer $(token ad admin)"
expect_eq "an API token without the control grant may not control" \
	"$CODE $(jf .error | grep -o "needs the token's control grant")" "403 needs the token's control grant"
req "$A" POST /tokens '{"name":"scada","role":"engineer","control":true}'
GRANT=(-H "Authorization: Bearer $(jf .token)")
req "$D/none" POST $P '{"reason":"t"}' "${GRANT[@]}"
expect_eq "a token with the grant passes in place of MFA, then the lifecycle gate: 409" \
	"$CODE $(jf .error | grep -o 'needs it in maintenance')" "409 needs it in maintenance"
req "$D/none" POST $P '{}' "${GRANT[@]}"
expect_eq "...and it still needs a reason" "$CODE" 400
admin_password_only
req "$D/a2" POST $P '{"reason":"t"}'
expect_eq "without MFA: 403 with the reason" "$CODE $(jf .error | grep -o 'passed MFA')" "403 passed MFA"
req "$A" POST $P '{"reason":"find the device"}'
expect_eq "a device not in maintenance: 409 with the reason" \
	"$CODE $(jf .error | grep -o 'needs it in maintenance')" "409 needs it in maintenance"
req "$A" POST $P '{}'
expect_eq "no reason: 400" "$CODE" 400
req "$A" POST "/devices/$D2/dcp/blink" '{"reason":"t"}'
expect_eq "no such operation: 404" "$CODE" 404
req "$A" GET "/devices?kind=ecat-slave"
req "$A" POST "/devices/$(jf '.devices[0].id')/dcp/signal" '{"reason":"t"}'
expect_eq "an EtherCAT slave: 409, not PROFINET" "$CODE $(jf .error | grep -o 'not a PROFINET device')" \
	"409 not a PROFINET device"
req "$A" POST "/devices/$D3/dcp/set-name" '{"reason":"t","name":"Bad Name"}'
expect_eq "an invalid NameOfStation: 400" "$CODE $(jf .error | grep -o NameOfStation)" "400 NameOfStation"

for d in $D1 $D2 $D3 $D4; do maint "$d"; done
expect_eq "the four devices in maintenance" "$CODE $(jf .lifecycle)" "200 maintenance"

req "$A" POST "/devices/$D3/dcp/set-name" '{"reason":"t","name":"renamed-3","dry_run":true}'
expect_eq "dry run: the exact frame, to the device, from iiotd's interface" \
	"$CODE $(jf '[.dry_run, .frame.dst, .frame.src, .frame.length] | join(" ")')" \
	"200 true 00:0e:8c:10:00:03 $MY_MAC 60"
hexname=$(printf renamed-3 | od -An -tx1 | tr -d ' \n')
expect_eq "...Set NameOfStation, permanent: block 0202, length 11, qualifier 1, the name" \
	"$(jf .frame.frame | cut -c25-84)" "8892fefd040000000000000000100202000b0001${hexname}00"
req "$D/none" POST "/devices/$D3/dcp/set-name" '{"reason":"by the MES","name":"renamed-3","dry_run":true}' "${GRANT[@]}"
expect_eq "the token with the grant: a dry run on a device in maintenance" \
	"$CODE $(jf .dry_run) $(jf .frame.length)" "200 true 60"
sleep 1
expect_eq "refusals and the dry run sent nothing (capture on the wire)" "$(sent)" 0

# ---- real round trips ------------------------------------------------------
req "$A" POST /dcp/identify '{"reason":"survey"}'
expect_eq "Identify all: the four devices answer with their names" \
	"$CODE $(jf '[.devices[].name] | sort | join(",")')" "200 et200sp-1,et200sp-2,et200sp-3,et200sp-4"
req "$A" POST /dcp/identify '{"reason":"find it","name":"et200sp-3"}'
expect_eq "Identify by name: that device only" "$CODE $(jf '[.devices[].mac] | join(",")')" \
	"200 00:0e:8c:10:00:03"

req "$A" POST "/devices/$D3/dcp/set-name" '{"reason":"new name","name":"renamed-3"}'
expect_eq "Set NameOfStation: done, BlockError 0" "$CODE $(jf .result) $(jf .answer.block_error)" "200 done 0"
req "$A" POST /dcp/identify '{"reason":"check","name":"renamed-3"}'
expect_eq "...the device answers Identify under its new name" "$(jf '[.devices[].mac] | join(",")')" \
	"00:0e:8c:10:00:03"

req "$A" POST "/devices/$D4/dcp/set-ip" \
	'{"reason":"readdress","ip":"192.168.0.99","mask":"255.255.255.0","gateway":"192.168.0.1","permanent":false}'
expect_eq "Set IP (temporary): done" "$CODE $(jf .result)" "200 done"
req "$A" POST /dcp/identify '{"reason":"check"}'
expect_eq "...Identify shows the new address" \
	"$(jf '.devices[] | select(.mac == "00:0e:8c:10:00:04") | "\(.ip) \(.mask) \(.gateway)"')" \
	"192.168.0.99 255.255.255.0 192.168.0.1"

req "$A" POST "/devices/$D2/dcp/signal" '{"reason":"which one is it"}'
expect_eq "Signal: done" "$CODE $(jf .result)" "200 done"
wait_for 3 grep -q "device et200sp-2: DCP Signal" "$D/wire-sim.log" &&
	ok "...the device flashes its LED" || fail "...the device flashes its LED" "$(cat "$D/wire-sim.log")"

req "$A" POST "/devices/$D1/dcp/reset" '{"reason":"decommission"}'
expect_eq "Reset to factory (communication parameters): done" "$CODE $(jf .result)" "200 done"
req "$A" POST /dcp/identify '{"reason":"check"}'
expect_eq "...the device comes back without name and address" \
	"$(jf '.devices[] | select(.mac == "00:0e:8c:10:00:01") | "[\(.name)] \(.ip)"')" "[] 0.0.0.0"

req "$A" POST "/devices/$D1/dcp/reset" '{"reason":"t","mode":5}'
expect_eq "an unknown reset mode: 400" "$CODE" 400

# ---- rate limit ------------------------------------------------------------
for i in 1 2 3; do req "$A" POST "/devices/$D3/dcp/signal" '{"reason":"rate"}'; done
expect_eq "4 requests to one device within the minute pass" "$CODE" 200
req "$A" POST "/devices/$D3/dcp/signal" '{"reason":"rate"}'
expect_eq "the 5th: 429 with the reason" "$CODE $(jf .error | grep -o 'rate limit: device')" \
	"429 rate limit: device"
req "$A" POST "/devices/$D2/dcp/signal" '{"reason":"rate","dry_run":true}'
expect_eq "...another device is not held back" "$CODE" 200

sleep 1
expect_eq "exactly the 12 requests that passed the gates went out" "$(sent)" 12
tshark -r "$D/sent.pcap" -T fields -e pn_dcp.xid 2>/dev/null | sort -u >"$D/xids"
expect_eq "...each with its own Xid" "$(wc -l <"$D/xids")" 12

# ---- audit -----------------------------------------------------------------
req "$A" GET "/audit?limit=200"
expect_eq "audited: the request, what was sent, the answer, the result" \
	"$(jf "[.entries[] | (.detail | if type == \"object\" then . else {} end) as \$d | select(.target == \"dcp set-name device $D3\" and .result == \"ok\" and \$d.dry_run == false) | \"\(\$d.reason) \(\$d.name) \(\$d.sent.op) \(\$d.answer.mac) \(\$d.answer.block_error) \(\$d.result)\"] | first")" \
	"new name renamed-3 set-name 00:0e:8c:10:00:03 0 done"
expect_eq "the dry run audited with its frame" \
	"$(jf "[.entries[] | select(.target == \"dcp set-name device $D3\" and .detail.dry_run == true) | .detail.sent.length] | first")" 60
expect_eq "the token's action audited under its name" \
	"$(jf "[.entries[] | select(.target == \"dcp set-name device $D3\" and .user == \"token:scada\") | .detail.reason] | first")" \
	"by the MES"
expect_eq "refusals audited as denied, with why" \
	"$(jf '[.entries[] | select((.action | contains("/dcp/")) and .result != "ok")] | length >= 8')" true
expect_eq "identify audited with the devices found" \
	"$(jf '[.entries[] | select(.target == "dcp identify" and .result == "ok") | .detail.devices | length] | join(" ")')" "4 4 1 1 4"
# ---- iiotctl dcp: the local operator (the control socket's peer) ----------
# The gate minus MFA: a reason, the lifecycle state, the rate limits (the
# API's tables), the dry run; audited under the unix user and uid.
dcpctl() { "$BIN/iiotctl" dcp -s "$D/iiotd.sock" "$@"; }
before=$(sent)
out=$(dcpctl signal "$D2" 2>&1); rc=$?
expect_eq "iiotctl dcp without --reason: refused before asking iiotd" \
	"$rc $(grep -o 'give --reason' <<<"$out")" "2 give --reason"
out=$(dcpctl --reason "shell dry run" --dry-run set-name "$D1" cli-name-1 2>&1); rc=$?
hexname=$(printf cli-name-1 | od -An -tx1 | tr -d ' \n')
expect_eq "iiotctl dcp --dry-run: the exact frame, to the device, Set NameOfStation" \
	"$rc $(grep -c "$MY_MAC -> 00:0e:8c:10:00:01, 60 bytes" <<<"$out") $(tail -1 <<<"$out" | cut -c25-86)" \
	"0 1 8892fefd040000000000000000100202000c0001${hexname}00"
req "$A" PUT "/devices/$D2/lifecycle" '{"state":"active","reason":"back to work"}'
out=$(dcpctl --reason "flash it" signal "$D2" 2>&1); rc=$?
expect_eq "iiotctl dcp on a device not in maintenance: refused with the reason" \
	"$rc $(grep -o 'needs it in maintenance' <<<"$out")" "1 needs it in maintenance"
out=$(dcpctl --reason "rate" signal "$D3" 2>&1); rc=$?
expect_eq "iiotctl dcp shares the API's rate limit per device" \
	"$rc $(grep -o 'rate limit: device' <<<"$out")" "1 rate limit: device"
sleep 1
expect_eq "...the refusals and the dry run sent nothing (capture on the wire)" "$(sent)" "$before"
out=$(dcpctl --reason "from the shell" set-name "$D1" cli-name-1 2>&1); rc=$?
expect_eq "iiotctl dcp set-name: done, BlockError 0" \
	"$rc $(head -1 <<<"$out") $(grep -o 'BlockError 0' <<<"$out")" "0 set-name: done BlockError 0"
out=$(dcpctl --reason check --json identify cli-name-1 2>&1)
expect_eq "...the device answers Identify under the new name" \
	"$(jq -r '[.devices[].mac] | join(",")' <<<"$out")" "00:0e:8c:10:00:01"
req "$A" GET "/audit?limit=50"
expect_eq "audited under the unix user and uid, with the reason, the frame and the answer" \
	"$(jf "[.entries[] | select(.action == \"dcp-set-name\" and .result == \"ok\" and .detail.dry_run == false) | \"\(.user) \(.addr) \(.detail.uid) \(.target) \(.detail.reason) \(.detail.sent.op) \(.detail.answer.mac)\"] | first")" \
	"root ctl 0 dcp set-name device $D1 from the shell set-name 00:0e:8c:10:00:01"
expect_eq "...and the refusals as denied, with why" \
	"$(jf '[.entries[] | select(.addr == "ctl" and .result == "denied") | .detail.error | test("maintenance|rate limit")] | join(" ")')" \
	"true true"
openapi_check
