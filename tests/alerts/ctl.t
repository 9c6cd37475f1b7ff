#!/usr/bin/env bash
# iiotctl against a running iiotd fed by the faulty line: "alerts" lists
# the stranger's DCP Set, "alert ack/shelve/unshelve" answer it under the
# caller's Unix name with audit rows, refusals included; "alerts --follow"
# prints an alert again when it changes; a syslog collector receives the
# alert as RFC 5424 with structured data.
. "$(dirname "$0")/../daemon/lib_daemon.sh"
command -v jq >/dev/null || skip_all "jq not installed"
daemon_setup
ring=$RING_PREFIX-fl
port=$(python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 - "$port" "$T/syslog" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.settimeout(20)
with open(sys.argv[2], "wb") as f:
    try:
        while True:
            f.write(s.recvfrom(4096)[0] + b"\n"); f.flush()
    except socket.timeout:
        pass
PY
cleanup_push "kill $!"
write_conf "$T/iiotd.conf" "[capture]" "ring = $ring" "[alerts]" "syslog = 127.0.0.1:$port"
start_iiotd "$T/iiotd.conf" || { fail "iiotd started"; exit 0; }
"$BIN/iiot-sim" "$IIOT_TOP/sim/scenarios/faulty-line.conf" --ring "$ring" --duration 3 >"$T/sim.log" 2>&1 &
cleanup_push "kill $!"
for i in $(seq 60); do
	ctl alerts --json | grep -q set_from_stranger && break
	sleep 0.25
done
line=$(ctl alerts --json | jq -c 'select(.rule == "pn.dcp.set_from_stranger")')
expect_eq "iiotctl alerts --json lists the stranger's DCP Set" "$(jq -r '[.severity, .device] | join(" ")' <<<"$line")" \
	"critical press-drive-1"
id=$(jq .id <<<"$line")
ctl alerts | grep -q "^$id .*pn.dcp.set_from_stranger" && ok "and as a table" || fail "table" "$(ctl alerts)"

ctl alerts --follow --json >"$T/follow" 2>&1 &
fpid=$!
cleanup_push "kill $fpid"
sleep 1.5
out=$(ctl alert ack "$id" --comment "seen on the line" 2>&1)
expect_eq "iiotctl alert ack" "$out" "alert $id: active-ack"
out=$(ctl alert ack "$id" 2>&1)
expect_eq "twice is refused with the reason" "$out $?" "iiotctl: iiotd: already acknowledged 1"
out=$(ctl alert shelve "$id" --minutes 10 2>&1)
[ $? -eq 2 ] && ok "shelving without a comment is a usage error" || fail "shelve without comment" "$out"
out=$(ctl alert shelve "$id" --minutes 10 --comment "maintenance" 2>&1)
expect_eq "iiotctl alert shelve" "$out" "alert $id: active-ack"
ctl alert unshelve "$id" >/dev/null && ok "iiotctl alert unshelve" || fail "unshelve"
out=$(ctl alert ack 99999 2>&1)
expect_eq "an unknown alert" "$out" "iiotctl: iiotd: no open alert with this id"
sleep 1.5
kill $fpid 2>/dev/null
n=$(jq -c "select(.id == $id) | .state" "$T/follow" | tr '\n' ' ')
expect_eq "--follow printed it, then its acknowledgement" "$n" '"active-unack" "active-ack" '

me=$(id -un)
rows=$(sqlite3 "$T/state/audit.db" "SELECT user || ' ' || action || ' ' || result FROM audit WHERE target = 'alert $id' ORDER BY seq" | tr '\n' ',')
expect_eq "audit rows under the Unix user" "$rows" \
	"$me alert.ack ok,$me alert.ack fail,$me alert.shelve ok,$me alert.unshelve ok,"
who=$(sqlite3 "$T/state/alerts.db" "SELECT who || ':' || comment FROM alert_history WHERE alert = $id AND event = 'acked'")
expect_eq "the history names who and why" "$who" "$me:seen on the line"
stop_iiotd
sl=$(grep -a 'pn.dcp.set_from_stranger' "$T/syslog" | head -1)
[[ $sl == "<130>1 "*" iiotd - ALERT [iiot@32473 id=\"$id\" rule=\"pn.dcp.set_from_stranger\" severity=\"critical\""* ]] &&
	ok "syslog: RFC 5424, local0.crit, structured data" || fail "syslog line" "$sl"
echo "1..$_tap_n"
