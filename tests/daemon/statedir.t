#!/usr/bin/env bash
# Started as root, iiotd never follows a link its user left in the state
# directory (the user owns it): what is opened there before the drop is
# opened as the user, TLS material stays root's (readable by the daemon's
# group) and is made relative to an opened tls/ that must be root's.
# Each regression plants a link to a root-owned victim and checks the
# victim is untouched and iiotd says why it refuses.
. "$(dirname "$0")/lib_daemon.sh"
[ "$(id -u)" -eq 0 ] || skip_all "needs root (to start iiotd as root)"
command -v curl >/dev/null || skip_all "curl missing"
daemon_setup
"$IIOT_TOP/scripts/iiot-user.sh" || { fail "scripts/iiot-user.sh"; exit 0; }
S=$T/state
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
printf '%s\n' "[iiotd]" "state_dir = $S" "user = iiot" "[api]" "listen = 127.0.0.1:$port" >"$T/iiotd.conf"

healthy() { curl -sk -o /dev/null -w '%{http_code}' "https://127.0.0.1:$port/api/v1/health"; }
# start; 0 when it serves, 1 when it exited (its status in $rc)
start() {
	: >"$T/iiotd.log"
	"$BIN/iiotd" -d -f "$T/iiotd.conf" >>"$T/iiotd.log" 2>&1 &
	IIOTD_PID=$!
	cleanup_push "kill -9 $IIOTD_PID"
	local i
	for i in $(seq 100); do
		[ "$(healthy)" = 200 ] && return 0
		if ! kill -0 $IIOTD_PID 2>/dev/null; then
			wait $IIOTD_PID; rc=$?
			return 1
		fi
		sleep 0.1
	done
	return 1
}
owner() { stat -c '%U:%G %a' "$@"; }
victim() {	# a root-only directory holding a root-owned file
	rm -rf "$T/victim"
	mkdir -m 700 "$T/victim"
	echo "root's own data" >"$T/victim/$1"
	chmod 644 "$T/victim/$1"
}
untouched() {	# what, file
	local got
	got="$(owner "$2") $(cat "$2")"
	expect_eq "$1" "$got" "root:root 644 root's own data"
}

# --- a fresh state directory: the user's, with TLS material root's --------
start || { fail "iiotd starts" "$(tail -5 "$T/iiotd.log")"; exit 0; }
ok "iiotd starts as root and serves"
expect_eq "the state directory is the user's" "$(owner "$S")" "iiot:iiot 750"
for f in iiot.db auth.db audit.db secret.key; do
	expect_eq "$f is made by the user" "$(stat -c %U "$S/$f")" iiot
done
expect_eq "tls/ is root's, the group reads" "$(owner "$S/tls")" "root:iiot 750"
expect_eq "tls/key.pem is root's only" "$(owner "$S/tls/key.pem")" "root:iiot 600"
expect_eq "tls/cert.pem is root's" "$(owner "$S/tls/cert.pem")" "root:iiot 644"
stop_iiotd
fp=$(openssl x509 -noout -fingerprint -in "$S/tls/cert.pem")
start && ok "a restart reads the same material" || fail "restart" "$(tail -5 "$T/iiotd.log")"
expect_eq "same certificate served" \
	"$(echo | openssl s_client -connect 127.0.0.1:$port 2>/dev/null | openssl x509 -noout -fingerprint)" "$fp"
stop_iiotd

# --- files an older iiotd made as root are handed over --------------------
chown root:root "$S/auth.db" "$S/audit.db" "$S/secret.key"
start && ok "root-owned auth.db, audit.db, secret.key from an older version: iiotd serves" ||
	fail "older root-owned files" "$(tail -5 "$T/iiotd.log")"
expect_eq "handed to the user" "$(stat -c %U "$S/auth.db" "$S/audit.db" "$S/secret.key" | sort -u)" iiot
stop_iiotd

# --- tls/ replaced by a link to a root directory ---------------------------
victim key.pem
mv "$S/tls" "$T/tls.saved"
ln -s "$T/victim" "$S/tls"
start && fail "regression: iiotd follows a symlinked tls/" || {
	[ "$rc" -ne 0 ] && grep -q "tls: a symbolic link or not a directory: refusing" "$T/iiotd.log" &&
		ok "regression: a symlinked tls/ is refused with a clear error" ||
		fail "a symlinked tls/ is refused" "rc=$rc" "$(tail -3 "$T/iiotd.log")"
}
untouched "regression: root overwrote a root-owned key through tls/ (victim untouched)" "$T/victim/key.pem"
[ -e "$T/victim/cert.pem" ] && fail "nothing made in the victim directory" || ok "nothing made in the victim directory"
rm -f "$S/tls"

# --- tls/ replaced by the user's own directory holding links ---------------
mkdir "$S/tls"
ln -s "$T/victim/key.pem" "$S/tls/key.pem"
chown -h -R iiot:iiot "$S/tls"
start && fail "iiotd uses a tls/ the user made" || {
	grep -q "tls belongs to uid $(id -u iiot), not 0: refusing" "$T/iiotd.log" &&
		ok "a tls/ the user made is refused" || fail "a tls/ the user made is refused" "$(tail -3 "$T/iiotd.log")"
}
untouched "the victim behind its key.pem is untouched" "$T/victim/key.pem"
rm -rf "$S/tls"
mv "$T/tls.saved" "$S/tls"

# --- databases replaced by links --------------------------------------------
victim target
mv "$S/auth.db" "$T/auth.db.saved"
ln -s "$T/victim/target" "$S/auth.db"
chown -h iiot:iiot "$S/auth.db"
start && fail "iiotd serves with auth.db linked to a root file" || ok "auth.db linked to a root file: iiotd refuses"
untouched "regression: root changed the mode of auth.db's link target (victim untouched)" "$T/victim/target"
rm -f "$S/auth.db"
mv "$T/auth.db.saved" "$S/auth.db"

start || { fail "iiotd starts again" "$(tail -5 "$T/iiotd.log")"; exit 0; }
stop_iiotd
victim target
rm -f "$S/iiot.db-wal"
ln -s "$T/victim/target" "$S/iiot.db-wal"
chown -h iiot:iiot "$S/iiot.db-wal"
start
untouched "iiot.db-wal linked to a root file: the victim is untouched" "$T/victim/target"
stop_iiotd 2>/dev/null
rm -f "$S/iiot.db-wal"

# --- the control socket is the user's; socket_group through its descriptor -
printf '%s\n' "[iiotd]" "state_dir = $S" "user = iiot" "socket_group = nogroup" \
	"[api]" "listen = 127.0.0.1:$port" >"$T/iiotd.conf"
start || { fail "iiotd starts with socket_group" "$(tail -5 "$T/iiotd.log")"; exit 0; }
expect_eq "control socket: the user's, group socket_group, 660" "$(owner "$S/iiotd.sock")" "iiot:nogroup 660"
stop_iiotd

# --- iiotctl user / audit run as root act as the directory's owner --------
victim target
mv "$S/auth.db" "$T/auth.db.saved"
ln -s "$T/victim/target" "$S/auth.db"
chown -h iiot:iiot "$S/auth.db"
"$BIN/iiotctl" user --state "$S" list >/dev/null 2>&1
untouched "regression: iiotctl user as root changed the mode of auth.db's link target (victim untouched)" \
	"$T/victim/target"
rm -f "$S/auth.db"
mv "$T/auth.db.saved" "$S/auth.db"
out=$("$BIN/iiotctl" user --state "$S" reset-password admin 2>&1) &&
	ok "iiotctl user reset-password as root" || fail "iiotctl user reset-password as root" "$out"
expect_eq "what it wrote is still the user's" \
	"$(stat -c %U "$S"/auth.db* "$S"/audit.db* "$S/secret.key" | sort -u)" iiot
out=$("$BIN/iiotctl" audit --state "$S" verify 2>&1) && [[ $out == *intact* ]] &&
	ok "iiotctl audit verify as root" || fail "iiotctl audit verify as root" "$out"

# --- state_dir under a directory the user owns ------------------------------
victim target
mkdir -p "$T/userdir/state"
chown iiot:iiot "$T/userdir"
rm -rf "$T/userdir/state"
ln -s "$T/victim" "$T/userdir/state"
printf '%s\n' "[iiotd]" "state_dir = $T/userdir/state" "user = iiot" "[api]" "enabled = no" >"$T/iiotd.conf"
out=$(timeout 10 "$BIN/iiotd" -d -f "$T/iiotd.conf" 2>&1); rc=$?
[ $rc -ne 0 ] && [[ $out == *"its parent $T/userdir belongs to iiot"* ]] &&
	ok "regression: a state_dir whose parent is the user's is refused" ||
	fail "a state_dir whose parent is the user's is refused" "rc=$rc" "$(echo "$out" | tail -3)"
expect_eq "regression: root handed the link's target directory to the user (victim untouched)" \
	"$(stat -c %U:%G "$T/victim")" root:root
