#!/usr/bin/env bash
# make deb (debhelper, dpkg-buildpackage on a copy of the tree): iiotd,
# iiotctl, iiot-helpers, iiot-web, iiot-dkms and the iiot metapackage hold
# what an installation needs (programs, web UI with its chart library,
# units, sample config as conffiles, docs, man pages, the upgrade check;
# the module as DKMS source with modules-load.d), with the dependencies
# dpkg-shlibdeps finds; lintian finds no error and no warning but a first
# upload's closing no bug.  Installed into a fresh root (dpkg --root,
# maintainer scripts honouring DPKG_ROOT): the system user iiot exists,
# locked, with no login; the state and backup directories are made;
# iiotd.service is enabled; no application account (so no default
# password) is made.  Upgraded to a newer revision (a changelog entry
# more) over an iiot.db of schema 2: the database is copied to
# upgrade/<time>/ before it is migrated, the administrator's config and
# the state stay, the user is not made twice.  An upgrade whose check
# fails (a hook in /etc/iiot/upgrade-check.d that exits 1): the
# pre-upgrade iiot.db is put back, the marker says what failed and the apt
# command for the previous version, the package stays configured; the
# next passing upgrade removes the marker.  Removed, then purged:
# programs, then conffiles and enablement go; the databases stay.  The
# DKMS source builds iiot.ko against the installed headers the way
# dkms.conf asks.
. "$(dirname "$0")/../lib.sh"
command -v dpkg-buildpackage >/dev/null || skip_all "dpkg-buildpackage (dpkg-dev) missing"
command -v dh >/dev/null || skip_all "debhelper missing"
command -v sqlite3 >/dev/null || skip_all "sqlite3 missing"
[ "$(id -u)" -eq 0 ] || skip_all "needs root (dpkg --root, file owners)"
T=$(mktemp -d /tmp/iiot-deb.XXXXXX)
cleanup_push "rm -rf $T"
# iiotctl works in the root's state directory as its owner, who must reach it
chmod 0755 "$T"
V=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$IIOT_TOP/dkms.conf")
ARCH=$(dpkg --print-architecture)

build() { # REVISION
	make -C "$IIOT_TOP" --no-print-directory BUILD="$BUILD" deb DEB_VERSION="$V-$1" \
		DEB_OUT="$T/out$1" DEB_SRC="$T/src/iiot-$V" >"$T/make-$1.log" 2>&1
}
if ! build 2 || ! build 3; then
	fail "make deb" "$(tail -5 "$T"/make-*.log)"
	exit 0
fi
PKGS="iiot iiotd iiotctl iiot-web iiot-helpers iiot-dkms"
debs() { # REVISION: every package's file
	local p a
	for p in $PKGS; do
		a=$ARCH
		case $p in iiot|iiot-web|iiot-dkms) a=all ;; esac
		echo "$T/out$1/${p}_$V-$1_$a.deb"
	done
}
missing=
for f in $(debs 2) $(debs 3); do [ -s "$f" ] || missing="$missing ${f#$T/}"; done
expect_eq "make deb: every package of both revisions" "${missing:-none}" none
P1=$T/out2/iiotd_$V-2_$ARCH.deb K1=$T/out2/iiot-dkms_$V-2_all.deb
H1=$T/out2/iiot-helpers_$V-2_$ARCH.deb
expect_eq "revision 3's changelog entry" "$(dpkg-deb -f "$T/out3/iiotd_$V-3_$ARCH.deb" Version)" "$V-3"
check "the tree stays clean: no debian/ build output in it" \
	test ! -e "$IIOT_TOP/debian/files" -a ! -e "$IIOT_TOP/debian/iiotd" -a ! -e "$IIOT_TOP/debian/.debhelper"

for f in $(debs 2); do dpkg-deb -c "$f"; done | awk '{ print $6 }' | sed 's|^\./|/|' |
	grep -v '/$' | grep -v '^/usr/src/' >"$T/files"
dpkg-deb -c "$K1" | awk '{ print $6 }' | sed 's|^\./|/|' >"$T/kfiles"
missing=
for f in /usr/lib/iiot/iiot-upgrade-check /usr/bin/iiotd /usr/bin/iiotctl /usr/bin/iiot-xdp /usr/bin/iiot-dpdk \
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
expect_eq "programs, web UI, units, config, docs, man pages, upgrade check" "${missing:-none}" none
expect_eq "iiot-web: the web UI" "$(dpkg-deb -c "$T/out2/iiot-web_$V-2_all.deb" | grep -c '/usr/share/iiot/web/index.html$')" 1
expect_eq "iiot-helpers: the capture helpers" "$(dpkg-deb -c "$H1" | grep -cE '/usr/bin/iiot-(xdp|dpdk)$')" 2
check "iiot depends on every part" bash -c "dpkg-deb -f '$T/out2/iiot_$V-2_all.deb' Depends | grep -q 'iiotd.*iiotctl.*iiot-web.*iiot-helpers'"
expect_eq "iiot: no test-only npm package" "$(grep -c 'node_modules/playwright' "$T/files")" 0
missing=
for f in /usr/src/iiot-$V/dkms.conf /usr/src/iiot-$V/Kbuild /usr/src/iiot-$V/kmod/main.c \
	/usr/src/iiot-$V/include/iiot/ring_abi.h /usr/lib/modules-load.d/iiot.conf; do
	grep -qx "$f" "$T/kfiles" || missing="$missing $f"
done
expect_eq "iiot-dkms: DKMS source and modules-load.d" "${missing:-none}" none

dep="$(dpkg-deb -f "$P1" Depends), $(dpkg-deb -f "$H1" Depends)"
for lib in libsqlite3-0 libssl3 libevent-2.1-7 librte-eal23 libbpf1 libxdp1 libc6 passwd iiotctl; do
	[[ ", $dep" == *", $lib "* || ", $dep," == *", $lib,"* ]] || fail "iiotd, iiot-helpers depend on $lib" "$dep"
done
ok "iiotd and iiot-helpers depend on the libraries their programs link (dpkg-shlibdeps)"
check "iiot-dkms depends on dkms" bash -c "dpkg-deb -f '$K1' Depends | grep -qw dkms"
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
	lintian --tag-display-limit 0 $(debs 2) >"$T/lintian" 2>&1
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
	--log="$T/dpkg.log" "$@" >>"$T/dpkg.out" 2>&1 ||
	{ grep -vE 'depends on|not installed|dependency problems' "$T/dpkg.out" | tail -8 >&2; return 1; }; }

check "install into a fresh root" rdpkg -i $(debs 2)
expect_eq "every package configured" "$(dpkg --root="$R" -l $PKGS | grep -c '^ii ')" 6
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

# upgrade over an older iiot's database: an edited conffile and the
# state stay; the user is not made again; iiot.db copied, then migrated
S=$R/var/lib/iiot
old_db() {
	rm -rf "$S/iiot.db" "$S/iiot.db-wal" "$S/iiot.db-shm"
	sqlite3 "$S/iiot.db" <"$IIOT_TOP/tests/daemon/iiot-db-schema2.sql"
	chown "$uid:$gid" "$S/iiot.db"
}
qv() { sqlite3 -readonly "$1" 'PRAGMA user_version' 2>&1; }
echo "# edited by the administrator" >>"$R/etc/iiot/iiotd.conf"
echo marker >"$S/marker"
old_db
new_v=$("$BIN/iiotctl" upgrade --state "$S" status | sed -n 's/^iiot\.db .* this iiot \([0-9]*\).*/\1/p')
check "upgrade to revision 3" rdpkg -i $(debs 3)
expect_eq "revision 3 configured" "$(dpkg --root="$R" -l $PKGS | grep -c "^ii .* $V-3 ")" 6
set_dir=$(ls -d "$S"/upgrade/*/ 2>/dev/null | head -1)
expect_eq "iiot.db copied before the migration: schema 2 with its rows" \
	"$(sqlite3 -readonly "$set_dir/iiot.db" 'PRAGMA user_version; SELECT name FROM signals' 2>&1 | tr '\n' ' ')" "2 oven.temp "
expect_eq "iiot.db migrated to this iiot's schema, rows kept" \
	"$(qv "$S/iiot.db") $(sqlite3 -readonly "$S/iiot.db" 'SELECT name FROM signals')" "${new_v:-?} oven.temp"
expect_eq "the copy and the database are iiotd's user's" "$(stat -c %u "$set_dir/iiot.db" "$S/iiot.db" | sort -u)" "$uid"
expect_eq "the version upgraded from is kept" "$(cat "$S/upgrade/previous-version")" "$V-2"
check "the check passed: no marker" test ! -e "$S/upgrade/check-failed"
check "edited iiotd.conf kept" grep -q '^# edited by the administrator' "$R/etc/iiot/iiotd.conf"
expect_eq "state kept" "$(cat "$S/marker")" marker
expect_eq "one iiot user, same uid" "$(grep -c '^iiot:' "$R/etc/passwd"):$(awk -F: '$1 == "iiot" { print $3 }' "$R/etc/passwd")" "1:$uid"

# an upgrade whose check fails: the databases from before it go back
old_db
rm -rf "$S/upgrade/"*/
mkdir -p "$R/etc/iiot/upgrade-check.d"
printf '#!/bin/sh\nexit 1\n' >"$R/etc/iiot/upgrade-check.d/50-fail"
chmod 0755 "$R/etc/iiot/upgrade-check.d/50-fail"
: >"$T/dpkg.out"
check "an upgrade failing its check still configures" rdpkg -i $(debs 3)
expect_eq "every package configured" "$(dpkg --root="$R" -l $PKGS | grep -c '^ii ')" 6
expect_eq "iiot.db put back as it was before the upgrade" \
	"$(sqlite3 -readonly "$S/iiot.db" 'PRAGMA user_version; SELECT name FROM signals' 2>&1 | tr '\n' ' ')" "2 oven.temp "
check "the copies are marked rolled back" bash -c "ls -d '$S'/upgrade/*.rolled-back >/dev/null"
M=$S/upgrade/check-failed
check "the marker names the failed check" grep -q "^upgrade from $V-3 failed its check at .*: upgrade check /etc/iiot/upgrade-check.d/50-fail failed" "$M"
check "the marker names what was put back" grep -q "restored iiot.db (schema 2)" "$M"
check "the marker gives the apt command for the previous version" \
	grep -q "apt install iiotd=$V-3 iiotctl=$V-3 iiot-web=$V-3 iiot-helpers=$V-3" "$M"
check "dpkg's output tells the administrator" grep -q "^iiot-upgrade-check: upgrade from $V-3 failed its check" "$T/dpkg.out"
rm "$R/etc/iiot/upgrade-check.d/50-fail"
check "the next upgrade passes" rdpkg -i $(debs 3)
check "and its marker is gone" test ! -e "$M"

check "remove" rdpkg -r $PKGS
check "programs gone" test ! -e "$R/usr/bin/iiotd" -a ! -e "$R/usr/src/iiot-$V/dkms.conf"
check "config kept until purge" test -e "$R/etc/iiot/iiotd.conf"
check "purge" rdpkg -P $PKGS
check "purged: config gone" test ! -e "$R/etc/iiot/iiotd.conf"
check "purged: no enablement or mask left" test ! -e "$R/etc/systemd/system/multi-user.target.wants/iiotd.service" \
	-a ! -L "$R/etc/systemd/system/iiotd.service"
expect_eq "purged: the databases' directory stays" "$(cat "$S/marker")" marker

# a machine with the single iiot package of 0.1.0-1 (one package held
# every file): the parts take its files over (Breaks and Replaces), the
# parts unpacked before iiot itself, as apt may order them (apt passes
# --auto-deconfigure: the old iiot is deconfigured until its upgrade)
R=$T/root-single
mkdir -p "$R/etc" "$R/var/lib/dpkg/info" "$R/var/lib/dpkg/updates"
touch "$R/var/lib/dpkg/status" "$R/var/lib/dpkg/available"
cp "$T/root/etc/passwd" "$T/root/etc/group" "$T/root/etc/shadow" "$T/root/etc/gshadow" "$R/etc/"
O=$T/single
mkdir -p "$O/DEBIAN" "$O/usr/bin" "$O/usr/share/iiot/web" "$O/etc/iiot"
for f in iiotd iiotctl iiot-xdp; do printf '#!/bin/sh\n' >"$O/usr/bin/$f"; chmod 0755 "$O/usr/bin/$f"; done
echo old >"$O/usr/share/iiot/web/index.html"
echo '# old' >"$O/etc/iiot/iiotd.conf"
echo /etc/iiot/iiotd.conf >"$O/DEBIAN/conffiles"
printf 'Package: iiot\nVersion: %s-1\nArchitecture: all\nMaintainer: iiot <iiot@localhost>\nDescription: the single package of 0.1.0-1\n' "$V" >"$O/DEBIAN/control"
dpkg-deb --root-owner-group --build "$O" "$T/iiot_$V-1_all.deb" >/dev/null
check "the single iiot package of $V-1 installs" rdpkg -i "$T/iiot_$V-1_all.deb"
: >"$T/dpkg.out"
check "the parts upgrade it without a file conflict" \
	rdpkg --auto-deconfigure -i $(debs 2 | grep -v "/iiot_") "$T/out2/iiot_$V-2_all.deb"
expect_eq "every package configured at $V-2" "$(dpkg --root="$R" -l $PKGS | grep -c "^ii .* $V-2 ")" 6
expect_eq "the parts own the files" \
	"$(dpkg --root="$R" -S /usr/bin/iiotd /usr/bin/iiotctl /usr/bin/iiot-xdp /usr/share/iiot/web/index.html 2>&1 | cut -d: -f1 | tr '\n' ' ')" \
	"iiotd iiotctl iiot-helpers iiot-web "
check "the new iiotd is in place" bash -c "'$R/usr/bin/iiotd' -h 2>&1 | grep -qi usage"

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
