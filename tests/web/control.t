#!/usr/bin/env bash
# Device control on the device page in Debian's chromium (headless,
# playwright-core), on the rig of tests/south/dcp.t: iiotd's [dcp]
# interface is one end of a veth pair, iiot-sim answers DCP on the other in
# a network namespace as the small cell's PROFINET devices, a second
# iiot-sim feeds the cell into iiotd's ring for the inventory; and a real
# Modbus server (tests/south/mbserver).  An admin whose session passed MFA
# opens a device in maintenance: the dialog shows the dry run's frame,
# sending without a reason is refused, Tab stays in the dialog and Esc
# closes it, a Signal goes out and its answer shows; a Modbus write shows
# the registers and the value read back; a device moved out of
# maintenance under an open dialog is refused with the reason (409) and
# nothing goes out (the audit log and a capture on the wire); a viewer
# sees every button disabled.  Screenshots in build/test-output/web-control/.
. "$(dirname "$0")/../lib.sh"
. "$IIOT_TOP/tests/netns.sh"
. "$IIOT_TOP/tests/api/lib_api.sh"
. "$IIOT_TOP/tests/south/lib_dcp.sh"
[ -x /usr/bin/chromium ] || skip_all "chromium missing (scripts/deps.sh)"
[ -d "$IIOT_TOP/web/node_modules/playwright-core" ] || skip_all "web/node_modules missing (make)"
MBSERVER=$BUILD/tests-south/mbserver
[ -x "$MBSERVER" ] || skip_all "mbserver not built (make tests)"
dcp_require

dcp_rig ctl
"$MBSERVER" >"$DCP_DIR/mbport" 2>&1 &
cleanup_push "kill -9 $!"
wait_for 10 test -s "$DCP_DIR/mbport" || { fail "mbserver started"; exit 1; }
api_start "[capture]" "ring = $DCP_RING" "[dcp]" "interface = $IF_A" "timeout = 2s" \
	"identify_wait = 1s" "[modbus.plc1]" "host = 127.0.0.1" "port = $(head -1 "$DCP_DIR/mbport")" \
	"timeout = 500ms" "point = sp hr 30 f32 order=CDAB unit=bar every=200ms" \
	"point = run co 7 every=200ms" "point = temp ir 0 u32"
dcp_rig_start
A=$D/admin
admin_enrol "$A" "plant supervisor 2026" || { fail "admin enrolment"; exit 1; }
dcp_rig_devices "$A" || exit 1
req "$A" GET /modbus/devices/plc1
MB=$(jf .device)
for d in $D2 $D4 $MB; do dcp_maint "$A" "$d"; done
for s in commissioned active; do
	req "$A" PUT "/devices/$D3/lifecycle" "{\"state\":\"$s\",\"reason\":\"t\"}"
done
expect_eq "the rig: two PROFINET devices and the Modbus one in maintenance, one active" \
	"$CODE $(jf .lifecycle)" "200 active"
req "$A" POST /users '{"name":"v1","role":"viewer"}'
V1_PW=$(jf .one_time_password)
wait_for 10 test -s "$D/sent.pcap" || true
OUT=$BUILD/test-output/web-control
rm -rf "$OUT"
URL=$URL JAR=$A CSRF=$(cat "$A.csrf") V1_PW=$V1_PW D2=$D2 D3=$D3 D4=$D4 MB=$MB MY_MAC=$MY_MAC \
	OUT=$OUT PROFILE=$D/chromium-profile timeout 300 node "$IIOT_TOP/tests/web/control.mjs"
rc=$?
# what the browser did, as the wire saw it
to() { tshark -r "$D/sent.pcap" -Y "eth.dst == $1" 2>/dev/null | wc -l; }
sleep 1
[ "$(to 00:0e:8c:10:00:02)" -ge 1 ] && ok "the Signal sent from the dialog went out on the wire" ||
	fail "the Signal sent from the dialog went out on the wire" "$(to 00:0e:8c:10:00:02) frames"
expect_eq "nothing went to the device refused for its lifecycle state, nor to the active one" \
	"$(to 00:0e:8c:10:00:04) $(to 00:0e:8c:10:00:03)" "0 0"
req "$A" GET "/audit?limit=200"
expect_eq "the refusal is in the audit log: not ok, 409" \
	"$(jf "[.entries[] | select(.action == \"POST /api/v1/devices/$D4/dcp/signal\" and .result != \"ok\" and (.detail | objects | .status) == 409)] | length")" 1
expect_eq "...and no Signal to it was sent (only dry runs are ok rows)" \
	"$(jf "[.entries[] | select(.action == \"POST /api/v1/devices/$D4/dcp/signal\" and .result == \"ok\" and (.detail | objects | .dry_run) == false)] | length")" 0
[ $rc -ne 0 ] && echo "# iiotd: $(tail -5 "$D/iiotd.log" | tr '\n' '|')"
exit $rc
