# Helpers for iiotd tests: a private state dir, rings named after the
# test's pid, iiotd started in the foreground and stopped at exit.
#   daemon_setup            $T (temp dir), $RING_PREFIX
#   write_conf FILE [LINES...]   minimal config in $T plus extra lines
#   start_iiotd CONF        starts iiotd, waits for its socket; $IIOTD_PID
#   ctl ARGS...             iiotctl against the test's socket
#   wait_for DESC SECS CMD...   poll until CMD succeeds
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

daemon_setup() {
	T=$(mktemp -d /tmp/iiotd-test.XXXXXX)
	chmod 755 "$T"
	cleanup_push "rm -rf $T"
	RING_PREFIX=iiotd-t$$
	cleanup_push "rm -f /dev/shm/iiot/$RING_PREFIX-*"
	export IIOTD_SOCK=$T/state/iiotd.sock
}

write_conf() {
	local f=$1; shift
	# the web subsystem has its own tests; here it would only hold a port
	{
		printf '[iiotd]\nstate_dir = %s/state\n' "$T"
		printf '[api]\nenabled = no\n'
		printf '%s\n' "$@"
	} >"$f"
}

start_iiotd() {
	local conf=$1 i
	# IIOTD_LAUNCH=setsid: in a session of its own, as systemd runs it
	${IIOTD_LAUNCH:-} "$BIN/iiotd" -d -f "$conf" >>"$T/iiotd.log" 2>&1 &
	IIOTD_PID=$!
	cleanup_push "kill -9 $IIOTD_PID"
	for i in $(seq 100); do
		[ -S "$IIOTD_SOCK" ] && "$BIN/iiotctl" status >/dev/null 2>&1 &&
			return 0
		kill -0 "$IIOTD_PID" 2>/dev/null || break
		sleep 0.1
	done
	echo "# iiotd did not come up:"; sed 's/^/#   /' "$T/iiotd.log" | tail -20
	return 1
}

stop_iiotd() {
	kill -TERM "$IIOTD_PID" 2>/dev/null
	wait "$IIOTD_PID" 2>/dev/null
}

ctl() { "$BIN/iiotctl" "$@"; }

wait_for() {
	local what=$1 secs=$2 i; shift 2
	for i in $(seq $((secs * 10))); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}

# frames iiotd has drained so far
drained() { ctl status --json | jq -r '.frames'; }
