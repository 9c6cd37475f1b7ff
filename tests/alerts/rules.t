#!/usr/bin/env bash
# Each IDS rule on a crafted capture (tests/alerts/craft.py): the attack
# raises its rule, at its first attack frame or, for rate rules, within
# 1 s of it; the same line without the attack raises nothing.
. "$(dirname "$0")/../lib.sh"
command -v jq >/dev/null || skip_all "jq not installed"
work=$(mktemp -d)
cleanup_push "rm -rf $work"
python3 "$IIOT_TOP/tests/alerts/craft.py" "$work" || { fail "craft.py"; exit 0; }

out=$("$BIN/iiotctl" alerts "$work/clean.pcap")
expect_eq "a clean line raises nothing" "$out" ""

while read -r name rule mark; do
	out=$("$BIN/iiotctl" alerts "$work/$name.pcap") || { fail "$name: iiotctl failed"; continue; }
	line=$(echo "$out" | jq -c --arg r "$rule" 'select(.rule == $r)' | head -1)
	if [ -z "$line" ]; then
		fail "$name raises $rule" "$out"
		continue
	fi
	first=$(echo "$line" | jq '.frames[0]')
	ts=$(echo "$line" | jq '.ts_ns')
	t0=$("$BIN/iiotctl" decode "$work/$name.pcap" | sed -n "${mark}p" | jq '.ts_ns')
	# an AR is lost once its watchdog (ar_timeout, 1 s) has run out
	late=1000000000
	[ "$rule" = pn.ar.lost_after_attack ] && late=1200000000
	if [ "$first" -ge "$mark" ] && [ $((ts - t0)) -lt $late ]; then
		ok "$name raises $rule at frame $first (attack from $mark)"
	else
		fail "$name raises $rule in time" "first frame $first, attack $mark, $(((ts - t0) / 1000000)) ms late"
	fi
done <"$work/expect.txt"

# the device's answer is joined to the Set
note=$("$BIN/iiotctl" alerts "$work/dcp_set_refused.pcap" | jq -r .note)
expect_eq "a refused DCP Set says so" "$note" "refused by the device (block error 3)"
note=$("$BIN/iiotctl" alerts "$work/dcp_set_stranger.pcap" | jq -r .note)
expect_eq "an accepted DCP Set says so" "$note" "accepted by the device"
sev=$("$BIN/iiotctl" alerts "$work/dcp_set_stranger.pcap" | jq -r .severity)
expect_eq "DCP Set to a device with an active AR is critical" "$sev" critical

cnt=$("$BIN/iiotctl" alerts "$work/identify_flood.pcap" | jq 'select(.rule == "pn.dcp.identify_flood") | .count')
expect_eq "150 Identify requests over a limit of 100: one alert counting 50" "$cnt" 50

sev=$("$BIN/iiotctl" alerts "$work/ar_lost_after_set.pcap" | jq -r 'select(.rule == "pn.ar.lost_after_attack") | .severity')
expect_eq "an AR lost right after a DCP Set from a stranger is critical" "$sev" critical
out=$("$BIN/iiotctl" alerts "$work/ar_lost.pcap")
expect_eq "an AR lost on its own is not the IDS's (diag raises pn.ar.lost)" "$out" ""
out=$("$BIN/iiotctl" alerts "$work/ecat_restart.pcap" | jq -r .rule | sort -u | tr '\n' ' ')
expect_eq "a master running start-up again after a stop writes no alert" "$out" ""

# a flood of one rule becomes one summary
n=$("$BIN/iiotctl" alerts "$work/mac_flood.pcap" | jq -s 'length')
if [ "$n" -le 13 ]; then ok "1100 spoofed ARP claims make $n alerts"; else fail "flood bounded" "$n alerts"; fi
cnt=$("$BIN/iiotctl" alerts "$work/mac_flood.pcap" | jq 'select(.rule == "alert.flood") | .count')
[ -n "$cnt" ] && [ "$cnt" -gt 1000 ] && ok "the flood summary counts $cnt" || fail "flood summary count" "$cnt"

# policy: an engineering station may send DCP Set; bad policies are refused
printf '[ids]\nengineering = 02:de:ad:be:ef:01\n' >"$work/eng.conf"
out=$("$BIN/iiotctl" alerts --policy "$work/eng.conf" "$work/dcp_set_stranger.pcap")
expect_eq "an engineering station's DCP Set raises nothing" "$out" ""
printf '[ids]\nengineering = 192.168.1.50\n' >"$work/eng_ip.conf"
out=$("$BIN/iiotctl" alerts --policy "$work/eng_ip.conf" "$work/dcp_set_from_ip.pcap" 2>&1)
expect_eq "an engineering station listed by its IP may send DCP Set" "$? $out" "0 "
out=$("$BIN/iiotctl" alerts --policy "$work/eng_ip.conf" "$work/dcp_set_stranger.pcap" | jq -r .rule)
expect_eq "...a station that never claimed that IP may not" "$out" "pn.dcp.set_from_stranger"
cnt=$("$BIN/iiotctl" alerts --policy "$work/eng.conf" "$work/reset_flood.pcap" | jq -r '[.rule, .count] | join(" ")')
expect_eq "8 Resets from an engineering station over a limit of 5: a flood counting 3, no Set alert" "$cnt" "pn.dcp.reset_flood 3"
printf '[ids]\nreset_limit = 10\n' >"$work/reset.conf"
out=$("$BIN/iiotctl" alerts --policy "$work/reset.conf" "$work/reset_flood.pcap" | jq -r .rule | sort -u | tr '\n' ' ')
expect_eq "reset_limit raises the limit" "$out" "pn.dcp.set_from_stranger "
printf '[ids]\ndisable = pn.dcp.set_from_stranger\n' >"$work/dis.conf"
out=$("$BIN/iiotctl" alerts --policy "$work/dis.conf" "$work/dcp_set_stranger.pcap")
expect_eq "a disabled rule raises nothing" "$out" ""
printf '[ids]\n\ndisable = no.such.rule\n' >"$work/bad.conf"
err=$("$BIN/iiotctl" alerts --policy "$work/bad.conf" "$work/clean.pcap" 2>&1)
rc=$?
[ $rc -eq 2 ] && [[ $err == *"bad.conf:3: ids.disable: no rule 'no.such.rule'"* ]] &&
	ok "an unknown rule id in a policy is refused with its line" || fail "bad rule refused" "rc $rc: $err"
printf '[ids]\nengineering = 02:de:ad\n' >"$work/bad2.conf"
err=$("$BIN/iiotctl" alerts --policy "$work/bad2.conf" "$work/clean.pcap" 2>&1)
[[ $err == *"bad2.conf:2: ids.engineering: '02:de:ad' is not a MAC or IPv4 address"* ]] && ok "a bad MAC in a policy names line and key" || fail "bad mac" "$err"
echo "1..$_tap_n"
