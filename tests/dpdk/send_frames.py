#!/usr/bin/env python3
"""Test helper: send a deterministic mix of Ethernet frames on an interface
through an AF_PACKET socket, and write the ones iiot-dpdk's default filter
keeps (EtherCAT, PROFINET, also VLAN-tagged) as ringcat lines.

usage: send_frames.py IFACE WANT_FILE [COUNT] [--all-file ALL_FILE]
"""
import socket
import struct
import sys

DST = bytes.fromhex("010ecf000000")     # PROFINET multicast
SRC = bytes.fromhex("020000aa0001")


def frame(i):
    """Frame i of the mix, and whether the default filter keeps it."""
    kind = i % 7
    size = 60 + (i * 37) % 1400
    body = bytes((i + k) & 0xff for k in range(size))
    if kind == 0:       # EtherCAT
        return DST + SRC + b"\x88\xa4" + body[:size - 14], True
    if kind == 1:       # PROFINET RT
        return DST + SRC + b"\x88\x92" + body[:size - 14], True
    if kind == 2:       # PROFINET with an 802.1Q priority tag
        return (DST + SRC + b"\x81\x00" + struct.pack(">H", 0xc000 | i % 4096)
                + b"\x88\x92" + body[:size - 18]), True
    if kind == 3:       # IPv4 noise
        return DST + SRC + b"\x08\x00" + body[:size - 14], False
    if kind == 4:       # ARP noise
        return DST + SRC + b"\x08\x06" + body[:28] + bytes(18), False
    if kind == 5:       # EtherCAT in an 802.1Q tag
        return (DST + SRC + b"\x81\x00" + struct.pack(">H", 5)
                + b"\x88\xa4" + body[:size - 18]), True
    return DST + SRC + b"\x86\xdd" + body[:size - 14], False   # IPv6 noise


def main():
    iface, want_path = sys.argv[1], sys.argv[2]
    count = int(sys.argv[3]) if len(sys.argv) > 3 else 700
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((iface, 0))
    with open(want_path, "w") as want:
        for i in range(count):
            f, keep = frame(i)
            s.send(f)
            if keep:
                want.write("0 0 0 0 %d %d %s\n" % (len(f), len(f), f.hex()))


if __name__ == "__main__":
    main()
