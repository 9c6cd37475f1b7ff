/*
 * Alerts in SQLite: their own database (alerts.db beside iiot.db), written
 * only by the event loop in one transaction per drain, read by the same
 * thread for the API.  Tables: alerts (one row per alert, its current
 * state, the JSON every interface shows and the record itself to restore
 * open alerts after a restart) and alert_history (every state change, who
 * made it and why).  Retention: normal alerts older than retention_ms go,
 * and the oldest normal ones beyond max_rows.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sqlite3.h>

#include "alerts/alerts_db.h"
#include "core/dbfile.h"
#include "core/dbschema.h"
#include "core/log.h"

struct alerts_db {
	sqlite3 *db;
	sqlite3_stmt *put, *hist;
};

/* steps of alerts.db's schema (core/dbschema.h); never edit a shipped one */
static const char *const steps[] = {
	/* 1: alerts and their history */
	"CREATE TABLE IF NOT EXISTS alerts("
	" id INTEGER PRIMARY KEY, rule TEXT NOT NULL, severity INTEGER,"
	" state INTEGER, device INTEGER, link INTEGER, first_ns INTEGER,"
	" last_ns INTEGER, shelved_until INTEGER, json TEXT NOT NULL,"
	" rec BLOB);"
	"CREATE INDEX IF NOT EXISTS alerts_last ON alerts(last_ns);"
	"CREATE INDEX IF NOT EXISTS alerts_state ON alerts(state);"
	"CREATE TABLE IF NOT EXISTS alert_history("
	" seq INTEGER PRIMARY KEY, alert INTEGER NOT NULL, ts_ns INTEGER,"
	" event TEXT, state TEXT, who TEXT, comment TEXT);"
	"CREATE INDEX IF NOT EXISTS alert_history_alert ON alert_history(alert);",
};

const struct db_schema alerts_db_schema = DB_SCHEMA("alerts.db", steps);

struct alerts_db *alerts_db_open(const char *path, char *err, size_t errlen)
{
	struct alerts_db *a = calloc(1, sizeof(*a));

	if (!a) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (dbfile_private(path, err, errlen)) {
		free(a);
		return NULL;
	}
	if (sqlite3_open_v2(path, &a->db, SQLITE_OPEN_READWRITE |
			    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOFOLLOW |
			    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK ||
	    sqlite3_exec(a->db, "PRAGMA journal_mode=WAL;"
			 "PRAGMA synchronous=NORMAL;", NULL, NULL, NULL))
		goto fail;
	if (db_migrate(a->db, &alerts_db_schema, err, errlen)) {
		alerts_db_close(a);
		return NULL;
	}
	if (sqlite3_prepare_v2(a->db,
		"INSERT OR REPLACE INTO alerts(id, rule, severity, state,"
		" device, link, first_ns, last_ns, shelved_until, json, rec)"
		" VALUES(?,?,?,?,?,?,?,?,?,?,?)", -1, &a->put, NULL) ||
	    sqlite3_prepare_v2(a->db,
		"INSERT INTO alert_history(alert, ts_ns, event, state, who,"
		" comment) VALUES(?,?,?,?,?,?)", -1, &a->hist, NULL)) {
fail:
		snprintf(err, errlen, "%s: %s", path, a->db ?
			 sqlite3_errmsg(a->db) : "out of memory");
		alerts_db_close(a);
		return NULL;
	}
	sqlite3_busy_timeout(a->db, 2000);
	return a;
}

void alerts_db_close(struct alerts_db *a)
{
	if (!a)
		return;
	sqlite3_finalize(a->put);
	sqlite3_finalize(a->hist);
	sqlite3_close(a->db);
	free(a);
}

static int put(struct alerts_db *a, const struct alert *al)
{
	json_t *j = alert_json(al);
	char *s = j ? json_dumps(j, JSON_COMPACT) : NULL;
	sqlite3_stmt *st = a->put;
	int rc;

	json_decref(j);
	if (!s)
		return -1;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)al->id);
	sqlite3_bind_text(st, 2, alert_rule(al->rule)->id, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, al->severity);
	sqlite3_bind_int(st, 4, al->state);
	sqlite3_bind_int64(st, 5, al->device);
	sqlite3_bind_int64(st, 6, al->link);
	sqlite3_bind_int64(st, 7, (sqlite3_int64)al->first_ns);
	sqlite3_bind_int64(st, 8, (sqlite3_int64)al->last_ns);
	sqlite3_bind_int64(st, 9, (sqlite3_int64)al->shelved_until_ns);
	sqlite3_bind_text(st, 10, s, -1, free);
	sqlite3_bind_blob(st, 11, al, sizeof(*al), SQLITE_TRANSIENT);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
	sqlite3_reset(st);
	return rc;
}

static int history(struct alerts_db *a, const struct alert_change *c,
		   uint64_t wall_ns)
{
	sqlite3_stmt *st = a->hist;
	int rc;

	sqlite3_bind_int64(st, 1, (sqlite3_int64)c->a.id);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)wall_ns);
	sqlite3_bind_text(st, 3, alert_change_name(c->kind), -1,
			  SQLITE_STATIC);
	sqlite3_bind_text(st, 4, alert_state_name(c->a.state), -1,
			  SQLITE_STATIC);
	sqlite3_bind_text(st, 5, c->who, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, c->comment, -1, SQLITE_STATIC);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
	sqlite3_reset(st);
	return rc;
}

int alerts_db_write(struct alerts_db *a, const struct alert_change *c,
		    size_t n, uint64_t wall_ns)
{
	size_t i;
	int rc = 0;

	if (!n)
		return 0;
	sqlite3_exec(a->db, "BEGIN", NULL, NULL, NULL);
	for (i = 0; i < n; i++) {
		if (put(a, &c[i].a))
			rc = -1;
		/* count updates are not history */
		if (c[i].kind != ALERT_CH_UPDATED && history(a, &c[i], wall_ns))
			rc = -1;
	}
	if (sqlite3_exec(a->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		rc = -1;
	if (rc)
		log_warnx("alerts: database write: %s", sqlite3_errmsg(a->db));
	return rc;
}

int alerts_db_restore(struct alerts_db *a, struct alerts *al)
{
	sqlite3_stmt *st;
	int n = 0;

	if (sqlite3_prepare_v2(a->db, "SELECT rec FROM alerts WHERE state != 0"
			       " ORDER BY id", -1, &st, NULL))
		return -1;
	while (sqlite3_step(st) == SQLITE_ROW) {
		const void *b = sqlite3_column_blob(st, 0);

		/* a record of another layout is history only */
		if (b && sqlite3_column_bytes(st, 0) == sizeof(struct alert) &&
		    !alerts_restore(al, b))
			n++;
	}
	sqlite3_finalize(st);
	if (!sqlite3_prepare_v2(a->db, "SELECT MAX(id) FROM alerts", -1, &st,
				NULL)) {
		if (sqlite3_step(st) == SQLITE_ROW)
			alerts_set_next_id(al, (uint64_t)
					   sqlite3_column_int64(st, 0) + 1);
		sqlite3_finalize(st);
	}
	return n;
}

int alerts_db_prune(struct alerts_db *a, uint64_t before_ns, uint64_t max_rows)
{
	sqlite3_stmt *st;
	int rc = 0;

	if (sqlite3_prepare_v2(a->db, "DELETE FROM alerts WHERE state = 0 AND"
			       " (last_ns < ?1 OR id IN (SELECT id FROM alerts"
			       " WHERE state = 0 ORDER BY id DESC LIMIT -1"
			       " OFFSET ?2))", -1, &st, NULL))
		return -1;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)before_ns);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)max_rows);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = -1;
	sqlite3_finalize(st);
	sqlite3_exec(a->db, "DELETE FROM alert_history WHERE alert NOT IN"
		     " (SELECT id FROM alerts)", NULL, NULL, NULL);
	return rc;
}

json_t *alerts_db_list(struct alerts_db *a, const struct alerts_query *q)
{
	char sql[1024];
	sqlite3_stmt *st;
	json_t *arr = json_array();
	size_t o;
	int i = 1;

	o = (size_t)snprintf(sql, sizeof(sql),
			     "SELECT json FROM alerts WHERE 1");
	if (q->state >= 0)
		o += (size_t)snprintf(sql + o, sizeof(sql) - o,
				      " AND state = %d", q->state);
	if (q->open_only)
		o += (size_t)snprintf(sql + o, sizeof(sql) - o,
				      " AND state != 0");
	if (q->severity > 0)
		o += (size_t)snprintf(sql + o, sizeof(sql) - o,
				      " AND severity >= %d", q->severity);
	if (q->device)
		o += (size_t)snprintf(sql + o, sizeof(sql) - o,
				      " AND device = %u", q->device);
	if (q->rule)
		o += (size_t)snprintf(sql + o, sizeof(sql) - o,
				      " AND rule = ?1");
	if (q->since_ns)
		o += (size_t)snprintf(sql + o, sizeof(sql) - o,
				      " AND last_ns >= %llu",
				      (unsigned long long)q->since_ns);
	if (q->until_ns)
		o += (size_t)snprintf(sql + o, sizeof(sql) - o,
				      " AND first_ns <= %llu",
				      (unsigned long long)q->until_ns);
	if (q->before_id)
		o += (size_t)snprintf(sql + o, sizeof(sql) - o,
				      " AND id < %llu",
				      (unsigned long long)q->before_id);
	snprintf(sql + o, sizeof(sql) - o, " ORDER BY id DESC LIMIT %d",
		 q->limit > 0 ? q->limit : 100);
	if (!arr || sqlite3_prepare_v2(a->db, sql, -1, &st, NULL)) {
		json_decref(arr);
		return NULL;
	}
	if (q->rule)
		sqlite3_bind_text(st, i, q->rule, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW) {
		json_t *j = json_loads((const char *)sqlite3_column_text(st, 0),
				       0, NULL);

		if (j)
			json_array_append_new(arr, j);
	}
	sqlite3_finalize(st);
	return arr;
}

json_t *alerts_db_get(struct alerts_db *a, uint64_t id)
{
	sqlite3_stmt *st;
	json_t *j = NULL, *h;

	if (sqlite3_prepare_v2(a->db, "SELECT json FROM alerts WHERE id = ?",
			       -1, &st, NULL))
		return NULL;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)id);
	if (sqlite3_step(st) == SQLITE_ROW)
		j = json_loads((const char *)sqlite3_column_text(st, 0), 0,
			       NULL);
	sqlite3_finalize(st);
	if (!j || sqlite3_prepare_v2(a->db, "SELECT ts_ns, event, state, who,"
				     " comment FROM alert_history WHERE alert"
				     " = ? ORDER BY seq", -1, &st, NULL))
		return j;
	h = json_array();
	sqlite3_bind_int64(st, 1, (sqlite3_int64)id);
	while (sqlite3_step(st) == SQLITE_ROW)
		json_array_append_new(h, json_pack("{s:I, s:s, s:s, s:s, s:s}",
			"ts_ns", (json_int_t)sqlite3_column_int64(st, 0),
			"event", (const char *)sqlite3_column_text(st, 1),
			"state", (const char *)sqlite3_column_text(st, 2),
			"who", (const char *)sqlite3_column_text(st, 3),
			"comment", (const char *)sqlite3_column_text(st, 4)));
	sqlite3_finalize(st);
	json_object_set_new(j, "history", h);
	return j;
}
