#!/usr/bin/env bash
# Device descriptions live (docs/descriptions.md): iiotd fed by the small
# cell, without a mapping file, is given iiot's own ENI of the cell; its
# PDO entries become signals with samples at once.  Viewers list and read
# but cannot import or remove; malformed XML, an entity bomb and an
# external entity are refused with their line and store nothing; ESI and
# GSDML import too; removing the ENI removes its signals; every change,
# allowed or refused, is in the audit log; descriptions.db is 0600.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib_api.sh"
[ -x "$BIN/iiot-sim" ] || skip_all "iiot-sim not built"
ring=iiot-apidesc$$
cleanup_push "rm -f /dev/shm/iiot/$ring /dev/shm/iiot/$ring.wake"
api_start "[capture]" "ring = $ring"
"$BIN/iiot-sim" "$IIOT_TOP/sim/scenarios/small-cell.conf" --ring "$ring" --duration 60 >"$D/sim.log" 2>&1 &
sim=$!
cleanup_push "kill $sim"
DESC=$IIOT_TOP/etc/descriptions

VW=(-H "Authorization: Bearer $(token vw viewer)")
EN=(-H "Authorization: Bearer $(token en engineer)")
AU=(-H "Authorization: Bearer $(token au auditor)")
body() {	# body FILE NAME > JSON of an import
	jq -Rs --arg f "$2" '{file: $f, xml: .}' "$1"
}
count() { sqlite3 "$D/descriptions.db" "SELECT count(*) FROM descriptions"; }

req "$D/none" GET /descriptions "" "${VW[@]}"
expect_eq "none at first" "$CODE $(jf '.descriptions | length')" "200 0"
body "$DESC/small-cell.eni.xml" small-cell.eni.xml >"$D/eni.json"
req "$D/none" POST /descriptions "@$D/eni.json" "${VW[@]}"
expect_eq "viewers cannot import" "$CODE" 403

printf '<EtherCATConfig>\n<Config>\n<Slave>\n</Config>\n' | body /dev/stdin bad.xml >"$D/bad.json"
req "$D/none" POST /descriptions "@$D/bad.json" "${EN[@]}"
expect_eq "malformed XML: 400 with its line" "$CODE $(jf .error)" \
	"400 line 4: malformed XML: Opening and ending tag mismatch: Slave line 3 and Config"
printf '<?xml version="1.0"?>\n<!DOCTYPE l [\n<!ENTITY a "aaaaaaaaaa">\n<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">\n<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">\n]>\n<EtherCATInfo><Vendor><Name>&c;</Name></Vendor></EtherCATInfo>\n' |
	body /dev/stdin bomb.xml >"$D/bomb.json"
req "$D/none" POST /descriptions "@$D/bomb.json" "${EN[@]}"
expect_eq "an entity bomb is refused" "$CODE $(jf .error)" \
	"400 line 2: a DOCTYPE is not allowed (no DTDs, no entities)"
printf '<?xml version="1.0"?>\n<!DOCTYPE x [ <!ENTITY e SYSTEM "file:///etc/passwd"> ]>\n<EtherCATInfo><Vendor><Name>&e;</Name></Vendor></EtherCATInfo>\n' |
	body /dev/stdin xxe.xml >"$D/xxe.json"
req "$D/none" POST /descriptions "@$D/xxe.json" "${EN[@]}"
expect_eq "an external entity is refused" "$CODE $(jf '.error | test("DOCTYPE")')" "400 true"
expect_eq "nothing refused was stored" "$(count)" 0

req "$D/none" POST /descriptions "@$D/eni.json" "${EN[@]}"
expect_eq "engineers import the cell's ENI" "$CODE $(jf '[.kind, .name, .devices, .imported_by] | join(" ")')" \
	"201 eni plc-ecat 8 token:en"
eni=$(jf .id)
for f in sim-terminals.esi.xml sim-et200sp.gsdml.xml; do
	body "$DESC/$f" "$f" >"$D/f.json"
	req "$D/none" POST /descriptions "@$D/f.json" "${EN[@]}"
	expect_eq "$f imports" "$CODE" 201
done
req "$D/none" GET /descriptions "" "${VW[@]}"
expect_eq "three listed, by kind" "$(jf '[.descriptions[].kind] | join(" ")')" "eni esi gsdml"
req "$D/none" GET "/descriptions/$eni" "" "${VW[@]}"
expect_eq "the ENI read back: slaves, the analog terminal's compact PDOs" \
	"$(jf '[.description.devices[5].name, (.description.devices[5].groups | length), .description.devices[5].groups[0].entries[0].name, .description.master] | join(" ")')" \
	"el3064-1 4 Value 00:1b:21:10:00:01"
req "$D/none" GET /descriptions/999 "" "${VW[@]}"
expect_eq "no such description" "$CODE" 404

sig=el3064-1.AI_Compact_Channel_1.Value
for i in $(seq 80); do
	req "$D/none" GET /signals "" "${VW[@]}"
	[ "$(jf ".signals[] | select(.name == \"$sig\") | .samples > 0")" = true ] && break
	sleep 0.25
done
# (the GSDML's signals of the simulator's connected stations are pn:)
expect_eq "the ENI's 44 PDO entries are signals" "$(jf '[.signals[] | select(.device | startswith("pn:") | not)] | length')" 44
expect_eq "$sig on the master's process data, with samples" \
	"$(jf ".signals[] | select(.name == \"$sig\") | [.device, .offset, .type, .samples > 0] | join(\" \")")" \
	"ecat:00:1b:21:10:00:01 65540 i16le true"

# the ENI's slaves are diag's expected topology: all eight on the wire
for i in $(seq 40); do
	req "$D/none" GET /diag "" "${VW[@]}"
	[ "$(jf '[.expected[] | select(.state == "present")] | length')" = 8 ] && break
	sleep 0.25
done
expect_eq "GET /diag: the ENI's slaves expected, in line order, all present" \
	"$(jf '[.expected[] | "\(.position):\(.name):\(.state)"] | join(" ")')" \
	"0:ek1100:present 1:el1008-1:present 2:el1008-2:present 3:el2008-1:present 4:el2008-2:present 5:el3064-1:present 6:el3064-2:present 7:el4004:present"
expect_eq "...each with the slave seen at its position" \
	"$(jf '[.expected[] | select(.seen.product_code == .product_code)] | length')" 8
req "$D/none" GET /topology "" "${VW[@]}"
expect_eq "the topology names the chain's nodes as the ENI does, none missing" \
	"$(jf '[.nodes[] | select(.expected) | select(.missing | not) | .expected] | join(" ")')" \
	"ek1100 el1008-1 el1008-2 el2008-1 el2008-2 el3064-1 el3064-2 el4004"

req "$D/none" DELETE "/descriptions/$eni" "" "${VW[@]}"
expect_eq "viewers cannot remove" "$CODE" 403
req "$D/none" DELETE "/descriptions/$eni" "" "${EN[@]}"
expect_eq "engineers remove it" "$CODE" 200
req "$D/none" DELETE "/descriptions/$eni" "" "${EN[@]}"
expect_eq "twice: not found" "$CODE" 404
for i in $(seq 40); do
	req "$D/none" GET /signals "" "${VW[@]}"
	[ "$(jf '[.signals[] | select(.device | startswith("pn:") | not)] | length')" = 0 ] && break
	sleep 0.25
done
expect_eq "its signals went with it" "$(jf '[.signals[] | select(.device | startswith("pn:") | not)] | length')" 0
req "$D/none" GET /diag "" "${VW[@]}"
expect_eq "...and its expected slaves" "$(jf '.expected | length')" 0

req "$D/none" GET "/audit?limit=200" "" "${AU[@]}"
a() { jf "[.entries[] | select(.action == \"$1\" and .result == \"$2\")] | length"; }
expect_eq "audit: imports ok, refused, denied" \
	"$(a 'POST /api/v1/descriptions' ok) $(a 'POST /api/v1/descriptions' fail) $(a 'POST /api/v1/descriptions' denied)" "3 3 1"
expect_eq "audit: a refusal keeps why" \
	"$(jf '[.entries[] | select(.action == "POST /api/v1/descriptions" and .result == "fail")][0].detail.error | test("line")')" true
expect_eq "audit: removals" \
	"$(a "DELETE /api/v1/descriptions/$eni" ok) $(a "DELETE /api/v1/descriptions/$eni" denied)" "1 1"
expect_eq "descriptions.db is 0600" "$(stat -c %a "$D/descriptions.db")" 600

# iiotctl description, through the control socket, audited under the Unix user
ctl() { "$BIN/iiotctl" description -s "$D/iiotd.sock" "$@"; }
printf '<EtherCATInfo>\n<Vendor>\n</EtherCATInfo>\n' >"$D/bad.xml"
out=$(ctl import "$D/bad.xml" 2>&1)
expect_eq "iiotctl refuses a bad file with its line, sends nothing" "$? $out" \
	"1 iiotctl: $D/bad.xml: line 3: malformed XML: Opening and ending tag mismatch: Vendor line 2 and EtherCATInfo"
out=$(ctl import "$DESC/small-cell.eni.xml")
expect_eq "iiotctl imports the ENI" "$? $(echo "$out" | awk 'NR == 2 { print $2, $3, $NF }')" "0 eni plc-ecat small-cell.eni.xml"
id=$(echo "$out" | awk 'NR == 2 { print $1 }')
expect_eq "iiotctl list has it" "$(ctl list | awk -v id="$id" '$1 == id { print $2 }')" eni
expect_eq "iiotctl show: the slaves and their PDO entries" \
	"$(ctl show "$id" | grep -c '^slave ') $(ctl show "$id" | grep -c 'bit .*INT .*Value')" "8 8"
expect_eq "iiotctl show --json" "$(ctl --json show "$id" | jq -r '.description.devices | length')" 8
ctl remove "$id" >/dev/null
expect_eq "iiotctl remove" "$? $(ctl --json list | jq length)" "0 2"
out=$(ctl remove "$id" 2>&1)
expect_eq "iiotctl remove again" "$? $out" "1 iiotctl: iiotd: no such description"
me=$(id -un)
expect_eq "audit: iiotctl's import, removal and refused removal under $me" \
	"$(sqlite3 "$D/audit.db" "SELECT group_concat(a, ',') FROM (SELECT action || ' ' || result AS a FROM audit WHERE user = '$me' AND action LIKE 'description.%' ORDER BY seq)")" \
	"description.import ok,description.remove ok,description.remove fail"
openapi_check
echo "1..$_tap_n"
