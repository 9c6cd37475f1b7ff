#!/usr/bin/env bash
# The capture thread's scheduling (issue 12 §2): started as root, iiotd
# gives the capture thread SCHED_FIFO at [capture] rt_priority before it
# drops privileges, and the policy survives the drop (no capability left);
# every other thread stays SCHED_OTHER, the store readers at a higher nice
# value than the main loop.  rt_priority = 0 leaves the capture thread
# SCHED_OTHER at its nice value; without CAP_SYS_NICE iiotd logs one
# warning naming the fix and runs on.  A bad value is refused.
. "$(dirname "$0")/lib_daemon.sh"
[ "$(id -u)" -eq 0 ] || skip_all "needs root (to start iiotd as root)"
command -v setpriv >/dev/null || skip_all "setpriv missing"
# a container without real-time runtime refuses even root
chrt -f 1 true 2>/dev/null || skip_all "SCHED_FIFO not permitted here"
daemon_setup
"$IIOT_TOP/scripts/iiot-user.sh" || { fail "scripts/iiot-user.sh"; exit 0; }

# policy (field 41 of /proc/.../stat: 0 other, 1 fifo), rt priority, nice
sched_of() {	# THREAD_NAME → "policy rtprio nice" of iiotd's thread
	local t
	for t in /proc/$IIOTD_PID/task/*; do
		[ "$(cat "$t/comm")" = "$1" ] || continue
		awk '{ sub(/^.*\) /, ""); print $39, $38, $17 }' "$t/stat"
		return
	done
}
main_nice() { awk '{ sub(/^.*\) /, ""); print $17 }' /proc/$IIOTD_PID/stat; }

write_conf "$T/fifo.conf" "[capture]" "rt_priority = 12" "[store]" "readers = 2"
start_iiotd "$T/fifo.conf" || { fail "iiotd starts"; exit 0; }
expect_eq "the capture thread runs SCHED_FIFO at rt_priority 12" "$(sched_of iiotd-capture | cut -d' ' -f1,2)" "1 12"
expect_eq "after the drop: no capability" "$(awk '/^CapEff:/ {print $2}' /proc/$IIOTD_PID/status)" 0000000000000000
expect_eq "the main loop stays SCHED_OTHER" "$(awk '{ sub(/^.*\) /, ""); print $39 }' /proc/$IIOTD_PID/stat)" 0
expect_eq "the store readers stay SCHED_OTHER, 5 nicer than the loop" \
	"$(sched_of iiotd-reader | cut -d' ' -f1,3)" "0 $(( $(main_nice) + 5 ))"
check "the log says so" grep -q "capture thread runs SCHED_FIFO at priority 12" "$T/iiotd.log"
stop_iiotd

: >"$T/iiotd.log"
write_conf "$T/other.conf" "[capture]" "rt_priority = 0" "nice = -7"
start_iiotd "$T/other.conf" || { fail "iiotd starts with rt_priority = 0"; exit 0; }
expect_eq "rt_priority = 0: SCHED_OTHER at [capture] nice" "$(sched_of iiotd-capture | cut -d' ' -f1,3)" "0 -7"
stop_iiotd

# root without CAP_SYS_NICE: not permitted, said once, capture runs anyway
: >"$T/iiotd.log"
write_conf "$T/denied.conf" "[capture]" "ring = $RING_PREFIX-none"
setpriv --inh-caps=-sys_nice --bounding-set=-sys_nice "$BIN/iiotd" -d -f "$T/denied.conf" >>"$T/iiotd.log" 2>&1 &
IIOTD_PID=$!
cleanup_push "kill -9 $IIOTD_PID"
wait_for "iiotd up without CAP_SYS_NICE" 10 "$BIN/iiotctl" status
check "iiotd runs without CAP_SYS_NICE" kill -0 $IIOTD_PID
expect_eq "one warning, naming the fix" \
	"$(grep -c "cannot have real-time scheduling.*rt_priority = 0" "$T/iiotd.log")" 1
expect_eq "... and the capture thread is SCHED_OTHER" "$(sched_of iiotd-capture | cut -d' ' -f1)" 0
stop_iiotd

write_conf "$T/bad.conf" "[capture]" "rt_priority = 100"
out=$("$BIN/iiotd" -n -f "$T/bad.conf" 2>&1)
expect_eq "rt_priority 100 is refused" "$?" 1
check "with the key named" grep -q "rt_priority" <<<"$out"
