#!/usr/bin/env bash
# Regression: audit.db (and the samples database, iiot.db) came out 0644,
# readable by every local user, because SQLite creates a database 0644 less
# the umask; only auth.db was chmod-ed afterwards.  Every file iiotd keeps in
# its state directory is now 0600 from the start (the certificate aside),
# one an older version left open is closed down at the next start, and a
# database path that is a symlink is refused rather than followed.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib_api.sh"
api_start "[capture]" "ring = iiot-modes$$"
cleanup_push "rm -f /dev/shm/iiot/iiot-modes$$ /dev/shm/iiot/iiot-modes$$.wake"
admin_enrol "$D/admin" "plant supervisor 2026"
expect_eq "admin signed in: auth.db and audit.db written" "$CODE" 200

# made by the test, not by iiotd; the certificate is public
ours=" admin admin.csrf out responses.jsonl iiotd.conf iiotd.log tls/cert.pem "
open_files() {
	local f
	find "$D" -type f | sort | while read -r f; do
		[[ $ours == *" ${f#"$D"/} "* ]] && continue
		[ $(($(stat -c '0%a' "$f") & 077)) -eq 0 ] || echo "${f#"$D"/}:$(stat -c %a "$f")"
	done
}
for f in auth.db audit.db secret.key iiot.db tls/key.pem; do
	[ -f "$D/$f" ] && expect_eq "$f is 0600" "$(stat -c %a "$D/$f")" 600 || fail "$f exists"
done
expect_eq "no file iiotd made is open to group or others (-wal, -shm included)" "$(open_files)" ""

# an older iiotd's 0644 files are closed down at the next start
api_stop
chmod 0644 "$D"/auth.db "$D"/audit.db "$D"/iiot.db
"$IIOTD" -d -f "$D/iiotd.conf" >>"$D/iiotd.log" 2>&1 &
IIOTD_PID=$!
cleanup_push "kill $IIOTD_PID"
for i in $(seq 300); do curl -sk -o /dev/null "$URL/api/v1/health" && break; sleep 0.1; done
expect_eq "0644 databases are 0600 after a restart" \
	"$(stat -c %a "$D"/auth.db "$D"/audit.db "$D"/iiot.db | tr '\n' ' ')" "600 600 600 "
expect_eq "and nothing else is open" "$(open_files)" ""
api_stop

# a database path that is a symlink is refused, its target never made
mv "$D/audit.db" "$D/audit.real"
rm -f "$D"/audit.db-wal "$D"/audit.db-shm
ln -s "$D/planted" "$D/audit.db"
timeout 20 "$IIOTD" -d -f "$D/iiotd.conf" >"$D/sym.log" 2>&1
expect_eq "iiotd refuses to start on a symlinked audit.db" "$?" 1
grep -q "audit.db: is a symlink; refused" "$D/sym.log" && ok "the refusal names the file" ||
	fail "the refusal names the file" "$(cat "$D/sym.log")"
[ -e "$D/planted" ] && fail "the symlink's target was not created" || ok "the symlink's target was not created"
echo "1..$_tap_n"
