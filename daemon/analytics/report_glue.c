/*
 * Reports in iiotd: the OEE part from analytics.db (report.c), the top
 * alerts of the period from the alert model's table, link health now from
 * the newest capture snapshot (diag/health.h); made on the analytics tick
 * when due and on demand (API, iiotctl), kept [analytics] report_keep.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "alerts/alertsys.h"
#include "alerts/alerts_db.h"
#include "analytics/analytics.h"
#include "analytics/report.h"
#include "auth/auth.h"
#include "capture/capture.h"
#include "core/iiotd.h"
#include "core/log.h"
#include "diag/health.h"

#define TOP_ALERTS	10
#define WORST_LINKS	10
#define ALERTS_READ	5000	/* alerts of a period looked at */

static int64_t keep_ms = 90LL * 86400000;
static int64_t day_ms;		/* the local midnight the last tick saw */
static size_t catchup_max = 100;	/* [analytics] report_catchup */
static int caught_up;		/* the first tick made the missed ones */

void reports_keep(int64_t ms)
{
	keep_ms = ms;
}

void reports_catchup(size_t n)
{
	catchup_max = n;
}

static int sev_rank(const char *s)
{
	return !strcmp(s, "critical") ? 3 : !strcmp(s, "warning") ? 2 : 1;
}

/* One row per rule: its alerts, occurrences, devices, highest severity. */
static void count_alert(json_t *by, json_t *a, json_t *devs)
{
	const char *rule = json_string_value(json_object_get(a, "rule"));
	const char *sev = json_string_value(json_object_get(a, "severity"));
	json_t *r, *dv = json_object_get(a, "device_id");
	char key[32];

	if (!rule || !sev)
		return;
	r = json_object_get(by, rule);
	if (!r) {
		r = json_pack("{s:s, s:s, s:i, s:I, s:i}", "rule", rule,
			      "severity", sev, "alerts", 0, "count",
			      (json_int_t)0, "devices", 0);
		json_object_set_new(by, rule, r);
	}
	json_object_set_new(r, "alerts", json_integer(json_integer_value(
		json_object_get(r, "alerts")) + 1));
	json_object_set_new(r, "count", json_integer(json_integer_value(
		json_object_get(r, "count")) +
		json_integer_value(json_object_get(a, "count"))));
	if (sev_rank(sev) > sev_rank(json_string_value(json_object_get(r,
							"severity"))))
		json_object_set_new(r, "severity", json_string(sev));
	/* devices per rule: a set keyed "rule/device" */
	snprintf(key, sizeof(key), "%.20s/%lld", rule,
		 (long long)json_integer_value(dv));
	if (!json_object_get(devs, key)) {
		json_object_set_new(devs, key, json_true());
		json_object_set_new(r, "devices", json_integer(
			json_integer_value(json_object_get(r, "devices")) + 1));
	}
}

static int by_alerts(const void *a, const void *b)
{
	json_int_t x = json_integer_value(json_object_get(*(json_t *const *)a,
							  "alerts"));
	json_int_t y = json_integer_value(json_object_get(*(json_t *const *)b,
							  "alerts"));

	return x < y ? 1 : x > y ? -1 : 0;
}

/* {"total": alerts in [from, to], "top": rules with the most} */
static json_t *top_alerts(struct iiotd *d, int64_t from_ms, int64_t to_ms)
{
	struct alerts_query q = {
		.state = -1, .since_ns = (uint64_t)from_ms * 1000000ULL,
		.until_ns = (uint64_t)to_ms * 1000000ULL, .limit = ALERTS_READ,
	};
	json_t *list = alertsys_list(d, &q), *by = json_object(),
	       *devs = json_object(), *top = json_array(), *a, *r;
	json_t *sorted[256];
	const char *k;
	size_t i, n = 0;

	json_array_foreach(list, i, a)
		count_alert(by, a, devs);
	json_object_foreach(by, k, r)
		if (n < sizeof(sorted) / sizeof(sorted[0]))
			sorted[n++] = r;
	qsort(sorted, n, sizeof(sorted[0]), by_alerts);
	for (i = 0; i < n && i < TOP_ALERTS; i++)
		json_array_append(top, sorted[i]);
	r = json_pack("{s:I, s:o}", "total",
		      (json_int_t)json_array_size(list), "top", top);
	json_decref(list);
	json_decref(by);
	json_decref(devs);
	return r;
}

static int by_score(const void *a, const void *b)
{
	json_int_t x = json_integer_value(json_object_get(*(json_t *const *)a,
							  "score"));
	json_int_t y = json_integer_value(json_object_get(*(json_t *const *)b,
							  "score"));

	return x < y ? -1 : x > y ? 1 : 0;
}

/* {"summary": grades of devices and links, "worst": the lowest links} */
static json_t *link_health(struct iiotd *d)
{
	struct capsnap *s = d->capture ? capture_snapshot(d->capture) : NULL;
	json_t *h = s && s->model ? health_report(s->model, d->alerts, 0) :
		    NULL, *links, *worst = json_array(), *o;
	json_t **v;
	size_t i, n;

	capsnap_put(s);
	if (!h)
		return json_pack("{s:{s:{s:i, s:i, s:i}}, s:o}", "summary",
				 "links", "good", 0, "check", 0, "fault", 0,
				 "worst", worst);
	links = json_object_get(h, "links");
	n = json_array_size(links);
	v = n ? calloc(n, sizeof(*v)) : NULL;
	for (i = 0; v && i < n; i++)
		v[i] = json_array_get(links, i);
	if (v)
		qsort(v, n, sizeof(*v), by_score);
	for (i = 0; v && i < n && i < WORST_LINKS; i++)
		json_array_append(worst, v[i]);
	free(v);
	o = json_pack("{s:O, s:o}", "summary", json_object_get(h, "summary"),
		      "worst", worst);
	json_decref(h);
	return o;
}

json_t *reports_make(struct iiotd *d, const struct report_job *j,
		     const char *how)
{
	void *db = analytics_db_handle();
	int64_t now = auth_now_ms();
	double red = 65, green = 85;
	char title[160];
	json_t *r;

	if (!db || !d->analytics)
		return NULL;
	analytics_oee_reason(d->analytics, "", &red, &green);
	r = report_build(db, j, red, green, now);
	if (!r)
		return NULL;
	snprintf(title, sizeof(title), "%s report: %s%s%s", !strcmp(j->kind,
		 "day") ? "Daily" : "Shift", j->line[0] ? j->line :
		 "all lines", j->label[0] ? ", " : "", j->label);
	json_object_set_new(r, "title", json_string(title));
	json_object_set_new(r, "alerts", top_alerts(d, j->from_ms, j->to_ms));
	json_object_set_new(r, "links", link_health(d));
	if (report_store(db, r, how, now) < 0) {
		log_warnx("analytics: cannot store the %s report of %s",
			  j->kind, j->line);
		json_decref(r);
		return NULL;
	}
	return r;
}

int reports_period(struct iiotd *d, struct report_job *j)
{
	json_t *o = analytics_oee_json(d->analytics), *m;
	int64_t now = auth_now_ms();
	size_t i;
	int rc = -1;

	if (!strcmp(j->kind, "day")) {
		time_t t = (time_t)(now / 1000);
		struct tm tm;

		localtime_r(&t, &tm);
		strftime(j->label, sizeof(j->label), "%Y-%m-%d", &tm);
		j->from_ms = report_midnight(now, 0);
		j->to_ms = report_midnight(now, 1);
		rc = 0;
	}
	json_array_foreach(json_object_get(o, "machines"), i, m) {
		json_t *c = json_object_get(m, "current");
		const char *l = json_string_value(json_object_get(m, "line"));

		if (rc == 0 || (j->line[0] && strcmp(j->line, l ? l : "")) ||
		    !json_object_get(c, "start_ms"))
			continue;
		j->from_ms = json_integer_value(json_object_get(c, "start_ms"));
		j->to_ms = json_integer_value(json_object_get(c, "end_ms"));
		snprintf(j->label, sizeof(j->label), "%s", json_string_value(
			 json_object_get(c, "shift")));
		rc = 0;
	}
	json_decref(o);
	return rc;
}

/*
 * The reports whose period ended while iiotd was down: since the newest
 * one the schedule made (none made yet: a first start, nothing missed),
 * made on the first tick, oldest first, how "late".
 */
static size_t catch_up(struct iiotd *d, const struct oee_drain *dr,
		       int64_t now)
{
	void *db = analytics_db_handle();
	struct report_job *v;
	size_t i, n;
	int64_t since;

	if (!catchup_max || !db || (since = report_last_made(db)) <= 0)
		return 0;
	v = calloc(catchup_max, sizeof(*v));
	if (!v)
		return 0;
	n = report_missed(db, dr, since, now, v, catchup_max);
	for (i = 0; i < n; i++) {
		json_t *r = reports_make(d, &v[i], "late");

		if (r)
			log_info("analytics: %s report of line %s (%s) made "
				 "late", v[i].kind, v[i].line, v[i].label);
		json_decref(r);
	}
	free(v);
	return n;
}

void reports_tick(struct iiotd *d, const struct oee_drain *dr)
{
	struct report_job due[REPORT_JOBS_MAX];
	int64_t now = auth_now_ms();
	size_t i, n, late = 0;

	if (!caught_up) {
		caught_up = 1;
		late = catch_up(d, dr, now);
	}
	n = report_due(dr, now, &day_ms, due, REPORT_JOBS_MAX);
	for (i = 0; i < n; i++) {
		json_t *r = reports_make(d, &due[i], "schedule");

		if (r)
			log_info("analytics: %s report of line %s (%s) made",
				 due[i].kind, due[i].line, due[i].label);
		json_decref(r);
	}
	if ((n || late) && keep_ms > 0 && report_prune(analytics_db_handle(),
					     now - keep_ms) < 0)
		log_warnx("analytics: cannot prune old reports");
}
