#!/usr/bin/env bash
# The detection bar live: attack scenarios fed through a libshm ring into
# iiotd, one after the other, raise their rules within 1 s (capture time)
# of the attack's first frame, read from the ground truth iiot-sim writes
# for the ring run (--truth).  The offline side is tests/sim/attacks.t.
. "$(dirname "$0")/../daemon/lib_daemon.sh"
command -v jq >/dev/null || skip_all "jq not installed"
daemon_setup
ring=$RING_PREFIX-atk
write_conf "$T/iiotd.conf" "[capture]" "ring = $ring"
start_iiotd "$T/iiotd.conf" || { fail "iiotd started"; exit 0; }
DIR=$IIOT_TOP/sim/scenarios/attacks

# scenario and how long to run it: the attack and a little after (the
# DCP Set's: until its AR is lost and iiotd has waited ar_timeout); runs
# are apart as a restarted line is (its master stopped for over a second)
for run in dcp-set-vlan:3 identify-flood:2 ecat-station-write:3.5; do
	name=${run%%:*}
	if ! "$BIN/iiot-sim" "$DIR/$name.conf" --ring "$ring" --duration "${run#*:}" \
		--truth "$T/$name.jsonl" 2>"$T/$name.err"; then
		fail "$name: iiot-sim into the ring" "$(cat "$T/$name.err")"
		continue
	fi
	drops=$(grep -o '[0-9]* ring drops' "$T/$name.err" | awk '{print $1}')
	sleep 1.5
	rule=$(jq -r .rule "$T/$name.jsonl")
	src=$(jq -r .source "$T/$name.jsonl")
	t0=$(jq .first_ns "$T/$name.jsonl")
	# iiotd drains within a cycle or two; allow for a loaded machine
	wait_for "$rule" 10 sh -c "\"$BIN/iiotctl\" alerts --json | grep -q '\"$rule\"'"
	a=$(ctl alerts --json | jq -c --arg r "$rule" --arg s "$src" 'select(.rule == $r and .src_mac == $s)' | head -1)
	if [ -z "$a" ]; then
		fail "$name raises $rule live" "$(ctl alerts --json)"
		continue
	fi
	ts=$(jq .ts_ns <<<"$a")
	if [ "$drops" = 0 ] && [ "$ts" -ge "$t0" ] && [ $((ts - t0)) -lt 1000000000 ]; then
		ok "$name raises $rule live, $(((ts - t0) / 1000000)) ms after the attack's first frame"
	else
		fail "$name raises $rule live within 1 s" "$(((ts - t0) / 1000000)) ms, $drops ring drops"
	fi
	# what the attack did to the line: an AR it broke
	while read -r e; do
		[ -n "$e" ] || continue
		r=$(jq -r .rule <<<"$e")
		last=$(jq .last_cyclic_ns <<<"$e")
		wait_for "$r" 10 sh -c "\"$BIN/iiotctl\" alerts --json | grep -q '\"$r\"'"
		ts=$(ctl alerts --json | jq --arg r "$r" 'select(.rule == $r) | .ts_ns' | head -1)
		if [ -n "$ts" ] && [ "$ts" -ge $((last + 1000000000)) ] && [ "$ts" -lt $((last + 2000000000)) ]; then
			ok "$name: the attack succeeds, $r live $(((ts - last) / 1000000)) ms after the AR's last cyclic frame"
		else
			fail "$name: $r live within 1 s after ar_timeout" "last cyclic $last; $(ctl alerts --json)"
		fi
	done < <(jq -c '.effects[]' "$T/$name.jsonl")
done
# the line's own start-up, run again for each scenario, is no attack
out=$(ctl alerts --json | jq -r 'select(.src_mac == "00:1b:21:10:00:01" and .severity != "info") | .rule')
expect_eq "the line's master restarting raises no warning" "$out" ""
stop_iiotd
echo "1..$_tap_n"
