/*
 * The fleet's metrics in PostgreSQL (pg.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <libpq-fe.h>

#include "core/hist.h"
#include "core/clock.h"
#include "core/log.h"
#include "fleet/fleet.h"
#include "fleet/inv.h"
#include "fleet/pg.h"

#define DAY_MS		86400000LL
#define TS_MIN_MS	946684800000LL		/* 2000-01-01: older is no sample */
#define DAYS_KNOWN	512

static const char schema[] =
	"SET TimeZone = 'UTC';"
	"CREATE TABLE IF NOT EXISTS fleet_metrics ("
	" grp text NOT NULL, edge text NOT NULL, device text NOT NULL,"
	" metric text NOT NULL, ts timestamptz NOT NULL,"
	" value double precision, text_value text,"
	" historical boolean NOT NULL,"
	" PRIMARY KEY (grp, edge, device, metric, ts)"
	") PARTITION BY RANGE (ts);"
	"CREATE TEMP TABLE IF NOT EXISTS fleet_stage"
	" (LIKE fleet_metrics) ON COMMIT DELETE ROWS;";

static const char copy_cols[] =
	" (grp, edge, device, metric, ts, value, text_value, historical)"
	" FROM STDIN";

/* a live message's times: the payload's (the edge packed it) and when
 * the MQTT thread received it, wall ms */
struct lat_ent {
	uint64_t ts, rx;
};

/* a batch: COPY text lines, the days its rows fall on, live messages */
struct batch {
	char *b;
	size_t len, cap;
	uint64_t rows;
	int64_t day_min, day_max;
	struct lat_ent *lat;
	size_t nlat, caplat;
	uint64_t taken_ms;		/* the writer took it, wall ms */
	struct batch *next;		/* in the full list */
};

/*
 * Per live message: the whole latency (payload time to commit) and its
 * stages, rx (payload time to the MQTT thread: the edge's send, the
 * broker, the host's loop), wait (to the writer taking its batch) and
 * write (COPY and COMMIT); core/hist.h's finer buckets.
 */
enum { LAT_ALL, LAT_RX, LAT_WAIT, LAT_WRITE, LAT_N };
static const char *const lat_names[LAT_N] = { "all", "rx", "wait", "write" };

struct pgw {
	char conninfo[FLEET_PG_MAX];
	uint64_t batch_rows, flush_ms, pending_max, ahead_days, retry_ms;
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool stop;
	struct batch cur;		/* filled by the MQTT thread */
	struct batch *full, **full_tail;	/* batch rows each, waiting */
	uint64_t full_rows;
	struct batch *sealed;		/* the full list's last, while there */
	struct batch fly;		/* the writer's, until committed */
	uint64_t cur_since_ms;
	PGconn *c;
	int64_t days[DAYS_KNOWN];	/* partitions made on this connection */
	size_t ndays;
	bool said_down;
	struct pgw_counters ctr;
	struct hist_lat lat[LAT_N];	/* under mu */
};

static int64_t floor_day(int64_t ms)
{
	return ms >= 0 ? ms / DAY_MS : -((-ms + DAY_MS - 1) / DAY_MS);
}

/* ---- the batch ----------------------------------------------------------- */

static int reserve(struct batch *b, size_t more)
{
	size_t cap = b->cap ? b->cap : 65536;
	char *p;

	if (b->len + more <= b->cap)
		return 0;
	while (cap < b->len + more)
		cap *= 2;
	if (!(p = realloc(b->b, cap)))
		return -1;
	b->b = p;
	b->cap = cap;
	return 0;
}

/* COPY's text format: backslash escapes for the separators */
static void put_text(struct batch *b, const char *s)
{
	for (; *s; s++) {
		char c = *s;

		if (c == '\\' || c == '\t' || c == '\n' || c == '\r') {
			b->b[b->len++] = '\\';
			c = c == '\t' ? 't' : c == '\n' ? 'n' : c == '\r' ? 'r' :
			    '\\';
		}
		b->b[b->len++] = c;
	}
}

static void put_ts(struct batch *b, int64_t ms)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	gmtime_r(&t, &tm);
	b->len += strftime(b->b + b->len, 32, "%Y-%m-%d %H:%M:%S", &tm);
	b->len += (size_t)sprintf(b->b + b->len, ".%03d+00",
				  (int)(ms % 1000));
}

static int batch_add(struct batch *b, const struct inv_row *r)
{
	size_t n = 2 * (strlen(r->group) + strlen(r->edge) +
			strlen(r->device) + strlen(r->metric) +
			(r->text ? strlen(r->text) : 0)) + 128;
	int64_t day = floor_day(r->ts_ms);

	if (reserve(b, n))
		return -1;
	put_text(b, r->group);
	b->b[b->len++] = '\t';
	put_text(b, r->edge);
	b->b[b->len++] = '\t';
	put_text(b, r->device);
	b->b[b->len++] = '\t';
	put_text(b, r->metric);
	b->b[b->len++] = '\t';
	put_ts(b, r->ts_ms);
	b->b[b->len++] = '\t';
	if (r->has_num && r->num == r->num && r->num - r->num == 0)
		b->len += (size_t)sprintf(b->b + b->len, "%.17g", r->num);
	else
		b->len += (size_t)sprintf(b->b + b->len, "\\N");
	b->b[b->len++] = '\t';
	if (r->text)
		put_text(b, r->text);
	else
		b->len += (size_t)sprintf(b->b + b->len, "\\N");
	b->len += (size_t)sprintf(b->b + b->len, "\t%s\n",
				  r->historical ? "t" : "f");
	if (!b->rows || day < b->day_min)
		b->day_min = day;
	if (!b->rows || day > b->day_max)
		b->day_max = day;
	b->rows++;
	return 0;
}

static void batch_clear(struct batch *b)
{
	b->len = 0;
	b->rows = 0;
	b->nlat = 0;
}

static void batch_free(struct batch *b)
{
	free(b->b);
	free(b->lat);
	memset(b, 0, sizeof(*b));
}

/* ---- the connection ------------------------------------------------------ */

static bool exec_ok(PGconn *c, const char *sql, PGresult **keep)
{
	PGresult *r = PQexec(c, sql);
	ExecStatusType st = PQresultStatus(r);
	bool ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;

	if (!ok)
		log_warnx("fleet: postgres: %s", PQerrorMessage(c));
	if (keep)
		*keep = r;
	else
		PQclear(r);
	return ok;
}

static void disconnect(struct pgw *w)
{
	if (w->c)
		PQfinish(w->c);
	w->c = NULL;
	w->ndays = 0;
	__atomic_store_n(&w->ctr.up, false, __ATOMIC_RELAXED);
}

static int connect_pg(struct pgw *w)
{
	w->c = PQconnectdb(w->conninfo);
	if (PQstatus(w->c) != CONNECTION_OK) {
		/* said once per outage, not once per attempt */
		if (!w->said_down)
			log_warnx("fleet: postgres: %s", PQerrorMessage(w->c));
		w->said_down = true;
		w->ctr.pg_errors++;
		disconnect(w);
		return -1;
	}
	PQsetNoticeProcessor(w->c, NULL, NULL);
	if (!exec_ok(w->c, schema, NULL)) {
		w->ctr.pg_errors++;
		disconnect(w);
		return -1;
	}
	if (w->said_down)
		log_info("fleet: postgres is back");
	w->said_down = false;
	__atomic_store_n(&w->ctr.up, true, __ATOMIC_RELAXED);
	return 0;
}

static int partition(struct pgw *w, int64_t day)
{
	char sql[512], from[16], to[16];
	time_t t = (time_t)(day * 86400);
	struct tm tm;
	size_t i;

	for (i = 0; i < w->ndays; i++)
		if (w->days[i] == day)
			return 0;
	gmtime_r(&t, &tm);
	strftime(from, sizeof(from), "%Y-%m-%d", &tm);
	t += 86400;
	gmtime_r(&t, &tm);
	strftime(to, sizeof(to), "%Y-%m-%d", &tm);
	snprintf(sql, sizeof(sql), "CREATE TABLE IF NOT EXISTS "
		 "fleet_metrics_p%.4s%.2s%.2s PARTITION OF fleet_metrics "
		 "FOR VALUES FROM ('%s+00') TO ('%s+00')", from, from + 5,
		 from + 8, from, to);
	if (!exec_ok(w->c, sql, NULL))
		return -1;
	if (w->ndays == DAYS_KNOWN)
		w->ndays = 0;
	w->days[w->ndays++] = day;
	return 0;
}

static int partitions(struct pgw *w, const struct batch *b)
{
	int64_t today = floor_day((int64_t)wall_ms()), d;

	for (d = today; d <= today + (int64_t)w->ahead_days; d++)
		if (partition(w, d))
			return -1;
	for (d = b->day_min; b->rows && d <= b->day_max; d++)
		if (partition(w, d))
			return -1;
	return 0;
}

/* COPY the batch into table: the final result's SQLSTATE, "" when ok */
static const char *copy(struct pgw *w, const char *table, const struct batch *b,
			char *state, size_t len)
{
	char sql[256];
	PGresult *r;
	int ok;

	snprintf(sql, sizeof(sql), "COPY %s%s", table, copy_cols);
	r = PQexec(w->c, sql);
	ok = PQresultStatus(r) == PGRES_COPY_IN;
	PQclear(r);
	state[0] = 0;
	if (ok)
		ok = PQputCopyData(w->c, b->b, (int)b->len) == 1 &&
		     PQputCopyEnd(w->c, NULL) == 1;
	while ((r = PQgetResult(w->c))) {
		if (PQresultStatus(r) != PGRES_COMMAND_OK) {
			const char *s = PQresultErrorField(r, PG_DIAG_SQLSTATE);

			snprintf(state, len, "%s", s ? s : "XX000");
		}
		PQclear(r);
	}
	if (!ok && !state[0])
		snprintf(state, len, "08000");
	return state;
}

/* through the staging table: rows already stored are skipped */
static int write_slow(struct pgw *w, const struct batch *b)
{
	char st[8];
	PGresult *r = NULL;
	uint64_t in = 0;

	if (!exec_ok(w->c, "BEGIN", NULL) ||
	    copy(w, "fleet_stage", b, st, sizeof(st))[0])
		goto fail;
	if (!exec_ok(w->c, "INSERT INTO fleet_metrics SELECT * FROM fleet_stage"
		     " ON CONFLICT DO NOTHING", &r))
		goto fail;
	in = strtoull(PQcmdTuples(r), NULL, 10);
	PQclear(r);
	r = NULL;
	if (!exec_ok(w->c, "COMMIT", NULL))
		goto fail;
	w->ctr.rows_stored += in;
	w->ctr.rows_dup += b->rows - in;
	w->ctr.batches_slow++;
	return 0;
fail:
	PQclear(r);
	exec_ok(w->c, "ROLLBACK", NULL);
	return -1;
}

/* 0 written, -1 to retry (connection), -2 dropped (the data's fault) */
static int write_batch(struct pgw *w, const struct batch *b)
{
	char st[8];

	if (partitions(w, b))
		return -1;
	/* one COPY is a transaction of its own: no BEGIN and COMMIT, two
	 * round trips to the server instead of four (on a loaded machine
	 * each is a wait for the backend to be scheduled) */
	if (!copy(w, "fleet_metrics", b, st, sizeof(st))[0]) {
		w->ctr.rows_stored += b->rows;
		return 0;
	}
	if (!strcmp(st, "23505"))	/* unique_violation: a replay */
		return write_slow(w, b) ? -1 : 0;
	if (PQstatus(w->c) != CONNECTION_OK || !strncmp(st, "08", 2) ||
	    !strncmp(st, "57", 2) || !strncmp(st, "53", 2))
		return -1;
	log_warnx("fleet: postgres refused a batch of %" PRIu64 " rows "
		  "(SQLSTATE %s): dropped", b->rows, st);
	return -2;
}

static void committed(struct pgw *w, const struct batch *b)
{
	uint64_t now = wall_ms();
	size_t i;

	for (i = 0; i < b->nlat; i++) {
		const struct lat_ent *e = &b->lat[i];

		hist_lat_add(&w->lat[LAT_ALL], e->ts, now);
		hist_lat_add(&w->lat[LAT_RX], e->ts, e->rx);
		hist_lat_add(&w->lat[LAT_WAIT], e->rx, b->taken_ms);
		hist_lat_add(&w->lat[LAT_WRITE], b->taken_ms, now);
	}
	w->ctr.batches++;
}

/* ---- the writer's thread ------------------------------------------------- */

static void swap(struct pgw *w)
{
	struct batch t = w->fly;

	w->fly = w->cur;
	w->cur = t;
	batch_clear(&w->cur);
}

/* the next batch to write: a full one first, in order, else cur */
static void take(struct pgw *w)
{
	struct batch *b = w->full;

	if (!b) {
		swap(w);
		w->fly.taken_ms = wall_ms();
		return;
	}
	w->full = b->next;
	if (!w->full)
		w->full_tail = &w->full;
	w->full_rows -= b->rows;
	if (b == w->sealed)
		w->sealed = NULL;
	batch_free(&w->fly);
	w->fly = *b;
	w->fly.next = NULL;
	w->fly.taken_ms = wall_ms();
	free(b);
}

/* cur holds batch rows: it waits in the full list, cur starts afresh */
static void seal(struct pgw *w)
{
	struct batch *b = malloc(sizeof(*b));

	if (!b)
		return;		/* cur grows on: written whole later */
	*b = w->cur;
	b->next = NULL;
	memset(&w->cur, 0, sizeof(w->cur));
	*w->full_tail = b;
	w->full_tail = &b->next;
	w->full_rows += b->rows;
	w->sealed = b;
}

static uint64_t pending(const struct pgw *w)
{
	return w->cur.rows + w->fly.rows + w->full_rows;
}

static void flush(struct pgw *w)
{
	int rc;

	if (!w->c && connect_pg(w))
		return;
	rc = write_batch(w, &w->fly);
	pthread_mutex_lock(&w->mu);
	if (rc == -1) {
		w->ctr.pg_errors++;
		if (PQstatus(w->c) != CONNECTION_OK) {
			pthread_mutex_unlock(&w->mu);
			disconnect(w);
			return;
		}
	} else {
		if (rc == 0)
			committed(w, &w->fly);
		else
			w->ctr.rows_bad += w->fly.rows;
		batch_clear(&w->fly);
	}
	pthread_mutex_unlock(&w->mu);
}

static bool due(struct pgw *w)
{
	return w->full || w->cur.rows >= w->batch_rows ||
	       (w->cur.rows && mono_ms() >= w->cur_since_ms + w->flush_ms);
}

static void *writer(void *arg)
{
	struct pgw *w = arg;
	struct timespec ts;
	bool stop = false;

	while (!stop) {
		pthread_mutex_lock(&w->mu);
		while (!w->stop && !w->fly.rows && !due(w)) {
			/* to the batch's deadline, 50 ms at most */
			uint64_t now = mono_ms(), wait = 50;

			if (w->cur.rows && w->cur_since_ms + w->flush_ms - now < wait)
				wait = w->cur_since_ms + w->flush_ms - now;
			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_nsec += (long)wait * 1000000L;
			if (ts.tv_nsec >= 1000000000L) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000L;
			}
			pthread_cond_timedwait(&w->cv, &w->mu, &ts);
		}
		stop = w->stop;
		if (!w->fly.rows && (w->full || w->cur.rows))
			take(w);
		pthread_mutex_unlock(&w->mu);
		if (w->fly.rows) {
			uint64_t before = w->ctr.pg_errors;

			flush(w);
			/* PostgreSQL away: wait before the next attempt */
			if (w->ctr.pg_errors != before && !stop)
				for (uint64_t t = 0; t < w->retry_ms &&
				     !__atomic_load_n(&w->stop, __ATOMIC_RELAXED);
				     t += 50)
					nanosleep(&(struct timespec){ 0, 50000000L },
						  NULL);
		}
	}
	return NULL;
}

struct pgw *pgw_start(const struct fleet_conf *fc, char *err, size_t errlen)
{
	struct pgw *w = calloc(1, sizeof(*w));

	if (!w) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	snprintf(w->conninfo, sizeof(w->conninfo), "%s", fc->postgres);
	w->batch_rows = fc->batch;
	w->flush_ms = fc->flush_ms;
	w->pending_max = fc->pending_max;
	w->ahead_days = fc->ahead_days;
	w->retry_ms = fc->retry_ms;
	w->full_tail = &w->full;
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
	/* the schema and today's partitions now, so a wrong string is said */
	if (connect_pg(w) == 0 && partitions(w, &w->fly))
		disconnect(w);
	if ((errno = pthread_create(&w->th, NULL, writer, w))) {
		snprintf(err, errlen, "thread: %s", strerror(errno));
		disconnect(w);
		free(w);
		return NULL;
	}
	return w;
}

void pgw_stop(struct pgw *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->mu);
	w->stop = true;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
	pthread_join(w->th, NULL);
	/* a last try: stops at the first batch that is not written */
	if (w->fly.rows)
		flush(w);
	while (!w->fly.rows && (w->full || w->cur.rows)) {
		take(w);
		flush(w);
	}
	if (pending(w))
		log_warnx("fleet: %" PRIu64 " rows not written at stop",
			  pending(w));
	while (w->full) {
		take(w);
		batch_clear(&w->fly);
	}
	disconnect(w);
	batch_free(&w->cur);
	batch_free(&w->fly);
	pthread_cond_destroy(&w->cv);
	pthread_mutex_destroy(&w->mu);
	free(w);
}

void pgw_row(struct pgw *w, const struct inv_row *r)
{
	pthread_mutex_lock(&w->mu);
	if (r->ts_ms < TS_MIN_MS ||
	    r->ts_ms > (int64_t)wall_ms() + DAY_MS) {
		w->ctr.rows_bad++;
	} else if (pending(w) >= w->pending_max) {
		if (!w->ctr.rows_dropped)
			log_warnx("fleet: %" PRIu64 " rows wait for postgres: "
				  "dropping new rows", w->pending_max);
		w->ctr.rows_dropped++;
	} else {
		bool first = !w->cur.rows;

		if (first)
			w->cur_since_ms = mono_ms();
		if (batch_add(&w->cur, r))
			w->ctr.rows_dropped++;
		if (w->cur.rows >= w->batch_rows) {
			seal(w);
			pthread_cond_signal(&w->cv);
		} else if (first && w->cur.rows) {
			/* an idle writer arms the batch's deadline now, not
			 * at its next look (up to 50 ms later) */
			pthread_cond_signal(&w->cv);
		}
	}
	pthread_mutex_unlock(&w->mu);
}

void pgw_msg(struct pgw *w, uint64_t ts_ms, uint64_t rx_ms, bool historical)
{
	struct batch *b;

	if (historical)
		return;
	pthread_mutex_lock(&w->mu);
	/* the batch that took the message's last row */
	b = w->cur.rows || !w->sealed ? &w->cur : w->sealed;
	if (b->rows && b->nlat < b->rows) {
		if (b->nlat == b->caplat) {
			size_t cap = b->caplat ? b->caplat * 2 : 1024;
			void *p = realloc(b->lat, cap * sizeof(*b->lat));

			if (p) {
				b->lat = p;
				b->caplat = cap;
			}
		}
		if (b->nlat < b->caplat)
			b->lat[b->nlat++] = (struct lat_ent){ ts_ms, rx_ms };
	}
	pthread_mutex_unlock(&w->mu);
}

void pgw_counters(struct pgw *w, struct pgw_counters *out)
{
	pthread_mutex_lock(&w->mu);
	*out = w->ctr;
	out->pending = pending(w);
	out->up = __atomic_load_n(&w->ctr.up, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&w->mu);
}

json_t *pgw_latency_json(struct pgw *w, bool stages)
{
	struct hist_lat h[LAT_N];
	json_t *o;
	size_t i;

	pthread_mutex_lock(&w->mu);
	memcpy(h, w->lat, sizeof(h));
	pthread_mutex_unlock(&w->mu);
	if (!stages)
		return hist_lat_json(&h[LAT_ALL]);
	o = json_object();
	for (i = LAT_RX; i < LAT_N; i++)
		json_object_set_new(o, lat_names[i], hist_lat_json(&h[i]));
	return o;
}

uint64_t pgw_pending(struct pgw *w)
{
	uint64_t n;

	pthread_mutex_lock(&w->mu);
	n = pending(w);
	pthread_mutex_unlock(&w->mu);
	return n;
}

/* ---- the reader ---------------------------------------------------------- */

struct pgr {
	pthread_mutex_t mu;
	char conninfo[FLEET_PG_MAX];
	PGconn *c;
};

struct pgr *pgr_new(const char *conninfo)
{
	struct pgr *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	pthread_mutex_init(&r->mu, NULL);
	snprintf(r->conninfo, sizeof(r->conninfo), "%s", conninfo);
	return r;
}

void pgr_free(struct pgr *r)
{
	if (!r)
		return;
	if (r->c)
		PQfinish(r->c);
	pthread_mutex_destroy(&r->mu);
	free(r);
}

static int pgr_connect(struct pgr *r, char *why, size_t whylen)
{
	PGresult *res;

	if (r->c && PQstatus(r->c) == CONNECTION_OK)
		return 0;
	if (r->c)
		PQfinish(r->c);
	r->c = PQconnectdb(r->conninfo);
	if (PQstatus(r->c) != CONNECTION_OK) {
		snprintf(why, whylen, "postgres: %s", PQerrorMessage(r->c));
		why[strcspn(why, "\n")] = 0;
		PQfinish(r->c);
		r->c = NULL;
		return -1;
	}
	PQsetNoticeProcessor(r->c, NULL, NULL);
	/* the API's loop waits for the answer: never long */
	res = PQexec(r->c, "SET TimeZone = 'UTC'; SET statement_timeout = 2000");
	PQclear(res);
	return 0;
}

json_t *pgr_history(struct pgr *r, const char *group, const char *edge,
		    const char *device, const char *metric, int64_t from_ms,
		    int64_t to_ms, unsigned int limit, char *why, size_t whylen)
{
	char from[32], to[32], lim[16];
	const char *params[7] = { group, edge, device, metric, from, to, lim };
	PGresult *res;
	json_t *a = NULL;
	int i;

	snprintf(from, sizeof(from), "%" PRId64, from_ms);
	snprintf(to, sizeof(to), "%" PRId64, to_ms);
	snprintf(lim, sizeof(lim), "%u", limit);
	pthread_mutex_lock(&r->mu);
	if (pgr_connect(r, why, whylen))
		goto out;
	res = PQexecParams(r->c,
		"SELECT (extract(epoch FROM ts) * 1000)::bigint, value,"
		" text_value, historical FROM fleet_metrics"
		" WHERE grp = $1 AND edge = $2 AND device = $3 AND metric = $4"
		" AND ts >= to_timestamp($5::bigint / 1000.0)"
		" AND ts < to_timestamp($6::bigint / 1000.0)"
		" ORDER BY ts LIMIT $7::int", 7, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		snprintf(why, whylen, "postgres: %s", PQerrorMessage(r->c));
		why[strcspn(why, "\n")] = 0;
		PQclear(res);
		goto out;
	}
	a = json_array();
	for (i = 0; i < PQntuples(res); i++) {
		json_t *o = json_pack("{s:I, s:b}", "ts",
				      (json_int_t)strtoll(PQgetvalue(res, i, 0),
							  NULL, 10),
				      "historical",
				      PQgetvalue(res, i, 3)[0] == 't');

		if (!PQgetisnull(res, i, 1))
			json_object_set_new(o, "value", json_real(
				strtod(PQgetvalue(res, i, 1), NULL)));
		if (!PQgetisnull(res, i, 2))
			json_object_set_new(o, "text",
					    json_string(PQgetvalue(res, i, 2)));
		json_array_append_new(a, o);
	}
	PQclear(res);
out:
	pthread_mutex_unlock(&r->mu);
	return a;
}
