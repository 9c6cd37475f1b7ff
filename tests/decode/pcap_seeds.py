#!/usr/bin/env python3
"""Write fuzzing seeds taken from captures (pcap or pcapng) into OUTDIR:
OUTDIR/frame (whole frames), OUTDIR/dcp (DCP after the FrameID),
OUTDIR/mbx (EtherCAT mailbox datagram data), OUTDIR/cm (UDP payloads that
start like DCE/RPC), OUTDIR/lldp (LLDPDUs after the ethertype).  Identical seeds are written once.

usage: pcap_seeds.py OUTDIR PCAP...
"""
import hashlib
import os
import struct
import sys

MAX_PER_FILE = 300


def pcap_frames(data):
    magic = struct.unpack("<I", data[:4])[0]
    if magic in (0xA1B2C3D4, 0xA1B23C4D):
        end = "<"
    elif magic in (0xD4C3B2A1, 0x4D3CB2A1):
        end = ">"
    else:
        return
    off = 24
    while off + 16 <= len(data):
        incl = struct.unpack(end + "I", data[off + 8:off + 12])[0]
        off += 16
        yield data[off:off + incl]
        off += incl


def pcapng_frames(data):
    off, end = 0, "<"
    while off + 12 <= len(data):
        btype = struct.unpack(end + "I", data[off:off + 4])[0]
        if btype == 0x0A0D0D0A:
            end = "<" if data[off + 8:off + 12] == b"\x4d\x3c\x2b\x1a" else ">"
        blen = struct.unpack(end + "I", data[off + 4:off + 8])[0]
        if blen < 12:
            return
        if btype == 6:  # enhanced packet block
            cap = struct.unpack(end + "I", data[off + 20:off + 24])[0]
            yield data[off + 28:off + 28 + cap]
        elif btype == 3:  # simple packet block
            orig = struct.unpack(end + "I", data[off + 8:off + 12])[0]
            yield data[off + 12:off + 12 + min(orig, blen - 16)]
        off += blen


def frames(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:4] == b"\x0a\x0d\x0d\x0a":
        return pcapng_frames(data)
    return pcap_frames(data)


def l3(frame):
    """(ethertype, payload) after any VLAN tags."""
    off = 12
    while off + 2 <= len(frame):
        et = struct.unpack(">H", frame[off:off + 2])[0]
        if et in (0x8100, 0x88A8, 0x9100):
            off += 4
            continue
        return et, frame[off + 2:]
    return None, b""


def mailboxes(p):
    off = 2
    while off + 10 <= len(p):
        cmd = p[off]
        ado = struct.unpack("<H", p[off + 4:off + 6])[0]
        lf = struct.unpack("<H", p[off + 6:off + 8])[0]
        n = lf & 0x7FF
        if cmd in (1, 2, 4, 5) and ado >= 0x1000 and n >= 6:
            yield p[off + 10:off + 10 + n]
        off += 12 + n
        if not lf & 0x8000:
            break


def udp_payload(p):
    if len(p) < 28 or p[0] >> 4 != 4 or p[9] != 17:
        return b""
    ihl = (p[0] & 15) * 4
    return p[ihl + 8:]


def main():
    out = sys.argv[1]
    seen = set()
    for kind in ("frame", "dcp", "mbx", "cm", "lldp"):
        os.makedirs(os.path.join(out, kind), exist_ok=True)

    def put(kind, blob):
        h = hashlib.sha1(kind.encode() + blob).hexdigest()
        if not blob or h in seen:
            return 0
        seen.add(h)
        with open(os.path.join(out, kind, h), "wb") as f:
            f.write(blob)
        return 1

    for path in sys.argv[2:]:
        n = 0
        for fr in frames(path):
            if n < MAX_PER_FILE:
                n += put("frame", fr)
            et, p = l3(fr)
            if et == 0x8892 and len(p) > 2 and p[0] == 0xFE and p[1] >= 0xFC:
                put("dcp", p[2:])
            elif et == 0x88CC:
                put("lldp", p)
            elif et == 0x88A4:
                for m in mailboxes(p):
                    put("mbx", m)
            elif et == 0x0800:
                u = udp_payload(p)
                if u[:1] == b"\x04":
                    put("cm", u)


if __name__ == "__main__":
    main()
