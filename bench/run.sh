#!/usr/bin/env bash
# Run every benchmark bench/*.bench (executable; prints JSON rows, one per
# line: {"name","value","unit","peer","peer_value","ratio","bar","pass"}),
# print them as a table and write build/bench.json.
# Usage: bench/run.sh [FILTER]   (substring of the benchmark file name)
# The soak harness runs through here too (make soak): KIND=soak runs
# tests/soak/*.soak into build/soak.json, logs in build/soak-logs/.
set -uo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
KIND=${KIND:-bench}
export BUILD IIOT_TOP=$PWD
filter=${1:-}
rows=$BUILD/$KIND.rows
: >"$rows"
mkdir -p "$BUILD/$KIND-logs"
if [ "$KIND" = bench ]; then
	# the ring row first (issue 2 §6), then the rest by name
	list=$(echo bench/ring.bench; ls bench/*.bench | grep -vx bench/ring.bench)
else
	list=$(ls tests/$KIND/*.$KIND)
fi
for b in $list; do
	[ -x "$b" ] || continue
	[ -n "$filter" ] && [[ $b != *"$filter"* ]] && continue
	echo "running ${b#*/} ..." >&2
	log=$BUILD/$KIND-logs/$(basename "$b").log
	"$b" 2>"$log" | grep -E '^\{' >>"$rows" || echo "  ${b#*/} failed; see $log" >&2
done
jq -s '.' "$rows" >"$BUILD/$KIND.json"
{
	printf 'name\tvalue\tunit\tpeer\tpeer value\tratio\tbar\tpass\n'
	jq -r '.[] | [.name, (.value|tostring), .unit, .peer, (.peer_value|tostring),
		(.ratio|tostring), .bar, (if .pass then "yes" else "NO" end)] | @tsv' "$BUILD/$KIND.json"
} | column -t -s $'\t'
echo "(rows in $BUILD/$KIND.json)"
