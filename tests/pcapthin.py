#!/usr/bin/env python3
"""Thin a capture the way an oversubscribed mirror port does.

pcapthin.py [--drop RATE] [--seed N] [--cut SECONDS]
            [--drop-first MAC:N] IN OUT

Reads pcap or pcapng (Ethernet), writes a nanosecond pcap without the
frames it drops:
  --drop RATE       each frame dropped with probability RATE (0..1),
                    seeded (--seed, default 1) so runs repeat
  --cut SECONDS     frames in the first SECONDS after the first one dropped:
                    a capture that starts in the middle of things; N% cuts
                    that share of the capture's duration
  --drop-first MAC:N  the first N frames sent by MAC dropped (a master's
                    outgoing frames lost while its returning ones pass)
Prints "kept K dropped D" on stderr.  Standard library only.
"""
import random
import struct
import sys


def read_pcap(f, head):
    magic = struct.unpack('<I', head)[0]
    if magic in (0xa1b2c3d4, 0xa1b23c4d):
        e = '<'
    else:
        e = '>'
        magic = struct.unpack('>I', head)[0]
    nano = magic == 0xa1b23c4d
    rest = f.read(20)
    linktype = struct.unpack(e + 'I', rest[16:20])[0]
    frames = []
    while True:
        h = f.read(16)
        if len(h) < 16:
            break
        sec, frac, incl, orig = struct.unpack(e + 'IIII', h)
        data = f.read(incl)
        ts = sec * 10**9 + (frac if nano else frac * 1000)
        frames.append((ts, orig, data))
    return linktype & 0xffff, frames


def tsres(opts, e):
    """if_tsresol option (9) of an IDB: ticks per second (exact)."""
    i = 0
    while i + 4 <= len(opts):
        code, ln = struct.unpack(e + 'HH', opts[i:i + 4])
        if code == 0:
            break
        if code == 9 and ln >= 1:
            v = opts[i + 4]
            return 2 ** (v & 0x7f) if v & 0x80 else 10 ** v
        i += 4 + ((ln + 3) & ~3)
    return 10**6


def read_pcapng(f, head):
    e = '<'
    ifaces = []
    frames = []
    linktype = None
    block = head
    while True:
        if len(block) < 8:
            break
        btype = struct.unpack(e + 'I', block[:4])[0]
        if btype == 0x0A0D0D0A:
            bom = block[8:12] if len(block) >= 12 else f.read(4)
            if len(block) < 12:
                block += bom
            e = '<' if struct.unpack('<I', bom)[0] == 0x1A2B3C4D else '>'
            ifaces = []
        blen = struct.unpack(e + 'I', block[4:8])[0]
        if blen < 12:
            raise ValueError('bad pcapng block length')
        body = block[8:] + f.read(blen - len(block))
        body = body[:blen - 12]
        if btype == 1:
            lt, _, snap = struct.unpack(e + 'HHI', body[:8])
            ifaces.append((lt, tsres(body[8:], e)))
            if linktype is None:
                linktype = lt
        elif btype in (6, 2):
            if btype == 6:
                ifid, th, tl, cap, orig = struct.unpack(e + 'IIIII',
                                                        body[:20])
            else:
                ifid, _, th, tl, cap, orig = struct.unpack(e + 'HHIIII',
                                                           body[:20])
            hz = ifaces[ifid][1] if ifid < len(ifaces) else 10**6
            ts = ((th << 32) | tl) * 10**9 // hz
            frames.append((ts, orig, body[20:20 + cap]))
        elif btype == 3:
            orig = struct.unpack(e + 'I', body[:4])[0]
            frames.append((frames[-1][0] if frames else 0, orig,
                           body[4:4 + orig]))
        block = f.read(8)
    return linktype if linktype is not None else 1, frames


def read(path):
    with open(path, 'rb') as f:
        head = f.read(4)
        if head == b'\x0a\x0d\x0d\x0a':
            return read_pcapng(f, head + f.read(4))
        return read_pcap(f, head)


def write(path, linktype, frames):
    with open(path, 'wb') as f:
        f.write(struct.pack('<IHHiIII', 0xa1b23c4d, 2, 4, 0, 0, 262144,
                            linktype))
        for ts, orig, data in frames:
            f.write(struct.pack('<IIII', ts // 10**9, ts % 10**9,
                                len(data), orig))
            f.write(data)


def parse_mac(s):
    return bytes(int(x, 16) for x in s.split(':'))


def main(argv):
    drop, seed, cut, first = 0.0, 1, 0.0, None
    args = []
    i = 1
    while i < len(argv):
        a = argv[i]
        if a == '--drop':
            drop = float(argv[i + 1]); i += 2
        elif a == '--seed':
            seed = int(argv[i + 1]); i += 2
        elif a == '--cut':
            cut = argv[i + 1]; i += 2
        elif a == '--drop-first':
            mac, n = argv[i + 1].rsplit(':', 1)
            first = [parse_mac(mac), int(n)]; i += 2
        else:
            args.append(a); i += 1
    if len(args) != 2:
        sys.stderr.write(__doc__)
        return 2
    linktype, frames = read(args[0])
    rng = random.Random(seed)
    t0 = frames[0][0] if frames else 0
    if isinstance(cut, str):
        if cut.endswith('%'):
            span = frames[-1][0] - t0 if frames else 0
            cut = span * float(cut[:-1]) / 100 / 1e9
        else:
            cut = float(cut)
    kept = []
    for fr in frames:
        # one draw per frame whatever else happens: the same seed drops
        # the same frames with or without --cut
        r = rng.random()
        if cut and fr[0] - t0 < cut * 1e9:
            continue
        if first and first[1] > 0 and fr[2][6:12] == first[0]:
            first[1] -= 1
            continue
        if r < drop:
            continue
        kept.append(fr)
    write(args[1], linktype, kept)
    sys.stderr.write('kept %d dropped %d\n' % (len(kept),
                                               len(frames) - len(kept)))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
