#!/bin/sh
# /init of the iiot.ko benchmark VM: the same burst of 60-byte EtherCAT
# frames captured at once through the module's ring and an AF_PACKET
# TPACKET_V3 ring on the receiving veth.  One "IIOT-BENCH" line per run.
# Environment (kernel command line): bench_runs, bench_frames.
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t tmpfs tmp /tmp
T=/bin/iiot-kmodtool
runs=${bench_runs:-5}
n=${bench_frames:-200000}
field() { echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }

echo 100000 >/proc/sys/net/core/netdev_max_backlog
insmod /lib/modules/veth.ko
/sbin/ip link add veth0 type veth peer name veth1
/sbin/ip link set veth0 up
/sbin/ip link set veth1 up
insmod /lib/modules/iiot.ko
# 8 MiB each: the module's ring and the TPACKET_V3 ring (8 x 1 MiB)
/bin/iiotctl kmod attach veth1 --ring-size 8M >/dev/null

i=0
while [ $i -lt "$runs" ]; do
	start=$((i * n))
	$T read /dev/iiot/veth1 $n ecat $start 65535 3 >/tmp/k 2>/dev/null &
	kp=$!
	$T tpv3 veth1 $n 3 >/tmp/t 2>/dev/null &
	tp=$!
	while ! grep -q ready /tmp/k /tmp/t 2>/dev/null ||
	      [ "$(cat /tmp/k /tmp/t | grep -c ready)" -lt 2 ]; do
		sleep 0.1
	done
	s=$($T send veth0 $n ecat $start)
	wait $kp
	wait $tp
	k=$(tail -n 1 /tmp/k) t=$(tail -n 1 /tmp/t)
	echo "IIOT-BENCH sent=$n ns=$(field "$s" ns) kmod=$(field "$k" frames) tpv3=$(field "$t" frames) tpv3_drops=$(field "$t" drops)"
	i=$((i + 1))
done
echo "IIOT-BENCH kmod_drops=$(cat /sys/class/misc/iiot-veth1/drops)"
rmmod iiot
echo IIOT-DMESG-BEGIN
dmesg
echo IIOT-DMESG-END
echo IIOT-DONE
poweroff -f
