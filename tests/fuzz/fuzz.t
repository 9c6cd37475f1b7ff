#!/usr/bin/env bash
# Every libFuzzer target (build/fuzz/fuzz_*) runs for a bounded time with
# ASan + UBSan; a crash, leak or sanitizer report fails the test.  Seeds
# come from tests/fuzz/corpus/<target>/ when present.  Longer runs:
#   IIOT_FUZZ_SECONDS=600 make check T=fuzz
. "$(dirname "$0")/../lib.sh"
secs=${IIOT_FUZZ_SECONDS:-10}
shopt -s nullglob
targets=("$BUILD"/fuzz/fuzz_*)
((${#targets[@]})) || skip_all "no fuzz targets built (make tests)"
work=$(mktemp -d)
cleanup_push "rm -rf $work"
for t in "${targets[@]}"; do
	name=${t##*/}
	corpus=$work/$name
	mkdir -p "$corpus"
	seeds=$IIOT_TOP/tests/fuzz/corpus/$name
	[ -d "$seeds" ] && cp -r "$seeds"/. "$corpus"/
	if out=$(cd "$work" && "$t" -max_total_time="$secs" -rss_limit_mb=2048 \
		-timeout=10 "$corpus" 2>&1); then
		runs=$(echo "$out" | sed -n 's/^Done \([0-9]*\) runs.*/\1/p')
		ok "$name: ${runs:-?} inputs in ${secs}s, no crash"
	else
		fail "$name crashed" "$(echo "$out" | grep -E 'ERROR|SUMMARY|runtime error' | head -5)"
	fi
done
