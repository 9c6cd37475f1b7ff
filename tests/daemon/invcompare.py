#!/usr/bin/env python3
"""Compare the inventory of a thinned capture with the full one's.

invcompare.py FULL.json THIN.json [--min-frames N] [--subset] [--summary]

Both files are `iiotctl inventory --json` output.  Loss may cost
statistics, never identity:
  - every device of the thinned capture is a device of the full one, of
    the same kind (masters and PROFINET stations by MAC, slaves by master
    and ring position or station address);
  - no identity field of a thinned device contradicts the full capture
    (a field lost with its frames may be missing, never different);
  - every device the full capture saw in at least N frames (default 20)
    is there, and every master has as many slaves;
  - with --subset (a capture cut short, where devices may have been seen
    only in the part cut off): no master has more slaves.
Prints one line per problem and exits 1 when there is any; --summary
prints "kind=count ... master MAC:slaves ..." of THIN first.
"""
import json
import sys

IDENT = ('vendor_id', 'product_code', 'device_id', 'revision', 'serial',
         'station_name', 'ip', 'station_alias')


def load(path):
    with open(path) as f:
        inv = json.load(f)
    by_id = {d['id']: d for d in inv['devices']}
    return inv, by_id


def key(d, by_id):
    if d['kind'] == 'ecat-slave':
        m = by_id.get(d.get('parent'), {})
        return ('slave', m.get('mac'), d.get('ring_pos'),
                d.get('station_addr'))
    return ('mac', d.get('mac'))


def same_slave(a, b):
    """Same master; position and station agree wherever both are known."""
    if a[1] != b[1]:
        return False
    known = False
    for i in (2, 3):
        if a[i] is not None and b[i] is not None:
            if a[i] != b[i]:
                return False
            known = True
    return known


def find(k, keys):
    if k[0] == 'mac':
        return keys.get(k)
    for fk, d in keys.items():
        if fk[0] == 'slave' and same_slave(k, fk):
            return d
    return None


def slave_counts(inv, by_id):
    n = {}
    for d in inv['devices']:
        if d['kind'] == 'ecat-slave':
            mac = by_id.get(d.get('parent'), {}).get('mac')
            n[mac] = n.get(mac, 0) + 1
    return n


def summary(inv, by_id):
    kinds = {}
    for d in inv['devices']:
        kinds[d['kind']] = kinds.get(d['kind'], 0) + 1
    out = ' '.join('%s=%d' % kv for kv in sorted(kinds.items()))
    for mac, n in sorted(slave_counts(inv, by_id).items(),
                         key=lambda kv: str(kv[0])):
        out += ' %s:%d' % (mac, n)
    return out


def main(argv):
    args = [a for a in argv[1:] if not a.startswith('--')]
    min_frames = 20
    if '--min-frames' in argv:
        min_frames = int(argv[argv.index('--min-frames') + 1])
        args.remove(str(min_frames))
    full, fby = load(args[0])
    thin, tby = load(args[1])
    if '--summary' in argv:
        print(summary(thin, tby))
    fkeys = {key(d, fby): d for d in full['devices']}
    problems = []
    matched = set()
    for d in thin['devices']:
        k = key(d, tby)
        f = find(k, fkeys)
        if f is None:
            problems.append('extra %s %s' % (d['kind'], k[1:]))
            continue
        matched.add(f['id'])
        if f['kind'] != d['kind']:
            problems.append('%s is %s, %s in the full capture' %
                            (k[1:], d['kind'], f['kind']))
        for field in IDENT:
            if field in d and field in f and d[field] != f[field]:
                problems.append('%s %s %r, %r in the full capture' %
                                (k[1:], field, d[field], f[field]))
    for d in full['devices']:
        if d['id'] not in matched and d['frames'] >= min_frames:
            problems.append('missing %s %s (%d frames)' %
                            (d['kind'], key(d, fby)[1:], d['frames']))
    subset = '--subset' in argv
    fn, tn = slave_counts(full, fby), slave_counts(thin, tby)
    if subset:
        problems = [p for p in problems if not p.startswith('missing')]
    for mac, n in fn.items():
        if subset and tn.get(mac, 0) > n or \
                not subset and tn.get(mac, 0) != n:
            problems.append('master %s: %d slaves, %d in the full '
                            'capture' % (mac, tn.get(mac, 0), n))
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
