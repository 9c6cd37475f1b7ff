#!/usr/bin/env bash
# A device's alias (PATCH /devices/{id}, iiotctl device alias) against a
# real iiotd fed by the small cell, on an iiot.db of schema 2 that it
# migrates: shown in the list, the detail, search, topology; found by
# search; bad aliases refused with a reason; device.control only;
# audited from and to; kept in the store across a restart; "" clears it.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib_api.sh"
[ -x "$BIN/iiot-sim" ] || skip_all "iiot-sim not built"
command -v sqlite3 >/dev/null || skip_all "sqlite3 missing"
ring=iiot-apialias$$
cleanup_push "rm -f /dev/shm/iiot/$ring /dev/shm/iiot/$ring.wake"
api_start "[capture]" "ring = $ring"
"$BIN/iiot-sim" "$IIOT_TOP/sim/scenarios/small-cell.conf" --ring "$ring" >"$D/sim.log" 2>&1 &
cleanup_push "kill $!"
q() { sqlite3 -readonly -cmd '.timeout 5000' "$D/iiot.db" "$@" 2>&1; }

# an old iiot.db (schema 2, before aliases) in place of the new one
api_stop
rm -f "$D"/iiot.db*
sqlite3 "$D/iiot.db" <"$IIOT_TOP/tests/daemon/iiot-db-schema2.sql"
api_restart
expect_eq "an iiot.db of schema 2 migrates to 4" "$(q 'PRAGMA user_version')" 4
expect_eq "its device row kept, with no alias" "$(q "SELECT label || ' ' || kind || ' ' || ifnull(alias, '-') FROM devices WHERE label = 'plc-7'")" "plc-7 ethercat -"

E=(-H "Authorization: Bearer $(token e engineer)")
V=(-H "Authorization: Bearer $(token v viewer)")
A=(-H "Authorization: Bearer $(token a admin)")
find_dev() {	# find_dev MAC: sets ID of the device with that MAC
	local i
	for i in $(seq 60); do
		req "$D/none" GET "/devices?q=$1" "" "${E[@]}"
		ID=$(jf '.devices[0].id // empty')
		[ -n "$ID" ] && return 0
		sleep 0.5
	done
	return 1
}
mac=00:0e:8c:10:00:01
find_dev $mac || fail "the small cell's PROFINET device is seen"
label=$(jf '.devices[0].label')
name='压机 1 – Press one'

req "$D/none" PATCH "/devices/$ID" "$(jq -nc --arg a "$name" '{alias: $a}')" "${E[@]}"
expect_eq "PATCH sets the alias (engineer)" "$CODE $(jf .alias) $(jf .label)" "200 $name $label"
req "$D/none" GET "/devices/$ID" "" "${E[@]}"
expect_eq "the detail shows it" "$(jf .alias)" "$name"
req "$D/none" GET "/devices?sort=alias" "" "${E[@]}"
expect_eq "the list shows it, sorted by it first" "$(jf '.devices[0].alias') $(jf '[.devices[] | select(.alias)] | length')" "$name 1"
req "$D/none" GET "/devices?q=press%20ONE" "" "${E[@]}"
expect_eq "the list's search finds it by alias" "$(jf '[.devices[].id] | join(",")')" "$ID"
req "$D/none" GET "/search?q=Press%20one" "" "${V[@]}"
expect_eq "GET /search finds it by alias, alias shown" "$(jf '[.devices[] | "\(.id) \(.alias)"] | join(",")')" "$ID $name"
req "$D/none" GET "/search?q=%E5%8E%8B%E6%9C%BA" "" "${V[@]}"
expect_eq "... and by its Chinese part" "$(jf '[.devices[].id] | join(",")')" "$ID"
req "$D/none" GET /topology "" "${V[@]}"
expect_eq "topology's node carries it" "$(jf "[.nodes[] | select(.device == $ID) | .alias] | join(\",\")")" "$name"

# bad aliases: 400 with a reason, nothing changed
long=$(printf 'x%.0s' $(seq 65))
bad=()
for body in "{\"alias\":\"$long\"}" '{"alias":"a\u0007b"}' '{"alias":"tab\there"}' '{"alias":"a\u0000b"}' \
	'{"alias":"a\u0085b"}' '{"alias":" lead"}' '{"alias":42}' '{"alias":null}' '{}' \
	'{"alias":"x","lifecycle":"active"}'; do
	req "$D/none" PATCH "/devices/$ID" "$body" "${E[@]}"
	[ "$CODE" = 400 ] && [ -n "$(jf .error)" ] || bad+=("$body: $CODE $(jf .error)")
done
printf '{"alias":"\xff\xfe"}' >"$D/badutf8"
CODE=$(curl -sk -o "$D/out" -w '%{http_code}' -X PATCH -H 'Content-Type: application/json' "${E[@]}" --data-binary @"$D/badutf8" "$URL/api/v1/devices/$ID")
[ "$CODE" = 400 ] || bad+=("bytes not UTF-8: $CODE")
[ ${#bad[@]} = 0 ] && ok "11 bad aliases: 400 with a reason" || fail "bad aliases refused" "${bad[@]}"
req "$D/none" PATCH "/devices/$ID" "{\"alias\":\"$long\"}" "${E[@]}"
expect_eq "too long: the reason says the limit" "$(jf .error)" "alias: at most 64 characters"
req "$D/none" PATCH "/devices/$ID" '{"alias":"a\u0007b"}' "${E[@]}"
expect_eq "a control character: the reason names it" "$(jf .error)" "alias: control character U+0007 at byte 1"
max=$(printf '字%.0s' $(seq 64))
req "$D/none" PATCH "/devices/$ID" "{\"alias\":\"$max\"}" "${E[@]}"
expect_eq "64 characters (192 bytes) fit" "$CODE $(jf '.alias | length')" "200 64"
req "$D/none" PATCH "/devices/$ID" "$(jq -nc --arg a "$name" '{alias: $a}')" "${E[@]}"
req "$D/none" PATCH "/devices/999999" '{"alias":"x"}' "${E[@]}"
expect_eq "no such device: 404" "$CODE" 404
req "$D/none" PATCH "/devices/$ID" '{"alias":"viewer was here"}' "${V[@]}"
expect_eq "a viewer may not: 403" "$CODE" 403
req "$D/none" GET "/devices/$ID" "" "${E[@]}"
expect_eq "after the refusals the alias is unchanged" "$(jf .alias)" "$name"

# audited: who, from what to what (the audit writer commits in batches)
for i in $(seq 50); do
	row=$(sqlite3 -readonly -cmd '.timeout 5000' "$D/audit.db" "SELECT user || '|' || action || '|' || target || '|' || result || '|' || json_extract(detail, '\$.from') || '|' || json_extract(detail, '\$.to') FROM audit WHERE action = 'PATCH /api/v1/devices/$ID' AND result = 'ok' ORDER BY seq LIMIT 1")
	[ -n "$row" ] && break
	sleep 0.2
done
expect_eq "the audit row: who, from, to" "$row" "token:e|PATCH /api/v1/devices/$ID|device $ID|ok||$name"
n=$(sqlite3 -readonly -cmd '.timeout 5000' "$D/audit.db" "SELECT count(*) FROM audit WHERE action = 'PATCH /api/v1/devices/$ID' AND result = 'denied'")
expect_eq "the viewer's refusal audited as denied" "$n" 1
req "$D/none" GET "/devices/$ID/history" "" "${E[@]}"
expect_eq "the device's history says who renamed it" "$(jf '[.history[] | select(.event == "alias")][0].detail')" "\"$(printf '字%.0s' $(seq 64))\" -> \"$name\" by token:e"

# iiotctl, through the control socket: UTF-8 as hex on the wire
out=$("$BIN/iiotctl" device alias -s "$D/iiotd.sock" "$ID" "Förderband 3" 2>&1)
expect_eq "iiotctl device alias" "$out" "device $ID $label: alias \"Förderband 3\""
req "$D/none" GET "/devices/$ID" "" "${E[@]}"
expect_eq "the API shows iiotctl's alias" "$(jf .alias)" "Förderband 3"
out=$("$BIN/iiotctl" device alias -s "$D/iiotd.sock" "$ID" $'bell\a' 2>&1); rc=$?
expect_eq "iiotctl: a control character refused" "$rc ${out#iiotctl: iiotd: }" "1 alias: control character U+0007 at byte 4"
n=$(sqlite3 -readonly -cmd '.timeout 5000' "$D/audit.db" "SELECT count(*) FROM audit WHERE action = 'device.alias' AND target = 'device $ID' AND json_extract(detail, '\$.to') = 'Förderband 3' AND result = 'ok'")
expect_eq "iiotctl's change audited" "$n" 1

# kept in the store: a restart finds it on the device again
api_stop
expect_eq "the store holds it by label" "$(q "SELECT alias FROM devices WHERE label = '$label'")" "Förderband 3"
api_restart
find_dev $mac || fail "the device is seen again"
expect_eq "after a restart the device has its alias" "$(jf '.devices[0].alias')" "Förderband 3"
req "$D/none" PATCH "/devices/$ID" '{"alias":""}' "${E[@]}"
expect_eq "an empty alias clears it" "$CODE $(jf 'has("alias")')" "200 false"
api_stop
expect_eq "cleared in the store too" "$(q "SELECT ifnull(alias, '-') FROM devices WHERE label = '$label'")" "-"
openapi_check
echo "1..$_tap_n"
