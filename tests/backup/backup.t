#!/usr/bin/env bash
# Encrypted backups against a real iiotd: a hot backup while it runs,
# verify, then restore onto a fresh state directory and start iiotd there:
# the same users (the admin logs in with password and TOTP, so the sealing
# key came back), an audit chain that verifies, the same devices and
# samples.  Refused with a clear error and nothing written: a wrong key, a
# wrong passphrase, a tampered, truncated or foreign file, a restore under
# a running iiotd.  Scheduled backups and retention.  Health reports the
# backup age.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../api/lib_api.sh"
[ -x "$BIN/iiot-sim" ] || skip_all "iiot-sim not built"
command -v sqlite3 >/dev/null || skip_all "sqlite3 missing"
CTL=$BIN/iiotctl
B=$(mktemp -d /tmp/iiot-bak.XXXXXX)
chmod 755 "$B"	# the backup directory inside is iiotd's user's
cleanup_push "rm -rf $B"
ring=iiot-bak$$
cleanup_push "rm -f /dev/shm/iiot/$ring /dev/shm/iiot/$ring.wake"

"$CTL" backup keygen "$B/backup.key" >/dev/null
expect_eq "keygen: a 0600 key of 64 hex digits" \
	"$(stat -c %a "$B/backup.key") $(tr -d '\n' <"$B/backup.key" | wc -c)" "600 64"

api_start "[capture]" "ring = $ring" "[model]" "signals = $IIOT_TOP/etc/signals.map" \
	"[backup]" "dir = $B/bak" "key_file = $B/backup.key" "interval = 0"
CONF=$D/iiotd.conf
req "$D/none" GET /health
expect_eq "health: no backup yet is degraded" \
	"$(jf '.checks[] | select(.name == "backup") | "\(.status) \(.reason)"')" \
	"degraded no backup in $B/bak yet"

A=$D/admin
admin_enrol "$A" 'Backup-Test-Pw-1' || fail "admin enrolment" "$BODY"
req "$A" POST /users '{"name":"op1","role":"operator"}'
expect_eq "a second user" "$CODE" 201

"$BIN/iiot-sim" "$IIOT_TOP/sim/scenarios/small-cell.conf" --ring "$ring" >"$D/sim.log" 2>&1 &
sim=$!
for i in $(seq 60); do
	n=$(sqlite3 "$D/iiot.db" 'SELECT count(*) FROM samples_raw' 2>/dev/null)
	[ "${n:-0}" -gt 50 ] && break
	sleep 0.5
done
kill "$sim"; wait "$sim" 2>/dev/null
counts() {
	sqlite3 "$1/iiot.db" 'SELECT (SELECT count(*) FROM devices), (SELECT count(*) FROM samples_raw), (SELECT count(*) FROM signals)'
	sqlite3 "$1/auth.db" 'SELECT group_concat(name || ":" || role, ",") FROM (SELECT name, role FROM users ORDER BY name)'
}
# what the ring still holds is drained and flushed (every 100 ms) after
# the simulator stops; on a loaded machine that takes more than a second,
# and the backup would hold more than was counted: wait for a still store
before=$(counts "$D")
for i in $(seq 30); do
	sleep 1
	now=$(counts "$D")
	[ "$now" = "$before" ] && break
	before=$now
done
audit_before=$("$CTL" audit --state "$D" verify)
[ "$(echo "$before" | head -1 | cut -d'|' -f2)" -gt 0 ] &&
	ok "samples and devices to back up: $(echo "$before" | head -1)" || fail "data to back up" "$before"

# a hot backup: iiotd keeps running
out=$("$CTL" backup create -f "$CONF" 2>&1)
rc=$?
F=$(echo "$out" | head -1)
expect_eq "backup create while iiotd runs" "$rc $(dirname "$F")" "0 $B/bak"
kill -0 "$IIOTD_PID" && ok "iiotd still runs" || fail "iiotd still runs"
expect_eq "the backup file is private" "$(stat -c %a "$F")" 600
strings "$F" | grep -q -e 'CREATE TABLE' -e admin -e BEGIN &&
	fail "nothing readable inside" "$(strings "$F" | grep -m3 -e 'CREATE TABLE' -e admin)" ||
	ok "nothing readable inside (encrypted)"
req "$D/none" GET /health
expect_eq "health: a fresh backup is ok" "$(jf '.checks[] | select(.name == "backup") | .status')" ok

out=$("$CTL" backup verify -f "$CONF" "$F" 2>&1)
expect_eq "verify: authentic and complete" "$?" 0
# every database of the state directory, whichever subsystem made it
want=$(cd "$D" && ls *.db | sed 's|^|db/|'; printf '%s\n' etc/iiotd.conf etc/signals.map state/secret.key tls/cert.pem tls/key.pem)
expect_eq "verify lists what it holds" \
	"$(echo "$out" | awk '/^  /{print $1}' | sort | tr '\n' ' ')" "$(echo "$want" | sort | tr '\n' ' ')"
expect_eq "list shows it" "$("$CTL" backup list -f "$CONF" | awk '{print $1}')" "$(basename "$F")"

# bad keys, bad files: refused, saying why
"$CTL" backup keygen "$B/other.key" >/dev/null
out=$("$CTL" backup verify --key "$B/other.key" "$F" 2>&1)
expect_eq "wrong key: exit 1" "$?" 1
echo "$out" | grep -q "wrong key for this backup" && ok "wrong key: said so" || fail "wrong key message" "$out"

cp "$F" "$B/tampered.iiotbak"
size=$(stat -c %s "$F")
printf '\x55' | dd of="$B/tampered.iiotbak" bs=1 seek=$((size / 2)) conv=notrunc status=none
out=$("$CTL" backup verify -f "$CONF" "$B/tampered.iiotbak" 2>&1)
echo "$out" | grep -q "authentication failed at chunk .*altered or is corrupt" &&
	ok "tampered: refused ($out)" || fail "tampered refused" "$out"
head -c $((size - 100)) "$F" >"$B/truncated.iiotbak"
out=$("$CTL" backup verify -f "$CONF" "$B/truncated.iiotbak" 2>&1)
echo "$out" | grep -q "truncated\|authentication failed" && ok "truncated: refused ($out)" ||
	fail "truncated refused" "$out"
out=$("$CTL" backup verify -f "$CONF" "$CONF" 2>&1)
echo "$out" | grep -q "not an iiot backup" && ok "not a backup: said so" || fail "foreign file" "$out"

R2=$B/fresh-tampered
out=$("$CTL" backup restore -f "$CONF" --state "$R2" "$B/tampered.iiotbak" 2>&1)
expect_eq "restore of a tampered file: exit 1" "$?" 1
echo "$out" | grep -q "nothing was changed" && ok "restore says nothing was changed" || fail "restore message" "$out"
expect_eq "and wrote no file" "$(find "$R2" -name '*.db*' -o -name 'secret.key' -o -name '.restore-*' | wc -l)" 0

# restoring under a running iiotd
touch "$D/marker"
out=$("$CTL" backup restore -f "$CONF" --state "$D" "$F" 2>&1)
expect_eq "restore into a running iiotd's state: exit 1" "$?" 1
echo "$out" | grep -q "refusing to restore: another iiotd.*runs" && ok "running iiotd: refused ($out)" ||
	fail "running iiotd refused" "$out"
expect_eq "nothing set aside there" "$(ls "$D" | grep -c pre-restore)" 0

# restore onto a fresh state directory, start iiotd there
R=$B/restored-state
out=$("$CTL" backup restore -f "$CONF" --state "$R" "$F" 2>&1)
expect_eq "restore onto a fresh state directory" "$?" 0
[ -f "$R/restored/etc/iiotd.conf" ] && cmp -s "$R/restored/etc/iiotd.conf" "$CONF" &&
	ok "the configuration is handed back in restored/" || fail "configuration restored" "$(ls -R "$R")"
api_stop
PORT2=$(free_port)
sed -e "s|^state_dir = .*|state_dir = $R|" -e "s|^socket = .*|socket = $R/iiotd.sock|" \
	-e "s|^listen = .*|listen = 127.0.0.1:$PORT2|" -e "s|^interval = 0|interval = 1m|" \
	-e "s|^dir = $B/bak|dir = $B/sched|" "$CONF" >"$B/restored.conf"
"$BIN/iiotd" -d -f "$B/restored.conf" >"$B/restored.log" 2>&1 &
pid2=$!
cleanup_push "kill $pid2 2>/dev/null; wait $pid2 2>/dev/null"
URL=https://127.0.0.1:$PORT2
for i in $(seq 100); do
	curl -sk -o /dev/null "$URL/api/v1/health" && break
	sleep 0.1
done
kill -0 "$pid2" 2>/dev/null && ok "iiotd starts on the restored state" ||
	fail "iiotd starts on the restored state" "$(tail -5 "$B/restored.log")"
expect_eq "restored: same devices, samples, signals and users" "$(counts "$R")" "$before"
expect_eq "restored: the audit chain verifies, with the same rows" \
	"$("$CTL" audit --state "$R" verify)" "$audit_before"
grep -q "one-time password" "$B/restored.log" && fail "no first-run admin on a restored state" ||
	ok "no first-run admin: the users came back"
D2=$B/client; mkdir -p "$D2"
D_SAVE=$D; D=$D2
login "$D2/a" admin 'Backup-Test-Pw-1' "$SECRET"
expect_eq "admin logs in with password and TOTP (the sealing key came back)" "$CODE $(jf .stage)" "200 ok"

# the schedule: the restored iiotd has no backup in its directory, so it makes one now
for i in $(seq 100); do
	[ -n "$(ls "$B/sched" 2>/dev/null | grep '\.iiotbak$')" ] && break
	sleep 0.2
done
s=$(ls "$B/sched" | grep -c '\.iiotbak$')
expect_eq "scheduled: a backup at start when none is recent" "$s" 1
expect_eq "written as iiotd's user" "$(stat -c %U "$B/sched/$(ls "$B/sched" | head -1)")" \
	"$(stat -c %U "$R/auth.db")"
"$CTL" backup verify --key "$B/backup.key" "$B/sched/$(ls "$B/sched" | head -1)" >/dev/null &&
	ok "the scheduled backup verifies" || fail "scheduled backup verifies"
req "$D2/none" GET /health
expect_eq "health: backup ok on the restored iiotd" \
	"$(jf '.checks[] | select(.name == "backup") | .status')" ok
D=$D_SAVE

# passphrases and retention
printf 'a long enough passphrase\n' >"$B/pass"; chmod 600 "$B/pass"
printf 'another long passphrase\n' >"$B/pass2"
P=$("$CTL" backup create -f "$CONF" --dir "$B/pp" --passphrase-file "$B/pass" | head -1)
"$CTL" backup verify --passphrase-file "$B/pass" "$P" >/dev/null && ok "passphrase: verifies" ||
	fail "passphrase verifies"
out=$("$CTL" backup verify --passphrase-file "$B/pass2" "$P" 2>&1)
echo "$out" | grep -q "wrong passphrase" && ok "wrong passphrase: said so" || fail "wrong passphrase" "$out"
out=$("$CTL" backup verify --key "$B/backup.key" "$P" 2>&1)
echo "$out" | grep -q "made with a passphrase" && ok "key for a passphrase backup: said so" ||
	fail "kind mismatch" "$out"
for i in 1 2 3; do
	"$CTL" backup create -f "$CONF" --dir "$B/ret" --keep 2 >/dev/null || fail "create $i"
done
expect_eq "retention: --keep 2 keeps two" "$(ls "$B/ret" | grep -c '\.iiotbak$')" 2
echo "1..$_tap_n"
