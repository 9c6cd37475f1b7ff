#!/usr/bin/env bash
# SQL off the event loop (issue 12 §2): sample histories, device histories
# and iiotctl device show's history run on the store's reader threads.  A second process
# holds the five read locks of the database's WAL index (bytes 123-127 of
# iiot.db-shm, https://sqlite.org/walformat.html), as SQLite's recovery
# does, so no connection can start reading: every store query waits (SQLite
# retries for about 10 s, so the lock is held for 8 s at most).  While they
# wait, health, capture status, the device list and iiotctl answer and
# capture keeps draining.  Asserted by order and counters only: the
# waiting requests are still unanswered when the others have answered,
# two of them are running at once, and they all answer once the lock goes.
# A client that leaves while its query waits has it cancelled.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib_api.sh"
[ -x "$BIN/iiot-sim" ] || skip_all "iiot-sim not built"
command -v jq >/dev/null || skip_all "jq missing"
ring=iiot-readers$$
cleanup_push "rm -f /dev/shm/iiot/$ring /dev/shm/iiot/$ring.wake"
api_start "[capture]" "ring = $ring" "[model]" "signals = $IIOT_TOP/etc/signals.map" \
	"[store]" "readers = 2"
"$BIN/iiot-sim" "$IIOT_TOP/sim/scenarios/small-cell.conf" --ring "$ring" >"$D/sim.log" 2>&1 &
cleanup_push "kill $!"
T=(-H "Authorization: Bearer $(token t engineer)")
ctl() { IIOTD_SOCK=$D/iiotd.sock "$BIN/iiotctl" "$@"; }
readers() { ctl stats --json | jq -r ".store.readers.$1"; }
drained() { ctl stats --json | jq '[.rings[].drained] | add'; }

for i in $(seq 60); do
	req "$D/none" GET /devices "" "${T[@]}"
	[ "$(jf .total)" -ge 14 ] 2>/dev/null && break
	sleep 0.5
done
expect_eq "small-cell: 14 devices" "$(jf .total)" 14
sleep 2	# samples and history rows on disk
req "$D/none" GET /signals "" "${T[@]}"
sig=$(jf '[.signals[] | select(.samples > 0)][0].id')
check "a signal with samples" test "$sig" -gt 0
expect_eq "reader threads as configured" "$(readers threads)" 2
done0=$(readers done)

python3 - "$D/iiot.db-shm" "$D/locked" "$D/release" <<'PY' &
import fcntl, os, sys, time
shm, locked, release = sys.argv[1:]
fd = os.open(shm, os.O_RDWR)
fcntl.lockf(fd, fcntl.LOCK_EX, 5, 123, 0)	# WAL_READ_LOCK(0..4)
open(locked, "w").close()
for _ in range(800):
	if os.path.exists(release):
		break
	time.sleep(0.01)
PY
locker=$!
cleanup_push "touch $D/release; kill $locker"
for i in $(seq 600); do [ -e "$D/locked" ] && break; sleep 0.05; done
check "the WAL index's read locks are held by another process" test -e "$D/locked"

slow() {	# NAME PATH: a request that reads the store, in the background
	curl -sk -o "$D/$1.out" -w '%{http_code}' "${T[@]}" "$URL/api/v1$2" >"$D/$1.code" &
}
: >"$D/s1.code"; : >"$D/s2.code"; : >"$D/h.code"
slow s1 "/signals/$sig/samples?rollup=raw&max_points=10000"
p1=$!
slow s2 "/signals/$sig/samples?rollup=1s"
p2=$!
slow h "/devices/1/history?limit=1000"
p3=$!
ctl device show 1 >"$D/ctlhist.out" 2>&1 &
p4=$!
curl -sk -o /dev/null "${T[@]}" "$URL/api/v1/signals/$sig/samples?rollup=1m" &
gone=$!
for i in $(seq 600); do [ "$(readers pending)" = 5 ] && break; sleep 0.05; done
expect_eq "five store queries waiting (accepted, none answered)" "$(readers pending)" 5
expect_eq "two of them running at once, one on each reader" "$(readers running)" 2

# meanwhile: the loop answers, capture drains
d1=$(drained)
req "$D/none" GET /health
expect_eq "health answers while the queries wait" "$CODE" 200
req "$D/none" GET /capture "" "${T[@]}"
expect_eq "capture status answers while the queries wait" "$CODE" 200
req "$D/none" GET "/devices?limit=5" "" "${T[@]}"
expect_eq "the device list answers while the queries wait" "$CODE $(jf .total)" "200 14"
check "iiotctl status answers while the queries wait" ctl status
for i in $(seq 200); do [ "$(drained)" -gt "$d1" ] && break; sleep 0.05; done
check "capture keeps draining while the queries wait" test "$(drained)" -gt "$d1"
expect_eq "the store queries are still unanswered" \
	"$(cat "$D/s1.code" "$D/s2.code" "$D/h.code")$(kill -0 $p4 2>/dev/null && echo waiting)" waiting

# a client that leaves while its query waits
kill $gone
wait $gone 2>/dev/null
for i in $(seq 600); do [ "$(readers cancelled)" -ge 1 ] && break; sleep 0.05; done
expect_eq "the query of a client that left is cancelled" "$(readers cancelled)" 1

touch "$D/release"
wait $locker
wait $p1 $p2 $p3 $p4
expect_eq "raw samples answer once the lock goes" "$(cat "$D/s1.code")" 200
check "raw samples: points" test "$(jq '.points | length' "$D/s1.out")" -gt 0
expect_eq "1 s rollups answer once the lock goes" "$(cat "$D/s2.code") $(jq -r '.points | type' "$D/s2.out")" "200 array"
expect_eq "device history answers once the lock goes" "$(cat "$D/h.code") $(jq -r '.history | type' "$D/h.out")" "200 array"
check "iiotctl device show (with its history) answers once the lock goes" grep -q discovered "$D/ctlhist.out"
for i in $(seq 200); do [ "$(readers pending)" = 0 ] && break; sleep 0.05; done
expect_eq "every query delivered or cancelled; at most one connection per reader" \
	"$(readers pending) $(readers running) $(( $(readers done) - done0 )) $(readers busy) $(readers opens)" \
	"0 0 4 0 $(readers opens | awk '$1 <= 2')"
check "iiotd still runs" kill -0 "$IIOTD_PID"
