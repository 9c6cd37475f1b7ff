#!/usr/bin/env python3
"""Insert PNIO-CM connect requests and their OK responses for the small
cell's four ET 200SP stations into a capture of iiot-sim (classic pcap),
after its first second, as a controller's connect looks on the wire
(IEC 61158-6-10: ARBlockReq, input IOCRBlockReq with the IODataObjects'
frame offsets, ExpectedSubmoduleBlockReq with the module and submodule
ident numbers of iiot's own GSDML, etc/descriptions/sim-et200sp.gsdml.xml;
the responses' IOCRBlockRes give the input FrameID 0xc001 the simulator
uses).  The simulator's frames carry no IOPS between data objects, so the
offsets are the data's.

usage: mkcr.py IN.pcap OUT.pcap
"""
import struct
import sys
import uuid

CTRL_MAC = bytes.fromhex("000e8c000001")
CTRL_IP = bytes([192, 168, 0, 1])
# station: (MAC, IP, [(slot, module ident, input bytes)])
STATIONS = [
    ("000e8c100001", 11, [(1, 0x101, 4)]),
    ("000e8c100002", 12, [(1, 0x102, 4)]),
    ("000e8c100003", 13, [(1, 0x103, 4), (2, 0x104, 2)]),
    ("000e8c100004", 14, [(1, 0x105, 12)]),
]
PNIO_DEVICE_IF = uuid.UUID("dea00001-6c97-11d1-8271-00a02442df7d").bytes


def block(btype, body):
    return struct.pack(">HHBB", btype, len(body) + 2, 1, 0) + body


def ar_block_req(ar):
    name = b"plc-pn"
    return block(0x0101, struct.pack(">H", 1) + ar + struct.pack(">H", 1) +
                 CTRL_MAC + uuid.UUID(int=1).bytes +
                 struct.pack(">IHHH", 0x00000011, 100, 0x8892, len(name)) +
                 name)


def iocr_req(slots):
    objs, off = [], 0
    for slot, _, n in slots:
        objs.append(struct.pack(">HHH", slot, 1, off))
        off += n
    iocs = [struct.pack(">HHH", 0, 1, off)]
    api = (struct.pack(">IH", 0, len(objs)) + b"".join(objs) +
           struct.pack(">H", len(iocs)) + b"".join(iocs))
    body = struct.pack(">HHHIHHHHHHIHH", 1, 1, 0x8892, 1, 40, 0xc001, 32,
                       2, 1, 0xffff, 0xffffffff, 3, 3)
    body += struct.pack(">H", 0xc000) + bytes(6) + struct.pack(">H", 1) + api
    return block(0x0102, body)


def expected_req(slots):
    entries = []
    # the access point in slot 0: no IO data
    entries.append(struct.pack(">IHIHH", 0, 0, 0x1, 0, 1) +
                   struct.pack(">HIH", 1, 0x1, 0) +
                   struct.pack(">HHBB", 1, 0, 1, 1))
    for slot, ident, n in slots:
        entries.append(struct.pack(">IHIHH", 0, slot, ident, 0, 1) +
                       struct.pack(">HIH", 1, ident, 1) +
                       struct.pack(">HHBB", 1, n, 1, 1))
    return block(0x0104, struct.pack(">H", len(entries)) + b"".join(entries))


def rpc(ptype, activity, body, status=None):
    hdr = struct.pack(">BBBB3sB16s16s16sIIIHHHHHBB", 4, ptype, 0x20, 0,
                      bytes(3), 0, uuid.UUID(int=2).bytes, PNIO_DEVICE_IF,
                      activity, 0, 1, 0, 0, 0xffff, 0xffff,
                      0, 0, 0, 0)
    if status is None:
        ndr = struct.pack(">IIIII", 4096, len(body), 4096, 0, len(body))
    else:
        ndr = struct.pack(">IIIII", status, len(body), 4096, 0, len(body))
    pdu = ndr + body
    return hdr[:74] + struct.pack(">H", len(pdu)) + hdr[76:] + pdu


def csum(b):
    s = sum(struct.unpack(">%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def udp_frame(dst, src, sip, dip, sport, dport, payload):
    udp = struct.pack(">HHHH", sport, dport, 8 + len(payload), 0) + payload
    ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 1, 0, 64, 17,
                     0, sip, dip)
    ip = ip[:10] + struct.pack(">H", csum(ip)) + ip[12:]
    return dst + src + b"\x08\x00" + ip + udp


def connects():
    out = []
    for i, (mac, host, slots) in enumerate(STATIONS):
        dev = bytes.fromhex(mac)
        dip = bytes([192, 168, 0, host])
        act = uuid.UUID(int=0x1000 + i).bytes
        ar = uuid.UUID(int=0x2000 + i).bytes
        req = rpc(0, act, ar_block_req(ar) + iocr_req(slots) +
                  expected_req(slots))
        res_body = (block(0x8101, struct.pack(">H", 1) + ar +
                          struct.pack(">H", 1) + dev +
                          struct.pack(">H", 0x8892)) +
                    block(0x8102, struct.pack(">HHH", 1, 1, 0xc001)))
        res = rpc(2, act, res_body, status=0)
        out.append(udp_frame(dev, CTRL_MAC, CTRL_IP, dip, 0xc000 + i,
                             34964, req))
        out.append(udp_frame(CTRL_MAC, dev, dip, CTRL_IP, 34964,
                             0xc000 + i, res))
    return out


def main():
    src, dst = sys.argv[1], sys.argv[2]
    data = open(src, "rb").read()
    magic = struct.unpack("<I", data[:4])[0]
    assert magic in (0xa1b2c3d4, 0xa1b23c4d), "classic pcap, little endian"
    nano = magic == 0xa1b23c4d
    out = [data[:24]]
    pos, first, done = 24, None, False
    while pos + 16 <= len(data):
        sec, frac, incl, orig = struct.unpack("<IIII", data[pos:pos + 16])
        t = sec + frac / (1e9 if nano else 1e6)
        first = t if first is None else first
        if not done and t - first >= 1.0:
            for k, f in enumerate(connects()):
                out.append(struct.pack("<IIII", sec, frac, len(f), len(f)) + f)
            done = True
        out.append(data[pos:pos + 16 + incl])
        pos += 16 + incl
    open(dst, "wb").write(b"".join(out))


if __name__ == "__main__":
    main()
