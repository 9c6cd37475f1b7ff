#!/usr/bin/env bash
# Run every benchmark bench/*.bench (executable; prints JSON rows, one per
# line: {"name","value","unit","peer","peer_value","ratio","bar","pass"}),
# print them as a table and write build/bench.json.
# Usage: bench/run.sh [FILTER]   (substring of the benchmark file name)
set -uo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
export BUILD IIOT_TOP=$PWD
filter=${1:-}
rows=$BUILD/bench.rows
: >"$rows"
mkdir -p "$BUILD/bench-logs"
# the ring row first (issue 2 §6), then the rest by name
for b in bench/ring.bench $(ls bench/*.bench | grep -vx bench/ring.bench); do
	[ -x "$b" ] || continue
	[ -n "$filter" ] && [[ $b != *"$filter"* ]] && continue
	echo "running ${b#bench/} ..." >&2
	log=$BUILD/bench-logs/$(basename "$b").log
	"$b" 2>"$log" | grep -E '^\{' >>"$rows" || echo "  ${b#bench/} failed; see $log" >&2
done
jq -s '.' "$rows" >"$BUILD/bench.json"
{
	printf 'name\tvalue\tunit\tpeer\tpeer value\tratio\tbar\tpass\n'
	jq -r '.[] | [.name, (.value|tostring), .unit, .peer, (.peer_value|tostring),
		(.ratio|tostring), .bar, (if .pass then "yes" else "NO" end)] | @tsv' "$BUILD/bench.json"
} | column -t -s $'\t'
echo "(rows in $BUILD/bench.json)"
