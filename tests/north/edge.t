#!/usr/bin/env bash
# The Sparkplug B edge node against a real mosquitto, seen by a host
# (sptool) that decodes every payload with the same .proto: session
# establishment (NBIRTH first, seq 0, bdSeq, the Rebirth metric), births
# of the inventory's devices with aliases unique across the node, data by
# alias only and by exception, seq 0-255 without a gap, Rebirth answered
# with fresh births, writes refused and audited, a malformed command
# counted with one log line, DDEATH when the line goes silent, and NDEATH
# as the Will with the NBIRTH's bdSeq when iiotd dies.
. "$(dirname "$0")/lib_north.sh"
north_setup
broker_start a || { fail "mosquitto starts"; exit 0; }
sub_start a
S=$T/sub-a.jsonl
N='"spBv1.0/plant/NBIRTH/ipc1"'
north_conf "$T/iiotd.conf" "mqtt://127.0.0.1:$PORT_a" -- "devices = all"
sim_start
start_iiotd "$T/iiotd.conf" || { fail "iiotd starts"; exit 0; }

wait_for "births" 20 has "$S" '.topic | startswith("spBv1.0/plant/DBIRTH/ipc1/")' 6 ||
	fail "DBIRTHs" "$(tail -3 "$T/iiotd.log")"
wait_for "data" 20 has "$S" '.topic | startswith("spBv1.0/plant/DDATA/ipc1/")' 5
first=$(head -1 "$S")
expect_eq "tck-id-principles-birth-certificates-order, tck-id-topics-nbirth-seq-num: the first message is the NBIRTH, seq 0" \
	"$(echo "$first" | jq -r '"\(.topic) \(.seq)"')" "spBv1.0/plant/NBIRTH/ipc1 0"
expect_eq "tck-id-topics-nbirth-bdseq-included: NBIRTH carries bdSeq 0 (Int64), no alias" \
	"$(echo "$first" | jq -c '.metrics[] | select(.name == "bdSeq") | [.type, .value, .alias]')" "[4,0,null]"
expect_eq "tck-id-operational-behavior-data-commands-rebirth-name, -datatype, -value, -name-aliases: NBIRTH has Node Control/Rebirth, Boolean false, without an alias" \
	"$(echo "$first" | jq -c '.metrics[] | select(.name == "Node Control/Rebirth") | [.type, .value, .alias]')" \
	"[11,false,null]"
expect_eq "tck-id-topics-nbirth-mqtt, -dbirth-mqtt, -ndata-mqtt, -ddata-mqtt: every message but NDEATH QoS 0, not retained" \
	"$(jq -s '[.[] | select(.topic | test("/NDEATH/") | not) | select(.qos != 0 or .retain)] | length' "$S")" 0
expect_eq "tck-id-topics-nbirth-timestamp, tck-id-payloads-name-birth-data-requirement: a timestamp on every payload and on every metric of births and data" \
	"$(jq -s '[.[] | select(.metrics) | select(.timestamp == null or any(.metrics[]; .timestamp == null))] | length' "$S")" 0
expect_eq "tck-id-payloads-metric-datatype-req, tck-id-payloads-alias-birth-requirement: every metric of a birth has its datatype, and name and alias (bdSeq and Rebirth: no alias)" \
	"$(jq -s '[.[] | select(.topic | test("BIRTH")) | .metrics[] | select(.type == null or .name == null or
		(.alias == null and .name != "bdSeq" and .name != "Node Control/Rebirth"))] | length' "$S")" 0

# seq: every message but NDEATH, 0-255 in order, without a gap
gaps=$(jq -s '[.[] | select(.seq != null) | .seq] as $s |
	[range(1; $s | length) | select($s[.] != (($s[. - 1] + 1) % 256))] | length' "$S")
expect_eq "tck-id-payloads-sequence-num-always-included, -incrementing: seq increments by one per message (mod 256)" "$gaps" 0

# aliases: unique across the node and its devices; data use only those
dup=$(jq -s '[.[] | select(.topic | test("BIRTH")) | .metrics[] | select(.alias) |
	{a: .alias, n: .name}] | unique | group_by(.a) | map(select(length > 1)) | length' "$S")
expect_eq "tck-id-payloads-alias-uniqueness: every alias names one metric across NBIRTH and DBIRTHs" "$dup" 0
born=$(jq -s '[.[] | select(.topic | test("BIRTH")) | .metrics[] | .alias // empty] | unique' "$S")
bad=$(jq -s --argjson born "$born" '[.[] | select(.topic | test("DATA")) | .metrics[] |
	select(.name != null or ((.alias as $a | $born | index($a)) == null))] | length' "$S")
expect_eq "tck-id-payloads-alias-data-cmd-requirement: NDATA/DDATA metrics by an alias of a birth, without a name" "$bad" 0
sig=$(sel "$S" '.topic | test("DBIRTH")' | jq -r '.metrics[].name' | grep -c '^Signals/')
[ "$sig" -gt 0 ] && ok "signals are device metrics ($sig in the DBIRTHs)" || fail "signals in DBIRTH"
links=$(sel "$S" '.topic | test("DBIRTH")' | jq -r '.metrics[].name' | grep '^Links/')
[ -n "$links" ] && ok "link statistics are device metrics" || fail "link metrics"
expect_eq "each link's metrics are named Links/<FrameID 0x%04x|LAD 0x%08x>/<statistic>" \
	"$(echo "$links" | grep -Evc '^Links/(FrameID 0x[0-9a-f]{4}|LAD 0x[0-9a-f]{8})/(Frames|Period us|Jitter p99 us|Lost|WKC Errors)$')" 0
# each signal on the device its map names (pn:et200sp-4: press_state, press_count, press_reject)
d4=$(ctl device show --json et200sp-4 | jq -r .device.label)
expect_eq "a device's DBIRTH has its own signals, no other's" \
	"$(sel "$S" ".topic == \"spBv1.0/plant/DBIRTH/ipc1/$d4\"" | tail -1 | jq -r '[.metrics[].name | select(startswith("Signals/"))] | sort | join(" ")')" \
	"Signals/press_count Signals/press_reject Signals/press_state"
# report by exception: identity never changes, so it is never in a DDATA
idd=$(jq -s --argjson born "$(jq -s '[.[] | select(.topic | test("DBIRTH")) | .metrics[] |
	select(.name | startswith("Identity/")) | .alias]' "$S")" \
	'[.[] | select(.topic | test("DDATA")) | .metrics[] | select(.alias as $a | $born | index($a))] | length' "$S")
expect_eq "tck-id-topics-ddata-payload, tck-id-principles-rbe-recommended: unchanged metrics (identity) are not repeated in DDATA" "$idd" 0

# Node Control/Rebirth: fresh NBIRTH (same bdSeq, seq 0) and DBIRTHs
nb=$(sel "$S" ".topic == $N" | wc -l)
"$SPTOOL" cmd rebirth | mosquitto_pub -p "$PORT_a" -t spBv1.0/plant/NCMD/ipc1 -s
wait_for "rebirth" 10 has "$S" ".topic == $N" $((nb + 1)) && ok "tck-id-operational-behavior-data-commands-rebirth-action-2: Rebirth answered with an NBIRTH" ||
	fail "rebirth" "$(tail -3 "$T/iiotd.log")"
expect_eq "tck-id-operational-behavior-data-commands-rebirth-action-3: the rebirth keeps the session's bdSeq, seq 0" \
	"$(sel "$S" ".topic == $N" | tail -1 | jq -c '[.seq, (.metrics[] | select(.name == "bdSeq") | .value)]')" "[0,0]"
expect_eq "births repeat the aliases (tck-id-payloads-alias-uniqueness across rebirths)" "$(jq -s '[.[] | select(.topic | test("BIRTH")) | .metrics[] |
	select(.alias) | {a: .alias, n: .name}] | unique | group_by(.a) | map(select(length > 1)) | length' "$S")" 0

# writes are refused, audited; a malformed payload is counted, one line
"$SPTOOL" cmd write "Signals/temp_1" | mosquitto_pub -p "$PORT_a" -t spBv1.0/plant/NCMD/ipc1 -s
"$SPTOOL" cmd write "Online" | mosquitto_pub -p "$PORT_a" -t spBv1.0/plant/DCMD/ipc1/et200sp-1 -s
"$SPTOOL" cmd garbage | mosquitto_pub -p "$PORT_a" -t spBv1.0/plant/NCMD/ipc1 -s
wait_for "commands" 10 sh -c "[ \$($BIN/iiotctl stats --json | jq .north.commands) -ge 4 ]"
expect_eq "two writes refused, one payload bad" "$(nstat commands_refused) $(nstat commands_bad)" "2 1"
aud=$(ctl audit --state "$T/state" export | jq -c 'select(.action == "north.command" and .result == "fail")' | wc -l)
expect_eq "each refusal is in the audit log" "$aud" 2
expect_eq "the bad payload: one log line" "$(grep -c 'ignored: not a Sparkplug B payload' "$T/iiotd.log")" 1
kill -0 "$IIOTD_PID" && ok "iiotd runs on" || fail "iiotd runs on"

# the line stops: every device goes offline, each gets its DDEATH
ndev=$(sel "$S" '.topic | test("DBIRTH")' | jq -r .topic | sort -u | wc -l)
kill "$SIM_PID"
wait_for "DDEATH" 20 has "$S" '.topic | test("DDEATH")' "$ndev"
expect_eq "tck-id-operational-behavior-device-ddeath: a DDEATH for each device born, once the line is silent" \
	"$(sel "$S" '.topic | test("DDEATH")' | jq -r .topic | sed 's/DDEATH/DBIRTH/' | sort -u | wc -l) $(sel "$S" '.topic | test("DDEATH")' | wc -l)" "$ndev $ndev"
expect_eq "seq still without a gap since the last NBIRTH" "$(jq -s '. as $a | ($a | map(.topic == "spBv1.0/plant/NBIRTH/ipc1") | rindex(true)) as $b |
	[$a[$b:][] | select(.seq != null) | .seq] as $s | [range(1; $s | length) | select($s[.] != (($s[. - 1] + 1) % 256))] | length' "$S")" 0

# NDEATH: the broker publishes the Will when iiotd dies, with its bdSeq
kill -9 "$IIOTD_PID"; wait "$IIOTD_PID" 2>/dev/null
wait_for "NDEATH" 90 has "$S" '.topic == "spBv1.0/plant/NDEATH/ipc1"' &&
	ok "tck-id-message-flow-edge-node-birth-publish-will-message: NDEATH published as the Will" || fail "NDEATH Will"
expect_eq "tck-id-topics-ndeath-payload, -seq, tck-id-topics-nbirth-bdseq-matching: NDEATH: only bdSeq, the NBIRTH's, no seq" \
	"$(sel "$S" '.topic == "spBv1.0/plant/NDEATH/ipc1"' | tail -1 | jq -c '[.seq, (.metrics | length), (.metrics[] | select(.name == "bdSeq") | .value)]')" "[null,1,0]"
expect_eq "tck-id-message-flow-edge-node-birth-publish-will-message-qos, -will-retained: the Will is QoS 1, not retained" \
	"$(sel "$S" '.topic == "spBv1.0/plant/NDEATH/ipc1"' | tail -1 | jq -c '[.qos, .retain]')" "[1,false]"

# a new session takes the next bdSeq, kept in the state directory
start_iiotd "$T/iiotd.conf" || fail "iiotd restarts"
wait_for "second NBIRTH" 20 has "$S" ".topic == $N and (.metrics[] | select(.name == \"bdSeq\") | .value) == 1" &&
	ok "tck-id-topics-nbirth-bdseq-increment: the next session's NBIRTH has bdSeq 1" || fail "bdSeq 1" "$(sel "$S" ".topic == $N" | tail -1 | cut -c1-200)"
stop_iiotd
wait_for "clean NDEATH" 10 has "$S" '.topic == "spBv1.0/plant/NDEATH/ipc1" and (.metrics[] | .value) == 1' &&
	ok "tck-id-operational-behavior-edge-node-intentional-disconnect-ndeath: a clean stop publishes NDEATH with bdSeq 1" || fail "NDEATH on stop"
echo "1..$_tap_n"
