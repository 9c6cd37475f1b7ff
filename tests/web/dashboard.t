#!/usr/bin/env bash
# Dashboards in Debian's chromium (headless, playwright-core) against
# iiotd fed by the small cell: a viewer builds a dashboard by dragging
# widgets from the palette, resizes and moves them (mouse and keyboard),
# reloads and finds it kept; a zoom into its chart fetches the window
# again at a finer rollup; another viewer does not see it; a dashboard
# the admin shared with viewers opens as their default, read-only; a kiosk
# token shows it full page without navigation, live, in either language,
# and, iiotd stopped and started again, says so and comes back by itself.
# Before the browser: a kiosk token's live stream (GET /events) carries
# only what its dashboard shows (kiosk_stream_scope), not the snapshot a
# viewer's carries, and ends with its dashboard.
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

# ---- kiosk_stream_scope: the live stream narrowed to the dashboard ----
live1() {	# live1 TOKEN: the first live snapshot of its stream
	curl -sk --max-time 5 -H "Authorization: Bearer $1" "$URL/api/v1/events" 2>/dev/null |
		sed -n 's/^data: //p' | head -1
}
VT=$(token vstream viewer)
for i in $(seq 50); do	# the cell has live signals beyond the dashboard's two
	full=$(live1 "$VT")
	[ "$(jq "[.signals[][0] | select(. != $s1 and . != $s2)] | length" <<<"$full" 2>/dev/null)" -ge 1 ] 2>/dev/null && break
	sleep 0.2
done
expect_eq "a viewer's stream carries signals the dashboard does not show, links and counters" \
	"$(jq "[([.signals[][0] | select(. != $s1 and . != $s2)] | length > 0), (.links | length > 0), has(\"counters\")] | all" <<<"$full")" true
k=$(live1 "$KIOSK")
expect_eq "the kiosk token's stream: only its chart's and lamp's signals" \
	"$(jq -c "[.signals[][0] | select(. != $s1 and . != $s2)]" <<<"$k") $(jq "[.signals[][0]] | length > 0" <<<"$k")" "[] true"
expect_eq "...the devices (its devices and topology widgets draw them), no links, no counters" \
	"$(jq -c "[(.devices | length) == $(jq '.devices | length' <<<"$full"), .links, has(\"counters\")]" <<<"$k")" "[true,[],false]"
req "$D/admin" POST /dashboards "{\"name\":\"One value\",\"shared\":\"viewer\",\"widgets\":[
	{\"id\":\"v\",\"type\":\"value\",\"x\":0,\"y\":0,\"w\":2,\"h\":2,\"signal\":$s2}]}"
ONE=$(jf .id)
K1=$(token wall1 kiosk "$ONE")
k=$(live1 "$K1")
expect_eq "a kiosk token of a dashboard with one value: that signal, no devices, no links" \
	"$(jq -c '[[.signals[][0]], .devices, .links, has("counters")]' <<<"$k")" "[[$s2],[],[],false]"
req "$D/admin" DELETE "/dashboards/$ONE"
code=$(curl -sk -o /dev/null -w '%{http_code}' --max-time 5 -H "Authorization: Bearer $K1" "$URL/api/v1/events")
expect_eq "...its dashboard deleted, its stream is refused" "$code" 403
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
