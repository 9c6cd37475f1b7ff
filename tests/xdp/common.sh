# Shared by the XDP tests: build checks, starting and stopping iiot-xdp.
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/../netns.sh"

XDP=$BIN/iiot-xdp
GEN=$BIN/iiot-xdpgen
RINGDUMP=$BIN/iiot-ringdump
XDIR=$(mktemp -d /tmp/iiot-xdp-test.XXXXXX)
cleanup_push "rm -rf $XDIR"

xdp_require() {
	[ -x "$XDP" ] && [ -x "$GEN" ] || skip_all "iiot-xdp not built (make)"
	command -v jq >/dev/null || skip_all "jq is not installed"
	netns_require
}

# xdp_start NS IF RING ARGS... : start iiot-xdp in the background and wait
# until it says it is capturing (program attached, sockets bound).
# Sets XDP_PID; stdout goes to $XDIR/RING.json, stderr to $XDIR/RING.err.
xdp_start() {
	local ns=$1 ifc=$2 ring=$3; shift 3
	cleanup_push "rm -rf /sys/fs/bpf/iiot/$ifc /dev/shm/iiot/$ring /dev/shm/iiot/$ring.wake"
	# nsenter execs iiot-xdp: $! is the capture process itself
	nsenter --net="/run/netns/$ns" "$XDP" --iface "$ifc" --ring "$ring" "$@" \
		>"$XDIR/$ring.json" 2>"$XDIR/$ring.err" &
	XDP_PID=$!
	cleanup_push "kill -9 $XDP_PID"
	local i
	for ((i = 0; i < 200; i++)); do
		# printed once attached and pinned (a stale pin proves nothing)
		grep -q "^iiot-xdp: $ifc: .* mode" "$XDIR/$ring.err" && return 0
		kill -0 "$XDP_PID" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

# xdp_stop RING : SIGTERM, wait, final counters in $XDIR/RING.json.
xdp_stop() {
	kill -TERM "$XDP_PID" 2>/dev/null
	wait "$XDP_PID"
}

# gen NS IF ARGS... : send frames; prints the generator's JSON line.
gen() {
	local ns=$1 ifc=$2; shift 2
	in_ns "$ns" "$GEN" --iface "$ifc" "$@"
}

# jget FILE FILTER
jget() { jq -r "$2" "$1"; }

# No XDP program left on IF in NS: neither ip nor bpftool sees one.
xdp_detached() {
	local ns=$1 ifc=$2
	! ip -n "$ns" link show dev "$ifc" | grep -qE 'xdp|prog/' || return 1
	if command -v bpftool >/dev/null; then
		[ -z "$(in_ns "$ns" bpftool net show dev "$ifc" 2>/dev/null | grep -i xdp -A2 | grep -E 'id [0-9]+')" ] || return 1
	fi
}

# Every frame the generator sent left the veth (none dropped in the rig).
rig_clean() {
	expect_eq "rig: veth dropped no frame" "$(jq -s 'map(.tx_dropped) | add // 0' "$XDIR/gen.log")" 0
}
