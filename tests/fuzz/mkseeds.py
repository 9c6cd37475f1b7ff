#!/usr/bin/env python3
"""Seed corpora for the fuzz targets that had none, hand-made here and
from tests/decode/synth.py's synthetic frames (no capture is copied):
a few small inputs of every kind each target parses, named after what
they are.  Deterministic; the output is what tests/fuzz/corpus/ holds.

usage: mkseeds.py OUTDIR        (writes OUTDIR/<target>/<name>)
"""
import os
import random
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "decode"))
import pcap_seeds  # noqa: E402
import synth  # noqa: E402

REC_FRAME, REC_PAD = 0x4652, 0x5044


def write(out, target, name, blob):
    d = os.path.join(out, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(blob)


def api_parse(out):
    t = "fuzz_api_parse"
    write(out, t, "cookie", b"\x00__Host-iiot=abc123; x=1; other=\"q\"")
    write(out, t, "query", b"\x01q=dev%20one&state=online&limit=50&from=1700000000")
    write(out, t, "body-login", b'\x02{"username":"admin","password":"pw \\u00e9"}')
    write(out, t, "path", b"\x03/api/v1/../devices//12/./history%2e%2e")


def auth_totp(out):
    t = "fuzz_auth_totp"
    write(out, t, "code", b"287082")
    write(out, t, "code-spaced", b" 287 082 ")
    write(out, t, "base32-secret", b"GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")
    write(out, t, "base32-padded-lower", b"jbswy3dpehpk3pxp====")


def rec(frame, ts=1700000000000000000):
    hdr = struct.pack("<IHHIIIHHQ", 0, REC_FRAME, 0, len(frame), len(frame),
                      1, 1, 0, ts)
    n = (len(hdr) + len(frame) + 7) & ~7
    blob = hdr + frame + b"\0" * (n - len(hdr) - len(frame))
    return struct.pack("<I", n) + blob[4:]


def ring(out, frames):
    t = "fuzz_ring"
    skew = struct.pack("<H", 0)
    write(out, t, "one-record", skew + rec(frames[0]))
    write(out, t, "three-records", skew + b"".join(rec(f) for f in frames[:3]))
    pad = struct.pack("<IHHIIIHHQ", 64, REC_PAD, 0, 0, 0, 0, 0, 0, 0) + b"\0" * 32
    write(out, t, "pad-then-record", skew + pad + rec(frames[1]))
    # a position no record ends at (the target's skew bit 0x4000)
    write(out, t, "torn-last-record", struct.pack("<H", 0x4000) + rec(frames[0])[:-5])


def cm_rpc(body):
    """A PNIO-CM connect request's RPC and NDR headers, an AR block after."""
    iface = bytes.fromhex("0100a0de976cd1118271"+"00a02442df7d")
    h = bytes([4, 0, 0x20, 0, 0x10, 0, 0, 0]) + b"\0" * 16 + iface + bytes(range(16))
    h += struct.pack("<IIIHHHHHBB", 0, 1, 9, 0, 0xFFFF, 0xFFFF, len(body) + 20, 0, 0, 0)
    h += struct.pack("<IIIII", 1000, len(body), 1000, 0, len(body))
    return h + body


def ar_block():
    return struct.pack(">HHHH", 0x0101, 20, 0x0100, 1) + bytes(range(0x11, 0x21))


def udp(payload, sport=49153, dport=34964):
    ip = struct.pack(">BBHHHBBHII", 0x45, 0, 28 + len(payload), 1, 0, 64, 17, 0,
                     0xC0A80001, 0xC0A80002)
    return ip + struct.pack(">HHHH", sport, dport, 8 + len(payload), 0) + payload


def frames_of(r, n):
    """(kind, frame) from synth.py's generators, several of every kind."""
    out = []
    for i in range(n):
        v = synth.vlans(r) if i % 3 == 0 else ()
        k = i % 8
        if k == 0:
            out.append(("ecat", synth.eth(synth.BCAST, synth.MASTER, 0x88A4, synth.ecat_random(r), v)))
        elif k == 1:
            out.append(("ecat-udp", synth.eth(synth.BCAST, synth.MASTER, 0x0800, synth.udp_ecat(r), v)))
        elif k == 2:
            out.append(("pn-cyclic", synth.eth(synth.DEV, synth.CTRL, 0x8892, synth.pn_cyclic(r), v)))
        elif k == 3:
            dst, p = synth.dcp_random(r)
            out.append(("dcp", synth.eth(dst, synth.CTRL, 0x8892, p, v)))
        elif k == 4:
            out.append(("pn-alarm", synth.eth(synth.CTRL, synth.DEV, 0x8892, synth.alarm_random(r), v)))
        elif k == 5:
            out.append(("ptcp", synth.eth(bytes.fromhex("0180c200000e"), synth.DEV, 0x8892,
                                          synth.ptcp_random(r), v)))
        elif k == 6:
            out.append(("pn-frag", synth.eth(synth.DEV, synth.CTRL, 0x8892, synth.frag_random(r), v)))
        else:
            out.append(("pnio-cm", synth.eth(synth.DEV, synth.CTRL, 0x0800, udp(cm_rpc(ar_block())), v)))
    return out


def dcp_control(out):
    """fuzz_dcp: an op byte (0x80: Identify by name), then an answer frame
    to 02:00:00:00:00:50 whose Xid the target takes for the request's."""
    t = "fuzz_dcp"
    me, dev = bytes.fromhex("020000000050"), bytes.fromhex("000e8c100003")

    def blk(opt, sub, body):
        b = bytes([opt, sub]) + struct.pack(">H", len(body)) + body
        return b + (b"\0" if len(body) % 2 else b"")

    def ans(fid, svc, typ, blocks, tags=b"", length=None):
        data = b"".join(blocks)
        n = len(data) if length is None else length
        f = me + dev + tags + b"\x88\x92" + struct.pack(">HBBIHH", fid, svc, typ, 0x1234, 0, n) + data
        return f + b"\0" * max(0, 60 - len(f))

    ident = [blk(2, 2, b"\0\0et200sp-3"), blk(2, 1, b"\0\0ET 200SP"),
             blk(2, 3, b"\0\0\x00\x2a\x03\x01"),
             blk(1, 2, b"\0\1" + bytes([192, 168, 0, 11, 255, 255, 255, 0, 0, 0, 0, 0]))]
    write(out, t, "identify-answer", b"\x00" + ans(0xFEFF, 5, 1, ident))
    write(out, t, "identify-by-name-answer", b"\x80" + ans(0xFEFF, 5, 1, ident))
    write(out, t, "identify-answer-tagged", b"\x00" + ans(0xFEFF, 5, 1, ident, tags=b"\x81\x00\xc0\x00"))
    write(out, t, "identify-answer-bad-length", b"\x00" + ans(0xFEFF, 5, 1, ident, length=400))
    write(out, t, "identify-answer-block-truncated", b"\x00" + ans(0xFEFF, 5, 1, [b"\x02\x02\x00\x40abc"]))
    for op, (o, s_) in enumerate(((5, 3), (2, 2), (1, 2), (5, 6)), start=1):
        for err in (0, 5):
            write(out, t, "set-answer-%d-%d-error-%d" % (o, s_, err),
                  bytes([op]) + ans(0xFEFD, 4, 1, [blk(5, 4, bytes([o, s_, err]))]))
    write(out, t, "set-not-supported", b"\x02" + ans(0xFEFD, 4, 5, []))


def lldp_tlv(t, v):
    return struct.pack(">H", t << 9 | len(v)) + v


def lldp(out):
    """LLDPDUs as iiot-sim's PROFINET stations send them, and broken ones."""
    t = "fuzz_lldp"
    org = lambda oui, sub, v: lldp_tlv(127, oui + bytes([sub]) + v)
    pn = b"\x00\x0e\xcf"
    mand = (lldp_tlv(1, b"\x07io-1") + lldp_tlv(2, b"\x07port-001.io-1") +
            lldp_tlv(3, b"\x00\x14"))
    full = (mand + lldp_tlv(4, b"port 1") + lldp_tlv(5, b"io-1") +
            lldp_tlv(6, b"iiot test station") +
            lldp_tlv(7, b"\x00\x80\x00\x80") +
            lldp_tlv(8, b"\x05\x01\xc0\xa8\x00\x0a\x02\x00\x00\x00\x01\x00") +
            org(pn, 1, bytes(range(20))) + org(pn, 2, b"\x00\x02\x00\x02") +
            org(pn, 3, b"port-002.sw-1") + org(pn, 4, bytes(16) + b"\x00\x01") +
            org(pn, 5, b"\x00\x1b\x1b\x10\x00\x01") +
            org(b"\x00\x12\x0f", 1, b"\x03\x6c\x00\x00\x10") + lldp_tlv(0, b""))
    write(out, t, "profinet-station", full)
    write(out, t, "mac-chassis", lldp_tlv(1, b"\x04\x00\x1b\x1b\x34\x34\xcb") +
          lldp_tlv(2, b"\x03\x00\x1b\x1b\x34\x34\xce") + lldp_tlv(3, b"\x00\x00") +
          lldp_tlv(0, b""))
    write(out, t, "truncated-tlv", full[:40])
    write(out, t, "no-ttl", mand[:-4] + lldp_tlv(0, b""))
    write(out, t, "bad-mgmt-length", mand + lldp_tlv(8, b"\x40\x01\x0a"))
    write(out, t, "duplicate-chassis", lldp_tlv(1, b"\x07a") + mand)


def mqtt_json(out):
    """fuzz_mqtt_json: a map selector byte, then a device's payload."""
    t = "fuzz_mqtt_json"
    write(out, t, "nested", b'\x89{"a":{"b":[0,1,{"c":2.5}]},"ts":"2026-12-05T13:00:00.250Z"}')
    write(out, t, "array-root", b'\x02[[0,[1,2,true]],{"v":1}]')
    write(out, t, "meter", b'\x04{"m":{"t":215,"ts":1796475600123},"v":{"s":"7"}}')
    write(out, t, "wrong-types", b'\x07{"a":"x","m":{"t":null},"x":[]}')
    write(out, t, "not-json", b'\x00{"a":1')
    write(out, t, "deep", b'\x06' + b'{"a":' * 40 + b'1' + b'}' * 40)
    write(out, t, "huge-number", b'\x81{"a":1e999,"ts":-5}')
    write(out, t, "path-text", b'\x00a.b[2].c')


def main():
    out = sys.argv[1]
    r = random.Random(20)
    fr = frames_of(r, 32)
    api_parse(out)
    auth_totp(out)
    ring(out, [f for _, f in fr])
    seen = {}
    for kind, f in fr:
        seen[kind] = seen.get(kind, 0) + 1
        if seen[kind] > 2:
            continue
        name = "%s-%d" % (kind, seen[kind])
        for t in ("fuzz_decode_frame", "fuzz_diag", "fuzz_ids"):
            write(out, t, name, f)
        if kind == "dcp":
            write(out, "fuzz_decode_dcp", name, pcap_seeds.l3(f)[1][2:])
    nm = 0
    for kind, f in fr:
        if kind != "ecat" or nm >= 6:
            continue
        for m in pcap_seeds.mailboxes(pcap_seeds.l3(f)[1]):
            nm += 1
            write(out, "fuzz_decode_ecat_mbx", "mailbox-%d" % nm, m)
    # DCP after the FrameID, more services than the frames above carry
    for i in range(4):
        dst, p = synth.dcp_random(r)
        write(out, "fuzz_decode_dcp", "dcp-service-%d" % (i + 1), p[2:])
    write(out, "fuzz_decode_pnio_cm", "connect-ar-block", cm_rpc(ar_block()))
    write(out, "fuzz_decode_pnio_cm", "connect-no-blocks", cm_rpc(b""))
    dcp_control(out)
    lldp(out)
    mqtt_json(out)


if __name__ == "__main__":
    main()
