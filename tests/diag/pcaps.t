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
echo "1..$_tap_n"
