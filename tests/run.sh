#!/usr/bin/env bash
# Run every test and print one summary line "N passed, N failed".
#
# A test is either a cmocka binary build/tests/test_* (TAP output) or an
# executable script tests/<component>/*.t that prints TAP ("ok N - what",
# "not ok N - what", "ok N - what # SKIP why").  Each TAP line counts once;
# a test program that exits non-zero without a "not ok" line counts as one
# failure.  Usage: tests/run.sh [FILTER] (substring of the test's name).
set -uo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
filter=${1:-}
logdir=$BUILD/test-logs
mkdir -p "$logdir"
export BUILD IIOT_TOP=$PWD
export CMOCKA_MESSAGE_OUTPUT=TAP
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

# as root, iiotd drops to the iiot user and drains rings through group
# iiot, as on an installed system
if [ "$(id -u)" -eq 0 ]; then
	scripts/iiot-user.sh || echo "run.sh: cannot create the iiot user and group" >&2
fi

pass=0 fail=0 skip=0 failed=()
tests=()
for t in "$BUILD"/tests/test_*; do [ -x "$t" ] && tests+=("$t"); done
for t in tests/*/*.t; do [ -x "$t" ] && tests+=("$t"); done

for t in "${tests[@]}"; do
	name=${t#"$BUILD"/}
	[ -n "$filter" ] && [[ $name != *"$filter"* ]] && continue
	log=$logdir/$(echo "$name" | tr '/' '_').log
	start=$SECONDS
	timeout --kill-after=10 "${IIOT_TEST_TIMEOUT:-900}" "$t" >"$log" 2>&1
	rc=$?
	p=$(grep -cE '^ok ' "$log" | tr -d ' ')
	s=$(grep -cE '^ok .*# *(SKIP|skip)' "$log" | tr -d ' ')
	f=$(grep -cE '^not ok ' "$log" | tr -d ' ')
	p=$((p - s))
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
		echo "not ok - $name exited with status $rc" >>"$log"
	fi
	pass=$((pass + p)) fail=$((fail + f)) skip=$((skip + s))
	status=ok
	[ "$f" -gt 0 ] && { status=FAIL; failed+=("$name"); }
	printf '%-4s %-48s %4d passed %3d failed %3d skipped %4ds\n' \
		"$status" "$name" "$p" "$f" "$s" $((SECONDS - start))
	if [ "$f" -gt 0 ]; then
		grep -E '^not ok|^# ' "$log" | head -20 | sed 's/^/     /'
		echo "     (full log: $log)"
	fi
done

if ((${#failed[@]})); then
	echo "failed: ${failed[*]}"
fi
echo "$skip skipped"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
