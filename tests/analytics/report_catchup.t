#!/usr/bin/env bash
# Reports due while iiotd was down (docs/analytics.md, "Reports"): the
# schedule's last report faked 50 h ago in analytics.db, iiotd started:
# the days (and shifts) per line that ended since are made on the first
# tick, how "late", oldest first; a second start makes none again.
. "$(dirname "$0")/../lib.sh"
. "$IIOT_TOP/tests/api/lib_api.sh"
command -v sqlite3 >/dev/null || skip_all "sqlite3 not installed"
command -v jq >/dev/null || skip_all "jq not installed"
ring=iiot-rcu$$
cleanup_push "rm -f /dev/shm/iiot/$ring /dev/shm/iiot/$ring.wake"
api_start "[capture]" "ring = $ring" "[model]" "signals = $IIOT_TOP/tests/analytics/machine.map" \
	"[analytics]" "oee = $IIOT_TOP/tests/analytics/machine.oee"
VW=(-H "Authorization: Bearer $(token vw viewer)")
api_stop
made=$(( ($(date +%s) - 50 * 3600) * 1000 ))
sqlite3 "$D/analytics.db" "INSERT INTO report(kind, line, label, from_ms, to_ms, made_ms, how, body)
	VALUES('shift', 'l1', 'x', 0, 1, $made, 'schedule', '{}')"

# the local midnights in (made, now]: 50 h hold two of them, or three
# when the test runs in the first two hours of a day
midnights() {
	local k m out=
	for k in 3 2 1 0; do
		m=$(date -d "$(date +%F) $k days ago" +%s)
		[ "$m" -gt $((made / 1000)) ] && [ "$m" -le "$(date +%s)" ] && out=$out${out:+,}l1
	done
	echo "$out"
}

late() {	# the late reports once the first tick made them
	for i in $(seq 100); do
		req "$D/n" GET "/reports" "" "${VW[@]}"
		[ "$(jf '[.reports[] | select(.how == "late")] | length')" -ge 2 ] 2>/dev/null && break
		sleep 0.3
	done
	jf '[.reports[] | select(.how == "late")] | sort_by(.id)'
}
days_before=$(midnights)
api_restart
late >"$D/late1"
n=$(jq length "$D/late1")
[ "$n" -ge 2 ] && ok "reports missed while down made on start ($n)" || fail "missed reports" "$(cat "$D/late1")"
# a midnight may pass between the start and this read: either count
days=$(jq -r '[.[] | select(.kind == "day") | .line] | join(",")' "$D/late1")
[ "$days" = "$(midnights)" ] && days_before=$days
expect_eq "the days that ended since ($days_before), per line" "$days" "$days_before"
now=$(( $(date +%s) * 1000 ))
expect_eq "each ended after the last report and before now, oldest first" \
	"$(jq --argjson m "$made" --argjson n "$now" '(map(.to_ms > $m and .to_ms <= $n) | all) and (map(.to_ms) == (map(.to_ms) | sort))' "$D/late1")" true
api_stop
api_restart
sleep 3
req "$D/n" GET "/reports" "" "${VW[@]}"
expect_eq "a second start makes none again" "$(jf '[.reports[] | select(.how == "late")] | length')" "$n"
grep -q "report of line l1 (.*) made late" "$D/iiotd.log" && ok "logged" || fail "log" "$(tail -5 "$D/iiotd.log")"
api_stop
echo "1..$_tap_n"
