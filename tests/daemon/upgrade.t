#!/usr/bin/env bash
# Upgrades of the databases (docs/operations.md, "Upgrades"): a state
# directory as an older iiot left it, made here with sqlite3 (iiot.db at
# schema 2 with a device, a signal and a rollup; baseline.db from before
# versioning), is migrated at start with every row kept, after a copy of
# each old database went to upgrade/<time>/.  "iiotctl upgrade rollback"
# refuses while iiotd runs, then puts the copies back (the newer WAL gone)
# and says so; a second rollback finds nothing.  A database newer than
# iiotd (a downgrade) stops it at start with a message naming the file and
# the way back, the file untouched.  "iiotctl upgrade migrate" (the
# package's postinst) refuses under a running iiotd and, with it stopped,
# migrates with copies first.  A failed upgrade check's marker degrades
# GET /api/v1/health, and "iiotctl status" (the control socket, which the
# package's upgrade check reads) gives the same verdict and checks.
. "$(dirname "$0")/lib_daemon.sh"
command -v sqlite3 >/dev/null || skip_all "sqlite3 missing"
daemon_setup
S=$T/state
mkdir -p "$S"
[ "$(id -u)" -eq 0 ] && { "$IIOT_TOP/scripts/iiot-user.sh" >/dev/null 2>&1 || true; }
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
printf '%s\n' "[iiotd]" "state_dir = $S" "[api]" "listen = 127.0.0.1:$port" >"$T/iiotd.conf"
q() { sqlite3 -readonly -cmd '.timeout 5000' "$@" 2>&1; }

sqlite3 "$S/iiot.db" <"$(dirname "$0")/iiot-db-schema2.sql"
# baseline.db from before versioning: its table, user_version 0
sqlite3 "$S/baseline.db" 'CREATE TABLE baseline(id INTEGER PRIMARY KEY CHECK (id = 1), saved_ns INTEGER NOT NULL, doc TEXT NOT NULL);'
[ "$(id -u)" -eq 0 ] && getent passwd iiot >/dev/null && chown -R iiot:iiot "$S"

start_iiotd "$T/iiotd.conf" || { fail "iiotd starts on the old state directory"; exit 0; }
ok "iiotd starts on the old state directory"
expect_eq "iiot.db migrated to schema 4" "$(q "$S/iiot.db" 'PRAGMA user_version')" 4
expect_eq "its rows kept" "$(q "$S/iiot.db" "SELECT s.name || ' ' || r.count || ' ' || d.kind FROM signals s JOIN roll_1s r ON r.signal = s.id JOIN devices d ON d.label = s.device")" "oven.temp 2 ethercat"
expect_eq "baseline.db versioned" "$(q "$S/baseline.db" 'PRAGMA user_version')" 1
set_dir=$(ls -d "$S"/upgrade/*/ 2>/dev/null | head -1)
check "copies taken before migrating, in upgrade/<time>/" test -n "$set_dir" -a -f "$set_dir/iiot.db"
expect_eq "the copy of iiot.db is schema 2 with its rows" \
	"$(q "$set_dir/iiot.db" 'PRAGMA user_version; SELECT name FROM signals' | tr '\n' ' ')" "2 oven.temp "
expect_eq "the copy of baseline.db is the unversioned one" "$(q "$set_dir/baseline.db" 'PRAGMA user_version')" 0
expect_eq "only databases that needed a step were copied" "$(ls "$set_dir" | sort | tr '\n' ' ')" "baseline.db iiot.db "
check "iiotd says what it saved" grep -q "schema version 2 saved as $S/upgrade/.*/iiot.db before migrating" "$T/iiotd.log"
if [ "$(id -u)" -eq 0 ] && getent passwd iiot >/dev/null; then
	expect_eq "the copies are iiotd's user's, private" "$(stat -c '%U %a' "$set_dir/iiot.db")" "iiot 600"
fi
ctl upgrade --state "$S" status >"$T/status" 2>&1
check "upgrade status: iiot.db at this iiot's schema" grep -qE '^iiot.db +schema 4, this iiot 4$' "$T/status"
check "upgrade status: the copies" grep -q "copies taken before migrating: $S/upgrade/" "$T/status"
# the marker a failed upgrade check leaves (pkg/iiot-upgrade-check)
echo "upgrade from 0.0.9-1 failed its check at 2026-12-05T10:00:00Z: test" >"$S/upgrade/check-failed"
if command -v curl >/dev/null; then
	h=$(curl -sk "https://127.0.0.1:$port/api/v1/health")
	expect_eq "health: a failed upgrade check degrades, with the marker's line" \
		"$(echo "$h" | jq -r '.status + " " + (.checks[] | select(.name == "upgrade") | .status + " " + .reason)')" \
		"degraded degraded upgrade from 0.0.9-1 failed its check at 2026-12-05T10:00:00Z: test (upgrade/check-failed, iiotctl upgrade status)"
	# the package's upgrade check reads the same verdict on the control socket;
	# the checks' names and states, not their live figures (free disk space
	# moves between two reads on a busy machine), and the marker's reason
	verdict='{status, checks: [.checks[] | {name, status}], upgrade: [.checks[] | select(.name == "upgrade") | .reason]}'
	expect_eq "status on the control socket: GET /api/v1/health's verdict and checks" \
		"$(ctl status --json | jq -cS ".health | $verdict")" "$(echo "$h" | jq -cS "$verdict")"
	ctl status >"$T/st" 2>&1
	check "iiotctl status: the verdict" grep -qx 'health:  degraded' "$T/st"
	check "iiotctl status: the check that is not ok, with its reason" \
		grep -q '^ *degraded upgrade: upgrade from 0.0.9-1 failed its check' "$T/st"
else
	skip "health shows a failed upgrade check" "curl missing"
fi
ctl upgrade --state "$S" status >"$T/status" 2>&1
check "upgrade status names the failed check" grep -q "the last upgrade failed its check: $S/upgrade/check-failed" "$T/status"
rm -f "$S/upgrade/check-failed"

ctl upgrade --state "$S" migrate >"$T/mig" 2>&1
expect_eq "migrate under a running iiotd: refused" "$?" 1
check "migrate says iiotd runs" grep -q "refusing to migrate: another iiotd" "$T/mig"
ctl upgrade --state "$S" rollback >"$T/rb" 2>&1
expect_eq "rollback under a running iiotd: refused" "$?" 1
check "rollback says iiotd runs" grep -q "refusing to roll back: another iiotd" "$T/rb"
expect_eq "nothing replaced" "$(q "$S/iiot.db" 'PRAGMA user_version')" 4

stop_iiotd
ctl upgrade --state "$S" rollback >"$T/rb" 2>&1
expect_eq "rollback with iiotd stopped" "$?" 0
check "rollback names what it restored" grep -q "^restored iiot.db (schema 2) from $set_dir" "$T/rb"
expect_eq "iiot.db back at schema 2 with its rows" \
	"$(q "$S/iiot.db" 'PRAGMA user_version; SELECT name FROM signals' | tr '\n' ' ')" "2 oven.temp "
expect_eq "baseline.db back unversioned" "$(q "$S/baseline.db" 'PRAGMA user_version')" 0
check "no WAL of the newer database left" test ! -e "$S/iiot.db-wal"
check "the set is marked rolled back" test -d "${set_dir%/}.rolled-back"
if [ "$(id -u)" -eq 0 ] && getent passwd iiot >/dev/null; then
	expect_eq "restored iiot.db is iiotd's user's" "$(stat -c '%U %a' "$S/iiot.db")" "iiot 600"
fi
ctl upgrade --state "$S" rollback >"$T/rb" 2>&1
expect_eq "a second rollback finds nothing" "$?" 1
check "and says so" grep -q "nothing to roll back" "$T/rb"

# what the package's postinst runs: migrate with iiotd stopped
ctl upgrade --state "$S" migrate >"$T/mig" 2>&1
expect_eq "upgrade migrate with iiotd stopped" "$?" 0
check "it names each database it migrated" grep -qx "iiot.db: schema 2 -> 4" "$T/mig"
expect_eq "iiot.db at schema 4 with its rows" \
	"$(q "$S/iiot.db" 'PRAGMA user_version; SELECT name FROM signals' | tr '\n' ' ')" "4 oven.temp "
expect_eq "a new set of copies, iiot.db at schema 2" \
	"$(for d in "$S"/upgrade/*/; do case $d in *.rolled-back/) ;; *) q "$d/iiot.db" 'PRAGMA user_version' ;; esac; done)" 2

# a downgrade: auth.db written by a newer iiot
sqlite3 "$S/auth.db" 'PRAGMA user_version = 99'
: >"$T/iiotd.log"
"$BIN/iiotd" -d -f "$T/iiotd.conf" >>"$T/iiotd.log" 2>&1 &
pid=$!
cleanup_push "kill -9 $pid"
for i in $(seq 100); do kill -0 $pid 2>/dev/null || break; sleep 0.1; done
if kill -0 $pid 2>/dev/null; then
	fail "iiotd refuses a newer auth.db" "still running"
	kill $pid
else
	wait $pid
	rc=$?
	check "iiotd refuses a newer auth.db (exit $rc)" test $rc -ne 0
fi
check "the message names the file, both versions and the way back" \
	grep -q "$S/auth.db: schema version 99 is newer than this iiot's (4).*iiotctl upgrade rollback" "$T/iiotd.log"
expect_eq "auth.db untouched" "$(q "$S/auth.db" 'PRAGMA user_version')" 99
ctl upgrade --state "$S" status >"$T/status" 2>&1
check "upgrade status flags it" grep -qE '^auth.db +schema 99, this iiot 4: NEWER' "$T/status"
echo "1..$_tap_n"
