/*
 * OEE in analytics.db (beside the API rules): oee_shift, one row per
 * machine and shift with its times and counts (rewritten while the shift
 * runs), and oee_stop, one row per stop with the reason an operator gave.
 * Event loop only.
 */
#ifndef IIOTD_OEE_DB_H
#define IIOTD_OEE_DB_H

#include <stdint.h>

#include "analytics/oee.h"

struct json_t;

/* its tables: a step of analytics.db's schema (ruledb.c) */
extern const char oee_db_schema[];
int oee_db_write(void *sqlite, const struct oee_drain *d);

struct oee_query {
	const char *machine, *line;	/* NULL: all */
	int64_t from_ms, to_ms;
	const char *period;		/* shift, day, week */
	int limit;
	double red, green;
};
/* rows per machine and period, oldest first */
struct json_t *oee_db_report(void *sqlite, const struct oee_query *q);
struct json_t *oee_db_stops(void *sqlite, const struct oee_query *q);
/* downtime per reason, most first, at most q->limit ("" unassigned) */
struct json_t *oee_db_pareto(void *sqlite, const struct oee_query *q,
			     int64_t now_ms);
/* 0 set, 1 no such stop, -1 error; *row: the stop after */
int oee_db_set_reason(void *sqlite, int64_t id, const char *code,
		      const char *comment, const char *who, int64_t now_ms,
		      struct json_t **row);

#endif
