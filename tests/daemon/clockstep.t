#!/usr/bin/env bash
# Wall clock steps, 8 days forward then back, in iiotd only (the host's
# clock untouched: tests/daemon/clockstep.c, LD_PRELOAD), while the
# simulator feeds it:
#   each step is alerted once (ops.clock.step, which way and how far);
#   the store keeps committing (its writer waits on CLOCK_MONOTONIC: with
#     the wall clock 8 days ahead a realtime deadline held every batch);
#   retention deletes nothing early (rows age by the time that passed);
#   no device goes offline (silence measured on CLOCK_MONOTONIC);
#   after the stop the rollups agree with the raw blocks to the sample.
. "$(dirname "$0")/lib_daemon.sh"
SO=$BUILD/tests-daemon/clockstep.so
[ -f "$SO" ] || skip_all "clockstep.so not built"
[ -x "$BIN/iiot-sim" ] || skip_all "iiot-sim not built"
command -v sqlite3 >/dev/null || skip_all "sqlite3 missing"
daemon_setup
ring=$RING_PREFIX-cs
cleanup_push "rm -f /dev/shm/iiot/$ring /dev/shm/iiot/$ring.wake"
echo 0 >"$T/offset"
# one transaction per flush only: batch_rows out of reach
write_conf "$T/iiotd.conf" "[capture]" "ring = $ring" "[model]" \
	"signals = $IIOT_TOP/etc/signals.map" "sample_interval = 10ms" \
	"[store]" "flush = 100ms" "batch_rows = 16777216" "raw_retention = 1d" \
	"sec_retention = 7d"
IIOT_CLOCKSTEP=$T/offset LD_PRELOAD=$SO start_iiotd "$T/iiotd.conf" ||
	{ fail "iiotd starts with the shim"; exit 0; }
"$BIN/iiot-sim" "$IIOT_TOP/sim/scenarios/small-cell.conf" --ring "$ring" >"$T/sim.log" 2>&1 &
sim=$!
cleanup_push "kill $sim"
DB=$T/state/iiot.db
q() { sqlite3 "file:$DB?mode=ro" "$1" 2>/dev/null; }
st() { ctl stats --json | jq -r ".store.$1"; }
clock_alert() { ctl alerts --json | jq -r 'select(.rule == "ops.clock.step") | .detail' | head -1; }
# the writer commits n more transactions (100 ms each)
commits() {
	local want=$(($(st transactions) + $1))
	wait_for "commits" 30 sh -c "[ \$($BIN/iiotctl stats --json | jq .store.transactions) -ge $want ]"
}

wait_for "samples" 30 sh -c "[ \"\$(sqlite3 'file:$DB?mode=ro' 'SELECT count(*) FROM samples_raw' 2>/dev/null || echo 0)\" -gt 20 ]" ||
	fail "samples stored" "$(tail -5 "$T/iiotd.log")"
oldest=$(q 'SELECT min(t0) FROM samples_raw')

echo $((8 * 86400)) >"$T/offset"
wait_for "forward alert" 15 sh -c "$BIN/iiotctl alerts --json | grep -q ops.clock.step" || true
expect_eq "a step forward is alerted, with its size" "$(clock_alert)" "forward by 691200.0 s"
commits 60 && ok "the store commits on with the wall clock 8 days ahead" ||
	fail "the store writer stalls after a step forward" "$(ctl stats --json | jq -c .store)"
expect_eq "retention deleted nothing early" "$(st retention_deleted) $(q 'SELECT min(t0) FROM samples_raw')" "0 $oldest"

echo 0 >"$T/offset"
wait_for "back alert" 15 sh -c "$BIN/iiotctl alerts --json | grep ops.clock.step | grep -q back" || true
expect_eq "a step back is alerted too" \
	"$(ctl alerts --json | jq -r 'select(.rule == "ops.clock.step") | .detail' | sort | tr '\n' '|')" \
	"back by 691200.0 s|forward by 691200.0 s|"
commits 30 && ok "the store commits on after the step back" ||
	fail "the store writer stalls after a step back" "$(ctl stats --json | jq -c .store)"
expect_eq "two steps counted" "$(ctl stats --json | jq .ops.clock_steps)" 2
expect_eq "no device went offline ($(q 'SELECT count(*) FROM devices') devices)" \
	"$(q "SELECT count(*) FROM device_history WHERE event = 'offline'")" 0

kill "$sim"; wait "$sim" 2>/dev/null
stop_iiotd
raw=$(sqlite3 "$DB" 'SELECT sum(n) FROM samples_raw')
expect_eq "1 s rollups count every raw sample" "$(sqlite3 "$DB" 'SELECT sum(count) FROM roll_1s')" "$raw"
expect_eq "1 min rollups count every raw sample" "$(sqlite3 "$DB" 'SELECT sum(count) FROM roll_1m')" "$raw"
expect_eq "and sum the same" \
	"$(sqlite3 "$DB" 'SELECT round((SELECT sum(sum) FROM roll_1s) - (SELECT sum(sum) FROM roll_1m), 3)')" "0.0"
expect_eq "integrity_check" "$(sqlite3 "$DB" 'PRAGMA integrity_check')" ok
echo "1..$_tap_n"
