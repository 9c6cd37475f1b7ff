/*
 * eval.db (evaldb.h).  Rows come out as JSON made by SQLite's json_object
 * so the API, the tests and "iiotctl" see one shape.
 */
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/dbfile.h"
#include "core/dbschema.h"
#include "eval/evaldb.h"

/* Steps of eval.db's schema (core/dbschema.h); never edit a shipped one. */
static const char *const steps[] = {
	/* 1: runs, their checks, nonconformities */
	"CREATE TABLE runs("
	" id INTEGER PRIMARY KEY,"
	" ts_ms INTEGER NOT NULL,"
	" created TEXT NOT NULL,"
	" state_dir TEXT NOT NULL,"
	" trigger TEXT NOT NULL,"
	" passed INTEGER NOT NULL,"
	" failed INTEGER NOT NULL,"
	" score INTEGER NOT NULL);"
	"CREATE TABLE results("
	" run INTEGER NOT NULL,"
	" seq INTEGER NOT NULL,"
	" check_id TEXT NOT NULL,"
	" area TEXT NOT NULL,"
	" requirement TEXT NOT NULL,"
	" result TEXT NOT NULL CHECK (result IN ('pass', 'fail')),"
	" evidence TEXT NOT NULL,"
	" PRIMARY KEY (run, seq));"
	"CREATE TABLE nonconformities("
	" id INTEGER PRIMARY KEY,"
	" check_id TEXT NOT NULL,"
	" area TEXT NOT NULL,"
	" requirement TEXT NOT NULL,"
	" state TEXT NOT NULL CHECK (state IN ('open', 'closed', 'verified')),"
	" opened_ms INTEGER NOT NULL,"
	" opened_run INTEGER NOT NULL,"
	" reopened INTEGER NOT NULL DEFAULT 0,"
	" reopened_ms INTEGER,"
	" previous INTEGER,"
	" evidence TEXT NOT NULL,"
	" last_run INTEGER NOT NULL,"
	" last_result TEXT NOT NULL,"
	" closed_ms INTEGER,"
	" closed_by TEXT,"
	" action TEXT,"
	" verified_ms INTEGER);"
	"CREATE INDEX nc_check ON nonconformities(check_id, state);",
};

const struct db_schema eval_db_schema = DB_SCHEMA(EVAL_DB_NAME, steps);

#define NC_JSON "SELECT json_object('id', id, 'check', check_id, 'area', area," \
	" 'requirement', requirement, 'state', state, 'opened_ms', opened_ms," \
	" 'opened_run', opened_run, 'reopened', reopened, 'reopened_ms', reopened_ms," \
	" 'previous', previous, 'evidence', evidence, 'last_run', last_run," \
	" 'last_result', last_result, 'closed_ms', closed_ms, 'closed_by', closed_by," \
	" 'action', action, 'verified_ms', verified_ms) FROM nonconformities"
#define RUN_JSON "SELECT json_object('id', id, 'ts_ms', ts_ms, 'created', created," \
	" 'state_dir', state_dir, 'trigger', trigger, 'passed', passed, 'failed', failed," \
	" 'score', score) FROM runs"

sqlite3 *evaldb_open(const char *dir, char *err, size_t errlen)
{
	char path[4200];
	sqlite3 *db = NULL;

	snprintf(path, sizeof(path), "%s/%s", dir, EVAL_DB_NAME);
	if (dbfile_private(path, err, errlen))
		return NULL;
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
			    SQLITE_OPEN_NOFOLLOW | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", path, db ? sqlite3_errmsg(db) : "out of memory");
		sqlite3_close(db);
		return NULL;
	}
	sqlite3_busy_timeout(db, 2000);
	sqlite3_exec(db, "PRAGMA journal_mode=WAL", NULL, NULL, NULL);
	if (db_migrate(db, &eval_db_schema, err, errlen)) {
		sqlite3_close(db);
		return NULL;
	}
	return db;
}

void evaldb_close(sqlite3 *db)
{
	sqlite3_close(db);
}

/* the JSON rows of a query whose one column is json_object(...) */
static json_t *rows(sqlite3 *db, const char *sql, const char *text, int64_t num, int limit)
{
	sqlite3_stmt *st = NULL;
	json_t *a = json_array(), *o;
	int i = 1;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL)) {
		json_decref(a);
		return NULL;
	}
	if (text)
		sqlite3_bind_text(st, i++, text, -1, SQLITE_STATIC);
	if (num)
		sqlite3_bind_int64(st, i++, num);
	if (limit)
		sqlite3_bind_int(st, i, limit);
	while (sqlite3_step(st) == SQLITE_ROW)
		if ((o = json_loads((const char *)sqlite3_column_text(st, 0), 0, NULL)))
			json_array_append_new(a, o);
	sqlite3_finalize(st);
	return a;
}

static json_t *one(sqlite3 *db, const char *sql, int64_t id)
{
	json_t *a = rows(db, sql, NULL, id, 0), *o;

	o = json_incref(json_array_get(a, 0));
	json_decref(a);
	return o;
}

static int exec_bind(sqlite3 *db, const char *sql, const char *fmt, ...);

static int run_insert(sqlite3 *db, const json_t *rep, const char *trigger, int64_t now_ms,
		      int64_t *id)
{
	json_t *c;
	size_t i;

	if (exec_bind(db, "INSERT INTO runs(ts_ms, created, state_dir, trigger, passed, failed,"
		      " score) VALUES(?, ?, ?, ?, ?, ?, ?)", "ltttlll", now_ms,
		      json_string_value(json_object_get(rep, "created")),
		      json_string_value(json_object_get(rep, "state_dir")), trigger,
		      (int64_t)json_integer_value(json_object_get(rep, "passed")),
		      (int64_t)json_integer_value(json_object_get(rep, "failed")),
		      (int64_t)json_integer_value(json_object_get(rep, "score"))))
		return -1;
	*id = sqlite3_last_insert_rowid(db);
	json_array_foreach(json_object_get(rep, "checks"), i, c)
		if (exec_bind(db, "INSERT INTO results VALUES(?, ?, ?, ?, ?, ?, ?)", "llttttt",
			      *id, (int64_t)i, json_string_value(json_object_get(c, "id")),
			      json_string_value(json_object_get(c, "area")),
			      json_string_value(json_object_get(c, "requirement")),
			      json_string_value(json_object_get(c, "result")),
			      json_string_value(json_object_get(c, "evidence"))))
			return -1;
	return 0;
}

/* fmt: one letter per parameter, t text (NULL binds NULL), l int64 */
static int exec_bind(sqlite3 *db, const char *sql, const char *fmt, ...)
{
	sqlite3_stmt *st = NULL;
	va_list ap;
	int i, rc;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL))
		return -1;
	va_start(ap, fmt);
	for (i = 0; fmt[i]; i++) {
		if (fmt[i] == 't') {
			const char *s = va_arg(ap, const char *);

			if (s)
				sqlite3_bind_text(st, i + 1, s, -1, SQLITE_TRANSIENT);
		} else {
			sqlite3_bind_int64(st, i + 1, va_arg(ap, int64_t));
		}
	}
	va_end(ap);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* the id and state of check's current nonconformity (open or closed), 0 none */
static int64_t current(sqlite3 *db, const char *check, char *state, size_t len,
		       int64_t *verified)
{
	sqlite3_stmt *st = NULL;
	int64_t id = 0;

	*verified = 0;
	if (sqlite3_prepare_v2(db, "SELECT id, state FROM nonconformities WHERE check_id = ?"
			       " ORDER BY id DESC LIMIT 1", -1, &st, NULL))
		return -1;
	sqlite3_bind_text(st, 1, check, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		id = sqlite3_column_int64(st, 0);
		snprintf(state, len, "%s", (const char *)sqlite3_column_text(st, 1));
		if (!strcmp(state, "verified")) {
			*verified = id;
			id = 0;
		}
	}
	sqlite3_finalize(st);
	return id;
}

static int track(sqlite3 *db, const json_t *c, int64_t run, int64_t now_ms, json_t *changed)
{
	const char *check = json_string_value(json_object_get(c, "id"));
	const char *ev = json_string_value(json_object_get(c, "evidence"));
	int fail = strcmp(json_string_value(json_object_get(c, "result")), "pass") != 0;
	char state[16] = "";
	int64_t verified, id = current(db, check, state, sizeof(state), &verified);
	int rc;

	if (id < 0)
		return -1;
	if (!id && !fail)
		return 0;
	if (!id) {
		rc = exec_bind(db, "INSERT INTO nonconformities(check_id, area, requirement, state,"
			       " opened_ms, opened_run, previous, evidence, last_run, last_result)"
			       " VALUES(?, ?, ?, 'open', ?, ?, NULLIF(?, 0), ?, ?, 'fail')",
			       "tttllltl", check, json_string_value(json_object_get(c, "area")),
			       json_string_value(json_object_get(c, "requirement")), now_ms, run,
			       verified, ev, run);
		id = sqlite3_last_insert_rowid(db);
	} else if (fail && !strcmp(state, "closed")) {
		rc = exec_bind(db, "UPDATE nonconformities SET state = 'open', reopened = reopened + 1,"
			       " reopened_ms = ?, evidence = ?, last_run = ?, last_result = 'fail'"
			       " WHERE id = ?", "ltll", now_ms, ev, run, id);
	} else {
		/* open stays open until an admin closes it; closed and passing is verified */
		rc = exec_bind(db, "UPDATE nonconformities SET evidence = CASE WHEN ? THEN ? ELSE"
			       " evidence END, last_run = ?, last_result = ?, state = CASE WHEN"
			       " state = 'closed' THEN 'verified' ELSE state END, verified_ms = CASE"
			       " WHEN state = 'closed' THEN ? ELSE verified_ms END WHERE id = ?",
			       "ltltll", (int64_t)fail, ev, run, fail ? "fail" : "pass", now_ms, id);
		return rc;
	}
	if (!rc && changed)
		json_array_append_new(changed, one(db, NC_JSON " WHERE id = ?", id));
	return rc;
}

int64_t evaldb_record(sqlite3 *db, const json_t *report, const char *trigger, int64_t now_ms,
		      json_t **changed)
{
	json_t *ch = changed ? json_array() : NULL, *c;
	int64_t run = -1;
	size_t i;
	int rc;

	if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL)) {
		json_decref(ch);
		return -1;
	}
	rc = run_insert(db, report, trigger, now_ms, &run);
	json_array_foreach(json_object_get(report, "checks"), i, c)
		if (!rc)
			rc = track(db, c, run, now_ms, ch);
	if (!rc)
		rc = exec_bind(db, "DELETE FROM results WHERE run <= ?", "l",
			       run - EVAL_RUNS_KEEP) ||
		     exec_bind(db, "DELETE FROM runs WHERE id <= ?", "l", run - EVAL_RUNS_KEEP);
	if (rc || sqlite3_exec(db, "COMMIT", NULL, NULL, NULL)) {
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		json_decref(ch);
		return -1;
	}
	if (changed)
		*changed = ch;
	return run;
}

json_t *evaldb_runs(sqlite3 *db, int limit)
{
	return rows(db, RUN_JSON " ORDER BY id DESC LIMIT ?", NULL, 0, limit);
}

json_t *evaldb_run(sqlite3 *db, int64_t id)
{
	json_t *r = one(db, RUN_JSON " WHERE id = ?", id), *c;

	if (!r)
		return NULL;
	c = rows(db, "SELECT json_object('id', check_id, 'area', area, 'requirement',"
		 " requirement, 'result', result, 'evidence', evidence) FROM results"
		 " WHERE run = ? ORDER BY seq", NULL, id, 0);
	json_object_set_new(r, "checks", c ? c : json_array());
	return r;
}

int64_t evaldb_last_ms(sqlite3 *db)
{
	sqlite3_stmt *st = NULL;
	int64_t t = -1;

	if (sqlite3_prepare_v2(db, "SELECT COALESCE(MAX(ts_ms), 0) FROM runs", -1, &st, NULL))
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		t = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return t;
}

json_t *evaldb_ncs(sqlite3 *db, const char *state, int limit)
{
	if (state)
		return rows(db, NC_JSON " WHERE state = ? ORDER BY id DESC LIMIT ?", state, 0,
			    limit);
	return rows(db, NC_JSON " ORDER BY id DESC LIMIT ?", NULL, 0, limit);
}

json_t *evaldb_nc(sqlite3 *db, int64_t id)
{
	return one(db, NC_JSON " WHERE id = ?", id);
}

int evaldb_close_nc(sqlite3 *db, int64_t id, const char *who, const char *action,
		    int64_t now_ms, int *code, char *err, size_t errlen)
{
	json_t *nc = evaldb_nc(db, id);
	const char *st = json_string_value(json_object_get(nc, "state"));

	*code = !nc ? 404 : strcmp(st, "open") ? 409 : 0;
	if (*code) {
		snprintf(err, errlen, *code == 404 ? "no such nonconformity" :
			 "nonconformity %lld is %s, not open", (long long)id, st);
		json_decref(nc);
		return -1;
	}
	json_decref(nc);
	if (exec_bind(db, "UPDATE nonconformities SET state = 'closed', closed_ms = ?,"
		      " closed_by = ?, action = ? WHERE id = ? AND state = 'open'", "lttl",
		      now_ms, who, action, id) || sqlite3_changes(db) != 1) {
		*code = 500;
		snprintf(err, errlen, "eval.db: %s", sqlite3_errmsg(db));
		return -1;
	}
	return 0;
}
