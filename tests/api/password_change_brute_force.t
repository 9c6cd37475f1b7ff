#!/usr/bin/env bash
# Regression: a password change checked the old password without looking at
# the lockout.  Anyone holding a session (an unattended browser) could try
# old passwords for ever, locked or not, and a right guess replaced the
# password and lifted the lock.  Now the old password is a guess like a
# login's: it counts against the account and the address, and both locks
# refuse the change, right password or not.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib_api.sh"
command -v sqlite3 >/dev/null || skip_all "sqlite3 missing"
api_start

A=$D/admin
admin_enrol "$A" "plant supervisor 2026"
expect_eq "admin enrolled in TOTP" "$CODE $(jf .stage)" "200 ok"
req "$A" POST /users '{"name":"op1","role":"operator"}'
OTP=$(jf .one_time_password)
O=$D/op1
login "$O" op1 "$OTP"
PW="operator pass 2026"
req "$O" POST /password "{\"old\":\"$OTP\",\"new\":\"$PW\"}"
jf .csrf >"$O.csrf"
expect_eq "op1 has a full session" "$CODE $(jf .stage)" "200 ok"

H0=$(sqlite3 "$D/auth.db" "SELECT pwhash FROM users WHERE name = 'op1'")

# guesses from 127.0.0.6, the right one from 127.0.0.1: the account's lock answers
got=
for i in 1 2 3 4 5; do
	req "$O" POST /password '{"old":"not the password","new":"attacker pass 2026"}' --interface 127.0.0.6
	got+="$CODE "
done
expect_eq "5 wrong old passwords refused" "$got" "403 403 403 403 403 "
req "$O" POST /password "{\"old\":\"$PW\",\"new\":\"attacker pass 2026\"}"
expect_eq "right old password refused once the account is locked" "$CODE $(jf .error)" \
	"423 account locked after repeated failures; try again later"
req "$O" POST /password '{"old":"not the password","new":"attacker pass 2026"}' --interface 127.0.0.6
expect_eq "the guessing address is locked too" "$CODE" 429
expect_eq "the password was not changed, the lock not lifted" \
	"$(sqlite3 "$D/auth.db" "SELECT pwhash = '$H0' AND locked_until > 0 FROM users WHERE name = 'op1'")" 1
req "$O" GET /devices
expect_eq "the session itself goes on (a lock stops guesses, not work)" "$CODE" 200
expect_eq "audit: the refusals name the lock" "$(sqlite3 "$D/audit.db" \
	"SELECT group_concat(result || ' ' || json_extract(detail, '$.reason'), ', ') FROM audit
	 WHERE action = 'POST /api/v1/password' AND target = 'op1' AND detail LIKE '%locked%'")" \
	"denied account locked, denied source address locked"
req "$D/x" POST /login "{\"username\":\"op1\",\"password\":\"$PW\"}" --interface 127.0.0.5
expect_eq "a login is refused as well" "$CODE" 423
api_stop
openapi_check
echo "1..$_tap_n"
