#!/usr/bin/env bash
# Build the busybox initramfs the iiot.ko VM test and benchmark boot:
#   tests/kmod/mkinitramfs.sh OUT.cpio.gz KVER INIT_SCRIPT [SRC=DST...]
# It carries busybox, the module, veth.ko and pktgen.ko from the image's own
# module tree, iiotctl, iiot-kmodtool, iproute2's ip, and their shared
# libraries, and tests/kmod/guest-lib.sh, which INIT_SCRIPT sources;
# SRC=DST adds a file (with its libraries when it is a program).
set -euo pipefail
out=$1 kver=$2 init=$3
shift 3
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD:-$top/build}
case $build in /*) ;; *) build=$top/$build ;; esac

root=$(mktemp -d "${TMPDIR:-/tmp}/iiot-initramfs.XXXXXX")
trap 'rm -rf "$root"' EXIT
chmod 0755 "$root"	# the guest's /: nobody must reach /bin
mkdir -p "$root"/{bin,sbin,proc,sys,dev,tmp,etc,lib/modules,usr/bin,usr/sbin}

cp "$(command -v busybox)" "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
# the module tree may hold .ko, .ko.xz or .ko.zst: decompress for busybox
# insmod.  veth for the pair; pktgen (when the image has it) for the
# benchmark's and the soak's offered load
kmod_copy() {
	local m
	m=$(ls "/lib/modules/$kver/kernel/$1".ko* 2>/dev/null | head -n 1)
	[ -n "$m" ] || return 1
	case $m in
	*.xz) xz -dc "$m" >"$root/lib/modules/$(basename "$1").ko" ;;
	*.zst) zstd -qdc "$m" >"$root/lib/modules/$(basename "$1").ko" ;;
	*) cp "$m" "$root/lib/modules/$(basename "$1").ko" ;;
	esac
}
kmod_copy drivers/net/veth || { echo "no veth module for $kver" >&2; exit 1; }
kmod_copy net/core/pktgen || true
cp "$top/iiot.ko" "$root/lib/modules/iiot.ko"
cp "$top/tests/kmod/guest-lib.sh" "$root/lib/guest-lib.sh"

cp "$(command -v ip)" "$root/sbin/ip"	# busybox ip cannot make veth pairs
for extra in "$@"; do
	mkdir -p "$root$(dirname "${extra#*=}")"
	cp "${extra%%=*}" "$root${extra#*=}"
done
bins=("${IIOTCTL:-$build/bin/iiotctl}" "$build/kmod/iiot-kmodtool" "$(command -v ip)")
for extra in "$@"; do
	if [ -x "${extra%%=*}" ]; then bins+=("${extra%%=*}"); fi
done
for b in "${bins[@]}"; do
	case $b in
	"${IIOTCTL:-$build/bin/iiotctl}" | "$build/kmod/iiot-kmodtool") cp "$b" "$root/bin/" ;;
	esac
	# dynamic libraries, at the paths the loader expects
	{ ldd "$b" 2>/dev/null || true; } | { grep -o '/[^ ]*' || true; } |
	while read -r lib; do
		[ -e "$lib" ] || continue
		mkdir -p "$root$(dirname "$lib")"
		cp -L "$lib" "$root$lib"
	done
done
# iiotd drops to iiot and drains the module's ring through group iiot
printf 'root:x:0:0:root:/:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\niiot:x:990:990:iiot:/:/bin/false\n' \
	>"$root/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\niiot:x:990:\n' >"$root/etc/group"
install -m 0755 "$init" "$root/init"

mkdir -p "$(dirname "$out")"
(cd "$root" && find . | cpio -o -H newc --quiet) | gzip -1 >"$out.tmp"
mv "$out.tmp" "$out"
