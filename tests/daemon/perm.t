#!/usr/bin/env bash
# The control socket lets in root, iiotd's own user and its group only:
# the file mode stops others, and the peer-credential check stops even a
# process that can bypass file permissions.  Started as root, iiotd drops
# to an unprivileged user.
. "$(dirname "$0")/lib_daemon.sh"
[ "$(id -u)" -eq 0 ] || skip_all "needs root (to run iiotd as root and clients as others)"
command -v setpriv >/dev/null || skip_all "setpriv (util-linux) missing"
daemon_setup
write_conf "$T/iiotd.conf"
start_iiotd "$T/iiotd.conf" || { fail "iiotd starts"; exit 0; }

uid=$(ctl status --json | jq .uid)
[ "$uid" -ne 0 ] && ok "iiotd dropped root (uid $uid)" || fail "iiotd dropped root"
expect_eq "iiotd process is not root" "$(stat -c %u /proc/$IIOTD_PID)" "$uid"
grep -q '^CapEff:[[:space:]]*0000000000000000$' /proc/$IIOTD_PID/status &&
	ok "no capability kept (tests/daemon/privdrop.t has the rest)" ||
	fail "no capability kept" "$(grep Cap /proc/$IIOTD_PID/status)"
expect_eq "socket owner" "$(stat -c '%u %a' "$IIOTD_SOCK")" "$uid 660"

other=$(getent passwd daemon | cut -d: -f3); other=${other:-1}
out=$(setpriv --reuid="$other" --regid="$other" --clear-groups "$BIN/iiotctl" status 2>&1)
[[ $out == *"Permission denied"* ]] && ok "another user cannot connect (file mode)" ||
	fail "another user cannot connect" "$out"
out=$(setpriv --reuid="$other" --regid="$other" --clear-groups \
	--inh-caps=+dac_override --ambient-caps=+dac_override "$BIN/iiotctl" status 2>&1)
[[ $out == *"iiotd: permission denied"* ]] && ok "peer credentials refuse a user who bypasses file modes" ||
	fail "peer credential check" "$out"
expect_eq "refusal counted" "$(ctl stats --json | jq .ctl.denied)" 1
check "root is let in" ctl status
out=$(setpriv --reuid="$uid" --regid="$uid" --clear-groups "$BIN/iiotctl" status 2>&1) &&
	ok "iiotd's own user is let in" || fail "iiotd's own user is let in" "$out"
# a bad request is answered and counted, never a crash
out=$(printf 'devices please and thank you\n' | timeout 5 python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
s.sendall(sys.stdin.buffer.read()); print(s.recv(4096).decode().strip())' "$IIOTD_SOCK")
[[ $out == *'"ok":false'* ]] && ok "bad request answered with an error" || fail "bad request" "$out"
out=$(head -c 70000 /dev/zero | tr '\0' 'a' | timeout 5 python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
s.sendall(sys.stdin.buffer.read()); print(s.recv(4096).decode().strip())' "$IIOTD_SOCK")
[[ $out == *"too long (more than 65536 bytes)"* ]] && ok "a request past 64 KiB refused, saying the limit" || fail "overlong request" "$out"
expect_eq "bad requests counted" "$(ctl stats --json | jq .ctl.bad_requests)" 2
