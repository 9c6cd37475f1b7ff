#!/usr/bin/env bash
# iiotctl decode against tshark, field by field, on every shared capture and
# on simulator captures when iiot-sim is built.  Agreement must be total.
. "$(dirname "$0")/../lib.sh"
here=$IIOT_TOP/tests/decode
IIOTCTL=$BIN/iiotctl
[ -x "$IIOTCTL" ] || skip_all "iiotctl not built"
command -v tshark >/dev/null || skip_all "tshark not installed"
tmp=$(mktemp -d)
cleanup_push "rm -rf '$tmp'"

# Comparisons run two at a time (tshark and python are single-threaded);
# results are reported in order.
names=() files=()
add() { names+=("$1"); files+=("$2"); }

# Generated frames of every kind the decoders know, well-formed, so the
# comparison runs even where the real captures are absent.
if python3 "$here/synth.py" "$tmp/synth.pcap" 1000 7; then
	add "generated EtherCAT/PROFINET frames" "$tmp/synth.pcap"
else
	fail "generate frames with synth.py"
fi

for p in $(shared_pcaps); do
	add "${p##*/}" "$p"
done

# Simulator captures: every scenario, five cycles each (set-up traffic included).
if [ -x "$BIN/iiot-sim" ] && [ -d "$IIOT_TOP/sim/scenarios" ]; then
	for s in "$IIOT_TOP"/sim/scenarios/*; do
		[ -f "$s" ] || continue
		name=${s##*/}
		out=$tmp/sim-${name%.*}.pcap
		if "$BIN/iiot-sim" "$s" --out "$out" --cycles 5 >/dev/null 2>&1 ||
		   "$BIN/iiot-sim" "${name%.*}" --out "$out" --cycles 5 >/dev/null 2>&1; then
			add "sim ${name%.*}" "$out"
		else
			skip "sim ${name%.*}" "iiot-sim could not generate it"
		fi
	done
else
	skip "simulator captures" "iiot-sim not built"
fi

for i in "${!files[@]}"; do
	while [ "$(jobs -rp | wc -l)" -ge 2 ]; do wait -n; done
	( python3 "$here/compare.py" "$IIOTCTL" "${files[$i]}" >"$tmp/out.$i" 2>&1
	  echo $? >"$tmp/rc.$i" ) &
done
wait
captures=${#files[@]}
for i in "${!files[@]}"; do
	if [ "$(cat "$tmp/rc.$i" 2>/dev/null)" = 0 ]; then
		ok "${names[$i]}: $(head -1 "$tmp/out.$i")"
	else
		fail "${names[$i]}" "$(head -12 "$tmp/out.$i")"
	fi
done

# The comparison itself must notice a wrong value: feed it an iiotctl whose
# output has one working counter changed.
if [ "$captures" -gt 0 ]; then
	pcap=$tmp/synth.pcap
	if [ -s "$pcap" ]; then
		cat >"$tmp/liar" <<LIAR
#!/usr/bin/env bash
"$IIOTCTL" "\$@" | python3 -c '
import json, sys
done = False
for line in sys.stdin:
    o = json.loads(line)
    if not done and o.get("ecat", {}).get("datagrams"):
        o["ecat"]["datagrams"][0]["wkc"] += 1
        done = True
    print(json.dumps(o))'
LIAR
		chmod +x "$tmp/liar"
		if python3 "$here/compare.py" "$tmp/liar" "$pcap" >"$tmp/liar.out" 2>&1; then
			fail "comparison notices a changed working counter" "$(head -3 "$tmp/liar.out")"
		else
			check "comparison notices a changed working counter" \
				grep -q 'ecat.cnt' "$tmp/liar.out"
		fi
	fi
fi
