#!/usr/bin/env bash
# The baseline live (docs/security.md "Baseline"): iiotd fed by the small
# cell learns for [ids] learn, then protects; GET shows it to viewers;
# engineers add and remove entries (409 twice, 404 when absent, 400 naming
# the problem), import what was exported, refused whole when bad, and
# start learning again; every change is in the audit log, the end of
# learning too; baseline.db is 0600 and survives a restart.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib_api.sh"
[ -x "$BIN/iiot-sim" ] || skip_all "iiot-sim not built"
ring=iiot-apibl$$
cleanup_push "rm -f /dev/shm/iiot/$ring /dev/shm/iiot/$ring.wake"
api_start "[capture]" "ring = $ring" "[ids]" "learn = 2s"
"$BIN/iiot-sim" "$IIOT_TOP/sim/scenarios/small-cell.conf" --ring "$ring" --duration 30 >"$D/sim.log" 2>&1 &
sim=$!
cleanup_push "kill $sim"

VW=(-H "Authorization: Bearer $(token vw viewer)")
EN=(-H "Authorization: Bearer $(token en engineer)")

req "$D/none" GET "/baseline" "" "${VW[@]}"
expect_eq "a fresh install learns first" "$CODE $(jf .state)" "200 learning"
for i in $(seq 120); do
	req "$D/none" GET "/baseline" "" "${VW[@]}"
	[ "$(jf .state)" = protecting ] && break
	sleep 0.25
done
expect_eq "after [ids] learn it protects" "$(jf .state)" protecting
expect_eq "the small cell's master, its 8 AR directions" "$(jf '[(.masters | length), (.ars | length)] | join(" ")')" "1 8"
# regression: the daemon never named the line, so every entry was on "?"
expect_eq "what was learned is on the ring's line" "$(jf '[.lines[], (.masters[].line)] | unique | join(" ")')" "$ring"
n=$(jf .entries)
cp "$D/out" "$D/export.json"
for i in $(seq 40); do
	[ -s "$D/baseline.db" ] && sqlite3 "$D/baseline.db" "SELECT doc FROM baseline" | grep -q protecting && break
	sleep 0.25
done
expect_eq "baseline.db holds it, mode 0600" "$(stat -c %a "$D/baseline.db") $(sqlite3 "$D/baseline.db" "SELECT json_extract(doc, '$.entries') FROM baseline")" "600 $n"
sleep 1.5
req "$D/none" GET "/alerts" "" "${VW[@]}"
# (new devices folded into one alert.flood are admission's, not the baseline's)
expect_eq "the cell as learned raises no warning or critical alert" \
	"$(jf '[.alerts[] | select(.severity != "info" and (.detail | test("device.new") | not))] | length')" 0

entry='{"kind":"pair","line":"'$ring'","src":"00:11:22:33:44:55","dst":"ff:ff:ff:ff:ff:ff","ethertype":"0x0806"}'
req "$D/none" POST "/baseline/entries" "$entry" "${VW[@]}"
expect_eq "viewers cannot edit it" "$CODE" 403
req "$D/none" POST "/baseline/entries" "$entry" "${EN[@]}"
expect_eq "engineers add an entry" "$CODE $(jf .entries)" "201 $((n + 1))"
req "$D/none" POST "/baseline/entries" "$entry" "${EN[@]}"
expect_eq "twice is a conflict" "$CODE" 409
req "$D/none" POST "/baseline/entries/remove" "$entry" "${EN[@]}"
expect_eq "and remove it" "$CODE $(jf .entries)" "200 $n"
req "$D/none" POST "/baseline/entries/remove" "$entry" "${EN[@]}"
expect_eq "what is not there is not found" "$CODE" 404
req "$D/none" POST "/baseline/entries" '{"kind":"pair","src":"00:11:22:33:44:55","dst":"ff:ff:ff:ff:ff:ff"}' "${EN[@]}"
expect_eq "a bad entry names its problem" "$CODE $(jf .error)" "400 entry.ethertype: missing"

req "$D/none" PUT "/baseline" '{"version":1,"pairs":[{"src":"00:11","dst":"ff:ff:ff:ff:ff:ff","ethertype":1}]}' "${EN[@]}"
expect_eq "a bad import is refused naming the place" "$CODE $(jf .error)" "400 pairs[0].src: not a MAC address (aa:bb:cc:dd:ee:ff)"
req "$D/none" GET "/baseline" "" "${VW[@]}"
expect_eq "...and changes nothing" "$(jf .entries)" "$n"
req "$D/none" PUT "/baseline" '{"version":1,"masters":[{"line":"'$ring'","mac":"00:1b:21:10:00:01"}]}' "${EN[@]}"
expect_eq "an import replaces it" "$CODE $(jf .entries) $(jf .state)" "200 1 protecting"
req "$D/none" PUT "/baseline" "$(cat "$D/export.json")" "${EN[@]}"
expect_eq "the export imports back" "$CODE $(jf .entries)" "200 $n"

req "$D/none" POST "/baseline/learn" '{"seconds":-1}' "${EN[@]}"
expect_eq "a bad learning window is refused" "$CODE" 400
req "$D/none" POST "/baseline/learn" '{"seconds":600,"fresh":true}' "${EN[@]}"
expect_eq "learning again on demand, from nothing" "$CODE $(jf .state) $(jf .learning_for_ns)" "200 learning 600000000000"
req "$D/none" POST "/baseline/learn" '{"seconds":0}' "${EN[@]}"
expect_eq "learning 0 stops it and protects what was learned" "$CODE $(jf .state)" "200 protecting"

# the same through iiotctl and the control socket
S=(-s "$D/iiotd.sock")
req "$D/none" GET "/baseline" "" "${VW[@]}"
n=$(jf .entries)
"$BIN/iiotctl" baseline "${S[@]}" export "$D/cli.json"
expect_eq "iiotctl baseline export writes it" "$(jq .entries "$D/cli.json")" "$n"
"$BIN/iiotctl" baseline "${S[@]}" add "$entry" >/dev/null
expect_eq "iiotctl baseline add" "$("$BIN/iiotctl" baseline "${S[@]}" export | jq .entries)" "$((n + 1))"
"$BIN/iiotctl" baseline "${S[@]}" remove "$entry" >/dev/null
err=$("$BIN/iiotctl" baseline "${S[@]}" remove "$entry" 2>&1) && fail "removing twice fails" ||
	expect_eq "iiotctl baseline remove twice: not there" "$err" "iiotctl: iiotd: no such entry in the baseline"
echo '{"version":1,"devices":[{"mac":"nope"}]}' >"$D/bad.json"
err=$("$BIN/iiotctl" baseline "${S[@]}" import "$D/bad.json" 2>&1) && fail "a bad import fails" ||
	expect_eq "iiotctl baseline import names the problem" "$err" "iiotctl: $D/bad.json: devices[0].mac: not a MAC address (aa:bb:cc:dd:ee:ff)"
printf 'baseline-import 20\n{"version":1,"x":1}  ' | python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.sendall(sys.stdin.buffer.read())
print(s.makefile().readline().strip())' "$D/iiotd.sock" >"$D/raw"
expect_eq "the socket refuses a bad payload itself" "$(jq -r .error "$D/raw")" "x: unknown key"
"$BIN/iiotctl" baseline "${S[@]}" import "$D/cli.json" >/dev/null &&
	expect_eq "iiotctl baseline import" "$("$BIN/iiotctl" baseline "${S[@]}" export | jq .entries)" "$n" ||
	fail "iiotctl baseline import"
expect_eq "iiotctl baseline shows the state" "$("$BIN/iiotctl" baseline "${S[@]}" | head -1)" "state      protecting"
ctlrows=$(sqlite3 "$D/audit.db" "SELECT action || ' ' || result FROM audit WHERE addr = 'ctl' AND action LIKE 'baseline.%' ORDER BY seq" | tr '\n' ',')
expect_eq "iiotctl's changes audited under the Unix user" "$ctlrows" \
	"baseline.add ok,baseline.remove ok,baseline.remove fail,baseline.import fail,baseline.import ok,"
id=$(sqlite3 "$D/alerts.db" "SELECT id FROM alerts ORDER BY id LIMIT 1")
if [ -n "$id" ]; then
	"$BIN/iiotctl" alert "${S[@]}" comment "$id" "seen on the line" >/dev/null
	req "$D/none" GET "/alerts/$id" "" "${VW[@]}"
	expect_eq "iiotctl alert comment: in the alert's history" \
		"$(jf '[.history[]? | select(.comment == "seen on the line")] | length')" 1
	expect_eq "...and audited" "$(sqlite3 "$D/audit.db" "SELECT count(*) FROM audit WHERE action = 'alert.comment' AND target = 'alert $id'")" 1
else
	fail "an alert to comment" "none in alerts.db"
fi

rows=$(sqlite3 "$D/audit.db" "SELECT user || ' ' || action || ' ' || result FROM audit WHERE action LIKE '%baseline%' AND addr != 'ctl' ORDER BY seq" | tr '\n' ',')
expect_eq "every change in the audit log, refusals and the end of learning too" "$rows" \
"iiotd baseline.learned ok,token:vw POST /api/v1/baseline/entries denied,token:en POST /api/v1/baseline/entries ok,token:en POST /api/v1/baseline/entries fail,token:en POST /api/v1/baseline/entries/remove ok,token:en POST /api/v1/baseline/entries/remove fail,token:en POST /api/v1/baseline/entries fail,token:en PUT /api/v1/baseline fail,token:en PUT /api/v1/baseline ok,token:en PUT /api/v1/baseline ok,token:en POST /api/v1/baseline/learn fail,token:en POST /api/v1/baseline/learn ok,iiotd baseline.learned ok,token:en POST /api/v1/baseline/learn ok,"

# a restart protects the saved baseline instead of learning again
req "$D/none" GET "/baseline" "" "${VW[@]}"
m=$(jf .entries)
sleep 1.5
api_stop
"$IIOTD" -d -f "$D/iiotd.conf" >>"$D/iiotd.log" 2>&1 &
IIOTD_PID=$!
cleanup_push "kill $IIOTD_PID"
for i in $(seq 100); do curl -sk -o /dev/null "$URL/api/v1/health" && break; sleep 0.1; done
req "$D/none" GET "/baseline" "" "${VW[@]}"
expect_eq "after a restart the saved baseline is protected" "$(jf .state) $(jf .entries)" "protecting $m"

# stopped while learning, it learns on after a restart instead of protecting half a baseline
# (no frames from here on: the window cannot run out under the test)
kill $sim 2>/dev/null
req "$D/none" POST "/baseline/learn" '{"seconds":600}' "${EN[@]}"
sleep 1.5
api_stop
"$IIOTD" -d -f "$D/iiotd.conf" >>"$D/iiotd.log" 2>&1 &
IIOTD_PID=$!
cleanup_push "kill $IIOTD_PID"
for i in $(seq 100); do curl -sk -o /dev/null "$URL/api/v1/health" && break; sleep 0.1; done
req "$D/none" GET "/baseline" "" "${VW[@]}"
expect_eq "stopped while learning, it learns on after a restart" "$(jf .state) $(jf .entries)" "learning $m"
openapi_check
echo "1..$_tap_n"
