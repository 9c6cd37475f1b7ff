#!/usr/bin/env bash
# "make run": iiotd in the foreground on embedded defaults, with its
# database and socket under the tree's var/, fed by
#   - the line simulator (small-cell scenario) when IFACE is not set, or
#   - a real interface: IFACE=eth1 make run — through the kernel module's
#     ring /dev/iiot/eth1 when the module is attached there, else through
#     the XDP helper (iiot-xdp --mode tap; needs root).
# Ctrl-C stops iiotd and every helper it started.
# For tests: VAR (state directory), RING (ring name), RUN_CONF_EXTRA
# (more config lines).
set -euo pipefail
cd "$(dirname "$0")/.."
top=$PWD
BUILD=${BUILD:-build}
case $BUILD in
/*) bin=$BUILD/bin ;;
*) bin=$top/$BUILD/bin ;;
esac
var=${VAR:-$top/var}
IFACE=${IFACE:-}
SCENARIO=${SCENARIO:-$top/sim/scenarios/small-cell.conf}
mkdir -p "$var"
# as root, iiotd drops to the iiot user, which drains the rings through
# group iiot: make both when they are missing
if [ "$(id -u)" -eq 0 ]; then
	scripts/iiot-user.sh
fi

pids=()
cleanup() {
	local p
	trap - INT TERM EXIT
	for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ring=
if [ -z "$IFACE" ]; then
	if [ ! -x "$bin/iiot-sim" ]; then
		echo "run: $bin/iiot-sim is missing (make builds it)" >&2
		exit 1
	fi
	ring=${RING:-sim0}
	# a ring run has no end unless --duration says so
	"$bin/iiot-sim" "$SCENARIO" --ring "$ring" &
	pids+=($!)
	feed="simulator: $(basename "$SCENARIO") → ring $ring"
elif [ -c "/dev/iiot/$IFACE" ]; then
	ring=/dev/iiot/$IFACE
	feed="kernel module ring $ring"
else
	if [ "$(id -u)" -ne 0 ]; then
		echo "run: capturing on $IFACE needs root (XDP), or attach the" \
		     "kernel module first (docs/kmod.md)" >&2
		exit 1
	fi
	ring=xdp-$IFACE
	"$bin/iiot-xdp" --iface "$IFACE" --mode tap --ring "$ring" &
	pids+=($!)
	feed="XDP tap on $IFACE → ring $ring"
fi

conf=$var/iiotd-run.conf
cat >"$conf" <<CONF
# written by scripts/run.sh (make run); see etc/iiotd.conf for every key
[iiotd]
state_dir = $var
[capture]
ring = $ring
[model]
signals = $top/etc/signals.map
[analytics]
rules = $top/etc/analytics.rules
oee = $top/etc/oee.conf
[store]
path = $var/iiot.db
max_size = 256M
${RUN_CONF_EXTRA:-}
CONF

"$bin/iiotd" -d -f "$conf" &
iiotd_pid=$!
pids+=("$iiotd_pid")

# wait for the control socket before telling the user where to look
for _ in $(seq 50); do
	[ -S "$var/iiotd.sock" ] && break
	kill -0 "$iiotd_pid" 2>/dev/null || { wait "$iiotd_pid"; exit 1; }
	sleep 0.1
done
cat <<MSG

  iiotd is running ($feed)
  database:        $var/iiot.db
  control socket:  $var/iiotd.sock

  look at it with:
    $BUILD/bin/iiotctl devices          # inventory and link statistics
    $BUILD/bin/iiotctl monitor          # live decoded frames
    $BUILD/bin/iiotctl stats            # counters
    $BUILD/bin/iiotctl export-pcap --seconds 10 -o /tmp/last10s.pcap

  Ctrl-C stops everything.

MSG
for p in "${pids[@]}"; do
	[ "$p" = "$iiotd_pid" ] && continue
	kill -0 "$p" 2>/dev/null || echo "run: a capture helper (pid $p) exited; see above" >&2
done
wait "$iiotd_pid"
