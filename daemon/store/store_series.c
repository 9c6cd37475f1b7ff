/* Readers of the series definitions (signals table) and of the devices'
 * aliases, any thread. */
#include <stdio.h>

#include <sqlite3.h>

#include "store/store_int.h"

/* sql on a read-only connection of its own to db_path, or NULL with err */
static sqlite3_stmt *query(const char *db_path, const char *sql,
			   sqlite3 **db, char *err, size_t errlen)
{
	sqlite3_stmt *st;

	*db = store_db_open(db_path, 1, err, errlen);
	if (!*db)
		return NULL;
	if (sqlite3_prepare_v2(*db, sql, -1, &st, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", db_path, sqlite3_errmsg(*db));
		sqlite3_close(*db);
		return NULL;
	}
	return st;
}

long store_query_signal_defs(const char *db_path, uint32_t min_id,
			     bool (*cb)(void *arg, uint32_t id,
					const char *name, const char *device),
			     void *arg, char *err, size_t errlen)
{
	sqlite3 *db;
	sqlite3_stmt *st = query(db_path, "SELECT id, name, device FROM"
				 " signals WHERE id>=? ORDER BY id", &db, err,
				 errlen);
	long n = 0;

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, min_id);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const unsigned char *name = sqlite3_column_text(st, 1);
		const unsigned char *dev = sqlite3_column_text(st, 2);

		n++;
		if (!cb(arg, (uint32_t)sqlite3_column_int64(st, 0),
			name ? (const char *)name : "",
			dev ? (const char *)dev : ""))
			break;
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	return n;
}

long store_query_aliases(const char *db_path,
			 void (*cb)(void *arg, const char *label,
				    const char *alias),
			 void *arg, char *err, size_t errlen)
{
	sqlite3 *db;
	sqlite3_stmt *st = query(db_path, "SELECT label, alias FROM devices"
				 " WHERE alias IS NOT NULL AND alias != ''",
				 &db, err, errlen);
	long n = 0;

	if (!st)
		return -1;
	while (sqlite3_step(st) == SQLITE_ROW) {
		const unsigned char *label = sqlite3_column_text(st, 0);
		const unsigned char *alias = sqlite3_column_text(st, 1);

		if (!label || !alias)
			continue;
		n++;
		cb(arg, (const char *)label, (const char *)alias);
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	return n;
}
