#!/usr/bin/env bash
# Shift and daily reports (docs/analytics.md, "Reports") on a live iiotd
# fed by the simulator's machine, with a shift ending 20 s after the
# start: the shift report made on schedule at its end (OEE, Pareto, top
# alerts, link health), listed, as JSON, as a printable page and as a
# download; a daily report on demand (roles, audit); bad requests;
# iiotctl report list|show|html|make.
. "$(dirname "$0")/../lib.sh"
. "$IIOT_TOP/tests/api/lib_api.sh"
. "$IIOT_TOP/tests/analytics/shortshift.sh"
[ -x "$BIN/iiot-sim" ] || skip_all "iiot-sim not built"
command -v sqlite3 >/dev/null || skip_all "sqlite3 not installed"
command -v jq >/dev/null || skip_all "jq not installed"
ring=iiot-rep$$
cleanup_push "rm -f /dev/shm/iiot/$ring /dev/shm/iiot/$ring.wake"
cfg=$(mktemp -d /tmp/iiot-rep.XXXXXX)
chmod 755 "$cfg"
cleanup_push "rm -rf $cfg"
cp "$IIOT_TOP/tests/analytics/machine.map" "$IIOT_TOP/tests/analytics/machine.oee" "$cfg/"
short_shifts "$cfg/machine.oee" 20
end=$SHIFT_END
chmod 644 "$cfg"/*
api_start "[capture]" "ring = $ring" "[model]" "signals = $cfg/machine.map" \
	"[analytics]" "oee = $cfg/machine.oee" "report_keep = 30d"
OP=(-H "Authorization: Bearer $(token op operator)")
VW=(-H "Authorization: Bearer $(token vw viewer)")
"$BIN/iiot-sim" "$IIOT_TOP/tests/analytics/machine.conf" --ring "$ring" --duration 60 >"$D/sim.log" 2>&1 &
sim=$!
cleanup_push "kill $sim"

# the shift's end passes: its report is made on schedule
for i in $(seq 300); do
	req "$D/n" GET "/reports?kind=shift" "" "${VW[@]}"
	[ "$(jf '.reports | length')" -ge 1 ] 2>/dev/null && break
	sleep 0.3
done
expect_eq "a shift report made on schedule at the shift's end" \
	"$CODE $(jf '.reports[0] | [.kind, .line, .label, .how, .to_ms] | join(" ")')" \
	"200 shift l1 a schedule ${end}000"
id=$(jf '.reports[0].id')
req "$D/n" GET "/reports/$id" "" "${VW[@]}"
expect_eq "its OEE rows: the machine's shift a" \
	"$CODE $(jf '.oee | map([.machine, .line, .shift] | join(" ")) | join(",")')" "200 m1 l1 a"
o=$(jf '.oee[0].oee')
awk -v v="$o" 'BEGIN { exit !(v > 0.2 && v < 0.8) }' && ok "with figures ($o)" || fail "figures" "$BODY"
expect_eq "the downtime Pareto, the top alerts, link health" \
	"$(jf '[(.pareto | type), (.alerts.total | type), (.alerts.top | type), (.links.summary.links.good | type), (.links.worst | type)] | join(" ")')" \
	"array number array number array"
expect_eq "a title" "$(jf .title)" "Shift report: l1, a"
curl -sk "${VW[@]}" -o "$D/r.html" -D "$D/h" "$URL/api/v1/reports/$id?format=html"
grep -q '<table id="oee-report">' "$D/r.html" && grep -q '<table id="oee-pareto">' "$D/r.html" &&
	grep -q '<table id="report-alerts">' "$D/r.html" && grep -q '<table id="report-links">' "$D/r.html" &&
	grep -q '<h1>Shift report: l1, a</h1>' "$D/r.html" &&
	ok "the printable page: OEE, Pareto, alerts, links" || fail "printable page" "$(head -c 800 "$D/r.html")"
grep -qi 'content-disposition' "$D/h" && fail "opened, not a download" "$(cat "$D/h")" || ok "opened in the browser"
curl -sk "${VW[@]}" -o "$D/zh.html" "$URL/api/v1/reports/$id?format=html&lang=zh-CN"
grep -q '<h1>班次报告：l1，a</h1>' "$D/zh.html" && grep -q '<h2>停机帕累托</h2>' "$D/zh.html" &&
	grep -q '<h2>主要告警</h2>' "$D/zh.html" && grep -q '<h2>链路健康</h2>' "$D/zh.html" &&
	ok "the printable page in zh-CN: the Chinese headings" || fail "zh-CN page" "$(head -c 800 "$D/zh.html")"
req "$D/n" GET "/reports/$id?format=html&lang=xx" "" "${VW[@]}"
expect_eq "another language: 400" "$CODE" "400"
curl -sk "${VW[@]}" -o /dev/null -D "$D/h" "$URL/api/v1/reports/$id?format=html&download=1"
grep -qi "content-disposition: attachment; filename=\"iiot-report-$id.html\"" "$D/h" &&
	ok "as a download" || fail "download" "$(cat "$D/h")"

req "$D/n" POST /reports '{"kind":"day"}' "${OP[@]}"
expect_eq "an operator makes today's daily report" \
	"$CODE $(jf '[.kind, .line, .label, .how] | join(" ")')" "201 day  $(date +%F) demand"
day=$(jf .id)
req "$D/n" POST /reports '{"kind":"day"}' "${VW[@]}"
expect_eq "a viewer may not: 403" "$CODE" 403
req "$D/n" POST /reports '{"kind":"week"}' "${OP[@]}"
expect_eq "a bad kind: 400" "$CODE" 400
req "$D/n" POST /reports '{"kind":"day","from_ms":5}' "${OP[@]}"
expect_eq "from without to: 400" "$CODE" 400
req "$D/n" GET "/reports?kind=day" "" "${VW[@]}"
expect_eq "listed by kind" "$(jf '[.reports[].id] | join(",")')" "$day"
req "$D/n" GET "/reports" "" "${VW[@]}"
expect_eq "all, newest first" "$(jf '[.reports[].kind] | .[0:2] | join(",")')" "day,shift"
req "$D/n" GET "/reports/999999" "" "${VW[@]}"
expect_eq "an unknown report: 404" "$CODE" 404
req "$D/n" GET "/reports?kind=week" "" "${VW[@]}"
expect_eq "a bad kind in the list: 400" "$CODE" 400
req "$D/n" GET "/reports"
expect_eq "not without a session" "$CODE" 401
expect_eq "making one is audited" \
	"$(sqlite3 "$D/audit.db" "SELECT target || ' ' || result FROM audit WHERE action = 'POST /api/v1/reports' ORDER BY seq" | tr '\n' '|')" \
	"report day  ok| denied| fail| fail|"

ctl() { "$BIN/iiotctl" report -s "$D/iiotd.sock" "$@"; }
ctl list >"$D/c.out" 2>&1
expect_eq "iiotctl report list" "$?/$(awk 'NR > 1 { print $1, $2 }' "$D/c.out" | sort -n | tr '\n' '|')" \
	"0/$id shift|$day day|"
ctl show "$id" >"$D/c.out" 2>&1
expect_eq "iiotctl report show" "$?/$(jq -r '[.kind, .label] | join(" ")' "$D/c.out")" "0/shift a"
ctl html "$id" >"$D/c.out" 2>&1
grep -q '<table id="oee-report">' "$D/c.out" && ok "iiotctl report html" || fail "iiotctl report html" "$(head -c 300 "$D/c.out")"
ctl make shift l1 >"$D/c.out" 2>&1
expect_eq "iiotctl report make: the shift under way" "$?/$(jq -r '[.kind, .line, .label, .how, .from_ms] | join(" ")' "$D/c.out")" \
	"0/shift l1 b demand ${end}000"
expect_eq "audited under the Unix user" \
	"$(sqlite3 "$D/audit.db" "SELECT user || ' ' || target || ' ' || result FROM audit WHERE action = 'report.make'")" \
	"$(id -un) report shift l1 ok"
ctl make week >"$D/c.out" 2>&1
expect_eq "iiotctl report make week: refused" "$?/$(cat "$D/c.out")" "1/iiotctl: iiotd: report make KIND [LINE]: KIND is shift or day"
ctl show 0 >"$D/c.out" 2>&1
expect_eq "iiotctl report show 0: refused" "$?" 1
openapi_check
echo "1..$_tap_n"
