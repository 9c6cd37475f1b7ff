#!/usr/bin/env bash
# A predicted alert carries its fitted line (issue 14): iiotd fed the
# cable-ramp line (RX errors into its fourth slave rising to 10/min at
# 40 min, tests/diag/sim.t) unpaced through a ring raises diag.predicted,
# and GET /api/v1/alerts/{id} has the line as the alert view charts it:
# from its first sample, rising, reaching 10/min near 40 min.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../api/lib_api.sh"
[ -x "$BIN/iiot-sim" ] || skip_all "iiot-sim not built"
command -v jq >/dev/null || skip_all "jq not installed"
ring=iiot-diagfit$$
cleanup_push "rm -f /dev/shm/iiot/$ring /dev/shm/iiot/$ring.wake"
api_start "[capture]" "ring = $ring"
VW=(-H "Authorization: Bearer $(token vw viewer)")
"$BIN/iiot-sim" "$IIOT_TOP/sim/scenarios/cable-ramp.conf" --ring "$ring" --duration 2700 --fast >"$D/sim.log" 2>&1 &
sim=$!
cleanup_push "kill $sim 2>/dev/null"

# 270,000 frames: the prediction comes about 25 simulated minutes in
for i in $(seq 600); do
	req "$D/none" GET "/alerts?rule=diag.predicted" "" "${VW[@]}"
	[ "$(jf '.alerts | length')" -ge 1 ] 2>/dev/null && break
	sleep 0.5
done
id=$(jf '.alerts[0].id')
[ -n "$id" ] && [ "$id" != null ] && ok "the ramp is predicted live" ||
	{ fail "diag.predicted live" "$BODY $(tail -3 "$D/sim.log")"; echo "1..$_tap_n"; exit 0; }
req "$D/none" GET "/alerts/$id" "" "${VW[@]}"
expect_eq "GET /alerts/{id} answers" "$CODE" 200
expect_eq "...with the fitted line of the failing port's RX errors" \
	"$(jf '.fit | [.metric, .unit, .threshold] | map(tostring) | join(" ")')" "rx_errors_p0 /min 10"
expect_eq "...rising, from its first sample to its last" \
	"$(jf '.fit | .slope_per_s > 0 and .t0_ns < .last_ns and .samples > 2 and .v0 < .threshold')" true
# the line is where the chart draws it: v0 + slope x (cross - t0) is the
# threshold, and the crossing lies within its interval
expect_eq "...reaching the threshold at its crossing time" \
	"$(jf '.fit | (.v0 + .slope_per_s * (.cross_ns - .t0_ns) / 1e9 - .threshold) | fabs < 0.5')" true
expect_eq "...within its interval" \
	"$(jf '.fit | .cross_lo_ns <= .cross_ns and (.cross_hi_ns == null or .cross_ns <= .cross_hi_ns)')" true
req "$D/none" GET "/alerts?rule=ecat.wkc.mismatch" "" "${VW[@]}"
expect_eq "other alerts have no line" "$(jf '[.alerts[] | .fit] | map(. == null) | all')" true
echo "1..$_tap_n"
