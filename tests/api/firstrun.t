#!/usr/bin/env bash
# The first start's one-time admin password cannot be lost.  Started
# without -d, iiotd daemonises: it used to print the password after
# detaching, to /dev/null.  Now the daemonising iiotd prints it on its
# terminal before the parent exits, and also writes it to
# state_dir/first-run-password (0600, root's), which the log names and
# the first sign-in that passes the password check removes.
. "$(dirname "$0")/../lib.sh"
. "$IIOT_TOP/tests/api/lib_api.sh"
D=$(mktemp -d /tmp/iiot-first.XXXXXX)
chmod 755 "$D"
cleanup_push "rm -rf $D"
PORT=$(free_port)
URL=https://127.0.0.1:$PORT
printf '[iiotd]\nstate_dir = %s/state\nsocket = %s/state/iiotd.sock\n[api]\nlisten = 127.0.0.1:%s\n' \
	"$D" "$D" "$PORT" >"$D/iiotd.conf"
F=$D/state/first-run-password

timeout 30 "$IIOTD" -f "$D/iiotd.conf" >"$D/out" 2>"$D/err"; rc=$?
pid=$(cat "$D/state/iiotd.lock" 2>/dev/null)
[ -n "$pid" ] && cleanup_push "kill $pid"
expect_eq "daemonising iiotd: the parent exits 0 once the daemon runs" "$rc" 0
check "the daemon runs" kill -0 "${pid:-0}"
pw=$(sed -n "s/.*one-time password: //p" "$D/err")
[ ${#pw} -eq 20 ] && ok "the one-time password is on the terminal" || fail "password on stderr" "$(cat "$D/err")"
grep -q "also in $F" "$D/err" && ok "the terminal names the file" || fail "file named on stderr" "$(cat "$D/err")"
expect_eq "the file is 0600, root's" "$(stat -c '%a %U' "$F" 2>&1)" "600 $(id -un)"
expect_eq "it holds the password" "$(tail -1 "$F" 2>&1)" "$pw"

for i in $(seq 100); do curl -sk -o /dev/null "$URL/api/v1/health" && break; sleep 0.1; done
req "$D/jar" POST /login '{"username":"admin","password":"not the password at all"}'
expect_eq "a wrong password is refused" "$CODE" 401
[ -f "$F" ] && ok "the file stays after a failed sign-in" || fail "file gone after a failed sign-in"
req "$D/jar" POST /login "{\"username\":\"admin\",\"password\":\"$pw\"}"
expect_eq "the one-time password signs in" "$CODE" 200
[ ! -e "$F" ] && ok "the first sign-in removes the file" || fail "file still there after sign-in"
kill "$pid"
for i in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done

# in the foreground the log says where the file is
rm -rf "$D/state"
"$IIOTD" -d -f "$D/iiotd.conf" >"$D/log" 2>&1 &
fpid=$!
cleanup_push "kill $fpid"
for i in $(seq 100); do grep -q "first-run-password" "$D/log" && break; sleep 0.1; done
grep -q "api: first run: the one-time password of 'admin' is in $F (root only; removed at the first sign-in)" "$D/log" &&
	ok "the log names the file" || fail "log names the file" "$(cat "$D/log")"
grep -v "one-time password:" "$D/log" | grep -q "$(tail -1 "$F")" &&
	fail "the password is in a log line" || ok "no log line holds the password"
kill "$fpid"; wait "$fpid" 2>/dev/null
echo "1..$_tap_n"
