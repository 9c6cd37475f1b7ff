#!/usr/bin/env bash
# GET /topology against a real iiotd fed by the line simulator's small
# cell: every device a node, the EtherCAT chain in ring order, the
# PROFINET line from LLDP (controller, the switch LLDP alone names, the
# devices port-002 to port-001), health on nodes, the response as
# docs/openapi.yaml says.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib_api.sh"
[ -x "$BIN/iiot-sim" ] || skip_all "iiot-sim not built"
ring=iiot-apitopo$$
cleanup_push "rm -f /dev/shm/iiot/$ring /dev/shm/iiot/$ring.wake"
api_start "[capture]" "ring = $ring"
"$BIN/iiot-sim" "$IIOT_TOP/sim/scenarios/small-cell.conf" --ring "$ring" >"$D/sim.log" 2>&1 &
cleanup_push "kill $!"
T=(-H "Authorization: Bearer $(token t viewer)")

for i in $(seq 60); do
	req "$D/none" GET /topology "" "${T[@]}"
	[ "$(jf '[.nodes[] | select(.device)] | length')" -ge 14 ] 2>/dev/null &&
	[ "$(jf '[.links[] | select(.kind == "lldp")] | length')" -ge 6 ] 2>/dev/null && break
	sleep 0.5
done
expect_eq "200 for a viewer" "$CODE" 200
cp "$D/out" "$D/topo"
req "$D/none" GET "/devices?limit=1000" "" "${T[@]}"
expect_eq "every device is a node" \
	"$(jq -c '[.nodes[] | select(.device) | .device] | sort' "$D/topo")" \
	"$(jq -c '[.devices[].id] | sort' "$D/out")"
# the PROFINET devices in MAC order, as the scenario chains them
mapfile -t pnd < <(jq -r '[.devices[] | select(.kind == "pn-device")] | sort_by(.mac)[].label' "$D/out")
cp "$D/topo" "$D/out"

# EtherCAT: master -> slave 0 port 0, slave i port 1 -> slave i+1 port 0
chain=$(jq -r '
	(.nodes | map({key: .key, value: .}) | from_entries) as $n |
	[.links[] | select(.kind == "ecat") |
	 "\($n[.a].ring_pos // "m"):\(.a_port)-\($n[.b].ring_pos):\(.b_port)"] | join(" ")' "$D/out")
n=$(jf '[.nodes[] | select(.kind == "ecat-slave")] | length')
want="m:0-0:0"
for i in $(seq 1 $((n - 1))); do want+=" $((i - 1)):1-$i:0"; done
expect_eq "the EtherCAT chain of $n slaves in ring order with ports" "$chain" "$want"

# PROFINET: the switch only LLDP knows, then the line
expect_eq "the switch LLDP names is a node" \
	"$(jf '[.nodes[] | select(.key == "lldp:sw-plc-pn")][0] | "\(.kind) \(.label) \(.online)"')" \
	"switch sw-plc-pn true"
lldp=$(jq -r '
	(.nodes | map({key: .key, value: .label}) | from_entries) as $n |
	[.links[] | select(.kind == "lldp") | "\($n[.a] // .a)/\(.a_port)=\($n[.b] // .b)/\(.b_port)"] |
	sort | join(" ")' "$D/out")
pnc=$(jf '[.nodes[] | select(.kind == "pn-controller")][0].label')
echo "# $lldp"
check "controller to switch" grep -q "$pnc/port-001=sw-plc-pn/port-001\|sw-plc-pn/port-001=$pnc/port-001" <<<"$lldp"
check "switch to the first device" grep -q "${pnd[0]}/port-001=sw-plc-pn/port-002" <<<"$lldp"
for i in $(seq 1 $((${#pnd[@]} - 1))); do
	check "device $i to $((i + 1)), port-002 to port-001" \
		grep -q "${pnd[$((i - 1))]}/port-002=${pnd[$i]}/port-001" <<<"$lldp"
done
expect_eq "every PROFINET device on a cable" \
	"$(jq '[.nodes[] | select(.kind == "pn-device") | .key] as $k |
	       [.links[] | select(.kind == "lldp") | .a, .b] as $e | $k - $e | length' "$D/out")" 0
expect_eq "cables up, nodes with health" \
	"$(jf '[.links[].state] | unique | join(",")') $(jf '[.nodes[] | select(.device) | has("health")] | all')" \
	"up true"

req "$D/none" GET /topology
expect_eq "anonymous: 401" "$CODE" 401

openapi_check
echo "1..$_tap_n"
