#!/usr/bin/env bash
# One iiotd per state directory.  A second one started on the same
# state_dir refuses to start, names the first, and leaves the first one's
# control socket in place (it used to unlink it on exit, leaving the
# running daemon unreachable for iiotctl).  Both ways: in the foreground
# (-d) and daemonising, which must then exit non-zero with the reason on
# its terminal.  A second one on another state_dir but the same socket
# path refuses too.  A killed iiotd leaves no lock behind.
. "$(dirname "$0")/lib_daemon.sh"
daemon_setup
write_conf "$T/iiotd.conf"
start_iiotd "$T/iiotd.conf" || { fail "iiotd starts"; exit 0; }
sock_ino() { stat -c %i "$IIOTD_SOCK" 2>/dev/null; }
ino=$(sock_ino)

out=$(timeout 20 "$BIN/iiotd" -d -f "$T/iiotd.conf" 2>&1); rc=$?
[ "$rc" -ne 0 ] && ok "a second iiotd (-d) on the same state_dir exits non-zero" ||
	fail "a second iiotd (-d) on the same state_dir exits non-zero" "exit $rc"
[[ $out == *"another iiotd (pid $IIOTD_PID) runs on state_dir $T/state"* ]] &&
	ok "it names the iiotd that holds the state directory" || fail "refusal names the first iiotd" "$out"
expect_eq "the first iiotd's control socket is still there" "$(sock_ino)" "$ino"
check "iiotctl still reaches the first iiotd" ctl status

out=$(timeout 20 "$BIN/iiotd" -f "$T/iiotd.conf" 2>&1); rc=$?
[ "$rc" -ne 0 ] && ok "a daemonising second iiotd exits non-zero" ||
	fail "a daemonising second iiotd exits non-zero" "exit $rc"
[[ $out == *"another iiotd"*"not starting"* ]] &&
	ok "and says why on its terminal before it lets go" || fail "daemonising refusal on stderr" "$out"
expect_eq "the socket survives that one too" "$(sock_ino)" "$ino"
check "iiotctl still reaches the first iiotd" ctl status

printf '[iiotd]\nstate_dir = %s/other\nsocket = %s\n[api]\nenabled = no\n' "$T" "$IIOTD_SOCK" >"$T/other.conf"
out=$(timeout 20 "$BIN/iiotd" -d -f "$T/other.conf" 2>&1); rc=$?
[ "$rc" -ne 0 ] && [[ $out == *"is in use by another iiotd"* ]] &&
	ok "another state_dir on the same live socket path is refused" ||
	fail "same socket, other state_dir refused" "exit $rc: $out"
expect_eq "the socket is still the first one's" "$(sock_ino)" "$ino"
check "iiotctl still reaches the first iiotd" ctl status

kill -9 "$IIOTD_PID"; wait "$IIOTD_PID" 2>/dev/null
start_iiotd "$T/iiotd.conf" && ok "after kill -9 the next iiotd takes the state directory" ||
	fail "restart after kill -9"
stop_iiotd
echo "1..$_tap_n"
