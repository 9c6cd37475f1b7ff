#!/usr/bin/env bash
# Health scores at the end of every shared capture ("iiotctl health
# FILE"): the grade counts, and every device or link below 100 for a
# reason other than being offline, with its codes, as health.golden says
# (with the reason each is right).
. "$(dirname "$0")/../lib.sh"
command -v jq >/dev/null || skip_all "jq not installed"
golden=$IIOT_TOP/tests/diag/health.golden

n=0
for c in $(shared_pcaps); do
	f=${c##*/}
	got=$("$BIN/iiotctl" health --json "$c" 2>/dev/null | jq -r '
		("summary devices \(.summary.devices.good)/\(.summary.devices.check)/\(.summary.devices.fault) links \(.summary.links.good)/\(.summary.links.check)/\(.summary.links.fault)"),
		((.devices[] | select(.score < 100 and ([.reasons[].code] != ["offline"]))) | "device \(.id) \(.score) \([.reasons[].code] | join(","))"),
		((.links[] | select(.score < 100 and ([.reasons[].code] != ["offline"]))) | "link \(.id) \(.score) \([.reasons[].code] | join(","))")')
	want=$(grep -v '^#' "$golden" | awk -v f="$f" '$1 == f { $1 = ""; print substr($0, 2) }')
	expect_eq "$f: health as health.golden says" "$got" "$want"
	n=$((n + 1))
done
[ $n -gt 0 ] || skip "shared captures" "absent ($PCAPS)"

# the table names the reasons; a device key on a capture is refused
c=$(shared_pcaps | grep replay-dc || true)
if [ -n "$c" ]; then
	out=$("$BIN/iiotctl" health "$c")
	case $out in
	*"jitter p99"*"over half the"*"AL state INIT, not OP"*) ok "table shows the reasons" ;;
	*) fail "table shows the reasons" "$out" ;;
	esac
fi
# slaves named from the SII identity their master read (vendor 2, product
# 0x044C2C52: EK1100; 0x0B0C3052: EL2828, as tshark shows the words)
if [ -n "$c" ]; then
	case $out in
	*"10:10:10:10:10:10/0 (Beckhoff EK1100)"*"10:10:10:10:10:10/1 (Beckhoff EL2828)"*) ok "table names the slaves by their SII" ;;
	*) fail "table names the slaves by their SII" "$out" ;;
	esac
fi
c=$(shared_pcaps | grep ek1100-el1004 || true)
if [ -n "$c" ]; then
	# the coupler's vendor word is never read there: unnamed, not guessed
	expect_eq "a slave without its vendor word read stays unnamed" \
		"$("$BIN/iiotctl" health --json "$c" | jq -c '[.devices[] | select(.kind == "ecat-slave") | .product]')" \
		'[null,"Beckhoff EL1004"]'
fi
"$BIN/iiotctl" health --bogus >/dev/null 2>&1
expect_eq "an unknown option is a usage error" "$?" 2
echo "1..$_tap_n"
