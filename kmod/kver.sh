#!/bin/sh
# Print the kernel version to build iiot.ko against and boot in the tests:
# the newest version with both headers (/lib/modules/V/build) and an image
# (/boot/vmlinuz-V), else the newest with headers.  Never the running
# kernel by default: the build host may run another kernel than the
# Debian one the module targets.
best= any=
for d in /lib/modules/*/build; do
	[ -e "$d/Makefile" ] || continue
	v=${d#/lib/modules/}
	v=${v%/build}
	any="$any $v"
	[ -e "/boot/vmlinuz-$v" ] && best="$best $v"
done
pick() { printf '%s\n' $1 | sort -V | tail -n 1; }
if [ -n "$best" ]; then
	pick "$best"
elif [ -n "$any" ]; then
	pick "$any"
fi
