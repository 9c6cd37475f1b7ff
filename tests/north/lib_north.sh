# Helpers for the edge node's tests: a real mosquitto on 127.0.0.1 at a
# free port, the test's Sparkplug host (sptool) writing what it receives
# as JSON lines, iiotd fed by the line simulator.
#   north_setup                 daemon_setup + $SPTOOL, skips without mosquitto
#   broker_start NAME [LINES]   mosquitto with its own conf $T/NAME.conf;
#                               port in $PORT_<NAME> (kept over restarts)
#   broker_stop NAME
#   sub_start NAME [args]       sptool sub on broker NAME into $T/sub-NAME.jsonl
#   has FILE FILTER [N]         at least N (1) lines of FILE match jq FILTER
#   sel FILE FILTER             the matching lines
#   sim_start                   the small-cell line on ring $RING ($SIM_PID)
#   tls_pki                     in $T: good-ca.pem, other-ca.pem (a CA that
#                               signed nothing here), server.pem/.key for
#                               127.0.0.1 signed by the good CA
. "$(dirname "${BASH_SOURCE[0]}")/../daemon/lib_daemon.sh"

north_setup() {
	command -v mosquitto >/dev/null || [ -x /usr/sbin/mosquitto ] ||
		skip_all "mosquitto missing"
	command -v mosquitto_pub >/dev/null || skip_all "mosquitto_pub missing"
	SPTOOL=$BUILD/tests-north/sptool
	[ -x "$SPTOOL" ] || skip_all "sptool not built"
	[ -x "$BIN/iiot-sim" ] || skip_all "iiot-sim not built"
	MOSQUITTO=$(command -v mosquitto || echo /usr/sbin/mosquitto)
	daemon_setup
	RING=$RING_PREFIX-n
	cleanup_push "rm -f /dev/shm/iiot/$RING /dev/shm/iiot/$RING.wake"
}

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

broker_start() {
	local name=$1 port var=PORT_$1 i; shift
	port=${!var:-$(free_port)}
	printf -v "$var" '%s' "$port"
	if [ ! -f "$T/$name.conf" ] || [ $# -gt 0 ]; then
		{
			echo "listener $port 127.0.0.1"
			case " $* " in
			*allow_anonymous*) ;;
			*) echo "allow_anonymous true" ;;
			esac
			printf '%s\n' "$@"
		} >"$T/$name.conf"
	fi
	"$MOSQUITTO" -c "$T/$name.conf" >>"$T/$name.log" 2>&1 &
	printf -v "BROKER_$name" '%s' "$!"
	cleanup_push "kill -9 $!"
	for i in $(seq 50); do
		grep -q "running\|Opening ipv4 listen socket on port $port" \
			"$T/$name.log" 2>/dev/null && return 0
		sleep 0.1
	done
	echo "# broker $name did not come up:"; sed 's/^/#   /' "$T/$name.log" | tail -5
	return 1
}

broker_stop() {
	local var=BROKER_$1
	kill "${!var}" 2>/dev/null
	wait "${!var}" 2>/dev/null
}

sub_start() {
	local name=$1 var=PORT_$1; shift
	"$SPTOOL" sub -p "${!var}" "$@" >>"$T/sub-$name.jsonl" 2>>"$T/sub-$name.err" &
	cleanup_push "kill -9 $!"
	wait_for "subscriber on $name" 10 grep -q subscribed "$T/sub-$name.err"
}

has() { [ "$(jq -c "select($2)" "$1" 2>/dev/null | wc -l)" -ge "${3:-1}" ]; }
sel() { jq -c "select($2)" "$1" 2>/dev/null; }

sim_start() {
	"$BIN/iiot-sim" "$IIOT_TOP/sim/scenarios/small-cell.conf" --ring "$RING" \
		>>"$T/sim.log" 2>&1 &
	SIM_PID=$!
	cleanup_push "kill -9 $!"
}

tls_pki() {
	command -v openssl >/dev/null || skip_all "openssl missing"
	(
		cd "$T" || exit 1
		for ca in good other; do
			openssl req -x509 -newkey rsa:2048 -nodes -days 2 \
				-subj "/CN=$ca test CA" -keyout "$ca-ca.key" \
				-out "$ca-ca.pem" 2>/dev/null || exit 1
		done
		openssl req -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 \
			-keyout server.key -out server.csr 2>/dev/null &&
		printf 'subjectAltName = IP:127.0.0.1, DNS:localhost\n' >san.ext &&
		openssl x509 -req -in server.csr -CA good-ca.pem -CAkey good-ca.key \
			-CAcreateserial -days 2 -extfile san.ext -out server.pem 2>/dev/null &&
		# iiotd reads them as its own user, mosquitto as its
		chmod 644 ./*.pem ./*.key
	)
}

# north_conf FILE BROKER_URLS... -- EXTRA LINES: a config with [north]
north_conf() {
	local f=$1 urls=() extra=(); shift
	while [ $# -gt 0 ] && [ "$1" != -- ]; do urls+=("broker = $1"); shift; done
	[ "${1-}" = -- ] && shift
	write_conf "$f" "[capture]" "ring = $RING" "[model]" \
		"signals = $IIOT_TOP/etc/signals.map" "[north]" "${urls[@]}" \
		"group = plant" "edge_node = ipc1" "retry = 2s" "$@"
}

nstat() { ctl stats --json | jq -r ".north.$1"; }
