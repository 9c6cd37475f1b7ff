/* Dashboards in auth.db (auth/dashdb.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/authdb_int.h"
#include "auth/dashdb.h"

#define DCOLS "id, name, owner, share, is_default, created, updated, updated_by"

static void copy(char *dst, size_t n, const unsigned char *s)
{
	snprintf(dst, n, "%s", s ? (const char *)s : "");
}

static void row_from(sqlite3_stmt *st, struct dash_row *d)
{
	memset(d, 0, sizeof(*d));
	d->id = sqlite3_column_int64(st, 0);
	copy(d->name, sizeof(d->name), sqlite3_column_text(st, 1));
	copy(d->owner, sizeof(d->owner), sqlite3_column_text(st, 2));
	copy(d->share, sizeof(d->share), sqlite3_column_text(st, 3));
	d->is_default = sqlite3_column_int(st, 4);
	d->created = sqlite3_column_int64(st, 5);
	d->updated = sqlite3_column_int64(st, 6);
	copy(d->updated_by, sizeof(d->updated_by), sqlite3_column_text(st, 7));
}

int dash_list(struct authdb *a, const char *owner, const char *role,
	      void (*cb)(void *, const struct dash_row *), void *arg)
{
	sqlite3_stmt *st;
	struct dash_row d;

	if (sqlite3_prepare_v2(a->db, "SELECT " DCOLS " FROM dashboards WHERE owner = ?1"
			       " OR (share IS NOT NULL AND (?2 IS NULL OR share = ?2 OR share = 'all'))"
			       " ORDER BY owner IS NULL, name, id", -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, owner, -1, SQLITE_STATIC);
	if (role)
		sqlite3_bind_text(st, 2, role, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW) {
		row_from(st, &d);
		cb(arg, &d);
	}
	sqlite3_finalize(st);
	return 0;
}

int dash_get(struct authdb *a, int64_t id, struct dash_row *d)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(a->db, "SELECT " DCOLS ", doc FROM dashboards WHERE id = ?",
			       -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		row_from(st, d);
		d->doc = strdup((const char *)sqlite3_column_text(st, 8));
		if (!d->doc)
			rc = SQLITE_ERROR;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? 1 : -1;
}

int dash_count(struct authdb *a, const char *owner, const char *share)
{
	sqlite3_stmt *st;
	int n = -1;

	if (sqlite3_prepare_v2(a->db, owner ? "SELECT count(*) FROM dashboards WHERE owner = ?" :
			       "SELECT count(*) FROM dashboards WHERE share = ?", -1, &st,
			       NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, owner ? owner : share, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return n;
}

int dash_create(struct authdb *a, const char *owner, const char *share,
		const char *name, const char *doc, const char *by, int64_t *id)
{
	int64_t now = auth_now_ms();

	if (authdb_exec(a, "INSERT INTO dashboards(name, owner, share, doc, created, updated,"
			" updated_by) VALUES(?,?,?,?,?,?,?)", "ttttiit", name, owner, share, doc,
			now, now, by))
		return -1;
	*id = sqlite3_last_insert_rowid(a->db);
	return 0;
}

int dash_update(struct authdb *a, int64_t id, const char *name, const char *doc,
		const char *by)
{
	if (authdb_exec(a, "UPDATE dashboards SET name = ?, doc = ?, updated = ?, updated_by = ?"
			" WHERE id = ?", "ttiti", name, doc, auth_now_ms(), by, id))
		return -1;
	return sqlite3_changes(a->db) == 1 ? 0 : 1;
}

int dash_set_default(struct authdb *a, int64_t id, int on)
{
	if (on && authdb_exec(a, "UPDATE dashboards SET is_default = 0 WHERE share ="
			      " (SELECT share FROM dashboards WHERE id = ?)", "i", id))
		return -1;
	return authdb_exec(a, "UPDATE dashboards SET is_default = ? WHERE id = ?"
			   " AND share IS NOT NULL", "ii", (int64_t)!!on, id);
}

int dash_delete(struct authdb *a, int64_t id)
{
	if (authdb_exec(a, "DELETE FROM dashboards WHERE id = ?", "i", id))
		return -1;
	return sqlite3_changes(a->db) == 1 ? 0 : 1;
}
