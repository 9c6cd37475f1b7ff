#!/usr/bin/env bash
# A full disk, for real: iiotd's state directory on a 32 MiB tmpfs (in a
# private mount namespace, so nothing shows outside the test), fed by the
# simulator, then a file fills the tmpfs.
#   below [store] min_free: the store degrades (raw samples no longer
#     stored, counted in raw_shed; 1 s rollups still written), an
#     ops.disk.low alert, /api/v1/health "degraded" with the reason, and
#     the audit log still takes rows (the alert's acknowledgement);
#   completely full: no crash, refused writes counted, health answers
#     "failed" for the disk;
#   the file removed: it recovers by itself (alert cleared, health ok,
#     raw samples stored again), and every database passes
#     integrity_check after a clean stop.
. "$(dirname "$0")/../lib.sh"
[ "$(id -u)" = 0 ] || skip_all "needs root: a tmpfs in a private mount namespace"
command -v unshare >/dev/null || skip_all "unshare missing"
unshare -m true 2>/dev/null || skip_all "no private mount namespace may be made here"
command -v sqlite3 >/dev/null || skip_all "sqlite3 missing"
[ -x "$BIN/iiot-sim" ] || skip_all "iiot-sim not built"
if [ -z "${IIOT_DISKFULL_NS-}" ]; then
	IIOT_DISKFULL_NS=1 exec unshare -m --propagation private bash "$0" "$@"
fi
. "$(dirname "$0")/../daemon/lib_daemon.sh"
daemon_setup
FS=$T/fs
mkdir -p "$FS"
mount -t tmpfs -o size=32m,mode=755 iiot-diskfull "$FS" || skip_all "cannot mount a tmpfs"
cleanup_push "umount -l $FS"
ring=$RING_PREFIX-df
export IIOTD_SOCK=$FS/state/iiotd.sock
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >"$T/iiotd.conf" <<EOF
[iiotd]
state_dir = $FS/state
[api]
listen = 127.0.0.1:$PORT
[capture]
ring = $ring
[model]
signals = $IIOT_TOP/etc/signals.map
sample_interval = 10ms
[store]
min_free = 8M
EOF
start_iiotd "$T/iiotd.conf" || { fail "iiotd starts on the tmpfs"; exit 0; }
"$BIN/iiot-sim" "$IIOT_TOP/sim/scenarios/small-cell.conf" --ring "$ring" >"$T/sim.log" 2>&1 &
sim=$!
cleanup_push "kill $sim"

health() { curl -sk "https://127.0.0.1:$PORT/api/v1/health"; }
store_check() { health | jq -r '.checks[] | select(.name == "store") | "\(.status) \(.reason)"'; }
st() { ctl stats --json | jq -r ".store.$1"; }
raw_rows() { sqlite3 "file:$FS/state/iiot.db?mode=ro" 'SELECT count(*) FROM samples_raw' 2>/dev/null; }
roll_newest() { sqlite3 "file:$FS/state/iiot.db?mode=ro" 'SELECT max(t) FROM roll_1s' 2>/dev/null; }
alert() { ctl alerts --json | jq -c 'select(.rule == "ops.disk.low")' | head -1; }
free_kib() { df --output=avail -k "$FS" | tail -1 | tr -d ' '; }

wait_for "raw samples stored" 30 sh -c "[ \"\$(sqlite3 'file:$FS/state/iiot.db?mode=ro' 'SELECT count(*) FROM samples_raw' 2>/dev/null || echo 0)\" -gt 20 ]" &&
	ok "raw samples stored while the disk has room ($(raw_rows) blocks)" ||
	fail "raw samples stored" "$(tail -5 "$T/iiotd.log")"
expect_eq "health: store ok" "$(store_check | cut -d' ' -f1)" ok

# below min_free (8 MiB): leave about 4 MiB
fill=$(( $(free_kib) / 1024 - 4 ))
dd if=/dev/zero of="$FS/filler" bs=1M count="$fill" status=none 2>/dev/null
wait_for "degraded" 20 sh -c "$BIN/iiotctl stats --json | jq -e '.store.disk_degraded == true'" &&
	ok "the store degrades below min_free ($(free_kib) KiB free)" ||
	fail "the store degrades" "$(ctl stats --json | jq -c .store)"
s=$(store_check)
case $s in
"degraded raw samples not stored (rollups, users and audit are): "*"below min_free 8192 KiB") ok "health: $s" ;;
*) fail "health says the store is degraded, and why" "$s" ;;
esac
expect_eq "health: overall degraded, not failed" "$(health | jq -r .status)" degraded
wait_for "alert" 10 sh -c "$BIN/iiotctl alerts --json | grep -q ops.disk.low" || true
a=$(alert)
expect_eq "an ops.disk.low alert, critical, active" \
	"$(echo "$a" | jq -r '"\(.rule) \(.severity) \(.state)"')" "ops.disk.low critical active-unack"

# raw stops, rollups go on
shed0=$(st raw_shed); raw0=$(raw_rows); roll0=$(roll_newest)
wait_for "shedding" 20 sh -c "[ \$($BIN/iiotctl stats --json | jq .store.raw_shed) -gt $((shed0 + 100)) ] && [ \$(sqlite3 'file:$FS/state/iiot.db?mode=ro' 'SELECT max(t) FROM roll_1s') -gt $roll0 ]" &&
	ok "raw samples shed (raw_shed $shed0 -> $(st raw_shed)) while 1 s rollups go on" ||
	fail "shedding and rollups" "$(ctl stats --json | jq -c .store) roll $roll0 -> $(roll_newest)"
expect_eq "no raw block written while degraded" "$(raw_rows)" "$raw0"

# the reserve keeps the audit log writable: an acknowledgement is audited
id=$(echo "$a" | jq -r .id)
check "the alert acknowledged while degraded" ctl alert ack "$id" --comment "disk full drill"
audit_rows() { sqlite3 "file:$FS/state/audit.db?mode=ro" "SELECT count(*) FROM audit WHERE action = 'alert.ack' AND target LIKE '%$id%'" 2>/dev/null; }
[ "$(audit_rows)" -gt 0 ] && ok "the acknowledgement is in the audit log" ||
	fail "audit row" "$(sqlite3 "file:$FS/state/audit.db?mode=ro" '.schema' 2>&1 | head -5)"

# completely full
dd if=/dev/zero of="$FS/filler2" bs=64k status=none 2>/dev/null
wait_for "a write refused" 20 sh -c "[ \$($BIN/iiotctl stats --json | jq .store.disk_full_errors) -gt 0 ]" &&
	ok "writes refused for space are counted ($(st disk_full_errors))" ||
	fail "SQLITE_FULL counted" "$(ctl stats --json | jq -c .store)"
kill -0 "$IIOTD_PID" 2>/dev/null && ok "iiotd runs on with the disk full ($(free_kib) KiB free)" ||
	fail "iiotd survives a full disk" "$(tail -20 "$T/iiotd.log")"
expect_eq "health answers: failed, for the disk" \
	"$(health | jq -r '"\(.status) \(.checks[] | select(.name == "disk") | .status)"')" "failed failed"

# space back: recovery by itself
rm -f "$FS/filler" "$FS/filler2"
wait_for "recovered" 20 sh -c "$BIN/iiotctl stats --json | jq -e '.store.disk_degraded == false'" &&
	ok "the store recovers by itself ($(free_kib) KiB free)" ||
	fail "recovery" "$(ctl stats --json | jq -c .store)"
expect_eq "health: store ok again" "$(store_check | cut -d' ' -f1)" ok
wait_for "cleared" 10 sh -c "! $BIN/iiotctl alerts --json | grep ops.disk.low | grep -q '\"state\":\"active'" &&
	ok "the alert is no longer active" || fail "alert cleared" "$(alert)"
raw1=$(raw_rows)
wait_for "raw again" 20 sh -c "[ \$(sqlite3 'file:$FS/state/iiot.db?mode=ro' 'SELECT count(*) FROM samples_raw') -gt $raw1 ]" &&
	ok "raw samples stored again" || fail "raw samples stored again" "$raw1 -> $(raw_rows)"
expect_eq "degraded once, counted" "$(st degraded_episodes)" 1
grep -q "store: degraded: " "$T/iiotd.log" && grep -q "store: recovered: " "$T/iiotd.log" &&
	ok "degradation and recovery logged" || fail "log lines" "$(grep store: "$T/iiotd.log" | tail -5)"

kill "$sim"; wait "$sim" 2>/dev/null
stop_iiotd
for db in iiot auth audit alerts; do
	[ -f "$FS/state/$db.db" ] || continue
	expect_eq "$db.db: integrity_check" "$(sqlite3 "$FS/state/$db.db" 'PRAGMA integrity_check')" ok
done
check "the audit chain verifies" "$BIN/iiotctl" audit --state "$FS/state" verify
echo "1..$_tap_n"
