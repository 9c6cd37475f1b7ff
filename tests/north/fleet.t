#!/usr/bin/env bash
# Fleet (platform) mode: three edge iiotd instances, each on its own
# simulated line, publish to one real mosquitto; a platform iiotd, the
# Sparkplug host application "fleet", keeps the fleet inventory and stores
# every metric in a real PostgreSQL the test starts itself.  The edges
# wait for the platform's STATE before their births; the fleet API lists
# the three sites, their IPCs and devices; a message out of seq order
# makes the platform ask that edge for a Rebirth.  Then the broker stops
# for 20 s while the edges keep capturing into their store-and-forward
# queues, and comes back: the platform ends with every sample the broker
# delivered (a second subscriber, sptool, is the oracle: the same set of
# (site, IPC, device, metric, timestamp) rows), none twice (the key
# makes a replay a no-op), and the edges lost nothing (stored = replayed).
. "$(dirname "$0")/lib_fleet.sh"
. "$(dirname "$0")/../api/lib_api.sh"
north_setup
pg_start || { fail "PostgreSQL starts"; exit 0; }
ok "PostgreSQL up on $T/pgsock (initdb + pg_ctl)"
broker_start a || { fail "mosquitto starts"; exit 0; }
sub_start a
S=$T/sub-a.jsonl
# a database of the first schema (one table keyed by the four names):
# the platform moves its rows into fleet_points on its first connection
psqlq "CREATE TABLE fleet_metrics (grp text NOT NULL, edge text NOT NULL,
	device text NOT NULL, metric text NOT NULL, ts timestamptz NOT NULL,
	value double precision, text_value text, historical boolean NOT NULL,
	PRIMARY KEY (grp, edge, device, metric, ts)) PARTITION BY RANGE (ts);
	CREATE TABLE fleet_metrics_p20260101 PARTITION OF fleet_metrics
	FOR VALUES FROM ('2026-01-01+00') TO ('2026-01-02+00');
	INSERT INTO fleet_metrics VALUES
	('old', 'ipc0', 'dev 1', 'Temp', '2026-01-01 10:00:00.123+00', 21.5, NULL, false),
	('old', 'ipc0', '', 'Name', '2026-01-01 10:00:00.123+00', NULL, 'a b', true)"

api_start "[capture]" "ring = $RING_PREFIX-p" "[fleet]" "broker = mqtt://127.0.0.1:$PORT_a" \
	"host_id = fleet" "postgres = $PGCONN" "flush = 100ms" "retry = 500ms" "rebirth_interval = 1s"
P=(-H "Authorization: Bearer $(token fleet viewer)")
pstat() { IIOTD_SOCK=$D/iiotd.sock "$BIN/iiotctl" stats --json | jq -r ".fleet.$1"; }
api() { curl -sk "${P[@]}" "$URL/api/v1/$1"; }
wait_for "platform" 30 has "$S" '.topic == "spBv1.0/STATE/fleet" and .state.online == true' &&
	ok "the platform's STATE is online (retained)" || fail "STATE online" "$(tail -5 "$D/iiotd.log")"
expect_eq "its table is partitioned by day, made ahead" \
	"$(psqlq "SELECT count(*) >= 3 FROM pg_inherits WHERE inhparent = 'fleet_points'::regclass")" t
t_old=$(( $(date -ud '2026-01-01 10:00:00' +%s) * 1000 + 123 ))
expect_eq "the old schema's rows moved over, read through the view fleet_metrics" \
	"$(psqlq "SELECT string_agg(concat_ws('|', grp, edge, device, metric,
		(extract(epoch FROM ts) * 1000)::bigint, value, text_value, historical), ';'
		ORDER BY metric) FROM fleet_metrics WHERE grp = 'old'")" \
	"old|ipc0||Name|$t_old|a b|t;old|ipc0|dev 1|Temp|$t_old|21.5|f"
expect_eq "fleet_metrics is the view now, the old table gone" \
	"$(psqlq "SELECT relkind::text || (to_regclass('fleet_metrics_v1') IS NULL)::text FROM pg_class WHERE relname = 'fleet_metrics'")" vtrue
psqlq "DELETE FROM fleet_points WHERE series IN (SELECT id FROM fleet_series WHERE grp = 'old')"

i=0
for scen in small-cell degrading-line dc-drift; do
	i=$((i + 1))
	edge_start $i $scen "primary_host = fleet" "devices = all" "scan = 500ms" \
		"replay_rate = 2000" || fail "edge $i starts"
done
sites() { api fleet/sites | jq -c '[.sites[] | select(.nodes_online == 1 and .devices > 0) | .group] | sort'; }
devs() { api "fleet/sites/$1/nodes/$2/devices" | jq '[.devices[] | select(.online)] | length'; }
is() { [ "$("${@:2}")" = "$1" ]; }
atleast() { [ "$("${@:2}")" -ge "$1" ]; }
wait_for "sites" 60 is '["site1","site2","site3"]' sites
expect_eq "GET /fleet/sites: the three sites, each with its IPC online and devices" "$(sites)" '["site1","site2","site3"]'
for i in 1 2 3; do
	born=$(sel "$S" ".topic | startswith(\"spBv1.0/site$i/DBIRTH/ipc$i/\")" | jq -r .topic | sort -u | wc -l)
	expect_eq "site$i: GET /fleet/sites/site$i/nodes lists ipc$i online" \
		"$(api fleet/sites/site$i/nodes | jq -c '[.nodes[] | [.id, .online]]')" "[[\"site$i:ipc$i\",true]]"
	wait_for "devices" 10 atleast "$born" devs site$i ipc$i
	expect_eq "GET /fleet/sites/site$i/nodes/ipc$i/devices has each device born ($born)" \
		"$(devs site$i ipc$i)" "$born"
done
expect_eq "a device's identity from its DBIRTH" \
	"$(api fleet/sites/site1/nodes/ipc1/devices | jq -r '[.devices[] | .kind] | map(select(. != "")) | length > 0')" true
expect_eq "an unknown site is 404" "$(curl -sk -o /dev/null -w '%{http_code}' "${P[@]}" "$URL/api/v1/fleet/sites/nowhere/nodes")" 404
hrows() { api 'fleet/sites/site2/nodes/ipc2/metrics?metric=Capture/Frames' | jq '.rows | length'; }
wait_for "history" 20 atleast 2 hrows &&
	ok "GET /fleet/sites/site2/nodes/ipc2/metrics?metric=Capture/Frames: its history from PostgreSQL" ||
	fail "history" "$(api 'fleet/sites/site2/nodes/ipc2/metrics?metric=Capture/Frames')"

# a message out of order: the platform asks that node for a Rebirth
b=$(sel "$S" '.topic == "spBv1.0/site1/NBIRTH/ipc1"' | wc -l)
"$SPTOOL" cmd write Test/Gap | mosquitto_pub -p "$PORT_a" -t spBv1.0/site1/NDATA/ipc1 -s
wait_for "rebirth" 20 has "$S" '.topic == "spBv1.0/site1/NBIRTH/ipc1"' $((b + 1)) &&
	ok "a seq gap: the platform asked for a Rebirth, ipc1 was born again" ||
	fail "rebirth on a gap" "$(IIOTD_SOCK=$D/iiotd.sock $BIN/iiotctl stats --json | jq -c .fleet)"
expect_eq "counted: seq_gaps, rebirths" "$(( $(pstat seq_gaps) >= 1 && $(pstat rebirths) >= 1 ))" 1

eq2() { echo "$(estat "$1" session) $(estat "$1" queue_depth)"; }
# a payload that is not Sparkplug B: counted, one log line, nothing stored
"$SPTOOL" cmd garbage | mosquitto_pub -p "$PORT_a" -t spBv1.0/site2/NDATA/ipc2 -s
wait_for "bad" 10 atleast 1 pstat bad && ok "a malformed payload is counted (bad)" || fail "bad payload counted"
expect_eq "and logged once" "$(grep -c 'spBv1.0/site2/NDATA/ipc2: not a Sparkplug B payload' "$D/iiotd.log")" 1

# the outage: the broker away for 20 s, the edges capturing on
broker_stop a
for i in 1 2 3; do
	wait_for "queued" 30 atleast 10 estat $i stored ||
		fail "edge $i queues" "$(ectl $i stats --json | jq -c .north)"
done
sleep 20
broker_start a || fail "mosquitto restarts"
for i in 1 2 3; do
	wait_for "replayed" 120 is 'online 0' eq2 $i ||
		fail "edge $i replays" "$(ectl $i stats --json | jq -c .north)"
	expect_eq "ipc$i: nothing lost at the edge (stored = replayed, nothing dropped)" \
		"$(ectl $i stats --json | jq '.north | .stored > 0 and .stored == .replayed and .queue_dropped == 0 and .replay_stale == 0')" true
done
# the lines stop: what is published from now on is the last of it
for i in 1 2 3; do v=SIM_$i; kill "${!v}"; done
sleep 3
quiet() { [ "$(pstat rows_pending)" = 0 ] && [ "$(pstat rows)" = "$1" ]; }
for t in $(seq 60); do
	r=$(pstat rows); sleep 1
	quiet "$r" && break
done
expect_eq "the platform has written everything it received" "$(pstat rows_pending) $(pstat rows_dropped) $(pstat rows_bad)" "0 0 0"

# the oracle: every row the subscriber received, names from the births
python3 - "$S" >"$T/want.txt" <<'PY'
import json, sys
alias = {}
rows = set()
for line in open(sys.argv[1]):
    m = json.loads(line)
    t = m["topic"].split("/")
    if len(t) < 4 or t[1] == "STATE" or t[2] in ("NDEATH", "DDEATH", "NCMD", "DCMD"):
        continue
    g, typ, e = t[1], t[2], t[3]
    d = t[4] if len(t) > 4 else ""
    for x in m.get("metrics", []):
        name = x.get("name")
        if typ.endswith("BIRTH") and name is not None and "alias" in x:
            alias[(g, e, x["alias"])] = name
        if name is None:
            name = alias.get((g, e, x.get("alias")))
        if name is None:
            print("unresolved", g, e, x, file=sys.stderr)
            continue
        rows.add("|".join([g, e, d, name, str(x.get("timestamp", m.get("timestamp")))]))
for r in sorted(rows):
    print(r)
PY
psqlq "SELECT grp || '|' || edge || '|' || device || '|' || metric || '|' ||
	(extract(epoch FROM ts) * 1000)::bigint FROM fleet_metrics" | sort >"$T/got.txt"
want=$(wc -l <"$T/want.txt")
hist=$(psqlq "SELECT count(*) FROM fleet_metrics WHERE historical")
[ "$want" -gt 1000 ] && [ "$hist" -gt 0 ] && ok "$want rows delivered, $hist of them replayed (is_historical)" ||
	fail "rows" "want $want, historical $hist"
expect_eq "no gap: every row the broker delivered is in PostgreSQL" \
	"$(comm -23 "$T/want.txt" "$T/got.txt" | head -3)" ""
expect_eq "and nothing else" "$(comm -13 "$T/want.txt" "$T/got.txt" | head -3)" ""
expect_eq "no duplicate: one row per (edge, device, metric, timestamp)" \
	"$(psqlq "SELECT count(*) - count(DISTINCT (grp, edge, device, metric, ts)) FROM fleet_metrics")" 0
psqlq "SELECT grp, metric, count(*) FROM fleet_metrics WHERE device = '' GROUP BY 1, 2 ORDER BY 1, 2" |
	grep 'Capture/Frames' | sed 's/^/# rows per metric: /'
echo "# platform: $(IIOTD_SOCK=$D/iiotd.sock $BIN/iiotctl stats --json | jq -c '.fleet | {messages, rows, rows_stored, rows_dup, batches, batches_slow, seq_gaps, rebirths, unborn}')"

for i in 1 2 3; do v=EDGE_$i; kill "${!v}"; wait "${!v}" 2>/dev/null; done
api_stop
expect_eq "a clean stop says STATE offline (retained)" \
	"$(sel "$S" '.topic == "spBv1.0/STATE/fleet"' | tail -1 | jq -c .state.online)" false
pg_stop
echo "1..$_tap_n"
