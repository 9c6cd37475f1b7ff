#!/usr/bin/env bash
# /api/v1/health's network_load check against a real iiotd: a capture
# port over 50 % of its speed (docs/diagnostics.md, Network load) makes
# the verdict degraded, naming the port, its load and the grade.  The
# simulator's small cell needs about 3 Mbit/s; [diag] port_speed = 1
# puts its ring (no interface of that name) at 1 Mbit/s, so well over.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib_api.sh"
[ -x "$BIN/iiot-sim" ] || skip_all "iiot-sim not built"
ring=iiot-apiload$$
cleanup_push "rm -f /dev/shm/iiot/$ring /dev/shm/iiot/$ring.wake"
api_start "[capture]" "ring = $ring" "[diag]" "port_speed = 1"
req "$D/none" GET /health
expect_eq "no port measured yet: the check is ok and says so" \
	"$(jf '.checks[] | select(.name == "network_load") | [.status, .reason] | join(": ")')" \
	"ok: no capture port measured yet"
"$BIN/iiot-sim" "$IIOT_TOP/sim/scenarios/small-cell.conf" --ring "$ring" >"$D/sim.log" 2>&1 &
cleanup_push "kill $! 2>/dev/null"
for i in $(seq 60); do
	req "$D/none" GET /health
	[ "$(jf '.checks[] | select(.name == "network_load") | .status')" = degraded ] && break
	sleep 0.5
done
expect_eq "a port over 50 % degrades the verdict (still 200)" \
	"$CODE $(jf .status) $(jf '.checks[] | select(.name == "network_load") | .status')" \
	"200 degraded degraded"
[[ $(jf '.checks[] | select(.name == "network_load") | .reason') == "$ring "*" % (reduce)" ]] &&
	ok "the reason names the port, its load and the grade: $(jf '.checks[] | select(.name == "network_load") | .reason')" ||
	fail "network_load reason" "$BODY"
openapi_check
echo "1..$_tap_n"
