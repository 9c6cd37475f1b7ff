#!/usr/bin/env bash
# Every API route x every role (and anonymous), against a real iiotd.  The
# expected matrix is written out here independently of daemon/auth/perm.c;
# a route missing here but present in docs/openapi.yaml fails the test.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib_api.sh"
# fleet mode on (its routes answer 503 when off), its broker nowhere
api_start "[fleet]" "broker = mqtt://127.0.0.1:$(free_port)"

# METHOD PATH BODY PERMISSION (probes that pass the gate fail harmlessly: 400/404/409)
ROUTES=(
	"GET /health - public"
	"POST /login {} public"
	"GET /session - self"
	"GET /roles - self"
	"POST /password {} self"
	"POST /mfa/enroll - self"
	"POST /mfa/confirm {} self"
	"POST /login/totp {} self"
	"GET /users - user.read"
	"POST /users {} user.admin"
	"PUT /users/nosuch {} user.admin"
	"DELETE /users/nosuch - user.admin"
	"POST /users/nosuch/reset - user.admin"
	"GET /sessions - user.admin"
	"DELETE /sessions/nosuch - user.admin"
	"GET /tokens - user.admin"
	"POST /tokens {} user.admin"
	"PUT /tokens/999999 {} user.admin"
	"DELETE /tokens/999999 - user.admin"
	"GET /audit - audit.read"
	"POST /audit/verify - audit.read"
	"GET /jobs - self"
	"GET /jobs/nosuch - self"
	"DELETE /jobs/nosuch - self"
	"GET /settings - settings.read"
	"PUT /settings {} settings.write"
	"GET /overview - device.read"
	"GET /devices - device.read"
	"GET /devices/999999 - device.read"
	"GET /devices/999999/history - device.read"
	"GET /devices/999999/health - device.read"
	"GET /diag - device.read"
	"PATCH /devices/999999 {} device.control"
	"PUT /devices/999999/lifecycle {} device.control"
	"GET /links - device.read"
	"GET /topology - device.read"
	"GET /search?q=x - device.read"
	"GET /signals - device.read"
	"GET /signals/999999/samples - device.read"
	"GET /capture - device.read"
	"GET /events - device.read"
	"GET /alerts - alert.read"
	"GET /alerts/counts - alert.read"
	"GET /alerts/rules - alert.read"
	"GET /analytics - alert.read"
	"GET /analytics/rules - alert.read"
	"POST /analytics/rules {} device.control"
	"POST /analytics/rules/check {} device.control"
	"GET /analytics/rules/nosuch - alert.read"
	"PUT /analytics/rules/nosuch {} device.control"
	"DELETE /analytics/rules/nosuch - device.control"
	"GET /analytics/rules/nosuch/versions - alert.read"
	"GET /analytics/band/999999 - device.read"
	"GET /oee - device.read"
	"GET /oee/report - device.read"
	"GET /oee/downtime - device.read"
	"GET /oee/pareto - device.read"
	"PUT /oee/downtime/999999 {} alert.ack"
	"POST /analytics/rules/nosuch/rollback {} device.control"
	"GET /alerts/999999 - alert.read"
	"GET /alerts/999999/pcap - alert.read"
	"POST /alerts/999999/ack {} alert.ack"
	"POST /alerts/999999/shelve {} alert.ack"
	"POST /alerts/999999/unshelve {} alert.ack"
	"POST /alerts/999999/comment {} alert.ack"
	"GET /enforcement - alert.read"
	"PUT /enforcement {} enforce.admin"
	"GET /blocks - alert.read"
	"POST /blocks {} enforce.admin"
	"DELETE /blocks/nosuch - enforce.admin"
	"GET /modbus/devices - device.read"
	"GET /modbus/devices/nosuch - device.read"
	"POST /modbus/devices/nosuch/write {} device.control"
	"GET /mqtt/devices - device.read"
	"GET /mqtt/devices/nosuch - device.read"
	"POST /mqtt/devices {} settings.write"
	"DELETE /mqtt/devices/nosuch - settings.write"
	"POST /dcp/identify {} device.control"
	"POST /devices/999999/dcp/signal {} device.control"
	"GET /baseline - alert.read"
	"PUT /baseline {} device.control"
	"POST /baseline/learn {} device.control"
	"POST /baseline/entries {} device.control"
	"POST /baseline/entries/remove {} device.control"
	"GET /descriptions - device.read"
	"POST /descriptions {} device.control"
	"GET /descriptions/999999 - device.read"
	"DELETE /descriptions/999999 - device.control"
	"GET /fleet/sites - device.read"
	"GET /fleet/sites/nosuch/nodes - device.read"
	"GET /fleet/sites/nosuch/nodes/ipc/devices - device.read"
	"GET /fleet/sites/nosuch/nodes/ipc/metrics - device.read"
	"GET /reports - device.read"
	"POST /reports {} alert.ack"
	"GET /reports/999999 - device.read"
	"GET /evaluation/runs - settings.read"
	"POST /evaluation/runs - settings.write"
	"GET /evaluation/runs/999999 - settings.read"
	"GET /evaluation/nonconformities - settings.read"
	"POST /evaluation/nonconformities/999999/close {\"action\":\"x\"} settings.write"
	"GET /dashboards - dashboard.read"
	"POST /dashboards {} dashboard.edit"
	"POST /dashboards/import {} dashboard.edit"
	"GET /dashboards/999999 - dashboard.read"
	"PUT /dashboards/999999 {} dashboard.edit"
	"DELETE /dashboards/999999 - dashboard.edit"
	"GET /dashboards/999999/export - dashboard.read"
	"POST /logout - self"
)
declare -A PERMS=(
	[admin]="public self device.read device.control user.read user.admin audit.read settings.read settings.write alert.read alert.ack enforce.admin dashboard.read dashboard.edit dashboard.share"
	[engineer]="public self device.read device.control settings.read alert.read alert.ack dashboard.read dashboard.edit dashboard.share"
	[operator]="public self device.read alert.read alert.ack dashboard.read dashboard.edit"
	[viewer]="public self device.read alert.read dashboard.read dashboard.edit"
	[auditor]="public self user.read audit.read settings.read"
	[kiosk]="public"	# and only what its dashboard shows: see KIOSK_ROUTES
	[anonymous]="public"
)

ops=$(grep -cE '^    (get|post|put|patch|delete):' "$IIOT_TOP/docs/openapi.yaml")
expect_eq "every operation in docs/openapi.yaml is walked" "$ops" "${#ROUTES[@]}"

# admin: first-run password, change, TOTP enrolment
A=$D/admin
admin_enrol "$A" "plant supervisor 2026"
expect_eq "admin fully logged in" "$CODE $(jf .stage)" "200 ok"

for role in engineer operator viewer auditor; do
	req "$A" POST /users "{\"name\":\"u-$role\",\"role\":\"$role\"}"
	pw=$(jf .one_time_password)
	J=$D/$role
	login "$J" "u-$role" "$pw"
	req "$J" POST /password "{\"old\":\"$pw\",\"new\":\"a long pass for $role\"}"
	jf .csrf >"$J.csrf"
	if [ "$(jf .stage)" = enroll ]; then
		req "$J" POST /mfa/enroll
		s=$(jf .secret)
		req "$J" POST /mfa/confirm "{\"code\":\"$(totp "$s")\"}"
		jf .csrf >"$J.csrf"
	fi
	expect_eq "$role fully logged in" "$CODE $(jf .stage)" "200 ok"
done
expect_eq "engineer had to enrol TOTP (MFA on for engineers by default)" \
	"$(sqlite3 "$D/auth.db" "SELECT totp_on FROM users WHERE name = 'u-engineer'")" "1"
expect_eq "operator was not asked for TOTP" \
	"$(sqlite3 "$D/auth.db" "SELECT totp_on FROM users WHERE name = 'u-operator'")" "0"

# a wall screen's token: read-only (kiosk is no account's role)
# bound to a shared dashboard without widgets: of the probes, it reaches only
# the live stream (api/kiosk.c; tests/api/dashboards.t checks the scope)
req "$A" POST /dashboards '{"name":"wall","shared":"all","widgets":[]}'
KIOSK=(-H "Authorization: Bearer $(token wall kiosk "$(jf .id)")")
KIOSK_ROUTES=" GET /events "
for who in admin engineer operator viewer auditor kiosk anonymous; do
	J=$D/$who
	[ $who = anonymous ] && rm -f "$J" "$J.csrf"
	bearer=()
	[ $who = kiosk ] && bearer=("${KIOSK[@]}")
	bad=()
	for r in "${ROUTES[@]}"; do
		read -r m p body perm <<<"$r"
		[ "$body" = - ] && body=
		if [ "$p" = /events ]; then
			CODE=$(curl -sk -o /dev/null -w '%{http_code}' --max-time 2 -b "$J" "${bearer[@]}" "$URL/api/v1/events")
		else
			req "$J" "$m" "$p" "$body" "${bearer[@]}"
		fi
		allowed=0
		[[ " ${PERMS[$who]} " == *" $perm "* ]] && allowed=1
		[ $who = kiosk ] && [[ $KIOSK_ROUTES == *" $m $p "* ]] && allowed=1
		if ((allowed)); then
			[[ $CODE == 401 || $CODE == 403 || $CODE == 000 || $CODE == 5* ]] && bad+=("$m $p: $CODE, want allowed")
		elif [ $who = anonymous ]; then
			[ "$CODE" = 401 ] || bad+=("$m $p: $CODE, want 401")
		else
			[ "$CODE" = 403 ] || bad+=("$m $p: $CODE, want 403")
		fi
	done
	((${#bad[@]})) && fail "route x role: $who" "${bad[@]}" || ok "route x role: $who (${#ROUTES[@]} routes)"
done
echo "1..$_tap_n"
