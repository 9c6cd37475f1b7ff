#!/usr/bin/env bash
# [diag] in iiotd.conf: the shipped (commented) keys parse when set; a
# rule that does not exist, or a value out of range, is refused naming
# the line.
. "$(dirname "$0")/../lib.sh"
work=$(mktemp -d)
cleanup_push "rm -rf $work"
sed 's/^#\(wkc_learn\|dc_limit\|rate_limit\|horizon\|history\|wkc_limit\|lost_limit\|jitter_limit\|disable = ecat\)/\1/' \
	"$IIOT_TOP/etc/iiotd.conf" >"$work/all.conf"
grep -q '^wkc_learn = 8' "$work/all.conf" || fail "etc/iiotd.conf has the [diag] keys"
check "every [diag] key of etc/iiotd.conf set passes iiotd -n" "$BIN/iiotd" -n -f "$work/all.conf"
printf '[diag]\ndisable = no.such.rule\n' >"$work/bad.conf"
out=$("$BIN/iiotd" -n -f "$work/bad.conf" 2>&1) && fail "an unknown rule is refused" ||
	expect_eq "an unknown rule is refused, naming the line" "${out#*bad.conf:}" \
		"2: diag.disable: no rule 'no.such.rule' (docs/diagnostics.md lists them)"
printf '[diag]\nwkc_learn = 1\n' >"$work/low.conf"
"$BIN/iiotd" -n -f "$work/low.conf" >/dev/null 2>&1 && fail "wkc_learn below 2 is refused" ||
	ok "wkc_learn below 2 is refused"
grep -q '^jitter_limit = 50' "$work/all.conf" || fail "etc/iiotd.conf has the link prediction keys"
printf '[diag]\njitter_limit = 0\n' >"$work/jit.conf"
"$BIN/iiotd" -n -f "$work/jit.conf" >/dev/null 2>&1 && fail "a jitter limit of 0 % is refused" ||
	ok "a jitter limit of 0 % is refused"
printf '[diag]\nhistory = 50ms\n' >"$work/fast.conf"
out=$("$BIN/iiotd" -n -f "$work/fast.conf" 2>&1) && fail "a history faster than 100 ms is refused" ||
	expect_eq "a history faster than 100 ms is refused" "${out##*: }" "0 (none) or at least 100ms"
printf '[diag]\nhistory = 0\n' >"$work/off.conf"
check "history = 0 keeps none" "$BIN/iiotd" -n -f "$work/off.conf"
echo "1..$_tap_n"
