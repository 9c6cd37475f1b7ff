#!/usr/bin/env bash
# The bar of fault prediction on healthy lines: an hour of the normal
# scenarios (small-cell, large-line), their masters also reading every
# slave's DC system time difference (0x092C), gives no diag.predicted and
# no finding at all.  The same pipeline with a drifting clock added does
# predict, so a quiet hour is not a blind one.  Generated and diagnosed
# through a pipe: an hour of large-line is 17 GB of frames.
. "$(dirname "$0")/../lib.sh"
command -v jq >/dev/null || skip_all "jq not installed"
work=$(mktemp -d)
cleanup_push "rm -rf $work"
sc=$IIOT_TOP/sim/scenarios

# diagnose_run CONF SECONDS OUT [MBPS]: simulate CONF for SECONDS into
# iiotctl diagnose on a port of MBPS (100), findings to OUT
diagnose_run() {
	"$BIN/iiot-sim" "$1" --out /dev/stdout --duration "$2" 2>"$3.sim" |
		"$BIN/iiotctl" diagnose -s "${4:-100}" /dev/stdin >"$3"
	[ "${PIPESTATUS[0]}${PIPESTATUS[1]}" = 00 ]
}

# dc_every N: the masters read 0x092C every N cycles (5 s)
with_dc() {
	sed "/^diag_every/a dc_every = $2" "$sc/$1.conf" >"$work/$1.conf"
}

with_dc small-cell 5000		# 1 ms cycle
with_dc large-line 1250		# 4 ms cycle
# large-line is eight lines in one capture: a gigabit mirror port, over
# half of a 100 Mbit/s one (diag.load.reduce)
for s in small-cell:100 large-line:1000; do
	mbps=${s#*:} s=${s%:*}
	diagnose_run "$work/$s.conf" 3600 "$work/$s.json" "$mbps" ||
		{ fail "an hour of $s simulated and diagnosed" "$(cat "$work/$s.json.sim")"; continue; }
	expect_eq "an hour of $s gives no prediction" \
		"$(jq -r 'select(.rule == "diag.predicted") | .detail' "$work/$s.json")" ""
	expect_eq "...and no finding at all" "$(jq -r .rule "$work/$s.json" | sort -u | tr '\n' ' ')" ""
done

# the control: small-cell's el4004 drifting by 50 ns/min, 15 min
cp "$work/small-cell.conf" "$work/drift.conf"
printf '\n[fault]\nkind = dc-drift\ntarget = el4004\nat = 0s\nramp = 50\n' >>"$work/drift.conf"
diagnose_run "$work/drift.conf" 900 "$work/drift.json" || fail "the drifting small-cell"
expect_eq "the same pipeline predicts a drifting clock" \
	"$(jq -r 'select(.rule == "diag.predicted") | .detail' "$work/drift.json" | cut -c1-38)" \
	"DC time difference reaches 1000 ns in "
echo "1..$_tap_n"
