#!/usr/bin/env bash
# GET /metrics carries the edge node's figures, its store-and-forward
# queue among them (iiot_north_queue_depth, _queue_capacity,
# _stored_total, _queue_dropped_total, _replayed_total), in text a strict
# Prometheus checker accepts: here while the broker is away and data are
# queued, then after it is back and the queue is replayed.
. "$(dirname "$0")/lib_north.sh"
. "$IIOT_TOP/tests/api/lib_api.sh"
north_setup
broker_start a || { fail "mosquitto starts"; exit 0; }
broker_stop a
api_start "[capture]" "ring = $RING" "[north]" "broker = mqtt://127.0.0.1:$PORT_a" \
	"group = plant" "edge_node = ipc1" "devices = all" "retry = 1s" "queue_max = 1000"
sim_start
tok=$(token prom viewer)
scrape() { curl -sk -o "$D/m" -H "Authorization: Bearer $tok" "$URL/metrics"; }
val() { sed -n "s/^$1 //p" "$D/m"; }

for i in $(seq 60); do
	scrape
	[ "$(val iiot_north_queue_depth)" -gt 0 ] 2>/dev/null && break
	sleep 0.5
done
res=$(python3 "$IIOT_TOP/tests/api/promcheck.py" <"$D/m")
[[ $res == ok* ]] && ok "strict Prometheus text check: $res" || fail "strict check" "$res"
[ "$(val iiot_north_queue_depth)" -gt 0 ] && ok "queue depth while the broker is away: $(val iiot_north_queue_depth)" ||
	fail "queue depth" "$(grep north "$D/m" | head)"
expect_eq "its capacity, not up" "$(val iiot_north_queue_capacity) $(val iiot_north_up)" "1000 0"
grep -q '^# TYPE iiot_north_queue_depth gauge' "$D/m" && grep -q '^# TYPE iiot_north_stored_total counter' "$D/m" &&
	grep -q '^iiot_north_queue_dropped_total 0' "$D/m" && ok "depth a gauge; stored, dropped counters" ||
	fail "types" "$(grep 'north_\(queue\|stored\)' "$D/m")"

broker_start a || fail "mosquitto restarts"
for i in $(seq 60); do
	scrape
	[ "$(val iiot_north_up)" = 1 ] && [ "$(val iiot_north_queue_depth)" = 0 ] && break
	sleep 0.5
done
expect_eq "back: up, queue empty" "$(val iiot_north_up) $(val iiot_north_queue_depth)" "1 0"
[ "$(val iiot_north_replayed_total)" -gt 0 ] && ok "replayed: $(val iiot_north_replayed_total)" ||
	fail "replayed" "$(grep north "$D/m")"
echo "1..$_tap_n"
