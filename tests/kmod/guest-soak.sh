#!/bin/sh
# /init of the iiot.ko soak VM: attach and detach for soak_secs seconds
# while pktgen keeps frames flowing into veth1 (start_xmit on veth0, the
# path a NIC's frames take through the backlog) and a reader maps the
# ring.  Each cycle: attach with a ring size of the cycle's choice, a
# reader, every other cycle a snap length and filter change under load,
# then in turn
#   detach with the reader mapped (the reader must see the ring's end);
#   a second veth pair with a user-space sender, attached and deleted
#     (ip link del: NETDEV_UNREGISTER detaches) under the reader;
#   detach as the first, then rmmod and insmod with traffic flowing.
# One "IIOT-SOAK" line per cycle that went wrong, a summary at the end;
# the host reads the console for the kernel's complaints.
# Environment (kernel command line): soak_secs, soak_rate (frames/s).
. /lib/guest-lib.sh
T=/bin/iiot-kmodtool
secs=${soak_secs:-60}
rate=${soak_rate:-2000}
PG=/proc/net/pktgen
# no: a step of the cycle failed, and which
no() { ok=0 why="$why $1"; }
up() { cut -d. -f1 /proc/uptime; }

# what of the kernel's own checks this kernel has
kfence=no lockdep=no
[ -d /sys/module/kfence ] && kfence=yes
[ -e /proc/lockdep ] && lockdep=yes
echo "IIOT-SOAK debug kfence=$kfence lockdep=$lockdep slub_debug=$(cat /sys/kernel/slab/kmalloc-64/sanity_checks 2>/dev/null)"

veth_pair
insmod /lib/modules/pktgen.ko || { echo "IIOT-SOAK error=no-pktgen"; echo IIOT-DONE; poweroff -f; }
echo "rem_device_all" >$PG/kpktgend_0
echo "add_device veth0" >$PG/kpktgend_0
for a in "pkt_size 60" "clone_skb 0" "burst 1" "count 0" "ratep $rate" \
	"dst_mac 02:00:00:00:00:01" "dst 10.0.0.2" "src_min 10.0.0.1" \
	"src_max 10.0.0.1" "udp_src_min 34964" "udp_src_max 34964" \
	"udp_dst_min 34964" "udp_dst_max 34964"; do
	echo "$a" >$PG/veth0
done
echo start >$PG/pgctrl &
pg=$!

cycles=0 good=0 eofs=0 frames=0 rmmods=0 linkdels=0
sizes="65536 262144 1048576 4194304"
end=$(($(up) + secs))
while [ "$(up)" -lt "$end" ]; do
	cycles=$((cycles + 1))
	ok=1 why=
	if [ $((cycles % 3)) -eq 2 ]; then
		# an interface that goes away under the capture
		dev=veth3
		/sbin/ip link add veth2 type veth peer name veth3
		/sbin/ip link set veth2 up
		/sbin/ip link set veth3 up
		$T send veth2 0 mixed >/dev/null 2>&1 &
		sp=$!
	else
		dev=veth1 sp=
	fi
	size=$(echo $sizes | cut -d' ' -f$((cycles % 4 + 1)))
	/bin/iiotctl kmod attach $dev --ring-size $size >/tmp/e 2>&1 || no "attach($(cat /tmp/e))"
	$T sink /dev/iiot/$dev 0 30 >/tmp/r 2>&1 &
	rp=$!
	sleep 0.$((cycles % 3 + 1))
	# a program start takes seconds under TCG: changes every other cycle
	[ $((cycles % 2)) -eq 0 ] ||
	/bin/iiotctl kmod snaplen $dev $((64 + cycles % 200)) >/tmp/e 2>&1 || no "snaplen($(cat /tmp/e))"
	[ $((cycles % 2)) -eq 0 ] ||
	/bin/iiotctl kmod filter $dev 0x88a4,0x8892,pnio-cm >/tmp/e 2>&1 || no "filter($(cat /tmp/e))"
	if [ $dev = veth3 ]; then
		/sbin/ip link del veth2 || no "link-del"
		linkdels=$((linkdels + 1))
		wait $sp 2>/dev/null
	else
		/bin/iiotctl kmod detach $dev >/tmp/e 2>&1 || no "detach($(cat /tmp/e))"
	fi
	wait $rp
	r=$(tail -n 1 /tmp/r)
	if [ "$(field "$r" eof)" = 1 ]; then
		eofs=$((eofs + 1))
	else
		no "no-eof"
	fi
	frames=$((frames + $(field "$r" frames)))
	[ -e /dev/iiot/$dev ] && no "device-left"
	if [ $((cycles % 3)) -eq 0 ]; then
		rmmod iiot && insmod /lib/modules/iiot.ko || no "reload"
		rmmods=$((rmmods + 1))
	fi
	if [ $ok = 1 ]; then
		good=$((good + 1))
	else
		echo "IIOT-SOAK cycle=$cycles dev=$dev failed:$why; reader: $r"
	fi
done
echo stop >$PG/pgctrl
wait $pg
sent=$(sed -n 's/.*pkts-sofar: \([0-9]*\).*/\1/p' $PG/veth0)
rmmod iiot || echo "IIOT-SOAK rmmod at the end failed"
left=$(grep -c iiot /proc/vmallocinfo)
echo "IIOT-SOAK cycles=$cycles good=$good eofs=$eofs frames=$frames sent=${sent:-0} rmmods=$rmmods linkdels=$linkdels vmalloc_left=$left secs=$secs"
echo IIOT-DMESG-BEGIN
dmesg
echo IIOT-DMESG-END
echo IIOT-DONE
poweroff -f
