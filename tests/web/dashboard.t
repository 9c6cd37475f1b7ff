#!/usr/bin/env bash
# Dashboards in Debian's chromium (headless, playwright-core) against
# iiotd fed by the small cell: a viewer builds a dashboard by dragging
# widgets from the palette, resizes and moves them (mouse and keyboard),
# reloads and finds it kept; a zoom into its chart fetches the window
# again at a finer rollup; another viewer does not see it; a dashboard
# the admin shared with viewers opens as their default, read-only; a kiosk
# token shows it full page without navigation, live, in either language,
# and, iiotd stopped and started again, says so and comes back by itself.
# Screenshots in build/test-output/web-dashboard/.
. "$(dirname "$0")/../lib.sh"
. "$IIOT_TOP/tests/api/lib_api.sh"
[ -x /usr/bin/chromium ] || skip_all "chromium missing (scripts/deps.sh)"
[ -d "$IIOT_TOP/web/node_modules/playwright-core" ] || skip_all "web/node_modules missing (make)"
[ -x "$BIN/iiot-sim" ] || skip_all "iiot-sim not built"
command -v jq >/dev/null || skip_all "jq missing"
ring=iiot-webdash$$
cleanup_push "rm -f /dev/shm/iiot/$ring /dev/shm/iiot/$ring.wake"
api_start "[capture]" "ring = $ring" "[model]" "signals = $IIOT_TOP/etc/signals.map"
"$BIN/iiot-sim" "$IIOT_TOP/sim/scenarios/small-cell.conf" --ring "$ring" --duration 600 >"$D/sim.log" 2>&1 &
cleanup_push "kill $!"
admin_enrol "$D/admin" "plant supervisor 2026" || { fail "admin enrolment"; exit 0; }
req "$D/admin" PUT /settings '{"mfa.required_roles":"admin"}'
req "$D/admin" POST /users '{"name":"v1","role":"viewer"}'
V1_PW=$(jf .one_time_password)
req "$D/admin" POST /users '{"name":"v2","role":"viewer"}'
V2_PW=$(jf .one_time_password)
for i in $(seq 100); do
	req "$D/admin" GET /signals
	[ "$(jf '[.signals[] | select(.last != null)] | length')" -ge 2 ] 2>/dev/null && break
	sleep 0.2
done
s1=$(jf '[.signals[] | select(.last != null)][0].id')
s2=$(jf '[.signals[] | select(.last != null)][1].id')
req "$D/admin" POST /dashboards "{\"name\":\"Cell overview\",\"shared\":\"viewer\",\"default\":true,\"widgets\":[
	{\"id\":\"dev\",\"type\":\"devices\",\"x\":0,\"y\":0,\"w\":6,\"h\":5},
	{\"id\":\"ch\",\"type\":\"chart\",\"x\":6,\"y\":0,\"w\":6,\"h\":5,\"signals\":[$s1,$s2],\"range_min\":15},
	{\"id\":\"lamp\",\"type\":\"lamp\",\"x\":0,\"y\":5,\"w\":2,\"h\":2,\"signal\":$s1},
	{\"id\":\"al\",\"type\":\"alerts\",\"x\":2,\"y\":5,\"w\":6,\"h\":3},
	{\"id\":\"topo\",\"type\":\"topology\",\"x\":8,\"y\":5,\"w\":4,\"h\":2}]}"
SHARED=$(jf .id)
[ "$CODE" = 201 ] || { fail "the shared dashboard" "$BODY"; exit 0; }
req "$D/admin" POST /tokens "{\"name\":\"wall\",\"role\":\"kiosk\",\"dashboard\":$SHARED}"
KIOSK=$(jf .token)
OUT=$BUILD/test-output/web-dashboard
rm -rf "$OUT"
# the browser test stops iiotd and starts it again (its pid then in the lock)
cleanup_push "kill \$(cat $D/iiotd.lock) 2>/dev/null"
URL=$URL V1_PW=$V1_PW V2_PW=$V2_PW SHARED=$SHARED KIOSK=$KIOSK OUT=$OUT PROFILE=$D/chromium-profile \
	D=$D IIOTD_PID=$IIOTD_PID IIOTD_BIN=$IIOTD IIOTD_CONF=$D/iiotd.conf \
	timeout 300 node "$IIOT_TOP/tests/web/dashboard.mjs"
rc=$?
[ $rc -ne 0 ] && echo "# iiotd: $(tail -5 "$D/iiotd.log" | tr '\n' '|')"
exit $rc
