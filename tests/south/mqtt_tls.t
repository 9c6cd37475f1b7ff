#!/usr/bin/env bash
# MQTT devices with client certificates, against a real mosquitto with a
# TLS listener (require_certificate, use_identity_as_username) on a CA,
# a server certificate and client certificates this test makes with
# openssl: a device configured by its certificate's CN (cert_cn) publishes
# and becomes an inventory device with signals; a device added with
# iiotctl mqtt add --cert-cn gets no password and publishes with its
# certificate once the broker has reloaded the ACL iiotd wrote; a client
# certificate of another CA, and no client certificate, are refused by
# the broker; iiotd's own subscription is TLS with the server's
# certificate verified (its own client certificate, CN iiotd, is its
# broker user), and an iiotd given another CA does not connect and logs
# why (the certificate verification), counted in its stats.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../api/lib_api.sh"
. "$(dirname "$0")/lib_mqtt.sh"
command -v openssl >/dev/null || skip_all "openssl missing"
mqtt_setup mqtls
TP=$(free_port)

# a CA (NAME.pem, NAME.key), and certificates it signs: cert CA NAME CN EXT
ca() {
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-keyout "$S/$1.key" -out "$S/$1.pem" -days 2 -subj "/CN=$2" \
		-addext basicConstraints=critical,CA:TRUE \
		-addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
}
cert() {
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-keyout "$S/$2.key" -out "$S/$2.csr" -subj "/CN=$3" 2>/dev/null &&
	printf 'basicConstraints=CA:FALSE\n%s\n' "$4" >"$S/$2.ext" &&
	openssl x509 -req -in "$S/$2.csr" -CA "$S/$1.pem" -CAkey "$S/$1.key" \
		-CAcreateserial -out "$S/$2.pem" -days 2 -extfile "$S/$2.ext" 2>/dev/null
}
CLIENT=extendedKeyUsage=clientAuth
ca ca "iiot test CA" && ca rogue "another CA" &&
	cert ca server 127.0.0.1 "subjectAltName=IP:127.0.0.1
extendedKeyUsage=serverAuth" &&
	cert ca iiotd iiotd $CLIENT && cert ca meter meter-tls $CLIENT &&
	cert ca cam cam2 $CLIENT && cert rogue fake meter-tls $CLIENT ||
	{ fail "openssl makes the CA and the certificates"; exit 0; }
# iiotd and the broker run as iiotd's user: they read these
chmod 644 "$S"/*.key
expect_eq "the certificates verify against their CA, the fake one does not" \
	"$(for c in server iiotd meter cam fake; do openssl verify -CAfile "$S/ca.pem" "$S/$c.pem" >/dev/null 2>&1 && echo -n "$c "; done)" \
	"server iiotd meter cam "

# manage = local wants iiotd's password for the broker's password file;
# this listener does not read it: the certificate is the login
printf 'iiotd subscriber pw\n' >"$S/iiotd.pw"
api_start "[mqtt]" "broker = mqtts://127.0.0.1:$TP" "root = plant/tls" \
	"password_file = $S/iiotd.pw" \
	"ca = $S/ca.pem" "cert = $S/iiotd.pem" "key = $S/iiotd.key" \
	"manage = local" "passwd_file = $S/passwd" "acl_file = $S/acl" \
	"pid_file = $S/mosquitto.pid" "offline_after = 30" \
	"[mqtt.meter-tls]" "cert_cn = meter-tls" "interval = 1s" \
	"signal = p power number scale=0.001 unit=kW" "signal = v volts int unit=V"
[ -f "$S/acl" ] || { fail "iiotd starts and writes the ACL" "$(tail -5 "$D/iiotd.log")"; exit 0; }
expect_eq "the ACL: iiotd reads, the certificate's CN writes its topic" \
	"$(grep -v '^#' "$S/acl" | grep . | tr '\n' '|')" \
	"user iiotd|topic read plant/tls/#|user meter-tls|topic write plant/tls/meter-tls|"

RUN_USER=$(ps -o user= -p "$IIOTD_PID" | tr -d ' ')
cat >"$S/mosquitto.conf" <<CONF
user $RUN_USER
per_listener_settings true
listener $TP 127.0.0.1
cafile $S/ca.pem
certfile $S/server.pem
keyfile $S/server.key
require_certificate true
use_identity_as_username true
allow_anonymous false
acl_file $S/acl
CONF
mqtt_broker_start "$TP" || { fail "mosquitto starts" "$(tail -5 "$S/mosquitto.log")"; exit 0; }

wait_for "grep -q 'mqtt: subscribed to plant/tls/# on mqtts://127.0.0.1:$TP' '$D/iiotd.log'" 20 &&
	ok "iiotd subscribes over TLS, the server's certificate verified" ||
	fail "iiotd subscribes over TLS" "$(grep mqtt "$D/iiotd.log" | tail -3)"

ctl() { IIOTD_SOCK=$D/iiotd.sock "$BIN/iiotctl" "$@"; }
tpub() { mosquitto_pub -h 127.0.0.1 -p "$TP" -q 1 --cafile "$S/ca.pem" "$@"; }
tpub --cert "$S/meter.pem" --key "$S/meter.key" -t plant/tls/meter-tls -m '{"p":3500,"v":231}' 2>"$S/pub.err" &&
	ok "meter-tls publishes with its client certificate" ||
	fail "meter-tls publishes" "$(cat "$S/pub.err")"
# mosquitto_pub sends no user name: the broker's is the certificate's CN
grep -q "u'meter-tls')" "$S/mosquitto.log" && ok "the broker's user for it is its certificate's CN" ||
	fail "the user is the CN" "$(grep -i 'new client' "$S/mosquitto.log" | tail -3)"
wait_for '[ "$(ctl mqtt show meter-tls --json | jq -r "[.device.signals[].value] | join(\" \")")" = "3.5 231" ]' 10 &&
	ok "its values: iiotctl mqtt show meter-tls" || fail "meter-tls's values" "$(ctl mqtt show meter-tls --json)"
expect_eq "its auth is the certificate, its user the CN" \
	"$(ctl mqtt show meter-tls --json | jq -r '"\(.device.auth) \(.device.username)"')" "certificate meter-tls"
A=$D/admin
admin_enrol "$A" "plant supervisor 2026"
wait_for '[ "$(curl -sk -b '"$A"' '"$URL"'/api/v1/signals | jq -r "[.signals[] | select(.name == \"meter-tls.power\")] | length")" = 1 ]' 10 || true
req "$A" GET /signals
expect_eq "its signals are the model's, with unit and last value" \
	"$(jf '[.signals[] | select(.name | startswith("meter-tls.")) | "\(.name) \(.unit) \(.last)"] | sort | join(",")')" \
	"meter-tls.power kW 3.5,meter-tls.volts V 231"
wait_for '[ "$(curl -sk -b '"$A"' "'"$URL"'/api/v1/devices?kind=mqtt" | jq -r "[.devices[] | select(.label == \"mqtt:meter-tls\") | .online] | join(\"\")")" = true ]' 10 || true
req "$A" GET "/devices?kind=mqtt"
expect_eq "an inventory device, online" \
	"$(jf '[.devices[] | "\(.label) \(.online)"] | join(",")')" "mqtt:meter-tls true"

# refused by the broker: another CA's certificate of the same CN, and none
n=$(ctl mqtt show meter-tls --json | jq .device.counters.messages)
tpub --cert "$S/fake.pem" --key "$S/fake.key" -t plant/tls/meter-tls -m '{"p":1,"v":1}' 2>"$S/fake.err" &&
	fail "a certificate of another CA is refused" ||
	ok "a certificate of another CA is refused by the broker ($(head -1 "$S/fake.err"))"
tpub -t plant/tls/meter-tls -m '{"p":1,"v":1}' 2>"$S/none.err" &&
	fail "no client certificate is refused" ||
	ok "no client certificate is refused by the broker ($(head -1 "$S/none.err"))"
# a message that got through would be in the counters by the time this
# one of meter-tls is
tpub --cert "$S/meter.pem" --key "$S/meter.key" -t plant/tls/meter-tls -m '{"p":3600,"v":232}'
wait_for '[ "$(ctl mqtt show meter-tls --json | jq -r "[.device.signals[].value] | join(\" \")")" = "3.6 232" ]' 10
expect_eq "only meter-tls's own messages reached iiotd" \
	"$(ctl mqtt show meter-tls --json | jq ".device.counters.messages - $n")" 1

# a device added with its certificate's CN: no password; it publishes once
# the broker has reloaded the ACL
ctl mqtt add cam2 --cert-cn cam2 --interval 1s 'lux lux number unit=lx' >"$S/add.out" 2>&1 &&
	ok "iiotctl mqtt add cam2 --cert-cn cam2" || fail "add cam2" "$(cat "$S/add.out")"
expect_eq "a certificate device gets no password" \
	"$(cat "$S/add.out")" "cam2 added: topic plant/tls/cam2, user cam2 (certificate)"
wait_for "tpub --cert '$S/cam.pem' --key '$S/cam.key' -t plant/tls/cam2 -m '{\"lux\":410}' && [ \"\$(ctl mqtt show cam2 --json | jq .device.signals[0].value)\" = 410 ]" 15 &&
	ok "cam2 publishes with its certificate after the reload" ||
	fail "cam2's value" "$(ctl mqtt show cam2 --json | head -c 400)"
# the ACL holds for certificate users too
tpub --cert "$S/cam.pem" --key "$S/cam.key" -t plant/tls/meter-tls -m '{"p":1,"v":1}'
tpub --cert "$S/meter.pem" --key "$S/meter.key" -t plant/tls/meter-tls -m '{"p":3700,"v":233}'
wait_for '[ "$(ctl mqtt show meter-tls --json | jq -r "[.device.signals[].value] | join(\" \")")" = "3.7 233" ]' 10
expect_eq "cam2 publishing on meter-tls's topic is denied by the ACL" \
	"$(ctl mqtt show meter-tls --json | jq ".device.counters.messages - $n")" 2

# iiotd given another CA: the broker's certificate does not verify
mqtt_iiotd bad "[mqtt]" "broker = mqtts://127.0.0.1:$TP" "root = plant/tls" \
	"client_id = iiotd-wrong-ca" "ca = $S/rogue.pem" "cert = $S/iiotd.pem" "key = $S/iiotd.key"
BPID=$XPID
wait_for "grep -q 'mqtt: mqtts://127.0.0.1:$TP: ' '$S/bad.log'" 20 &&
	grep -q "certificate verify failed" "$S/bad.log" &&
	ok "an iiotd with another CA logs why it cannot connect ($(grep -o 'mqtt: mqtts.*' "$S/bad.log" | head -1))" ||
	fail "another CA: the reason logged" "$(grep mqtt "$S/bad.log" | tail -3)"
bstat() { mqtt_xstat bad "$1"; }
wait_for '[ "$(bstat ".mqtt.connect_errors > 0 and (.mqtt.connected | not)")" = true ]' 10 &&
	ok "and counts it, not connected" || fail "connect_errors" "$(bstat .mqtt)"
grep -q "subscribed" "$S/bad.log" && fail "it never subscribes" "$(grep mqtt "$S/bad.log")" ||
	ok "it never subscribes"
kill "$BPID"; wait "$BPID" 2>/dev/null
kill "$MPID"
wait "$MPID" 2>/dev/null
