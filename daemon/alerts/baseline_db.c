/*
 * baseline.db: the line's baseline (daemon/ids/baseline.h) in its JSON
 * form, one row, written whenever it changed (the end of a learning
 * window, an edit, an import).  Mode 0600 like the other databases.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>

#include "alerts/baseline_db.h"
#include "core/dbschema.h"

/*
 * Steps of baseline.db's schema (core/dbschema.h); never edit a shipped
 * one.  A database from before versioning is at version 0 with step 1's
 * table: the step only creates what is missing.
 */
static const char *const steps[] = {
	/* 1: the baseline document */
	"CREATE TABLE IF NOT EXISTS baseline("
	" id INTEGER PRIMARY KEY CHECK (id = 1),"
	" saved_ns INTEGER NOT NULL,"
	" doc TEXT NOT NULL);",
};

const struct db_schema baseline_db_schema = DB_SCHEMA("baseline.db", steps);

sqlite3 *baseline_db_open(const char *path, char *err, size_t errlen)
{
	return db_open_migrated(path, &baseline_db_schema, err, errlen);
}

json_t *baseline_db_load(sqlite3 *db, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	json_error_t je;
	json_t *j = NULL;

	err[0] = 0;
	if (sqlite3_prepare_v2(db, "SELECT doc FROM baseline WHERE id = 1", -1,
			       &st, NULL)) {
		snprintf(err, errlen, "%s", sqlite3_errmsg(db));
		return NULL;
	}
	if (sqlite3_step(st) == SQLITE_ROW) {
		j = json_loads((const char *)sqlite3_column_text(st, 0), 0, &je);
		if (!j)
			snprintf(err, errlen, "stored baseline: %s", je.text);
	}
	sqlite3_finalize(st);
	return j;
}

int baseline_db_save(sqlite3 *db, const json_t *doc, uint64_t now_ns)
{
	sqlite3_stmt *st = NULL;
	char *s = json_dumps(doc, JSON_COMPACT);
	int rc = -1;

	if (s && !sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO baseline"
				     "(id, saved_ns, doc) VALUES(1, ?, ?)", -1,
				     &st, NULL)) {
		sqlite3_bind_int64(st, 1, (sqlite3_int64)now_ns);
		sqlite3_bind_text(st, 2, s, -1, SQLITE_STATIC);
		rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
	}
	sqlite3_finalize(st);
	free(s);
	return rc;
}
