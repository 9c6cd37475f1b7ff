/*
 * Schema migrations, applied in order; PRAGMA user_version says how many
 * ran.  Never edit a shipped step: add a new one, so that an upgrade keeps
 * every row.
 */
#include <stdio.h>

#include <sqlite3.h>

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
};

_Static_assert(sizeof(migrations) / sizeof(migrations[0]) ==
	       STORE_SCHEMA_VERSION, "one migration per schema version");

int store_migrate(sqlite3 *db, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	char *msg = NULL;
	int v = 0, i;

	if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) !=
	    SQLITE_OK)
		goto sqlerr;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (v > STORE_SCHEMA_VERSION) {
		snprintf(err, errlen, "database schema version %d is newer "
			 "than this iiotd (%d)", v, STORE_SCHEMA_VERSION);
		return -1;
	}
	for (i = v; i < STORE_SCHEMA_VERSION; i++) {
		char sql[64];

		snprintf(sql, sizeof(sql), "PRAGMA user_version=%d", i + 1);
		/* each step and its version number commit together */
		if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, &msg) ||
		    sqlite3_exec(db, migrations[i], NULL, NULL, &msg) ||
		    sqlite3_exec(db, sql, NULL, NULL, &msg) ||
		    sqlite3_exec(db, "COMMIT", NULL, NULL, &msg)) {
			snprintf(err, errlen, "schema migration %d: %s", i + 1,
				 msg ? msg : "?");
			sqlite3_free(msg);
			sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
			return -1;
		}
	}
	return 0;
sqlerr:
	snprintf(err, errlen, "%s", sqlite3_errmsg(db));
	return -1;
}
