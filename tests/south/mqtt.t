#!/usr/bin/env bash
# MQTT devices against a real mosquitto that iiotd manages: iiotd writes
# the broker's password file (hashed) and ACL from its device list, and
# the broker runs on them on a free loopback port.  A device configured
# in iiotd.conf (its hash made by mosquitto_passwd) and a device added
# through the API (its password shown once) publish JSON with their own
# credentials, and the values land as signals (the API's /signals and
# /mqtt/devices).  A wrong password is refused by the broker; a device
# publishing to the other's topic is denied by the ACL; a publisher on a
# topic no device has (through a second, open listener of the same
# broker) raises mqtt.publisher.unknown; malformed JSON is counted and
# iiotd goes on; a silent device goes offline; a removed device's
# credentials stop working once the broker has reloaded.  iiotctl mqtt
# lists, shows, adds (printing the password once) and removes a device
# through the control socket, audited under the unix user.  An iiotd
# refused by the broker counts each refusal once in connect_errors.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../api/lib_api.sh"
. "$(dirname "$0")/lib_mqtt.sh"
command -v mosquitto_passwd >/dev/null || skip_all "mosquitto_passwd missing"
mqtt_setup mqtt
P=$(free_port)
OPEN=$(free_port)
printf 'iiotd subscriber pw\n' >"$S/iiotd.pw"
mosquitto_passwd -b -c "$S/meter.passwd" meter1 'meter one pw' 2>/dev/null
HASH=$(cut -d: -f2- "$S/meter.passwd")

api_start "[mqtt]" "broker = mqtt://127.0.0.1:$P" "root = plant/dev" \
	"password_file = $S/iiotd.pw" "manage = local" \
	"passwd_file = $S/passwd" "acl_file = $S/acl" "pid_file = $S/mosquitto.pid" \
	"offline_after = 2" \
	"[mqtt.meter1]" "password_hash = $HASH" "interval = 1s" "time = ts" \
	"signal = m.p power number scale=0.001 unit=kW" \
	"signal = m.v[1] v2 int unit=V" \
	"signal = ok healthy bool"
[ -f "$S/passwd" ] || { fail "iiotd starts and writes the broker files" "$(tail -5 "$D/iiotd.log")"; exit 0; }
expect_eq "iiotd wrote the broker's password file: its user and meter1's hash" \
	"$(cut -d: -f1 "$S/passwd" | tr '\n' ' ')" "iiotd meter1 "
grep -q '^meter1:\$7\$' "$S/passwd" && ! grep -q 'subscriber pw' "$S/passwd" &&
	ok "hashes only in the password file" || fail "hashes only" "$(cat "$S/passwd")"
expect_eq "the ACL: iiotd reads the device space, meter1 writes its topic" \
	"$(grep -v '^#' "$S/acl" | grep . | tr '\n' '|')" \
	"user iiotd|topic read plant/dev/#|user meter1|topic write plant/dev/meter1|"

# the broker on iiotd's files, and a second listener without them: a
# publisher no device list knows
# the broker runs as iiotd's user: it reads the files iiotd wrote, and
# iiotd may send it SIGHUP (docs/devices.md)
RUN_USER=$(ps -o user= -p "$IIOTD_PID" | tr -d ' ')
cat >"$S/mosquitto.conf" <<CONF
user $RUN_USER
per_listener_settings true
listener $P 127.0.0.1
allow_anonymous false
password_file $S/passwd
acl_file $S/acl
listener $OPEN 127.0.0.1
allow_anonymous true
CONF
mqtt_broker_start "$OPEN" || { fail "mosquitto starts" "$(tail -5 "$S/mosquitto.log")"; exit 0; }

A=$D/admin
admin_enrol "$A" "plant supervisor 2026"
stat() { req "$A" GET /mqtt/devices/"$1"; jf "$2"; }
wait_for '[ "$(curl -sk -b '"$A"' '"$URL"'/api/v1/mqtt/devices >/dev/null; sed -n "s/.*mqtt: subscribed to plant.dev.# .*/yes/p" '"$D"'/iiotd.log | head -1)" = yes ]' 20 &&
	ok "iiotd's subscriber logs in with its own credentials" ||
	fail "iiotd subscribes" "$(grep mqtt "$D/iiotd.log" | tail -3)"

# a device added through the API: its password once
req "$A" POST /mqtt/devices '{"name":"press2","interval":"1s","signals":["temp.c t number unit=degC","state[0] phase int"]}'
expect_eq "POST /mqtt/devices: 201, its topic, a password" \
	"$CODE $(jf .topic) $(jf '.password | length')" "201 plant/dev/press2 24"
PW2=$(jf .password)
req "$A" GET /mqtt/devices/press2
expect_eq "the password is shown once: not in GET" "$CODE $(jf 'has("password")')" "200 false"
grep -q '^press2:\$7\$' "$S/passwd" && grep -q "topic write plant/dev/press2" "$S/acl" &&
	ok "the broker's files now have press2" || fail "press2 in the broker files" "$(cat "$S/acl")"
# (out and responses.jsonl are this test's copies of the answer)
grep -rq --exclude=out --exclude=responses.jsonl "$PW2" "$D" "$S/passwd" "$S/acl" &&
	fail "the password is stored nowhere" "$(grep -rl --exclude=out --exclude=responses.jsonl "$PW2" "$D" "$S")" ||
	ok "the password is stored nowhere (devices file, broker files, audit)"
req "$A" POST /mqtt/devices '{"name":"bad","signals":["a..b x"]}'
expect_eq "a bad signal line: 400 naming it" "$CODE $(jf .error)" "400 signals[0]: path 'a..b': step 2: a name is 1-63 letters, digits, '_' or '-'"
req "$A" POST /mqtt/devices '{"name":"press2","signals":["a x"]}'
expect_eq "a name taken: 409" "$CODE" 409

# the broker reloaded (SIGHUP) before press2 can log in
pub() { mosquitto_pub -p "$P" -q 1 "$@"; }
wait_for "pub -u press2 -P '$PW2' -t plant/dev/press2 -m '{\"temp\":{\"c\":71.5},\"state\":[3]}'" 10 &&
	ok "press2 publishes with the password it was given" ||
	fail "press2 publishes" "$(tail -3 "$S/mosquitto.log")"
pub -u meter1 -P 'meter one pw' -t plant/dev/meter1 \
	-m '{"m":{"p":12500,"v":[230,231]},"ok":true,"ts":"2026-12-05T13:00:00Z"}' &&
	ok "meter1 publishes with its password" || fail "meter1 publishes"
wait_for '[ "$(curl -sk -b '"$A"' '"$URL"'/api/v1/mqtt/devices/meter1 | jq -r "[.signals[].value] | join(\" \")")" = "12.5 231 1" ]' 10 &&
	ok "meter1's values: scaled, indexed, bool" ||
	fail "meter1's values" "$(stat meter1 .)"
wait_for '[ "$(curl -sk -b '"$A"' '"$URL"'/api/v1/mqtt/devices/press2 | jq -r "[.signals[].value] | join(\" \")")" = "71.5 3" ]' 10 &&
	ok "press2's values" || fail "press2's values" "$(stat press2 .)"
expect_eq "meter1's time is the payload's" \
	"$(stat meter1 '.signals[0].ts_ns')" 1796475600000000000
# the API's signals and devices come from the model's snapshot, which may
# lag the MQTT endpoint's own view by a snapshot period: wait for it
snap_signals() {
	curl -sk -b "$A" "$URL/api/v1/signals" | jq -r '[.signals[] | select(.name == "meter1.power" or .name == "press2.t") | "\(.name) \(.unit) \(.last)"] | sort | join(",")'
}
wait_for '[ "$(snap_signals)" = "meter1.power kW 12.5,press2.t degC 71.5" ]' 10 || true
req "$A" GET /signals
expect_eq "they are signals with device and unit: meter1.power, press2.t" \
	"$(jf '[.signals[] | select(.name == "meter1.power" or .name == "press2.t") | "\(.name) \(.unit) \(.last)"] | sort | join(",")')" \
	"meter1.power kW 12.5,press2.t degC 71.5"
# a device is online for offline_after (2) intervals of 1 s after its
# last message, and the checks above can take longer on a loaded machine:
# both publish again until the snapshot has them online
both_online() {
	pub -u meter1 -P 'meter one pw' -t plant/dev/meter1 \
		-m '{"m":{"p":12500,"v":[230,231]},"ok":true,"ts":"2026-12-05T13:00:00Z"}'
	pub -u press2 -P "$PW2" -t plant/dev/press2 -m '{"temp":{"c":71.5},"state":[3]}'
	sleep 0.3
	req "$A" GET "/devices?kind=mqtt"
	[ "$(jf '[.devices[] | .online] | all')" = true ]
}
wait_for both_online 10 || true
expect_eq "both in the inventory: kind mqtt, online, commissioned" \
	"$(jf '[.devices[] | "\(.label) \(.online) \(.lifecycle)"] | sort | join(",")')" \
	"mqtt:meter1 true commissioned,mqtt:press2 true commissioned"

# the broker enforces the credentials and the ACL iiotd wrote
pub -u meter1 -P 'wrong' -t plant/dev/meter1 -m '{"ok":false}' 2>"$S/wrong.err" &&
	fail "a wrong password is refused" || ok "a wrong password is refused by the broker ($(head -1 "$S/wrong.err"))"
n=$(stat press2 .counters.messages)
pub -u meter1 -P 'meter one pw' -t plant/dev/press2 -m '{"temp":{"c":-99},"state":[0]}'
pub -u press2 -P "$PW2" -t plant/dev/press2 -m '{"temp":{"c":72},"state":[4]}'
wait_for '[ "$(curl -sk -b '"$A"' '"$URL"'/api/v1/mqtt/devices/press2 | jq -r .counters.messages)" = '"$((n + 1))"' ]' 10
expect_eq "meter1 publishing on press2's topic is denied by the ACL: press2 got only its own" \
	"$(stat press2 '"\(.counters.messages - '"$n"') \(.signals[0].value)"')" "1 72"

# malformed JSON: counted, nothing taken, iiotd goes on
pub -u meter1 -P 'meter one pw' -t plant/dev/meter1 -m '{"m":{"p":'
pub -u meter1 -P 'meter one pw' -t plant/dev/meter1 -m "$(head -c 70000 /dev/zero | tr '\0' 'x')"
wait_for '[ "$(curl -sk -b '"$A"' '"$URL"'/api/v1/mqtt/devices/meter1 | jq -r .counters.malformed)" = 2 ]' 10
expect_eq "malformed and oversized payloads counted, the last value kept" \
	"$(stat meter1 '"\(.counters.malformed) \(.signals[0].value)"')" "2 12.5"
kill -0 "$IIOTD_PID" && ok "iiotd is still running" || fail "iiotd is still running"

# a publisher on a topic no device has
mosquitto_pub -p "$OPEN" -t plant/dev/ghost/x -m '{"m":1}'
wait_for '[ "$(curl -sk -b '"$A"' "'"$URL"'/api/v1/alerts" | jq -r "[.alerts[] | select(.rule == \"mqtt.publisher.unknown\")] | length")" = 1 ]' 10 &&
	ok "an unknown publisher raises mqtt.publisher.unknown" ||
	fail "mqtt.publisher.unknown" "$(curl -sk -b "$A" "$URL/api/v1/alerts" | head -c 400)"
grep -q "mqtt: a message on plant/dev/ghost/x, which no device has" "$D/iiotd.log" &&
	ok "and is logged" || fail "logged" "$(grep mqtt "$D/iiotd.log" | tail -3)"

# silence: offline after offline_after (2) intervals of 1 s
wait_for '[ "$(curl -sk -b '"$A"' '"$URL"'/api/v1/mqtt/devices/meter1 | jq -r .state)" = offline ]' 20 &&
	ok "a silent device goes offline" || fail "offline" "$(stat meter1 .state)"
snap_meter1() {
	curl -sk -b "$A" "$URL/api/v1/devices?kind=mqtt" | jq -r '[.devices[] | select(.label == "mqtt:meter1") | "\(.online)"] | join("")'
}
wait_for '[ "$(snap_meter1)" = false ]' 10 || true
req "$A" GET "/devices?kind=mqtt"
expect_eq "offline in the inventory too, last seen kept" \
	"$(jf '[.devices[] | select(.label == "mqtt:meter1") | "\(.online) \(.last_seen_ns > 0)"] | join("")')" "false true"

# iiotctl mqtt: the same operations through the control socket, as the
# local unix user (audited under that name)
ctl() { IIOTD_SOCK=$D/iiotd.sock "$BIN/iiotctl" mqtt "$@"; }
expect_eq "iiotctl mqtt list: meter1 and press2, their topic and auth" \
	"$(ctl list | awk '{print $1, $3, $4}' | sort | tr '\n' ',')" \
	"meter1 plant/dev/meter1 password,press2 plant/dev/press2 password,"
ctl add press3 --interval 1s 'temp.c t number unit=degC' 'n cycles int' >"$S/add3.out" 2>&1 &&
	ok "iiotctl mqtt add press3" || fail "iiotctl mqtt add press3" "$(cat "$S/add3.out")"
PW3=$(sed -n 's/^password for press3: //p' "$S/add3.out")
expect_eq "add prints its topic and a password once" \
	"$(head -1 "$S/add3.out") ${#PW3}" "press3 added: topic plant/dev/press3, user press3 (password) 24"
ctl show press3 --json | jq -e 'has("password") | not' >/dev/null &&
	ok "show does not have the password" || fail "show has no password" "$(ctl show press3 --json)"
ctl add press3 'a x' 2>"$S/dup.err" && fail "a name taken is refused" ||
	expect_eq "a name taken is refused, saying why" "$(cat "$S/dup.err")" "iiotctl: iiotd: device press3 exists"
ctl add bad3 'a..b x' 2>"$S/bad.err" && fail "a bad signal line is refused" ||
	grep -q "signals\[0\]: path 'a..b'" "$S/bad.err" && ok "a bad signal line is refused, naming it" ||
	fail "a bad signal line" "$(cat "$S/bad.err")"
# control socket requests limited to one 1024-byte line: a device with
# many signals did not fit; now up to 64 KiB, as the API's bodies
mapfile -t MANY < <(for i in $(seq 200); do printf 's.v%03d v%03d number unit=kW\n' "$i" "$i"; done)
ctl add press4 "${MANY[@]}" >"$S/add4.out" 2>&1 &&
	expect_eq "iiotctl mqtt add with 200 signals (a request of $(($(printf '%s' "${MANY[*]}" | wc -c) / 1024)) KiB)" \
		"$(ctl show press4 --json | jq '.device.signals | length')" 200 ||
	fail "iiotctl mqtt add with 200 signals" "$(cat "$S/add4.out")"
expect_eq "...removed again" "$(ctl remove press4)" "press4: removed"
LONG=$(head -c 300 /dev/zero | tr '\0' u)
mapfile -t HUGE < <(for i in $(seq 256); do printf 's.v%03d v%03d number unit=%s\n' "$i" "$i" "$LONG"; done)
ctl add press5 "${HUGE[@]}" 2>"$S/huge.err" && fail "a device past 64 KiB is refused" ||
	expect_eq "a device past 64 KiB: refused by iiotctl, saying the limit" "$(cat "$S/huge.err")" \
		"iiotctl mqtt: the device is longer than a control socket request may be (65536 bytes)"
wait_for "pub -u press3 -P '$PW3' -t plant/dev/press3 -m '{\"temp\":{\"c\":55.25},\"n\":7}'" 10 &&
	ok "press3 publishes with the password iiotctl printed" ||
	fail "press3 publishes" "$(tail -3 "$S/mosquitto.log")"
wait_for '[ "$(ctl show press3 --json | jq -r "[.device.signals[].value] | join(\" \")")" = "55.25 7" ]' 10 &&
	ok "iiotctl mqtt show press3: its values" || fail "press3's values" "$(ctl show press3)"
ctl show press3 | grep -q '^  t .*55.25 degC' && ok "show prints each signal with its value and unit" ||
	fail "show's signal lines" "$(ctl show press3)"
ctl show nosuch 2>"$S/nosuch.err" && fail "show nosuch fails" ||
	expect_eq "show of no such device" "$(cat "$S/nosuch.err")" "iiotctl: iiotd: no MQTT device 'nosuch'"
ctl remove meter1 2>"$S/rm1.err" && fail "iiotd.conf's device cannot be removed" ||
	grep -q "is iiotd.conf's" "$S/rm1.err" && ok "iiotctl cannot remove iiotd.conf's device" ||
	fail "remove meter1" "$(cat "$S/rm1.err")"
expect_eq "iiotctl mqtt remove press3" "$(ctl remove press3)" "press3: removed"
wait_for "! pub -u press3 -P '$PW3' -t plant/dev/press3 -m '{}'" 10 &&
	ok "press3's credentials are refused after the reload" ||
	fail "press3 refused after removal" "$(cat "$S/passwd")"
ME=$(id -un)
req "$A" GET "/audit?limit=100"
expect_eq "iiotctl's add, refusals and remove are audited under the unix user" \
	"$(jf '[.entries[] | select(.target == "mqtt press3") | "\(.user) \(.action) \(.result)"] | reverse | join(",")')" \
	"$ME mqtt.add ok,$ME mqtt.add fail,$ME mqtt.remove ok"
grep -rq --exclude=out --exclude=responses.jsonl "$PW3" "$D" "$S/passwd" "$S/acl" &&
	fail "press3's password is stored nowhere" || ok "press3's password is stored nowhere (audit included)"

# removal: only API devices; the broker reloads without press2
req "$A" DELETE /mqtt/devices/meter1
expect_eq "a device of iiotd.conf cannot be removed through the API" "$CODE" 409
req "$A" DELETE /mqtt/devices/press2
expect_eq "DELETE /mqtt/devices/press2" "$CODE" 200
wait_for "! pub -u press2 -P '$PW2' -t plant/dev/press2 -m '{}'" 10 &&
	ok "a removed device's credentials are refused after the reload" ||
	fail "press2 refused after removal" "$(cat "$S/passwd")"
req "$A" GET "/audit?limit=50"
expect_eq "added, refused and removed are audited" \
	"$(jf '[.entries[] | select(.target == "mqtt press2")] | length')" 3
grep -q "$PW2" "$D/out" && fail "the audit rows hold no password" || ok "the audit rows hold no password"
# a state conflict (409, the name taken) is not a gate's refusal: fail
# through the API and iiotctl alike (iiotctl's rows said denied)
expect_eq "a name taken (409) is audited as fail through the API and iiotctl alike" \
	"$(jf '[.entries[] | select(.detail.status? == 409 and (.action == "mqtt.add" or .action == "POST /api/v1/mqtt/devices")) | "\(.addr == "ctl") \(.result)"] | sort | join(",")')" \
	"false fail,true fail"

# connect_errors counted twice for one refused login: an iiotd whose own
# password the broker refuses counts each refusal once (the CONNACK's
# refusal, not again as the broker closes); each is one log line
printf 'not the password\n' >"$S/wrong.pw"
mqtt_iiotd wrong "[mqtt]" "broker = mqtt://127.0.0.1:$P" "root = plant/dev" \
	"client_id = iiotd-wrong-pw" "password_file = $S/wrong.pw"
WPID=$XPID
refusals() { grep -c "mqtt: the broker refused iiotd" "$S/wrong.log"; }
wstat() { mqtt_xstat wrong "$1"; }
wait_for '[ "$(refusals)" -ge 3 ]' 30 ||
	fail "the broker refuses a wrong password" "$(grep mqtt "$S/wrong.log" | tail -3)"
# the counter is read first: a refusal after it only adds a log line
wait_for 'e=$(wstat .mqtt.connect_errors); [ "$e" -ge 3 ] && [ "$e" -le "$(refusals)" ]' 10 &&
	ok "a refused login is counted once in connect_errors ($(wstat .mqtt.connect_errors) for $(refusals) refusals)" ||
	fail "connect_errors once per refusal" "connect_errors $(wstat .mqtt.connect_errors), refusals $(refusals)"
expect_eq "...and never connected" "$(wstat .mqtt.connected)" false
kill "$WPID"; wait "$WPID" 2>/dev/null

openapi_check
kill "$MPID"
wait "$MPID" 2>/dev/null
