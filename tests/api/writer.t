#!/usr/bin/env bash
# The audit/auth writer (daemon/auth/dbwriter.c) on a slow disk: every
# fsync of audit.db and auth.db takes 1.5 s (tests/api/slowsync.c, an
# LD_PRELOAD shim).  A state change is answered only after its audit row
# is committed, yet the event loop keeps answering other requests while it
# waits; concurrent changes share commits (fewer fsyncs than changes); and
# after kill -9 every acknowledged change is in the log.  Order, not time.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib_api.sh"
SHIM=$BUILD/tests-api/slowsync.so
[ -f "$SHIM" ] || skip_all "slowsync.so not built"
command -v sqlite3 >/dev/null || skip_all "sqlite3 missing"

W=$(mktemp -d /tmp/iiot-writer.XXXXXX)
chmod 755 "$W"
cleanup_push "rm -rf $W"
cat >"$W/iiotd" <<EOF
#!/bin/sh
export LD_PRELOAD=$SHIM IIOT_SLOWSYNC_MS=1500 IIOT_SLOWSYNC_MATCH=audit.db:auth.db
export IIOT_SLOWSYNC_COUNT=$W/syncs
exec $BIN/iiotd "\$@"
EOF
chmod 755 "$W/iiotd"
: >"$W/syncs"
chmod 666 "$W/syncs"
IIOTD=$W/iiotd
api_start
check "iiotd answers under the slow-disk shim" [ "$(curl -sk -o /dev/null -w '%{http_code}' "$URL/api/v1/health")" != 000 ]
TOK=$(token w admin)
H="Authorization: Bearer $TOK"

metric() { curl -sk -H "$H" "$URL/metrics" | awk -v m="$1" '$1 == m {print $2}'; }

# 1. a change waits for its commit; health, metrics and reads go on meanwhile
(curl -sk -o /dev/null -w '%{http_code}' -X DELETE -H "$H" "$URL/api/v1/tokens/424242" >"$W/change.code"; echo change >>"$W/order") &
bg=$!
seen=0
for _ in $(seq 200); do
	[ "$(metric iiot_api_writer_waits_pending)" -ge 1 ] 2>/dev/null && { seen=1; break; }
	sleep 0.05
done
check "the change's reply waits for its batch (seen waiting in /metrics)" [ $seen = 1 ]
code=$(curl -sk -o /dev/null -w '%{http_code}' "$URL/api/v1/health")
echo health >>"$W/order"
check "health answered while the change waits for the disk" [ "$code" = 200 -o "$code" = 503 ]
wait $bg
expect_eq "health came back before the change" "$(tr '\n' ' ' <"$W/order")" "health change "
expect_eq "the change answered once committed" "$(cat "$W/change.code")" 404
expect_eq "its audit row is in the log when it is answered" \
	"$(sqlite3 "$D/audit.db" "SELECT count(*) FROM audit WHERE action = 'DELETE /api/v1/tokens/424242'")" 1

# 2. group commit: N concurrent changes, fewer audit fsyncs than N
N=16
b0=$(metric iiot_api_writer_batches_total)
r0=$(metric iiot_api_writer_rows_total)
s0=$(grep -c 'audit.db' "$W/syncs")
pids=()
for i in $(seq $N); do
	curl -sk -o /dev/null -X DELETE -H "$H" "$URL/api/v1/tokens/$((500000 + i))" & pids+=($!)
done
wait "${pids[@]}"
b1=$(metric iiot_api_writer_batches_total)
r1=$(metric iiot_api_writer_rows_total)
s1=$(grep -c 'audit.db' "$W/syncs")
expect_eq "all $N rows committed" "$((r1 - r0))" "$N"
check "in fewer batches than rows ($((b1 - b0)) for $N)" [ $((b1 - b0)) -lt $N -a $((b1 - b0)) -ge 1 ]
check "and fewer audit-log fsyncs than rows ($((s1 - s0)) for $N)" [ $((s1 - s0)) -lt $N ]
check "rows per batch and commit latency in the stats table" \
	[ "$(metric iiot_api_writer_batch_max)" -gt 1 -a "$(metric iiot_api_writer_commit_us_max)" -gt 0 ]

# 3. an auth change (a new token) is answered once auth.db's WAL is synced
a0=$(metric iiot_api_writer_syncs_total)
req_h() { curl -sk -o "$W/out" -w '%{http_code}' -H "$H" -H 'Content-Type: application/json' "$@"; }
code=$(req_h -X POST --data-binary '{"name":"kept","role":"viewer"}' "$URL/api/v1/tokens")
expect_eq "token created" "$code" 201
check "auth.db's WAL synced by the writer for it" [ "$(metric iiot_api_writer_syncs_total)" -gt "$a0" ]

# 4. kill -9 with changes in flight: every acknowledged one is in the log
pids=()
for i in $(seq 24); do
	(c=$(curl -sk -o /dev/null -w '%{http_code}' -m 20 -X DELETE -H "$H" "$URL/api/v1/tokens/$((600000 + i))")
	 [ "$c" = 404 ] && echo $((600000 + i)) >>"$W/acked") & pids+=($!)
	[ $i = 8 ] && sleep 2	# the first ones answered, the rest in flight
done
for _ in $(seq 600); do [ -s "$W/acked" ] && break; sleep 0.05; done
kill -9 "$IIOTD_PID"
wait "${pids[@]}" 2>/dev/null
wait "$IIOTD_PID" 2>/dev/null
n_acked=$(sort -u "$W/acked" 2>/dev/null | wc -l)
check "some changes were acknowledged before the kill ($n_acked)" [ "$n_acked" -ge 1 ]
missing=0
for t in $(cat "$W/acked" 2>/dev/null); do
	[ "$(sqlite3 "$D/audit.db" "SELECT count(*) FROM audit WHERE action = 'DELETE /api/v1/tokens/$t'")" = 1 ] || missing=$((missing + 1))
done
expect_eq "every acknowledged change is in the audit log after kill -9" "$missing" 0
expect_eq "the token created before is in auth.db" \
	"$(sqlite3 "$D/auth.db" "SELECT count(*) FROM tokens WHERE name = 'kept'")" 1
"$BIN/iiotctl" audit --state "$D" verify >"$W/verify.out" 2>&1
expect_eq "the chain verifies after kill -9" "$?" 0
echo "1..$_tap_n"
