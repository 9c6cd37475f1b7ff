#!/usr/bin/env bash
# Process analytics offline (iiotctl analyse): on a simulated line with
# ground-truth faults (tests/analytics/process.conf) every rule of
# process.rules and the anomaly detector raise exactly what
# offline.golden says, at the time it says (0.1 s); the normal signals
# raise nothing; bad rules files are refused with line, key and column.
. "$(dirname "$0")/../lib.sh"
command -v jq >/dev/null || skip_all "jq not installed"
[ -x "$BIN/iiot-sim" ] || skip_all "iiot-sim not built"
here=$IIOT_TOP/tests/analytics
work=$(mktemp -d)
cleanup_push "rm -rf $work"

"$BIN/iiot-sim" "$here/process.conf" --out "$work/p.pcap" --duration 150 >/dev/null 2>&1 ||
	{ fail "iiot-sim process"; echo "1..$_tap_n"; exit 0; }
t0=$("$BIN/iiotctl" decode "$work/p.pcap" | head -1 | jq .ts_ns)
"$BIN/iiotctl" analyse "$work/p.pcap" --signals "$here/process.map" \
	--rules "$here/process.rules" >"$work/out.json"
expect_eq "iiotctl analyse exits 0" "$?" 0
got=$(jq -r --argjson t0 "$t0" \
	'[.change, .rule, .device, .severity, ((.at_ns - $t0) / 1e8 | floor / 10 | tostring | if test("\\.") then . else . + ".0" end)] | join(" ")' \
	"$work/out.json")
want=$(grep -v '^#' "$here/offline.golden")
expect_eq "every rule and anomaly as offline.golden says" "$got" "$want"

got=$(jq -r 'select(.device == "noise" or .device == "count") | .rule' "$work/out.json")
expect_eq "a normal noisy value and a counter raise nothing" "$got" ""
msg=$(jq -r 'select(.rule == "signal.anomaly" and .device == "temp") | .message' "$work/out.json")
[[ $msg == "temp deviates from its learnt baseline: outside the band: 63."*", expected 58."*"..61."*"(mean 60."*"samples)" ]] &&
	ok "an anomaly says the value, the expected band and what it was learnt from" ||
	fail "anomaly message" "$msg"
zh=$(jq -r 'select(.rule == "signal.stuck") | .message_zh' "$work/out.json")
expect_eq "messages in Chinese" "$zh" "level 数值停滞不变：level-stuck: 50 unchanged for 10.0 s (limit 10 s)"

# without rules: anomalies only, on every signal
got=$("$BIN/iiotctl" analyse "$work/p.pcap" --signals "$here/process.map" |
	jq -r '[.rule, .device] | join(" ")' | sort | tr '\n' ' ')
expect_eq "without rules, anomaly detection runs alone" "$got" \
	"signal.anomaly pressure signal.anomaly state signal.anomaly temp "

# the shipped rules for make run load against the shipped map and stay
# quiet on the healthy small cell
"$BIN/iiot-sim" "$IIOT_TOP/sim/scenarios/small-cell.conf" --out "$work/sc.pcap" --duration 10 >/dev/null 2>&1
got=$("$BIN/iiotctl" analyse "$work/sc.pcap" --signals "$IIOT_TOP/etc/signals.map" \
	--rules "$IIOT_TOP/etc/analytics.rules" 2>&1)
expect_eq "etc/analytics.rules: nothing on the healthy small cell" "$?:$got" "0:"

# bad rules are refused, naming the line, the key and the column
printf '[rule.a]\nkind = expr\nexpr = temp > 80 and (state\n' >"$work/bad1.rules"
err=$("$BIN/iiotctl" analyse "$work/p.pcap" --signals "$here/process.map" --rules "$work/bad1.rules" 2>&1)
rc=$?
[ $rc -eq 2 ] && [[ $err == *"bad1.rules:3: rule.a.expr: column 21: expected ')', got the end"* ]] &&
	ok "an expression with a syntax error is refused with its position" ||
	fail "syntax error refused" "rc $rc: $err"
printf '[rule.a]\nkind = threshold\nsignal = temp tmep\nabove = 1\n' >"$work/bad2.rules"
err=$("$BIN/iiotctl" analyse "$work/p.pcap" --signals "$here/process.map" --rules "$work/bad2.rules" 2>&1)
rc=$?
[ $rc -eq 2 ] && [[ $err == *"bad2.rules:3: rule.a.signal: no signal named 'tmep'"* ]] &&
	ok "a rule naming a missing signal is refused" || fail "missing signal refused" "rc $rc: $err"
echo "1..$_tap_n"
