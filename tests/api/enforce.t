#!/usr/bin/env bash
# Enforcement end to end against a real iiotd holding a real pinned BPF
# blocklist (iiotd drops root at start and keeps the map's descriptor):
# turning it on needs an admin session that passed MFA (403 for a token or
# a password-only session), the faulty line's stranger (DCP Set) is
# blocked by its rule's action with a TTL and a reason, a block by hand of
# the EtherCAT master, the PROFINET controller or an admitted device is
# refused with 409 and the reason and raises enforce.refused, a short block
# expires out of the map, unblock works by API and iiotctl, every change is
# audited, and a restart keeps the switch and the blocks.  In
# tap mode (no map) iiot says it cannot block, and the alert says so.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib_api.sh"
[ -x "$BIN/iiot-sim" ] || skip_all "iiot-sim not built"
[ "$(id -u)" = 0 ] || skip_all "needs root (a pinned BPF map)"
command -v bpftool >/dev/null || skip_all "bpftool missing"
STRANGER=02:de:ad:be:ef:01
PIN=/sys/fs/bpf/iiot-test-enforce$$
MAP=$PIN/blocklist
cleanup_push "rm -rf $PIN"
ring=iiot-apienf$$
cleanup_push "rm -f /dev/shm/iiot/$ring /dev/shm/iiot/$ring.wake"
api_start "[capture]" "ring = $ring" "[enforce]" "map = $MAP" "ttl = 1h" \
	"[ids]" "action = pn.dcp.set_from_stranger block" "[diag]" "disable = ecat.slave.lost"
[ -e "$MAP" ] && ok "iiotd pinned the blocklist at $MAP before dropping root" ||
	fail "map pinned" "$(tail -5 "$D/iiotd.log")"
grep -q "running as .*without capabilities" "$D/iiotd.log" && ok "...and runs without capabilities" ||
	skip "runs without capabilities" "no user to drop to"
inmap() { bpftool -j map dump pinned "$MAP" | jq -r '.[] | .key | map(ltrimstr("0x")) | .[0:6] | join(":")'; }

VW=(-H "Authorization: Bearer $(token vw viewer)")
AT=(-H "Authorization: Bearer $(token at admin)")
req "$D/none" GET /enforcement "" "${VW[@]}"
expect_eq "inline, off by default" "$CODE $(jf '[.mode, .can_block, .enabled] | join(" ")')" "200 inline true false"
req "$D/none" PUT /enforcement '{"enabled":true}' "${AT[@]}"
expect_eq "an admin token cannot turn it on" "$CODE" 403

A=$D/admin
admin_enrol "$A" "plant supervisor 2026"
# a second admin signing in with a password only
admin_password_only
expect_eq "admin2: full session without TOTP" "$(jf '.stage') $(jf '.mfa')" "ok false"
req "$D/a2" PUT /enforcement '{"enabled":true}'
expect_eq "without MFA: 403 with the reason" "$CODE $(jf .error | grep -o 'passed MFA')" "403 passed MFA"
req "$A" GET /session
expect_eq "the enrolled admin's session passed MFA" "$(jf .mfa)" true
req "$A" PUT /enforcement '{"enabled":true}'
expect_eq "with MFA: on" "$CODE $(jf .enabled) $(jf .changed_by)" "200 true admin"
expect_eq "enforce.json is private like every state file" "$(stat -c %a "$D/enforce.json")" 600

"$BIN/iiot-sim" "$IIOT_TOP/sim/scenarios/faulty-line.conf" --ring "$ring" --duration 4 >"$D/sim.log" 2>&1 &
cleanup_push "kill $!"
for i in $(seq 80); do
	req "$D/none" GET /blocks "" "${VW[@]}"
	[ "$(jf "[.blocks[] | select(.mac == \"$STRANGER\")] | length")" = 1 ] && break
	sleep 0.25
done
expect_eq "the stranger's DCP Set blocked its source by the rule's action" \
	"$(jf ".blocks[] | select(.mac == \"$STRANGER\") | [.source, .rule, .in_map, .who] | join(\" \")")" \
	"rule pn.dcp.set_from_stranger true iiotd"
exp=$(jf ".blocks[] | select(.mac == \"$STRANGER\") | .expires_ms - .added_ms")
expect_eq "...for the configured TTL" "$exp" 3600000
inmap | grep -qx "$STRANGER" && ok "...in the pinned map" || fail "in map" "$(inmap)"
req "$D/none" GET "/alerts?rule=pn.dcp.set_from_stranger" "" "${VW[@]}"
req "$D/none" GET "/alerts/$(jf '.alerts[0].id')" "" "${VW[@]}"
[[ $(jf '[.history[].comment] | join("|")') == *"source blocked in the XDP blocklist for 1h"* ]] &&
	ok "the alert records the block" || fail "alert history" "$BODY"
sleep 1		# the sim keeps the AR running: the model has it
req "$A" POST /blocks '{"mac":"00:0e:8c:00:02:01","reason":"test"}'
expect_eq "blocking the PROFINET controller: 409 with the reason" \
	"$CODE $(jf .error)" \
	"409 00:0e:8c:00:02:01 is the PROFINET controller with a running AR: iiot never blocks it"
req "$A" POST /blocks '{"mac":"00:1b:21:30:00:01","reason":"test"}'
expect_eq "blocking the EtherCAT master: 409" "$CODE $(jf .error | grep -o 'EtherCAT master')" "409 EtherCAT master"
req "$D/none" GET "/alerts?rule=enforce.refused" "" "${VW[@]}"
expect_eq "...each refusal alerted" "$(jf '[.alerts[].src_mac] | sort | join(" ")')" \
	"00:0e:8c:00:02:01 00:1b:21:30:00:01"
req "$D/none" GET "/alerts/$(jf '.alerts[0].id')" "" "${VW[@]}"
[[ $(jf .message) == "Block of "*"refused: "*"iiot never blocks it" ]] && ok "...with the guard's reason" ||
	fail "refusal message" "$BODY"
req "$A" POST /blocks '{"mac":"01:00:5e:00:00:01","reason":"test"}'
expect_eq "a multicast MAC: 400" "$CODE" 400
req "$A" POST /blocks '{"mac":"02:00:00:00:00:77"}'
expect_eq "a block needs a reason" "$CODE" 400
req "$A" POST /blocks '{"mac":"02:00:00:00:00:77","reason":"scanner seen on port 3","ttl_s":1}'
expect_eq "a block by hand" "$CODE $(jf '.blocks[] | select(.mac == "02:00:00:00:00:77") | .source')" "201 manual"
inmap | grep -qx 02:00:00:00:00:77 && ok "...in the map" || fail "manual in map" "$(inmap)"
for i in $(seq 40); do
	inmap | grep -qx 02:00:00:00:00:77 || break
	sleep 0.25
done
inmap | grep -qx 02:00:00:00:00:77 && fail "expired out of the map" "$(inmap)" || ok "expired out of the map"
req "$D/none" GET /blocks "" "${VW[@]}"
expect_eq "...and out of the list" "$(jf '[.blocks[].mac] | join(" ")')" "$STRANGER"

"$BIN/iiotctl" blocks -s "$D/iiotd.sock" >"$D/ctl.out" 2>&1
grep -q "^$STRANGER  rule" "$D/ctl.out" && grep -q "mode inline, enforcement on" "$D/ctl.out" &&
	ok "iiotctl blocks" || fail "iiotctl blocks" "$(cat "$D/ctl.out")"
req "$A" DELETE "/blocks/${STRANGER//:/-}"
expect_eq "unblock by API" "$CODE $(jf '.blocks | length')" "200 0"
inmap | grep -qx "$STRANGER" && fail "out of the map" "$(inmap)" || ok "...out of the map"
req "$A" DELETE "/blocks/${STRANGER//:/-}"
expect_eq "unblock of what is not blocked: 404" "$CODE" 404
# admitted: never blocked, whoever asks
req "$A" GET "/devices?limit=1000"
sid=$(jf ".devices[] | select(.mac == \"$STRANGER\") | .id")
req "$A" PUT "/devices/$sid/lifecycle" '{"state":"pending"}'
req "$A" PUT "/devices/$sid/lifecycle" '{"state":"commissioned"}'
req "$A" POST /blocks "{\"mac\":\"$STRANGER\",\"reason\":\"test\"}"
expect_eq "blocking an admitted device: 409 with the reason" "$CODE $(jf .error)" \
	"409 $STRANGER is the admitted device (lifecycle commissioned): iiot never blocks it"
"$BIN/iiotctl" unblock -s "$D/iiotd.sock" "$STRANGER" >"$D/ctl.out" 2>&1
expect_eq "iiotctl unblock of what is not blocked fails, saying so" \
	"$? $(grep -o 'is not blocked' "$D/ctl.out")" "1 is not blocked"
bpftool map update pinned "$MAP" key hex 02 00 00 00 00 88 00 00 value hex $(printf '00 %.0s' $(seq 32))
"$BIN/iiotctl" unblock -s "$D/iiotd.sock" 02:00:00:00:00:88 >"$D/ctl.out" 2>&1
expect_eq "iiotctl unblock of a block added outside iiotd" "$? $(inmap | wc -l)" "0 0"

req "$A" GET "/audit?limit=200"
a() { jf "[.entries[] | select(.action == \"$1\" and .result == \"$2\")] | length"; }
expect_eq "audit: enforcement turned on, and the refusals" \
	"$(a 'PUT /api/v1/enforcement' ok) $(a 'PUT /api/v1/enforcement' denied)" "1 2"
expect_eq "audit: the rule's block, the expiry" "$(a enforce.block ok) $(a enforce.expire ok)" "1 1"
expect_eq "audit: blocks by hand, allowed and refused" \
	"$(a 'POST /api/v1/blocks' ok) $(a 'POST /api/v1/blocks' fail)" "1 5"
expect_eq "audit: unblocks (API, iiotctl)" \
	"$(a 'DELETE /api/v1/blocks/02-de-ad-be-ef-01' ok) $(a enforce.unblock ok) $(a enforce.unblock fail)" "1 1 1"

# a restart keeps the switch and the blocks with their expiry
req "$A" POST /blocks '{"mac":"02:00:00:00:00:99","reason":"kept across a restart","ttl_s":3600}'
exp=$(jf '.blocks[] | select(.mac == "02:00:00:00:00:99") | .expires_ms')
openapi_check
api_stop
api_restart
req "$D/none" GET /blocks "" "${VW[@]}"
expect_eq "after a restart: still on, the block with its reason and expiry" \
	"$(jf '.enabled') $(jf '.blocks[] | select(.mac == "02:00:00:00:00:99") | "\(.reason)|\(.expires_ms)|\(.in_map)"')" \
	"true kept across a restart|$exp|true"
api_stop

# tap mode: no map
ring2=iiot-apienf2$$
cleanup_push "rm -f /dev/shm/iiot/$ring2 /dev/shm/iiot/$ring2.wake"
api_start "[capture]" "ring = $ring2" "[ids]" "action = pn.dcp.set_from_stranger block" \
	"[diag]" "disable = ecat.slave.lost"
VW=(-H "Authorization: Bearer $(token vw viewer)")
req "$D/none" GET /enforcement "" "${VW[@]}"
expect_eq "tap mode: iiot says it cannot block" \
	"$CODE $(jf '[.mode, .can_block] | join(" ")') $(jf .reason | grep -o 'cannot block')" "200 tap false cannot block"
A=$D/admin
admin_enrol "$A" "plant supervisor 2026"
req "$A" PUT /enforcement '{"enabled":true}'
expect_eq "...and refuses to turn enforcement on" "$CODE $(jf .error | grep -o 'tap mode')" "409 tap mode"
"$BIN/iiot-sim" "$IIOT_TOP/sim/scenarios/faulty-line.conf" --ring "$ring2" --duration 2 >"$D/sim.log" 2>&1 &
cleanup_push "kill $!"
for i in $(seq 80); do
	req "$D/none" GET "/alerts?rule=pn.dcp.set_from_stranger" "" "${VW[@]}"
	id=$(jf '.alerts[0].id')
	[ "$id" != null ] && req "$D/none" GET "/alerts/$id" "" "${VW[@]}" &&
		[[ $(jf '[.history[].comment] | join("|")') == *"not blocked"* ]] && break
	sleep 0.25
done
[[ $(jf '[.history[].comment] | join("|")') == *"not blocked: iiot is not inline (tap mode"* ]] &&
	ok "the alert records that blocking was not possible" || fail "tap note" "$BODY"
echo "1..$_tap_n"
