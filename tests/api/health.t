#!/usr/bin/env bash
# /api/v1/health in depth against a real iiotd: ok with each check named
# while the simulator feeds the ring, degraded with the ring as the reason
# once its producer stops; public, and as docs/openapi.yaml says.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib_api.sh"
[ -x "$BIN/iiot-sim" ] || skip_all "iiot-sim not built"
ring=iiot-apihealth$$
cleanup_push "rm -f /dev/shm/iiot/$ring /dev/shm/iiot/$ring.wake"
api_start "[capture]" "ring = $ring"
"$BIN/iiot-sim" "$IIOT_TOP/sim/scenarios/small-cell.conf" --ring "$ring" >"$D/sim.log" 2>&1 &
sim=$!
cleanup_push "kill $sim 2>/dev/null"

for i in $(seq 60); do
	req "$D/none" GET /health
	[ "$(jf .status)" = ok ] && break
	sleep 0.5
done
expect_eq "fed ring: ok, 200, no login" "$CODE $(jf .status)" "200 ok"
expect_eq "every check named" "$(jf '[.checks[].name] | unique | join(",")')" "backup,certificate,clock,disk,evaluation,network_load,ring,store,upgrade"
expect_eq "the ring's producer is alive" "$(jf '.checks[] | select(.name == "ring") | .reason')" \
	"ring $ring: producer alive"
expect_eq "the self-signed certificate is far from expiry" \
	"$(jf '.checks[] | select(.name == "certificate") | .status')" ok

kill "$sim"; wait "$sim" 2>/dev/null
for i in $(seq 40); do
	req "$D/none" GET /health
	[ "$(jf .status)" = degraded ] && break
	sleep 0.5
done
expect_eq "producer stopped: degraded, still 200" "$CODE $(jf .status)" "200 degraded"
r=$(jf '.checks[] | select(.status != "ok") | .name')
expect_eq "the ring is the one reason" "$r" ring
jf '.checks[] | select(.name == "ring") | .reason' | grep -q "^ring $ring: " &&
	ok "the reason names the ring: $(jf '.checks[] | select(.name == "ring") | .reason')" ||
	fail "reason names the ring" "$BODY"

# a producer that dies without closing its ring: caught by its heartbeat
"$BIN/iiot-sim" "$IIOT_TOP/sim/scenarios/small-cell.conf" --ring "$ring" >"$D/sim2.log" 2>&1 &
sim=$!
for i in $(seq 60); do
	req "$D/none" GET /health
	[ "$(jf .status)" = ok ] && break
	sleep 0.5
done
expect_eq "producer back: ok again" "$(jf .status)" ok
kill -KILL "$sim"; wait "$sim" 2>/dev/null
for i in $(seq 40); do
	req "$D/none" GET /health
	[ "$(jf .status)" = degraded ] && break
	sleep 0.5
done
expect_eq "producer killed: degraded once its heartbeat is 5 s old" \
	"$(jf .status) $(jf '.checks[] | select(.name == "ring") | .reason' | sed 's/[0-9]*s$/Ns/')" \
	"degraded ring $ring: producer silent for Ns"
openapi_check
echo "1..$_tap_n"
