#!/usr/bin/env bash
# A short libFuzzer run of every decoder entry point (ASan + UBSan), seeded
# with frames, DCP PDUs, mailboxes and RPC payloads cut from the shared
# captures into a temporary corpus.  Any crash fails the test.
. "$(dirname "$0")/../lib.sh"
FUZZ_DIR=$BUILD/fuzz
[ -x "$FUZZ_DIR/fuzz_decode_frame" ] || skip_all "fuzz targets not built (make tests)"
tmp=$(mktemp -d)
cleanup_push "rm -rf '$tmp'"

seeds=$(shared_pcaps)
if [ -n "$seeds" ]; then
	# shellcheck disable=SC2086
	check "seed corpus from the shared captures" \
		python3 "$IIOT_TOP/tests/decode/pcap_seeds.py" "$tmp/seeds" $seeds
else
	mkdir -p "$tmp/seeds/frame" "$tmp/seeds/dcp" "$tmp/seeds/mbx" "$tmp/seeds/cm"
	skip "seed corpus" "no captures in $PCAPS; fuzzing from scratch"
fi

run() {
	local target=$1 corpus=$2 runs=$3 secs=$4
	mkdir -p "$tmp/work-$target"
	if ASAN_OPTIONS=detect_leaks=1 "$FUZZ_DIR/$target" -runs="$runs" \
		-max_total_time="$secs" -max_len=1600 -timeout=10 \
		-artifact_prefix="$tmp/" "$tmp/work-$target" "$corpus" \
		>"$tmp/$target.log" 2>&1; then
		ok "$target: $(grep -o 'Done [0-9]* runs' "$tmp/$target.log")"
	else
		fail "$target crashed" "$(grep -m5 -E 'ERROR|SUMMARY|runtime error' "$tmp/$target.log")" \
			"crash input: $(ls "$tmp"/crash-* "$tmp"/leak-* "$tmp"/timeout-* 2>/dev/null | head -1)"
		cp "$tmp"/crash-* "$BUILD/test-logs/" 2>/dev/null || true
	fi
}

run fuzz_decode_frame "$tmp/seeds/frame" 200000 20
run fuzz_decode_dcp "$tmp/seeds/dcp" 100000 6
run fuzz_decode_ecat_mbx "$tmp/seeds/mbx" 100000 6
run fuzz_decode_pnio_cm "$tmp/seeds/cm" 100000 6
