/*
 * Reports (daemon/analytics/report.c): what falls due (a shift report
 * per line for each shift that ended, a daily report per line after
 * midnight, once), shifts ending on a second, storing, listing, pruning
 * in a real SQLite file, and the printable page escaping what it shows.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>
#include <sqlite3.h>

#include "analytics/oee.h"
#include "analytics/oee_db.h"
#include "analytics/report.h"
#include "core/conf.h"

#define S 1000000000ULL
#define T0 1767225600000LL	/* 2026-01-01 00:00 UTC, in ms */

static uint32_t sig(void *arg, const char *name)
{
	(void)arg;
	return !strcmp(name, "cnt") ? 2 : 0;
}

static struct oee *load(const char *text, char *err, size_t errlen)
{
	struct oee *o = calloc(1, sizeof(*o));
	struct conf *c = conf_parse(text, strlen(text), "oee", err, errlen);

	assert_non_null(c);
	if (oee_parse(o, c, sig, NULL, err, errlen)) {
		free(o);
		o = NULL;
	}
	conf_free(c);
	return o;
}

/* a shift may end on a second: the one a short test shift needs */
static void shift_seconds(void **st)
{
	char err[256];
	struct oee *o = load("[shift.a]\nstart = 00:00\nend = 00:00:20\n"
			     "[shift.b]\nstart = 00:00:20\nend = 00:00\n"
			     "[machine.m]\ncount = cnt\nideal_cycle = 1s\n",
			     err, sizeof(err));
	uint64_t t0 = (uint64_t)T0 * 1000000ULL, s, e;

	(void)st;
	assert_non_null(o);
	assert_int_equal(oee_shift_at(o, t0 + 19 * S, &s, &e), 0);
	assert_int_equal(e, t0 + 20 * S);
	assert_int_equal(oee_shift_at(o, t0 + 20 * S, &s, &e), 1);
	assert_int_equal(s, t0 + 20 * S);
	assert_int_equal(e, t0 + 86400 * S);
	oee_sample(o, 2, t0 + 10 * S, 1);
	oee_sample(o, 2, t0 + 21 * S, 2);
	assert_int_equal(o->ndone, 1);
	assert_int_equal(o->done[0].end_ns, t0 + 20 * S);
	free(o);
	assert_null(load("[shift.a]\nstart = 00:00:60\nend = 01:00\n", err,
			 sizeof(err)));
	assert_string_equal(err, "oee:2: shift.a.start: '00:00:60' is not "
			    "HH:MM");
	assert_null(load("[shift.a]\nstart = 00:00x\nend = 01:00\n", err,
			 sizeof(err)));
	assert_null(load("[shift.a]\nstart = 00:00:1:\nend = 01:00\n", err,
			 sizeof(err)));
}

static void drain_of(struct oee_drain *d)
{
	memset(d, 0, sizeof(*d));
	d->n = 3;
	strcpy(d->cfg[0].line, "l1");
	strcpy(d->cfg[1].line, "l1");
	strcpy(d->cfg[2].line, "l2");
	strcpy(d->shifts[0].name, "early");
}

static void due(void **st)
{
	static struct oee_drain d;
	struct report_job j[8];
	int64_t day = 0;
	size_t i;

	(void)st;
	drain_of(&d);
	/* the first tick only learns the day */
	assert_int_equal(report_due(&d, T0 + 3600000, &day, j, 8), 0);
	assert_int_equal(day, T0);
	/* a shift ends on two machines of l1 and one of l2: one per line */
	for (i = 0; i < 3; i++) {
		d.done[i].machine = (uint16_t)i;
		d.done[i].shift = 0;
		d.done[i].start_ns = (uint64_t)(T0 + 6 * 3600000) * 1000000;
		d.done[i].end_ns = (uint64_t)(T0 + 14 * 3600000) * 1000000;
	}
	d.ndone = 3;
	assert_int_equal(report_due(&d, T0 + 14 * 3600000, &day, j, 8), 2);
	assert_string_equal(j[0].kind, "shift");
	assert_string_equal(j[0].line, "l1");
	assert_string_equal(j[0].label, "early");
	assert_int_equal(j[0].from_ms, T0 + 6 * 3600000);
	assert_int_equal(j[0].to_ms, T0 + 14 * 3600000);
	assert_string_equal(j[1].line, "l2");
	/* the same day: nothing more */
	d.ndone = 0;
	assert_int_equal(report_due(&d, T0 + 86399000, &day, j, 8), 0);
	/* past midnight: the day before, per line, once */
	assert_int_equal(report_due(&d, T0 + 86401000, &day, j, 8), 2);
	assert_string_equal(j[0].kind, "day");
	assert_string_equal(j[0].label, "2026-01-01");
	assert_int_equal(j[0].from_ms, T0);
	assert_int_equal(j[0].to_ms, T0 + 86400000);
	assert_string_equal(j[1].line, "l2");
	assert_int_equal(report_due(&d, T0 + 86402000, &day, j, 8), 0);
	/* never more than asked for */
	d.ndone = 3;
	assert_int_equal(report_due(&d, T0 + 86403000, &day, j, 1), 1);
}

static sqlite3 *report_db(char *path)
{
	sqlite3 *db;
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, oee_db_schema, NULL, NULL, NULL), 0);
	assert_int_equal(sqlite3_exec(db, report_db_schema, NULL, NULL, NULL),
			 0);
	return db;
}

static void store_list_prune(void **st)
{
	char path[] = "/tmp/iiot-report-XXXXXX";
	struct report_job j = { "shift", "early", "l1", T0, T0 + 1000 };
	sqlite3 *db = report_db(path);
	json_t *r, *l;
	int64_t a, b;

	(void)st;
	r = report_build(db, &j, 65, 85, T0 + 2000);
	assert_non_null(r);
	assert_int_equal(json_array_size(json_object_get(r, "oee")), 0);
	a = report_store(db, r, "schedule", T0 + 2000);
	assert_true(a > 0);
	json_decref(r);
	strcpy(j.kind, "day");
	r = report_build(db, &j, 65, 85, T0 + 3000);
	b = report_store(db, r, "demand", T0 + 3000);
	json_decref(r);
	l = report_list(db, NULL, NULL, 10);
	assert_int_equal(json_array_size(l), 2);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(l,
		0), "id")), b);
	json_decref(l);
	l = report_list(db, "shift", "l1", 10);
	assert_int_equal(json_array_size(l), 1);
	json_decref(l);
	r = report_get(db, a);
	assert_string_equal(json_string_value(json_object_get(r, "how")),
			    "schedule");
	assert_string_equal(json_string_value(json_object_get(r, "label")),
			    "early");
	json_decref(r);
	assert_null(report_get(db, 999));
	/* kept for a time: made before the limit, gone */
	assert_int_equal(report_prune(db, T0 + 2500), 1);
	assert_null(report_get(db, a));
	assert_non_null(r = report_get(db, b));
	json_decref(r);
	sqlite3_close(db);
	unlink(path);
}

static void put(sqlite3 *db, const struct report_job *j, const char *how,
		int64_t made)
{
	json_t *r = report_build(db, j, 65, 85, made);

	assert_true(report_store(db, r, how, made) > 0);
	json_decref(r);
}

/*
 * The gap: reports due while iiotd was down were never made.  Stopped
 * after the schedule's last report (Jan 1 15:00), started on Jan 3 07:00:
 * the shifts and days of each line that ended between, oldest first,
 * except those the store has; the newest when capped; once.
 */
static void reports_missed_while_down(void **st)
{
	char path[] = "/tmp/iiot-report-XXXXXX";
	struct report_job j = { "shift", "early", "l1", T0 + 6 * 3600000,
				T0 + 14 * 3600000 };
	struct report_job day1 = { "day", "2026-01-01", "l1", T0,
				   T0 + 86400000 };
	static struct oee_drain d;
	struct report_job v[16];
	int64_t h = 3600000, now = T0 + 55 * 3600000;
	sqlite3 *db = report_db(path);
	size_t i, n;

	(void)st;
	drain_of(&d);
	d.shifts[0].start_s = 6 * 3600;
	d.shifts[0].end_s = 14 * 3600;
	strcpy(d.shifts[1].name, "night");
	d.shifts[1].start_s = 22 * 3600;
	d.shifts[1].end_s = 6 * 3600;
	/* a first start (nothing made yet) misses nothing */
	assert_int_equal(report_last_made(db), 0);
	assert_int_equal(report_missed(db, &d, report_last_made(db), now, v,
				       16), 0);
	put(db, &j, "schedule", T0 + 15 * h);
	put(db, &day1, "demand", T0 + 10 * h);	/* made by hand: not again */
	assert_int_equal(report_last_made(db), T0 + 15 * h);
	n = report_missed(db, &d, T0 + 15 * h, now, v, 16);
	assert_int_equal(n, 9);
	assert_string_equal(v[0].kind, "day");
	assert_string_equal(v[0].line, "l2");
	assert_string_equal(v[0].label, "2026-01-01");
	assert_int_equal(v[0].from_ms, T0);
	assert_int_equal(v[0].to_ms, T0 + 24 * h);
	assert_string_equal(v[1].label, "night");
	assert_string_equal(v[1].line, "l1");
	assert_int_equal(v[1].from_ms, T0 + 22 * h);
	assert_int_equal(v[1].to_ms, T0 + 30 * h);
	assert_string_equal(v[3].label, "early");
	assert_int_equal(v[3].to_ms, T0 + 38 * h);
	assert_string_equal(v[5].label, "2026-01-02");
	assert_string_equal(v[8].label, "night");
	assert_string_equal(v[8].line, "l2");
	assert_int_equal(v[8].to_ms, T0 + 54 * h);
	for (i = 1; i < n; i++)
		assert_true(v[i - 1].to_ms <= v[i].to_ms);
	/* capped: the newest, still oldest first */
	assert_int_equal(report_missed(db, &d, T0 + 15 * h, now, v, 3), 3);
	assert_int_equal(v[0].to_ms, T0 + 48 * h);
	assert_string_equal(v[0].line, "l2");
	assert_int_equal(v[2].to_ms, T0 + 54 * h);
	/* made (late): a second start finds nothing more */
	n = report_missed(db, &d, T0 + 15 * h, now, v, 16);
	for (i = 0; i < n; i++)
		put(db, &v[i], "late", now);
	assert_int_equal(report_last_made(db), now);
	assert_int_equal(report_missed(db, &d, T0 + 15 * h, now, v, 16), 0);
	assert_int_equal(report_missed(db, &d, now, now + h, v, 16), 0);
	/* down for a month: the last REPORT_MISSED_DAYS days only */
	n = report_missed(db, &d, now, now + 30 * 24 * h, v, 16);
	assert_int_equal(n, 16);
	assert_true(v[0].to_ms > now + (30 - REPORT_MISSED_DAYS) * 24 * h);
	sqlite3_close(db);
	unlink(path);
}

/* r's printable page in lang (freed by the caller) */
static char *page_of(const json_t *r, const char *lang)
{
	char *page = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&page, &len);

	assert_non_null(f);
	report_html(f, r, lang);
	fclose(f);
	return page;
}

static void html_escapes(void **st)
{
	json_t *r = json_pack("{s:s, s:I, s:I, s:[{s:s, s:s, s:s, s:I}],"
			      " s:[{s:s, s:I, s:I, s:f}], s:{s:I, s:[{s:s,"
			      " s:s, s:I, s:I, s:I}]}}",
		"title", "Shift <report>", "from_ms", (json_int_t)T0,
		"to_ms", (json_int_t)T0 + 1000,
		"oee", "machine", "m<1>", "line", "l&1", "date", "2026-01-01",
		"count", (json_int_t)5,
		"pareto", "reason", "\"JAM\"", "down_ms", (json_int_t)60000,
		"stops", (json_int_t)1, "cumulative", 1.0,
		"alerts", "total", (json_int_t)1, "top", "rule",
		"signal.<x>", "severity", "warning", "alerts", (json_int_t)1,
		"count", (json_int_t)3, "devices", (json_int_t)1);
	char *page = page_of(r, "en");

	(void)st;
	assert_non_null(strstr(page, "<h1>Shift &lt;report&gt;</h1>"));
	assert_non_null(strstr(page, "<td>m&lt;1&gt;</td><td>l&amp;1</td>"
			       "<td>2026-01-01</td>"));
	assert_non_null(strstr(page, "<td>&quot;JAM&quot;</td>"));
	assert_non_null(strstr(page, "<td>signal.&lt;x&gt;</td>"));
	assert_non_null(strstr(page, "2026-01-01 00:00:00 &ndash; "
			       "2026-01-01 00:00:01"));
	assert_null(strstr(page, "report-links"));	/* not in r */
	assert_null(strstr(page, "<script"));
	free(page);
	json_decref(r);
}

/* The gap: the printable page was in English only. */
static void html_zh_cn(void **st)
{
	json_t *r = json_pack("{s:s, s:s, s:s, s:s, s:I, s:I, s:[], s:[],"
			      " s:{s:I, s:[]}, s:{s:{s:{s:I, s:I, s:I}},"
			      " s:[]}}",
		"title", "Daily report: l<1>", "kind", "day", "line", "l<1>",
		"label", "2026-01-01", "from_ms", (json_int_t)T0, "to_ms",
		(json_int_t)T0 + 86400000, "oee", "pareto", "alerts", "total",
		(json_int_t)0, "top", "links", "summary", "links", "good",
		(json_int_t)2, "check", (json_int_t)1, "fault", (json_int_t)0,
		"worst");
	char *page = page_of(r, "zh-CN");

	(void)st;
	assert_non_null(strstr(page, "<html lang=\"zh-CN\">"));
	assert_non_null(strstr(page, "<h1>日报：l&lt;1&gt;，2026-01-01</h1>"));
	assert_non_null(strstr(page, "<h2>停机帕累托</h2>"));
	assert_non_null(strstr(page, "<h2>主要告警</h2>"));
	assert_non_null(strstr(page, "<h2>链路健康</h2>"));
	assert_non_null(strstr(page, "<th>设备</th><th>产线</th>"));
	assert_non_null(strstr(page, "良好 2，待检查 1，故障 0"));
	assert_null(strstr(page, "Downtime"));
	assert_null(strstr(page, "Daily report"));
	free(page);
	/* any other language: English */
	page = page_of(r, "fr");
	assert_non_null(strstr(page, "<h1>Daily report: l&lt;1&gt;</h1>"));
	assert_non_null(strstr(page, "<h2>Downtime Pareto</h2>"));
	free(page);
	json_decref(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(shift_seconds),
		cmocka_unit_test(due),
		cmocka_unit_test(store_list_prune),
		cmocka_unit_test(reports_missed_while_down),
		cmocka_unit_test(html_escapes),
		cmocka_unit_test(html_zh_cn),
	};

	setenv("TZ", "UTC", 1);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
