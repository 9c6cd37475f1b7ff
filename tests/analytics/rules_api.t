#!/usr/bin/env bash
# Rules through the API: create, read, update, delete, versions and
# rollback, each change audited; refusals with the key and the column of
# the error; permissions; a rule made here is loaded and raises; a file
# rule cannot be edited here.
. "$(dirname "$0")/../lib.sh"
. "$IIOT_TOP/tests/api/lib_api.sh"
command -v sqlite3 >/dev/null || skip_all "sqlite3 not installed"
command -v jq >/dev/null || skip_all "jq not installed"
[ -x "$BIN/iiot-sim" ] || skip_all "iiot-sim not built"
ring=iiot-anru$$
cleanup_push "rm -f /dev/shm/iiot/$ring /dev/shm/iiot/$ring.wake"
cfg=$(mktemp -d /tmp/iiot-anr.XXXXXX)
chmod 755 "$cfg"
cleanup_push "rm -rf $cfg"
cp "$IIOT_TOP/tests/analytics/process.map" "$cfg/"
printf '[rule.from-file]\nkind = stale\nsignal = temp\nafter = 1h\n' >"$cfg/r.rules"
chmod 644 "$cfg"/*
api_start "[capture]" "ring = $ring" "[model]" "signals = $cfg/process.map" \
	"[analytics]" "rules = $cfg/r.rules"

EN=(-H "Authorization: Bearer $(token eng engineer)")
OP=(-H "Authorization: Bearer $(token op operator)")
VW=(-H "Authorization: Bearer $(token vw viewer)")

req "$D/n" POST /analytics/rules '{"name":"hot","kind":"threshold","signal":["temp"],"above":1000,"deadband":2,"on_delay":"1s","escalate":["60s critical"]}' "${EN[@]}"
expect_eq "an engineer creates a rule: version 1" "$CODE $(jf '[.name, .version] | join(" ")')" "201 hot 1"
req "$D/n" GET /analytics/rules/hot "" "${VW[@]}"
expect_eq "a viewer reads it back as stored" "$CODE $(jf '[.version, .rule.kind, .rule.above, (.rule.signal | join(",")), .rule.escalate[0]] | join(" ")')" \
	"200 1 threshold 1000 temp 60s critical"
req "$D/n" GET /analytics "" "${VW[@]}"
expect_eq "it is loaded beside the file's rule" "$(jf '[.rules[] | .name + ":" + .source] | join(" ")')" "from-file:file hot:api"

req "$D/n" PUT /analytics/rules/hot '{"kind":"threshold","signal":"temp","above":900}' "${EN[@]}"
expect_eq "an update is version 2" "$CODE $(jf .version)" "200 2"
req "$D/n" GET /analytics "" "${VW[@]}"
expect_eq "the running rule follows" "$(jf '.rules[] | select(.name == "hot") | .above')" 900

req "$D/n" POST /analytics/rules/hot/rollback '{"version":1}' "${EN[@]}"
expect_eq "a rollback to version 1 is version 3" "$CODE $(jf .version)" "200 3"
req "$D/n" GET /analytics/rules/hot "" "${VW[@]}"
expect_eq "with version 1's content" "$(jf '[.version, .rule.above, .rule.deadband] | join(" ")')" "3 1000 2"

req "$D/n" PUT /analytics/rules/hot '{"kind":"expr","expr":"temp > 80 and (level < 3"}' "${EN[@]}"
expect_eq "a syntax error: 400 naming the key and the column" "$CODE $(jf '[.key, .column] | join(" ")')" "400 expr 25"
case "$(jf .error)" in
*"column 25"*) ok "the message says where" ;;
*) fail "the message says where" "$(jf .error)" ;;
esac
req "$D/n" PUT /analytics/rules/hot '{"kind":"expr","expr":"tmep > 80"}' "${EN[@]}"
expect_eq "a missing signal in an expression: 400 with its column" "$CODE $(jf '[.key, .column] | join(" ")')" "400 expr 1"
req "$D/n" POST /analytics/rules '{"name":"x","kind":"threshold","signal":"nosuch","above":1}' "${EN[@]}"
expect_eq "a missing signal: 400 naming the key" "$CODE $(jf .key) $(jf .error)" "400 signal rule.x.signal: no signal named 'nosuch'"
req "$D/n" POST /analytics/rules '{"name":"x","kind":"threshold","signal":"temp","abov":1}' "${EN[@]}"
expect_eq "an unknown key: 400 naming it" "$CODE $(jf .key)" "400 abov"
req "$D/n" POST /analytics/rules '{"name":"x","kind":"threshold","signal":"temp","above":"1\"\nkind = expr"}' "${EN[@]}"
expect_eq "no INI can be smuggled in a value" "$CODE $(jf .key)" "400 above"
req "$D/n" POST /analytics/rules '{"name":"bad name","kind":"stale","signal":"temp","after":5}' "${EN[@]}"
expect_eq "a bad name: 400 naming the key" "$CODE $(jf .key)" "400 name"
req "$D/n" POST /analytics/rules/check '{"name":"x","kind":"stale","signal":[],"after":5}' "${EN[@]}"
expect_eq "an empty signal list: 400, 'signal' required (the form's nothing chosen)" "$CODE $(jf .key) $(jf .error)" "400 signal rule.x: 'signal' is required"
req "$D/n" POST /analytics/rules/check '{"name":"x","kind":"threshold","signal":"temp"}' "${EN[@]}"
expect_eq "a threshold without a limit: 400 naming the first key it asks for" "$CODE $(jf .key)" "400 above"
req "$D/n" POST /analytics/rules/check '{"name":"y","kind":"range","signal":"temp","min":5,"max":1}' "${EN[@]}"
expect_eq "check refuses min above max" "$CODE" 400
req "$D/n" POST /analytics/rules/check '{"name":"y","kind":"range","signal":"temp","min":1,"max":5}' "${EN[@]}"
expect_eq "check accepts a good rule and stores nothing" "$CODE" 200
req "$D/n" GET /analytics/rules/y "" "${VW[@]}"
expect_eq "(nothing stored)" "$CODE" 404
req "$D/n" GET /analytics/rules/hot "" "${VW[@]}"
expect_eq "refused changes made no version" "$(jf .version)" 3

req "$D/n" POST /analytics/rules '{"name":"hot","kind":"stale","signal":"temp","after":5}' "${EN[@]}"
expect_eq "a second rule of a name: 409" "$CODE" 409
req "$D/n" PUT /analytics/rules/from-file '{"kind":"stale","signal":"temp","after":5}' "${EN[@]}"
expect_eq "the file's rule is the file's: 409" "$CODE" 409
req "$D/n" PUT /analytics/rules/hot '{"kind":"stale","signal":"temp","after":5}' "${OP[@]}"
expect_eq "an operator may not edit rules" "$CODE $(jf .error)" "403 role operator lacks permission device.control"
req "$D/n" DELETE /analytics/rules/hot "" "${VW[@]}"
expect_eq "nor may a viewer delete" "$CODE" 403

req "$D/n" DELETE /analytics/rules/hot "" "${EN[@]}"
expect_eq "a delete is version 4" "$CODE $(jf .version)" "200 4"
req "$D/n" GET /analytics/rules/hot "" "${VW[@]}"
expect_eq "then the rule is gone" "$CODE" 404
req "$D/n" GET /analytics/rules "" "${VW[@]}"
expect_eq "and not listed" "$(jf '.rules | length')" 0
req "$D/n" GET /analytics/rules/hot/versions "" "${VW[@]}"
expect_eq "its history stays, newest first" "$CODE $(jf '[.versions[] | "\(.version):\(.action):\(.who)"] | join(" ")')" \
	"200 4:delete:token:eng 3:rollback 1:token:eng 2:update:token:eng 1:create:token:eng"
req "$D/n" POST /analytics/rules/hot/rollback '{"version":2}' "${EN[@]}"
expect_eq "a rollback brings a deleted rule back" "$CODE $(jf .version)" "200 5"

expect_eq "every change and refusal is in the audit log" \
	"$(sqlite3 "$D/audit.db" "SELECT action || ' ' || target || ' ' || result FROM audit WHERE action LIKE '%/analytics/rules%' ORDER BY seq" | tr '\n' '|')" \
	"POST /api/v1/analytics/rules rule hot ok|PUT /api/v1/analytics/rules/hot rule hot ok|POST /api/v1/analytics/rules/hot/rollback rule hot ok|PUT /api/v1/analytics/rules/hot rule hot fail|PUT /api/v1/analytics/rules/hot rule hot fail|POST /api/v1/analytics/rules rule x fail|POST /api/v1/analytics/rules rule x fail|POST /api/v1/analytics/rules rule x fail|POST /api/v1/analytics/rules rule bad name fail|POST /api/v1/analytics/rules rule hot fail|PUT /api/v1/analytics/rules/from-file rule from-file fail|PUT /api/v1/analytics/rules/hot  denied|DELETE /api/v1/analytics/rules/hot  denied|DELETE /api/v1/analytics/rules/hot rule hot ok|POST /api/v1/analytics/rules/hot/rollback rule hot ok|"
expect_eq "the audit row carries the version" \
	"$(sqlite3 "$D/audit.db" "SELECT json_extract(detail, '\$.version') FROM audit WHERE target = 'rule hot' AND result = 'ok' ORDER BY seq" | tr '\n' ' ')" "1 2 3 4 5 "

# iiotctl: the same operations through the control socket, audited
ctl() { "$BIN/iiotctl" rule -s "$D/iiotd.sock" "$@"; }
echo '{"kind":"stuck","signal":"level","after":"30s"}' | ctl put lvl - >"$D/c.out" 2>&1
expect_eq "iiotctl rule put makes a rule" "$?/$(jq -r '[.name, .version] | join(" ")' "$D/c.out")" "0/lvl 1"
echo '{"kind":"stuck","signal":"level","after":"60s"}' | ctl put lvl - >"$D/c.out" 2>&1
expect_eq "a second put is version 2" "$(jq -r .version "$D/c.out")" 2
ctl show lvl >"$D/c.out"
expect_eq "iiotctl rule show" "$(jq -r '[.version, .rule.after] | join(" ")' "$D/c.out")" "2 60s"
echo '{"kind":"expr","expr":"level >> 3"}' | ctl put lvl - >"$D/c.out" 2>&1
expect_eq "a bad expression: exit 1, the column said" "$?/$(cat "$D/c.out")" 	"1/iiotctl: iiotd: rule.lvl.expr: column 8: expected a value, got '>'"
ctl rollback lvl 1 >"$D/c.out"
expect_eq "iiotctl rule rollback" "$(jq -r .version "$D/c.out")" 3
ctl history lvl >"$D/c.out"
expect_eq "iiotctl rule history" "$(jq -r '[.versions[].action] | join(",")' "$D/c.out")" "rollback 1,update,create"
ctl delete lvl >"$D/c.out"
expect_eq "iiotctl rule delete" "$(jq -r .deleted "$D/c.out")" true
ctl list >"$D/c.out"
expect_eq "iiotctl rule list" "$(jq -r '[.rules[].name] | join(",")' "$D/c.out")" hot
expect_eq "iiotctl's changes are audited under the Unix user" \
	"$(sqlite3 "$D/audit.db" "SELECT action || ' ' || result || ' ' || addr FROM audit WHERE target = 'rule lvl' ORDER BY seq" | tr '\n' '|')" \
	"rule.create ok ctl|rule.update ok ctl|rule.update fail ctl|rule.rollback ok ctl|rule.delete ok ctl|"

# a rule made here is live: it raises on the simulator's samples
req "$D/n" POST /analytics/rules '{"name":"live","kind":"threshold","signal":"noise","above":-100}' "${EN[@]}"
# rules on a group of devices: the simulator's station, pn:cell in the
# map, is labelled by its MAC (it answers no DCP identify)
req "$D/n" POST /analytics/rules '{"name":"grp-cell","kind":"threshold","signal":"*","device_kind":"pn-device","device":"pn:cel*","above":-1e12}' "${EN[@]}"
expect_eq "a rule on a group of devices (kind, the map's device) is taken" "$CODE" 201
req "$D/n" POST /analytics/rules '{"name":"grp-other","kind":"threshold","signal":"noise","device_label":"press-*","above":-100}' "${EN[@]}"
req "$D/n" POST /analytics/rules/check '{"name":"g","kind":"threshold","signal":"noise","device_kind":"plc","above":1}' "${EN[@]}"
expect_eq "a group with a kind iiot does not know: 400 naming the key" "$CODE $(jf .key)" "400 device_kind"
req "$D/n" POST /analytics/rules/check '{"name":"g","kind":"threshold","signal":"noise","group":"nope","above":1}' "${EN[@]}"
expect_eq "a group the rules file does not define: 400" "$CODE $(jf .key) $(jf .error)" "400 group rule.g.group: no group named 'nope' ([group.NAME] in the rules file)"
"$BIN/iiot-sim" "$IIOT_TOP/tests/analytics/process.conf" --ring "$ring" --duration 3 >"$D/sim.log" 2>&1 &
cleanup_push "kill $!"
for i in $(seq 60); do
	req "$D/n" GET "/alerts?rule=signal.threshold" "" "${VW[@]}"
	[ "$(jf '.alerts | length')" -ge 1 ] 2>/dev/null && break
	sleep 0.25
done
expect_eq "the API rule raises its alert" "$(jf '[.alerts[] | select(.detail | startswith("live:"))][0] | [.device, .detail] | join(" ")' | cut -d: -f1)" "noise live"
for i in $(seq 40); do
	req "$D/n" GET "/alerts?rule=signal.threshold&limit=100" "" "${VW[@]}"
	[ "$(jf '[.alerts[] | select(.detail | startswith("grp-cell:"))] | length')" -ge 6 ] 2>/dev/null && break
	sleep 0.25
done
expect_eq "the group's rule: one alert per signal of the device, naming it" \
	"$(jf '[.alerts[] | select(.detail | startswith("grp-cell:")) | .device + (.detail | sub(".*\\(device "; " ("))] | sort | join(",")')" \
	"count (00:0e:8c:10:00:01),level (00:0e:8c:10:00:01),noise (00:0e:8c:10:00:01),pressure (00:0e:8c:10:00:01),state (00:0e:8c:10:00:01),temp (00:0e:8c:10:00:01)"
expect_eq "a group no device is in raises nothing" "$(jf '[.alerts[] | select(.detail | startswith("grp-other:"))] | length')" 0
req "$D/n" GET /analytics "" "${VW[@]}"
expect_eq "GET /analytics: the group, its signals now, the device of each instance" \
	"$(jf '[.rules[] | select(.name | startswith("grp-")) | "\(.name) \(.group | tojson) \(.signals | length) \([.active[].device] | unique | join("+"))"] | join("|")')" \
	'grp-cell {"kind":["pn-device"],"device":["pn:cel*"]} 6 00:0e:8c:10:00:01|grp-other {"label":["press-*"]} 0 '
req "$D/n" DELETE /analytics/rules/grp-cell "" "${EN[@]}"
req "$D/n" DELETE /analytics/rules/grp-other "" "${EN[@]}"

# the rules survive a restart (analytics.db)
api_stop
"$IIOTD" -d -f "$D/iiotd.conf" >>"$D/iiotd.log" 2>&1 &
IIOTD_PID=$!
cleanup_push "kill $IIOTD_PID; wait $IIOTD_PID"
for i in $(seq 1 300); do curl -sk -o /dev/null "$URL/api/v1/health" && break; sleep 0.1; done
req "$D/n" GET /analytics "" "${VW[@]}"
expect_eq "after a restart the API rules load again" "$(jf '[.rules[].name] | join(" ")')" "from-file hot live"
openapi_check
echo "1..$_tap_n"
