#!/usr/bin/env python3
"""Raw AF_PACKET receiver: counts the frames the host stack sees on an
interface, per ethertype (after VLAN tags).  Used to prove that inline
capture steals nothing.

usage: rawcount.py IFACE READY_FILE EXPECT TIMEOUT
Writes READY_FILE once the socket is bound, stops after EXPECT industrial
frames (0x88a4/0x8892) or TIMEOUT seconds, and prints one JSON line.
"""
import json
import socket
import sys
import time

ETH_P_ALL = 0x0003
PACKET_OUTGOING = 4


def main():
    ifc, ready, expect, timeout = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    # root may exceed net.core.rmem_max: a stalled reader must not drop
    s.setsockopt(socket.SOL_SOCKET, getattr(socket, "SO_RCVBUFFORCE", 33), 64 << 20)
    s.bind((ifc, 0))
    s.settimeout(0.2)
    open(ready, "w").close()
    counts, total, industrial = {}, 0, 0
    end = time.monotonic() + timeout
    while time.monotonic() < end and industrial < expect:
        try:
            data, addr = s.recvfrom(65535)
        except socket.timeout:
            continue
        if addr[2] == PACKET_OUTGOING or len(data) < 14:
            continue
        off, et = 12, int.from_bytes(data[12:14], "big")
        while et in (0x8100, 0x88A8, 0x9100) and len(data) >= off + 6:
            off += 4
            et = int.from_bytes(data[off:off + 2], "big")
        key = "0x%04x" % et
        counts[key] = counts.get(key, 0) + 1
        total += 1
        if et in (0x88A4, 0x8892):
            industrial += 1
    print(json.dumps({"frames": total, "industrial": industrial, "by_type": counts}))


if __name__ == "__main__":
    main()
