#!/usr/bin/env bash
# Dashboards against a real iiotd: one's own seen by no one else, shared
# ones read by their role and changed only with dashboard.share, a role's
# default, export and import of the JSON document with its checks and
# limits, a kiosk token that reads and changes nothing, every change
# audited.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib_api.sh"
command -v jq >/dev/null || skip_all "jq missing"
api_start

admin_enrol "$D/admin" "plant supervisor 2026" || fail "admin enrolment"
for u in v1:viewer v2:viewer op:operator; do
	req "$D/admin" POST /users "{\"name\":\"${u%%:*}\",\"role\":\"${u#*:}\"}"
	pw=$(jf .one_time_password)
	login "$D/${u%%:*}" "${u%%:*}" "$pw"
	req "$D/${u%%:*}" POST /password "{\"old\":\"$pw\",\"new\":\"a long pass for ${u%%:*}\"}"
	jf .csrf >"$D/${u%%:*}.csrf"
done
expect_eq "viewers and operator signed in" "$CODE" 200

W='[{"id":"c1","type":"chart","x":0,"y":0,"w":6,"h":4,"signals":[1,2],"range_min":15},{"id":"t1","type":"text","x":6,"y":0,"w":6,"h":2,"text":"Shift A"}]'
req "$D/v1" POST /dashboards "{\"name\":\"my line\",\"widgets\":$W}"
expect_eq "a viewer makes their own dashboard" "$CODE $(jf .scope) $(jf .owner) $(jf '.widgets|length')" "201 personal v1 2"
MINE=$(jf .id)
req "$D/v1" GET /dashboards
expect_eq "it is in their list, editable" "$(jf "[.dashboards[] | select(.id == $MINE) | .editable] | .[0]")" true
req "$D/v2" GET /dashboards
expect_eq "another viewer does not see it" "$CODE $(jf "[.dashboards[] | select(.id == $MINE)] | length")" "200 0"
req "$D/v2" GET /dashboards/$MINE
expect_eq "nor reads it" "$CODE" 404
req "$D/v2" PUT /dashboards/$MINE "{\"name\":\"taken\",\"widgets\":[]}"
expect_eq "nor changes it" "$CODE" 404
req "$D/v1" PUT /dashboards/$MINE "{\"name\":\"my line\",\"widgets\":[{\"id\":\"c1\",\"type\":\"chart\",\"x\":2,\"y\":1,\"w\":8,\"h\":5,\"signals\":[1]}]}"
expect_eq "the owner moves and resizes a widget" "$CODE $(jf '.widgets[0] | [.x,.y,.w,.h] | join(",")')" "200 2,1,8,5"

req "$D/v1" POST /dashboards "{\"name\":\"for all\",\"shared\":\"viewer\",\"widgets\":[]}"
expect_eq "a viewer cannot share one" "$CODE $(jf .error)" "403 role viewer lacks permission dashboard.share"
req "$D/admin" POST /dashboards "{\"name\":\"viewers' line\",\"shared\":\"viewer\",\"default\":true,\"widgets\":$W}"
expect_eq "an admin shares one with viewers as their default" "$CODE $(jf .scope) $(jf .shared) $(jf .default)" "201 shared viewer true"
SHARED=$(jf .id)
req "$D/v2" GET /dashboards
expect_eq "a viewer sees it, read-only, as the default" \
	"$(jf "[.dashboards[] | select(.id == $SHARED) | .editable] | .[0]") $(jf .default)" "false $SHARED"
req "$D/v2" PUT /dashboards/$SHARED "{\"name\":\"mine now\",\"widgets\":[]}"
expect_eq "a viewer cannot edit a shared one" "$CODE $(jf .error)" "403 role viewer lacks permission dashboard.share"
req "$D/v2" DELETE /dashboards/$SHARED
expect_eq "nor delete it" "$CODE" 403
req "$D/op" GET /dashboards/$SHARED
expect_eq "an operator does not see the viewers' one" "$CODE" 404
req "$D/admin" POST /dashboards "{\"name\":\"viewers' other\",\"shared\":\"viewer\",\"default\":true,\"widgets\":[]}"
OTHER=$(jf .id)
req "$D/v2" GET /dashboards
expect_eq "one default per role: the newer one" \
	"$(jf .default) $(jf "[.dashboards[] | select(.default)] | length")" "$OTHER 1"
req "$D/v1" PUT /dashboards/$MINE '{"name":"x","widgets":[],"default":true}'
expect_eq "one's own is no role's default" "$CODE" 400

req "$D/v1" GET /dashboards/$MINE/export
expect_eq "export: the document with its format" "$CODE $(jf .format) $(jf .version) $(jf .name) $(jf '.widgets|length')" \
	"200 iiot-dashboard 1 my line 1"
cp "$D/out" "$D/export.json"
hdr=$(curl -sk -D - -o /dev/null -b "$D/v1" "$URL/api/v1/dashboards/$MINE/export" | tr -d '\r' | grep -i '^content-disposition')
expect_eq "export is a download" "$hdr" "Content-Disposition: attachment; filename=\"dashboard-$MINE.json\""
req "$D/v2" POST /dashboards/import "$(cat "$D/export.json")"
expect_eq "import makes the importer's own" "$CODE $(jf .owner) $(jf .scope) $(jf '.widgets[0].signals|join(",")')" "201 v2 personal 1"

req "$D/v2" POST /dashboards/import '{"format":"iiot-dashboard","version":1,"name":"x"'
expect_eq "import: malformed JSON is a 400 with its reason" "$CODE $(jf '.error|test("JSON")')" "400 true"
req "$D/v2" POST /dashboards/import '{"name":"x","widgets":[]}'
expect_eq "import: no format" "$CODE $(jf .error)" "400 format: \"iiot-dashboard\" and version: 1 expected"
req "$D/v2" POST /dashboards/import '{"format":"iiot-dashboard","version":1,"name":"x","widgets":[{"id":"a","type":"pie","x":0,"y":0,"w":1,"h":1}]}'
expect_eq "import: a bad widget named" "$CODE $(jf '.error|startswith("widgets[0].type:")')" "400 true"
req "$D/v2" POST /dashboards/import '{"format":"iiot-dashboard","version":1,"name":"x","widgets":[{"id":"a","type":"text","x":11,"y":0,"w":2,"h":1}]}'
expect_eq "import: off the grid" "$CODE $(jf .error)" "400 widgets[0]: x + w beyond the grid's 12 columns"
big=$(python3 -c 'print("{\"format\":\"iiot-dashboard\",\"version\":1,\"name\":\"x\",\"widgets\":[],\"pad\":\"" + "x" * 70000 + "\"}")')
req "$D/v2" POST /dashboards/import "$big"
expect_eq "import: larger than 64 KiB" "$CODE" 413
n=0
while [ $n -lt 60 ]; do
	req "$D/op" POST /dashboards '{"name":"n","widgets":[]}'
	[ "$CODE" = 201 ] || break
	n=$((n + 1))
done
expect_eq "at most 50 of one's own" "$n $CODE $(jf .error)" "50 409 at most 50 dashboards of one's own"

# a kiosk token reads its dashboard and what its widgets show, nothing else
K=$(token wall kiosk "$SHARED")
kget() { req "$D/kiosk" GET "$1" "" -H "Authorization: Bearer $K"; }
kget /dashboards/$SHARED
expect_eq "a kiosk token reads its dashboard" "$CODE $(jf '.widgets|length')" "200 2"
kget /dashboards/$MINE
expect_eq "...no other one" "$CODE $(jf .error | grep -o 'not this dashboard')" "403 not this dashboard"
kget /dashboards
expect_eq "...nor the list of dashboards" "$CODE" 403
kget /signals
expect_eq "...the signals its chart shows (filtered list)" "$CODE" 200
kget /signals/2/samples
[ "$CODE" != 403 ] && ok "...the history of a signal its chart shows ($CODE)" || fail "...the history of a signal its chart shows" "$BODY"
kget /signals/3/samples
expect_eq "...not another signal's" "$CODE $(jf .error | grep -o 'not this signal')" "403 not this signal"
for p in /devices /devices/1 /alerts /topology /overview /oee /links; do
	kget $p
	[ "$CODE" = 403 ] || fail "...403 for $p (no widget shows it)" "$CODE $BODY"
done
ok "...403 for the devices, alerts, topology, overview, OEE and links its widgets do not show"
code=$(curl -sk -o /dev/null -w '%{http_code}' --max-time 2 -H "Authorization: Bearer $K" "$URL/api/v1/events")
expect_eq "...the live stream its widgets draw" "$code" 200
req "$D/kiosk" PUT /dashboards/$SHARED '{"name":"x","widgets":[]}' -H "Authorization: Bearer $K"
expect_eq "and changes nothing" "$CODE $(jf .error)" "403 role kiosk lacks permission dashboard.edit"
req "$D/kiosk" GET /users "" -H "Authorization: Bearer $K"
expect_eq "nor reads users" "$CODE" 403
K0=$(token wall0 kiosk)
req "$D/kiosk" GET /dashboards/$SHARED "" -H "Authorization: Bearer $K0"
expect_eq "a kiosk token bound to no dashboard (made before the binding) reads nothing" \
	"$CODE $(jf .error | grep -o 'bound to no dashboard')" "403 bound to no dashboard"
req "$D/admin" POST /users '{"name":"wall","role":"kiosk"}'
expect_eq "kiosk is a token's role, not an account's" "$CODE" 400
req "$D/admin" POST /tokens '{"name":"wall2","role":"kiosk"}'
expect_eq "a kiosk token needs its dashboard" "$CODE" 400
req "$D/admin" POST /tokens "{\"name\":\"wall2\",\"role\":\"kiosk\",\"dashboard\":$MINE}"
expect_eq "...a shared one" "$CODE" 400
req "$D/admin" POST /tokens "{\"name\":\"wall2\",\"role\":\"kiosk\",\"dashboard\":$SHARED}"
expect_eq "an admin makes a kiosk token for a shared dashboard" "$CODE $(jf .role) $(jf .dashboard)" "201 kiosk $SHARED"
WALL0=$(sqlite3 "$D/auth.db" "SELECT id FROM tokens WHERE name = 'wall0'")
req "$D/admin" PUT /tokens/$WALL0 "{\"dashboard\":$SHARED}"
expect_eq "an admin binds an old kiosk token" "$CODE $(jf .dashboard)" "200 $SHARED"
req "$D/kiosk" GET /dashboards/$SHARED "" -H "Authorization: Bearer $K0"
expect_eq "...which then reads it" "$CODE" 200

req "$D/admin" DELETE /dashboards/$SHARED
expect_eq "an admin deletes a shared one" "$CODE" 200
req "$D/admin" DELETE /users/v1
req "$D/admin" GET /dashboards/$MINE
expect_eq "a deleted user's dashboards go with them" "$(sqlite3 "$D/auth.db" "SELECT count(*) FROM dashboards WHERE owner = 'v1'")" 0

aud() { sqlite3 "$D/audit.db" "SELECT user || ' ' || action || ' ' || result FROM audit WHERE action LIKE '%dashboards%' ORDER BY seq" | grep -c "$1"; }
expect_eq "changes audited" "$(aud '^v1 POST /api/v1/dashboards ok') $(aud '^admin DELETE /api/v1/dashboards/[0-9]* ok')" "1 1"
expect_eq "refusals audited" "$(aud "^v2 PUT /api/v1/dashboards/$SHARED denied")" 1
openapi_check
echo "1..$_tap_n"
