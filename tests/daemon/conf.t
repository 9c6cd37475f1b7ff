#!/usr/bin/env bash
# iiotd -n: the shipped config passes; each bad config is refused with
# the file, the line and why.
. "$(dirname "$0")/lib_daemon.sh"
daemon_setup

check "etc/iiotd.conf passes iiotd -n" "$BIN/iiotd" -n -f "$IIOT_TOP/etc/iiotd.conf"
: >"$T/empty.conf"
check "an empty config (all defaults) passes iiotd -n" "$BIN/iiotd" -n -f "$T/empty.conf"

# bad config text | line | part of the reason
cases=(
	$'[store]\nflush = 10 parsecs|2|not a duration'
	$'[iiotd]\n\n\nlog_level = loud|4|not info or debug'
	$'[capture]\nring = sim0\nbatch = 0|3|out of range'
	$'[store]\nmax_sise = 1G|2|unknown key \'max_sise\' in [store]'
	$'# top\nring = sim0|2|outside any [section]'
	$'[capture\nring = x|1|without closing'
	$'[store]\nsynchronous = sometimes|2|not normal or full'
	$'[model]\noffline_timeout = 1y|2|not a duration'
	$'[iiotd]\nkeep_ring_access = perhaps|2|not yes/no'
	$'[iiotd]\nkeep_ring_access = yes|2|keeps no capability'
	$'[store]\npath = "unterminated|2|unterminated quote'
)
for c in "${cases[@]}"; do
	text=${c%%|*}; rest=${c#*|}; line=${rest%%|*}; why=${rest#*|}
	printf '%s\n' "$text" >"$T/bad.conf"
	out=$("$BIN/iiotd" -n -f "$T/bad.conf" 2>&1); rc=$?
	if [ $rc -eq 1 ] && [[ $out == *"$T/bad.conf:$line:"* ]] && [[ $out == *"$why"* ]]; then
		ok "refused at line $line: $why"
	else
		fail "line $line: $why" "rc=$rc" "$out"
	fi
done

# a bad signal map names the map's line
printf 'ok_sig ecat 0x10000 u8\n\nbad_sig pn:x 0 float64\n' >"$T/bad.map"
write_conf "$T/sig.conf" "[model]" "signals = $T/bad.map"
out=$("$BIN/iiotd" -n -f "$T/sig.conf" 2>&1)
case $out in
*"$T/bad.map:3: unknown type 'float64'"*) ok "bad signal map names its line" ;;
*) fail "bad signal map names its line" "$out" ;;
esac

out=$("$BIN/iiotd" -n -f "$T/missing.conf" 2>&1)
[[ $out == *"$T/missing.conf: No such file"* ]] && ok "missing file named" || fail "missing file named" "$out"

# iiotd refuses to start on a bad config, with the same message
printf '[store]\nflush = never\n' >"$T/bad.conf"
out=$("$BIN/iiotd" -d -f "$T/bad.conf" 2>&1); rc=$?
[ $rc -ne 0 ] && [[ $out == *"bad.conf:2:"* ]] && ok "start refused on a bad config" ||
	fail "start refused on a bad config" "rc=$rc" "$out"
