#!/usr/bin/env python3
"""Write one small pcap per baseline rule (docs/security.md "Baseline"):
the normal line of craft.py for 3 s, of which `iiotctl alerts --learn 2`
learns the first 2 s, then one deviation.  baseline.t reads the rule and
the 1-based number of the first deviating frame from OUT_DIR/expect.txt.

usage: craft_baseline.py OUT_DIR
"""
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from craft import (BCAST, CTRL, DEV, DEV2, DEV_IP, LRW, MASTER, ROGUE,  # noqa: E402
                   STRANGER, Capture, arp, ecat, eth, ident_req, returned, rt,
                   write_set)


def pn_only(c, seconds):
    """The PROFINET AR alone, no EtherCAT master."""
    for i in range(seconds * 500):
        c.add(rt(CTRL, DEV, 0x8001, i & 0xFFFF), 2000)
        c.add(rt(DEV, CTRL, 0x8002, i & 0xFFFF), 10)


def ecat_cycles(c, master, seconds, idx0=0x40):
    for i in range(seconds * 500):
        idx = (idx0 + i) & 0xFF
        c.add(ecat(master, [(LRW, idx, 0, 0x1000, b"\0" * 8, 0)]), 2000)
        c.add(ecat(returned(master), [(LRW, idx, 0, 0x1000, b"\0" * 8, 3)]), 10)


def pair_new(c):
    c.line(3)
    c.attack()
    c.add(eth(DEV, DEV2, 0x0800, b"\x45" + b"\0" * 40))


def frame_id_new(c):
    c.line(3)
    c.attack()
    for i in range(10):
        c.add(rt(CTRL, DEV, 0x8003, i), 2000)


def foreign_source(c):
    c.line(3)
    c.attack()
    for i in range(10):
        c.add(rt(STRANGER, DEV, 0x8001, i), 2000)


def master_changed(c):
    c.line(3)
    pn_only(c, 2)
    c.attack()
    ecat_cycles(c, ROGUE, 1)


def master_unknown(c):
    pn_only(c, 3)
    c.attack()
    ecat_cycles(c, ROGUE, 1)


def link_flood(c):
    c.line(3)
    c.attack()
    for i in range(20000):
        c.add(rt(CTRL, DEV, 0x8001, i & 0xFFFF), 10)


def dcp_rate(c):
    c.line(3)
    c.attack()
    for i in range(30):
        c.add(ident_req(CTRL, 100 + i), 20000)


def arp_rate(c):
    c.line(3)
    c.attack()
    for i in range(30):
        c.add(arp(DEV, 1, DEV, DEV_IP, (192, 168, 1, 100 + i)), 20000)


ATTACKS = [
    ("pair_new", "net.pair.new", pair_new),
    ("frame_id_new", "pn.rt.frame_id_new", frame_id_new),
    ("foreign_source", "pn.rt.foreign_source", foreign_source),
    ("master_changed", "ecat.master.changed", master_changed),
    ("master_unknown", "ecat.master.unknown", master_unknown),
    ("link_flood", "net.link.flood", link_flood),
    ("dcp_rate", "pn.dcp.rate_above_baseline", dcp_rate),
    ("arp_rate", "arp.rate_above_baseline", arp_rate),
]


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    c = Capture()
    c.line(4)
    c.write(os.path.join(out, "clean.pcap"))
    write_set(out, ATTACKS)

if __name__ == "__main__":
    main()
