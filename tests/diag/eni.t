#!/usr/bin/env bash
# Expected slaves (docs/diagnostics.md): the simulated small cell against
# iiot's own ENI of it (etc/descriptions/small-cell.eni.xml), with
# el3064-2 dropping out from 2 s to 4 s, gives the findings eni.golden
# lists: missing by its ENI name while it is gone, cleared when it is
# back.  Variants of the ENI give an unexpected identity at a position,
# a slave the line lacks, and a slave beyond the ENI's line.  Without
# -e, no such finding (iiotctl diagnose is iiotd's diag, offline).
. "$(dirname "$0")/../lib.sh"
command -v jq >/dev/null || skip_all "jq not installed"
command -v python3 >/dev/null || skip_all "python3 not installed"
work=$(mktemp -d)
cleanup_push "rm -rf $work"
eni=$IIOT_TOP/etc/descriptions/small-cell.eni.xml
golden=$IIOT_TOP/tests/diag/eni.golden

cp "$IIOT_TOP/sim/scenarios/small-cell.conf" "$work/cell.conf"
printf '\n[fault]\nkind = slave-drop\ntarget = el3064-2\nat = 2s\nduration = 2s\n' >>"$work/cell.conf"
"$BIN/iiot-sim" "$work/cell.conf" --out "$work/cell.pcap" --duration 6 >/dev/null 2>&1 ||
	fail "iiot-sim small cell with a slave dropping out"

# odd: el4004's product is the EL3064's; more: a ninth slave el9011 at
# station 0x1009; less: the ENI ends before el4004
python3 - "$eni" "$work" <<'PY'
import re, sys
s = open(sys.argv[1]).read()
w = sys.argv[2]
last = list(re.finditer(r'    <Slave>.*?</Slave>\n', s, re.S))[-1]
nine = last.group(0).replace('<Name>el4004</Name>', '<Name>el9011</Name>') \
	.replace('<PhysAddr>4104</PhysAddr>', '<PhysAddr>4105</PhysAddr>')
open(w + '/odd.xml', 'w').write(s.replace('262418514', '200814674'))
open(w + '/more.xml', 'w').write(s[:last.end()] + nine + s[last.end():])
open(w + '/less.xml', 'w').write(s[:last.start()] + s[last.end():])
PY

for v in cell odd more less; do
	e=$eni
	[ $v = cell ] || e=$work/$v.xml
	got=$("$BIN/iiotctl" diagnose -e "$e" "$work/cell.pcap" |
		jq -r 'select(.rule | test("^ecat.slave.(missing|unexpected)$")) |
		       [.rule, .state, .device, .detail] | join(" | ")')
	want=$(grep -v '^#' "$golden" | awk -v v="$v" '$1 == v { sub(/^[^ ]+ /, ""); print }')
	expect_eq "the $v ENI gives what eni.golden says" "$got" "$want"
done

got=$("$BIN/iiotctl" diagnose "$work/cell.pcap" | jq -r 'select(.rule | test("missing|unexpected")) | .rule')
expect_eq "without an ENI nothing is expected" "$got" ""
out=$("$BIN/iiotctl" diagnose -e "$IIOT_TOP/etc/descriptions/sim-terminals.esi.xml" "$work/cell.pcap" 2>&1)
expect_eq "an ESI is no ENI" "$? $out" \
	"1 iiotctl diagnose: $IIOT_TOP/etc/descriptions/sim-terminals.esi.xml: not an ENI (esi)"
echo "1..$_tap_n"
