#!/usr/bin/env bash
# Diagnostics in a running iiotd fed live by the simulator's faulty line:
# the dropped slave and the short working counter are raised as alerts
# (with zh-CN messages) while it runs, and iiotctl stats counts them.  The
# line runs for the whole test: a loaded machine once took longer than a
# 3 s line plus the 3 s offline timeout, and every device read offline.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../api/lib_api.sh"
[ -x "$BIN/iiot-sim" ] || skip_all "iiot-sim not built"
command -v jq >/dev/null || skip_all "jq not installed"
ring=iiot-diaglive$$
cleanup_push "rm -f /dev/shm/iiot/$ring /dev/shm/iiot/$ring.wake"
api_start "[capture]" "ring = $ring"
"$BIN/iiot-sim" "$IIOT_TOP/sim/scenarios/faulty-line.conf" --ring "$ring" --duration 60 >"$D/sim.log" 2>&1 &
cleanup_push "kill $! 2>/dev/null"

tok=iiot_$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
h=$(printf %s "$tok" | sha256sum | cut -d' ' -f1)
sqlite3 "$D/auth.db" "INSERT INTO tokens(name, role, hash, created, created_by) VALUES('vw', 'viewer', '$h', 0, 'test')"
VW=(-H "Authorization: Bearer $tok")

for i in $(seq 80); do
	req "$D/none" GET "/alerts?rule=ecat.slave.lost" "" "${VW[@]}"
	[ "$(jf '[.alerts[] | select(.device == "00:1b:21:30:00:01/4")] | length')" -ge 1 ] 2>/dev/null && break
	sleep 0.25
done
expect_eq "the dropped slave is raised live, by its ring position" \
	"$(jf '[.alerts[] | select(.device == "00:1b:21:30:00:01/4") | .severity] | .[0]')" critical
[[ $(jf '[.alerts[] | select(.device == "00:1b:21:30:00:01/4")][0].message_zh') == *从站丢失* ]] &&
	ok "with a zh-CN message" || fail "zh-CN message" "$BODY"
req "$D/none" GET "/alerts?rule=ecat.wkc.mismatch" "" "${VW[@]}"
[[ $(jf '.alerts[0].detail') == *"expected 18"* ]] && ok "the short working counter is raised live" ||
	fail "ecat.wkc.mismatch live" "$BODY"
st=$("$BIN/iiotctl" stats -s "$D/iiotd.sock" --json 2>/dev/null | jq .diag)
[ "$(echo "$st" | jq '.wkc_checked > 0 and .findings > 0')" = true ] &&
	ok "iiotctl stats counts the diagnostics" || fail "iiotctl stats diag" "$st"
# health: the master's score carries what lowered it.  The wrong working
# counters (press-io-3 misses 5 % of its datagrams from 200 ms on) stay in
# its link's counts, so this holds whenever it is read.
req "$D/none" GET "/diag" "" "${VW[@]}"
expect_eq "GET /diag answers" "$CODE" 200
m=$(jf '[.devices[] | select(.label == "00:1b:21:30:00:01")][0]')
[ "$(echo "$m" | jq '.score < 100 and ([.reasons[] | select(.code == "wkc_errors" and .link > 0)] | length) == 1')" = true ] &&
	ok "the master's health is lowered by its link's wrong working counters" || fail "master health" "$m"
[ "$(jf '.counters.wkc_checked > 0 and (.summary.devices | .good + .check + .fault) == (.devices | length)')" = true ] &&
	ok "GET /diag has the counters and the grade counts" || fail "/diag counters" "$BODY"
# network load per capture port: the ring is the port; no interface of
# that name, so [diag] port_speed's 100 Mbit/s
expect_eq "GET /diag has the ring's network load" \
	"$(jf '.ports[] | select(.port == "'"$ring"'") | [.speed_mbps, .speed_from, .frames > 0, .grade] | map(tostring) | join(" ")')" \
	"100 config true fine"
[ "$(jf '[.links[] | select(.src == '"$(echo "$m" | jq .id)"') | .reasons[].code] | index("wkc_errors") != null')" = true ] &&
	ok "and so is its link's" || fail "link health" "$BODY"
id=$(echo "$m" | jq .id)
req "$D/none" GET "/devices/$id/health" "" "${VW[@]}"
expect_eq "GET /devices/{id}/health answers" "$CODE" 200
expect_eq "with the reason and its links" "$(jf '(.reasons | map(.code) | index("wkc_errors") != null) and (.links | length) >= 1')" true
req "$D/none" GET "/devices/99999/health" "" "${VW[@]}"
expect_eq "an unknown device's health is 404" "$CODE" 404
req "$D/none" GET "/devices/$id" "" "${VW[@]}"
expect_eq "the device carries its health with reasons" \
	"$(jf '.health.reasons | map(.code) | index("wkc_errors") != null')" true
req "$D/none" GET "/devices?sort=health&limit=1000" "" "${VW[@]}"
expect_eq "the device list sorts by health, worst first" \
	"$(jf '[.devices[].health] as $h | ($h | length) > 1 and $h == ($h | sort)')" true
out=$("$BIN/iiotctl" health -s "$D/iiotd.sock" 2>&1)
[[ $out == *"wkc_errors"*"link 1:"* && $out == *"SCORE GRADE"* ]] && ok "iiotctl health shows it" ||
	fail "iiotctl health" "$out"
out=$("$BIN/iiotctl" health -s "$D/iiotd.sock" --json "00:1b:21:30:00:01" 2>&1)
expect_eq "iiotctl health DEVICE --json: that device only" "$(echo "$out" | jq '.devices | length')" 1
# the responses seen above match docs/openapi.yaml
openapi_check
echo "1..$_tap_n"
