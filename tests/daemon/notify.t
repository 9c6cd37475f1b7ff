#!/usr/bin/env bash
# systemd's notify protocol, without systemd as PID 1: a datagram socket
# stands in for it.  iiotd says READY=1 once started (with its MAINPID),
# pings WATCHDOG=1 from its event loop at half WATCHDOG_USEC, and says
# STOPPING=1 on SIGTERM.  The shipped unit passes systemd-analyze verify
# and its security exposure stays where docs/operations.md says.
. "$(dirname "$0")/lib_daemon.sh"
command -v python3 >/dev/null || skip_all "python3 missing"
daemon_setup
write_conf "$T/iiotd.conf"

# the stand-in for systemd: every datagram, one per line (newlines as |)
python3 - "$T/notify" "$T/got" <<'PY' &
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
os.chmod(sys.argv[1], 0o777)
with open(sys.argv[2], "w", buffering=1) as f:
    while True:
        m = s.recv(4096).decode()
        f.write(m.replace("\n", "|") + "\n")
        if m.startswith("STOPPING=1"):
            break
PY
listener=$!
cleanup_push "kill $listener 2>/dev/null"
for i in $(seq 50); do [ -S "$T/notify" ] && break; sleep 0.1; done

NOTIFY_SOCKET=$T/notify WATCHDOG_USEC=400000 start_iiotd "$T/iiotd.conf"
wait_for "READY=1" 10 grep -q '^READY=1' "$T/got"
expect_eq "READY=1 with iiotd's MAINPID" "$(grep '^READY=1' "$T/got" | tr '|' '\n' | sed -n 's/^MAINPID=//p')" "$IIOTD_PID"
pings() { [ "$(grep -c '^WATCHDOG=1$' "$T/got")" -ge 3 ]; }
wait_for "three watchdog pings" 20 pings && ok "WATCHDOG=1 pings from the event loop" ||
	fail "watchdog pings" "$(cat "$T/got")"
kill -TERM "$IIOTD_PID"
wait "$IIOTD_PID"
expect_eq "SIGTERM: exit 0" "$?" 0
wait "$listener" 2>/dev/null
expect_eq "STOPPING=1 is the last word" "$(tail -1 "$T/got")" "STOPPING=1"
expect_eq "READY=1 came before any watchdog ping" "$(head -1 "$T/got" | cut -d'|' -f1)" "READY=1"

# without NOTIFY_SOCKET: nothing to say, nothing breaks
start_iiotd "$T/iiotd.conf"
kill -TERM "$IIOTD_PID"; wait "$IIOTD_PID"
expect_eq "no NOTIFY_SOCKET: runs and exits 0" "$?" 0

unit=$T/iiotd.service
sed "s|@BINDIR@|$BIN|g" "$IIOT_TOP/etc/systemd/iiotd.service.in" >"$unit"
if command -v systemd-analyze >/dev/null; then
	out=$(systemd-analyze verify "$unit" 2>&1)
	[ -z "$out" ] && ok "systemd-analyze verify: clean" || fail "systemd-analyze verify" "$out"
	e=$(systemd-analyze security --offline=yes "$unit" 2>/dev/null | sed -n 's/.*exposure level for iiotd.service: \([0-9.]*\).*/\1/p')
	[ -n "$e" ] && awk -v e="$e" 'BEGIN { exit !(e <= 2.8) }' &&
		ok "systemd-analyze security: exposure $e (at most 2.8, docs/operations.md)" ||
		fail "systemd-analyze security exposure" "${e:-none}"
else
	skip "systemd-analyze verify and security" "systemd-analyze missing"
fi
echo "1..$_tap_n"
