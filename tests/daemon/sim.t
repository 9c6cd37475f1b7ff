#!/usr/bin/env bash
# Inventory and link statistics from simulator captures match the
# scenario: device counts, EtherCAT identities, PROFINET station names,
# cycle periods; the faulty line shows its faults.
. "$(dirname "$0")/lib_daemon.sh"
daemon_setup
[ -x "$BIN/iiot-sim" ] || skip_all "iiot-sim not built"
scen=$IIOT_TOP/sim/scenarios/small-cell.conf

"$BIN/iiot-sim" "$scen" --out "$T/small.pcap" --duration 3 >/dev/null 2>&1 ||
	{ fail "iiot-sim writes small-cell"; exit 0; }
"$BIN/iiotctl" inventory --json "$T/small.pcap" >"$T/inv.json" ||
	{ fail "iiotctl inventory"; exit 0; }

count() { jq "[.devices[] | select(.kind == \"$1\")] | length" "$T/inv.json"; }
expect_eq "one EtherCAT master" "$(count ecat-master)" 1
expect_eq "eight EtherCAT slaves" "$(count ecat-slave)" 8
expect_eq "one PROFINET controller" "$(count pn-controller)" 1
expect_eq "four PROFINET devices" "$(count pn-device)" 4

# identities in ring order, as the scenario lists its slaves
want=$(awk '/^\[ethercat-slave/ {c=1} /^count/ && c {n=$3} /^product/ && c {p=$3}
	    /^$/ && c && p {for (i = 0; i < (n ? n : 1); i++) print p; c=0; n=0; p=""}' "$scen" | tr '\n' ' ')
got=$(jq -r '[.devices[] | select(.kind == "ecat-slave")] | sort_by(.ring_pos) | .[].product_code' "$T/inv.json" |
	while read -r p; do printf '0x%08x ' "$p"; done)
expect_eq "slave product codes in ring order" "$got" "$want"
expect_eq "every slave has vendor 2 (Beckhoff)" \
	"$(jq '[.devices[] | select(.kind == "ecat-slave" and .vendor_id == 2)] | length' "$T/inv.json")" 8
expect_eq "every slave reached OP" \
	"$(jq '[.devices[] | select(.kind == "ecat-slave" and .al_state == "OP")] | length' "$T/inv.json")" 8
expect_eq "slave serials" \
	"$(jq -c '[.devices[] | select(.kind == "ecat-slave")] | sort_by(.ring_pos) | map(.serial)' "$T/inv.json")" \
	'[1001,2001,2002,3001,3002,4001,4002,5001]'
expect_eq "station names" \
	"$(jq -r '[.devices[] | select(.kind == "pn-device") | .station_name] | sort | join(",")' "$T/inv.json")" \
	"et200sp-1,et200sp-2,et200sp-3,et200sp-4"
expect_eq "device IPs" \
	"$(jq -r '[.devices[] | select(.kind == "pn-device") | .ip] | sort | join(",")' "$T/inv.json")" \
	"192.168.0.11,192.168.0.12,192.168.0.13,192.168.0.14"
expect_eq "vendor/device id" \
	"$(jq -r '[.devices[] | select(.kind == "pn-device") | "\(.vendor_id):\(.device_id)"] | unique | join(",")' "$T/inv.json")" \
	"42:787"

# links: 1 ms EtherCAT, 2 ms PROFINET both ways, nothing lost
expect_eq "EtherCAT link period 1000 us" \
	"$(jq '[.links[] | select(.kind == "ecat")][0].period_us' "$T/inv.json")" 1000
expect_eq "eight PROFINET links at 2000 us" \
	"$(jq '[.links[] | select(.kind == "pn_rt" and .period_us == 2000)] | length' "$T/inv.json")" 8
expect_eq "no loss, no working counter errors on a healthy line" \
	"$(jq '[.links[] | .lost + (.wkc_errors // 0)] | add' "$T/inv.json")" 0
expect_eq "expected working counter seen" \
	"$(jq '[.links[] | select(.kind == "ecat")][0] | .wkc_expected == .wkc_last' "$T/inv.json")" true

faulty=$IIOT_TOP/sim/scenarios/faulty-line.conf
if [ -f "$faulty" ]; then
	if "$BIN/iiot-sim" "$faulty" --out "$T/faulty.pcap" --duration 5 >/dev/null 2>&1 &&
	   "$BIN/iiotctl" inventory --json "$T/faulty.pcap" >"$T/f.json"; then
		lost=$(jq '[.links[].lost] | add' "$T/f.json")
		[ "$lost" -gt 0 ] && ok "faulty line: lost frames counted ($lost)" ||
			fail "faulty line: lost frames counted" "lost=$lost"
		errs=$(jq '[.devices[].errors] | add' "$T/f.json")
		[ "$errs" -gt 0 ] && ok "faulty line: device errors counted ($errs)" ||
			fail "faulty line: device errors counted"
	else
		fail "faulty-line capture and inventory"
	fi
else
	skip "faulty line" "sim/scenarios/faulty-line.conf absent"
fi

# the large line: 1,040 devices behind 4 masters and 4 controllers
large=$IIOT_TOP/sim/scenarios/large-line.conf
if [ -f "$large" ] && "$BIN/iiot-sim" "$large" --out "$T/large.pcap" --duration 2 >/dev/null 2>&1; then
	expect_eq "large line: devices by kind" \
		"$("$BIN/iiotctl" inventory --json "$T/large.pcap" | jq -c '[.devices[].kind] | group_by(.) | map({(.[0]): length}) | add')" \
		'{"ecat-master":4,"ecat-slave":800,"pn-controller":4,"pn-device":240}'
else
	skip "large line" "scenario or capture unavailable"
fi
