# Helpers for tests/dpdk/*.t (sourced after tests/lib.sh).
RINGCAT=$BUILD/tests-dpdk/dpdk-ringcat
DPDK_BIN=$BIN/iiot-dpdk

[ -x "$DPDK_BIN" ] || skip_all "iiot-dpdk not built"
[ -x "$RINGCAT" ] || skip_all "dpdk-ringcat not built (make tests)"

tmp=$(mktemp -d /tmp/iiot-dpdk-test.XXXXXX)
cleanup_push "rm -rf $tmp"
_dpdk_n=0

# Unique names per run: rings, EAL runtime folders.
ring_name() { echo "test-dpdk-$$-$1"; }
ring_rm() { rm -f "/dev/shm/iiot/$1" "/dev/shm/iiot/$1.wake" "/dev/shm/iiot/$1".[0-9]* ; }

# eal_setup: EAL=(options) for a test: no hugepages, no PCI, one core, and
# a runtime folder of its own (the EAL leaves it behind: removed at exit).
eal_setup() {
	_dpdk_n=$((_dpdk_n + 1))
	local prefix=iiot-test-$$-$_dpdk_n
	cleanup_push "rm -rf /var/run/dpdk/$prefix"
	EAL=(-l 0 --no-huge -m 128 --no-pci --no-telemetry
	     --log-level=lib.eal:warning --file-prefix=$prefix)
}

# dpdk_start OUT ERR EAL-ARGS... -- OPTS...: run in the background, $dpdk_pid
# (prefixed by the command in DPDK_WRAP, which must exec it, e.g. nsenter)
DPDK_WRAP=()
dpdk_start() {
	local out=$1 err=$2
	shift 2
	"${DPDK_WRAP[@]}" "$DPDK_BIN" "$@" >"$out" 2>"$err" &
	dpdk_pid=$!
	cleanup_push "kill -KILL $dpdk_pid"
}

# wait_json FILE JQ-CONDITION [SECONDS]: until the stats file satisfies it
# (fails at once when iiot-dpdk is gone)
wait_json() {
	local file=$1 cond=$2 t=$((${3:-30} * 10))
	while [ $t -gt 0 ]; do
		[ -s "$file" ] && jq -e "$cond" "$file" >/dev/null 2>&1 && return 0
		kill -0 "$dpdk_pid" 2>/dev/null || return 1
		sleep 0.1
		t=$((t - 1))
	done
	return 1
}

# dpdk_stop: SIGTERM, wait, return the exit status
dpdk_stop() {
	kill -TERM "$dpdk_pid" 2>/dev/null
	local i
	for i in $(seq 100); do
		kill -0 "$dpdk_pid" 2>/dev/null || break
		sleep 0.1
	done
	wait "$dpdk_pid"
}

# frames FILE: wire_len cap_len hex of every frame (ring or capture lines)
frames() { cut -d' ' -f5- "$1"; }
