#!/usr/bin/env bash
# The HTTPS API against a real iiotd: first run, login + password change +
# TOTP enrolment, second factor, replay, CSRF, sessions, tokens, settings and
# the audit chain.  The route x role matrix is in matrix.t; TLS and request
# limits in tls.t.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib_api.sh"
api_start

grep -q "sign in at $URL/ as 'admin' with the one-time password: " "$D/iiotd.log" &&
	ok "first run prints the URL and a one-time admin password" ||
	fail "first run prints the URL and a one-time admin password" "$(cat "$D/iiotd.log")"
expect_eq "one-time password is 20 characters" "${#ADMIN_PW}" 20

A=$D/admin
req "$A" GET /health
expect_eq "health is public" "$CODE $(jf .status)" "200 ok"
hdrs=$(curl -sk -D - -o /dev/null "$URL/")
for h in "Strict-Transport-Security: max-age=" "X-Content-Type-Options: nosniff" \
	"Referrer-Policy: no-referrer" "frame-ancestors 'none'" "Content-Security-Policy: default-src 'self'"; do
	grep -qF "$h" <<<"$hdrs" && ok "header: $h" || fail "header: $h" "$hdrs"
done
grep -qi "unsafe-inline" <<<"$hdrs" && fail "CSP has no unsafe-inline" || ok "CSP has no unsafe-inline"

req "$A" GET /devices
expect_eq "anonymous: 401 with a JSON reason" "$CODE $(jf .error)" "401 login required"

req "$A" POST /login '{"username":"admin","password":"wrong password!"}'
expect_eq "wrong password refused" "$CODE $(jf .error)" "401 invalid user name or password"
req "$A" POST /login '{"username":"admin"}'
expect_eq "malformed login: 400" "$CODE" "400"
req "$A" POST /login 'not json'
expect_eq "non-JSON body: 400 with reason" "$CODE $(jf .error)" "400 body is not valid JSON"
code=$(curl -sk -o "$D/out" -w '%{http_code}' -H 'Content-Type: text/plain' --data-binary '{}' "$URL/api/v1/login")
expect_eq "wrong content type: 415" "$code $(jf .error)" "415 Content-Type must be application/json"

rm -f "$A"
req "$A" POST /login "{\"username\":\"admin\",\"password\":\"$ADMIN_PW\"}" -D "$D/hdr"
expect_eq "first login: enrolment and password change owed" "$CODE $(jf .stage) $(jf .must_change)" "200 enroll true"
jf .csrf >"$A.csrf"
cookie=$(grep -i '^set-cookie:' "$D/hdr" | tr -d '\r')
case $cookie in *"__Host-iiot="*"; Path=/; Secure; HttpOnly; SameSite=Strict"*) ok "cookie __Host- Secure HttpOnly SameSite=Strict" ;;
	*) fail "cookie attributes" "$cookie" ;; esac
sid=$(sed -n 's/.*__Host-iiot=\([0-9a-f]*\);.*/\1/p' <<<"$cookie")
expect_eq "session id has 256 bits" "${#sid}" 64

req "$A" GET /devices
expect_eq "half session reaches nothing else" "$CODE $(jf .error)" "403 password change required"
code=$(curl -sk -o "$D/out" -w '%{http_code}' -b "$A" -H 'X-CSRF-Token: 00' -H 'Content-Type: application/json' \
	--data-binary '{"old":"x","new":"y"}' "$URL/api/v1/password")
CODE=$code
expect_eq "state change with a wrong CSRF token: 403" "$CODE $(jf .error)" "403 CSRF token missing or wrong"
req "$A" POST /password "{\"old\":\"$ADMIN_PW\",\"new\":\"short\"}"
expect_eq "password policy: 12 characters" "$CODE $(jf .error)" "400 password must have at least 12 characters"
NEWPW="plant supervisor 2026"
req "$A" POST /password "{\"old\":\"$ADMIN_PW\",\"new\":\"$NEWPW\"}"
expect_eq "password changed" "$CODE $(jf .must_change)" "200 false"
jf .csrf >"$A.csrf"

req "$A" GET /devices
expect_eq "MFA enrolment still owed" "$CODE $(jf .error)" "403 MFA enrolment required"
req "$A" POST /mfa/enroll
SECRET=$(jf .secret)
expect_eq "enrolment gives a 160-bit base32 secret" "$CODE ${#SECRET}" "200 32"
case $(jf .otpauth) in "otpauth://totp/iiot:admin?secret=$SECRET&issuer=iiot"*) ok "otpauth URI" ;; *) fail "otpauth URI" "$BODY" ;; esac
case $(jf .qr_svg) in "<svg "*"</svg>") ok "QR code as SVG" ;; *) fail "QR code as SVG" ;; esac
req "$A" POST /mfa/confirm '{"code":"000000"}'
expect_eq "wrong enrolment code refused" "$CODE" "400"
req "$A" POST /mfa/confirm "{\"code\":\"$(totp "$SECRET")\"}"
expect_eq "enrolment confirmed: full session" "$CODE $(jf .stage)" "200 ok"
expect_eq "ten recovery codes" "$(jf '.recovery_codes | length')" "10"
RECOVERY=$(jf '.recovery_codes[0]')
jf .csrf >"$A.csrf"
req "$A" GET /users
expect_eq "admin reaches users" "$CODE" "200"

# second login: the second factor is required, the same code is refused
B=$D/b
rm -f "$B"
req "$B" POST /login "{\"username\":\"admin\",\"password\":\"$NEWPW\"}"
expect_eq "login with TOTP enrolled: second factor owed" "$CODE $(jf .stage)" "200 mfa"
jf .csrf >"$B.csrf"
sid1=$(awk '$6 == "__Host-iiot" {print $7}' "$B")
req "$B" GET /devices
expect_eq "no data before the second factor" "$CODE $(jf .error)" "403 second factor required"
req "$B" POST /login/totp '{"code":"123456"}'
expect_eq "wrong TOTP code" "$CODE $(jf .error)" "401 wrong code"
req "$B" POST /login/totp "{\"code\":\"$(totp "$SECRET")\"}"
if [ "$CODE" != 200 ]; then req "$B" POST /login/totp "{\"code\":\"$(totp "$SECRET" 1)\"}"; fi
expect_eq "TOTP accepted" "$CODE $(jf .stage)" "200 ok"
sid2=$(awk '$6 == "__Host-iiot" {print $7}' "$B")
[ -n "$sid2" ] && [ "$sid1" != "$sid2" ] && ok "new session id after the second factor" || fail "session id rotated" "$sid1 $sid2"
used=$(totp "$SECRET")
C=$D/c
rm -f "$C"
req "$C" POST /login "{\"username\":\"admin\",\"password\":\"$NEWPW\"}"
jf .csrf >"$C.csrf"
req "$C" POST /login/totp "{\"code\":\"$(totp "$SECRET" -1)\"}"
expect_eq "a code at or before the last used step is refused" "$CODE $(jf .error)" "401 code already used"
req "$C" POST /login/totp "{\"code\":\"$RECOVERY\"}"
expect_eq "recovery code accepted once" "$CODE" "200"
jf .csrf >"$C.csrf"
req "$C" POST /logout
expect_eq "logout" "$CODE" "200"
req "$C" GET /session
expect_eq "after logout the session is gone server-side" "$CODE" "401"
curl -sk -o /dev/null -w '%{http_code}' -H "Cookie: __Host-iiot=$sid1" "$URL/api/v1/session" >"$D/code"
expect_eq "the pre-MFA session id is dead" "$(cat "$D/code")" "401"

# users: create, one-time password, must change, sessions end on password change
req "$A" POST /users '{"name":"op1","role":"operator"}'
OP_PW=$(jf .one_time_password)
expect_eq "user created with a one-time password" "$CODE ${#OP_PW}" "201 20"
req "$A" POST /users '{"name":"op1","role":"operator"}'
expect_eq "duplicate user: 409" "$CODE" "409"
req "$A" POST /users '{"name":"x y","role":"operator"}'
expect_eq "bad user name: 400" "$CODE" "400"
req "$A" POST /users '{"name":"z","role":"root"}'
expect_eq "unknown role: 400" "$CODE" "400"
O1=$D/o1 O2=$D/o2
login "$O1" op1 "$OP_PW"
expect_eq "operator must change the one-time password" "$(jf .must_change) $(jf .stage)" "true ok"
req "$O1" POST /password "{\"old\":\"$OP_PW\",\"new\":\"operator pass 2026\"}"
jf .csrf >"$O1.csrf"
login "$O2" op1 "operator pass 2026"
req "$O2" GET /devices
expect_eq "operator without MFA requirement: full session" "$CODE" "200"
req "$O1" POST /password '{"old":"operator pass 2026","new":"operator pass 2027"}'
jf .csrf >"$O1.csrf"
expect_eq "password change" "$CODE" "200"
req "$O2" GET /devices
expect_eq "password change ends the user's other sessions" "$CODE" "401"
req "$O1" GET /devices
expect_eq "the session that changed it continues" "$CODE" "200"

# API tokens: shown once, scoped to a role, revocable
req "$A" POST /tokens '{"name":"mes","role":"viewer"}'
TOK=$(jf .token) TOKID=$(jf .id)
expect_eq "token created" "$CODE ${TOK:0:5} ${#TOK}" "201 iiot_ 69"
code=$(curl -sk -o "$D/out" -w '%{http_code}' -H "Authorization: Bearer $TOK" "$URL/api/v1/devices")
expect_eq "token reaches what its role may" "$code" "200"
code=$(curl -sk -o "$D/out" -w '%{http_code}' -H "Authorization: Bearer $TOK" "$URL/api/v1/users")
expect_eq "token refused beyond its role" "$code $(jf .error)" "403 role viewer lacks permission user.read"
code=$(curl -sk -o "$D/out" -w '%{http_code}' -X POST -H "Authorization: Bearer $TOK" -H 'Content-Type: application/json' -d '{}' "$URL/api/v1/password")
expect_eq "tokens cannot use interactive routes" "$code" "403"
curl -sk -N --max-time 3 -H "Authorization: Bearer $TOK" "$URL/api/v1/events" >"$D/sse" 2>/dev/null
n=$(grep -c '^event: live' "$D/sse")
[ "$n" -ge 2 ] && ok "live stream: $n events in 3 s" || fail "live stream" "$(head -c 300 "$D/sse")"
expect_eq "live event carries devices, signals, links, counters" \
	"$(sed -n 's/^data: //p' "$D/sse" | head -1 | jq -c 'keys')" '["counters","devices","links","signals","ts_ms"]'
req "$A" GET /tokens
[ "$(jq -r '.tokens[0] | has("token") or has("hash")' "$D/out")" = false ] && ok "token list never shows the secret" || fail "token list leaks" "$BODY"
sqlite3 "$D/auth.db" "SELECT hash FROM tokens" | grep -q "${TOK:5}" && fail "token stored in clear" || ok "token stored hashed"
expect_eq "a token has no control grant unless given one" "$(jf '.tokens[0].control')" false

# the control grant: given by an admin, at creation or later, to a role with
# device.control only, audited, shown in the list
req "$A" POST /tokens '{"name":"mes-ctl","role":"viewer","control":true}'
expect_eq "no control grant for a role without device.control" \
	"$CODE $(jf .error)" "400 control: role viewer lacks permission device.control"
req "$A" PUT "/tokens/$TOKID" '{"control":true}'
expect_eq "...nor later" "$CODE" 400
req "$A" POST /tokens '{"name":"scada","role":"engineer","control":"yes"}'
expect_eq "control is true or false" "$CODE" 400
req "$A" POST /tokens '{"name":"scada","role":"engineer","control":true}'
CTLID=$(jf .id)
expect_eq "an engineer's token with the control grant" "$CODE $(jf .control)" "201 true"
req "$A" PUT "/tokens/$CTLID" '{"control":false}'
expect_eq "an admin takes the grant back" "$CODE $(jf .control) $(jf .name)" "200 false scada"
req "$A" PUT "/tokens/$CTLID" '{}'
expect_eq "PUT without control: 400" "$CODE" 400
req "$A" PUT "/tokens/$CTLID" '{"control":true}'
req "$A" GET /tokens
expect_eq "the list shows the grant" "$(jf "[.tokens[] | select(.id == $CTLID) | .control] | first")" true
req "$A" GET "/audit?limit=20"
expect_eq "the grant is audited: given at creation, taken back, given again" \
	"$(jf '[.entries[] | select(.action | test("^(POST|PUT) /api/v1/tokens")) | select(.result == "ok") | .detail.control | tostring] | reverse | .[-3:] | join(" ")')" \
	"true false true"
req "$A" DELETE "/tokens/$CTLID"
req "$A" PUT "/tokens/$CTLID" '{"control":true}'
expect_eq "a revoked token's grant cannot be given: 404" "$CODE" 404
req "$A" DELETE "/tokens/$TOKID"
expect_eq "token revoked" "$CODE" "200"
code=$(curl -sk -o "$D/out" -w '%{http_code}' -H "Authorization: Bearer $TOK" "$URL/api/v1/devices")
expect_eq "revoked token refused" "$code" "401"

# settings: validated, and every change in the audit log
req "$A" PUT /settings '{"lockout.threshold":"0"}'
expect_eq "out-of-range setting refused with a reason" "$CODE $(jf .error)" "400 lockout.threshold: value is not an integer in the allowed range"
req "$A" PUT /settings '{"site.name":"Line 4"}'
expect_eq "setting changed" "$CODE $(jf '.changes["site.name"].new')" "200 Line 4"
req "$A" PUT /settings '{"site.name":"Line 5","lockout.minutes":"99999"}'
expect_eq "one bad value refuses the whole change" "$CODE" "400"
req "$A" GET /settings
expect_eq "setting stored, nothing of the refused change" "$(jq -r '.settings[] | select(.key == "site.name") | .value' "$D/out")" "Line 4"
req "$A" GET /audit?limit=50
expect_eq "setting change audited with old and new values" \
	"$(jq -r '[.entries[] | select(.action == "PUT /api/v1/settings" and .result == "ok")][0] | "\(.user) \(.detail.changes["site.name"].old) -> \(.detail.changes["site.name"].new)"' "$D/out")" \
	"admin iiot -> Line 4"
expect_eq "refused setting change audited too" \
	"$(jq -r '[.entries[] | select(.action == "PUT /api/v1/settings" and .result == "fail")] | length' "$D/out")" "2"
expect_eq "failed logins audited" \
	"$(jq -r '[.entries[] | select(.action == "login" and .result == "fail" and .addr == "127.0.0.1")] | length >= 1' "$D/out")" "true"
expect_eq "replayed TOTP audited" \
	"$(jq -r '[.entries[] | select(.action == "login.mfa" and .detail.reason == "code already used")] | length >= 1' "$D/out")" "true"
expect_eq "CSRF refusal audited as denied" \
	"$(jq -r '[.entries[] | select(.action == "POST /api/v1/password" and .result == "denied")] | length >= 1' "$D/out")" "true"
req "$A" POST /audit/verify
expect_eq "audit verify starts a job" "$CODE $(jf .state)" "202 running"
job_wait "$A" "$(jf .id)"
expect_eq "audit chain intact (API, the job's result)" "$CODE $(jf .state) $(jf .result.intact)" "200 done true"

# lockout per account (from 127.0.0.2) and per address (127.0.0.3)
req "$A" POST /users '{"name":"op2","role":"operator"}'
OP2=$(jf .one_time_password)
L=$D/l
for i in 1 2 3 4 5; do req "$L" POST /login '{"username":"op2","password":"not the password"}' --interface 127.0.0.2; done
req "$L" POST /login "{\"username\":\"op2\",\"password\":\"$OP2\"}" --interface 127.0.0.4
expect_eq "account locked after 5 failures, even with the right password" "$CODE" "423"
for i in 1 2 3 4 5; do req "$L" POST /login '{"username":"nobody","password":"not the password"}' --interface 127.0.0.3; done
req "$L" POST /login "{\"username\":\"op1\",\"password\":\"operator pass 2027\"}" --interface 127.0.0.3
expect_eq "address locked after 5 failures" "$CODE" "429"
req "$L" POST /login "{\"username\":\"op1\",\"password\":\"operator pass 2027\"}" --interface 127.0.0.5
expect_eq "other addresses still log in" "$CODE" "200"

# idle timeout: the same state on a daemon with [api] session_idle = 5s
api_stop
echo "session_idle = 5s" >>"$D/iiotd.conf"
"$BIN/iiotd" -d -f "$D/iiotd.conf" >>"$D/iiotd.log" 2>&1 &
IIOTD_PID=$!
cleanup_push "kill $IIOTD_PID"
for i in $(seq 100); do curl -sk -o /dev/null "$URL/api/v1/health" && break; sleep 0.1; done
I=$D/idle
login "$I" op1 "operator pass 2027"
req "$I" GET /devices
expect_eq "fresh session works" "$CODE" "200"
sleep 2; req "$I" GET /devices
expect_eq "a session in use stays" "$CODE" "200"
sleep 7; req "$I" GET /devices
expect_eq "idle session expires" "$CODE" "401"
req "$O1" GET /devices
expect_eq "a restart ends every session" "$CODE" "401"
api_stop

out=$("$BIN/iiotctl" audit --state "$D" verify); rc=$?
case $out in "audit chain intact: "*) expect_eq "iiotctl audit verify: intact" "$rc" 0 ;; *) fail "iiotctl audit verify" "$out" ;; esac
sqlite3 "$D/audit.db" "DROP TRIGGER audit_no_update; UPDATE audit SET result = 'ok' WHERE action = 'login' AND result = 'fail' AND seq = (SELECT min(seq) FROM audit WHERE action = 'login' AND result = 'fail')"
"$BIN/iiotctl" audit --state "$D" verify >"$D/v"; rc=$?
expect_eq "iiotctl audit verify finds the edited row" "$rc" 3

# the responses seen above match docs/openapi.yaml
openapi_check
echo "1..$_tap_n"
