#!/bin/sh
# /init of the iiot.ko benchmark VM.  The offered load is pktgen's, in
# xmit_mode netif_receive on veth1: frames enter veth1's receive path in
# pktgen's kernel thread (CPU 0), the path a NIC's frames take, and every
# tap of veth1 sees them there, so no user-space sender and no backlog
# sits between the load and the capture.  60-byte IPv4 UDP frames to port
# 34964 (PROFINET's connect, in the module's default filter; pktgen cannot
# write an EtherCAT ethertype).  Each capture runs alone, its reader on
# CPU 1: iiot.ko's ring, or a TPACKET_V3 ring of the same size.
#
#   IIOT-BENCH max mode=M sent= us= kpps= frames= cpu_ns= drops= sleeps=
#       pktgen unthrottled, bench_frames frames; mode none (no capture),
#       kmod (the reader drains as soon as a frame is there, as iiotd's),
#       kmodb (the reader drains every 10 ms, as TPACKET_V3's block
#       timer lets its reader) or tpv3: the capture's cost in the receive
#       path is its pktgen time beside none's, its reader's cost cpu_ns,
#       and sleeps how often the reader slept
#   IIOT-BENCH step mode=M rate= sent= us= frames= drops=
#       pktgen at rate frames/s for bench_secs seconds; the loss-free rate
#       is the highest step with no frame lost
# Environment (kernel command line): bench_runs, bench_frames, bench_secs,
# bench_ring (bytes, each side), bench_steps (comma-separated frames/s;
# default: fractions of the unthrottled rate without capture).
. /lib/guest-lib.sh
T=/bin/iiot-kmodtool
runs=${bench_runs:-3}
n=${bench_frames:-200000}
secs=${bench_secs:-2}
ring=${bench_ring:-1048576}
PG=/proc/net/pktgen

veth_pair
if ! insmod /lib/modules/pktgen.ko; then
	echo "IIOT-BENCH error=no-pktgen"
	echo IIOT-DONE
	poweroff -f
fi
echo "rem_device_all" >$PG/kpktgend_0
echo "add_device veth1" >$PG/kpktgend_0
pgset() { for a in "$@"; do echo "$a" >$PG/veth1; done; }
pgset "pkt_size 60" "xmit_mode netif_receive" "burst 1" "clone_skb 0" \
	"dst_mac 02:00:00:00:00:01" "src_mac 02:00:00:00:00:02" \
	"dst 10.0.0.2" "src_min 10.0.0.1" "src_max 10.0.0.1" \
	"udp_src_min 34964" "udp_src_max 34964" \
	"udp_dst_min 34964" "udp_dst_max 34964"

# pktgen COUNT RATE (0: unthrottled) -> "sent=N us=U"
pktgen() {
	if [ "$2" -gt 0 ]; then
		pgset "count $1" "ratep $2"
	else
		pgset "count $1" "delay 0"
	fi
	echo start >$PG/pgctrl
	sed -n 's/^Result: OK: \([0-9]*\)(.* usec, \([0-9]*\) .*/sent=\2 us=\1/p' $PG/veth1
}

# capture MODE COUNT RATE: one pktgen run under capture MODE
capture() {
	mode=$1 cnt=$2 rate=$3
	: >/tmp/r
	case $mode in
	kmod*)
		/bin/iiotctl kmod attach veth1 --ring-size "$ring" >/dev/null
		d0=$(cat /sys/class/misc/iiot-veth1/drops)
		period=
		[ $mode = kmodb ] && period=10
		taskset 2 $T sink /dev/iiot/veth1 "$cnt" 3 $period >/tmp/r 2>&1 &
		;;
	tpv3)
		taskset 2 $T tpv3 veth1 "$cnt" 3 "$ring" >/tmp/r 2>&1 &
		;;
	esac
	rp=$!
	while [ "$mode" != none ] && ! grep -q ready /tmp/r; do sleep 0.1; done
	p=$(pktgen "$cnt" "$rate")
	if [ "$mode" != none ]; then
		wait $rp
	fi
	r=$(tail -n 1 /tmp/r)
	sent=$(field "$p" sent)
	frames=$(field "$r" frames)
	case $mode in
	kmod*)
		drops=$(($(cat /sys/class/misc/iiot-veth1/drops) - d0))
		/bin/iiotctl kmod detach veth1 >/dev/null
		;;
	tpv3) drops=$(field "$r" drops) ;;
	none) frames=0 drops=0 ;;
	esac
	echo "sent=$sent us=$(field "$p" us) frames=${frames:-0} cpu_ns=$(field "$r" cpu_ns) drops=${drops:-0} sleeps=$(field "$r" sleeps)"
}

# unthrottled: the cost of each capture in the receive path and its reader
i=0 base=0
while [ $i -lt "$runs" ]; do
	for mode in none kmod kmodb tpv3; do
		c=$(capture $mode "$n" 0)
		us=$(field "$c" us)
		kpps=$((n * 1000 / (us > 0 ? us : 1)))
		[ $mode = none ] && [ "$kpps" -gt "$base" ] && base=$kpps
		echo "IIOT-BENCH max mode=$mode kpps=$kpps $c"
	done
	i=$((i + 1))
done

# stepped: the highest offered rate each capture takes without loss
steps=$(echo "${bench_steps:-}" | tr ',' ' ')
if [ -z "$steps" ]; then
	for f in 2 4 6 8 10 12 14 16; do steps="$steps $((base * 1000 * f / 16))"; done
fi
for rate in $steps; do
	for mode in kmod tpv3; do
		cnt=$((rate * secs))
		c=$(capture $mode "$cnt" "$rate")
		echo "IIOT-BENCH step mode=$mode rate=$rate $c"
	done
done
rmmod iiot
echo IIOT-DMESG-BEGIN
dmesg
echo IIOT-DMESG-END
echo IIOT-DONE
poweroff -f
