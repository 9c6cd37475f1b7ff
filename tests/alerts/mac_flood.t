#!/usr/bin/env bash
# Inventory flooding offline, as the simulator makes it
# (tests/alerts/mac-flood-dcp.conf): 200,000 DCP Identify requests from
# random MACs within 1 s beside a running cell, then, once the flood is
# over, a real new device answering Identify.  The device table stays at
# its 8192, the flood's devices are evicted (counted) and never the cell's
# (their cyclic links keep them), the new device registers, and the flood
# is one inventory.mac_flood alert.  The 200,000-MAC run through the
# model, IDS and alerts with admitted devices is test_mac_flood.
. "$(dirname "$0")/../lib.sh"
command -v jq >/dev/null || skip_all "jq not installed"
[ -x "$BIN/iiot-sim" ] || skip_all "iiot-sim not built"
work=$(mktemp -d)
cleanup_push "rm -rf $work"
"$BIN/iiot-sim" "$IIOT_TOP/tests/alerts/mac-flood-dcp.conf" --out "$work/f.pcap" --duration 3 >/dev/null ||
	{ fail "iiot-sim"; exit 0; }
# the new device: an Identify answer 1 s after the capture's last frame
python3 - "$work/f.pcap" <<'PY' || { fail "append the new device"; exit 0; }
import os, struct, sys
sys.path.insert(0, os.environ["IIOT_TOP"] + "/tests/alerts")
from craft import CTRL, ident_resp
path = sys.argv[1]
data = open(path, "rb").read()
magic, = struct.unpack("<I", data[:4])
scale = 1 if magic == 0xa1b23c4d else 1000
off, last = 24, 0
while off + 16 <= len(data):
    sec, frac, incl, _ = struct.unpack("<IIII", data[off:off + 16])
    last = sec * 10**9 + frac * scale
    off += 16 + incl
t = last + 10**9
fr = ident_resp(bytes.fromhex("000e8c200001"), CTRL, 99, b"new-after", (192, 168, 0, 99))
with open(path, "ab") as f:
    f.write(struct.pack("<IIII", t // 10**9, (t % 10**9) // scale, len(fr), len(fr)) + fr)
PY
inv=$("$BIN/iiotctl" inventory --json "$work/f.pcap") || { fail "iiotctl inventory"; exit 0; }
expect_eq "the device table keeps its size" "$(echo "$inv" | jq '.devices | length')" 8192
ev=$(echo "$inv" | jq .counters.devices_evicted)
[ "$ev" -ge $((200000 - 8192)) ] && ok "the flood's devices were evicted ($ev)" || fail "evicted" "$ev"
expect_eq "none was refused for want of room" "$(echo "$inv" | jq .counters.devices_full)" 0
expect_eq "the cell's master, controller and devices stay" \
	"$(echo "$inv" | jq -r '[.devices[] | select(.mac // "" | test("^00:(1b:21:10:00:01|0e:8c:00:00:01|0e:8c:10:00:0[123])$")) | .mac] | sort | join(" ")')" \
	"00:0e:8c:00:00:01 00:0e:8c:10:00:01 00:0e:8c:10:00:02 00:0e:8c:10:00:03 00:1b:21:10:00:01"
expect_eq "and its 4 EtherCAT slaves" "$(echo "$inv" | jq '[.devices[] | select(.kind == "ecat-slave")] | length')" 4
expect_eq "the real new device registers after the flood" \
	"$(echo "$inv" | jq -r '.devices[] | select(.mac == "00:0e:8c:20:00:01") | .station_name')" new-after
n=$("$BIN/iiotctl" alerts "$work/f.pcap" | jq -s '[.[] | select(.rule == "inventory.mac_flood")] | length')
expect_eq "the flood is one inventory.mac_flood alert" "$n" 1
echo "1..$_tap_n"
