#!/usr/bin/env bash
# Offline inventory (iiotctl inventory) of real captures: the identities
# the equipment in them really has.
. "$(dirname "$0")/lib_daemon.sh"
[ -d "$PCAPS" ] || skip_all "no $PCAPS"
inv() { "$BIN/iiotctl" inventory --json "$PCAPS/$1" 2>/dev/null; }
products() { jq -c '[.devices[] | select(.kind == "ecat-slave")] | sort_by(.ring_pos) | map(.product_code)'; }
p2hex() { jq -r '.[]' | while read -r p; do printf '0x%08x ' "$p"; done; }

f=ethercrab__dumps_soem-sdinfo-ek1100-el1004.pcapng
[ -f "$PCAPS/$f" ] && expect_eq "SOEM scan: EK1100, EL1004" "$(inv $f | products | p2hex)" "0x044c2c52 0x03ec3052 "
f=ethercrab__dumps_twincat-scan-boxes.pcapng
[ -f "$PCAPS/$f" ] && expect_eq "TwinCAT scan: EK1100, EL1004" "$(inv $f | products | p2hex)" "0x044c2c52 0x03ec3052 "
# regression: ethercrab reads the SII 8 bytes at a time, so one answer
# holds vendor and product; the product was lost
f=ethercrab__tests_replay-ek1914-el3004-mailbox.pcapng
[ -f "$PCAPS/$f" ] && expect_eq "regression: 8-byte SII reads give EK1914, EL3004" \
	"$(inv $f | products | p2hex)" "0x077a2c52 0x0bbc3052 "
f=ethercrab__tests_replay-dc.pcapng
[ -f "$PCAPS/$f" ] && expect_eq "DC replay: three slaves with station addresses" \
	"$(inv $f | jq -c '[.devices[] | select(.kind == "ecat-slave") | .station_addr]')" '[4096,4097,4098]'
f=mehner__identify.pcap
if [ -f "$PCAPS/$f" ]; then
	j=$(inv $f)
	expect_eq "DCP identify: the ET200SP named, with its IP" \
		"$(jq -r '.devices[] | select(.station_name == "et200sp") | "\(.kind) \(.ip) \(.vendor_id):\(.device_id)"' <<<"$j")" \
		"pn-device 192.168.1.14 42:787"
	expect_eq "DCP identify: the CPU 1500 is a controller" \
		"$(jq -r '[.devices[] | select(.station_name != null and (.station_name | startswith("cpu1500")))][0].kind' <<<"$j")" \
		"pn-controller"
fi
# every capture goes through without a crash, sanitizer or not
for c in $(shared_pcaps); do
	"$BIN/iiotctl" inventory "$c" >/dev/null 2>&1 || fail "inventory of ${c##*/}"
done
ok "every shared capture inventoried"
