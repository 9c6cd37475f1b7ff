#!/usr/bin/env python3
"""Captures of PROFINET as real lines show it, for tests/alerts/realwire.t:
real timing (answers after their ResponseDelay, a device refusing a DCP Set
with a BlockError some milliseconds later, an IO controller polling its
lost devices' names once a second) and, with --tagged, every PROFINET frame
802.1Q priority-tagged (VID 0; RT priority 6, DCP 0) while ARP stays
untagged, as Siemens lines send them.

usage: craft_realwire.py OUT_DIR [--tagged]
Writes NAME.pcap and expect.txt: "NAME MARK" per capture, MARK the 1-based
number of its first attack frame (0: none).
"""
import os
import struct
import sys

sys.dont_write_bytecode = True     # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from craft import (CTRL, DEV, DCP_MC, STRANGER, Capture, dcp, dcp_block,  # noqa: E402
                   eth, ident_resp, rt, set_req, set_resp)

NDEV = 20
DEVS = [bytes.fromhex("001b1b0001%02x" % (i + 1)) for i in range(NDEV)]
NAMES = [b"io-%02d" % (i + 1) for i in range(NDEV)]
IPS = [(192, 168, 1, 100 + i) for i in range(NDEV)]


def ident_name(src, xid, name, delay=1):
    """Identify by NameOfStation (a filter block carries no qualifier)."""
    return eth(DCP_MC, src, 0x8892,
               dcp(0xFEFE, 5, 0, xid, [dcp_block(2, 2, name)], delay))


class Wire(Capture):
    """A capture whose PROFINET frames may be priority-tagged."""

    def __init__(self, tagged):
        super().__init__()
        self.tagged = tagged

    def add(self, frame, dt_us=1000):
        if self.tagged and frame[12:14] == b"\x88\x92":
            fid = int.from_bytes(frame[14:16], "big")
            pcp = 0 if fid >= 0xFEFC else 6
            frame = frame[:12] + struct.pack(">HH", 0x8100, pcp << 13) + frame[12:]
        return super().add(frame, dt_us)

    def cell(self, seconds):
        """A controller and NDEV devices: start-up Identify, each answer
        after its ResponseDelay (spread over 10 ms), cyclic RT (2 ms)."""
        self.add(eth(DCP_MC, CTRL, 0x8892,
                     dcp(0xFEFE, 5, 0, 1, [dcp_block(0xFF, 0xFF, b"")], 1)))
        for i in range(NDEV):
            self.add(ident_resp(DEVS[i], CTRL, 1, NAMES[i], IPS[i]), 400)
        self.cyclic(seconds, 0)

    def cyclic(self, seconds, cc0):
        for c in range(seconds * 500):
            for i in range(NDEV):
                self.add(rt(CTRL, DEVS[i], 0x8001 + i, (cc0 + c) & 0xFFFF),
                         2000 // (2 * NDEV))
                self.add(rt(DEVS[i], CTRL, 0x8101 + i, (cc0 + c) & 0xFFFF),
                         2000 // (2 * NDEV))


def polling(c):
    """Every AR lost at once (a switch between the controller and its
    devices failed): the controller looks each device up by name once a
    second for 15 s, and none answers.  No attack: no alert."""
    c.cell(2)
    xid = 100
    for s in range(15):
        for i in range(NDEV):
            c.add(ident_name(CTRL, xid, NAMES[i]), 1_000_000 // NDEV)
            xid += 1
    c.mark = 0


def scan_by_name(c):
    """The same requests from a station that is no device's controller: a
    scan for the line's names, the Identify flood rule's business."""
    c.cell(2)
    c.attack()
    xid = 100
    for s in range(15):
        for i in range(NDEV):
            c.add(ident_name(STRANGER, xid, NAMES[i]), 1_000_000 // NDEV)
            xid += 1


def set_refused_then_loss(c):
    """A stranger's DCP Set, refused by the device 30 ms later (BlockError
    3: a Siemens device refuses a rename while its AR runs); the AR goes
    on, and stops 3 s later for another reason: the Set attacked nothing."""
    c.cell(1)
    c.attack()
    c.add(set_req(STRANGER, DEVS[0], 0x4711, b"renamed"))
    c.add(set_resp(DEVS[0], STRANGER, 0x4711, 3), 30_000)
    c.cyclic(3, 500)
    # only the EtherCAT-free silence of a lost line follows: 2 s of
    # nothing but the controller polling, frames to move time on
    for s in range(2):
        c.add(ident_name(CTRL, 0x5000 + s, NAMES[0]), 1_000_000)


def set_answered_late(c):
    """A stranger's DCP Set, accepted by the device 300 ms later (flash
    written first), cyclic frames in between: the answer is joined."""
    c.cell(1)
    c.attack()
    c.add(set_req(STRANGER, DEVS[0], 0x4712, b"renamed"))
    c.cyclic(1, 500)
    c.add(set_resp(DEVS[0], STRANGER, 0x4712, 0), 1000)


def name_responder_delayed(c):
    """The controller looks a device up by name with ResponseDelayFactor
    100 (answers within 1 s); the attacker answers at once, the device
    after its delay, 640 ms."""
    c.cell(1)
    c.add(ident_name(CTRL, 0x6000, NAMES[3], delay=100))
    c.attack()
    c.add(ident_resp(STRANGER, CTRL, 0x6000, NAMES[3], (10, 0, 0, 250)), 1000)
    for s in range(32):
        c.add(rt(CTRL, DEVS[5], 0x8006, s), 20_000)
    c.add(ident_resp(DEVS[3], CTRL, 0x6000, NAMES[3], IPS[3]), 1000)


CAPTURES = [
    ("polling", polling),
    ("scan_by_name", scan_by_name),
    ("set_refused_then_loss", set_refused_then_loss),
    ("set_answered_late", set_answered_late),
    ("name_responder_delayed", name_responder_delayed),
]


def main():
    out = sys.argv[1]
    tagged = "--tagged" in sys.argv[2:]
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "expect.txt"), "w") as exp:
        for name, fn in CAPTURES:
            c = Wire(tagged)
            fn(c)
            c.write(os.path.join(out, name + ".pcap"))
            exp.write(f"{name} {c.mark or 0}\n")


if __name__ == "__main__":
    main()
