#!/usr/bin/env bash
# iiotctl user reset-password and iiotctl audit verify|export on a scratch state dir.
. "$(dirname "$0")/../lib.sh"
command -v sqlite3 >/dev/null || skip_all "sqlite3 missing"
D=$(mktemp -d /tmp/iiot-audit-cli.XXXXXX)
cleanup_push "rm -rf $D"
CTL=$BIN/iiotctl

out=$($CTL user --state "$D" list 2>&1); expect_eq "empty user list" "$?:$out" "0:"
$CTL user --state "$D" reset-password nobody >/dev/null 2>&1
expect_eq "reset of an unknown user fails" "$?" "1"
sqlite3 "$D/auth.db" "INSERT INTO users(name, role, pwhash, pw_changed, created) VALUES('op1', 'operator', 'x', 0, 0)"
for i in 1 2 3; do
	out=$($CTL user --state "$D" reset-password op1)
done
case $out in "one-time password for op1: "????????????????????*) ok "reset prints a one-time password" ;;
	*) fail "reset prints a one-time password" "$out" ;; esac
pw=$(echo "$out" | sed -n 's/^one-time password for op1: //p')
h=$(sqlite3 "$D/auth.db" "SELECT pwhash FROM users WHERE name='op1'")
case $h in '$argon2id$v=19$m=19456,t=2,p=1$'*) ok "stored as Argon2id m=19456 t=2 p=1" ;; *) fail "argon2id hash" "$h" ;; esac
case $h in *"$pw"*) fail "hash does not contain the password" ;; *) ok "hash does not contain the password" ;; esac
expect_eq "must change at next login" "$(sqlite3 "$D/auth.db" "SELECT must_change FROM users WHERE name='op1'")" "1"
$CTL user --state "$D" list | grep -q '^op1 .*operator' && ok "user list shows op1" || fail "user list shows op1"

out=$($CTL audit --state "$D" verify); rc=$?
expect_eq "verify intact" "$rc:$out" "0:audit chain intact: 3 rows"
n=$($CTL audit --state "$D" export | jq -s 'map(select(.action == "user.reset-password" and .target == "op1")) | length')
expect_eq "export has the three resets as JSON lines" "$n" "3"

cp "$D/audit.db" "$D/audit.orig"
sqlite3 "$D/audit.db" "DROP TRIGGER audit_no_update; UPDATE audit SET result='fail' WHERE seq=2"
out=$($CTL audit --state "$D" verify); rc=$?
expect_eq "edited row found" "$rc" "3"
case $out in *"row 2"*edited*) ok "names the edited row" ;; *) fail "names the edited row" "$out" ;; esac

cp "$D/audit.orig" "$D/audit.db"; rm -f "$D/audit.db-wal" "$D/audit.db-shm"
sqlite3 "$D/audit.db" "DROP TRIGGER audit_no_delete; DELETE FROM audit WHERE seq=1"
$CTL audit --state "$D" verify >/dev/null; expect_eq "deleted first row found" "$?" "3"

cp "$D/audit.orig" "$D/audit.db"; rm -f "$D/audit.db-wal" "$D/audit.db-shm"
sqlite3 "$D/audit.db" "DROP TRIGGER audit_no_delete; DELETE FROM audit WHERE seq=3"
$CTL audit --state "$D" verify >/dev/null; expect_eq "deleted newest row found" "$?" "3"
echo "1..$_tap_n"
