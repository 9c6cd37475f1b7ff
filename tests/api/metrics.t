#!/usr/bin/env bash
# GET /metrics against a real iiotd fed by the line simulator: Prometheus
# text that a strict checker accepts, the same figures as "iiotctl stats",
# counters that rise while a ring is fed, and no scrape without a token.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib_api.sh"
[ -x "$BIN/iiot-sim" ] || skip_all "iiot-sim not built"
ring=iiot-apimetrics$$
cleanup_push "rm -f /dev/shm/iiot/$ring /dev/shm/iiot/$ring.wake"
api_start "[capture]" "ring = $ring" "[model]" "signals = $IIOT_TOP/etc/signals.map"
"$BIN/iiot-sim" "$IIOT_TOP/sim/scenarios/small-cell.conf" --ring "$ring" >"$D/sim.log" 2>&1 &
cleanup_push "kill $!"

# a viewer token: the least privilege that may scrape
tok=$(token prom viewer)
scrape() { curl -sk -o "$D/m" -w '%{http_code}' "$@" "$URL/metrics"; }
check() { python3 "$IIOT_TOP/tests/api/promcheck.py" "$@" <"$D/m"; }
drained() { check --dump iiot_rings_drained_total; }

for i in $(seq 60); do
	scrape -H "Authorization: Bearer $tok" >/dev/null
	[ "$(drained)" -gt 0 ] 2>/dev/null && break
	sleep 0.5
done
expect_eq "scrape with a viewer token: 200" "$(scrape -H "Authorization: Bearer $tok")" 200
res=$(check)
[[ $res == ok* ]] && ok "strict Prometheus text check: $res" || fail "strict Prometheus text check" "$res"
expect_eq "served as text/plain version 0.0.4" \
	"$(curl -sk -o /dev/null -w '%{content_type}' -H "Authorization: Bearer $tok" "$URL/metrics")" \
	"text/plain; version=0.0.4; charset=utf-8"
grep -q "^iiot_rings_drained_total{ring=\"$ring\"} [1-9]" "$D/m" &&
	ok "per-ring frames, labelled with the ring" || fail "per-ring frames" "$(grep rings_ "$D/m")"
for fam in iiot_capture_frames_total iiot_store_ iiot_api_requests_total iiot_alerts_ iiot_model_; do
	grep -q "^$fam" "$D/m" || miss+=" $fam"
done
grep -q '^iiot_alerts_active{severity="critical"} [0-9]' "$D/m" || miss+=" alerts-by-severity"
[ -z "${miss-}" ] && ok "capture, store, API, alerts by severity and model families present" ||
	fail "families present" "missing:$miss"
grep -E '^[a-z_]+(_ns|_ms|_us)(\{| )' "$D/m" >"$D/units" && fail "base units" "$(cat "$D/units")" ||
	ok "no ns/ms/us metrics left: base units"

# one counter table: /metrics and iiotctl stats agree (a counter that cannot
# move between the two reads while the daemon is idle on it)
a=$(check --dump iiot_rings_drained_total)
sleep 1
scrape -H "Authorization: Bearer $tok" >/dev/null
b=$(check --dump iiot_rings_drained_total)
[ "$b" -gt "$a" ] && ok "ring counter rises as the simulator feeds it ($a -> $b)" ||
	fail "ring counter rises" "$a -> $b"
s=$("$BIN/iiotctl" stats -s "$D/iiotd.sock" --json | jq '.api.requests')
scrape -H "Authorization: Bearer $tok" >/dev/null
m=$(check --dump iiot_api_requests_total)
# the scrape itself is counted before it reads the table
expect_eq "api requests: /metrics = iiotctl stats + the one scrape" "$m" "$((s + 1))"

# histograms: API latency per route class, store commit latency, drain gap
for fam in iiot_api_request_seconds iiot_store_commit_seconds iiot_capture_drain_gap_seconds; do
	grep -q "^# TYPE $fam histogram$" "$D/m" || hmiss+=" $fam"
	grep -q "^${fam}_bucket{.*le=\"+Inf\"} " "$D/m" || hmiss+=" $fam+Inf"
done
[ -z "${hmiss-}" ] && ok "latency histograms: API per route class, store commit, drain gap" ||
	fail "histograms present" "missing:$hmiss"
[ "$(check --dump iiot_store_commit_seconds_count)" -gt 0 ] && ok "store commits observed" ||
	fail "store commits observed" "$(grep store_commit "$D/m")"
# a request is timed once its reply is out: the scrape that reads the table is not in it yet
s=$("$BIN/iiotctl" stats -s "$D/iiotd.sock" --json | jq '.api.request_seconds[] | select(.route == "ops") | .count')
scrape -H "Authorization: Bearer $tok" >/dev/null
m=$(grep '^iiot_api_request_seconds_count{route="ops"}' "$D/m" | cut -d' ' -f2)
expect_eq "ops request latency: /metrics count = iiotctl stats count" "$m" "$s"
[ "$s" -gt 0 ] && ok "health and metrics requests are timed ($s)" || fail "ops requests timed" "$s"

expect_eq "no token: 401" "$(scrape)" 401
expect_eq "a wrong token: 401" "$(scrape -H 'Authorization: Bearer iiot_nope')" 401
expect_eq "POST /metrics: 405" "$(scrape -X POST -H "Authorization: Bearer $tok")" 405
echo "1..$_tap_n"
