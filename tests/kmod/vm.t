#!/usr/bin/env bash
# iiot.ko in a real kernel: boots Debian's kernel in qemu (TCG) with the
# module and runs tests/kmod/guest-test.sh inside (capture byte-exact and
# in order, counters, sysfs vs netlink, privileges, bad attributes,
# overflow and events, removal and unload with traffic flowing).
source "$(dirname "$0")/../lib.sh"
source "$IIOT_TOP/tests/kmod/vmlib.sh"

vm_find || skip_all "$VM_WHY"
ko=$IIOT_TOP/iiot.ko
[ -f "$ko" ] || { fail "iiot.ko is built" "run: make kmod"; exit 1; }

vermagic=$(modinfo -F vermagic "$ko" | awk '{print $1}')
expect_eq "module built for the booted kernel" "$vermagic" "$KVER"
expect_eq "modinfo license" "$(modinfo -F license "$ko")" GPL
check "modinfo description" test -n "$(modinfo -F description "$ko")"
check "modinfo version" test -n "$(modinfo -F version "$ko")"
expect_eq "modinfo abi_version" "$(modinfo -F abi_version "$ko")" \
	"$(sed -n 's/^#define IIOT_RING_ABI_VERSION[[:space:]]*//p' "$IIOT_TOP/include/iiot/ring_abi.h")"

mkdir -p "$BUILD/kmod"
# Simulator traffic and iiotd in the guest when they are built: a pcap of
# the small-cell scenario, replayed on the veth and checked byte-exact
# against the ring, then decoded by iiotd draining the module's ring.
scenario=$IIOT_TOP/sim/scenarios/small-cell.conf
if [ -x "$BIN/iiot-sim" ] && [ -f "$scenario" ] &&
   "$BIN/iiot-sim" "$scenario" --out "$BUILD/kmod/sim.pcap" --duration 0.5 \
	>/dev/null 2>&1; then
	VM_FILES+=("$BUILD/kmod/sim.pcap=/sim.pcap")
fi
[ -x "$BIN/iiotd" ] && VM_FILES+=("$BIN/iiotd=/bin/iiotd")

log=$BUILD/kmod/vm-console.log
start=$SECONDS
rm -f "$log"
vm_boot "$IIOT_TOP/tests/kmod/guest-test.sh" "$log" "${IIOT_KMOD_VM_TIMEOUT:-400}"
touch "$log"
echo "# guest ran $((SECONDS - start)) s; console: $log"

while IFS= read -r line; do
	line=${line%$'\r'}
	case $line in
	"IIOT-TAP ok - "*) ok "${line#IIOT-TAP ok - }" ;;
	"IIOT-TAP not ok - "*) fail "${line#IIOT-TAP not ok - }" ;;
	"IIOT-TAP # "*) echo "${line#IIOT-TAP }" ;;
	esac
done < <(tr -d '\r' <"$log" | grep -ao 'IIOT-TAP .*')

if grep -aq '^IIOT-DONE' "$log"; then
	ok "guest finished"
else
	fail "guest finished" "console tail:" "$(tail -n 30 "$log")"
fi
errs=$(vm_kernel_errors "$log")
if [ -z "$errs" ]; then
	ok "no oops, WARN, BUG, KASAN or UBSAN in the kernel log"
else
	fail "no oops, WARN, BUG, KASAN or UBSAN in the kernel log" "$(echo "$errs" | head -n 20)"
fi
