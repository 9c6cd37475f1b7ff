#!/usr/bin/env bash
# TLS and credentials against a real mosquitto: a CA made here by openssl
# signs the broker's certificate; the edge node verifies it (ca) and logs
# in with a username and a password file: its births reach a host on the
# same TLS listener.  A CA that did not sign the broker's certificate
# gets no session and says why once; a wrong password is refused, counted at every attempt
# and logged once, not once per attempt, with one ops.north.down alert.
. "$(dirname "$0")/lib_north.sh"
command -v mosquitto_passwd >/dev/null || skip_all "mosquitto_passwd missing"
north_setup
tls_pki || { fail "openssl makes the CAs and signs the broker's certificate"; exit 0; }
cd "$T" || exit 1
mosquitto_passwd -b -c passwd edge 's3cret edge' 2>/dev/null
mosquitto_passwd -b passwd host 'host pw' 2>/dev/null
printf 's3cret edge\n' >edge.pw
printf 'wrong\n' >wrong.pw
chmod 644 passwd ./*.pw
broker_start t "cafile $T/good-ca.pem" "certfile $T/server.pem" "keyfile $T/server.key" \
	"allow_anonymous false" "password_file $T/passwd" || { fail "mosquitto starts with TLS"; exit 0; }
sub_start t --cafile "$T/good-ca.pem" -u host -P 'host pw'
S=$T/sub-t.jsonl
url=mqtts://127.0.0.1:$PORT_t

north_conf "$T/iiotd.conf" "$url" -- "ca = $T/good-ca.pem" "username = edge" \
	"password_file = $T/edge.pw"
sim_start
start_iiotd "$T/iiotd.conf" || { fail "iiotd starts"; exit 0; }
wait_for "NBIRTH" 20 has "$S" '.topic == "spBv1.0/plant/NBIRTH/ipc1"' &&
	ok "over TLS with a verified certificate and a password: NBIRTH" ||
	fail "TLS session" "$(grep north "$T/iiotd.log" | tail -3)"
expect_eq "session" "$(nstat session) $(nstat connect_errors)" "online 0"
stop_iiotd

# a CA that did not sign the broker's certificate
north_conf "$T/other.conf" "$url" -- "ca = $T/other-ca.pem" "username = edge" \
	"password_file = $T/edge.pw" "retry = 200ms"
sed -i "s|^state_dir = .*|state_dir = $T/state2|" "$T/other.conf"
export IIOTD_SOCK=$T/state2/iiotd.sock
start_iiotd "$T/other.conf" || { fail "iiotd starts"; exit 0; }
wait_for "refused" 20 sh -c "[ \$($BIN/iiotctl stats --json | jq .north.connect_errors) -ge 2 ]" &&
	ok "a certificate the CA did not sign: no session ($(nstat connect_errors) attempts)" ||
	fail "TLS verification" "$(ctl stats --json | jq -c .north)"
expect_eq "never online" "$(nstat connects) $(nstat births)" "0 0"
msg=$(grep 'north: .*TLS handshake failed' "$T/iiotd.log")
case $msg in
*"certificate verify failed"*) ok "the reason said: $(echo "$msg" | head -1 | cut -d' ' -f3-)" ;;
*) fail "a clear TLS error" "$(grep north "$T/iiotd.log" | tail -3)" ;;
esac
expect_eq "said once, not once per attempt" "$(echo "$msg" | grep -c .)" 1
stop_iiotd

# a wrong password: refused each time, said once
north_conf "$T/wrong.conf" "$url" -- "ca = $T/good-ca.pem" "username = edge" \
	"password_file = $T/wrong.pw" "retry = 200ms"
sed -i "s|^state_dir = .*|state_dir = $T/state3|" "$T/wrong.conf"
export IIOTD_SOCK=$T/state3/iiotd.sock
: >"$T/iiotd.log"
start_iiotd "$T/wrong.conf" || { fail "iiotd starts"; exit 0; }
wait_for "refusals" 30 sh -c "[ \$($BIN/iiotctl stats --json | jq .north.connect_errors) -ge 4 ]" &&
	ok "a wrong password is refused at every attempt ($(nstat connect_errors))" ||
	fail "refusals" "$(ctl stats --json | jq -c .north)"
n=$(grep -c "refused the connection" "$T/iiotd.log")
expect_eq "and logged once: $(grep -m1 'refused the connection' "$T/iiotd.log" | cut -d' ' -f3-)" "$n" 1
expect_eq "never online" "$(nstat connects) $(nstat births)" "0 0"
a=$(ctl alerts --json | jq -c 'select(.rule == "ops.north.down")')
case $(echo "$a" | jq -r '"\(.severity) \(.detail)"') in
"warning "*"refused the connection: Connection Refused: not authorised"*"messages queued") ok "one alert says why: $(echo "$a" | jq -r .detail)" ;;
*) fail "ops.north.down alert on refused credentials" "$a" ;;
esac
expect_eq "raised once" "$(echo "$a" | grep -c .)" 1
echo "1..$_tap_n"
