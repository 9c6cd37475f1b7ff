# Helpers for tests/soak/*.soak (make soak; rows as bench/lib.sh's row()).
#   soak_setup NAME          $W (work dir), $RING, $P (API port), $U; cleanup at exit
#   soak_conf FILE [LINES]   iiotd.conf: state in $W/state, API on $P, ring $RING
#   soak_start CONF          start iiotd, wait for its socket; $IPID
#                            (SOAK_LAUNCH=setsid: in a session of its own)
#   soak_token               an admin API token in auth.db; $AUTH
#   ctl ARGS                 iiotctl on $W's socket
#   dbcheck DIR              "ok" or the first database failing integrity_check
#   quick|long               the mode asked for (SOAK=long)
. "$(dirname "${BASH_SOURCE[0]}")/../../bench/lib.sh"
SOAK=${SOAK:-quick}
long() { [ "$SOAK" = long ]; }

_soak_pids=()
soak_setup() {
	W=$(mktemp -d "/tmp/iiot-soak-$1.XXXXXX")
	chmod 755 "$W"
	RING=iiot-soak-$1-$$
	P=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	U=https://127.0.0.1:$P
	export IIOTD_SOCK=$W/state/iiotd.sock
	trap soak_cleanup EXIT
	# as root iiotd drops to the iiot user, as installed
	[ "$(id -u)" -ne 0 ] || "$IIOT_TOP/scripts/iiot-user.sh" >/dev/null 2>&1 || true
}

# every exit path (an error, a signal, the end): every child, iiotd and
# generators alike (a generator left running would keep the wait below
# waiting for good), then every ring of this run ($RING and $RING-*,
# their wake FIFOs)
soak_cleanup() {
	local p
	for p in "${_soak_pids[@]}" $(jobs -p); do kill -9 "$p" 2>/dev/null; done
	wait 2>/dev/null
	mountpoint -q "$W/state" && umount "$W/state"
	[ -n "${SOAK_KEEP:-}" ] || rm -rf "$W"
	rm -f "/dev/shm/iiot/$RING" "/dev/shm/iiot/$RING".wake "/dev/shm/iiot/$RING"-*
}

soak_conf() {
	local f=$1; shift
	{
		printf '[iiotd]\nstate_dir = %s/state\nsocket = %s\n' "$W" "$IIOTD_SOCK"
		printf '[api]\nlisten = 127.0.0.1:%s\n' "$P"
		printf '[capture]\nring = %s\n' "$RING"
		printf '%s\n' "$@"
	} >"$f"
}

soak_start() {
	local i
	${SOAK_LAUNCH:-} "$BIN/iiotd" -d -f "$1" >>"$W/iiotd.log" 2>&1 &
	IPID=$!
	_soak_pids+=("$IPID")
	for i in $(seq 200); do
		[ -S "$IIOTD_SOCK" ] && ctl status >/dev/null 2>&1 &&
			curl -sk -o /dev/null "$U/api/v1/health" && return 0
		kill -0 "$IPID" 2>/dev/null || break
		sleep 0.05
	done
	echo "iiotd did not come up:" >&2
	tail -20 "$W/iiotd.log" >&2
	return 1
}

soak_token() {
	local tok h
	tok=iiot_$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
	h=$(printf %s "$tok" | sha256sum | cut -d' ' -f1)
	sqlsh "$W/state/auth.db" "INSERT INTO tokens(name, role, hash, created, created_by) VALUES('soak', 'admin', '$h', 0, 'soak')" >/dev/null
	AUTH="Authorization: Bearer $tok"
}

ctl() { "$BIN/iiotctl" "$@"; }

# sqlite3 as the state directory's owner: a root-owned -shm or -wal left
# beside a database would lock iiotd's user out of it
sqlsh() {
	local owner
	owner=$(stat -c %U "$(dirname "$1")")
	if [ "$(id -u)" -eq 0 ] && [ "$owner" != root ]; then
		setpriv --reuid="$owner" --regid="$(stat -c %G "$(dirname "$1")")" --init-groups \
			sqlite3 -cmd '.timeout 5000' "$@"
	else
		sqlite3 -cmd '.timeout 5000' "$@"
	fi
}

dbcheck() {
	local db ic
	for db in "$1"/*.db; do
		ic=$(sqlsh "$db" 'PRAGMA integrity_check' 2>&1 | head -3 | tr '\n' ' ')
		[ "$ic" = "ok " ] || { echo "${db##*/}: $ic"; return 1; }
	done
	echo ok
}

# a copy of state directory DIR to check, iiotd's own left untouched
soak_copy() {
	rm -rf "$W/check"
	cp -a "$1" "$W/check"
	rm -f "$W/check/iiotd.sock"
	echo "$W/check"
}

# After a kill or a cut, on a copy of state directory DIR: ROUND COMMITTED
# (samples the store reported committed since its start).  Every database
# whole, the audit chain verifies, samples_raw holds at least $prev +
# COMMITTED and roll_1s agrees.  Sets $C (the copy), $raw, $chain (1 when
# it verified); adds to $lost_samples and $failed; returns 1 on a failure.
soak_check_round() {
	local dir=$1 r=$2 committed=${3:-0} ic roll rc=0
	C=$(soak_copy "$dir")
	ic=$(dbcheck "$C")
	[ "$ic" = ok ] || { rc=1; failed+=("round $r: integrity_check: $ic"); }
	chain=1
	ctl audit --state "$C" verify >"$W/verify.out" 2>&1 ||
		{ rc=1; chain=0; failed+=("round $r: audit verify: $(tail -1 "$W/verify.out")"); }
	raw=$(sqlsh "$C/iiot.db" 'SELECT coalesce(sum(n), 0) FROM samples_raw')
	roll=$(sqlsh "$C/iiot.db" 'SELECT coalesce(sum(count), 0) FROM roll_1s')
	if [ "$raw" -lt $((prev + committed)) ]; then
		rc=1; lost_samples=$((lost_samples + prev + committed - raw))
		failed+=("round $r: samples: $raw on disk, $prev before + $committed committed")
	fi
	[ "$raw" = "$roll" ] || { rc=1; failed+=("round $r: raw $raw, rollups $roll"); }
	prev=$raw
	return $rc
}
