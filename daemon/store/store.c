/*
 * The store's writer: one thread, batched transactions, rollups upserted
 * in the same transaction as the raw blocks (so a crash loses at most the
 * open batch, never a rollup's share of it), checkpoints, retention and
 * the disk cap.
 */
#include <errno.h>
#include <inttypes.h>
#include <malloc.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>

#include <jansson.h>
#include <sqlite3.h>

#include "core/dbfile.h"
#include "core/hist.h"
#include "core/log.h"
#include "core/pimutex.h"
#include "decode/decode.h"
#include "model/model.h"
#include "store/readpool.h"
#include "store/store_int.h"

const char *const store_counter_names[] = {
#define STORE_X_NAME(n, d) #n,
	STORE_COUNTERS(STORE_X_NAME)
#undef STORE_X_NAME
};
const size_t store_counter_count =
	sizeof(store_counter_names) / sizeof(store_counter_names[0]);

#define MINUTE_NS	60000000000ULL
/* free bytes a store degraded by SQLITE_FULL waits for, whatever min_free */
#define STORE_RECOVER_MIN	(4ULL << 20)

struct qsample {
	uint64_t ts_ns;
	double value;
	uint32_t signal;
};

struct qevent {
	uint64_t ts_ns;
	uint32_t id;
	char label[80];
	char kind[16];
	char event[16];
	char detail[256];
	char station[MODEL_STATION_MAX];
	char ip[16];
	char lifecycle[16];
	uint64_t first_seen, last_seen;
	uint32_t vendor, product, revision, serial;
	uint32_t has;
	uint8_t ev;			/* enum model_event, or EV_ALIAS */
	char alias[MODEL_ALIAS_MAX];	/* EV_ALIAS: the new one, "" none */
};

/* not a model event: a device's alias changed (store_device_alias) */
#define EV_ALIAS	0xff

struct qsigdef {
	uint32_t id;
	char name[64];
	char device[64];
	char unit[16];
};

/* samples staged per hand-over (store_stage_begin): 96 KiB */
#define STAGE_MAX	4096

/* a growable vector swapped whole between producer and writer */
struct vec {
	void *v;
	size_t n, cap, elem;
};

struct store {
	struct store_opts o;
	char path[4096];
	sqlite3 *db;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;		/* writer waits here */
	pthread_cond_t done_cv;		/* store_flush waits here */
	struct vec samples, events, sigdefs;
	/* the staging thread's (store_stage_begin), no lock */
	struct {
		struct qsample *v;
		size_t n;
		size_t room;		/* left in the queue at the last hand */
		uint64_t dropped;
		bool full;		/* no room: drop until the turn ends */
	} stage;
	int staging;			/* atomic: a thread stages */
	bool stop;
	uint64_t flush_req, flush_done;
	struct store_counters ctr;	/* producer side, under mu */
	struct store_counters wsnap;	/* writer's, copied under mu */
	struct store_disk disk;		/* writer's, copied under mu */
	/* writer-only */
	struct store_counters w;
	struct hist commit_hist;	/* writer adds, stats read: atomic */
	uint32_t *count;		/* group_by_signal: SORT_BUCKETS */
	struct vec sorted;		/* group_by_signal: qsample */
	sqlite3_stmt *ins_raw, *up_1s, *up_1m, *ins_hist, *up_dev, *up_sig;
	sqlite3_stmt *del_dev;		/* an evicted device's row */
	sqlite3_stmt *keep_dev;		/* ... or its alias, if it has one */
	sqlite3_stmt *set_alias;	/* a device's alias, its row or not */
	sqlite3_stmt *get_meta, *set_meta;
	/* minutes before this are rolled up into roll_1m (meta table) */
	uint64_t rolled_until;
	uint64_t max_ts;		/* newest sample written */
	bool batch_failed;		/* a statement of this batch failed */
	uint64_t last_ckpt_ms, last_maint_ms;
	uint64_t open_wall_ns, open_mono_ns;	/* retention's clock */
	char dir[4096];			/* the database's directory */
	struct store_disk dk;		/* disk state, writer-only */
	bool full_hit;			/* ... with SQLITE_FULL */
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static uint64_t now_ms(void)
{
	return now_ns() / 1000000;
}

/* room for want elements, never more than limit, grown by doubling */
static bool vec_reserve(struct vec *v, size_t want, size_t limit)
{
	size_t nc;
	void *nv;

	if (want <= v->cap)
		return true;
	if (want > limit)
		return false;
	nc = v->cap ? v->cap : 1024;
	while (nc < want)
		nc *= 2;
	if (nc > limit)
		nc = limit;
	nv = realloc(v->v, nc * v->elem);
	if (!nv)
		return false;
	v->v = nv;
	v->cap = nc;
	return true;
}

static bool vec_push(struct vec *v, const void *e, size_t limit)
{
	if (!vec_reserve(v, v->n + 1, limit))
		return false;
	memcpy((char *)v->v + v->n * v->elem, e, v->elem);
	v->n++;
	return true;
}

/* Give a burst's array back when it holds more than keep elements: the
 * next batch is usually small.  n stays (the batch's count). */
static void vec_shrink(struct vec *v, size_t keep)
{
	if (v->cap <= keep)
		return;
	free(v->v);
	v->v = NULL;
	v->cap = 0;
}

static void vec_swap(struct vec *a, struct vec *b)
{
	struct vec t = *a;

	*a = *b;
	*b = t;
}

void store_opts_default(struct store_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->flush_ms = STORE_FLUSH_MS;
	o->batch_rows = STORE_BATCH_ROWS;
	o->raw_retention_ms = 86400000ULL;
	o->sec_retention_ms = 7ULL * 86400000ULL;
	o->min_retention_ms = 365ULL * 86400000ULL;
	o->max_bytes = 1ULL << 30;
	o->min_free = 32ULL << 20;
	o->queue_len = 1U << 18;
	o->sync_normal = true;
	o->readers = READPOOL_THREADS;
}

sqlite3 *store_db_open(const char *path, int readonly, char *err,
		       size_t errlen)
{
	sqlite3 *db;
	int flags = readonly ? SQLITE_OPEN_READONLY :
		SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;

	/* captured traffic is for iiotd's user only, like auth.db */
	if (!readonly && dbfile_private(path, err, errlen))
		return NULL;
	if (sqlite3_open_v2(path, &db, flags | SQLITE_OPEN_NOFOLLOW |
			    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", path,
			 db ? sqlite3_errmsg(db) : "out of memory");
		sqlite3_close(db);
		return NULL;
	}
	sqlite3_busy_timeout(db, 5000);
	return db;
}

static int prep(struct store *s, sqlite3_stmt **st, const char *sql,
		char *err, size_t errlen)
{
	if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, st,
			       NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", s->path, sqlite3_errmsg(s->db));
		return -1;
	}
	return 0;
}

static int setup_db(struct store *s, char *err, size_t errlen)
{
	char *msg = NULL;
	char sql[128];

	s->db = store_db_open(s->path, 0, err, errlen);
	if (!s->db)
		return -1;
	/* auto_vacuum must precede the first table; it lets the disk cap
	 * give pages back to the file system */
	snprintf(sql, sizeof(sql),
		 "PRAGMA auto_vacuum=INCREMENTAL; PRAGMA journal_mode=WAL;"
		 "PRAGMA synchronous=%s; PRAGMA wal_autocheckpoint=0;",
		 s->o.sync_normal ? "NORMAL" : "FULL");
	if (sqlite3_exec(s->db, sql, NULL, NULL, &msg)) {
		snprintf(err, errlen, "%s: %s", s->path, msg ? msg : "?");
		sqlite3_free(msg);
		return -1;
	}
	if (sqlite3_exec(s->db, "PRAGMA quick_check", NULL, NULL, &msg)) {
		snprintf(err, errlen, "%s: not a usable database: %s", s->path,
			 msg ? msg : "?");
		sqlite3_free(msg);
		return -1;
	}
	if (store_migrate(s->db, err, errlen))
		return -1;
	if (prep(s, &s->ins_raw, "INSERT INTO samples_raw(signal,t0,t1,n,vals)"
		 " VALUES(?,?,?,?,?)", err, errlen) ||
	    prep(s, &s->up_1s, "INSERT INTO roll_1s VALUES(?,?,?,?,?,?)"
		 " ON CONFLICT(signal,t) DO UPDATE SET"
		 " min=min(min,excluded.min), max=max(max,excluded.max),"
		 " sum=sum+excluded.sum, count=count+excluded.count",
		 err, errlen) ||
	    prep(s, &s->up_1m, "INSERT OR REPLACE INTO roll_1m SELECT signal,"
		 " t / 60000000000 * 60000000000, min(min), max(max),"
		 " sum(sum), sum(count) FROM roll_1s WHERE t >= ?1 AND"
		 " t < ?2 GROUP BY signal, t / 60000000000", err, errlen) ||
	    prep(s, &s->get_meta, "SELECT value FROM meta WHERE key=?",
		 err, errlen) ||
	    prep(s, &s->set_meta, "INSERT OR REPLACE INTO meta VALUES(?,?)",
		 err, errlen) ||
	    prep(s, &s->ins_hist, "INSERT INTO device_history"
		 "(ts,label,device,event,detail) VALUES(?,?,?,?,?)",
		 err, errlen) ||
	    prep(s, &s->up_dev, "INSERT INTO devices(label,id,kind,first_seen,"
		 "last_seen,vendor_id,product_code,revision,serial,"
		 "station_name,ip,lifecycle) VALUES(?,?,?,?,?,?,?,?,?,?,?,?)"
		 " ON CONFLICT(label) DO UPDATE SET id=excluded.id,"
		 " kind=excluded.kind, last_seen=excluded.last_seen,"
		 " vendor_id=coalesce(excluded.vendor_id,vendor_id),"
		 " product_code=coalesce(excluded.product_code,product_code),"
		 " revision=coalesce(excluded.revision,revision),"
		 " serial=coalesce(excluded.serial,serial),"
		 " station_name=coalesce(excluded.station_name,station_name),"
		 " ip=coalesce(excluded.ip,ip), lifecycle=excluded.lifecycle",
		 err, errlen) ||
	    prep(s, &s->del_dev, "DELETE FROM devices WHERE label=? AND"
		 " (alias IS NULL OR alias='')", err, errlen) ||
	    prep(s, &s->keep_dev, "UPDATE devices SET id=NULL,"
		 " lifecycle='evicted' WHERE label=?", err, errlen) ||
	    prep(s, &s->set_alias, "INSERT INTO devices(label,id,alias)"
		 " VALUES(?,?,?) ON CONFLICT(label) DO UPDATE SET"
		 " alias=excluded.alias", err, errlen) ||
	    prep(s, &s->up_sig, "INSERT OR REPLACE INTO signals(id,name,"
		 "device,unit) VALUES(?,?,?,?)", err, errlen))
		return -1;
	return 0;
}

/* the writer's statements; store_open's failure and store_close */
static void finalize_all(struct store *s)
{
	sqlite3_finalize(s->ins_raw);
	sqlite3_finalize(s->up_1s);
	sqlite3_finalize(s->up_1m);
	sqlite3_finalize(s->get_meta);
	sqlite3_finalize(s->set_meta);
	sqlite3_finalize(s->ins_hist);
	sqlite3_finalize(s->up_dev);
	sqlite3_finalize(s->del_dev);
	sqlite3_finalize(s->keep_dev);
	sqlite3_finalize(s->set_alias);
	sqlite3_finalize(s->up_sig);
}

static void sql_fail(struct store *s, const char *what)
{
	int ec = sqlite3_errcode(s->db);

	s->w.write_errors++;
	/* SQLite may have rolled the transaction back itself: nothing more
	 * of this batch may run, or it would commit piecemeal */
	s->batch_failed = true;
	if (ec == SQLITE_FULL || sqlite3_extended_errcode(s->db) ==
	    SQLITE_IOERR_WRITE) {
		if (!s->full_hit)
			log_warnx("store: %s: %s", what, sqlite3_errmsg(s->db));
		s->full_hit = true;
		return;
	}
	log_warnx("store: %s: %s", what, sqlite3_errmsg(s->db));
}

static void step_reset(struct store *s, sqlite3_stmt *st, const char *what)
{
	if (!s->batch_failed && sqlite3_step(st) != SQLITE_DONE)
		sql_fail(s, what);
	sqlite3_reset(st);
}

static void checkpoint(struct store *s, bool force);

static void disk_publish(struct store *s)
{
	pthread_mutex_lock(&s->mu);
	s->disk = s->dk;
	pthread_mutex_unlock(&s->mu);
}

/*
 * Degrade below min_free free bytes or after SQLITE_FULL; recover at
 * twice min_free, so that a disk hovering at the line does not flap.
 */
static void disk_check(struct store *s, bool full)
{
	struct statvfs vs;
	/* min_free: the writer's copy of the options, set each turn */
	uint64_t freeb = s->dk.free_bytes, lim = s->dk.min_free;
	bool was = s->dk.degraded;

	if (!statvfs(s->dir, &vs))
		freeb = (uint64_t)vs.f_bavail * vs.f_frsize;
	s->dk.free_bytes = freeb;
	if (!was && (full || (lim && freeb < lim))) {
		s->dk.degraded = true;
		s->dk.since = (int64_t)time(NULL);
		if (full)
			snprintf(s->dk.reason, sizeof(s->dk.reason),
				 "the disk is full (a write was refused, "
				 "%" PRIu64 " KiB free)", freeb >> 10);
		else
			snprintf(s->dk.reason, sizeof(s->dk.reason),
				 "%" PRIu64 " KiB free, below min_free %"
				 PRIu64 " KiB", freeb >> 10, lim >> 10);
		s->w.degraded_episodes++;
		log_warnx("store: degraded: %s: raw samples are not stored, "
			  "rollups, devices and history are", s->dk.reason);
		/* the WAL's disk back to the file system, for the others */
		checkpoint(s, true);
	} else if (was && !full && freeb >= 2 * lim &&
		   freeb >= STORE_RECOVER_MIN) {
		s->dk.degraded = false;
		s->dk.since = 0;
		s->dk.reason[0] = 0;
		log_info("store: recovered: %" PRIu64 " KiB free, raw samples "
			 "are stored again", freeb >> 10);
	}
	disk_publish(s);
}

struct agg {
	uint64_t t;
	double min, max, sum;
	uint64_t count;
};

static void agg_add(struct agg *a, uint64_t t, double v)
{
	if (!a->count || a->t != t) {
		a->t = t;
		a->min = a->max = a->sum = v;
		a->count = 1;
		return;
	}
	if (v < a->min)
		a->min = v;
	if (v > a->max)
		a->max = v;
	a->sum += v;
	a->count++;
}

static void agg_write(struct store *s, sqlite3_stmt *st, uint32_t sig,
		      const struct agg *a, uint64_t *rows)
{
	if (!a->count)
		return;
	sqlite3_bind_int64(st, 1, sig);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)a->t);
	sqlite3_bind_double(st, 3, a->min);
	sqlite3_bind_double(st, 4, a->max);
	sqlite3_bind_double(st, 5, a->sum);
	sqlite3_bind_int64(st, 6, (sqlite3_int64)a->count);
	step_reset(s, st, "rollup");
	(*rows)++;
}

/*
 * Samples grouped by signal, each signal's in arrival order (which is
 * time order from one producer): a stable radix sort on the id's two
 * 16-bit halves, O(n), where qsort cost more than SQLite itself at a
 * million samples a second.  The count table is fixed (65536 buckets)
 * whatever the ids: a counting sort over the ids themselves needed one
 * bucket per id up to the largest, so a batch holding a link-history
 * series (ids from 131072) or any large id grew it without bound, and
 * when that could not be had the whole batch was thrown away unlogged
 * (the largest id even wrapped the table's size).  NULL only without
 * memory for the batch itself.
 */
#define SORT_BUCKETS	65536u

static void radix_pass(const struct qsample *in, struct qsample *out,
		       size_t n, uint32_t *count, unsigned int shift)
{
	uint32_t sum = 0, c;
	size_t i;

	memset(count, 0, SORT_BUCKETS * sizeof(*count));
	for (i = 0; i < n; i++)
		count[(in[i].signal >> shift) & 0xFFFF]++;
	for (i = 0; i < SORT_BUCKETS; i++) {
		c = count[i];
		count[i] = sum;
		sum += c;
	}
	for (i = 0; i < n; i++)
		out[count[(in[i].signal >> shift) & 0xFFFF]++] = in[i];
}

static struct qsample *group_by_signal(struct store *s, struct vec *sv)
{
	struct qsample *in = sv->v;
	uint32_t high = 0;
	size_t i;

	if (!s->count) {
		s->count = malloc(SORT_BUCKETS * sizeof(*s->count));
		if (!s->count)
			return NULL;
	}
	if (sv->n > s->sorted.cap) {
		struct qsample *o = realloc(s->sorted.v, sv->n * sizeof(*o));

		if (!o)
			return NULL;
		s->sorted.v = o;
		s->sorted.cap = sv->n;
	}
	for (i = 0; i < sv->n; i++)
		high |= in[i].signal >> 16;
	radix_pass(in, s->sorted.v, sv->n, s->count, 0);
	if (!high)
		return s->sorted.v;
	/* the high halves, back into the queue's own array */
	radix_pass(s->sorted.v, in, sv->n, s->count, 16);
	return in;
}

static void put_u32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16); p[3] = (uint8_t)(v >> 24);
}

static void put_f64(uint8_t *p, double d)
{
	uint64_t v;
	int i;

	memcpy(&v, &d, 8);
	for (i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

#define BLOCK_SPAN_NS	4000000000ULL	/* u32 ns offsets */

/* Samples of one signal, sorted by time: raw blocks and rollups. */
static void write_signal(struct store *s, const struct qsample *q, size_t n,
			 uint8_t *blob)
{
	struct agg a1 = { 0 };
	size_t i = 0, j, k;

	while (i < n) {
		uint64_t t0 = q[i].ts_ns;

		for (j = i; j < n && j - i < STORE_BLOCK_MAX &&
		     q[j].ts_ns >= t0 && q[j].ts_ns - t0 < BLOCK_SPAN_NS;
		     j++) {
			put_u32(blob + (j - i) * 12,
				(uint32_t)(q[j].ts_ns - t0));
			put_f64(blob + (j - i) * 12 + 4, q[j].value);
		}
		if (s->dk.degraded) {
			s->w.raw_shed += j - i;
		} else {
			sqlite3_bind_int64(s->ins_raw, 1, q[i].signal);
			sqlite3_bind_int64(s->ins_raw, 2, (sqlite3_int64)t0);
			sqlite3_bind_int64(s->ins_raw, 3,
					   (sqlite3_int64)q[j - 1].ts_ns);
			sqlite3_bind_int64(s->ins_raw, 4,
					   (sqlite3_int64)(j - i));
			sqlite3_bind_blob(s->ins_raw, 5, blob,
					  (int)((j - i) * 12), SQLITE_STATIC);
			step_reset(s, s->ins_raw, "raw block");
			s->w.blocks_written++;
			s->w.samples_written += j - i;
		}
		for (k = i; k < j; k++) {
			uint64_t t1 = q[k].ts_ns / 1000000000ULL *
				      1000000000ULL;
			if (a1.count && a1.t != t1)
				agg_write(s, s->up_1s, q[k].signal, &a1,
					  &s->w.rollups_written);
			agg_add(&a1, t1, q[k].value);
		}
		i = j;
	}
	agg_write(s, s->up_1s, q[0].signal, &a1, &s->w.rollups_written);
}

static void bind_text_or_null(sqlite3_stmt *st, int i, const char *t)
{
	if (t && *t)
		sqlite3_bind_text(st, i, t, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

static void write_event(struct store *s, const struct qevent *e)
{
	sqlite3_stmt *d = s->up_dev, *h = s->ins_hist;

	/*
	 * The inventory no longer holds an evicted device (and its id is
	 * another's now): its row goes, its history stays, ending with why.
	 * A name someone gave it stays with its label (the device's MAC),
	 * without the id, so the device has it again when it comes back,
	 * after a restart too (devalias_load).
	 */
	if (e->ev == MODEL_EV_EVICTED) {
		sqlite3_bind_text(s->del_dev, 1, e->label, -1, SQLITE_STATIC);
		step_reset(s, s->del_dev, "device eviction");
		sqlite3_bind_text(s->keep_dev, 1, e->label, -1, SQLITE_STATIC);
		step_reset(s, s->keep_dev, "device eviction");
		goto history;
	}
	if (e->ev == EV_ALIAS) {
		sqlite3_bind_text(s->set_alias, 1, e->label, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s->set_alias, 2, e->id);
		bind_text_or_null(s->set_alias, 3, e->alias);
		step_reset(s, s->set_alias, "device alias");
		goto history;
	}
	sqlite3_bind_text(d, 1, e->label, -1, SQLITE_STATIC);
	sqlite3_bind_int64(d, 2, e->id);
	sqlite3_bind_text(d, 3, e->kind, -1, SQLITE_STATIC);
	sqlite3_bind_int64(d, 4, (sqlite3_int64)e->first_seen);
	sqlite3_bind_int64(d, 5, (sqlite3_int64)e->last_seen);
#define BIND_HAS(i, bit, v) \
	if (e->has & (bit)) sqlite3_bind_int64(d, i, v); \
	else sqlite3_bind_null(d, i)
	BIND_HAS(6, MODEL_HAS_VENDOR, e->vendor);
	BIND_HAS(7, MODEL_HAS_PRODUCT, e->product);
	BIND_HAS(8, MODEL_HAS_REVISION, e->revision);
	BIND_HAS(9, MODEL_HAS_SERIAL, e->serial);
#undef BIND_HAS
	bind_text_or_null(d, 10, e->station);
	bind_text_or_null(d, 11, e->ip);
	sqlite3_bind_text(d, 12, e->lifecycle, -1, SQLITE_STATIC);
	step_reset(s, d, "device");
	sqlite3_clear_bindings(d);
history:
	sqlite3_bind_int64(h, 1, (sqlite3_int64)e->ts_ns);
	sqlite3_bind_text(h, 2, e->label, -1, SQLITE_STATIC);
	sqlite3_bind_int64(h, 3, e->id);
	sqlite3_bind_text(h, 4, e->event, -1, SQLITE_STATIC);
	sqlite3_bind_text(h, 5, e->detail, -1, SQLITE_STATIC);
	step_reset(s, h, "device history");
	s->w.events_written++;
}


/*
 * 1 min rollups are computed from the 1 s rollups once a minute has
 * closed (one statement for every signal, instead of an upsert per
 * signal per transaction), inside the batch's transaction, with the
 * watermark in meta: a crash neither loses nor doubles a minute.
 * Late samples re-roll their minute; `open` also rolls the current one
 * (flush, exit), which the next pass recomputes when it closes.
 */
static void roll_minutes(struct store *s, uint64_t min_ts, uint64_t max_ts,
			 bool open)
{
	uint64_t from, to = max_ts / MINUTE_NS * MINUTE_NS;
	char v[32];

	if (!max_ts || (!s->rolled_until && !min_ts))
		return;
	if (!s->rolled_until)
		s->rolled_until = min_ts / MINUTE_NS * MINUTE_NS;
	from = s->rolled_until;
	if (min_ts && min_ts < from)
		from = min_ts / MINUTE_NS * MINUTE_NS;
	if (open)
		to += MINUTE_NS;
	if (to <= from) {
		/* the samples' clock stepped back behind the watermark: it
		 * follows them, or their minutes would never be rolled */
		if (from >= s->rolled_until)
			return;
		s->rolled_until = from;
		goto save;
	}
	sqlite3_bind_int64(s->up_1m, 1, (sqlite3_int64)from);
	sqlite3_bind_int64(s->up_1m, 2, (sqlite3_int64)to);
	step_reset(s, s->up_1m, "1 min rollup");
	s->w.rollups_written += (uint64_t)sqlite3_changes(s->db);
	if (!open || to - MINUTE_NS > s->rolled_until)
		s->rolled_until = open ? to - MINUTE_NS : to;
save:
	snprintf(v, sizeof(v), "%llu", (unsigned long long)s->rolled_until);
	sqlite3_bind_text(s->set_meta, 1, "rolled_1m_until", -1, SQLITE_STATIC);
	sqlite3_bind_text(s->set_meta, 2, v, -1, SQLITE_TRANSIENT);
	step_reset(s, s->set_meta, "meta");
}

/*
 * A batch is one transaction, all or nothing: with a statement failed
 * (disk full, I/O error) a COMMIT would keep the rest, rollups without
 * their raw block.  Rolled back, its rows are counted lost, not written,
 * so samples_written only ever counts samples on disk.  A batch refused
 * for space is tried once more without raw blocks (write_batch): only
 * then are its samples failed.
 */
struct batch_mark {
	struct store_counters w;
	uint64_t rolled_until, max_ts;
};

static void batch_undo(struct store *s, const struct batch_mark *before,
		       size_t nfailed)
{
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	s->w.samples_written = before->w.samples_written;
	s->w.blocks_written = before->w.blocks_written;
	s->w.rollups_written = before->w.rollups_written;
	s->w.events_written = before->w.events_written;
	s->w.raw_shed = before->w.raw_shed;
	s->w.samples_failed += nfailed;
	s->rolled_until = before->rolled_until;
	s->max_ts = before->max_ts;
}

/* One transaction of the batch; false when it rolled back (last: its
 * samples count as failed). */
static bool write_txn(struct store *s, const struct qsample *q,
		      struct vec *sv, struct vec *ev, struct vec *dv,
		      uint8_t *blob, bool open, bool last)
{
	struct batch_mark before = { s->w, s->rolled_until, s->max_ts };
	uint64_t lo = 0, hi = 0;
	size_t i, j;

	s->batch_failed = s->full_hit = false;
	if (sqlite3_exec(s->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK) {
		sql_fail(s, "begin");
		batch_undo(s, &before, last ? sv->n : 0);
		return false;
	}
	for (i = 0; i < dv->n; i++) {
		const struct qsigdef *g = (const struct qsigdef *)dv->v + i;

		sqlite3_bind_int64(s->up_sig, 1, g->id);
		sqlite3_bind_text(s->up_sig, 2, g->name, -1, SQLITE_STATIC);
		sqlite3_bind_text(s->up_sig, 3, g->device, -1, SQLITE_STATIC);
		sqlite3_bind_text(s->up_sig, 4, g->unit, -1, SQLITE_STATIC);
		step_reset(s, s->up_sig, "signal");
	}
	for (i = 0; i < sv->n && !s->batch_failed; i = j) {
		for (j = i + 1; j < sv->n && q[j].signal == q[i].signal; j++)
			;
		write_signal(s, q + i, j - i, blob);
	}
	for (i = 0; i < ev->n && !s->batch_failed; i++)
		write_event(s, (const struct qevent *)ev->v + i);
	for (i = 0; i < sv->n; i++) {
		if (!lo || q[i].ts_ns < lo)
			lo = q[i].ts_ns;
		if (q[i].ts_ns > hi)
			hi = q[i].ts_ns;
	}
	if (hi > s->max_ts)
		s->max_ts = hi;
	roll_minutes(s, lo, open ? s->max_ts : hi, open);
	if (!s->batch_failed &&
	    sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		sql_fail(s, "commit");
	if (s->batch_failed) {
		batch_undo(s, &before, last ? sv->n : 0);
		return false;
	}
	s->w.transactions++;
	return true;
}

static void write_batch(struct store *s, struct vec *sv, struct vec *ev,
			struct vec *dv, bool open)
{
	struct qsample *q = NULL;
	uint8_t *blob = NULL;
	uint64_t t0 = now_ms(), t0_ns = now_ns(), dt;

	if (!sv->n && !ev->n && !dv->n && !(open && s->max_ts))
		return;
	if (sv->n) {
		q = group_by_signal(s, sv);
		/*
		 * The batch is grouped in the other array: the queue's goes
		 * back before the commit, which can take a second on a busy
		 * disk while the producer fills its next queue.
		 */
		if (q && q != sv->v)
			vec_shrink(sv, 65536);
		else if (q)
			vec_shrink(&s->sorted, 65536);
		blob = malloc(STORE_BLOCK_MAX * 12);
		if (!q || !blob) {
			/* the batch's events and definitions still go in */
			log_warnx("store: no memory to write %zu samples, "
				  "dropped", sv->n);
			s->w.samples_lost += sv->n;
			free(blob);
			blob = NULL;
			q = NULL;
			sv->n = 0;
		}
	}
	if (!sv->n && !ev->n && !dv->n && !(open && s->max_ts))
		return;
	if (!write_txn(s, q, sv, ev, dv, blob, open, false) && s->full_hit) {
		/* refused for space: degrade and keep what matters */
		s->w.disk_full_errors++;
		disk_check(s, true);
		if (!write_txn(s, q, sv, ev, dv, blob, open, true) &&
		    s->full_hit)
			s->w.disk_full_errors++;
	} else if (s->batch_failed) {
		s->w.samples_failed += sv->n;	/* another error: no retry */
	}
	free(blob);
	dt = (now_ms() - t0) * 1000;
	hist_add(&s->commit_hist, now_ns() - t0_ns);
	if (dt > s->w.commit_max_us)
		s->w.commit_max_us = dt;
	sv->n = ev->n = dv->n = 0;
}

static int64_t query_i64(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	int64_t v = -1;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static uint64_t wal_bytes(const char *path)
{
	char w[4200];
	struct stat st;

	snprintf(w, sizeof(w), "%s-wal", path);
	return stat(w, &st) ? 0 : (uint64_t)st.st_size;
}

/* Delete rows in chunks; returns rows deleted. */
static uint64_t delete_chunked(struct store *s, const char *sql,
			       int64_t bound, int max_rounds)
{
	sqlite3_stmt *st;
	uint64_t total = 0;
	int r, ch;

	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
		sql_fail(s, "prepare delete");
		return 0;
	}
	for (r = 0; r < max_rounds; r++) {
		sqlite3_bind_int64(st, 1, bound);
		if (sqlite3_step(st) != SQLITE_DONE) {
			sql_fail(s, "delete");
			break;
		}
		sqlite3_reset(st);
		ch = sqlite3_changes(s->db);
		total += (uint64_t)ch;
		if (ch < 2000)
			break;
	}
	sqlite3_finalize(st);
	return total;
}

static uint64_t used_bytes(struct store *s)
{
	int64_t pc = query_i64(s->db, "PRAGMA page_count");
	int64_t fl = query_i64(s->db, "PRAGMA freelist_count");
	int64_t ps = query_i64(s->db, "PRAGMA page_size");

	if (pc < 0 || fl < 0 || ps < 0)
		return 0;
	return (uint64_t)(pc - fl) * (uint64_t)ps;
}

/* Retention and the disk cap: oldest raw first, then 1 s rollups. */
static void maintain(struct store *s, const struct store_opts *o)
{
	struct timespec ts;
	uint64_t now, steady, n;
	int rounds = 0;

	/*
	 * Rows age by the time that really passed: the earlier of the wall
	 * clock and the wall clock at open plus the monotonic time since.
	 * A step forward (NTP, date -s) then deletes nothing early, a step
	 * back keeps the rows stamped after it.
	 */
	clock_gettime(CLOCK_REALTIME, &ts);
	now = (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
	steady = s->open_wall_ns + (now_ns() - s->open_mono_ns);
	if (steady < now)
		now = steady;
	sqlite3_exec(s->db, "BEGIN", NULL, NULL, NULL);
	n = delete_chunked(s, "DELETE FROM samples_raw WHERE rowid IN (SELECT"
			   " rowid FROM samples_raw ORDER BY rowid LIMIT 2000)"
			   " AND t1 < ?", (int64_t)(now -
			   o->raw_retention_ms * 1000000ULL), 50);
	n += delete_chunked(s, "DELETE FROM roll_1s WHERE (signal,t) IN"
			    " (SELECT signal,t FROM roll_1s WHERE t < ?"
			    " LIMIT 2000)",
			    (int64_t)(now - o->sec_retention_ms * 1000000ULL),
			    50);
	n += delete_chunked(s, "DELETE FROM roll_1m WHERE (signal,t) IN"
			    " (SELECT signal,t FROM roll_1m WHERE t < ?"
			    " LIMIT 2000)",
			    (int64_t)(now - o->min_retention_ms * 1000000ULL),
			    50);
	s->w.retention_deleted += n;
	/* leave a quarter of the cap for the WAL between checkpoints */
	/* small steps: a raw block holds up to STORE_BLOCK_MAX values */
	while (used_bytes(s) > o->max_bytes / 4 * 3 && rounds++ < 5000) {
		n = delete_chunked(s, "DELETE FROM samples_raw WHERE rowid IN"
				   " (SELECT rowid FROM samples_raw ORDER BY"
				   " rowid LIMIT 64) AND ?1 = 0", 0, 1);
		if (!n)
			n = delete_chunked(s, "DELETE FROM roll_1s WHERE"
					   " (signal,t) IN (SELECT signal,t FROM"
					   " roll_1s ORDER BY t LIMIT 256)"
					   " AND ?1 = 0",
					   0, 1);
		if (!n)
			break;
		s->w.cap_deleted += n;
	}
	/* a COMMIT refused for space leaves the transaction open */
	if (sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK &&
	    !sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	if (query_i64(s->db, "PRAGMA freelist_count") > 256)
		sqlite3_exec(s->db, "PRAGMA incremental_vacuum", NULL, NULL,
			     NULL);
	/* batches come in bursts: give the peak's heap back */
	malloc_trim(0);
}

static void checkpoint(struct store *s, bool force)
{
	uint64_t w = wal_bytes(s->path);
	int mode;

	if (!force && w < (4U << 20))
		return;
	/* TRUNCATE gives the WAL's disk back; PASSIVE never waits */
	mode = force || w > s->o.max_bytes / 8 ? SQLITE_CHECKPOINT_TRUNCATE :
		SQLITE_CHECKPOINT_PASSIVE;
	if (sqlite3_wal_checkpoint_v2(s->db, NULL, mode, NULL, NULL) !=
	    SQLITE_OK && mode == SQLITE_CHECKPOINT_TRUNCATE)
		sqlite3_wal_checkpoint_v2(s->db, NULL,
					  SQLITE_CHECKPOINT_PASSIVE, NULL,
					  NULL);
	s->w.checkpoints++;
}

/* cv waits on CLOCK_MONOTONIC: a wall clock step never holds the batch
 * (a deadline days away, or long passed) */
static void deadline_in(struct timespec *dl, uint64_t ms)
{
	clock_gettime(CLOCK_MONOTONIC, dl);
	dl->tv_nsec += (long)(ms % 1000) * 1000000L;
	dl->tv_sec += (time_t)(ms / 1000) + dl->tv_nsec / 1000000000L;
	dl->tv_nsec %= 1000000000L;
}

static void *writer(void *arg)
{
	struct store *s = arg;
	struct vec sv = { .elem = sizeof(struct qsample) };
	struct vec ev = { .elem = sizeof(struct qevent) };
	struct vec dv = { .elem = sizeof(struct qsigdef) };
	struct store_opts o;
	uint64_t req;
	bool stop;

	for (;;) {
		struct timespec dl;
		bool soon = false;

		pthread_mutex_lock(&s->mu);
		deadline_in(&dl, s->o.flush_ms);
		while (!s->stop && s->flush_req == s->flush_done &&
		       s->samples.n + s->events.n < s->o.batch_rows) {
			/* the inventory's events and names are what people
			 * look at next (a device renamed, then its history):
			 * they wait STORE_EVENT_FLUSH_MS, not a whole flush */
			if (!soon && (s->events.n || s->sigdefs.n)) {
				struct timespec e;

				deadline_in(&e, STORE_EVENT_FLUSH_MS);
				if (e.tv_sec < dl.tv_sec ||
				    (e.tv_sec == dl.tv_sec &&
				     e.tv_nsec < dl.tv_nsec))
					dl = e;
				soon = true;
			}
			if (pthread_cond_timedwait(&s->cv, &s->mu, &dl) ==
			    ETIMEDOUT)
				break;
		}
		vec_swap(&sv, &s->samples);
		vec_swap(&ev, &s->events);
		vec_swap(&dv, &s->sigdefs);
		req = s->flush_req;
		stop = s->stop;
		o = s->o;
		pthread_mutex_unlock(&s->mu);

		s->dk.min_free = o.min_free;
		disk_check(s, false);
		write_batch(s, &sv, &ev, &dv, stop || req != s->flush_done);
		/* a burst's buffers go back: the next batch is usually small
		 * (the signal definitions come once, 10,000 are 1.5 MB) */
		vec_shrink(&sv, 65536);
		vec_shrink(&ev, 1024);
		vec_shrink(&dv, 1024);
		vec_shrink(&s->sorted, 65536);
		if (now_ms() - s->last_maint_ms > 5000) {
			maintain(s, &o);
			s->last_maint_ms = now_ms();
		}
		if (now_ms() - s->last_ckpt_ms > 1000 || stop) {
			checkpoint(s, stop);
			s->last_ckpt_ms = now_ms();
		}
		pthread_mutex_lock(&s->mu);
		s->wsnap = s->w;
		s->flush_done = req;
		pthread_cond_broadcast(&s->done_cv);
		if (stop && !s->samples.n && !s->events.n) {
			pthread_mutex_unlock(&s->mu);
			break;
		}
		pthread_mutex_unlock(&s->mu);
	}
	free(sv.v);
	free(ev.v);
	free(dv.v);
	return NULL;
}

struct store *store_open(const struct store_opts *o, char *err,
			 size_t errlen)
{
	struct store *s = calloc(1, sizeof(*s));

	if (!s) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	s->o = *o;
	if (!s->o.flush_ms)
		s->o.flush_ms = STORE_FLUSH_MS;
	if (!s->o.batch_rows)
		s->o.batch_rows = STORE_BATCH_ROWS;
	if (!s->o.queue_len)
		s->o.queue_len = 1U << 18;
	if (snprintf(s->path, sizeof(s->path), "%s", o->path) >=
	    (int)sizeof(s->path)) {
		snprintf(err, errlen, "database path too long");
		free(s);
		return NULL;
	}
	snprintf(s->dir, sizeof(s->dir), "%s", s->path);
	if (strrchr(s->dir, '/'))
		*strrchr(s->dir, '/') = 0;
	else
		snprintf(s->dir, sizeof(s->dir), ".");
	if (!s->dir[0])
		snprintf(s->dir, sizeof(s->dir), "/");
	s->samples.elem = sizeof(struct qsample);
	s->events.elem = sizeof(struct qevent);
	s->sigdefs.elem = sizeof(struct qsigdef);
	pimutex_init(&s->mu);
	{
		pthread_condattr_t ca;
		struct timespec w;

		pthread_condattr_init(&ca);
		pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
		pthread_cond_init(&s->cv, &ca);
		pthread_condattr_destroy(&ca);
		clock_gettime(CLOCK_REALTIME, &w);
		s->open_wall_ns = (uint64_t)w.tv_sec * 1000000000ULL +
				  (uint64_t)w.tv_nsec;
		s->open_mono_ns = now_ns();
	}
	pthread_cond_init(&s->done_cv, NULL);
	if (setup_db(s, err, errlen))
		goto fail;
	sqlite3_bind_text(s->get_meta, 1, "rolled_1m_until", -1, SQLITE_STATIC);
	if (sqlite3_step(s->get_meta) == SQLITE_ROW)
		s->rolled_until = (uint64_t)sqlite3_column_int64(s->get_meta, 0);
	sqlite3_reset(s->get_meta);
	/* what earlier runs left unrolled (killed before a minute closed)
	 * is rolled at the next flush or exit */
	{
		int64_t lo = query_i64(s->db, "SELECT min(t) FROM roll_1s");
		int64_t hi = query_i64(s->db, "SELECT max(t) FROM roll_1s");

		if (!s->rolled_until && lo > 0)
			s->rolled_until = (uint64_t)lo / MINUTE_NS * MINUTE_NS;
		if (hi > 0)
			s->max_ts = (uint64_t)hi;
	}
	s->last_ckpt_ms = s->last_maint_ms = now_ms();
	if (pthread_create(&s->thread, NULL, writer, s)) {
		snprintf(err, errlen, "cannot start the store writer");
		goto fail;
	}
	pthread_setname_np(s->thread, "iiotd-store");
	return s;
fail:
	finalize_all(s);
	sqlite3_close(s->db);
	free(s);
	return NULL;
}

void store_flush(struct store *s)
{
	uint64_t want;

	pthread_mutex_lock(&s->mu);
	want = ++s->flush_req;
	pthread_cond_signal(&s->cv);
	while (s->flush_done < want)
		pthread_cond_wait(&s->done_cv, &s->mu);
	pthread_mutex_unlock(&s->mu);
}

void store_close(struct store *s)
{
	if (!s)
		return;
	pthread_mutex_lock(&s->mu);
	s->stop = true;
	pthread_cond_signal(&s->cv);
	pthread_mutex_unlock(&s->mu);
	pthread_join(s->thread, NULL);
	finalize_all(s);
	if (sqlite3_close(s->db) != SQLITE_OK)
		log_warnx("store: close: %s", sqlite3_errmsg(s->db));
	free(s->samples.v);
	free(s->stage.v);
	free(s->events.v);
	free(s->sigdefs.v);
	free(s->count);
	free(s->sorted.v);
	pthread_mutex_destroy(&s->mu);
	pthread_cond_destroy(&s->cv);
	pthread_cond_destroy(&s->done_cv);
	free(s);
}

void store_reconfigure(struct store *s, const struct store_opts *o)
{
	pthread_mutex_lock(&s->mu);
	s->o.flush_ms = o->flush_ms ? o->flush_ms : STORE_FLUSH_MS;
	s->o.batch_rows = o->batch_rows ? o->batch_rows : STORE_BATCH_ROWS;
	s->o.raw_retention_ms = o->raw_retention_ms;
	s->o.sec_retention_ms = o->sec_retention_ms;
	s->o.min_retention_ms = o->min_retention_ms;
	s->o.max_bytes = o->max_bytes;
	s->o.min_free = o->min_free;
	if (o->queue_len)
		s->o.queue_len = o->queue_len;
	pthread_mutex_unlock(&s->mu);
}

/* the store this thread stages for, NULL: none */
static __thread struct store *staged;

/*
 * Under a capture flood the capture thread puts a million samples a
 * second: a lock each kept s->mu held a good part of the time, and every
 * reader of the counters (each API overview, iiotctl stats) that found it
 * held slept on the (priority-inheriting) futex and waited for a CPU to
 * wake on.  The staged samples go over in one copy under one lock.
 */
static void stage_hand(struct store *s)
{
	size_t n = s->stage.n, room;

	pthread_mutex_lock(&s->mu);
	room = s->o.queue_len > s->samples.n ?
	       s->o.queue_len - s->samples.n : 0;
	if (n > room)
		n = room;	/* queue_len lowered since the last hand */
	if (n && vec_reserve(&s->samples, s->samples.n + n, s->o.queue_len)) {
		memcpy((char *)s->samples.v + s->samples.n * s->samples.elem,
		       s->stage.v, n * sizeof(*s->stage.v));
		s->samples.n += n;
	} else {
		n = 0;	/* no memory to grow the queue: dropped, as vec_push */
	}
	s->ctr.samples_in += n;
	s->ctr.samples_dropped += s->stage.dropped + (s->stage.n - n);
	room = s->o.queue_len > s->samples.n ?
	       s->o.queue_len - s->samples.n : 0;
	if (s->samples.n >= s->o.batch_rows)
		pthread_cond_signal(&s->cv);
	pthread_mutex_unlock(&s->mu);
	s->stage.n = 0;
	s->stage.dropped = 0;
	s->stage.room = room < STAGE_MAX ? room : STAGE_MAX;
	s->stage.full = !s->stage.room;
}

void store_stage_begin(struct store *s)
{
	if (!s || staged || __atomic_exchange_n(&s->staging, 1,
						 __ATOMIC_ACQUIRE))
		return;
	if (!s->stage.v && !(s->stage.v = malloc(STAGE_MAX *
						    sizeof(*s->stage.v)))) {
		__atomic_store_n(&s->staging, 0, __ATOMIC_RELEASE);
		return;
	}
	/* the first sample finds out how much room the queue has */
	s->stage.n = 0;
	s->stage.room = 0;
	s->stage.dropped = 0;
	s->stage.full = false;
	staged = s;
}

void store_stage_end(struct store *s)
{
	if (!s || staged != s)
		return;
	if (s->stage.n || s->stage.dropped)
		stage_hand(s);
	staged = NULL;
	__atomic_store_n(&s->staging, 0, __ATOMIC_RELEASE);
}

static bool stage_put(struct store *s, const struct qsample *q)
{
	if (s->stage.n == s->stage.room && !s->stage.full)
		stage_hand(s);
	if (s->stage.n == s->stage.room) {
		s->stage.dropped++;
		return false;
	}
	s->stage.v[s->stage.n++] = *q;
	return true;
}

bool store_put_sample(struct store *s, uint32_t signal, uint64_t ts_ns,
		      double value)
{
	struct qsample q = { .ts_ns = ts_ns, .value = value,
			     .signal = signal };
	bool ok;

	/* NaN would poison min/max/sum of a rollup forever */
	if (!isfinite(value))
		q.value = 0;
	if (staged == s)
		return stage_put(s, &q);
	pthread_mutex_lock(&s->mu);
	ok = vec_push(&s->samples, &q, s->o.queue_len);
	if (ok)
		s->ctr.samples_in++;
	else
		s->ctr.samples_dropped++;
	if (s->samples.n >= s->o.batch_rows)
		pthread_cond_signal(&s->cv);
	pthread_mutex_unlock(&s->mu);
	return ok;
}

static bool queue_event(struct store *s, const struct qevent *e)
{
	bool ok;

	pthread_mutex_lock(&s->mu);
	/* events are rare next to samples: a small separate limit */
	ok = vec_push(&s->events, e, 65536);
	if (!ok)
		s->ctr.events_dropped++;
	else if (s->events.n == 1)
		pthread_cond_signal(&s->cv);	/* its sooner deadline */
	pthread_mutex_unlock(&s->mu);
	return ok;
}

bool store_device_event(struct store *s, const struct model_device *d,
			const char *label, const char *kind, unsigned int ev,
			const char *event, const char *detail,
			uint64_t ts_ns)
{
	struct qevent e;

	memset(&e, 0, sizeof(e));
	e.ev = (uint8_t)ev;
	e.ts_ns = ts_ns;
	e.id = d->id;
	snprintf(e.label, sizeof(e.label), "%s", label);
	snprintf(e.kind, sizeof(e.kind), "%s", kind);
	snprintf(e.event, sizeof(e.event), "%s", event);
	/* printable UTF-8 cut between characters, whatever the caller
	 * passes: a row that is not UTF-8 vanishes from every JSON answer */
	wire_str(e.detail, sizeof(e.detail), detail, strlen(detail));
	if (d->has & MODEL_HAS_NAME)
		wire_str(e.station, sizeof(e.station), d->station_name,
			 strlen(d->station_name));
	if (d->has & MODEL_HAS_IP)
		snprintf(e.ip, sizeof(e.ip), "%u.%u.%u.%u", d->ip >> 24,
			 (d->ip >> 16) & 0xff, (d->ip >> 8) & 0xff,
			 d->ip & 0xff);
	snprintf(e.lifecycle, sizeof(e.lifecycle), "%s",
		 model_lifecycle_name(d->lifecycle));
	e.first_seen = d->first_seen_ns;
	e.last_seen = d->last_seen_ns;
	e.vendor = d->vendor_id;
	e.product = d->product_code;
	e.revision = d->revision;
	e.serial = d->serial;
	e.has = d->has;
	return queue_event(s, &e);
}

bool store_device_alias(struct store *s, uint32_t id, const char *label,
			const char *alias, const char *detail, uint64_t ts_ns)
{
	struct qevent e;

	memset(&e, 0, sizeof(e));
	e.ev = EV_ALIAS;
	e.ts_ns = ts_ns;
	e.id = id;
	snprintf(e.label, sizeof(e.label), "%s", label);
	snprintf(e.event, sizeof(e.event), "alias");
	wire_str(e.detail, sizeof(e.detail), detail, strlen(detail));
	/* model_alias_check passed it: UTF-8 without controls */
	snprintf(e.alias, sizeof(e.alias), "%s", alias ? alias : "");
	return queue_event(s, &e);
}

bool store_signal_def(struct store *s, uint32_t id, const char *name,
		      const char *device, const char *unit)
{
	struct qsigdef g;
	bool ok;

	memset(&g, 0, sizeof(g));
	g.id = id;
	snprintf(g.name, sizeof(g.name), "%s", name);
	snprintf(g.device, sizeof(g.device), "%s", device);
	snprintf(g.unit, sizeof(g.unit), "%s", unit);
	pthread_mutex_lock(&s->mu);
	ok = vec_push(&s->sigdefs, &g, MODEL_MAX_SIGNALS);
	if (ok && s->sigdefs.n == 1)
		pthread_cond_signal(&s->cv);
	pthread_mutex_unlock(&s->mu);
	return ok;
}

json_t *store_commit_json(struct store *s)
{
	return hist_json(&s->commit_hist);
}

void store_get_counters(struct store *s, struct store_counters *out)
{
	pthread_mutex_lock(&s->mu);
	*out = s->wsnap;
	out->samples_in = s->ctr.samples_in;
	out->samples_dropped = s->ctr.samples_dropped;
	out->events_dropped = s->ctr.events_dropped;
	pthread_mutex_unlock(&s->mu);
}

void store_get_disk(struct store *s, struct store_disk *out)
{
	pthread_mutex_lock(&s->mu);
	*out = s->disk;
	pthread_mutex_unlock(&s->mu);
}

const char *store_path(const struct store *s)
{
	return s->path;
}

uint64_t store_disk_bytes(const struct store *s)
{
	struct stat st;

	return (stat(s->path, &st) ? 0 : (uint64_t)st.st_size) +
	       wal_bytes(s->path);
}
