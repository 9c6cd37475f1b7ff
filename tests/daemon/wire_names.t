#!/usr/bin/env bash
# Regression: station names from the wire reached the terminal and the
# JSON raw.  A DCP Hello whose NameOfStation held escape sequences and
# CR/LF made "iiotctl monitor" forge a line and drive the terminal; one
# that was not UTF-8 made station_name and history rows vanish from the
# JSON.  Now: printable lines, invalid names not taken, every row there.
. "$(dirname "$0")/lib_daemon.sh"
daemon_setup
ring=$RING_PREFIX-names

# Hellos from :01 (good name), :02 (controls, CR/LF and a fake line),
# :03 (not UTF-8); then a DCP Set from :09 giving :01 a hostile name.
python3 - "$T/names.pcap" <<'PY'
import struct, sys
MAC = bytes.fromhex("0211223344")
def dcp(src, name, setto=None):
    blk = (b"\x00\x01" if setto else b"\x00\x00") + name
    body = b"\x02\x02" + struct.pack(">H", len(blk)) + blk + b"\x00" * (len(blk) & 1)
    hdr = bytes([4 if setto else 6, 0]) + struct.pack(">IHH", src, 0, len(body))
    dst = MAC + bytes([setto]) if setto else bytes.fromhex("010ecf000500")
    fr = dst + MAC + bytes([src]) + b"\x88\x92" + (b"\xfe\xfd" if setto else b"\xfe\xfc") + hdr + body
    return fr + bytes(max(0, 60 - len(fr)))
frames = [dcp(1, b"plc-1.cell"),
          dcp(2, b"\x1b]0;owned\x07\x1b[2J\r\n1.000000000 fake 02:00:00:00:00:66 > x 60 pn_dcp"),
          dcp(3, b"bad\xff\xfe-name"),
          dcp(9, b"x\x1b[2Jy\xff", setto=1)]
with open(sys.argv[1], "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
    for i, fr in enumerate(frames):
        f.write(struct.pack("<IIII", 1700000000 + i, 0, len(fr), len(fr)) + fr)
PY

write_conf "$T/iiotd.conf" "[capture]" "ring = $ring"
start_iiotd "$T/iiotd.conf" || { fail "iiotd starts"; exit 0; }
ctl monitor -c 4 >"$T/monitor.txt" 2>&1 &
mon=$!
sleep 0.3
"$BIN/iiot-replay" --ring "$ring" --fast --block "$T/names.pcap" >/dev/null 2>&1
drained_is() { [ "$(drained)" = "$1" ]; }
wait_for "drained" 20 drained_is 4 || fail "the 4 frames drained" "$(drained)"
wait_for "monitor" 5 test "$(wc -l <"$T/monitor.txt")" -ge 4
kill "$mon" 2>/dev/null
wait "$mon" 2>/dev/null

expect_eq "monitor: one line per frame, none forged" \
	"$(grep -cE "^[0-9]+\.[0-9]{9} $ring " "$T/monitor.txt")" 4
expect_eq "monitor: no control bytes reach the terminal" \
	"$(LC_ALL=C tr -d '\n\040-\176' <"$T/monitor.txt" | wc -c)" 0
check "monitor: the hostile name shown escaped" \
	grep -qF 'name=\x1b]0;owned\x07\x1b[2J\x0d\x0a1.000000000 fake' "$T/monitor.txt"
check "monitor: the invalid bytes shown escaped" grep -qF 'name=bad\xff\xfe-name' "$T/monitor.txt"

ctl devices --json >"$T/devices.json"
expect_eq "devices: all four, the good name only" \
	"$(jq -c '[.devices[] | [.mac, .station_name]]' "$T/devices.json")" \
	'[["02:11:22:33:44:01","plc-1.cell"],["02:11:22:33:44:02",null],["02:11:22:33:44:03",null],["02:11:22:33:44:09",null]]'
ctl device show --json 02:11:22:33:44:01 >"$T/dev1.json"
check "history: the DCP Set row is there, escaped" \
	jq -e '[.history[].detail] | any(contains("name=x\\x1b[2Jy\\xff"))' "$T/dev1.json"
ctl device show 02:11:22:33:44:01 >"$T/dev1.txt"
expect_eq "device show: no control bytes reach the terminal" \
	"$(LC_ALL=C tr -d '\n\040-\176' <"$T/dev1.txt" | wc -c)" 0
ctl devices >"$T/devices.txt"
expect_eq "devices table: no control bytes reach the terminal" \
	"$(LC_ALL=C tr -d '\n\040-\176' <"$T/devices.txt" | wc -c)" 0
