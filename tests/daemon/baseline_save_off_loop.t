#!/usr/bin/env bash
# Regression: while the IDS learned its baseline ([ids] learn, the first
# hour by default) the event loop saved it every second itself - two
# waits for the capture thread and three fdatasyncs of baseline.db and its
# journal - so under a capture flood, with the store keeping the disk
# busy, the API stalled 20 to 130 ms each second (docs/soak.md).  The
# save runs on its own thread, iiotd-baseline: while a line is learned,
# baseline.db is synced, and never by the main thread.
. "$(dirname "$0")/lib_daemon.sh"
command -v strace >/dev/null || skip_all "strace missing"
command -v jq >/dev/null || skip_all "jq missing"
daemon_setup
ring=$RING_PREFIX-bl
write_conf "$T/iiotd.conf" "[capture]" "ring = $ring"
start_iiotd "$T/iiotd.conf" || { fail "iiotd starts"; exit 0; }
"$BIN/iiot-sim" "$IIOT_TOP/sim/scenarios/small-cell.conf" --ring "$ring" --duration 8 >/dev/null 2>&1 &
sim=$!
cleanup_push "kill $sim 2>/dev/null"
wait_for "iiotd drains the line" 5 sh -c "[ \"\$($BIN/iiotctl status --json | jq .frames)\" -gt 0 ]" ||
	{ fail "iiotd drains the line"; exit 0; }
# every thread's syscalls in a file of its own (-ff: $T/st.TID)
timeout 4 strace -f -ff -y -qq -e trace=fdatasync,fsync -o "$T/st" -p "$IIOTD_PID" 2>/dev/null
main=$(cat "$T/st.$IIOTD_PID" 2>/dev/null | grep -c 'baseline\.db')
others=$(grep -l 'baseline\.db' "$T"/st.* 2>/dev/null | grep -vc "st\.$IIOTD_PID\$")
expect_eq "the main thread syncs nothing of baseline.db" "$main" 0
check "another thread saves the baseline while it is learned" test "$others" -ge 1
tid=$(grep -l 'baseline\.db' "$T"/st.* 2>/dev/null | head -1 | sed 's/.*st\.//')
expect_eq "that thread is iiotd-baseline" "$(cat "/proc/$IIOTD_PID/task/$tid/comm" 2>/dev/null)" iiotd-baseline
wait "$sim"
stop_iiotd
