# Sourced first by every /init of the iiot.ko VMs (guest-test.sh,
# guest-bench.sh, guest-soak.sh; tests/kmod/mkinitramfs.sh puts it in
# /lib): busybox's applets, the pseudo file systems, helpers.
/bin/busybox --install -s /bin
export PATH=/bin
# busybox runs its own applets before PATH: iproute2 by full path
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t tmpfs tmp /tmp

# field LINE NAME: the value of NAME=value in a "k=v k=v" line
field() { echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }

# the pair the benchmark and the soak capture on, and the module (no
# IPv6: its router solicitations would be the only other frames)
veth_pair() {
	echo 1 >/proc/sys/net/ipv6/conf/default/disable_ipv6
	insmod /lib/modules/veth.ko
	/sbin/ip link add veth0 type veth peer name veth1
	/sbin/ip link set veth0 up
	/sbin/ip link set veth1 up
	insmod /lib/modules/iiot.ko
}
