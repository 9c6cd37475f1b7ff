/*
 * Reports per line (docs/analytics.md, "Reports"): a shift report when a
 * shift ends, a daily report after local midnight, others on demand.  A
 * report is one JSON document (the line's OEE rows, the downtime Pareto,
 * the top alerts of its period, link health when it was made) kept in
 * analytics.db (table report) for a number of days; the printable page
 * is rendered from it (report_html.c).  Event loop only.
 */
#ifndef IIOTD_REPORT_H
#define IIOTD_REPORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "analytics/oee.h"

struct json_t;

#define REPORT_JOBS_MAX	(2 * OEE_MAX_MACHINES)	/* due at one tick */

/* One report to make: a period of a line ("" all lines). */
struct report_job {
	char kind[8];			/* "shift" or "day" */
	char label[OEE_NAME_MAX];	/* the shift's name or the date */
	char line[OEE_NAME_MAX];
	int64_t from_ms, to_ms;
};

/*
 * What falls due in one tick: a shift report per line for each shift
 * that ended (d->done), a day report per line when the local day of
 * now_ms is not *day_ms (the midnight last seen; 0 at start: nothing is
 * due, it is only set).  At most max into out; how many.
 */
size_t report_due(const struct oee_drain *d, int64_t now_ms, int64_t *day_ms,
		  struct report_job *out, size_t max);
/*
 * Catch-up after a stop: the shift and day reports per line whose period
 * ended in (since_ms, now_ms] (at most REPORT_MISSED_DAYS back) and that
 * the store (sqlite) has not; the newest max of them into out, oldest
 * first; how many.  since_ms 0 (nothing made yet): none.
 */
#define REPORT_MISSED_DAYS	7
size_t report_missed(void *sqlite, const struct oee_drain *d,
		     int64_t since_ms, int64_t now_ms, struct report_job *out,
		     size_t max);
/* The newest scheduled (or late) report's made_ms: when iiotd last ran
 * its schedule; 0 when none, -1 on error. */
int64_t report_last_made(void *sqlite);
/* local midnight of the day of t_ms, days later */
int64_t report_midnight(int64_t t_ms, int days);

/* its table: a step of analytics.db's schema (ruledb.c) */
extern const char report_db_schema[];
/*
 * The OEE part of a report from analytics.db: {"kind", "label", "line",
 * "from_ms", "to_ms", "oee": rows, "pareto": [...]}.  The caller adds
 * "alerts" and "links" and stores it.
 */
struct json_t *report_build(void *sqlite, const struct report_job *j,
			    double red, double green, int64_t now_ms);
/* Store r (made at now_ms, how: "schedule", "late" or "demand"); its id,
 * or -1.
 * A report of the same kind, line and start is replaced. */
int64_t report_store(void *sqlite, struct json_t *r, const char *how,
		     int64_t now_ms);
/* Newest first, without their bodies; kind, line NULL: any. */
struct json_t *report_list(void *sqlite, const char *kind, const char *line,
			   int limit);
/* The whole report, or NULL when there is none. */
struct json_t *report_get(void *sqlite, int64_t id);
/* Reports made before before_ms go; how many, or -1. */
int report_prune(void *sqlite, int64_t before_ms);

/* The printable page of a report (or of any {"title", "oee", "pareto"}),
 * its words in lang: "zh-CN", else English. */
void report_html(FILE *f, const struct json_t *r, const char *lang);

/* In iiotd (report_glue.c): reports with the alert model's top alerts and
 * diag's link health, kept keep_ms (0: for ever). */
struct iiotd;
void reports_keep(int64_t keep_ms);
/* At most n reports missed while iiotd was down made on start (0: none). */
void reports_catchup(size_t n);
/* Make, store and return one report (NULL on failure). */
struct json_t *reports_make(struct iiotd *d, const struct report_job *j,
			    const char *how);
/*
 * j's period when none is given: for a day report the local day, for a
 * shift report the shift under way (of the first machine of j->line in
 * one); 0, or -1 when there is none.
 */
int reports_period(struct iiotd *d, struct report_job *j);
/* The reports due at a tick (report_due) made and stored; old ones pruned. */
void reports_tick(struct iiotd *d, const struct oee_drain *dr);

#endif
