#!/usr/bin/env bash
# Diagnostics in a running iiotd fed live by the simulator's faulty line:
# the dropped slave and the short working counter are raised as alerts
# (with zh-CN messages) while it runs, and iiotctl stats counts them.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../api/lib_api.sh"
[ -x "$BIN/iiot-sim" ] || skip_all "iiot-sim not built"
command -v jq >/dev/null || skip_all "jq not installed"
ring=iiot-diaglive$$
cleanup_push "rm -f /dev/shm/iiot/$ring /dev/shm/iiot/$ring.wake"
api_start "[capture]" "ring = $ring"
"$BIN/iiot-sim" "$IIOT_TOP/sim/scenarios/faulty-line.conf" --ring "$ring" --duration 3 >"$D/sim.log" 2>&1 &
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
echo "1..$_tap_n"
