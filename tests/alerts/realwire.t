#!/usr/bin/env bash
# The PROFINET rules on captures with a real line's timing and tagging
# (tests/alerts/craft_realwire.py; issue 13: "as the attacks appear on real
# wires, VLAN-tagged, with real timing"), each untagged and priority-tagged
# (VID 0, RT priority 6, ARP untagged) as Siemens lines send them:
# - an IO controller polling its 20 lost devices' names once a second is
#   no Identify flood, with or without a baseline (regression: it raised
#   pn.dcp.identify_flood and pn.dcp.rate_above_baseline); the same
#   requests from a stranger are;
# - a DCP Set the device refuses with a BlockError attacks nothing: an AR
#   lost 3 s later is no pn.ar.lost_after_attack (regression);
# - a device's answer 300 ms after the Set, cyclic frames between, is
#   joined to it; an Identify answered after a 640 ms ResponseDelay still
#   shows the name responder within 1 s.
. "$(dirname "$0")/../lib.sh"
command -v jq >/dev/null || skip_all "jq not installed"
work=$(mktemp -d)
cleanup_push "rm -rf $work"

# rules FILE [ARGS]: "rule/severity/note" of each alert, sorted, one line
rules() {
	"$BIN/iiotctl" alerts "${@:2}" "$1" | jq -r '[.rule, .severity, .note // empty] | join("/")' |
		sort | tr '\n' ' '
}

for tag in "" --tagged; do
	w=$work/${tag:-plain}
	python3 "$IIOT_TOP/tests/alerts/craft_realwire.py" "$w" $tag || { fail "craft_realwire.py $tag"; continue; }
	t=${tag:+ (tagged)}
	expect_eq "a controller polling its lost devices' names raises nothing$t" "$(rules $w/polling.pcap)" ""
	expect_eq "...nor against a learned baseline$t" "$(rules $w/polling.pcap --learn 1)" ""
	expect_eq "the same Identify requests from a stranger are a flood$t" \
		"$(rules $w/scan_by_name.pcap)" "pn.dcp.identify_flood/warning "
	expect_eq "a refused DCP Set, then an AR lost: no attack succeeded$t" \
		"$(rules $w/set_refused_then_loss.pcap)" \
		"pn.dcp.set_from_stranger/critical/refused by the device (block error 3) "
	expect_eq "a DCP Set answered 300 ms later is joined to its answer$t" \
		"$(rules $w/set_answered_late.pcap)" "pn.dcp.set_from_stranger/critical/accepted by the device "
	mark=$(awk '$1 == "name_responder_delayed" { print $2 }' $w/expect.txt)
	first=$("$BIN/iiotctl" alerts $w/name_responder_delayed.pcap | jq -s '[.[] | select(.rule == "pn.dcp.duplicate_name") | .frames[0]] | min')
	expect_eq "a name responder before a device answering after its ResponseDelay$t" "$first" "$mark"
done
echo "1..$_tap_n"
