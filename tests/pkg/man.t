#!/usr/bin/env bash
# The manual pages (man/): each renders with man -l without a warning
# from groff (and passes mandoc -Tlint where mandoc is installed); every
# subcommand iiotctl knows (iiotctl --help) has its entry in iiotctl(8)
# and no entry is for a command that does not exist; every section of
# the documented sample etc/iiotd.conf and every section iiotd's code reads
# (conf_*() calls with a literal section, *_SEC defines) is in
# iiotd.conf(5), which names no other; every long option a helper's
# --help prints (iiot-xdp, iiot-dpdk, iiot-sim, iiot-replay, iiot-ringdump,
# iiot-xdpgen)
# is in its page, which names no other; make install puts the pages under
# share/man.
. "$(dirname "$0")/../lib.sh"
command -v man >/dev/null || skip_all "man missing (man-db)"
M=$IIOT_TOP/man
T=$(mktemp -d /tmp/iiot-man.XXXXXX)
cleanup_push "rm -rf $T"

HELPERS="iiot-xdp.8 iiot-dpdk.8 iiot-sim.1 iiot-replay.1 iiot-ringdump.1 iiot-xdpgen.1"
for p in iiotd.8 iiotctl.8 iiotd.conf.5 $HELPERS; do
	[ -f "$M/$p" ] || { fail "$p exists"; continue; }
	w=$(MANWIDTH=80 man --warnings=all -l "$M/$p" 2>&1 >"$T/$p.txt")
	lines=$(wc -l <"$T/$p.txt")
	[ -z "$w" ] && [ "$lines" -gt 20 ] && ok "man -l $p: $lines lines, no warnings" ||
		fail "man -l $p" "$lines lines; $w"
	if command -v mandoc >/dev/null; then
		w=$(mandoc -Tlint -Wwarning "$M/$p" 2>&1)
		[ -z "$w" ] && ok "mandoc -Tlint $p" || fail "mandoc -Tlint $p" "$w"
	fi
done
# the lint catches what it should: an unclosed list
printf '.Dd x\n.Dt X 1\n.Os\n.Sh NAME\n.Nm x\n.Nd y\n.Bl -tag\n.It a\nb\n' >"$T/bad.1"
[ -n "$(man --warnings=all -l "$T/bad.1" 2>&1 >/dev/null)" ] && ok "a broken page is warned about" ||
	fail "a broken page is warned about"

code=$("$BIN/iiotctl" --help 2>&1 | sed -n 's/^  \([a-z][a-z-]*\) .*/\1/p' | sort)
page=$(sed -n 's/^\.It Cm \([a-z-]*\)$/\1/p' "$M/iiotctl.8" | sort)
[ "$(echo "$code" | wc -l)" -ge 20 ] || fail "iiotctl --help lists its commands" "$code"
expect_eq "iiotctl(8) has every subcommand, and only those" \
	"$(diff <(echo "$code") <(echo "$page") | grep '^[<>]' | tr '\n' ' ')" ""

# a helper's long options: what --help prints, and what its page marks
# up with .Fl (\- is the page's minus; .Fl adds the first dash)
for p in $HELPERS; do
	prog=${p%.*}
	[ -x "$BIN/$prog" ] || { skip "$p has $prog's options" "$prog not built"; continue; }
	code=$("$BIN/$prog" --help 2>&1 | grep -oE -- '--[a-z][a-z0-9-]*' | sort -u)
	page=$(sed 's/\\-/-/g' "$M/$p" | grep -oE 'Fl -[a-z][a-z0-9-]*' | sed 's/^Fl /-/' | sort -u)
	[ "$(echo "$code" | wc -l)" -ge 5 ] || fail "$prog --help lists its options" "$code"
	expect_eq "$p has every long option of $prog --help, and only those" \
		"$(diff <(echo "$code") <(echo "$page") | grep '^[<>]' | tr '\n' ' ')" ""
done

# sections: the sample's ([modbus.plc-1] stands for [modbus.NAME], [mqtt.meter-1]
# for [mqtt.NAME]) and the
# code's; [anomaly] and [oee] are sections of the rules and OEE files
sample=$(sed -n 's/^#\{0,1\}\[\([a-z0-9_.-]*\)\][[:space:]]*$/\1/p' "$IIOT_TOP/etc/iiotd.conf" |
	sed 's/^modbus\..*/modbus.NAME/; s/^mqtt\..*/mqtt.NAME/' | sort -u)
read_by_code=$( { grep -rhoE 'conf_[a-z_0-9]+\([^,()]+, *"[a-z_]+"' "$IIOT_TOP/daemon" |
	sed -E 's/.*"([a-z_]+)"$/\1/'
	grep -rhoE '#define [A-Z_]+_SEC[[:space:]]+"[a-z_]+"' "$IIOT_TOP/daemon" | sed -E 's/.*"([a-z_]+)"$/\1/'
	} | grep -vx 'anomaly\|oee' | sort -u)
[ "$(echo "$read_by_code" | wc -l)" -ge 10 ] || fail "sections read by the code" "$read_by_code"
man_secs=$(sed -n 's/^\.Ss \[\([a-zA-Z0-9_.]*\)\]$/\1/p' "$M/iiotd.conf.5" | sort -u)
expect_eq "iiotd.conf(5) has every section of the sample, and only those" \
	"$(diff <(echo "$sample") <(echo "$man_secs") | grep '^[<>]' | tr '\n' ' ')" ""
expect_eq "every section the code reads is in the sample and iiotd.conf(5)" \
	"$(comm -23 <(echo "$read_by_code") <(echo "$man_secs") | tr '\n' ' ')" ""
keys=$(awk '/^#?\[/ { s = 1 } s && /^#?[a-z_]+ *=/ { sub(/^#/, ""); sub(/ *=.*/, ""); print }' \
	"$IIOT_TOP/etc/iiotd.conf" | sort -u)
missing=$(for k in $keys; do grep -q "^\.It Ic $k No = " "$M/iiotd.conf.5" || echo "$k"; done | tr '\n' ' ')
expect_eq "every key of the sample is in iiotd.conf(5)" "$missing" ""

make -C "$IIOT_TOP" --no-print-directory install-man DESTDIR="$T/root" PREFIX=/usr >/dev/null 2>&1
expect_eq "make install puts them under share/man" \
	"$(cd "$T/root" && find . -type f | sort | tr '\n' ' ')" \
	"./usr/share/man/man1/iiot-replay.1 ./usr/share/man/man1/iiot-ringdump.1 ./usr/share/man/man1/iiot-sim.1 ./usr/share/man/man1/iiot-xdpgen.1 ./usr/share/man/man5/iiotd.conf.5 ./usr/share/man/man8/iiot-dpdk.8 ./usr/share/man/man8/iiot-xdp.8 ./usr/share/man/man8/iiotctl.8 ./usr/share/man/man8/iiotd.8 "
echo "1..$_tap_n"
