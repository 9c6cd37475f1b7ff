#!/bin/sh
# /init of the iiot.ko test VM (busybox sh).  Reports TAP lines prefixed
# with "IIOT-TAP " on the console; tests/kmod/vm.t numbers them.
. /lib/guest-lib.sh

ok() { echo "IIOT-TAP ok - $*"; }
nok() { echo "IIOT-TAP not ok - $*"; }
diag() { echo "$*" | tail -n 8 | sed 's/^/IIOT-TAP # /'; }
check() {
	what=$1
	shift
	if out=$("$@" 2>&1); then ok "$what"; else nok "$what"; diag "$out"; fi
}
expect_eq() {
	if [ "$2" = "$3" ]; then ok "$1"; else nok "$1"; diag "got:  $2" "want: $3"; fi
}
# refused: command fails and its message contains the text
refused() {
	what=$1 text=$2
	shift 2
	if out=$("$@" 2>&1); then
		nok "$what"; diag "succeeded: $out"
	elif echo "$out" | grep -q -- "$text"; then
		ok "$what"; diag "$out"
	else
		nok "$what"; diag "$out" "want a message with: $text"
	fi
}
wait_for() {	# FILE TEXT: up to 30 s
	i=0
	while ! grep -q "$2" "$1" 2>/dev/null && [ $i -lt 300 ]; do
		sleep 0.1; i=$((i + 1))
	done
}
finish() {
	diag "guest uptime $(cut -d' ' -f1 /proc/uptime) s"
	echo IIOT-DMESG-BEGIN
	dmesg
	echo IIOT-DMESG-END
	echo IIOT-DONE
	poweroff -f
}

T=/bin/iiot-kmodtool
C=/bin/iiotctl
S=/sys/class/misc/iiot-veth1
echo 100000 >/proc/sys/net/core/netdev_max_backlog
insmod /lib/modules/veth.ko
mkveth() {
	/sbin/ip link add veth0 type veth peer name veth1 &&
	/sbin/ip link set veth0 up && /sbin/ip link set veth1 up
}
check "veth pair" mkveth
check "insmod iiot.ko" insmod /lib/modules/iiot.ko
[ -d /sys/module/iiot ] || finish

# --- attach, mapping, byte-exact capture -------------------------------
# a small ring, so the byte-exact pass wraps it several times
check "attach veth1" $C kmod attach veth1 --ring-size 256k
if [ -c /dev/iiot/veth1 ]; then ok "device /dev/iiot/veth1"; else nok "device /dev/iiot/veth1"; fi
# iiotd keeps no capability: the ring is root's and group iiot's only
expect_eq "device is root:iiot mode 660" "$(stat -c '%u:%g %a' /dev/iiot/veth1)" "0:990 660"
expect_eq "sysfs abi_version" "$(cat $S/abi_version)" 2
expect_eq "sysfs filter is the default" "$(cat $S/filter)" "0x88a4 0x8892 0x88cc pnio-cm"
check "mmap: only the consumer page is writable" $T mmapcheck /dev/iiot/veth1

N=6000
exp=$($T expect $N mixed 0)
ef=$(field "$exp" frames)
eb=$(field "$exp" bytes)
$T read /dev/iiot/veth1 "$ef" mixed 0 65535 30 >/tmp/read1 2>&1 &
rp=$!
wait_for /tmp/read1 ready
$T send veth0 $N mixed 0 $S/fill 131072 >/tmp/send1 2>&1
if wait $rp; then
	ok "every frame in order and byte-exact ($ef of $N sent)"
else
	nok "every frame in order and byte-exact ($ef of $N sent)"
fi
diag "$(cat /tmp/read1 /tmp/send1)"
expect_eq "received frames not flagged TX" "$(field "$(cat /tmp/read1)" tx)" 0
expect_eq "sysfs frames" "$(cat $S/frames)" "$ef"
expect_eq "sysfs bytes" "$(cat $S/bytes)" "$eb"
expect_eq "sysfs drops" "$(cat $S/drops)" 0
expect_eq "sysfs fill after draining" "$(cat $S/fill)" 0
nl=$($C kmod stats veth1)
bad=
for k in frames bytes drops drop_bytes truncated bad_cons fill ring_size \
	 snaplen snap_max overflows state; do
	v=$(echo "$nl" | sed -n "s/^$k //p")
	[ "$v" = "$(cat $S/$k)" ] || bad="$bad $k(nl=$v sysfs=$(cat $S/$k))"
done
expect_eq "sysfs agrees with netlink" "$bad" ""
check "list shows veth1" sh -c "$C kmod list | grep -q '^veth1 '"

# --- simulator traffic, decoded by iiotd ---------------------------------
if [ -f /sim.pcap ]; then
	$T readpcap /dev/iiot/veth1 /sim.pcap 30 >/tmp/rp 2>&1 &
	rp=$!
	wait_for /tmp/rp ready
	$T sendpcap veth0 /sim.pcap $S/fill 131072 >/dev/null
	if wait $rp; then ok "simulator frames in order and byte-exact"; else nok "simulator frames in order and byte-exact"; fi
	diag "$(cat /tmp/rp)"
else
	echo "IIOT-TAP ok - simulator frames in order and byte-exact # SKIP iiot-sim not built"
fi
if [ -f /sim.pcap ] && [ -x /bin/iiotd ]; then
	mkdir -p /tmp/iiotd
	printf '[iiotd]\nstate_dir = /tmp/iiotd\n[capture]\nring = /dev/iiot/veth1\n[api]\nenabled = no\n' >/tmp/iiotd.conf
	/bin/iiotd -d -f /tmp/iiotd.conf >/tmp/iiotd.log 2>&1 &
	dp=$!
	i=0
	while ! grep -q "draining" /tmp/iiotd.log && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
	want=$(field "$(cat /tmp/rp)" want)
	$T sendpcap veth0 /sim.pcap $S/fill 131072 >/dev/null
	export IIOTD_SOCK=/tmp/iiotd/iiotd.sock
	i=0
	while [ "$(iiotctl stats 2>/dev/null | sed -n 's/^capture.frames  *//p')" != "$want" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
	st=$(iiotctl stats 2>&1)
	expect_eq "iiotd drained every frame from the module's ring" "$(echo "$st" | sed -n 's/^capture.frames  *//p')" "$want"
	expect_eq "iiotd: no decode anomaly" "$(echo "$st" | sed -n 's/^capture.anomalies  *//p')" 0
	expect_eq "iiotd drains it as iiot, without capabilities" \
		"$(stat -c %u /proc/$dp) $(sed -n 's/^CapEff:[[:space:]]*//p' /proc/$dp/status)" "990 0000000000000000"
	dev=$(iiotctl devices 2>&1)
	if echo "$dev" | grep -q ecat-master && echo "$dev" | grep -q pn-device; then
		ok "iiotd decodes EtherCAT and PROFINET devices"
	else
		nok "iiotd decodes EtherCAT and PROFINET devices"
	fi
	diag "$dev"
	kill $dp
	wait $dp
	unset IIOTD_SOCK
	grep -q "draining" /tmp/iiotd.log || diag "$(cat /tmp/iiotd.log)"
else
	echo "IIOT-TAP ok - iiotd decodes the module's ring # SKIP iiotd or iiot-sim not built"
fi

# --- snap length and filter ----------------------------------------------
check "snaplen 128" $C kmod snaplen veth1 128
exp=$($T expect 400 mixed $N)
$T read /dev/iiot/veth1 "$(field "$exp" frames)" mixed $N 128 30 >/tmp/read2 2>&1 &
rp=$!
wait_for /tmp/read2 ready
$T send veth0 400 mixed $N >/dev/null
if wait $rp; then ok "frames cut to the snap length"; else nok "frames cut to the snap length"; diag "$(cat /tmp/read2)"; fi
tr=$(field "$(cat /tmp/read2)" truncated)
expect_eq "truncated counted" "$(cat $S/truncated)" "$tr"
check "snaplen back to 1518" $C kmod snaplen veth1 1518
f0=$(cat $S/frames)
check "filter LLDP only" $C kmod filter veth1 0x88cc
$T send veth0 80 mixed 0 >/dev/null
expect_eq "filter keeps only its ethertype" $(($(cat $S/frames) - f0)) 10
check "filter back to the default" $C kmod filter veth1 0x88a4,0x8892,0x88cc,pnio-cm
expect_eq "sysfs shows the default again" "$(cat $S/filter)" "0x88a4 0x8892 0x88cc pnio-cm"
# PNIO-CM (UDP port 34964, header options, VLAN) in; DNS, TCP, a later
# fragment and a header cut before the ports out
f0=$(cat $S/frames)
$T send veth0 60 ip 0 >/dev/null
expect_eq "default filter: PNIO-CM in, other IP out" $(($(cat $S/frames) - f0)) "$(field "$($T expect 60 ip 0)" frames)"
f0=$(cat $S/frames)
check "the narrow filter of old" $C kmod filter veth1 0x88a4,0x8892
$T send veth0 60 ip 0 >/dev/null
$T send veth0 16 mixed 0 >/dev/null
# (16 mixed frames hold two LLDP ones, which the default would keep)
expect_eq "narrow filter: no IP, no LLDP" $(($(cat $S/frames) - f0)) $(($(field "$($T expect 16 mixed 0)" frames) - 2))
check "filter back to the default" $C kmod filter veth1 0x88a4,0x8892,0x88cc,pnio-cm
$T drain /dev/iiot/veth1 >/dev/null

# --- a consumer position no record starts at -----------------------------
# regression: the module believed any position within the ring, aligned
# or not; like libshm's producers it now counts it and drops
want=$(field "$($T expect 40 mixed 0)" frames)
d0=$(cat $S/drops) b0=$(cat $S/bad_cons) f0=$(cat $S/frames)
check "consumer position set 3 bytes behind the producer" $T setcons /dev/iiot/veth1 -3
$T send veth0 40 mixed 0 >/dev/null
expect_eq "unaligned consumer position: counted as bad_cons" $(($(cat $S/bad_cons) - b0)) "$want"
expect_eq "unaligned consumer position: frames dropped, not written" \
	"$(($(cat $S/drops) - d0)) $(($(cat $S/frames) - f0))" "$want 0"
check "consumer position good again" $T setcons /dev/iiot/veth1 0
$T send veth0 40 mixed 0 >/dev/null
expect_eq "a good consumer position: frames written again" $(($(cat $S/frames) - f0)) "$want"
$T drain /dev/iiot/veth1 >/dev/null

# --- frames the host sends ------------------------------------------------
check "attach veth0 (sending side)" $C kmod attach veth0
exp=$($T expect 400 mixed 20000)
$T read /dev/iiot/veth0 "$(field "$exp" frames)" mixed 20000 65535 30 >/tmp/readtx 2>&1 &
rp=$!
wait_for /tmp/readtx ready
$T send veth0 400 mixed 20000 >/dev/null
if wait $rp; then ok "sent frames captured byte-exact"; else nok "sent frames captured byte-exact"; diag "$(cat /tmp/readtx)"; fi
expect_eq "sent frames flagged TX" "$(field "$(cat /tmp/readtx)" tx)" "$(field "$exp" frames)"
check "detach veth0" $C kmod detach veth0
$T drain /dev/iiot/veth1 >/dev/null

# --- privileges ----------------------------------------------------------
refused "unprivileged detach refused" CAP_NET_ADMIN $T asuser 65534 $C kmod detach veth1
refused "unprivileged attach refused" CAP_NET_ADMIN $T asuser 65534 $C kmod attach veth0
refused "unprivileged snaplen refused" CAP_NET_ADMIN $T asuser 65534 $C kmod snaplen veth1 64
refused "unprivileged ring open refused" "Permission denied" $T asuser 65534 $T drain /dev/iiot/veth1
check "unprivileged stats allowed" $T asuser 65534 $C kmod stats veth1

# --- bad attributes --------------------------------------------------------
refused "ring size not a power of two" "power of two" $C kmod attach veth0 --ring-size 100000
refused "ring size too small" "ring size: integer out of range" $C kmod attach veth0 --ring-size 4096
refused "snap length out of range" "snap length: integer out of range" $C kmod snaplen veth1 99999
refused "snap length too large for the ring" "quarter of the ring" $C kmod attach veth0 --ring-size 64k --snaplen 16384
refused "802.3 length as ethertype" "filter ethertype: integer out of range" $C kmod filter veth1 0x0100
refused "too many ethertypes" "too many ethertypes" $C kmod filter veth1 \
	0x9000,0x9001,0x9002,0x9003,0x9004,0x9005,0x9006,0x9007,0x9008,0x9009,0x900a,0x900b,0x900c,0x900d,0x900e,0x900f,0x9010
# malformed requests iiotctl cannot make, straight from a raw socket
for c in "unknown:Unknown attribute type:an unknown attribute" \
	 "output:Unsupported attribute:a reply-only attribute" \
	 "short:message=.:a short integer" \
	 "nonul:failed policy validation:a name without its NUL"; do
	what="strict policy rejects ${c##*:}"
	text=${c#*:}
	text=${text%%:*}
	out=$($T badattr "${c%%:*}" 2>&1)
	if echo "$out" | grep -q "^error=-22 " && echo "$out" | grep -q "$text"; then
		ok "$what"
	else
		nok "$what"
	fi
	diag "$out"
done
refused "unknown interface" "no such network interface" $C kmod attach nope0
refused "attach twice" "already attached" $C kmod attach veth1
refused "detach what is not attached" "not attached" $C kmod detach veth0

# --- overflow and events ---------------------------------------------------
$C kmod events >/tmp/ev 2>&1 &
ep=$!
wait_for /tmp/ev listening
check "detach veth1" $C kmod detach veth1
check "attach veth1 with a 64 KiB ring" $C kmod attach veth1 --ring-size 64k
exp=$($T expect 3000 mixed 0)
$T send veth0 3000 mixed 0 >/dev/null
fr=$(cat $S/frames) dr=$(cat $S/drops)
diag "overflow: frames=$fr drops=$dr of $(field "$exp" frames)"
if [ "$dr" -gt 0 ]; then ok "overflow counted as drops"; else nok "overflow counted as drops"; fi
expect_eq "captured + dropped = every matching frame" $((fr + dr)) "$(field "$exp" frames)"
expect_eq "sysfs state overflow" "$(cat $S/state)" overflow
$T drain /dev/iiot/veth1 >/dev/null
$T send veth0 16 mixed 0 >/dev/null
expect_eq "sysfs state capturing after draining" "$(cat $S/state)" capturing
wait_for /tmp/ev "^overflow-end veth1 "
for e in "detach veth1" "attach veth1" "overflow-begin veth1" "overflow-end veth1"; do
	if grep -q "^$e " /tmp/ev; then ok "event $e"; else nok "event $e"; diag "$(cat /tmp/ev)"; fi
done

# --- interface removal with traffic flowing -------------------------------
$T send veth0 0 mixed 0 >/dev/null 2>&1 &
sp=$!
$T read /dev/iiot/veth1 100000000 mixed 0 65535 20 >/tmp/read3 2>&1 &
rp=$!
sleep 1
check "/sbin/ip link del while attached, traffic flowing" /sbin/ip link del veth0
wait $rp
expect_eq "reader sees the ring closed" "$(field "$(cat /tmp/read3)" eof)" 1
kill $sp 2>/dev/null; wait $sp 2>/dev/null
if [ -e $S ] || [ -e /dev/iiot/veth1 ]; then nok "sysfs and device gone"; else ok "sysfs and device gone"; fi
i=0
while [ "$(grep -c '^detach veth1 ' /tmp/ev)" -lt 2 ] && [ $i -lt 100 ]; do
	sleep 0.1; i=$((i + 1))
done
if [ "$(grep -c '^detach veth1 ' /tmp/ev)" -ge 2 ]; then
	ok "event detach on interface removal"
else
	nok "event detach on interface removal"; diag "$(cat /tmp/ev)"
fi
kill $ep 2>/dev/null

# --- detach and rmmod with traffic flowing --------------------------------
check "veth pair again" mkveth
check "attach veth1 again" $C kmod attach veth1
$T send veth0 0 mixed 0 >/dev/null 2>&1 &
sp=$!
sleep 1
check "detach with traffic flowing" $C kmod detach veth1
if grep -q '\[iiot\]' /proc/vmallocinfo; then
	nok "no ring memory left after detach"; diag "$(grep '\[iiot\]' /proc/vmallocinfo)"
else
	ok "no ring memory left after detach"
fi
check "attach veth0 and veth1" sh -c "$C kmod attach veth0 && $C kmod attach veth1"
$T read /dev/iiot/veth1 100000000 mixed 0 65535 60 >/tmp/read4 2>&1 &
rp=$!
wait_for /tmp/read4 ready
refused "rmmod refused while a reader maps a ring" iiot rmmod iiot
kill $rp; wait $rp
check "rmmod while attached, traffic flowing" rmmod iiot
kill $sp 2>/dev/null; wait $sp 2>/dev/null
if [ -e /sys/module/iiot ] || ls /sys/class/misc | grep -q '^iiot-'; then
	nok "nothing left after rmmod"
else
	ok "nothing left after rmmod"
fi
check "insmod again after rmmod" sh -c "insmod /lib/modules/iiot.ko && $C kmod attach veth1 && rmmod iiot"
finish
