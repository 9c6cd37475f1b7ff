#!/usr/bin/env python3
"""Write one small pcap per IDS rule (docs/security.md): a normal line
(a PROFINET controller with its device's cyclic RT and an EtherCAT master
in cyclic operation) into which one attack is injected.  Each file's
attack is described in ATTACKS below: the rule it must raise and the
1-based number of the first attack frame; rules.t reads that back from
OUT_DIR/expect.txt.

usage: craft.py OUT_DIR
"""
import os
import struct
import sys

CTRL = bytes.fromhex("001b1b000001")
DEV = bytes.fromhex("001b1b000002")
DEV2 = bytes.fromhex("001b1b000003")
STRANGER = bytes.fromhex("02deadbeef01")
MASTER = bytes.fromhex("00aa00000001")
ROGUE = bytes.fromhex("00bb00000001")
BCAST = b"\xff" * 6
DCP_MC = bytes.fromhex("010ecf000000")
DEV_IP = (192, 168, 1, 20)
DEV2_IP = (192, 168, 1, 21)


def eth(dst, src, etype, payload):
    frame = dst + src + struct.pack(">H", etype) + payload
    return frame + b"\0" * max(0, 60 - len(frame))


def dcp_block(opt, sub, body):
    b = struct.pack(">BBH", opt, sub, len(body)) + body
    return b + (b"\0" if len(body) % 2 else b"")


def dcp(fid, sid, stype, xid, blocks, delay=0):
    data = b"".join(blocks)
    return struct.pack(">HBBIHH", fid, sid, stype, xid, delay, len(data)) + data


def name_block(name, info=True):
    return dcp_block(2, 2, (b"\0\0" if info else b"\0\1") + name)


def ip_block(ip, info=True):
    return dcp_block(1, 2, (b"\0\1" if info else b"\0\1") + bytes(ip) +
                     bytes((255, 255, 255, 0)) + bytes(ip[:3] + (1,)))


def ident_req(src, xid):
    return eth(DCP_MC, src, 0x8892,
               dcp(0xFEFE, 5, 0, xid, [dcp_block(0xFF, 0xFF, b"")], 1))


def ident_resp(src, dst, xid, name, ip):
    return eth(dst, src, 0x8892,
               dcp(0xFEFF, 5, 1, xid, [name_block(name), ip_block(ip)]))


def set_req(src, dst, xid, name):
    return eth(dst, src, 0x8892, dcp(0xFEFD, 4, 0, xid, [name_block(name, False)]))


def set_resp(src, dst, xid, err):
    return eth(dst, src, 0x8892,
               dcp(0xFEFD, 4, 1 if not err else 5, xid,
                   [dcp_block(5, 4, bytes((2, 2, err)))]))


def hello(src, xid, name, ip):
    return eth(DCP_MC, src, 0x8892,
               dcp(0xFEFC, 6, 0, xid, [name_block(name), ip_block(ip)]))


def rt(src, dst, fid, cc):
    return eth(dst, src, 0x8892, struct.pack(">H", fid) + b"\0" * 40 +
               struct.pack(">HBB", cc, 0x35, 0))


def arp(src, op, sha, spa, tpa, dst=BCAST):
    body = struct.pack(">HHBBH", 1, 0x0800, 6, 4, op) + sha + bytes(spa) + \
        (b"\0" * 6) + bytes(tpa)
    return eth(dst, src, 0x0806, body)


def dgram(cmd, idx, adp, ado, data, wkc, more=False):
    lf = len(data) | (0x8000 if more else 0)
    return struct.pack("<BBHHHH", cmd, idx, adp, ado, lf, 0) + data + \
        struct.pack("<H", wkc)


def ecat(src, dgrams):
    body = b""
    for i, (cmd, idx, adp, ado, data, wkc) in enumerate(dgrams):
        body += dgram(cmd, idx, adp, ado, data, wkc, i + 1 < len(dgrams))
    return eth(BCAST, src, 0x88A4, struct.pack("<H", len(body) | 0x1000) + body)


def returned(mac):
    return bytes((mac[0] | 2,)) + mac[1:]


LRW, FPWR, APWR, FPRD = 12, 5, 2, 4


class Capture:
    def __init__(self):
        self.frames = []
        self.t = 1_700_000_000_000_000_000
        self.mark = None

    def add(self, frame, dt_us=1000):
        self.t += dt_us * 1000
        self.frames.append((self.t, frame))
        return len(self.frames)

    def attack(self):
        """The next frame is the first of the attack."""
        self.mark = len(self.frames) + 1

    def line(self, seconds=3, ecat_idx=0x10):
        """A normal line: identify + cyclic RT + an EtherCAT master in OP."""
        self.add(ident_req(CTRL, 1))
        self.add(ident_resp(DEV, CTRL, 1, b"drive-1", DEV_IP))
        self.add(ident_resp(DEV2, CTRL, 1, b"drive-2", DEV2_IP))
        for i in range(seconds * 500):
            self.add(rt(CTRL, DEV, 0x8001, i & 0xFFFF), 2000)
            self.add(rt(DEV, CTRL, 0x8002, i & 0xFFFF), 10)
            idx = (ecat_idx + i) & 0xFF
            self.add(ecat(MASTER, [(LRW, idx, 0, 0x1000, b"\0" * 8, 0)]), 10)
            self.add(ecat(returned(MASTER),
                          [(LRW, idx, 0, 0x1000, b"\0" * 8, 3)]), 10)

    def ecat_only(self, seconds):
        """The EtherCAT master goes on; the PROFINET AR has stopped."""
        for i in range(seconds * 500):
            idx = (0x80 + i) & 0xFF
            self.add(ecat(MASTER, [(LRW, idx, 0, 0x1000, b"\0" * 8, 0)]), 2000)
            self.add(ecat(returned(MASTER),
                          [(LRW, idx, 0, 0x1000, b"\0" * 8, 3)]), 10)

    def write(self, path):
        with open(path, "wb") as f:
            f.write(struct.pack("<IHHiIII", 0xa1b23c4d, 2, 4, 0, 0, 65535, 1))
            for t, fr in self.frames:
                f.write(struct.pack("<IIII", t // 10**9, t % 10**9, len(fr),
                                    len(fr)))
                f.write(fr)


def dcp_set_stranger(c):
    c.line()
    c.attack()
    c.add(set_req(STRANGER, DEV, 77, b"renamed"))
    c.add(set_resp(DEV, STRANGER, 77, 0))


def dcp_set_from_ip(c):
    """A station known by its address: it announces 192.168.1.50 (ARP),
    then sends a DCP Set; the policy may list it by that address."""
    c.line()
    c.add(arp(STRANGER, 1, STRANGER, (192, 168, 1, 50), (192, 168, 1, 50)))
    c.attack()
    c.add(set_req(STRANGER, DEV, 80, b"renamed"))
    c.add(set_resp(DEV, STRANGER, 80, 0))


def dcp_set_refused(c):
    c.line()
    c.attack()
    c.add(set_req(STRANGER, DEV, 78, b"renamed"))
    c.add(set_resp(DEV, STRANGER, 78, 3))


def identify_flood(c):
    c.line(1)
    c.attack()
    for i in range(150):
        c.add(ident_req(STRANGER, 1000 + i), 100)


def hello_flood(c):
    c.line(1)
    c.attack()
    for i in range(30):
        c.add(hello(STRANGER, i, b"ghost", (192, 168, 1, 99)), 1000)


def reset_req(src, dst, xid):
    """DCP Set Control/ResetToFactory, qualifier 2 (communication)."""
    return eth(dst, src, 0x8892, dcp(0xFEFD, 4, 0, xid, [dcp_block(5, 6, b"\0\2")]))


def reset_flood(c):
    """An engineering station resetting a device over and over: trusted
    for Sets, still a flood (the device never stays in its AR)."""
    c.line(1)
    c.attack()
    for i in range(8):
        c.add(reset_req(STRANGER, DEV, 200 + i), 50000)


def duplicate_name(c):
    c.line(1)
    c.add(ident_req(CTRL, 2))
    c.attack()
    c.add(ident_resp(STRANGER, CTRL, 2, b"drive-1", (192, 168, 1, 99)))


def duplicate_ip(c):
    c.line(1)
    c.add(ident_req(CTRL, 2))
    c.attack()
    c.add(ident_resp(STRANGER, CTRL, 2, b"other", DEV_IP))


def arp_takeover(c):
    c.line(1)
    c.attack()
    c.add(arp(STRANGER, 2, STRANGER, DEV_IP, DEV_IP))


def arp_port_stealing(c):
    c.line(1)
    c.attack()
    c.add(arp(DEV, 1, DEV, (192, 168, 1, 66), (192, 168, 1, 1)))


def arp_reply_flood(c):
    c.line(1)
    c.attack()
    for i in range(60):
        c.add(arp(STRANGER, 2, STRANGER, (192, 168, 1, 77),
                  (192, 168, 1, i + 1)), 100)


def ecat_second_master(c):
    c.line(3)
    c.attack()
    c.add(ecat(ROGUE, [(LRW, 0x01, 0, 0x1000, b"\0" * 8, 0)]))


def ecat_station_write(c):
    c.line(3)
    c.attack()
    c.add(ecat(MASTER, [(FPWR, 0x05, 0x1001, 0x0010, b"\x09\x10", 0)]))


def ecat_al_drop(c):
    c.line(3)
    c.attack()
    c.add(ecat(MASTER, [(FPWR, 0x06, 0x1002, 0x0120, b"\x01\x00", 0)]))


def ecat_write_from_stranger(c):
    """Regression: an injected write from the attacker's own MAC (not the
    master's) while the line runs was only a second master, never a
    register write: the check ran for the running master's frames only."""
    c.line(3)
    c.attack()
    c.add(ecat(ROGUE, [(FPWR, 0x05, 0x1001, 0x0010, b"\x09\x10", 0)]))


def ecat_al_drop_from_stranger(c):
    c.line(3)
    c.attack()
    c.add(ecat(ROGUE, [(FPWR, 0x06, 0x1002, 0x0120, b"\x01\x00", 0)]))


def mac_flood_ipv4(c):
    """Regression: a MAC flood as macof sends it (IPv4 TCP SYNs between
    random MACs) raised nothing: only DCP, ARP and RT sources counted."""
    c.line(1)
    c.attack()
    for i in range(1100):
        src = bytes((0x00, 0x66, 0, 0, i >> 8, i & 0xFF))
        dst = bytes((0x00, 0x77, 0, 0, i >> 8, i & 0xFF))
        ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 40, i, 0, 64, 6, 0,
                         bytes((10, 1, i >> 8, i & 0xFF)), bytes((10, 2, 0, 1)))
        tcp = struct.pack(">HHIIBBHHH", 1024 + i, 80, i, 0, 0x50, 0x02, 512, 0, 0)
        c.add(eth(dst, src, 0x0800, ip + tcp), 10)


def ecat_foe(c):
    c.line(3)
    c.attack()
    mbx = struct.pack("<HHBB", 6 + 12, 0x1001, 0, 4) + \
        struct.pack("<BBI", 2, 0, 0) + b"fw.efw\0\0\0\0\0\0"
    c.add(ecat(MASTER, [(FPWR, 0x07, 0x1001, 0x1000, mbx, 0)]))


def ecat_injected(c):
    c.line(3)
    c.attack()
    c.add(ecat(returned(MASTER), [(FPRD, 0xEE, 0x1001, 0x0130, b"\x08\x00", 1)]))


def mac_flood(c):
    c.line(1)
    c.attack()
    for i in range(1100):
        src = bytes((0x02, 0x66, 0, 0, i >> 8, i & 0xFF))
        c.add(eth(BCAST, src, 0x0806, struct.pack(">HHBBH", 1, 0x0800, 6, 4, 1) +
                  src + bytes((10, 0, 0, 1)) + b"\0" * 6 + bytes((10, 0, 0, 2))), 10)


def ecat_restart(c):
    """Regression: a master that stops its cycle and runs start-up again
    (a PLC restart) rewrites station addresses and AL control; the IDS
    took those for writes outside start-up because the master's last run
    was past it."""
    c.line(3)
    c.t += 2_000_000_000
    for i, (cmd, ado, data) in enumerate([(APWR, 0x0010, b"\x01\x10"),
                                          (FPWR, 0x0120, b"\x01\x00"),
                                          (FPWR, 0x0120, b"\x02\x00")]):
        c.add(ecat(MASTER, [(cmd, 0x40 + i, 0x1001 if cmd == FPWR else 0, ado, data, 0)]))
        c.add(ecat(returned(MASTER), [(cmd, 0x40 + i, 0x1001 if cmd == FPWR else 0, ado, data, 1)]), 10)
    c.ecat_only(1)


def ar_lost(c):
    c.line(1)
    c.attack()
    c.ecat_only(2)


def ar_lost_after_set(c):
    c.line(1)
    c.attack()
    c.add(set_req(STRANGER, DEV, 79, b"renamed"))
    c.add(set_resp(DEV, STRANGER, 79, 0))
    c.ecat_only(2)


ATTACKS = [
    ("dcp_set_stranger", "pn.dcp.set_from_stranger", dcp_set_stranger),
    ("dcp_set_refused", "pn.dcp.set_from_stranger", dcp_set_refused),
    ("dcp_set_from_ip", "pn.dcp.set_from_stranger", dcp_set_from_ip),
    ("identify_flood", "pn.dcp.identify_flood", identify_flood),
    ("hello_flood", "pn.dcp.hello_flood", hello_flood),
    ("reset_flood", "pn.dcp.reset_flood", reset_flood),
    ("duplicate_name", "pn.dcp.duplicate_name", duplicate_name),
    ("duplicate_ip", "pn.dcp.duplicate_ip", duplicate_ip),
    ("arp_takeover", "arp.ip_takeover", arp_takeover),
    ("arp_port_stealing", "arp.port_stealing", arp_port_stealing),
    ("arp_reply_flood", "arp.reply_flood", arp_reply_flood),
    ("ecat_second_master", "ecat.master.second", ecat_second_master),
    ("ecat_station_write", "ecat.write.register", ecat_station_write),
    ("ecat_al_drop", "ecat.write.al_control", ecat_al_drop),
    ("ecat_write_from_stranger", "ecat.write.register", ecat_write_from_stranger),
    ("ecat_al_drop_from_stranger", "ecat.write.al_control", ecat_al_drop_from_stranger),
    ("ecat_foe", "ecat.foe.write", ecat_foe),
    ("ecat_injected", "ecat.dgram.injected", ecat_injected),
    ("mac_flood", "inventory.mac_flood", mac_flood),
    ("mac_flood_ipv4", "inventory.mac_flood", mac_flood_ipv4),
    ("ar_lost_after_set", "pn.ar.lost_after_attack", ar_lost_after_set),
]


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    clean = Capture()
    clean.line(3)
    clean.write(os.path.join(out, "clean.pcap"))
    # an AR lost without an attack: diag's pn.ar.lost, nothing for the IDS
    c = Capture()
    ar_lost(c)
    c.write(os.path.join(out, "ar_lost.pcap"))
    c = Capture()
    ecat_restart(c)
    c.write(os.path.join(out, "ecat_restart.pcap"))
    write_set(out, ATTACKS)


def write_set(out, attacks):
    """One capture per (name, rule, fn) and expect.txt: name rule mark."""
    with open(os.path.join(out, "expect.txt"), "w") as exp:
        for name, rule, fn in attacks:
            c = Capture()
            fn(c)
            c.write(os.path.join(out, name + ".pcap"))
            exp.write(f"{name} {rule} {c.mark}\n")


if __name__ == "__main__":
    main()
