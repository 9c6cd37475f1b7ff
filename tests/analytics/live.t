#!/usr/bin/env bash
# Analytics inside iiotd: samples of a simulated line drained from a ring
# reach the rules and raise into the alert table (stats, alerts.db); a
# rules file naming a missing signal is refused at start with its line.
. "$(dirname "$0")/../daemon/lib_daemon.sh"
daemon_setup
command -v jq >/dev/null || skip_all "jq not installed"
command -v sqlite3 >/dev/null || skip_all "sqlite3 not installed"
[ -x "$BIN/iiot-sim" ] || skip_all "iiot-sim not built"
here=$IIOT_TOP/tests/analytics
r=$RING_PREFIX-a
printf '[rule.noisy]\nkind = threshold\nsignal = noise\nabove = 0\n' >"$T/ok.rules"
printf '[rule.noisy]\nkind = threshold\nsignal = nosie\nabove = 0\n' >"$T/bad.rules"

write_conf "$T/bad.conf" "[capture]" "ring = $r" "[model]" "signals = $here/process.map" \
	"[analytics]" "rules = $T/bad.rules"
err=$("$BIN/iiotd" -n -f "$T/bad.conf" 2>&1)
[[ $err == *"bad.rules:3: rule.noisy.signal: no signal named 'nosie'"* ]] &&
	ok "iiotd -n refuses a rule naming a missing signal, with its line" || fail "bad rules refused" "$err"

write_conf "$T/iiotd.conf" "[capture]" "ring = $r" "[model]" "signals = $here/process.map" \
	"[analytics]" "rules = $T/ok.rules"
start_iiotd "$T/iiotd.conf" || { fail "iiotd starts"; echo "1..$_tap_n"; exit 0; }
"$BIN/iiot-sim" "$here/process.conf" --ring "$r" --duration 2 --fast >/dev/null 2>&1
wait_for "a rule raised" 10 sh -c "$BIN/iiotctl stats --json | jq -e '.analytics.raised >= 1'" &&
	ok "samples from the ring raise a rule" ||
	fail "samples raise a rule" "$(ctl stats --json | jq -c .analytics)"
s=$(ctl stats --json | jq -c '.analytics | {rules, unknown}')
expect_eq "one rule loaded, every sample of a declared signal" "$s" '{"rules":1,"unknown":0}'
wait_for "alert stored" 10 sh -c "sqlite3 '$T/state/alerts.db' \"SELECT 1 FROM alerts WHERE rule = 'signal.threshold'\" | grep -q 1" &&
	ok "the signal.threshold alert reaches alerts.db" ||
	fail "alert in alerts.db" "$(sqlite3 "$T/state/alerts.db" .schema 2>&1 | head -5)"
echo "1..$_tap_n"
