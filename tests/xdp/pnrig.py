#!/usr/bin/env python3
"""PROFINET frames for the enforcement rig (tests/xdp/enforce.t), over a
raw AF_PACKET socket.

usage: pnrig.py cyclic IFACE SRC DST STOPFILE   cyclic RT (FrameID 0x8000)
                                                 every 2 ms until STOPFILE;
                                                 STOPFILE.sent after 20 frames
       pnrig.py dcpset IFACE SRC DST XID COUNT   COUNT DCP Set requests
                                                 (NameOfStation), Xid XID on
       pnrig.py recv IFACE READY STOPFILE        count what arrives; READY.cyclic
                                                 once the first cyclic frame is in
Each prints one JSON line: senders {"sent": N}; recv {"cyclic": {src: N},
"dcp_set_xids": {src: [xid...]}, "cycles_missing": {src: N},
"first_cycle": {src: N}, "last_cycle": {src: N}}.
"""
import json
import os
import socket
import struct
import sys
import time

ETH_P_ALL = 0x0003
PACKET_OUTGOING = 4


def mac(s):
    return bytes(int(b, 16) for b in s.split(":"))


def mac_str(b):
    return ":".join("%02x" % x for x in b)


def raw(ifc):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    s.bind((ifc, 0))
    return s


def cyclic(ifc, src, dst, stop):
    s, n = raw(ifc), 0
    hdr = mac(dst) + mac(src) + b"\x88\x92\x80\x00"
    nxt = time.monotonic()
    while not os.path.exists(stop):
        # 40 bytes of IO data, cycle counter, data status, transfer status
        s.send(hdr + bytes(40) + struct.pack(">HBB", n & 0xFFFF, 0x35, 0))
        n += 1
        if n == 20:
            # python starts slowly on a loaded machine: tell the test the
            # frames flow before it times anything against them
            open(stop + ".sent", "w").close()
        nxt += 0.002
        time.sleep(max(0.0, nxt - time.monotonic()))
    print(json.dumps({"sent": n}))


def dcpset(ifc, src, dst, xid, count):
    s = raw(ifc)
    name = b"renamed-by-stranger"
    # option 2 (device properties) / suboption 2 (NameOfStation),
    # block qualifier 1 (permanent), padded to even length
    blk = struct.pack(">BBHH", 2, 2, len(name) + 2, 1) + name
    if len(blk) % 2:
        blk += b"\x00"
    for i in range(count):
        dcp = struct.pack(">HBBIHH", 0xFEFD, 4, 0, xid + i, 0, len(blk)) + blk
        f = mac(dst) + mac(src) + b"\x88\x92" + dcp
        s.send(f + bytes(max(0, 60 - len(f))))
        time.sleep(0.01)
    print(json.dumps({"sent": count}))


def recv(ifc, ready, stop):
    s = raw(ifc)
    s.setsockopt(socket.SOL_SOCKET, getattr(socket, "SO_RCVBUFFORCE", 33), 64 << 20)
    s.settimeout(0.1)
    open(ready, "w").close()
    cyc, last, missing, sets, first = {}, {}, {}, {}, {}
    stopping = False
    while True:
        # a loaded machine leaves frames queued in the socket when the stop
        # file appears: read on until the queue stays empty for 0.1 s
        stopping = stopping or os.path.exists(stop)
        try:
            data, addr = s.recvfrom(65535)
        except socket.timeout:
            if stopping:
                break
            continue
        if addr[2] == PACKET_OUTGOING or len(data) < 16 or data[12:14] != b"\x88\x92":
            continue
        src, fid = mac_str(data[6:12]), int.from_bytes(data[14:16], "big")
        if fid == 0x8000 and len(data) >= 60:
            cc = int.from_bytes(data[56:58], "big")
            cyc[src] = cyc.get(src, 0) + 1
            if src in last:
                missing[src] = missing.get(src, 0) + ((cc - last[src] - 1) & 0xFFFF)
            else:
                first[src] = cc
                open(ready + ".cyclic", "w").close()
            last[src] = cc
        elif fid == 0xFEFD and data[16] == 4 and data[17] == 0:
            sets.setdefault(src, []).append(int.from_bytes(data[18:22], "big"))
    print(json.dumps({"cyclic": cyc, "cycles_missing": missing, "dcp_set_xids": sets,
                      "first_cycle": first, "last_cycle": last}))


def main():
    cmd, a = sys.argv[1], sys.argv[2:]
    if cmd == "cyclic":
        cyclic(a[0], a[1], a[2], a[3])
    elif cmd == "dcpset":
        dcpset(a[0], a[1], a[2], int(a[3]), int(a[4]))
    elif cmd == "recv":
        recv(a[0], a[1], a[2])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
