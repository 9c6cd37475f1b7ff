/* OEE shifts and stops in analytics.db: writing each tick, reports. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>
#include <sqlite3.h>

#include "analytics/oee_db.h"

/* step 2 of analytics.db's schema (ruledb.c) */
const char oee_db_schema[] =
	"CREATE TABLE IF NOT EXISTS oee_shift("
	" machine TEXT NOT NULL, line TEXT, shift TEXT, start_ms INTEGER,"
	" end_ms INTEGER, run_ms INTEGER, idle_ms INTEGER, down_ms INTEGER,"
	" planned_ms INTEGER, unknown_ms INTEGER, count INTEGER,"
	" reject INTEGER, ideal_ms REAL, PRIMARY KEY(machine, start_ms));"
	"CREATE TABLE IF NOT EXISTS oee_stop("
	" id INTEGER PRIMARY KEY, machine TEXT NOT NULL, line TEXT,"
	" start_ms INTEGER, end_ms INTEGER, state TEXT, auto INTEGER,"
	" reason TEXT, comment TEXT, who TEXT, set_ms INTEGER,"
	" UNIQUE(machine, start_ms));"
	"CREATE INDEX IF NOT EXISTS oee_stop_start ON oee_stop(start_ms);";

static int64_t ms(uint64_t ns)
{
	return (int64_t)(ns / 1000000ULL);
}

static int put_period(sqlite3 *db, const struct oee_drain *d,
		      const struct oee_period *p)
{
	const struct oee_machine_cfg *c = &d->cfg[p->machine];
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO oee_shift VALUES"
			       "(?,?,?,?,?,?,?,?,?,?,?,?,?)", -1, &st, NULL))
		return -1;
	sqlite3_bind_text(st, 1, c->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, c->line, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, p->shift >= 0 ? d->shifts[p->shift].name :
			  "", -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, ms(p->start_ns));
	sqlite3_bind_int64(st, 5, ms(p->end_ns));
	sqlite3_bind_int64(st, 6, ms(p->acc.ns[OEE_RUNNING]));
	sqlite3_bind_int64(st, 7, ms(p->acc.ns[OEE_IDLE]));
	sqlite3_bind_int64(st, 8, ms(p->acc.ns[OEE_DOWN]));
	sqlite3_bind_int64(st, 9, ms(p->acc.ns[OEE_PLANNED]));
	sqlite3_bind_int64(st, 10, ms(p->acc.ns[OEE_UNKNOWN]));
	sqlite3_bind_int64(st, 11, (sqlite3_int64)p->acc.count);
	sqlite3_bind_int64(st, 12, (sqlite3_int64)p->acc.reject);
	sqlite3_bind_double(st, 13, (double)c->ideal_ns / 1e6);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
	sqlite3_finalize(st);
	return rc;
}

static int put_stop(sqlite3 *db, const struct oee_drain *d,
		    const struct oee_stop *s)
{
	const struct oee_machine_cfg *c = &d->cfg[s->machine];
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db, s->closed ?
			"UPDATE oee_stop SET end_ms = ?4 WHERE machine = ?1"
			" AND start_ms = ?3" :
			"INSERT OR IGNORE INTO oee_stop(machine, line,"
			" start_ms, state, auto) VALUES(?1,?2,?3,?5,?6)",
			-1, &st, NULL))
		return -1;
	sqlite3_bind_text(st, 1, c->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, c->line, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, ms(s->start_ns));
	sqlite3_bind_int64(st, 4, ms(s->end_ns));
	sqlite3_bind_text(st, 5, oee_state_name(s->state), -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 6, s->auto_detected);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
	sqlite3_finalize(st);
	return rc;
}

int oee_db_write(void *h, const struct oee_drain *d)
{
	sqlite3 *db = h;
	size_t i;
	int rc = 0;

	if (sqlite3_exec(db, "BEGIN", NULL, NULL, NULL))
		return -1;
	for (i = 0; i < d->ndone; i++)
		rc |= put_period(db, d, &d->done[i]);
	for (i = 0; i < d->ncur; i++)
		rc |= put_period(db, d, &d->cur[i]);
	for (i = 0; i < d->nstops; i++)
		rc |= put_stop(db, d, &d->stops[i]);
	if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL)) {
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		return -1;
	}
	return rc;
}

/* The filters every query shares: ?1 machine ?2 line ?3 from ?4 to. */
static void bind_q(sqlite3_stmt *st, const struct oee_query *q)
{
	if (q->machine)
		sqlite3_bind_text(st, 1, q->machine, -1, SQLITE_STATIC);
	if (q->line)
		sqlite3_bind_text(st, 2, q->line, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, q->from_ms);
	sqlite3_bind_int64(st, 4, q->to_ms);
	sqlite3_bind_int(st, 5, q->limit);
}

#define FILTER " (?1 IS NULL OR machine = ?1) AND (?2 IS NULL OR line = ?2)"

json_t *oee_db_report(void *h, const struct oee_query *q)
{
	const char *key = !strcmp(q->period, "day") ?
		"date(start_ms / 1000, 'unixepoch', 'localtime')" :
		!strcmp(q->period, "week") ?
		"date(start_ms / 1000, 'unixepoch', 'localtime', '-6 days', "
		"'weekday 1')" : "start_ms";
	char sql[1024];
	json_t *a = json_array();
	sqlite3_stmt *st;

	snprintf(sql, sizeof(sql),
		 "SELECT machine, MIN(line), %s AS k, MIN(start_ms),"
		 " MAX(end_ms), SUM(run_ms), SUM(idle_ms), SUM(down_ms),"
		 " SUM(planned_ms), SUM(unknown_ms), SUM(count), SUM(reject),"
		 " SUM(ideal_ms * count), MAX(ideal_ms), MIN(shift)"
		 " FROM oee_shift WHERE" FILTER " AND start_ms < ?4 AND"
		 " end_ms > ?3 GROUP BY machine, k ORDER BY k, machine"
		 " LIMIT ?5", key);
	if (sqlite3_prepare_v2(h, sql, -1, &st, NULL))
		return a;
	bind_q(st, q);
	while (sqlite3_step(st) == SQLITE_ROW) {
		struct oee_acc acc;
		double ideal = sqlite3_column_double(st, 13);
		json_t *f;

		memset(&acc, 0, sizeof(acc));
		acc.ns[OEE_RUNNING] = (uint64_t)sqlite3_column_int64(st, 5) *
				      1000000ULL;
		acc.ns[OEE_IDLE] = (uint64_t)sqlite3_column_int64(st, 6) *
				   1000000ULL;
		acc.ns[OEE_DOWN] = (uint64_t)sqlite3_column_int64(st, 7) *
				   1000000ULL;
		acc.ns[OEE_PLANNED] = (uint64_t)sqlite3_column_int64(st, 8) *
				      1000000ULL;
		acc.ns[OEE_UNKNOWN] = (uint64_t)sqlite3_column_int64(st, 9) *
				      1000000ULL;
		acc.count = (uint64_t)sqlite3_column_int64(st, 10);
		acc.reject = (uint64_t)sqlite3_column_int64(st, 11);
		if (acc.count)	/* the machine's ideal over the period */
			ideal = sqlite3_column_double(st, 12) /
				(double)acc.count;
		f = oee_figures(&acc, (uint64_t)llround(ideal * 1e6), q->red,
				q->green);
		json_object_set_new(f, "machine", json_string(
			(const char *)sqlite3_column_text(st, 0)));
		json_object_set_new(f, "line", json_string(
			(const char *)sqlite3_column_text(st, 1)));
		json_object_set_new(f, "period", json_string(q->period));
		json_object_set_new(f, "start_ms", json_integer(
			sqlite3_column_int64(st, 3)));
		json_object_set_new(f, "end_ms", json_integer(
			sqlite3_column_int64(st, 4)));
		if (!strcmp(q->period, "shift"))
			json_object_set_new(f, "shift", json_string(
				(const char *)sqlite3_column_text(st, 14)));
		else
			json_object_set_new(f, "date", json_string(
				(const char *)sqlite3_column_text(st, 2)));
		json_array_append_new(a, f);
	}
	sqlite3_finalize(st);
	return a;
}

static json_t *stop_json(sqlite3_stmt *st)
{
	json_t *o = json_pack("{s:I, s:s, s:s, s:I, s:s, s:b}",
		"id", (json_int_t)sqlite3_column_int64(st, 0),
		"machine", (const char *)sqlite3_column_text(st, 1),
		"line", sqlite3_column_text(st, 2) ?
			(const char *)sqlite3_column_text(st, 2) : "",
		"start_ms", (json_int_t)sqlite3_column_int64(st, 3),
		"state", (const char *)sqlite3_column_text(st, 5),
		"auto", sqlite3_column_int(st, 6));
	int i;

	json_object_set_new(o, "end_ms", sqlite3_column_type(st, 4) ==
		SQLITE_NULL ? json_null() :
		json_integer(sqlite3_column_int64(st, 4)));
	for (i = 7; i <= 9; i++) {
		const char *k = i == 7 ? "reason" : i == 8 ? "comment" : "who";
		const char *v = (const char *)sqlite3_column_text(st, i);

		json_object_set_new(o, k, v ? json_string(v) : json_null());
	}
	return o;
}

#define STOP_COLS "id, machine, line, start_ms, end_ms, state, auto," \
		  " reason, comment, who"

json_t *oee_db_stops(void *h, const struct oee_query *q)
{
	json_t *a = json_array();
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(h, "SELECT " STOP_COLS " FROM oee_stop WHERE"
			FILTER " AND start_ms < ?4 AND (end_ms IS NULL OR"
			" end_ms > ?3) ORDER BY start_ms DESC LIMIT ?5", -1,
			&st, NULL))
		return a;
	bind_q(st, q);
	while (sqlite3_step(st) == SQLITE_ROW)
		json_array_append_new(a, stop_json(st));
	sqlite3_finalize(st);
	return a;
}

json_t *oee_db_pareto(void *h, const struct oee_query *q, int64_t now_ms)
{
	json_t *a = json_array();
	sqlite3_stmt *st;
	double total = 0, cum = 0;
	size_t i;
	json_t *x;

	if (sqlite3_prepare_v2(h, "SELECT COALESCE(reason, ''),"
			" SUM(MIN(COALESCE(end_ms, ?6), ?4) - MAX(start_ms, ?3))"
			" AS d, COUNT(*) FROM oee_stop WHERE" FILTER
			" AND start_ms < ?4 AND COALESCE(end_ms, ?6) > ?3"
			" GROUP BY 1 ORDER BY d DESC LIMIT ?5", -1, &st, NULL))
		return a;
	bind_q(st, q);
	sqlite3_bind_int64(st, 6, now_ms);
	while (sqlite3_step(st) == SQLITE_ROW) {
		json_array_append_new(a, json_pack("{s:s, s:I, s:I}",
			"reason", (const char *)sqlite3_column_text(st, 0),
			"down_ms", (json_int_t)sqlite3_column_int64(st, 1),
			"stops", (json_int_t)sqlite3_column_int64(st, 2)));
		total += (double)sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	/* the Pareto line: each reason's share, and the running total */
	json_array_foreach(a, i, x) {
		double d = (double)json_integer_value(json_object_get(x,
							"down_ms"));

		cum += d;
		json_object_set_new(x, "share", json_real(total > 0 ?
			round(d / total * 10000) / 10000 : 0));
		json_object_set_new(x, "cumulative", json_real(total > 0 ?
			round(cum / total * 10000) / 10000 : 0));
	}
	return a;
}

int oee_db_set_reason(void *h, int64_t id, const char *code,
		      const char *comment, const char *who, int64_t now_ms,
		      json_t **row)
{
	sqlite3_stmt *st;
	int rc;

	*row = NULL;
	if (sqlite3_prepare_v2(h, "UPDATE oee_stop SET reason = ?, comment = ?,"
			       " who = ?, set_ms = ? WHERE id = ?", -1, &st,
			       NULL))
		return -1;
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, comment, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, who, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, now_ms);
	sqlite3_bind_int64(st, 5, id);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
	sqlite3_finalize(st);
	if (rc)
		return -1;
	if (!sqlite3_changes(h))
		return 1;
	if (!sqlite3_prepare_v2(h, "SELECT " STOP_COLS " FROM oee_stop WHERE"
				" id = ?", -1, &st, NULL)) {
		sqlite3_bind_int64(st, 1, id);
		if (sqlite3_step(st) == SQLITE_ROW)
			*row = stop_json(st);
		sqlite3_finalize(st);
	}
	return 0;
}
