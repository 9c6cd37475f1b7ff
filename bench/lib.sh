# Helpers for bench/*.bench scripts.
#   median v1 v2 ...            print the median
#   row name value unit peer peer_value ratio bar pass(true|false)
#   large_line_map N            a signal map of N signals for large-line.conf
#   analog_line_map             the signal map of analog-line.conf
IIOT_TOP=${IIOT_TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$IIOT_TOP/$BUILD ;; esac
BIN=$BUILD/bin
RUNS=${IIOT_BENCH_RUNS:-5}

median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

row() {
	jq -cn --arg name "$1" --argjson value "$2" --arg unit "$3" --arg peer "$4" \
		--argjson peer_value "$5" --argjson ratio "$6" --arg bar "$7" --argjson pass "$8" \
		'{name:$name, value:$value, unit:$unit, peer:$peer, peer_value:$peer_value, ratio:$ratio, bar:$bar, pass:$pass}'
}

large_line_map() {
	{
		for m in 1 2 3 4; do
			for i in $(seq 0 1249); do
				printf 'e%d_%d ecat:00:1b:21:20:00:0%d 0x%x u8\n' "$m" "$i" "$m" $((0x10000 + i))
			done
		done
		for l in 1 2 3 4; do
			for d in $(seq 1 60); do
				for k in $(seq 0 20); do
					printf 'p%d_%d_%d pn:line%d-station-%d %d u8\n' "$l" "$d" "$k" "$l" "$d" $((k % 8))
				done
			done
		done
	} | head -"$1"
}

# analog-line.conf: each EtherCAT IO terminal's two analog inputs (i16,
# after its 2 output bytes in its 6 bytes of the logical image), the
# PROFINET stations as in large_line_map
analog_line_map() {
	local m k a
	for m in 1 2 3 4; do
		for k in $(seq 1 199); do
			a=$((0x10000 + 6 * (k - 1) + 2))
			printf 'e%d_%d_temp ecat:00:1b:21:20:00:0%d 0x%x i16\n' "$m" "$k" "$m" "$a"
			printf 'e%d_%d_pres ecat:00:1b:21:20:00:0%d 0x%x i16\n' "$m" "$k" "$m" $((a + 2))
		done
	done
	large_line_map 10000 | grep '^p'
}
