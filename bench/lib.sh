# Helpers for bench/*.bench scripts.
#   median v1 v2 ...            print the median
#   row name value unit peer peer_value ratio bar pass(true|false)
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
