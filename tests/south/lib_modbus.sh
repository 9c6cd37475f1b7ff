# Helpers for the Modbus tests: tests/south/mbserver on 127.0.0.1.
#   mbserver_start VAR [ARGS...]   starts one, its port in $VAR, pid in ${VAR}_PID
#   mbj DEVICE JQ                  jq over "iiotctl modbus DEVICE --json"
. "$(dirname "${BASH_SOURCE[0]}")/../daemon/lib_daemon.sh"
MBSERVER=$BUILD/tests-south/mbserver

mbserver_start() {
	local var=$1 out i; shift
	out=$(mktemp "$T/mbserver.XXXXXX")
	"$MBSERVER" "$@" >"$out" 2>&1 &
	eval "${var}_PID=$!"
	cleanup_push "kill -9 $!"
	for i in $(seq 50); do
		[ -s "$out" ] && break
		sleep 0.1
	done
	eval "$var=$(head -1 "$out")"
}

mbj() { ctl modbus "$1" --json | jq -r ".device | $2"; }
