#!/usr/bin/env bash
# Started as root, iiotd drops to its user and keeps no capability at all
# (it used to keep CAP_DAC_OVERRIDE for rings): it still drains rings a
# root producer creates later, because rings are group iiot mode 0660 and
# its user is in group iiot; a ring it cannot open is a clear error naming
# the fix, and a ring path that is a symbolic link is never followed.
. "$(dirname "$0")/lib_daemon.sh"
[ "$(id -u)" -eq 0 ] || skip_all "needs root (to start iiotd as root)"
[ -x "$BIN/iiot-replay" ] && [ -x "$BIN/iiot-sim" ] || skip_all "iiot-replay or iiot-sim not built"
daemon_setup
"$IIOT_TOP/scripts/iiot-user.sh" || { fail "scripts/iiot-user.sh"; exit 0; }
# a user of its own whose primary group is not iiot: membership must come
# from the supplementary groups iiotd takes on
tuser=iiot-test
getent passwd $tuser >/dev/null ||
	useradd --system --gid nogroup --groups iiot --no-create-home \
		--home-dir /nonexistent --shell /usr/sbin/nologin $tuser 2>/dev/null ||
	getent passwd $tuser >/dev/null || { fail "create user $tuser"; exit 0; }
tuid=$(id -u $tuser)
igid=$(getent group iiot | cut -d: -f3)

"$BIN/iiot-sim" "$IIOT_TOP/sim/scenarios/small-cell.conf" --out "$T/sc.pcap" --duration 1 >/dev/null 2>&1 ||
	{ fail "iiot-sim writes a capture"; exit 0; }
r1=$RING_PREFIX-later
link=$RING_PREFIX-link
cleanup_push "rm -f /dev/shm/iiot/$link"
# the API on: its password-hashing threads exist before the drop
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
printf '%s\n' "[iiotd]" "state_dir = $T/state" "user = $tuser" "[api]" "listen = 127.0.0.1:$port" \
	"[capture]" "ring = $r1" "ring = $link" "ring = $T/denied" >"$T/iiotd.conf"
start_iiotd "$T/iiotd.conf" || { fail "iiotd starts"; exit 0; }

# --- no capability left, in any thread ------------------------------------
st=/proc/$IIOTD_PID/status
expect_eq "regression: iiotd kept CAP_DAC_OVERRIDE (CapEff is empty)" \
	"$(awk '/^CapEff:/ {print $2}' $st)" 0000000000000000
expect_eq "no permitted capability" "$(awk '/^CapPrm:/ {print $2}' $st)" 0000000000000000
expect_eq "no inheritable capability" "$(awk '/^CapInh:/ {print $2}' $st)" 0000000000000000
expect_eq "empty bounding set" "$(awk '/^CapBnd:/ {print $2}' $st)" 0000000000000000
expect_eq "no ambient capability" "$(awk '/^CapAmb:/ {print $2}' $st)" 0000000000000000
expect_eq "no_new_privs" "$(awk '/^NoNewPrivs:/ {print $2}' $st)" 1
expect_eq "runs as $tuser (real, effective, saved, fs)" "$(awk '/^Uid:/ {print $2,$3,$4,$5}' $st)" \
	"$tuid $tuid $tuid $tuid"
awk '/^Groups:/' $st | grep -qw "$igid" && ok "in group iiot through its supplementary groups" ||
	fail "in group iiot" "$(grep Groups $st)"
# threads made before the drop (password hashing, ...) carry their own sets
bad=$(for t in /proc/$IIOTD_PID/task/*/status; do
	awk -v t="$t" '/^Cap(Eff|Prm|Inh|Bnd|Amb):/ && $2 != "0000000000000000" {print t, $0}
		/^NoNewPrivs:/ && $2 != 1 {print t, $0}' "$t"
done)
expect_eq "every thread: no capability, no_new_privs ($(ls /proc/$IIOTD_PID/task | wc -l) threads)" "$bad" ""

# --- a ring a root producer makes after the drop -------------------------
out=$("$BIN/iiot-replay" --ring "$r1" --fast --block --json "$T/sc.pcap" 2>&1) ||
	fail "iiot-replay into $r1" "$out"
sent=$(echo "$out" | jq -r .frames 2>/dev/null)
wait_for "drained" 10 sh -c "[ \"\$($BIN/iiotctl status --json | jq .frames)\" -gt 0 ]" &&
	ok "iiotd as $tuser drains a ring a root producer made later" ||
	fail "iiotd drains a ring made later" "$(tail -5 "$T/iiotd.log")"
[ -n "$sent" ] && { wait_for "all drained" 10 sh -c "[ \"\$($BIN/iiotctl status --json | jq .frames)\" -eq $sent ]" &&
	ok "every frame drained ($sent)" || fail "every frame drained" "$(drained) of $sent"; }
expect_eq "the ring is group iiot, mode 660" "$(stat -c '%G %a' /dev/shm/iiot/$r1)" "iiot 660"
expect_eq "its wake FIFO too" "$(stat -c '%G %a' /dev/shm/iiot/$r1.wake)" "iiot 660"
d=$(stat -c '%G %A' /dev/shm/iiot)
[[ $d == "iiot "d???r-x* ]] && ok "/dev/shm/iiot is searchable by group iiot ($d)" ||
	fail "/dev/shm/iiot is searchable by group iiot" "$d"

# --- a ring path that is a symbolic link ---------------------------------
"$BIN/iiot-replay" --ring "$T/target" --fast "$T/sc.pcap" >/dev/null 2>&1
ln -sf "$T/target" /dev/shm/iiot/$link
wait_for "refused" 5 grep -q "$link: it is a symbolic link" "$T/iiotd.log" &&
	ok "regression: a symlinked ring path is refused, not followed" ||
	fail "a symlinked ring path is refused" "$(grep capture "$T/iiotd.log" | tail -5)"
grep -q "draining /dev/shm/iiot/$link\|draining $link" "$T/iiotd.log" &&
	fail "iiotd never drains through the link" || ok "iiotd never drains through the link"
out=$("$BIN/iiotctl" rings "$link" 2>&1)
[[ $out == *"symbolic link"* ]] && ok "iiotctl rings refuses it too" || fail "iiotctl rings refuses the link" "$out"

# --- a ring iiotd cannot open names the fix ------------------------------
"$BIN/iiot-replay" --ring "$T/denied0" --fast "$T/sc.pcap" >/dev/null 2>&1
chgrp root "$T/denied0" && chmod 640 "$T/denied0" && mv "$T/denied0" "$T/denied" && mv "$T/denied0.wake" "$T/denied.wake"
wait_for "denied" 5 grep -q "a ring must be group iiot mode 0660" "$T/iiotd.log" &&
	ok "a ring of the wrong group: the error names the fix" ||
	fail "a ring of the wrong group names the fix" "$(grep capture "$T/iiotd.log" | tail -5)"

stop_iiotd
grep capture "$T/iiotd.log" | sed "s|^|# |"
grep -q "is not in group iiot" "$T/iiotd.log" && fail "no warning about group membership" ||
	ok "no warning about group membership"
