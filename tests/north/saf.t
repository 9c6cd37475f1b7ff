#!/usr/bin/env bash
# Store-and-forward across a broker restart: while mosquitto is down the
# edge node queues its data on disk; when it is back, a new session
# (bdSeq + 1, NBIRTH seq 0, DBIRTHs) is followed by every queued message,
# in order, by name, with is_historical set, and the queue empties (the
# replay once stuck after its first message: libmosquitto reports a QoS 0
# message written from inside mosquitto_publish).  A queue bounded to 5
# messages drops the oldest and counts them; an outage over 10 s raises
# ops.north.down, cleared when the session is back.
. "$(dirname "$0")/lib_north.sh"
north_setup
broker_start a || { fail "mosquitto starts"; exit 0; }
sub_start a
S=$T/sub-a.jsonl
north_conf "$T/iiotd.conf" "mqtt://127.0.0.1:$PORT_a" -- "devices = all" "scan = 500ms"
sim_start
start_iiotd "$T/iiotd.conf" || { fail "iiotd starts"; exit 0; }
wait_for "data" 20 has "$S" '.topic | test("DDATA")' 3 || fail "live DDATA"

broker_stop a
wait_for "down" 20 sh -c "[ \"\$($BIN/iiotctl stats --json | jq -r .north.session)\" = down ]" &&
	ok "the session ends with the broker" || fail "session down"
wait_for "queued" 20 sh -c "[ \$($BIN/iiotctl stats --json | jq .north.stored) -ge 20 ]" &&
	ok "data go to the queue while the broker is away: $(nstat stored) messages" ||
	fail "queued" "$(ctl stats --json | jq -c .north)"
# come back just after a failed attempt: the subscriber (100 ms) is
# listening before the edge node's next one (4 s and more)
e=$(nstat connect_errors)
wait_for "an attempt failed" 30 sh -c "[ \$($BIN/iiotctl stats --json | jq .north.connect_errors) -gt $e ]"
broker_start a || fail "mosquitto restarts"
wait_for "online" 30 sh -c "[ \"\$($BIN/iiotctl stats --json | jq -r .north.session)\" = online ]" ||
	fail "online again" "$(tail -3 "$T/iiotd.log")"
wait_for "replayed" 30 sh -c "[ \$($BIN/iiotctl stats --json | jq .north.queue_depth) -eq 0 ]" &&
	ok "the queue is replayed to the last message" || fail "queue drained" "$(ctl stats --json | jq -c .north)"
st=$(ctl stats --json | jq -c '.north | [.stored, .replayed, .replay_stale, .queue_dropped]')
expect_eq "nothing lost: every queued message replayed" \
	"$(echo "$st" | jq '.[0] == .[1] and .[2] == 0 and .[3] == 0')" true
wait_for "seen" 10 has "$S" '.metrics[0].historical' "$(nstat replayed)"
expect_eq "the host received each replayed message" \
	"$(sel "$S" '.metrics[0].historical' | wc -l)" "$(nstat replayed)"

# the second session: NBIRTH bdSeq 1, then its DBIRTHs, then the history
jq -s '. as $a | ($a | map(.topic == "spBv1.0/plant/NBIRTH/ipc1") | rindex(true)) as $b |
	$a[$b:]' "$S" >"$T/s2.json"
expect_eq "a new session: NBIRTH with bdSeq 1, seq 0" \
	"$(jq -c '.[0] | [.seq, (.metrics[] | select(.name == "bdSeq") | .value)]' "$T/s2.json")" "[0,1]"
expect_eq "seq without a gap through births, live and replayed data" \
	"$(jq '[.[] | .seq] as $s | [range(1; $s | length) | select($s[.] != (($s[. - 1] + 1) % 256))] | length' "$T/s2.json")" 0
expect_eq "historical data only for devices born in this session" \
	"$(jq '[.[] | select(.topic | test("DBIRTH")) | .topic | sub("DBIRTH"; "DDATA")] as $b |
	[.[] | select(.metrics[0].historical and (.topic | test("DDATA"))) | select(.topic as $t | $b | index($t) | not)] | length' "$T/s2.json")" 0
expect_eq "historical metrics by name, no alias, all flagged" \
	"$(jq '[.[] | select(.metrics[0].historical) | .metrics[] | select(.name == null or .alias != null or .historical != true)] | length' "$T/s2.json")" 0
expect_eq "replayed in the order they were queued (timestamps)" \
	"$(jq '[.[] | select(.metrics[0].historical) | .timestamp] | . == sort' "$T/s2.json")" true
before=$(jq -s '[.[] | select(.metrics[0].historical)] | .[0].timestamp' "$S")
down=$(jq -s '[.[] | select(.topic == "spBv1.0/plant/NBIRTH/ipc1")] | .[-1].timestamp' "$S")
[ "$before" -lt "$down" ] && ok "historical data carry the outage's timestamps" ||
	fail "historical timestamps" "$before >= $down"
stop_iiotd

# a bounded queue: 5 messages, the oldest dropped and counted
sed -e "s|^state_dir = .*|state_dir = $T/state2|" -e 's|^retry = .*|retry = 1s\nqueue_max = 5|' \
	"$T/iiotd.conf" >"$T/iiotd2.conf"
broker_stop a
export IIOTD_SOCK=$T/state2/iiotd.sock
start_iiotd "$T/iiotd2.conf" || { fail "iiotd starts"; exit 0; }
wait_for "dropped" 30 sh -c "[ \$($BIN/iiotctl stats --json | jq .north.queue_dropped) -ge 5 ]"
st=$(ctl stats --json | jq -c '.north | [.queue_depth, .queue_capacity, .stored - .queue_dropped]')
expect_eq "a full queue keeps queue_max messages, the oldest dropped and counted" "$st" "[5,5,5]"

# an outage that lasts is alerted, and cleared when the session is back
down() { ctl alerts --json | jq -c 'select(.rule == "ops.north.down")' | tail -1; }
wait_for "alert" 30 sh -c "$BIN/iiotctl alerts --json | grep -q ops.north.down" &&
	ok "the outage is alerted: $(down | jq -r .detail)" || fail "ops.north.down" "$(ctl alerts --json | tail -3)"
broker_start a || fail "mosquitto restarts"
wait_for "cleared" 30 sh -c "$BIN/iiotctl alerts --json | grep ops.north.down | grep -q cleared" &&
	ok "cleared when the session is back" || fail "ops.north.down cleared" "$(down)"
echo "1..$_tap_n"
