/*
 * analytics.db, table rule_versions: one row per version of an API rule.
 * The latest row of a name is the rule; a NULL body is a delete.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sqlite3.h>

#include "analytics/band_db.h"
#include "analytics/ruledb.h"
#include "analytics/oee_db.h"
#include "analytics/report.h"
#include "core/dbfile.h"
#include "core/dbschema.h"

struct ruledb {
	sqlite3 *db;
};

/*
 * Steps of analytics.db's schema (core/dbschema.h); never edit a shipped
 * one.  Databases from before versioning hold both steps' tables at
 * version 0: the steps only create what is missing.
 */
static const char *const steps[] = {
	/* 1: API rules and their versions */
	"CREATE TABLE IF NOT EXISTS rule_versions("
	" name TEXT NOT NULL, version INTEGER NOT NULL, ts_ms INTEGER,"
	" who TEXT, action TEXT, body TEXT, PRIMARY KEY(name, version));",
	/* 2: OEE shifts and stops */
	oee_db_schema,
	/* 3: shift and daily reports */
	report_db_schema,
	/* 4: the anomaly band's history */
	band_db_schema,
};

const struct db_schema analytics_db_schema = DB_SCHEMA("analytics.db", steps);

struct ruledb *ruledb_open(const char *path, char *err, size_t errlen)
{
	struct ruledb *r = calloc(1, sizeof(*r));

	if (!r) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (dbfile_private(path, err, errlen)) {
		free(r);
		return NULL;
	}
	if (sqlite3_open_v2(path, &r->db, SQLITE_OPEN_READWRITE |
			    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOFOLLOW |
			    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK ||
	    sqlite3_exec(r->db, "PRAGMA journal_mode=WAL;"
			 "PRAGMA synchronous=NORMAL;", NULL, NULL, NULL)) {
		snprintf(err, errlen, "%s: %s", path, r->db ?
			 sqlite3_errmsg(r->db) : "out of memory");
		ruledb_close(r);
		return NULL;
	}
	if (db_migrate(r->db, &analytics_db_schema, err, errlen)) {
		ruledb_close(r);
		return NULL;
	}
	sqlite3_busy_timeout(r->db, 2000);
	return r;
}

void ruledb_close(struct ruledb *r)
{
	if (!r)
		return;
	sqlite3_close(r->db);
	free(r);
}

void *ruledb_handle(struct ruledb *r)
{
	return r->db;
}

static json_t *body_of(sqlite3_stmt *st, int col)
{
	const char *s = (const char *)sqlite3_column_text(st, col);

	return s ? json_loads(s, 0, NULL) : NULL;
}

int ruledb_latest(struct ruledb *r, const char *name, json_t **body)
{
	sqlite3_stmt *st;
	int v = 0;

	*body = NULL;
	if (sqlite3_prepare_v2(r->db, "SELECT version, body FROM rule_versions"
			       " WHERE name = ? ORDER BY version DESC LIMIT 1",
			       -1, &st, NULL))
		return -1;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		v = sqlite3_column_int(st, 0);
		*body = body_of(st, 1);
	}
	sqlite3_finalize(st);
	return v;
}

int ruledb_version(struct ruledb *r, const char *name, int v, json_t **body)
{
	sqlite3_stmt *st;
	int rc = -1;

	*body = NULL;
	if (sqlite3_prepare_v2(r->db, "SELECT body FROM rule_versions"
			       " WHERE name = ? AND version = ?", -1, &st,
			       NULL))
		return -1;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, v);
	if (sqlite3_step(st) == SQLITE_ROW) {
		*body = body_of(st, 0);
		rc = 0;
	}
	sqlite3_finalize(st);
	return rc;
}

int ruledb_put(struct ruledb *r, const char *name, const json_t *body,
	       const char *action, const char *who, int64_t ts_ms)
{
	char *s = body ? json_dumps(body, JSON_COMPACT | JSON_SORT_KEYS) :
		  NULL;
	sqlite3_stmt *st;
	json_t *old;
	int v, rc = -1;

	if (body && !s)
		return -1;
	v = ruledb_latest(r, name, &old);
	json_decref(old);
	if (v < 0 || sqlite3_prepare_v2(r->db, "INSERT INTO rule_versions"
			"(name, version, ts_ms, who, action, body)"
			" VALUES(?,?,?,?,?,?)", -1, &st, NULL)) {
		free(s);
		return -1;
	}
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, v + 1);
	sqlite3_bind_int64(st, 3, ts_ms);
	sqlite3_bind_text(st, 4, who, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, action, -1, SQLITE_STATIC);
	if (s)
		sqlite3_bind_text(st, 6, s, -1, free);
	else
		sqlite3_bind_null(st, 6);
	if (sqlite3_step(st) == SQLITE_DONE)
		rc = v + 1;
	sqlite3_finalize(st);
	if (rc > RULEDB_MAX_VERSIONS &&
	    !sqlite3_prepare_v2(r->db, "DELETE FROM rule_versions WHERE"
				" name = ? AND version <= ?", -1, &st, NULL)) {
		sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 2, rc - RULEDB_MAX_VERSIONS);
		sqlite3_step(st);
		sqlite3_finalize(st);
	}
	return rc;
}

static json_t *row_json(sqlite3_stmt *st)
{
	json_t *b = body_of(st, 5);

	return json_pack("{s:s, s:i, s:I, s:s, s:s, s:o}",
		"name", (const char *)sqlite3_column_text(st, 0),
		"version", sqlite3_column_int(st, 1),
		"ts_ms", (json_int_t)sqlite3_column_int64(st, 2),
		"who", sqlite3_column_text(st, 3) ?
			(const char *)sqlite3_column_text(st, 3) : "",
		"action", sqlite3_column_text(st, 4) ?
			(const char *)sqlite3_column_text(st, 4) : "",
		"rule", b ? b : json_null());
}

static json_t *rows(struct ruledb *r, const char *sql, const char *name)
{
	json_t *a = json_array();
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(r->db, sql, -1, &st, NULL))
		return a;
	if (name)
		sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW)
		json_array_append_new(a, row_json(st));
	sqlite3_finalize(st);
	return a;
}

json_t *ruledb_current(struct ruledb *r)
{
	return rows(r, "SELECT v.name, v.version, v.ts_ms, v.who, v.action,"
		    " v.body FROM rule_versions v WHERE v.version ="
		    " (SELECT MAX(version) FROM rule_versions w"
		    "  WHERE w.name = v.name) AND v.body IS NOT NULL"
		    " ORDER BY v.name", NULL);
}

json_t *ruledb_history(struct ruledb *r, const char *name)
{
	return rows(r, "SELECT name, version, ts_ms, who, action, body"
		    " FROM rule_versions WHERE name = ? ORDER BY version DESC",
		    name);
}
