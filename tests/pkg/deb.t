#!/usr/bin/env bash
# make deb: the packages hold what an installation needs (programs, web UI
# with its chart library, units, sample config as conffiles, docs; the
# module as DKMS source with modules-load.d), with the dependencies
# dpkg-shlibdeps finds; lintian finds no error.  Installed into a fresh
# root (dpkg --root, maintainer scripts honouring DPKG_ROOT): the system
# user iiot exists, locked, with no login; the state and backup directories
# are made; iiotd.service is enabled; no application account (so no default
# password) is created.  Upgraded to a newer revision: the administrator's
# config and the state stay, the user is not made twice.  Removed, then
# purged: programs, then conffiles and enablement go; the databases stay.
# The DKMS source builds iiot.ko against the installed headers the way
# dkms.conf asks.
. "$(dirname "$0")/../lib.sh"
command -v dpkg-deb >/dev/null || skip_all "dpkg-deb missing"
command -v dpkg-shlibdeps >/dev/null || skip_all "dpkg-shlibdeps (dpkg-dev) missing"
[ "$(id -u)" -eq 0 ] || skip_all "needs root (dpkg --root, file owners)"
T=$(mktemp -d /tmp/iiot-deb.XXXXXX)
cleanup_push "rm -rf $T"
V=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$IIOT_TOP/dkms.conf")
ARCH=$(dpkg --print-architecture)

build() { # REVISION
	make -C "$IIOT_TOP" --no-print-directory BUILD="$BUILD" deb \
		DEB_VERSION="$V-$1" DEB_OUT="$T/out" DEB_STAGE="$T/stage" >"$T/make-$1.log" 2>&1
}
if ! build 1 || ! build 2; then
	fail "make deb" "$(tail -5 "$T"/make-*.log)"
	exit 0
fi
P1=$T/out/iiot_$V-1_$ARCH.deb P2=$T/out/iiot_$V-2_$ARCH.deb
K1=$T/out/iiot-dkms_$V-1_all.deb
check "make deb: iiot and iiot-dkms" test -s "$P1" -a -s "$P2" -a -s "$K1"

dpkg-deb -c "$P1" | awk '{ print $6 }' | sed 's|^\./|/|' >"$T/files"
dpkg-deb -c "$K1" | awk '{ print $6 }' | sed 's|^\./|/|' >"$T/kfiles"
missing=
for f in /usr/bin/iiotd /usr/bin/iiotctl /usr/bin/iiot-xdp /usr/bin/iiot-dpdk \
	/usr/bin/iiot-sim /usr/bin/iiot-replay /usr/bin/iiot-ringdump \
	/usr/share/iiot/web/index.html /usr/share/iiot/web/js/app.js \
	/usr/share/iiot/web/node_modules/uplot/dist/uPlot.iife.min.js \
	/lib/systemd/system/iiotd.service /lib/systemd/system/iiot-xdp@.service \
	/lib/systemd/system/iiot-dpdk@.service /usr/lib/udev/rules.d/60-iiot.rules \
	/etc/iiot/iiotd.conf /etc/iiot/signals.map /usr/share/doc/iiot/operations.md \
	/usr/share/doc/iiot/copyright /usr/share/man/man8/iiotd.8.gz /usr/share/man/man8/iiotctl.8.gz \
	/usr/share/man/man5/iiotd.conf.5.gz /usr/share/man/man8/iiot-xdp.8.gz \
	/usr/share/man/man8/iiot-dpdk.8.gz /usr/share/man/man1/iiot-sim.1.gz \
	/usr/share/man/man1/iiot-replay.1.gz /usr/share/man/man1/iiot-ringdump.1.gz \
	/usr/share/man/man1/iiot-xdpgen.1.gz; do
	grep -qx "$f" "$T/files" || missing="$missing $f"
done
expect_eq "iiot: programs, web UI, units, config, docs, man pages" "${missing:-none}" none
expect_eq "iiot: no test-only npm package" "$(grep -c 'node_modules/playwright' "$T/files")" 0
missing=
for f in /usr/src/iiot-$V/dkms.conf /usr/src/iiot-$V/Kbuild /usr/src/iiot-$V/kmod/main.c \
	/usr/src/iiot-$V/include/iiot/ring_abi.h /usr/lib/modules-load.d/iiot.conf; do
	grep -qx "$f" "$T/kfiles" || missing="$missing $f"
done
expect_eq "iiot-dkms: DKMS source and modules-load.d" "${missing:-none}" none

dep=$(dpkg-deb -f "$P1" Depends)
for lib in libsqlite3-0 libssl3 libevent-2.1-7 librte-eal23 libbpf1 libc6 passwd; do
	[[ ", $dep" == *", $lib "* || ", $dep," == *", $lib,"* ]] || fail "iiot depends on $lib" "$dep"
done
ok "iiot depends on the libraries its programs link (dpkg-shlibdeps)"
expect_eq "iiot-dkms depends on dkms" "$(dpkg-deb -f "$K1" Depends)" dkms
dpkg-deb --ctrl-tarfile "$P1" | tar -xO ./conffiles >"$T/conffiles"
expect_eq "conffiles: the sample configuration" "$(sort "$T/conffiles" | tr '\n' ' ')" \
	"/etc/iiot/analytics.rules /etc/iiot/iiotd.conf /etc/iiot/oee.conf /etc/iiot/signals.map "
# the script's commands, not its comments
dpkg-deb --ctrl-tarfile "$P1" | tar -xO ./postinst | grep -v '^[[:space:]]*#' >"$T/postinst"
if grep -qiE 'chpasswd|usermod.*-p|--password|iiotctl user' "$T/postinst"; then
	fail "postinst sets no password" "$(grep -inE 'chpasswd|usermod.*-p|--password|iiotctl user' "$T/postinst")"
else
	ok "postinst sets no password"
fi
if command -v lintian >/dev/null; then
	lintian --tag-display-limit 0 "$P1" "$K1" >"$T/lintian" 2>&1
	# a first upload closes no bug
	other=$(grep -E '^[EW]:' "$T/lintian" | grep -vE 'initial-upload-closes-no-bugs')
	expect_eq "lintian: no error or warning (every program has its man page)" "${other:-none}" none
else
	skip "lintian" "lintian missing"
fi

# a fresh root: dpkg's database and the account files, nothing else
R=$T/root
mkdir -p "$R/etc" "$R/var/lib/dpkg/info" "$R/var/lib/dpkg/updates"
touch "$R/var/lib/dpkg/status" "$R/var/lib/dpkg/available"
echo 'root:x:0:0:root:/root:/bin/bash' >"$R/etc/passwd"
echo 'root:x:0:' >"$R/etc/group"
echo 'root:*:19000:0:99999:7:::' >"$R/etc/shadow"
echo 'root:*::' >"$R/etc/gshadow"
chmod 0640 "$R/etc/shadow" "$R/etc/gshadow"
rdpkg() { dpkg --root="$R" --force-script-chrootless --force-depends \
	--log="$T/dpkg.log" "$@" >>"$T/dpkg.out" 2>&1; }

check "install into a fresh root" rdpkg -i "$P1" "$K1"
expect_eq "both configured" "$(dpkg --root="$R" -l iiot iiot-dkms | grep -c '^ii ')" 2
missing=
while read -r f; do
	[ -z "$f" ] || [ "${f%/}" != "$f" ] || [ -e "$R$f" ] || missing="$missing $f"
done <"$T/files"
expect_eq "every file of iiot is in place" "${missing:-none}" none
expect_eq "system user iiot: group iiot, no home, no login" \
	"$(grep '^iiot:' "$R/etc/passwd" | cut -d: -f1,6,7)" "iiot:/nonexistent:/usr/sbin/nologin"
uid=$(awk -F: '$1 == "iiot" { print $3 }' "$R/etc/passwd")
gid=$(awk -F: '$1 == "iiot" { print $3 }' "$R/etc/group")
check "uid and gid are system ids" test "$uid" -lt 1000 -a "$gid" -lt 1000 -a "$uid" -gt 0
expect_eq "iiot's password is locked (none set)" "$(grep '^iiot:' "$R/etc/shadow" | cut -d: -f2)" "!"
expect_eq "state directory: iiot's, 0750" "$(stat -c %u:%g:%a "$R/var/lib/iiot")" "$uid:$gid:750"
expect_eq "backup directory: root's, 0700" "$(stat -c %u:%a "$R/var/backups/iiot")" "0:700"
expect_eq "no database, so no account, made at install" "$(ls -A "$R/var/lib/iiot")" ""
expect_eq "iiotd.service enabled" \
	"$(readlink "$R/etc/systemd/system/multi-user.target.wants/iiotd.service")" \
	/lib/systemd/system/iiotd.service
check "units run the installed programs" grep -q '^ExecStart=/usr/bin/iiotd ' "$R/lib/systemd/system/iiotd.service"
# the packaged programs and sample config work (libraries from this host)
check "packaged iiotd accepts the packaged iiotd.conf" \
	"$R/usr/bin/iiotd" -n -f "$R/etc/iiot/iiotd.conf"
check "packaged iiotctl runs" bash -c "'$R/usr/bin/iiotctl' --help 2>&1 | grep -q backup"

# upgrade: an edited conffile and the state stay; the user is not made again
echo "# edited by the administrator" >>"$R/etc/iiot/iiotd.conf"
echo marker >"$R/var/lib/iiot/marker"
check "upgrade to revision 2" rdpkg -i "$P2"
expect_eq "revision 2 configured" "$(dpkg --root="$R" -s iiot | sed -n 's/^Version: //p')" "$V-2"
check "edited iiotd.conf kept" grep -q '^# edited by the administrator' "$R/etc/iiot/iiotd.conf"
expect_eq "state kept" "$(cat "$R/var/lib/iiot/marker")" marker
expect_eq "one iiot user, same uid" "$(grep -c '^iiot:' "$R/etc/passwd"):$(awk -F: '$1 == "iiot" { print $3 }' "$R/etc/passwd")" "1:$uid"

check "remove" rdpkg -r iiot iiot-dkms
check "programs gone" test ! -e "$R/usr/bin/iiotd" -a ! -e "$R/usr/src/iiot-$V/dkms.conf"
check "config kept until purge" test -e "$R/etc/iiot/iiotd.conf"
expect_eq "removed: iiotd.service masked" "$(readlink "$R/etc/systemd/system/iiotd.service")" /dev/null
check "purge" rdpkg -P iiot iiot-dkms
check "purged: config gone" test ! -e "$R/etc/iiot/iiotd.conf"
check "purged: no enablement or mask left" test ! -e "$R/etc/systemd/system/multi-user.target.wants/iiotd.service" \
	-a ! -L "$R/etc/systemd/system/iiotd.service"
expect_eq "purged: the databases' directory stays" "$(cat "$R/var/lib/iiot/marker")" marker

# what "dkms build" runs (dkms.conf MAKE) on the packaged source
kver=$("$IIOT_TOP/kmod/kver.sh")
if [ -n "$kver" ] && [ -e "/lib/modules/$kver/build/Makefile" ]; then
	mkdir -p "$T/dkms" && dpkg-deb -x "$K1" "$T/dkms"
	src=$T/dkms/usr/src/iiot-$V
	if make -C "/lib/modules/$kver/build" M="$src" modules >"$T/kbuild.log" 2>&1 &&
		[ -s "$src/iiot.ko" ]; then
		ok "DKMS source builds iiot.ko for $kver"
	else
		fail "DKMS source builds iiot.ko for $kver" "$(tail -5 "$T/kbuild.log")"
	fi
else
	skip "DKMS source builds iiot.ko" "no kernel headers (linux-headers-amd64)"
fi
echo "1..$_tap_n"
