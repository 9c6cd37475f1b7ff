/*
 * iiotd's scheduled self-evaluation (subsys_eval.c): what the API and the
 * health check ask of it.  Event-loop thread only.
 */
#ifndef IIOT_EVAL_H
#define IIOT_EVAL_H

#include <stdint.h>

#include <jansson.h>

#define EVAL_DEFAULT_INTERVAL_MS	(24ULL * 3600 * 1000)
/* the first run after start waits for NTP and the first backup */
#define EVAL_DEFAULT_DELAY_MS		(10ULL * 60 * 1000)

struct sqlite3;

/* eval.db for the API, NULL when the subsystem is not running */
struct sqlite3 *eval_db_handle(void);
/* a run now, made by who: 0, or -1 when one is already waiting */
int eval_request(const char *who);
/*
 * {interval_s, last_ms, last_score, next_ms, pending, runs_total,
 * failures_total, last_error}; {unavailable: why} when eval.db could not
 * be opened at start; NULL when not running
 */
json_t *eval_schedule_json(void);
/* the alert key of a check's nonconformity */
uint64_t eval_alert_key(const char *check);

#endif
