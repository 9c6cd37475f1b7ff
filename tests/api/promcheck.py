#!/usr/bin/env python3
"""Strict check of a Prometheus text exposition (format 0.0.4) on stdin.

Every sample belongs to a family announced by # HELP and # TYPE right
before it, families are not split or repeated, names and labels are
well formed, a series appears once, counters end in _total and are
never negative.  Histograms: only NAME_bucket, NAME_sum and NAME_count,
each label set's buckets with ascending le ending at +Inf, cumulative,
and +Inf equal to NAME_count.  Prints "ok N" (samples) or the first
problem; with --dump NAME prints the sum of NAME's samples.
"""
import math
import re
import sys

NAME = re.compile(r'^[a-zA-Z_:][a-zA-Z0-9_:]*$')
SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\[\\"n])*)"(,|$)')


def labels(text):
    out, pos = [], 0
    while pos < len(text):
        m = LABEL.match(text, pos)
        if not m:
            raise ValueError("bad labels {%s}" % text)
        out.append((m.group(1), m.group(2)))
        pos = m.end()
    return tuple(out)


def hist_sample(n, fam, name, lab, v, hists):
    """One sample of histogram fam; hists[(fam, other labels)] tracks its buckets."""
    if name not in (fam + "_bucket", fam + "_sum", fam + "_count"):
        raise ValueError("line %d: %s outside its histogram %s" % (n, name, fam))
    if v < 0 or math.isnan(v):
        raise ValueError("line %d: %s is %s" % (n, name, v))
    rest = tuple(kv for kv in lab if kv[0] != "le")
    h = hists.setdefault((fam, rest), {"le": [], "n": [], "count": None})
    if name.endswith("_bucket"):
        les = [val for key, val in lab if key == "le"]
        if len(les) != 1:
            raise ValueError("line %d: a bucket without one le label" % n)
        le = float(les[0])
        if h["le"] and (le <= h["le"][-1] or v < h["n"][-1]):
            raise ValueError("line %d: buckets not ascending and cumulative" % n)
        h["le"].append(le)
        h["n"].append(v)
    elif any(key == "le" for key, _ in lab):
        raise ValueError("line %d: le on %s" % (n, name))
    elif name.endswith("_count"):
        if not h["le"] or h["le"][-1] != math.inf:
            raise ValueError("line %d: %s without a +Inf bucket before it" % (n, name))
        if v != h["n"][-1]:
            raise ValueError("line %d: %s %s != +Inf bucket %s" % (n, name, v, h["n"][-1]))
        h["count"] = v


def check(lines):
    families, series, cur, types, sums = set(), set(), None, {}, {}
    hists = {}
    helped = None
    for n, line in enumerate(lines, 1):
        if not line:
            raise ValueError("line %d: empty line" % n)
        if line.startswith("# HELP "):
            name = line.split(" ", 3)[2]
            if not NAME.match(name) or name in families:
                raise ValueError("line %d: bad or repeated family %s" % (n, name))
            helped = name
            continue
        if line.startswith("# TYPE "):
            parts = line.split(" ")
            if len(parts) != 4 or parts[2] != helped or parts[3] not in ("counter", "gauge", "histogram"):
                raise ValueError("line %d: TYPE without its HELP: %s" % (n, line))
            if parts[3] == "counter" and not parts[2].endswith("_total"):
                raise ValueError("line %d: counter %s without _total" % (n, parts[2]))
            cur = parts[2]
            families.add(cur)
            types[cur] = parts[3]
            continue
        if line.startswith("#"):
            continue
        m = SAMPLE.match(line)
        if not m:
            raise ValueError("line %d: not a sample: %s" % (n, line))
        name, lab, val = m.group(1), labels(m.group(3) or ""), m.group(4)
        v = float(val)
        if cur and types[cur] == "histogram":
            hist_sample(n, cur, name, lab, v, hists)
        elif name != cur:
            raise ValueError("line %d: %s outside its family (%s)" % (n, name, cur))
        elif types[name] == "counter" and (v < 0 or math.isnan(v)):
            raise ValueError("line %d: counter %s is %s" % (n, name, val))
        if (name, lab) in series:
            raise ValueError("line %d: series repeated: %s" % (n, line))
        series.add((name, lab))
        sums[name] = sums.get(name, 0) + v
    for (fam, rest), h in hists.items():
        if h["count"] is None:
            raise ValueError("histogram %s%s without _count" % (fam, dict(rest)))
    return series, sums


def main():
    text = sys.stdin.read()
    if not text.endswith("\n"):
        print("no final newline")
        return 1
    try:
        series, sums = check(text[:-1].split("\n"))
    except ValueError as e:
        print(e)
        return 1
    if len(sys.argv) == 3 and sys.argv[1] == "--dump":
        print("%.0f" % sums.get(sys.argv[2], -1))
        return 0
    print("ok %d" % len(series))
    return 0


sys.exit(main())
