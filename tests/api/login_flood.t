#!/usr/bin/env bash
# Password checks (Argon2id) run off iiotd's event loop: while wrong-password
# logins wait for theirs, a cheap request is answered and the capture ring
# keeps draining; parallel failures still lock out; a full queue answers
# 503 with Retry-After, counted and logged once; a client that leaves
# mid-check frees its slot; a stop with checks in flight is clean.  Runs
# the ASan + UBSan build of iiotd (make tests) when there is one, as root
# (LeakSanitizer cannot inspect a process that changed its uid): a leak or
# undefined behaviour makes its exit status or log fail the test.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib_api.sh"
command -v jq >/dev/null || skip_all "jq missing"
[ -x "$BIN/iiot-sim" ] || skip_all "iiot-sim not built"

RUNAS=()
if [ -x "$BUILD/tests-api/iiotd-san" ]; then
	IIOTD=$BUILD/tests-api/iiotd-san
	RUNAS=("[iiotd]" "user = root" "[api]")
	SAN_LOGS=$(mktemp -d /tmp/iiot-flood-san.XXXXXX)
	cleanup_push "rm -rf $SAN_LOGS"
	export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}:log_path=$SAN_LOGS/asan"
	export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1}:log_path=$SAN_LOGS/ubsan"
fi
LOGIN='{"username":"admin","password":"not the password"}'

stats() { "$BIN/iiotctl" stats -s "$D/iiotd.sock" --json; }
# wait_api JQ-CONDITION: poll iiotctl stats (10 s)
wait_api() {
	local i
	for i in $(seq 1000); do
		stats | jq -e "$1" >/dev/null 2>&1 && return 0
		sleep 0.01
	done
	return 1
}
login_bg() {	# login_bg ADDR: a wrong-password login; "login CODE" into $EV when answered
	(
		c=$(curl -sk -o /dev/null -w '%{http_code}' --interface "$1" -H 'Content-Type: application/json' \
			--data-binary "$LOGIN" "$URL/api/v1/login")
		echo "login $c" >>"$EV"
	) &
	LOGINS+=($!)
}
# stop_clean WHAT: SIGTERM, then exit status 0 and no sanitizer report
stop_clean() {
	kill "$IIOTD_PID"
	wait "$IIOTD_PID"
	local rc=$?
	expect_eq "$1: iiotd exits 0" "$rc" 0
	if [ -n "${SAN_LOGS-}" ]; then
		if ls "$SAN_LOGS"/* >/dev/null 2>&1; then
			fail "$1: no ASan/UBSan report" "$(head -c 2000 "$SAN_LOGS"/*)"
		else
			ok "$1: no ASan/UBSan report"
		fi
	fi
}

# --- 1. a storm of logins on a capturing daemon: one check thread, 16 waiting
ring=iiot-flood$$
api_start "${RUNAS[@]}" "hash_threads = 1" "hash_queue = 16" "[capture]" "ring = $ring"
cleanup_push "rm -f /dev/shm/iiot/$ring /dev/shm/iiot/$ring.wake"
"$BIN/iiot-sim" "$IIOT_TOP/sim/scenarios/small-cell.conf" --ring "$ring" >"$D/sim.log" 2>&1 &
cleanup_push "kill $!"
wait_api '.capture.frames > 0' && ok "ring drained before the storm" || fail "ring drained" "$(tail -5 "$D/iiotd.log")"

EV=$D/events
: >"$EV"
LOGINS=()
N=12
for i in $(seq $N); do login_bg 127.0.0.21; done
wait_api '.api.held >= 3' && ok "logins held for their password check" || fail "logins held" "$(stats | jq -c .api)"
s1=$(stats)
code=$(curl -sk -o /dev/null -w '%{http_code}' "$URL/api/v1/health")
echo "health $code" >>"$EV"
s2=$(stats)
# drained frames come from capture's snapshots, at most 200 ms old
f1=$(jq .capture.frames <<<"$s1") f2=$(jq .capture.frames <<<"$s2")
for _ in $(seq 100); do
	[ "$f2" -gt "$f1" ] && break
	sleep 0.02
	f2=$(stats | jq .capture.frames)
done
expect_eq "health answered during the storm" "$code" 200
held=$(jq .api.held <<<"$s2")
[ "$held" -gt 0 ] && ok "health answered while $held logins still waited" ||
	fail "health answered while logins waited" "$s2"
[ "$f2" -gt "$f1" ] && ok "ring kept draining during the storm ($f1 -> $f2 frames)" ||
	fail "ring kept draining" "$f1 -> $f2"
wait "${LOGINS[@]}"
last_login=$(grep -n '^login' "$EV" | tail -1 | cut -d: -f1)
health_at=$(grep -n '^health' "$EV" | cut -d: -f1)
[ -n "$health_at" ] && [ "$health_at" -lt "$last_login" ] && ok "health returned before the last login" ||
	fail "health returned before the last login" "$(cat "$EV")"
# the first five failures lock the address; the rest, checked in parallel, are refused
expect_eq "parallel failures: 5 x 401, then the address lock" \
	"$(grep -c '^login 401' "$EV") $(grep -c '^login 429' "$EV")" "5 $((N - 5))"
req "$D/x" POST /login "{\"username\":\"admin\",\"password\":\"$ADMIN_PW\"}" --interface 127.0.0.22
expect_eq "every parallel failure counted: account locked, right password or not" "$CODE" 423
expect_eq "nothing left waiting" "$(stats | jq -c '[.api.held, .api.hash_pending]')" "[0,0]"

# --- 3. clients leaving while their check waits behind 16 others
for mode in rst fin; do
	src=127.0.0.51
	[ "$mode" = fin ] && src=127.0.0.52
	out=$(python3 "$IIOT_TOP/tests/api/hold_logins.py" "$PORT" "$src" 16 "$mode" \
		"$BIN/iiotctl" "$D/iiotd.sock" 2>&1)
	grep -q '^taken yes' <<<"$out" && grep -q '^cancelled yes' <<<"$out" &&
		ok "$mode: the check of a client gone is cancelled" || fail "$mode: cancelled" "$out"
	w=$(sed -n 's/^others_waiting //p' <<<"$out")
	[ "${w:-0}" -gt 0 ] && ok "$mode: cancelled while others still waited ($w)" || fail "$mode: in the queue" "$out"
	expect_eq "$mode: the 16 others answered" "$(grep -cE '^reply HTTP/1.1 4(01|29) ' <<<"$out")" 16
done
grep -q '^reply closed' <<<"$out" && ok "fin: the half-closed connection is closed without a reply" ||
	fail "fin: closed" "$out"
wait_api '.api.held == 0 and .api.hash_pending == 0' && ok "slots free after the clients left" ||
	fail "slots free" "$(stats | jq -c .api)"
expect_eq "each is in the audit log" \
	"$("$BIN/iiotctl" audit --state "$D" export | grep -c 'connection closed before the password check finished')" 2
code=$(curl -sk -o /dev/null -w '%{http_code}' "$URL/api/v1/health")
expect_eq "iiotd still answers" "$code" 200

# a stop while 17 checks are in flight
done_at_hold=$(stats | jq .api.hash_done)
python3 "$IIOT_TOP/tests/api/hold_logins.py" "$PORT" 127.0.0.60 16 keep "$BIN/iiotctl" "$D/iiotd.sock" \
	>"$D/keep" 2>&1 &
keep=$!
# All 17 taken by the worker (hold_logins.py says so), then the stop at once.
# Polling for "17 held" raced with the checks: now that audit rows no longer
# fsync on the loop, results come back as fast as the thread makes them and
# the window of 17 held is one check long.
for _ in $(seq 1000); do grep -q '^taken' "$D/keep" 2>/dev/null && break; sleep 0.01; done
grep -q '^taken yes' "$D/keep" && ok "17 checks taken by the worker" || fail "17 checks taken" "$(cat "$D/keep")"
# checks that finish before the stop answer their clients (401, or 429
# once five failures locked the address); every other client must see the
# connection close
done_before_stop=$(stats | jq .api.hash_done)
stop_clean "stop with checks in flight"
wait "$keep"
closed=$(grep -c '^reply closed' "$D/keep")
answered=$(grep -cE '^reply HTTP/1.1 4(01|29) ' "$D/keep")
expect_eq "each of the 17 clients is answered or sees the close, none hangs" "$((closed + answered))" 17
# how many checks end between "taken" and the signal depends on the load;
# those still waiting at the stop must be closed, not answered
if [ "$closed" -ge 1 ]; then
	ok "their clients see the connection close ($closed closed, $answered answered before the stop)"
else
	skip "clients see the close" "every check ended before the stop ($((done_before_stop - done_at_hold)) at the last read)"
fi

# --- 2. a full queue: one thread, one waiting; 16 at once from one address
api_start "${RUNAS[@]}" "hash_threads = 1" "hash_queue = 1"
curl -sk --parallel --parallel-immediate --parallel-max 16 --interface 127.0.0.31 \
	-H 'Content-Type: application/json' --data-binary '{"username":"ghost","password":"not the password"}' \
	-o "$D/q_#1" -w '%{http_code} %header{retry-after}\n' "$URL/api/v1/login?n=[1-16]" >"$D/codes" 2>"$D/curl.err"
n503=$(grep -c '^503 ' "$D/codes")
[ "$n503" -ge 2 ] && ok "queue full: $n503 of 16 refused with 503" || fail "queue full: 503" "$(cat "$D/codes")"
expect_eq "16 answers: the rest were checked (401) or the address locked (429)" \
	"$(grep -cE '^(503|401|429) ' "$D/codes")" 16
expect_eq "every 503 carries Retry-After: 1" "$(grep -c '^503 1$' "$D/codes")" "$n503"
bad=0
for f in "$D"/q_*; do
	[ "$(jq -r .status "$f")" = 503 ] || continue
	[ "$(jq -r .error "$f")" = "too many password checks in progress; retry shortly" ] || bad=1
	cp "$f" "$D/out" && _record POST /login 503
done
expect_eq "each 503 has a JSON reason" "$bad" 0
expect_eq "iiotctl stats counts them (api.hash_busy)" "$(stats | jq .api.hash_busy)" "$n503"
expect_eq "logged once, not once per refusal" "$(grep -c 'password checks busy' "$D/iiotd.log")" 1
stop_clean "queue full"

openapi_check
echo "1..$_tap_n"
