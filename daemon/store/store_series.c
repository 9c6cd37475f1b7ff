/* Readers of the series definitions (signals table), any thread. */
#include <stdio.h>

#include <sqlite3.h>

#include "store/store_int.h"

long store_query_signal_defs(const char *db_path, uint32_t min_id,
			     bool (*cb)(void *arg, uint32_t id,
					const char *name, const char *device),
			     void *arg, char *err, size_t errlen)
{
	sqlite3 *db = store_db_open(db_path, 1, err, errlen);
	sqlite3_stmt *st;
	long n = 0;

	if (!db)
		return -1;
	if (sqlite3_prepare_v2(db, "SELECT id, name, device FROM signals"
			       " WHERE id>=? ORDER BY id", -1, &st,
			       NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", db_path, sqlite3_errmsg(db));
		sqlite3_close(db);
		return -1;
	}
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
