#!/usr/bin/env python3
# auditfill.py DB ROWS: a hash-chained audit log of ROWS rows, as
# daemon/auth/audit.c writes it (length-prefixed SHA-256 chain, head row),
# for benchmarks that need a large log without ROWS fsyncs.
import hashlib, sqlite3, sys, time

SCHEMA = """
CREATE TABLE IF NOT EXISTS audit(seq INTEGER PRIMARY KEY, ts INTEGER NOT NULL,
 user TEXT NOT NULL, addr TEXT NOT NULL, action TEXT NOT NULL, target TEXT NOT NULL,
 result TEXT NOT NULL, detail TEXT NOT NULL, prev TEXT NOT NULL, hash TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS head(id INTEGER PRIMARY KEY CHECK(id = 1),
 seq INTEGER NOT NULL, hash TEXT NOT NULL);
"""

def field(h, s):
    b = s.encode()
    h.update(len(b).to_bytes(8, "big"))
    h.update(b)

def main():
    db, rows = sys.argv[1], int(sys.argv[2])
    c = sqlite3.connect(db)
    c.executescript(SCHEMA)
    prev, ts = "0" * 64, int(time.time() * 1000) - rows
    def gen():
        nonlocal prev
        for seq in range(1, rows + 1):
            f = (prev, str(seq), str(ts + seq), "bench", "127.0.0.1", "device.read",
                 "device %d" % (seq % 1000), "ok", '{"bench":true}')
            h = hashlib.sha256()
            for s in f:
                field(h, s)
            d = h.hexdigest()
            yield (seq, ts + seq, f[3], f[4], f[5], f[6], f[7], f[8], prev, d)
            prev = d
    c.executemany("INSERT INTO audit VALUES(?,?,?,?,?,?,?,?,?,?)", gen())
    c.execute("INSERT OR REPLACE INTO head(id, seq, hash) VALUES(1, ?, ?)", (rows, prev))
    c.commit()
    c.execute("PRAGMA journal_mode=WAL")
    c.close()

main()
