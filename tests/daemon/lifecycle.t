#!/usr/bin/env bash
# iiotctl device lifecycle: a device discovered on a simulated line moves
# pending → commissioned → active → maintenance through iiotd's control
# socket, by the same rules as the API; a move those rules refuse, an
# unknown state and an unknown device are refused with a message that
# names what is allowed, and change nothing; every request is in the audit
# log under the Unix user who made it, and the hash chain stays intact.
. "$(dirname "$0")/lib_daemon.sh"
daemon_setup
[ -x "$BIN/iiot-sim" ] || skip_all "iiot-sim not built"
ring=$RING_PREFIX-lc
state=$T/state
write_conf "$T/iiotd.conf" "[capture]" "ring = $ring"
start_iiotd "$T/iiotd.conf" || { fail "iiotd starts"; exit 0; }
devices_are() { [ "$(ctl status --json | jq .devices)" = "$1" ]; }
"$BIN/iiot-sim" "$IIOT_TOP/sim/scenarios/small-cell.conf" --ring "$ring" \
	--duration 1 >/dev/null 2>&1
wait_for "inventory" 20 devices_are 14 ||
	{ fail "the small cell's 14 devices in the inventory" "$(ctl status --json)"; exit 0; }

id=$(ctl devices --json | jq '.devices[] | select(.station_name == "et200sp-1") | .id')
label=$(ctl devices --json | jq -r ".devices[] | select(.id == $id) | .label")
lc() { ctl devices --json | jq -r ".devices[] | select(.id == $1) | .lifecycle"; }
audit_rows() { "$BIN/iiotctl" audit --state "$state" export; }
expect_eq "a discovered device starts pending (awaiting approval)" "$(lc "$id")" pending

# 1. the way through, by id and by station name
out=$(ctl device lifecycle "$id" commissioned --reason "FAT passed, ticket 42" 2>&1)
expect_eq "pending -> commissioned" "$out" "device $id $label: pending -> commissioned"
check "commissioned -> active, by station name" ctl device lifecycle et200sp-1 active
expect_eq "devices --json shows it active" "$(lc "$id")" active
expect_eq "device show --json shows it active" \
	"$(ctl device show --json "$id" | jq -r .device.lifecycle)" active
ctl device show "$id" >"$T/show.txt"
grep -qE '^lifecycle +active$' "$T/show.txt" && ok "device show prints the state" ||
	fail "device show prints the state" "$(cat "$T/show.txt")"
grep -q 'pending -> commissioned by root (ctl): FAT passed, ticket 42' "$T/show.txt" &&
	ok "history names who moved it, and why" || fail "history of the move" "$(cat "$T/show.txt")"
out=$(ctl device lifecycle "$id" active --json)
expect_eq "asking for the current state changes nothing" \
	"$(echo "$out" | jq -r '"\(.from) \(.device.lifecycle)"')" "active active"

# 2. refused: a move the rules forbid, a state that does not exist, a device
# that does not exist; the exit status says so and nothing moves
refused() {	# what, want-in-message, iiotctl args...
	local what=$1 want=$2 out rc; shift 2
	out=$(ctl device lifecycle "$@" 2>&1); rc=$?
	if [ "$rc" -ne 0 ] && [[ $out == *"$want"* ]]; then ok "$what"
	else fail "$what" "exit $rc: $out" "want: $want"; fi
}
refused "active -> pending refused, naming where active may go" \
	"active -> pending not allowed: from active only to maintenance" "$id" pending
refused "active -> retired refused (retire out of maintenance)" \
	"discovered -> pending -> commissioned -> active <-> maintenance -> retired" "$id" retired
refused "an unknown state is refused, naming the states" \
	"unknown state 'flying'; states: discovered, pending, commissioned, active, maintenance, retired" \
	"$id" flying
refused "an unknown device is refused" "no such device '9999'" 9999 active
refused "an unknown station name is refused" "no such device 'no-such-station'" no-such-station active
expect_eq "refusals changed nothing" "$(lc "$id")" active
other=$(ctl devices --json | jq '.devices[] | select(.station_name == "et200sp-2") | .id')
refused "pending -> active skips commissioning: refused" \
	"pending -> active not allowed: from pending only to commissioned" "$other" active
expect_eq "the other device is still pending" "$(lc "$other")" pending
ctl device lifecycle "$id" active --reason "$(printf 'caf\xc3\xa9')" >/dev/null 2>&1
expect_eq "a non-ASCII reason is a usage error" "$?" 2

# 3. audit: one row per request, refused ones too, under the peer's name
want_ok=3 want_fail=6
expect_eq "audit rows: moves ok, refusals fail" \
	"$(audit_rows | jq -r 'select(.action == "device.lifecycle") | .result' | sort | uniq -c | awk '{printf "%s=%s ", $2, $1}')" \
	"fail=$want_fail ok=$want_ok "
expect_eq "the first move's row: actor, source, target, detail" \
	"$(audit_rows | head -1 | jq -c '[.user, .addr, .target, (.detail | fromjson)]')" \
	"[\"$(id -un)\",\"ctl\",\"device $id\",{\"state\":\"commissioned\",\"from\":\"pending\",\"reason\":\"FAT passed, ticket 42\"}]"
expect_eq "a refusal's row says why" \
	"$(audit_rows | jq -r 'select(.result == "fail") | .detail | fromjson | .error' | head -1)" \
	"active -> pending not allowed: from active only to maintenance (discovered -> pending -> commissioned -> active <-> maintenance -> retired)"
check "iiotctl audit verify: chain intact" "$BIN/iiotctl" audit --state "$state" verify

# 4. another user of the socket is named as the actor, not iiotd's user
uid=$(ctl status --json | jq .uid)
if [ "$(id -u)" -eq 0 ] && [ "$uid" -ne 0 ] && command -v setpriv >/dev/null; then
	name=$(getent passwd "$uid" | cut -d: -f1)
	out=$(setpriv --reuid="$uid" --regid="$uid" --clear-groups \
		"$BIN/iiotctl" device lifecycle "$id" maintenance 2>&1) &&
		ok "iiotd's own user moves it to maintenance" || fail "move as iiotd's user" "$out"
	expect_eq "the audit row names that user" \
		"$(audit_rows | tail -1 | jq -r '"\(.user) \(.result)"')" "$name ok"
else
	skip "move as another user" "needs root and iiotd dropping privileges"
	ctl device lifecycle "$id" maintenance >/dev/null
fi
check "maintenance -> retired" ctl device lifecycle "$id" retired
refused "retired is final" "retired -> active not allowed: retired is final" "$id" active
check "iiotctl audit verify after every move" "$BIN/iiotctl" audit --state "$state" verify
