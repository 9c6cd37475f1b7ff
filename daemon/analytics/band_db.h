/*
 * The anomaly band's history (docs/analytics.md, "Band history"): each
 * signal's learnt band (mean +- band sigma) kept in analytics.db when it
 * moves, so that a chart of a past range draws the band of that time.
 */
#ifndef IIOTD_ANALYTICS_BAND_DB_H
#define IIOTD_ANALYTICS_BAND_DB_H

#include <stddef.h>
#include <stdint.h>

#define BAND_ROWS_MAX	4096		/* rows written per tick at most */
#define BAND_MOVE	0.05		/* of its width: a band that moved */
#define BAND_MIN_MS	10000		/* a signal's rows at most this often */
#define BAND_KEEP_MS	(15 * 60000)	/* and at least this often */
#define BAND_QUERY_MAX	10000

struct band_row {
	char signal[64];
	int64_t t_ms;
	double mean, lo, hi;
};

extern const char band_db_schema[];
struct analytics;
/* The rows due at now (bands that moved or aged); returns how many. */
size_t analytics_band_drain(struct analytics *an, struct band_row *rows,
			    size_t max, int64_t now_ms);
/* Store rows (h: analytics.db) and drop rows older than keep_ms (0: keep). */
int band_db_write(void *h, const struct band_row *rows, size_t n,
		  int64_t now_ms, int64_t keep_ms);
struct json_t;
/*
 * signal's rows in [from_ms, to_ms], and the last one before from_ms (the
 * band in force at from_ms), oldest first: [[t_ms, lo, hi, mean], ...].
 */
struct json_t *band_db_query(void *h, const char *signal, int64_t from_ms,
			     int64_t to_ms);

#endif
