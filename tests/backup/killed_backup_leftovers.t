#!/usr/bin/env bash
# Regression: a backup killed mid-way (iiotd or `iiotctl backup create`
# SIGKILLed) left its staging directory of database snapshots
# (state_dir/.backup-XXXXXX, as secret as the databases) and its
# temporary file (backup_dir/.iiot-<stamp>.iiotbak.tmp) behind for good
# (make soak's kill.soak counted 77 in 200 kills).  iiotd removes them at
# start and every backup before it begins; one a live backup holds (its
# flock) stays.
. "$(dirname "$0")/../lib.sh"
CTL=$BIN/iiotctl IIOTD=${IIOTD:-$BIN/iiotd}
D=$(mktemp -d /tmp/iiot-bakleft.XXXXXX)
chmod 755 "$D"
cleanup_push "rm -rf $D"
S=$D/state B=$D/bak
"$CTL" backup keygen "$D/backup.key" >/dev/null
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
printf '[iiotd]\nstate_dir = %s\nsocket = %s/iiotd.sock\n[api]\nlisten = 127.0.0.1:%s\n[backup]\ndir = %s\nkey_file = %s\ninterval = 0\n' \
	"$S" "$S" "$PORT" "$B" "$D/backup.key" >"$D/iiotd.conf"

start() {
	"$IIOTD" -d -f "$D/iiotd.conf" >>"$D/iiotd.log" 2>&1 &
	pid=$!
	for _ in $(seq 300); do
		curl -sk -o /dev/null "https://127.0.0.1:$PORT/api/v1/health" && return 0
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	fail "iiotd starts" "$(tail -5 "$D/iiotd.log")"
	return 1
}
stop() { kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; }

# first start: the state and backup directories, owned as iiotd keeps them
start || exit 0
stop
mkdir -p "$B"
chown --reference="$S" "$B"	# as iiotd makes it when it schedules backups
# what a killed backup leaves, owned by the state directory's owner
plant() {
	mkdir "$S/$1"
	chmod 700 "$S/$1"
	head -c 65536 /dev/urandom >"$S/$1/db-iiot.db"
	head -c 4096 /dev/urandom >"$B/.iiot-$2.iiotbak.tmp"
	chown -R --reference="$S" "$S/$1" "$B/.iiot-$2.iiotbak.tmp"
}
plant .backup-Kill01 20261205T010000Z
# a live backup's (another process holds them)
plant .backup-Live01 20261205T020000Z
# one process holding the lock, as a backup does (flock(1) would leave it
# to a child)
hold() {
	python3 -c 'import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDONLY)
fcntl.flock(fd, fcntl.LOCK_EX)
open(sys.argv[2], "w").close()
time.sleep(60)' "$1" "$D/held.$2" &
}
hold "$S/.backup-Live01" 1
h1=$!
hold "$B/.iiot-20261205T020000Z.iiotbak.tmp" 2
h2=$!
cleanup_push "kill $h1 $h2"
for _ in $(seq 100); do
	[ -e "$D/held.1" ] && [ -e "$D/held.2" ] && break
	sleep 0.1
done
start || exit 0
expect_eq "iiotd at start: a killed backup's staging directory is gone" \
	"$(ls -A "$S" | grep -c '^\.backup-Kill01$')" 0
expect_eq "iiotd at start: a killed backup's temporary file is gone" \
	"$(ls -A "$B" | grep -c '20261205T010000Z')" 0
expect_eq "iiotd at start: a live backup's staging directory and file stay" \
	"$(ls -A "$S/.backup-Live01" | wc -l) $(ls -A "$B" | grep -c '20261205T020000Z')" "1 1"
grep -q "removed 2 staging files left by a killed backup" "$D/iiotd.log" &&
	ok "iiotd logs what it removed" || fail "iiotd logs what it removed" "$(grep backup: "$D/iiotd.log")"

# the holder dies: the next backup, made by iiotctl while iiotd runs, cleans
kill "$h1" "$h2"; wait "$h1" "$h2" 2>/dev/null
plant .backup-Kill02 20261205T030000Z
out=$("$CTL" backup create -f "$D/iiotd.conf" 2>&1)
rc=$?
expect_eq "iiotctl backup create succeeds" "$rc" 0
[ "$rc" = 0 ] || echo "# $out"
expect_eq "the backup removed every killed backup's leftovers first" \
	"$(find "$S" "$B" -maxdepth 1 \( -name '.backup-*' -o -name '*.tmp' \) | wc -l)" 0
expect_eq "and its own backup is there" "$(ls "$B" | grep -c '\.iiotbak$')" 1
stop
