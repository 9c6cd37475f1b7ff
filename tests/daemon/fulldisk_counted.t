#!/usr/bin/env bash
# Regression: on a full disk the store counted as written (samples_written)
# the samples of raw-block inserts that had failed, and committed the rest
# of the batch (rollups without their raw block); make soak B=disk found
# 937 k samples reported committed, 449 k in the database.  A batch is now
# all or nothing and a failed one counts in samples_failed.
# A 4 MiB tmpfs in a private mount namespace (root only), filled but for
# 256 KiB while iiotd ingests; then a SIGKILL: every sample reported
# written is in the database, and the rollups hold exactly the raw samples
# plus those a batch refused for space kept in rollups only (raw_shed,
# docs/iiotd.md "Low disk").  The reserve (min_free) is off: the writer's
# bookkeeping under failing statements is what is tested here;
# tests/store/diskfull.t tests the reserve.
if [ -z "${IIOT_NS:-}" ]; then
	unshare -m true 2>/dev/null ||
		{ echo "ok 1 - ${0##*/} # SKIP needs root (a private mount namespace)"; exit 0; }
	exec unshare -m --propagation private env IIOT_NS=1 "$0" "$@"
fi
. "$(dirname "$0")/lib_daemon.sh"
daemon_setup
[ -x "$BIN/iiot-sim" ] || skip_all "iiot-sim not built"
mkdir -p "$T/state"
mount -t tmpfs -o size=4m,mode=0755 fulldisk "$T/state" || skip_all "cannot mount a tmpfs"
cleanup_push "umount $T/state"
ring=$RING_PREFIX-fd
db=$T/state/iiot.db
write_conf "$T/iiotd.conf" "[capture]" "ring = $ring" "[model]" "sample_interval = 0" \
	"signals = $IIOT_TOP/etc/signals.map" "[store]" "flush = 100ms" "min_free = 0"
start_iiotd "$T/iiotd.conf" || { fail "iiotd starts"; exit 0; }
"$BIN/iiot-sim" "$IIOT_TOP/sim/scenarios/small-cell.conf" --ring "$ring" --speed 8 \
	--duration 100000 >/dev/null 2>&1 &
sim=$!
cleanup_push "kill $sim"
wait_for "samples written" 10 sh -c "[ \"\$($BIN/iiotctl stats --json | jq '.store.samples_written')\" -gt 0 ]"
free_kb=$(df -k --output=avail "$T/state" | tail -1)
dd if=/dev/zero of="$T/state/ballast" bs=1k count=$((free_kb - 256)) status=none 2>/dev/null
errors() { ctl stats --json | jq '.store.write_errors'; }
check "the disk fills: the store counts write errors" wait_for "write errors" 30 \
	sh -c "[ \"\$($BIN/iiotctl stats --json | jq '.store.write_errors')\" -gt 0 ]"
wait_for "failed batches" 30 sh -c "[ \"\$($BIN/iiotctl stats --json | jq '.store.samples_failed')\" -gt 0 ]"
kill "$sim"; wait "$sim" 2>/dev/null
# the writer idle: its counters still for a second
still() {
	local a b
	a=$(ctl stats --json | jq -c '.store | del(.disk_bytes, .disk_free_bytes, .commit_seconds, .readers)')
	sleep 1
	b=$(ctl stats --json | jq -c '.store | del(.disk_bytes, .disk_free_bytes, .commit_seconds, .readers)')
	[ "$a" = "$b" ]
}
wait_for "writer idle" 30 still
stats=$(ctl stats --json)
shed=$(echo "$stats" | jq '.store.raw_shed')
written=$(echo "$stats" | jq '.store.samples_written')
failed=$(echo "$stats" | jq '.store.samples_failed')
kill -9 "$IIOTD_PID"; wait "$IIOTD_PID" 2>/dev/null
rm -f "$T/state/ballast"
expect_eq "integrity after the full disk" "$(sqlite3 "$db" 'PRAGMA integrity_check')" ok
raw=$(sqlite3 "$db" 'SELECT coalesce(sum(n), 0) FROM samples_raw')
roll=$(sqlite3 "$db" 'SELECT coalesce(sum(count), 0) FROM roll_1s')
check "every sample counted written is in the database ($written counted, $raw there)" \
	test "$raw" -ge "$written"
expect_eq "rollups = raw + shed after failed batches ($shed shed)" "$roll" "$((raw + shed))"
check "samples of failed batches counted ($failed)" test "$failed" -gt 0
