#!/usr/bin/env bash
# A step of iiotd's wall clock ended every browser session: the idle and
# absolute timeouts were measured on CLOCK_REALTIME, so an NTP step
# forward by more than the idle timeout (15 min for admins) signed
# everyone out, and a step back lengthened every session by the step.
# Sessions live in memory only and now age on CLOCK_MONOTONIC.  The wall
# clock is stepped in iiotd alone (tests/daemon/clockstep.c, LD_PRELOAD;
# the host's clock untouched).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib_api.sh"
SO=$BUILD/tests-daemon/clockstep.so
[ -f "$SO" ] || skip_all "clockstep.so not built"
OFF=$(mktemp /tmp/iiot-clockstep.XXXXXX)
cleanup_push "rm -f $OFF"
echo 0 >"$OFF"
chmod 644 "$OFF"	# iiotd reads it as its own user
export IIOT_CLOCKSTEP=$OFF
LD_PRELOAD=$SO
export LD_PRELOAD
api_start
unset LD_PRELOAD
expect_eq "iiotd runs with the stepping clock" \
	"$(tr '\0' '\n' </proc/"$IIOTD_PID"/environ | grep -c "^LD_PRELOAD=$SO")" 1
admin_enrol "$D/admin" "plant supervisor 2026" || { fail "admin enrolment" "$BODY"; exit 0; }
req "$D/admin" GET /overview
expect_eq "the admin's session answers" "$CODE" 200
step() {
	echo "$1" >"$OFF"
	sleep 0.3	# the shim reads the file every 50 ms
	req "$D/admin" GET /overview
}
step 3600
expect_eq "a step forward by 1 h (idle timeout 15 min) keeps the session" "$CODE" 200
step 86400
expect_eq "a step forward by 1 day (absolute lifetime 12 h) keeps it too" "$CODE" 200
step 0
expect_eq "and the step back" "$CODE" 200
req "$D/admin" GET /sessions
expect_eq "the list still shows wall clock times" \
	"$(jq '[.sessions[]? // .[]? | .last_seen > 1700000000000] | all' "$D/out")" true
echo "1..$_tap_n"
