#!/usr/bin/env bash
# The primary host and the broker list: the first broker is dead, so the
# edge node fails over to the next; there it waits for the primary host's
# STATE (no NBIRTH) and queues its data; STATE online brings the births
# and the queue; an older STATE is ignored; a newer offline one ends the
# session with an NDEATH and the edge node walks the list looking for its
# host; online again, a new session (a later bdSeq).  Devices are
# published once admitted (devices = admitted, the default).  The session
# is MQTT 5 here, 3.1.1 in the other tests.
. "$(dirname "$0")/lib_north.sh"
north_setup
broker_start a || { fail "mosquitto starts"; exit 0; }
sub_start a
S=$T/sub-a.jsonl
dead=$(free_port)
north_conf "$T/iiotd.conf" "mqtt://127.0.0.1:$dead" "mqtt://127.0.0.1:$PORT_a" -- \
	"primary_host = scada" "retry = 500ms" "protocol = 5"
sim_start
start_iiotd "$T/iiotd.conf" || { fail "iiotd starts"; exit 0; }
state() { mosquitto_pub -p "$PORT_a" -r -q 1 -t spBv1.0/STATE/scada -m "{\"online\":$1,\"timestamp\":$2}"; }
sess() { [ "$(nstat session)" = "$1" ]; }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

wait_for "waiting" 20 sess waiting && ok "multiple brokers: failed over from the dead broker to the next" ||
	fail "failover" "$(ctl stats --json | jq -c .north)"
expect_eq "connected to the second broker, after a failed attempt" \
	"$(nstat broker) $(( $(nstat connect_errors) > 0 ))" "mqtt://127.0.0.1:$PORT_a 1"
wait_for "queued" 10 sh -c "[ \$($BIN/iiotctl stats --json | jq .north.stored) -gt 0 ]"
expect_eq "tck-id-message-flow-edge-node-birth-publish-phid-wait, tck-id-operational-behavior-edge-node-birth-sequence-wait: no birth while the primary host is not online" "$(sel "$S" '.topic | test("BIRTH")' | wc -l)" 0
[ "$(nstat stored)" -gt 0 ] && ok "data queued while waiting for the host" || fail "queued while waiting"

t1=$(now_ms)
state true "$t1"
wait_for "NBIRTH" 10 has "$S" '.topic == "spBv1.0/plant/NBIRTH/ipc1"' && ok "tck-id-message-flow-edge-node-birth-publish-phid-wait-online: STATE online: NBIRTH" ||
	fail "NBIRTH after STATE" "$(tail -3 "$T/iiotd.log")"
bd=$(sel "$S" '.topic == "spBv1.0/plant/NBIRTH/ipc1"' | tail -1 | jq '.metrics[] | select(.name == "bdSeq") | .value')
wait_for "replayed" 10 has "$S" '.metrics[0].historical'
has "$S" '.metrics[0].historical' && ok "the queue follows the births" || fail "replay after STATE"
sleep 1
expect_eq "devices = admitted: no DBIRTH before one is admitted" "$(sel "$S" '.topic | test("DBIRTH")' | wc -l)" 0
ctl device lifecycle et200sp-1 pending >/dev/null && ctl device lifecycle et200sp-1 commissioned >/dev/null ||
	fail "lifecycle" "$(ctl devices --json | jq -c '.devices[] | [.id, .label]' | head -3)"
dev=$(ctl device show --json et200sp-1 | jq -r .device.label)
wait_for "DBIRTH" 10 has "$S" ".topic == \"spBv1.0/plant/DBIRTH/ipc1/$dev\"" &&
	ok "a commissioned device is born (et200sp-1, $dev)" || fail "admitted DBIRTH"
expect_eq "only it" "$(sel "$S" '.topic | test("DBIRTH")' | jq -r .topic | sort -u)" "spBv1.0/plant/DBIRTH/ipc1/$dev"
expect_eq "its station name is a metric" "$(sel "$S" '.topic | test("DBIRTH")' | tail -1 |
	jq -r '.metrics[] | select(.name == "Identity/Station Name") | .value')" et200sp-1

# an older STATE is stale: nothing happens
state false $((t1 - 1000))
sleep 1
expect_eq "an older STATE offline is ignored" "$(nstat session) $(nstat host_offline)" "online 0"

state false $((t1 + 1000))
wait_for "NDEATH" 10 has "$S" '.topic == "spBv1.0/plant/NDEATH/ipc1"' &&
	ok "tck-id-message-flow-edge-node-birth-publish-phid-offline: STATE offline: NDEATH" || fail "NDEATH on host offline"
expect_eq "the NDEATH's bdSeq is the session's" \
	"$(sel "$S" '.topic == "spBv1.0/plant/NDEATH/ipc1"' | tail -1 | jq '.metrics[] | select(.name == "bdSeq") | .value')" "$bd"
# the host is away on every broker: the edge node walks the list, each
# attempt later than the last, and publishes no birth meanwhile
wait_for "walking" 20 sh -c "[ \$($BIN/iiotctl stats --json | jq .north.connects) -ge 3 ]" &&
	ok "tck-id-operational-behavior-primary-application-state-with-multiple-servers-walk: then walks the broker list while the host is away" ||
	fail "walks" "$(ctl stats --json | jq -c .north)"
nb=$(sel "$S" '.topic == "spBv1.0/plant/NBIRTH/ipc1"' | wc -l)
expect_eq "no birth meanwhile" "$nb" 1
state true $((t1 + 2000))
wait_for "NBIRTH again" 60 has "$S" '.topic == "spBv1.0/plant/NBIRTH/ipc1"' $((nb + 1)) &&
	ok "online again: a new session" || fail "new session"
bd2=$(sel "$S" '.topic == "spBv1.0/plant/NBIRTH/ipc1"' | tail -1 | jq '.metrics[] | select(.name == "bdSeq") | .value')
[ "$bd2" -gt "$bd" ] && ok "with a later bdSeq ($bd then $bd2)" || fail "bdSeq grows" "$bd then $bd2"
grep -q 'as plant-ipc1 (p5' "$T/a.log" && ok "the broker saw an MQTT 5 client" ||
	fail "MQTT 5" "$(grep 'New client' "$T/a.log" | tail -2)"
echo "1..$_tap_n"
