/*
 * iiot.db's schema steps (core/dbschema.h): applied in order; PRAGMA
 * user_version says how many ran.  Never edit a shipped step: add a new
 * one, so that an upgrade keeps every row.
 */
#include <sqlite3.h>

#include "core/dbschema.h"
#include "store/store_int.h"

static const char *const migrations[] = {
	/* 1: time series.  Raw samples come in blocks: one row per signal
	 * per transaction, vals = n × (u32 ns after t0, f64 value), LE. */
	"CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT);"
	"CREATE TABLE signals(id INTEGER PRIMARY KEY, name TEXT NOT NULL,"
	" device TEXT, unit TEXT);"
	"CREATE TABLE samples_raw(signal INTEGER NOT NULL, t0 INTEGER NOT NULL,"
	" t1 INTEGER NOT NULL, n INTEGER NOT NULL, vals BLOB NOT NULL);"
	"CREATE INDEX samples_raw_sig_t0 ON samples_raw(signal, t0);"
	"CREATE TABLE roll_1s(signal INTEGER NOT NULL, t INTEGER NOT NULL,"
	" min REAL NOT NULL, max REAL NOT NULL, sum REAL NOT NULL,"
	" count INTEGER NOT NULL, PRIMARY KEY(signal, t)) WITHOUT ROWID;"
	"CREATE TABLE roll_1m(signal INTEGER NOT NULL, t INTEGER NOT NULL,"
	" min REAL NOT NULL, max REAL NOT NULL, sum REAL NOT NULL,"
	" count INTEGER NOT NULL, PRIMARY KEY(signal, t)) WITHOUT ROWID;",

	/* 2: inventory and its history */
	"CREATE TABLE devices(label TEXT PRIMARY KEY, id INTEGER, kind TEXT,"
	" first_seen INTEGER, last_seen INTEGER, vendor_id INTEGER,"
	" product_code INTEGER, revision INTEGER, serial INTEGER,"
	" station_name TEXT, ip TEXT, lifecycle TEXT);"
	"CREATE TABLE device_history(ts INTEGER NOT NULL, label TEXT NOT NULL,"
	" device INTEGER, event TEXT NOT NULL, detail TEXT);"
	"CREATE INDEX device_history_label_ts ON device_history(label, ts);",

	/* 3: retention of rollups walks them by time */
	"CREATE INDEX roll_1s_t ON roll_1s(t);"
	"CREATE INDEX roll_1m_t ON roll_1m(t);",

	/* 4: the names people give devices (model_alias.c), by label */
	"ALTER TABLE devices ADD COLUMN alias TEXT;",
};

_Static_assert(sizeof(migrations) / sizeof(migrations[0]) ==
	       STORE_SCHEMA_VERSION, "one migration per schema version");

const struct db_schema store_db_schema = DB_SCHEMA("iiot.db", migrations);

int store_migrate(sqlite3 *db, char *err, size_t errlen)
{
	return db_migrate(db, &store_db_schema, err, errlen);
}
