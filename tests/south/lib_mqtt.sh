# The preamble of tests/south/mqtt.t and mqtt_tls.t: iiotd against a real
# mosquitto that it manages.  Source after tests/lib.sh and
# tests/api/lib_api.sh.
#
#   mqtt_setup TAG              skips without jq, mosquitto_pub or
#                               mosquitto; $MOSQUITTO; $S, a scratch
#                               directory iiotd and the broker write in
#                               (removed at exit unless KEEP is set);
#                               wait_for EXPR SECS (EXPR eval'ed)
#   mqtt_broker_start PORT      mosquitto on $S/mosquitto.conf ($MPID, its
#                               pid also in $S/mosquitto.pid, where iiotd's
#                               manage = local reads it); 1 when PORT does
#                               not listen within 10 s
#   mqtt_iiotd NAME LINES...    a second iiotd, no API, its state and
#                               socket in $S/NAME, its config $S/NAME.conf
#                               ([iiotd], [api] and LINES), its log
#                               $S/NAME.log; its pid in $XPID
#   mqtt_xstat NAME FILTER      jq FILTER of that iiotd's stats

mqtt_setup() {
	command -v jq >/dev/null || skip_all "jq not installed"
	command -v mosquitto_pub >/dev/null || skip_all "mosquitto_pub missing"
	MOSQUITTO=$(command -v mosquitto || echo /usr/sbin/mosquitto)
	[ -x "$MOSQUITTO" ] || skip_all "mosquitto missing"
	S=$(mktemp -d "/tmp/iiot-$1.XXXXXX")
	# iiotd writes the broker's files here as its own user
	chmod 777 "$S"
	[ -n "$KEEP" ] || cleanup_push "rm -rf $S"
}

wait_for() { local i; for i in $(seq $(($2 * 10))); do eval "$1" >/dev/null 2>&1 && return 0; sleep 0.1; done; return 1; }

mqtt_broker_start() {
	"$MOSQUITTO" -c "$S/mosquitto.conf" >"$S/mosquitto.log" 2>&1 &
	MPID=$!
	cleanup_push "kill -9 $MPID"
	echo "$MPID" >"$S/mosquitto.pid"
	wait_for "grep -q 'listen socket on port $1' '$S/mosquitto.log'" 10
}

mqtt_iiotd() {
	local name=$1; shift
	mkdir -m 777 "$S/$name"
	printf '%s\n' "[iiotd]" "state_dir = $S/$name" "socket = $S/$name/iiotd.sock" \
		"[api]" "enabled = no" "$@" >"$S/$name.conf"
	"$IIOTD" -d -f "$S/$name.conf" >"$S/$name.log" 2>&1 &
	XPID=$!
	cleanup_push "kill $XPID; wait $XPID"
}

mqtt_xstat() { IIOTD_SOCK=$S/$1/iiotd.sock "$BIN/iiotctl" stats --json | jq -r "$2"; }
