#!/usr/bin/env bash
# Fleet mode over TLS: the platform (a Sparkplug host storing into a
# PostgreSQL the test starts) and an edge iiotd connect to a real
# mosquitto whose only listener is TLS, with a certificate signed by a CA
# openssl makes here; both verify it (ca) and log in with a password.  The
# edge's births and data reach PostgreSQL.  A platform given a CA that
# did not sign the broker's certificate gets no session and says why once
# (the handshake's "certificate verify failed"); a platform whose password
# the broker refuses says so once and raises one ops.fleet.down alert,
# not a reconnect message per attempt.
. "$(dirname "$0")/lib_fleet.sh"
command -v mosquitto_passwd >/dev/null || skip_all "mosquitto_passwd missing"
north_setup
tls_pki || { fail "openssl makes the CAs and signs the broker's certificate"; exit 0; }
mosquitto_passwd -b -c "$T/passwd" edge 'edge pw' 2>/dev/null
mosquitto_passwd -b "$T/passwd" host 'host pw' 2>/dev/null
printf 'edge pw\n' >"$T/edge.pw"
printf 'host pw\n' >"$T/host.pw"
printf 'wrong\n' >"$T/wrong.pw"
chmod 644 "$T/passwd" "$T"/*.pw
pg_start || { fail "PostgreSQL starts"; exit 0; }
broker_start a "cafile $T/good-ca.pem" "certfile $T/server.pem" "keyfile $T/server.key" \
	"allow_anonymous false" "password_file $T/passwd" || { fail "mosquitto starts with TLS"; exit 0; }
url=mqtts://127.0.0.1:$PORT_a
pstat() { ctl stats --json | jq -r ".fleet.$1"; }
atleast() { [ "$("${@:2}")" -ge "$1" ]; }
# platform CONF CA PASSWORD_FILE STATE: a platform iiotd on the TLS broker
platform() {
	write_conf "$T/$1" "[capture]" "ring = $RING_PREFIX-$4" "[fleet]" "broker = $url" \
		"host_id = fleet" "ca = $2" "username = host" "password_file = $3" \
		"postgres = $PGCONN" "flush = 100ms" "retry = 200ms"
	sed -i "s|^state_dir = .*|state_dir = $T/$4|" "$T/$1"
	export IIOTD_SOCK=$T/$4/iiotd.sock
	start_iiotd "$T/$1"
}

platform p.conf "$T/good-ca.pem" "$T/host.pw" state || { fail "the platform starts"; exit 0; }
P_PID=$IIOTD_PID
wait_for "online" 30 sh -c "[ \"\$($BIN/iiotctl stats --json | jq -r .fleet.session)\" = online ]" &&
	ok "the platform's session over TLS, the broker's certificate verified" ||
	fail "platform TLS session" "$(grep fleet "$T/iiotd.log" | tail -3)"
EDGE_BROKER=$url edge_start 1 small-cell "ca = $T/good-ca.pem" "username = edge" \
	"password_file = $T/edge.pw" "primary_host = fleet" "devices = all" "scan = 500ms" ||
	fail "the edge starts"
wait_for "stored" 60 atleast 1 pstat rows_stored &&
	ok "the edge's births and data over TLS, stored in PostgreSQL ($(pstat births) NBIRTH, $(pstat rows_stored) rows)" ||
	fail "edge -> platform over TLS" "$(ctl stats --json | jq -c .fleet) $(estat 1 session)"
expect_eq "rows of site1/ipc1 in fleet_metrics" \
	"$(psqlq "SELECT count(*) > 0 FROM fleet_metrics WHERE grp = 'site1' AND edge = 'ipc1'")" t
expect_eq "the edge: online, no failed attempt" "$(estat 1 session) $(estat 1 connect_errors)" "online 0"
expect_eq "the platform: no failed attempt" "$(pstat connect_errors)" 0
kill "$EDGE_1"; wait "$EDGE_1" 2>/dev/null
kill "$P_PID"; wait "$P_PID" 2>/dev/null

# a CA that did not sign the broker's certificate
: >"$T/iiotd.log"
platform other.conf "$T/other-ca.pem" "$T/host.pw" state2 || { fail "iiotd starts"; exit 0; }
wait_for "refused" 30 atleast 3 pstat connect_errors &&
	ok "a certificate the CA did not sign: no session ($(pstat connect_errors) attempts)" ||
	fail "TLS verification" "$(ctl stats --json | jq -c .fleet)"
expect_eq "never online" "$(pstat connects) $(pstat session)" "0 down"
msg=$(grep 'fleet: .*TLS handshake failed' "$T/iiotd.log")
case $msg in
*"certificate verify failed"*) ok "the reason said: $(echo "$msg" | head -1 | cut -d' ' -f3-)" ;;
*) fail "a clear TLS error" "$(grep fleet "$T/iiotd.log" | tail -3)" ;;
esac
expect_eq "said once, not once per attempt" "$(echo "$msg" | grep -c .)" 1
stop_iiotd

# a password the broker refuses
: >"$T/iiotd.log"
platform wrong.conf "$T/good-ca.pem" "$T/wrong.pw" state3 || { fail "iiotd starts"; exit 0; }
wait_for "refusals" 30 atleast 3 pstat connect_errors &&
	ok "a wrong password is refused at every attempt ($(pstat connect_errors))" ||
	fail "refusals" "$(ctl stats --json | jq -c .fleet)"
expect_eq "and logged once: $(grep -m1 'refused the connection' "$T/iiotd.log" | cut -d' ' -f3-)" \
	"$(grep -c 'fleet: .*refused the connection' "$T/iiotd.log")" 1
expect_eq "never online" "$(pstat connects)" 0
a=$(ctl alerts --json | jq -c 'select(.rule == "ops.fleet.down")')
case $(echo "$a" | jq -r '"\(.severity) \(.detail)"') in
"warning "*"refused the connection: Connection Refused: not authorised"*) ok "one alert says why: $(echo "$a" | jq -r .detail)" ;;
*) fail "ops.fleet.down alert on refused credentials" "$a" ;;
esac
expect_eq "raised once" "$(echo "$a" | grep -c .)" 1
stop_iiotd
pg_stop
echo "1..$_tap_n"
