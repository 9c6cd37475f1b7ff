#!/usr/bin/env bash
# A rogue AL control write (sim/scenarios/attacks/ecat-al-control.conf)
# takes the slave out of OP in the simulator, as an ESC obeys it: the
# master's AL status reads of it show the state asked for (tshark), its
# outputs are no longer taken (the cyclic LRW's working counter drops),
# and diagnostics ("iiotctl diagnose") see both, after the write and not
# before.  BOOT from OP is no valid transition: SAFEOP with the error flag.
. "$(dirname "$0")/../lib.sh"
command -v tshark >/dev/null || skip_all "tshark not installed"
command -v jq >/dev/null || skip_all "jq not installed"
tmp=$(mktemp -d)
cleanup_push "rm -rf $tmp"
CONF=$IIOT_TOP/sim/scenarios/attacks/ecat-al-control.conf

# status FILE: "frame value..." of the returned AL status reads of the
# target (station 0x1004, el2008) by its master
status() {
	tshark -r "$1" -Y 'eth.src == 02:1b:21:10:00:01 && ecat.cmd == 4 && ecat.adp == 0x1004 && ecat.ado == 0x0130' \
		-T fields -e frame.number -e ecat.reg.alstatus -E occurrence=a 2>/dev/null
}

run() {	# run NAME STATE
	sed "s/^state = .*/state = $2/" "$CONF" >$tmp/$1.conf
	"$BIN/iiot-sim" $tmp/$1.conf --out $tmp/$1.pcap --duration 4 2>/dev/null ||
		{ fail "$1: iiot-sim runs"; return 1; }
	first=$(jq .first_frame $tmp/$1.pcap.truth.jsonl)
	"$BIN/iiotctl" diagnose $tmp/$1.pcap >$tmp/$1.diag || fail "$1: iiotctl diagnose"
	status $tmp/$1.pcap >$tmp/$1.st
}

run init init || exit 0
expect_eq "before the write: every read of the slave says OP" \
	"$(awk -v f="$first" '$1 < f && $1 > 1000' $tmp/init.st | grep -c 0x0001)" 0
n=$(awk -v f="$first" '$1 > f' $tmp/init.st | wc -l)
expect_eq "after it: every read of the slave says INIT (it stays out of OP)" \
	"$(awk -v f="$first" '$1 > f && $2 ~ /0x0001/' $tmp/init.st | wc -l) $([ "$n" -gt 0 ] && echo reads)" "$n reads"
w=$(jq -c 'select(.rule == "ecat.wkc.mismatch")' $tmp/init.diag | head -1)
[ -n "$w" ] && [ "$(jq .frame <<<"$w")" -gt "$first" ] &&
	ok "diagnostics: the cyclic working counter drops after the write ($(jq -r .detail <<<"$w"))" ||
	fail "ecat.wkc.mismatch after the write" "$(cat $tmp/init.diag)"
expect_eq "diagnostics: the slave left OP for INIT" \
	"$(jq -r 'select(.rule == "ecat.al.not_op") | [.station, .detail] | join(" ")' $tmp/init.diag)" \
	"4100 OP -> INIT, AL status code not read"
n=$(jq -s "[.[] | select(.frame < $first)] | length" $tmp/init.diag)
expect_eq "diagnostics: nothing before the write" "$n" 0

run boot boot || exit 0
grep -q 0x0014 <<<"$(awk -v f="$first" '$1 > f' $tmp/boot.st)" &&
	ok "BOOT asked in OP: the slave reads SAFEOP with the error flag" ||
	fail "BOOT from OP" "$(cat $tmp/boot.st)"
expect_eq "diagnostics: an AL error on the slave" \
	"$(jq -r 'select(.rule == "ecat.al.error") | .station' $tmp/boot.diag)" 4100

run op op || exit 0
expect_eq "a write of OP changes nothing" "$(grep -c . $tmp/op.diag)" 0
echo "1..$_tap_n"
