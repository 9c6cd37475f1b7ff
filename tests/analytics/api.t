#!/usr/bin/env bash
# GET /api/v1/analytics against a real iiotd fed by the simulator: the
# loaded rules with their signals and active instances, the anomaly
# settings, counters; the rule's alert is in /alerts like any other.
. "$(dirname "$0")/../lib.sh"
. "$IIOT_TOP/tests/api/lib_api.sh"
[ -x "$BIN/iiot-sim" ] || skip_all "iiot-sim not built"
command -v sqlite3 >/dev/null || skip_all "sqlite3 not installed"
ring=iiot-apian$$
cleanup_push "rm -f /dev/shm/iiot/$ring /dev/shm/iiot/$ring.wake"
cfg=$(mktemp -d /tmp/iiot-an.XXXXXX)
chmod 755 "$cfg"
cleanup_push "rm -rf $cfg"
cp "$IIOT_TOP/tests/analytics/process.map" "$cfg/"
printf '[rule.noisy]\nkind = threshold\nsignal = noise\nabove = 0\nescalate = 1h critical\n[anomaly]\nexclude = count\n' >"$cfg/r.rules"
chmod 644 "$cfg"/*
api_start "[capture]" "ring = $ring" "[model]" "signals = $cfg/process.map" \
	"[analytics]" "rules = $cfg/r.rules"
"$BIN/iiot-sim" "$IIOT_TOP/tests/analytics/process.conf" --ring "$ring" --duration 3 >"$D/sim.log" 2>&1 &
cleanup_push "kill $!"

tok=iiot_$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
h=$(printf %s "$tok" | sha256sum | cut -d' ' -f1)
sqlite3 "$D/auth.db" "INSERT INTO tokens(name, role, hash, created, created_by) VALUES('vw', 'viewer', '$h', 0, 'test')"
VW=(-H "Authorization: Bearer $tok")

for i in $(seq 60); do
	req "$D/none" GET "/analytics" "" "${VW[@]}"
	[ "$(jf '.rules[0].active | length')" -ge 1 ] 2>/dev/null && break
	sleep 0.25
done
expect_eq "a viewer reads the rules; the threshold is active on its signal" \
	"$CODE $(jf '.rules[0] | [.name, .kind, .alert_rule, .severity, (.signals | join(",")), .active[0].signal, .above, .escalate[0].after_ms] | join(" ")')" \
	"200 noisy threshold signal.threshold warning noise noise 0 3600000"
expect_eq "anomaly settings as loaded" "$(jf '.anomaly | [.enabled, .tau_s, .band, (.exclude | join(","))] | join(" ")')" "true 60 5 count"
[ "$(jf '.counters.samples')" -gt 0 ] && ok "counters count samples" || fail "samples counted" "$(cat "$D/out")"
req "$D/none" GET "/alerts?rule=signal.threshold" "" "${VW[@]}"
expect_eq "its alert is in /alerts, named after the signal" \
	"$CODE $(jf '.alerts[0] | [.device, .severity, .state] | join(" ")')" "200 noise warning active-unack"
req "$D/none" GET "/analytics"
expect_eq "not without a session" "$CODE" 401
echo "1..$_tap_n"
