/* Reports in analytics.db: what falls due, building, storing, listing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <sqlite3.h>

#include "analytics/oee_db.h"
#include "analytics/report.h"

/* step 3 of analytics.db's schema (ruledb.c) */
const char report_db_schema[] =
	"CREATE TABLE IF NOT EXISTS report("
	" id INTEGER PRIMARY KEY, kind TEXT NOT NULL, line TEXT NOT NULL,"
	" label TEXT, from_ms INTEGER, to_ms INTEGER, made_ms INTEGER,"
	" how TEXT, body TEXT NOT NULL, UNIQUE(kind, line, from_ms, to_ms));"
	"CREATE INDEX IF NOT EXISTS report_made ON report(made_ms);";

/* local midnight of the day of t_ms, days later, plus_s seconds on */
static int64_t day_at(int64_t t_ms, int days, unsigned int plus_s)
{
	time_t t = (time_t)(t_ms / 1000);
	struct tm tm;

	localtime_r(&t, &tm);
	tm.tm_hour = tm.tm_min = 0;
	tm.tm_sec = (int)plus_s;
	tm.tm_mday += days;
	tm.tm_isdst = -1;
	return (int64_t)mktime(&tm) * 1000;
}

int64_t report_midnight(int64_t t_ms, int days)
{
	return day_at(t_ms, days, 0);
}

static size_t add_job(struct report_job *out, size_t n, size_t max,
		      const struct report_job *j)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(out[i].kind, j->kind) &&
		    !strcmp(out[i].line, j->line) &&
		    out[i].from_ms == j->from_ms)
			return n;
	if (n == max)
		return n;
	out[n] = *j;
	return n + 1;
}

size_t report_due(const struct oee_drain *d, int64_t now_ms, int64_t *day_ms,
		  struct report_job *out, size_t max)
{
	int64_t today = report_midnight(now_ms, 0);
	struct report_job j;
	size_t i, n = 0;

	for (i = 0; i < d->ndone; i++) {
		const struct oee_period *p = &d->done[i];

		memset(&j, 0, sizeof(j));
		snprintf(j.kind, sizeof(j.kind), "shift");
		snprintf(j.label, sizeof(j.label), "%s", p->shift >= 0 ?
			 d->shifts[p->shift].name : "");
		snprintf(j.line, sizeof(j.line), "%s",
			 d->cfg[p->machine].line);
		j.from_ms = (int64_t)(p->start_ns / 1000000ULL);
		j.to_ms = (int64_t)(p->end_ns / 1000000ULL);
		n = add_job(out, n, max, &j);
	}
	if (*day_ms && *day_ms != today) {
		time_t t = (time_t)(*day_ms / 1000);
		struct tm tm;

		localtime_r(&t, &tm);
		for (i = 0; i < d->n; i++) {
			memset(&j, 0, sizeof(j));
			snprintf(j.kind, sizeof(j.kind), "day");
			strftime(j.label, sizeof(j.label), "%Y-%m-%d", &tm);
			snprintf(j.line, sizeof(j.line), "%s", d->cfg[i].line);
			j.from_ms = *day_ms;
			j.to_ms = today;
			n = add_job(out, n, max, &j);
		}
	}
	*day_ms = today;
	return n;
}

int64_t report_last_made(void *h)
{
	sqlite3_stmt *st;
	int64_t t = 0;

	if (sqlite3_prepare_v2(h, "SELECT MAX(made_ms) FROM report WHERE"
			" how != 'demand'", -1, &st, NULL))
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		t = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return t;
}

/* 1 when the store has j's period already, 0 not, -1 on error */
static int report_has(void *h, const struct report_job *j)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(h, "SELECT 1 FROM report WHERE kind = ? AND"
			" line = ? AND from_ms = ? AND to_ms = ?", -1, &st,
			NULL))
		return -1;
	sqlite3_bind_text(st, 1, j->kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, j->line, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, j->from_ms);
	sqlite3_bind_int64(st, 4, j->to_ms);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

/* j (ending in (since, now], not in the store) appended to v */
static void missed_add(void *h, const struct report_job *j, int64_t since,
		       int64_t now, struct report_job *v, size_t *n,
		       size_t cap)
{
	size_t i;

	if (j->to_ms <= since || j->to_ms > now || *n == cap ||
	    report_has(h, j) != 0)
		return;
	for (i = 0; i < *n; i++)
		if (!strcmp(v[i].kind, j->kind) &&
		    !strcmp(v[i].line, j->line) && v[i].from_ms == j->from_ms)
			return;
	v[(*n)++] = *j;
}

/* the periods of one local day (days after since's) for line */
static void missed_day(void *h, const struct oee_drain *d, const char *line,
		       int days, int64_t since, int64_t now,
		       struct report_job *v, size_t *n, size_t cap)
{
	struct report_job j;
	time_t t;
	struct tm tm;
	size_t i;

	for (i = 0; i < OEE_MAX_SHIFTS; i++) {
		const struct oee_shift *s = &d->shifts[i];
		uint32_t len = (s->end_s + 86400 - s->start_s) % 86400;

		if (!s->name[0])
			continue;
		memset(&j, 0, sizeof(j));
		snprintf(j.kind, sizeof(j.kind), "shift");
		snprintf(j.label, sizeof(j.label), "%s", s->name);
		snprintf(j.line, sizeof(j.line), "%s", line);
		j.from_ms = day_at(since, days, s->start_s);
		j.to_ms = day_at(since, days, s->start_s + (len ? len : 86400));
		missed_add(h, &j, since, now, v, n, cap);
	}
	memset(&j, 0, sizeof(j));
	snprintf(j.kind, sizeof(j.kind), "day");
	snprintf(j.line, sizeof(j.line), "%s", line);
	j.from_ms = day_at(since, days, 0);
	j.to_ms = day_at(since, days + 1, 0);
	t = (time_t)(j.from_ms / 1000);
	localtime_r(&t, &tm);
	strftime(j.label, sizeof(j.label), "%Y-%m-%d", &tm);
	missed_add(h, &j, since, now, v, n, cap);
}

static int by_end(const void *a, const void *b)
{
	const struct report_job *x = a, *y = b;

	return x->to_ms < y->to_ms ? -1 : x->to_ms > y->to_ms ? 1 :
	       strcmp(x->line, y->line);
}

size_t report_missed(void *h, const struct oee_drain *d, int64_t since_ms,
		     int64_t now_ms, struct report_job *out, size_t max)
{
	size_t cap = (size_t)(REPORT_MISSED_DAYS + 3) * (OEE_MAX_SHIFTS + 1) *
		     OEE_MAX_MACHINES, n = 0, i, k;
	struct report_job *v;
	int days;

	if (since_ms <= 0 || since_ms >= now_ms || !max)
		return 0;
	if (since_ms < now_ms - REPORT_MISSED_DAYS * 86400000LL)
		since_ms = now_ms - REPORT_MISSED_DAYS * 86400000LL;
	v = calloc(cap, sizeof(*v));
	if (!v)
		return 0;
	/* a shift of the day before since may end after it */
	for (days = -1; days <= REPORT_MISSED_DAYS + 1; days++)
		for (i = 0; i < d->n; i++) {
			for (k = 0; k < i; k++)
				if (!strcmp(d->cfg[k].line, d->cfg[i].line))
					break;
			if (k == i)
				missed_day(h, d, d->cfg[i].line, days,
					   since_ms, now_ms, v, &n, cap);
		}
	qsort(v, n, sizeof(*v), by_end);
	/* the newest max of them, oldest first */
	k = n > max ? n - max : 0;
	memcpy(out, v + k, (n - k) * sizeof(*v));
	free(v);
	return n - k;
}

json_t *report_build(void *h, const struct report_job *j, double red,
		     double green, int64_t now_ms)
{
	struct oee_query q = {
		.machine = NULL, .line = j->line[0] ? j->line : NULL,
		.from_ms = j->from_ms, .to_ms = j->to_ms, .period = j->kind,
		.limit = 1000, .red = red, .green = green,
	};
	json_t *rows = oee_db_report(h, &q), *pareto;

	q.limit = 10;
	pareto = oee_db_pareto(h, &q, now_ms);
	return json_pack("{s:s, s:s, s:s, s:I, s:I, s:o, s:o}", "kind",
			 j->kind, "label", j->label, "line", j->line,
			 "from_ms", (json_int_t)j->from_ms, "to_ms",
			 (json_int_t)j->to_ms, "oee", rows, "pareto", pareto);
}

static const char *str(const json_t *r, const char *k)
{
	const char *s = json_string_value(json_object_get(r, k));

	return s ? s : "";
}

int64_t report_store(void *h, json_t *r, const char *how, int64_t now_ms)
{
	sqlite3_stmt *st;
	char *body;
	int64_t id = -1;

	json_object_set_new(r, "made_ms", json_integer(now_ms));
	json_object_set_new(r, "how", json_string(how));
	json_object_del(r, "id");
	body = json_dumps(r, JSON_COMPACT);
	if (!body || sqlite3_prepare_v2(h, "INSERT OR REPLACE INTO report(kind,"
			" line, label, from_ms, to_ms, made_ms, how, body)"
			" VALUES(?,?,?,?,?,?,?,?)", -1, &st, NULL)) {
		free(body);
		return -1;
	}
	sqlite3_bind_text(st, 1, str(r, "kind"), -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, str(r, "line"), -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, str(r, "label"), -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 4, json_integer_value(json_object_get(r,
								"from_ms")));
	sqlite3_bind_int64(st, 5, json_integer_value(json_object_get(r,
								"to_ms")));
	sqlite3_bind_int64(st, 6, now_ms);
	sqlite3_bind_text(st, 7, how, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, body, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_DONE)
		id = sqlite3_last_insert_rowid(h);
	sqlite3_finalize(st);
	free(body);
	if (id > 0)
		json_object_set_new(r, "id", json_integer(id));
	return id;
}

json_t *report_list(void *h, const char *kind, const char *line, int limit)
{
	json_t *a = json_array();
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(h, "SELECT id, kind, line, label, from_ms,"
			" to_ms, made_ms, how FROM report WHERE (?1 IS NULL"
			" OR kind = ?1) AND (?2 IS NULL OR line = ?2)"
			" ORDER BY made_ms DESC, id DESC LIMIT ?3", -1, &st,
			NULL))
		return a;
	if (kind)
		sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
	if (line)
		sqlite3_bind_text(st, 2, line, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, limit);
	while (sqlite3_step(st) == SQLITE_ROW)
		json_array_append_new(a, json_pack("{s:I, s:s, s:s, s:s, s:I,"
			" s:I, s:I, s:s}",
			"id", (json_int_t)sqlite3_column_int64(st, 0),
			"kind", (const char *)sqlite3_column_text(st, 1),
			"line", (const char *)sqlite3_column_text(st, 2),
			"label", sqlite3_column_text(st, 3) ?
				(const char *)sqlite3_column_text(st, 3) : "",
			"from_ms", (json_int_t)sqlite3_column_int64(st, 4),
			"to_ms", (json_int_t)sqlite3_column_int64(st, 5),
			"made_ms", (json_int_t)sqlite3_column_int64(st, 6),
			"how", (const char *)sqlite3_column_text(st, 7)));
	sqlite3_finalize(st);
	return a;
}

json_t *report_get(void *h, int64_t id)
{
	sqlite3_stmt *st;
	json_t *r = NULL;

	if (sqlite3_prepare_v2(h, "SELECT body FROM report WHERE id = ?", -1,
			       &st, NULL))
		return NULL;
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) == SQLITE_ROW)
		r = json_loads((const char *)sqlite3_column_text(st, 0), 0,
			       NULL);
	sqlite3_finalize(st);
	if (r)
		json_object_set_new(r, "id", json_integer(id));
	return r;
}

int report_prune(void *h, int64_t before_ms)
{
	sqlite3_stmt *st;
	int rc = -1;

	if (sqlite3_prepare_v2(h, "DELETE FROM report WHERE made_ms < ?", -1,
			       &st, NULL))
		return -1;
	sqlite3_bind_int64(st, 1, before_ms);
	if (sqlite3_step(st) == SQLITE_DONE)
		rc = sqlite3_changes(h);
	sqlite3_finalize(st);
	return rc;
}
