# Boot Debian's kernel in qemu (TCG) with an initramfs; shared by
# tests/kmod/vm.t and bench/kmod.bench.  Source after tests/lib.sh or
# bench/lib.sh (needs IIOT_TOP and BUILD).
#
#   vm_find            sets KVER, VM_KERNEL; fails with the reason in
#                      VM_WHY when qemu, the headers or the image is missing
#   vm_boot INIT LOG TIMEOUT_S [NAME=VALUE...]
#                      build the initramfs with INIT as /init, boot, write
#                      the serial console to LOG; NAME=VALUE reach /init's
#                      environment through the kernel command line;
#                      VM_FILES=(SRC=DST...) adds files to the initramfs

VM_FILES=()

vm_find() {
	KVER=${KVER:-$("$IIOT_TOP/kmod/kver.sh")}
	if ! command -v qemu-system-x86_64 >/dev/null; then
		VM_WHY="qemu-system-x86_64 is not installed"
		return 1
	fi
	if [ -z "$KVER" ]; then
		VM_WHY="no kernel headers in /lib/modules/*/build"
		return 1
	fi
	VM_KERNEL=/boot/vmlinuz-$KVER
	if [ ! -r "$VM_KERNEL" ]; then
		VM_WHY="no kernel image $VM_KERNEL"
		return 1
	fi
	return 0
}

vm_boot() {
	local init=$1 log=$2 timeout=$3 initrd
	shift 3
	initrd=$BUILD/kmod/initramfs-$(basename "$init" .sh).cpio.gz
	BUILD=$BUILD "$IIOT_TOP/tests/kmod/mkinitramfs.sh" "$initrd" "$KVER" \
		"$init" "${VM_FILES[@]}" || return 1
	# KVM does not work on the CI machines: TCG, two vCPUs so the
	# sender, the hook and the readers can overlap
	timeout --kill-after=10 "$timeout" qemu-system-x86_64 -accel tcg \
		-m 768 -smp 2 -nographic -no-reboot -nic none \
		-kernel "$VM_KERNEL" -initrd "$initrd" \
		-append "console=ttyS0 loglevel=1 panic=-1 oops=panic $*" \
		</dev/null >"$log" 2>&1
}

# Kernel complaints that fail a run, from the console and the dmesg dump.
vm_kernel_errors() {
	grep -aE 'Oops|WARNING:|BUG:|KASAN|UBSAN|general protection|Call Trace|Kernel panic|refcount_t|unregister_netdevice: waiting|list_(add|del) corruption' "$1" || true
}
