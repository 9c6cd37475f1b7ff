-- iiot.db as schema 2 wrote it (daemon/store/store_schema.c, steps 1 and 2)
-- with a device, a signal and a rollup: tests/daemon/upgrade.t, tests/pkg/deb.t
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE signals(id INTEGER PRIMARY KEY, name TEXT NOT NULL, device TEXT, unit TEXT);
CREATE TABLE samples_raw(signal INTEGER NOT NULL, t0 INTEGER NOT NULL, t1 INTEGER NOT NULL, n INTEGER NOT NULL, vals BLOB NOT NULL);
CREATE INDEX samples_raw_sig_t0 ON samples_raw(signal, t0);
CREATE TABLE roll_1s(signal INTEGER NOT NULL, t INTEGER NOT NULL, min REAL NOT NULL, max REAL NOT NULL, sum REAL NOT NULL, count INTEGER NOT NULL, PRIMARY KEY(signal, t)) WITHOUT ROWID;
CREATE TABLE roll_1m(signal INTEGER NOT NULL, t INTEGER NOT NULL, min REAL NOT NULL, max REAL NOT NULL, sum REAL NOT NULL, count INTEGER NOT NULL, PRIMARY KEY(signal, t)) WITHOUT ROWID;
CREATE TABLE devices(label TEXT PRIMARY KEY, id INTEGER, kind TEXT, first_seen INTEGER, last_seen INTEGER, vendor_id INTEGER, product_code INTEGER, revision INTEGER, serial INTEGER, station_name TEXT, ip TEXT, lifecycle TEXT);
CREATE TABLE device_history(ts INTEGER NOT NULL, label TEXT NOT NULL, device INTEGER, event TEXT NOT NULL, detail TEXT);
CREATE INDEX device_history_label_ts ON device_history(label, ts);
INSERT INTO signals VALUES(7, 'oven.temp', 'plc-7', 'C');
INSERT INTO roll_1s VALUES(7, 1700000000000, 20.5, 21.5, 42.0, 2);
INSERT INTO devices(label, id, kind, first_seen, last_seen) VALUES('plc-7', 7, 'ethercat', 1, 2);
PRAGMA user_version = 2;
