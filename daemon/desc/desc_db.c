/*
 * descriptions.db: each imported description as it came (so that it can
 * be read again as the parser improves) with what was read from it for
 * lists.  Mode 0600 like the other databases.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/dbschema.h"
#include "desc/desc_db.h"

/* Steps of descriptions.db's schema (core/dbschema.h); never edit one. */
static const char *const steps[] = {
	/* 1: the files */
	"CREATE TABLE IF NOT EXISTS descriptions("
	" id INTEGER PRIMARY KEY,"
	" kind TEXT NOT NULL,"
	" name TEXT NOT NULL,"
	" vendor TEXT NOT NULL,"
	" vendor_id INTEGER NOT NULL,"
	" file TEXT NOT NULL,"
	" devices INTEGER NOT NULL,"
	" imported_ns INTEGER NOT NULL,"
	" imported_by TEXT NOT NULL,"
	" xml BLOB NOT NULL);",
};

const struct db_schema desc_db_schema = DB_SCHEMA(DESC_DB_NAME, steps);

sqlite3 *desc_db_open(const char *path, char *err, size_t errlen)
{
	return db_open_migrated(path, &desc_db_schema, err, errlen);
}

int64_t desc_db_add(sqlite3 *db, const struct desc *d, const char *file,
		    const char *by, const char *xml, size_t len,
		    uint64_t now_ns)
{
	sqlite3_stmt *st = NULL;
	int64_t id = -1;

	if (sqlite3_prepare_v2(db, "INSERT INTO descriptions(kind, name, "
			       "vendor, vendor_id, file, devices, "
			       "imported_ns, imported_by, xml) VALUES(?, ?, "
			       "?, ?, ?, ?, ?, ?, ?)", -1, &st, NULL))
		return -1;
	sqlite3_bind_text(st, 1, desc_kind_name(d->kind), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, d->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, d->vendor, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, d->vendor_id);
	sqlite3_bind_text(st, 5, file, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, (sqlite3_int64)d->ndevs);
	sqlite3_bind_int64(st, 7, (sqlite3_int64)now_ns);
	sqlite3_bind_text(st, 8, by, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 9, xml, (int)len, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_DONE)
		id = sqlite3_last_insert_rowid(db);
	sqlite3_finalize(st);
	return id;
}

#define ROW_COLS "id, kind, name, vendor, vendor_id, file, devices, " \
		 "imported_ns, imported_by, length(xml)"

static json_t *row_json(sqlite3_stmt *st)
{
	return json_pack("{s:I, s:s, s:s, s:s, s:I, s:s, s:I, s:I, s:s, s:I}",
		"id", (json_int_t)sqlite3_column_int64(st, 0),
		"kind", (const char *)sqlite3_column_text(st, 1),
		"name", (const char *)sqlite3_column_text(st, 2),
		"vendor", (const char *)sqlite3_column_text(st, 3),
		"vendor_id", (json_int_t)sqlite3_column_int64(st, 4),
		"file", (const char *)sqlite3_column_text(st, 5),
		"devices", (json_int_t)sqlite3_column_int64(st, 6),
		"imported_ns", (json_int_t)sqlite3_column_int64(st, 7),
		"imported_by", (const char *)sqlite3_column_text(st, 8),
		"size", (json_int_t)sqlite3_column_int64(st, 9));
}

json_t *desc_db_list(sqlite3 *db)
{
	sqlite3_stmt *st = NULL;
	json_t *a = json_array();

	if (!a || sqlite3_prepare_v2(db, "SELECT " ROW_COLS " FROM "
				     "descriptions ORDER BY id", -1, &st,
				     NULL)) {
		json_decref(a);
		return NULL;
	}
	while (sqlite3_step(st) == SQLITE_ROW)
		json_array_append_new(a, row_json(st));
	sqlite3_finalize(st);
	return a;
}

char *desc_db_xml(sqlite3 *db, int64_t id, size_t *len, json_t **row)
{
	sqlite3_stmt *st = NULL;
	char *x = NULL;

	if (sqlite3_prepare_v2(db, "SELECT " ROW_COLS ", xml FROM "
			       "descriptions WHERE id = ?", -1, &st, NULL))
		return NULL;
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) == SQLITE_ROW) {
		int n = sqlite3_column_bytes(st, 10);

		x = malloc((size_t)n + 1);
		if (x) {
			if (n)
				memcpy(x, sqlite3_column_blob(st, 10),
				       (size_t)n);
			x[n] = '\0';
			*len = (size_t)n;
			if (row)
				*row = row_json(st);
		}
	}
	sqlite3_finalize(st);
	return x;
}

int desc_db_del(sqlite3 *db, int64_t id)
{
	sqlite3_stmt *st = NULL;
	int rc = -1;

	if (sqlite3_prepare_v2(db, "DELETE FROM descriptions WHERE id = ?",
			       -1, &st, NULL))
		return -1;
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) == SQLITE_DONE)
		rc = sqlite3_changes(db) > 0;
	sqlite3_finalize(st);
	return rc;
}

int desc_store_each(const char *state_dir, unsigned int kind,
		    void (*fn)(void *arg, const struct desc *x), void *arg)
{
	char path[4096], err[256];
	sqlite3_stmt *st = NULL;
	sqlite3 *db = NULL;
	int n = 0;

	snprintf(path, sizeof(path), "%s/%s", state_dir, DESC_DB_NAME);
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY |
			    SQLITE_OPEN_NOFOLLOW, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "SELECT xml FROM descriptions WHERE "
			       "kind = ? ORDER BY id", -1, &st, NULL)) {
		sqlite3_close(db);
		return 0;		/* none imported yet */
	}
	sqlite3_bind_text(st, 1, desc_kind_name(kind), -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW) {
		struct desc *d = desc_parse(sqlite3_column_blob(st, 0),
					    (size_t)sqlite3_column_bytes(st, 0),
					    err, sizeof(err));

		if (d) {
			fn(arg, d);
			n++;
		}
		desc_free(d);
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	return n;
}

struct sigmap_acc {
	char *all;
	size_t len;
};

static void sigmap_add(void *arg, const struct desc *d)
{
	struct sigmap_acc *acc = arg;
	size_t n, skipped, l;
	char *t = desc_eni_sigmap(d, d->master, &n, &skipped), *a;

	if (!t)
		return;
	l = strlen(t);
	a = realloc(acc->all, acc->len + l + 1);
	if (a) {
		acc->all = a;
		memcpy(acc->all + acc->len, t, l + 1);
		acc->len += l;
	}
	free(t);
}

char *desc_store_sigmap(const char *state_dir)
{
	struct sigmap_acc acc = { NULL, 0 };

	desc_store_each(state_dir, DESC_ENI, sigmap_add, &acc);
	return acc.all;
}
