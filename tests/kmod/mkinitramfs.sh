#!/usr/bin/env bash
# Build the busybox initramfs the iiot.ko VM test and benchmark boot:
#   tests/kmod/mkinitramfs.sh OUT.cpio.gz KVER INIT_SCRIPT [SRC=DST...]
# It carries busybox, the module, veth.ko from the image's own module tree,
# iiotctl, iiot-kmodtool, iproute2's ip, and their shared libraries;
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
# the module tree may hold .ko, .ko.xz or .ko.zst: decompress for busybox insmod
modsrc=/lib/modules/$kver/kernel/drivers/net
veth=$(ls "$modsrc"/veth.ko* 2>/dev/null | head -n 1)
[ -n "$veth" ] || { echo "no veth module for $kver" >&2; exit 1; }
case $veth in
*.xz) xz -dc "$veth" >"$root/lib/modules/veth.ko" ;;
*.zst) zstd -qdc "$veth" >"$root/lib/modules/veth.ko" ;;
*) cp "$veth" "$root/lib/modules/veth.ko" ;;
esac
cp "$top/iiot.ko" "$root/lib/modules/iiot.ko"

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
