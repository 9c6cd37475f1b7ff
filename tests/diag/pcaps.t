#!/usr/bin/env bash
# No false diagnosis: every shared capture gives exactly the findings
# listed, with reasons, in pcaps.golden.
. "$(dirname "$0")/../lib.sh"
command -v jq >/dev/null || skip_all "jq not installed"
golden=$IIOT_TOP/tests/diag/pcaps.golden

n=0
for c in $(shared_pcaps); do
	f=${c##*/}
	got=$("$BIN/iiotctl" diagnose "$c" 2>/dev/null |
		jq -r '[.frame, .rule, .state, (.station // "-"), (.detail | split(" ")[0])] | map(tostring) | join(" ")')
	want=$(grep -v '^#' "$golden" | awk -v f="$f" '$1 == f { print $2, $3, $4, $5, $6 }')
	expect_eq "$f gives what pcaps.golden says" "$got" "$want"
	n=$((n + 1))
done
[ $n -gt 0 ] || skip "shared captures" "absent ($PCAPS)"

# the process data each slave exchanges, from the sync manager and FMMU
# writes its master made (FPWR 0x0800 and 0x0600, confirmed): the EL2828
# has 8 digital outputs (1 byte), the EL2889 16 (2 bytes), mapped one
# after the other from logical address 0; the EK1100 coupler none
c=$(shared_pcaps | grep replay-dc || true)
if [ -n "$c" ]; then
	expect_eq "slaves' process data from their SM and FMMU configuration" \
		"$("$BIN/iiotctl" inventory --json "$c" | jq -c '[.devices[] | select(.kind == "ecat-slave") | [.product, .pd_inputs, .pd_outputs, .pd_out_lad]]')" \
		'[["Beckhoff EK1100",null,null,null],["Beckhoff EL2828",0,1,0],["Beckhoff EL2889",0,2,2]]'
fi
echo "1..$_tap_n"
