/*
 * The anomaly band's history in analytics.db (band_db.h).  A row is
 * written when a signal's band moved by more than BAND_MOVE of its width
 * (at most every BAND_MIN_MS) and at least every BAND_KEEP_MS while the
 * profile judges, so a stable signal costs 96 rows a day and a chart can
 * draw the band in force at any time as a step: each row holds until the
 * next.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>
#include <sqlite3.h>

#include "analytics/analytics_int.h"
#include "analytics/band_db.h"
#include "core/log.h"

const char band_db_schema[] =
	"CREATE TABLE IF NOT EXISTS anomaly_band("
	" signal TEXT NOT NULL, t_ms INTEGER NOT NULL, mean REAL, lo REAL,"
	" hi REAL, PRIMARY KEY(signal, t_ms)) WITHOUT ROWID;";

static bool moved(const struct an_sig *s, double lo, double hi)
{
	double w = s->band_hi - s->band_lo;

	if (w <= 0)
		return lo != s->band_lo || hi != s->band_hi;
	return fabs(lo - s->band_lo) > BAND_MOVE * w ||
	       fabs(hi - s->band_hi) > BAND_MOVE * w;
}

size_t analytics_band_drain(struct analytics *an, struct band_row *rows,
			    size_t max, int64_t now_ms)
{
	size_t n = 0;
	uint32_t i;

	pthread_mutex_lock(&an->mu);
	for (i = 1; i < an->nsigs && n < max; i++) {
		struct an_sig *s = &an->sigs[i];
		const struct anomaly *a = &s->an;
		double sd, lo, hi;
		int64_t age = now_ms - s->band_ms;

		if (!s->name[0] || !an->set.anomaly_on ||
		    (i < an->set.nsigs && !an->set.anom[i]) ||
		    a->n < an->set.aopts.warmup)
			continue;
		sd = a->var > 0 ? sqrt(a->var) : 0;
		lo = a->mean - an->set.aopts.z_lim * sd;
		hi = a->mean + an->set.aopts.z_lim * sd;
		if (s->band_ms && age < BAND_KEEP_MS &&
		    (age < BAND_MIN_MS || !moved(s, lo, hi)))
			continue;
		snprintf(rows[n].signal, sizeof(rows[n].signal), "%s", s->name);
		rows[n].t_ms = now_ms;
		rows[n].mean = a->mean;
		rows[n].lo = lo;
		rows[n].hi = hi;
		n++;
		s->band_ms = now_ms;
		s->band_lo = lo;
		s->band_hi = hi;
	}
	pthread_mutex_unlock(&an->mu);
	return n;
}

int band_db_write(void *h, const struct band_row *rows, size_t n,
		  int64_t now_ms, int64_t keep_ms)
{
	static int64_t pruned_ms;
	sqlite3 *db = h;
	sqlite3_stmt *st = NULL;
	size_t i;
	int rc = 0;

	if (!n && (!keep_ms || now_ms - pruned_ms < 3600000))
		return 0;
	if (sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		return -1;
	if (n && sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO anomaly_band"
				    "(signal, t_ms, mean, lo, hi) VALUES"
				    "(?, ?, ?, ?, ?)", -1, &st, NULL) !=
	    SQLITE_OK)
		rc = -1;
	for (i = 0; !rc && i < n; i++) {
		sqlite3_bind_text(st, 1, rows[i].signal, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, rows[i].t_ms);
		sqlite3_bind_double(st, 3, rows[i].mean);
		sqlite3_bind_double(st, 4, rows[i].lo);
		sqlite3_bind_double(st, 5, rows[i].hi);
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = -1;
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	/* once an hour: what is older than kept */
	if (!rc && keep_ms && now_ms - pruned_ms >= 3600000) {
		sqlite3_stmt *del;

		pruned_ms = now_ms;
		if (sqlite3_prepare_v2(db, "DELETE FROM anomaly_band WHERE "
				       "t_ms < ?", -1, &del, NULL) ==
		    SQLITE_OK) {
			sqlite3_bind_int64(del, 1, now_ms - keep_ms);
			if (sqlite3_step(del) != SQLITE_DONE)
				rc = -1;
			sqlite3_finalize(del);
		} else {
			rc = -1;
		}
	}
	sqlite3_exec(db, rc ? "ROLLBACK" : "COMMIT", NULL, NULL, NULL);
	return rc;
}

json_t *band_db_query(void *h, const char *signal, int64_t from_ms,
		      int64_t to_ms)
{
	sqlite3 *db = h;
	sqlite3_stmt *st;
	json_t *a = json_array();

	/* the row in force at from_ms, then those within the range */
	if (sqlite3_prepare_v2(db, "SELECT * FROM (SELECT t_ms, lo, hi, mean "
			       "FROM anomaly_band WHERE signal = ?1 AND "
			       "t_ms < ?2 ORDER BY t_ms DESC LIMIT 1) UNION ALL "
			       "SELECT * FROM (SELECT t_ms, lo, hi, mean FROM "
			       "anomaly_band WHERE signal = ?1 AND t_ms >= ?2 "
			       "AND t_ms <= ?3 ORDER BY t_ms LIMIT ?4) "
			       "ORDER BY 1", -1, &st, NULL) != SQLITE_OK) {
		json_decref(a);
		return NULL;
	}
	sqlite3_bind_text(st, 1, signal, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, from_ms);
	sqlite3_bind_int64(st, 3, to_ms);
	sqlite3_bind_int(st, 4, BAND_QUERY_MAX);
	while (sqlite3_step(st) == SQLITE_ROW)
		json_array_append_new(a, json_pack("[I, f, f, f]",
			(json_int_t)sqlite3_column_int64(st, 0),
			sqlite3_column_double(st, 1),
			sqlite3_column_double(st, 2),
			sqlite3_column_double(st, 3)));
	sqlite3_finalize(st);
	return a;
}
