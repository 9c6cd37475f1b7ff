#!/usr/bin/env python3
"""Write a pcap of varied, well-formed EtherCAT and PROFINET frames that the
shared captures lack (cyclic RT of every class, alarms, PTCP, DCP hello/get/
set, CoE/EoE/FoE mailboxes, QinQ, EtherCAT over UDP), so that
`compare.py` can hold iiotctl against tshark on them even where the real
captures are absent.  Deterministic for a given seed.

usage: synth.py OUT.pcap [FRAMES] [SEED]
"""
import random
import struct
import sys

MASTER = bytes.fromhex("020000000001")
CTRL = bytes.fromhex("001b1b000001")
DEV = bytes.fromhex("001b1b000002")
BCAST = b"\xff" * 6
DCP_MC = bytes.fromhex("010ecf000000")


def eth(dst, src, etype, payload, vlans=()):
    hdr = dst + src
    tpids = [0x88A8, 0x8100] if len(vlans) == 2 else [0x8100]
    for tpid, vid in zip(tpids, vlans):
        hdr += struct.pack(">HH", tpid, vid)
    frame = hdr + struct.pack(">H", etype) + payload
    return frame + b"\0" * max(0, 60 - len(frame))


def vlans(r):
    x = r.random()
    if x < 0.7:
        return ()
    if x < 0.9:
        return (r.randrange(0, 4095),)
    return (r.randrange(1, 4095), r.randrange(1, 4095))


# ---- EtherCAT -----------------------------------------------------------

def dgram(cmd, idx, adp, ado, data, wkc, more):
    lf = len(data) | (0x8000 if more else 0)
    return struct.pack("<BBHHHH", cmd, idx, adp, ado, lf, 0) + data + \
        struct.pack("<H", wkc)


def ecat_frame(dgrams):
    body = b""
    for i, (cmd, adp, ado, data, wkc) in enumerate(dgrams):
        body += dgram(cmd, (0x40 + i) & 0xFF, adp, ado, data, wkc,
                      i + 1 < len(dgrams))
    return struct.pack("<H", len(body) | 0x1000) + body


def mailbox(r, station):
    kind = r.choice(["sdo_up", "sdo_down", "sdo_abort", "sdo_seg", "emcy",
                     "info", "eoe", "foe", "soe"])
    cnt = r.randrange(1, 8)
    if kind.startswith("sdo") or kind in ("emcy", "info"):
        mtype = 3
        idx, sub = r.choice([0x1018, 0x1C12, 0x6000, 0x8000, 0x10F3]), \
            r.randrange(0, 5)
        if kind == "sdo_up":
            svc, body = 2, struct.pack("<BHBI", 0x40, idx, sub, 0)
        elif kind == "sdo_down":
            svc, body = 2, struct.pack("<BHBI", 0x2F, idx, sub,
                                       r.randrange(0, 255))
        elif kind == "sdo_abort":
            svc, body = 2, struct.pack("<BHBI", 0x80, idx, sub, 0x06020000)
        elif kind == "sdo_seg":
            svc, body = 3, bytes([0x00]) + bytes(r.randrange(256)
                                                 for _ in range(7))
        elif kind == "emcy":
            svc, body = 1, struct.pack("<HB5s", 0x8130, 0x11, b"\0" * 5)
        else:
            svc, body = 8, struct.pack("<BBH", 0x01, 0, 0) + b"\x00\x00"
        payload = struct.pack("<H", svc << 12) + body
    elif kind == "eoe":
        mtype = 2
        payload = struct.pack("<BBH", 0x00, 0x01, 0x0000) + bytes(20)
    elif kind == "foe":
        mtype = 4
        payload = struct.pack("<BBI", 1, 0, 0) + b"firmware.efw"
    else:
        mtype = 5
        payload = struct.pack("<BBH", 0x01, 0x40, 0x0020) + bytes(4)
    hdr = struct.pack("<HHBB", len(payload), station, 0, mtype | cnt << 4)
    mbx = hdr + payload
    return mbx + b"\0" * (r.choice([48, 64, 128]) - len(mbx))


def ecat_random(r):
    n = r.randrange(1, 13)
    dg = []
    for _ in range(n):
        x = r.random()
        if x < 0.15:
            station = r.randrange(0x1001, 0x1005)
            dg.append((r.choice([4, 5]), station, 0x1000 + 0x80 * r.randrange(2),
                       mailbox(r, station), r.randrange(0, 2)))
            continue
        cmd = r.randrange(0, 15)
        ln = r.choice([0, 1, 2, 4, 6, 8, 16, 32])
        data = bytes(r.randrange(256) for _ in range(ln))
        if cmd in (10, 11, 12):
            adp, ado = r.randrange(0, 65536), r.randrange(0, 4)
        elif cmd in (1, 2, 3, 13):
            adp, ado = (-r.randrange(0, 8)) & 0xFFFF, \
                r.choice([0x0000, 0x0010, 0x0120, 0x0130, 0x0300, 0x0502,
                          0x0508, 0x0910])
        else:
            adp, ado = r.randrange(0x1000, 0x1008), \
                r.choice([0x0010, 0x0130, 0x0134, 0x0300, 0x0310, 0x0508])
        dg.append((cmd, adp, ado, data, r.randrange(0, 8)))
    return ecat_frame(dg)


# ---- PROFINET -----------------------------------------------------------

def pn_cyclic(r):
    fid = r.choice([r.randrange(0x0100, 0x1000), r.randrange(0x8000, 0xC000),
                    r.randrange(0xC000, 0xF800)])
    data = bytes(r.randrange(256) for _ in range(r.randrange(40, 120)))
    status = struct.pack(">HBB", r.randrange(65536),
                         r.choice([0x35, 0x25, 0x34, 0x15, 0xB5]),
                         r.choice([0, 0, 0x10]))
    return struct.pack(">H", fid) + data + status


def dcp_block(opt, sub, body, prefix=None):
    if prefix is not None:
        body = struct.pack(">H", prefix) + body
    blk = struct.pack(">BBH", opt, sub, len(body)) + body
    return blk + (b"\0" if len(body) & 1 else b"")


def dcp(fid, sid, stype, xid, blocks, delay=0):
    data = b"".join(blocks)
    return struct.pack(">HBBIHH", fid, sid, stype, xid, delay, len(data)) + data


NAMES = ["plc-1", "io-device-7.line2", "et200sp", "drive-a.cell-3"]


def ident_resp(r, xid):
    name = r.choice(NAMES).encode()
    return dcp(0xFEFF, 5, 1, xid, [
        dcp_block(2, 5, b"\x02\x01\x02\x02\x02\x03\x01\x02", 0),
        dcp_block(2, 1, b"ET 200SP", 0),
        dcp_block(2, 2, name, 0),
        dcp_block(2, 3, struct.pack(">HH", 0x002A, r.randrange(65536)), 0),
        dcp_block(2, 4, b"\x01\x00", 0),
        dcp_block(2, 7, b"\x00\x64", 0),
        dcp_block(1, 2, struct.pack(">III", 0xC0A80000 | r.randrange(1, 255),
                                    0xFFFFFF00, 0xC0A80001), 1),
    ])


def dcp_random(r):
    xid = r.randrange(1 << 32)
    k = r.choice(["ident_all", "ident_name", "ident_resp", "hello", "get",
                  "get_resp", "set_name", "set_ip", "set_signal",
                  "set_reset", "set_resp"])
    if k == "ident_all":
        return DCP_MC, dcp(0xFEFE, 5, 0, xid, [dcp_block(0xFF, 0xFF, b"")],
                           delay=r.randrange(1, 256))
    if k == "ident_name":
        return DCP_MC, dcp(0xFEFE, 5, 0, xid,
                           [dcp_block(2, 2, r.choice(NAMES).encode())],
                           delay=1)
    if k == "ident_resp":
        return CTRL, ident_resp(r, xid)
    if k == "hello":
        return DCP_MC, dcp(0xFEFC, 6, 0, xid, [
            dcp_block(2, 2, r.choice(NAMES).encode(), 0),
            dcp_block(1, 2, struct.pack(">III", 0xC0A8000A, 0xFFFFFF00, 0), 1),
            dcp_block(2, 3, struct.pack(">HH", 0x002A, 0x0313), 0),
            dcp_block(6, 1, b"\x00\x01", 0)])
    if k == "get":
        data = b"\x02\x02\x01\x02"
        return DEV, struct.pack(">HBBIHH", 0xFEFD, 3, 0, xid, 0,
                                len(data)) + data
    if k == "get_resp":
        return CTRL, dcp(0xFEFD, 3, 1, xid, [
            dcp_block(2, 2, r.choice(NAMES).encode(), 0)])
    if k == "set_name":
        return DEV, dcp(0xFEFD, 4, 0, xid, [
            dcp_block(2, 2, r.choice(NAMES).encode(), 1),
            dcp_block(5, 2, b"", 0)])
    if k == "set_ip":
        return DEV, dcp(0xFEFD, 4, 0, xid, [
            dcp_block(1, 2, struct.pack(">III", 0xC0A80063, 0xFFFF0000,
                                        0xC0A80001), 0)])
    if k == "set_signal":
        return DEV, dcp(0xFEFD, 4, 0, xid, [
            dcp_block(5, 3, b"\x01\x00", 0)])
    if k == "set_reset":
        return DEV, dcp(0xFEFD, 4, 0, xid, [dcp_block(5, 6, b"", 2)])
    return CTRL, dcp(0xFEFD, 4, 1, xid, [
        dcp_block(5, 4, b"\x01\x02\x00"), dcp_block(5, 4, b"\x05\x02\x00")])


def alarm_random(r):
    fid = r.choice([0xFC01, 0xFE01])
    pdu = r.choice([1, 3])
    if pdu == 1:
        blk = struct.pack(">HHBBHIHHIIH", r.choice([1, 2]), 22, 1, 0,
                          r.choice([1, 2, 3, 4]), 0, r.randrange(0, 8),
                          r.choice([1, 0x8000, 0x8001]), 0x10, 0x20, 0xA000)
    else:
        blk = b""
    hdr = struct.pack(">HHBBHHH", 0x0001, 0x8001, pdu | 0x10, 0,
                      r.randrange(65536), r.randrange(65536), len(blk))
    return struct.pack(">H", fid) + hdr + blk


def ptcp_random(r):
    fid = r.choice([0xFF40, 0xFF43, 0xFF00, 0x0080])
    hdr = struct.pack(">IIIHBBHH", 0, 0, r.randrange(1000), r.randrange(65536),
                      r.randrange(10), 0, 0, 0)
    end = struct.pack(">HH", 0, 0)  # End TLV
    return struct.pack(">H", fid) + hdr + end


def frag_random(r):
    n = r.randrange(1, 6)
    return struct.pack(">HBB", 0xFF80 + r.randrange(16), n,
                       r.randrange(0, 64) | (0x80 if r.random() < 0.5 else 0)) \
        + bytes(r.randrange(256) for _ in range(8 * n))


def udp_ecat(r):
    payload = ecat_random(r)
    udp = struct.pack(">HHHH", 34980, 34980, 8 + len(payload), 0) + payload
    ip = struct.pack(">BBHHHBBHII", 0x45, 0, 20 + len(udp), 1, 0, 64, 17, 0,
                     0xC0A80002, 0xC0A800FF)
    return ip + udp


def main():
    out = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 600
    r = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 1)
    with open(out, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B23C4D, 2, 4, 0, 0, 65535, 1))
        for i in range(n):
            x = r.random()
            v = vlans(r)
            if x < 0.35:
                fr = eth(BCAST, MASTER, 0x88A4, ecat_random(r), v)
            elif x < 0.4:
                fr = eth(BCAST, MASTER, 0x0800, udp_ecat(r), v)
            elif x < 0.6:
                fr = eth(DEV, CTRL, 0x8892, pn_cyclic(r), v)
            elif x < 0.8:
                dst, p = dcp_random(r)
                fr = eth(dst, CTRL, 0x8892, p, v)
            elif x < 0.87:
                fr = eth(CTRL, DEV, 0x8892, alarm_random(r), v)
            elif x < 0.94:
                fr = eth(bytes.fromhex("0180c200000e"), DEV, 0x8892,
                         ptcp_random(r), v)
            else:
                fr = eth(DEV, CTRL, 0x8892, frag_random(r), v)
            f.write(struct.pack("<IIII", 1700000000 + i // 1000,
                                (i % 1000) * 1000000 + 7, len(fr), len(fr)) + fr)


if __name__ == "__main__":
    main()
