/*
 * The fleet's metrics in PostgreSQL (pg.c), through libpq.
 *
 * The writer takes rows from the MQTT thread into a batch and, on a
 * thread of its own, COPYs each batch into fleet_points, a table range
 * partitioned by day (partitions made ahead, and for any day a batch
 * brings), keyed by (series, ts): a series is a (grp, edge, device,
 * metric) of fleet_series, its id asked once a connection (series.h);
 * the view fleet_metrics shows the rows with their names.  The key
 * makes a replayed sample a no-op: a batch goes straight in with COPY;
 * only a batch that
 * meets a row already stored (a message sent again after a lost
 * connection) goes through a staging table and INSERT ... ON CONFLICT DO
 * NOTHING.  While PostgreSQL is away, rows wait up to pending_max, then
 * are dropped and counted.
 *
 * The reader answers the API's history queries on its own connection.
 */
#ifndef IIOT_FLEET_PG_H
#define IIOT_FLEET_PG_H

#include <stdbool.h>
#include <stdint.h>

struct fleet_conf;
struct inv_row;
struct pgw;
struct pgr;
struct json_t;

/* X(name, "what") */
#define PGW_COUNTERS(X) \
	X(rows_stored,	"rows written to PostgreSQL")			\
	X(rows_dup,	"rows already stored (replays), skipped")	\
	X(rows_dropped,	"rows dropped: the pending queue was full")	\
	X(rows_bad,	"rows refused: timestamp out of range or data error")\
	X(batches,	"batches committed")				\
	X(batches_slow,	"batches that went through the staging table")	\
	X(pg_errors,	"PostgreSQL connections or statements that failed")

struct pgw_counters {
#define PGW_X_FIELD(n, d) uint64_t n;
	PGW_COUNTERS(PGW_X_FIELD)
#undef PGW_X_FIELD
	uint64_t pending;		/* rows waiting now */
	bool up;			/* connected */
};

/* starts the writer's thread; NULL with err set */
struct pgw *pgw_start(const struct fleet_conf *fc, char *err, size_t errlen);
/* writes what is pending (a last try) and stops */
void pgw_stop(struct pgw *w);
void pgw_row(struct pgw *w, const struct inv_row *r);
/* a live message's payload time and when it was received (wall ms): its
 * latency is counted at commit */
void pgw_msg(struct pgw *w, uint64_t ts_ms, uint64_t rx_ms, bool historical);
void pgw_counters(struct pgw *w, struct pgw_counters *out);
/* the edge → stored latency histogram (core/hist.h's JSON, finer
 * bounds), or with stages its parts: {"rx": ..., "wait": ..., "write": ...} */
struct json_t *pgw_latency_json(struct pgw *w, bool stages);
/* rows pending or in flight: 0 when everything received is stored */
uint64_t pgw_pending(struct pgw *w);

struct pgr *pgr_new(const char *conninfo);
void pgr_free(struct pgr *r);
struct json_t *pgr_history(struct pgr *r, const char *group,
			   const char *edge, const char *device,
			   const char *metric, int64_t from_ms, int64_t to_ms,
			   unsigned int limit, char *why, size_t whylen);

#endif
