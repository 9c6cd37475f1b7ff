#!/usr/bin/env bash
# make run (scripts/run.sh): iiotd on the simulated small cell comes up,
# the inventory fills, Ctrl-C stops iiotd and the simulator.
. "$(dirname "$0")/lib_daemon.sh"
daemon_setup
[ -x "$BIN/iiot-sim" ] || skip_all "iiot-sim not built"
ring=$RING_PREFIX-run
export IIOTD_SOCK=$T/var/iiotd.sock
VAR=$T/var RING=$ring RUN_CONF_EXTRA=$'[api]\nenabled = no' \
	setsid "$IIOT_TOP/scripts/run.sh" >"$T/run.log" 2>&1 &
run=$!
cleanup_push "kill -TERM -$run"
devices_are() { [ "$(ctl status --json 2>/dev/null | jq .devices)" = "$1" ]; }
if wait_for "inventory" 30 devices_are 14; then
	ok "make run: 14 devices of the small cell in the inventory"
else
	fail "make run: inventory" "$(tail -5 "$T/run.log")"
fi
grep -q "build/bin/iiotctl devices" "$T/run.log" && ok "prints what to look at" ||
	fail "prints what to look at"
check "signals sampled" test "$(ctl stats --json | jq .model.samples)" -gt 0
kill -INT -- -"$run"
wait "$run"
sleep 0.5
left=$(pgrep -f -- "$ring|$T/var/iiotd-run.conf" | wc -l)
expect_eq "Ctrl-C stops iiotd and the simulator" "$left" 0
grep -q "exited cleanly" "$T/run.log" && ok "iiotd exited cleanly" || fail "iiotd exited cleanly" "$(tail -5 "$T/run.log")"
