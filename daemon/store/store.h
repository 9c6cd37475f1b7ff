/*
 * The time-series and inventory store: SQLite in WAL mode.
 *
 * Writes go through one writer thread fed by a bounded queue, so the event
 * loop never waits for the disk: store_put_sample() and
 * store_device_event() only copy into the queue (a full queue drops and
 * counts).  The writer commits every flush_ms or batch_rows rows, runs WAL
 * checkpoints itself, keeps 1 s rollups (upserted with the raw blocks)
 * and 1 min rollups (rolled from the 1 s ones when a minute closes), all
 * min/max/sum/count, applies retention and a hard cap on the database
 * size (oldest raw blocks go first, then oldest 1 s rollups).
 *
 * Samples are stored in blocks: one row per signal per transaction
 * holding up to STORE_BLOCK_MAX values (u32 ns after t0 + f64, LE).
 *
 * Readers (store_query_*) run on a read-only connection of the caller's,
 * any thread: the daemon's are on a pool of reader threads (readpool.h),
 * never on the event loop.
 */
#ifndef IIOTD_STORE_H
#define IIOTD_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define STORE_SCHEMA_VERSION	4
#define STORE_BLOCK_MAX		512	/* values per raw block */

/*
 * A transaction every second, or every 65,536 samples.  Each one rewrites
 * the index pages of every signal it touches: at 100 ms (and 4,096 rows)
 * the analog line's 5,800 signals, sampled every 100 ms, cost 67 % of a
 * core and 149 MB/s written for 1.3 samples a block; at 1 s, 9 % and
 * 14 MB/s, 10 samples a block (docs/iiotd.md, "Store").
 */
#define STORE_FLUSH_MS		1000
#define STORE_BATCH_ROWS	65536
/* device events, names and signal definitions: committed this soon */
#define STORE_EVENT_FLUSH_MS	100

struct store_opts {
	const char *path;		/* database file */
	uint64_t flush_ms;		/* ≤ this long per transaction */
	uint64_t batch_rows;		/* or this many rows */
	uint64_t raw_retention_ms;	/* raw blocks kept (1 d) */
	uint64_t sec_retention_ms;	/* 1 s rollups kept (7 d) */
	uint64_t min_retention_ms;	/* 1 min rollups kept (365 d) */
	uint64_t max_bytes;		/* hard cap of db + wal (1 GiB) */
	uint64_t min_free;		/* bytes kept free on the file system
					 * (32 MiB): below, raw samples are
					 * shed (store_get_disk) */
	uint64_t queue_len;		/* samples queued before drops (256 k) */
	bool sync_normal;		/* synchronous=NORMAL (else FULL) */
	uint64_t readers;		/* reader threads (readpool.h), not
					 * reloaded */
};

/* Store counters: X(name, "what") */
#define STORE_COUNTERS(X) \
	X(samples_in,		"samples accepted into the queue")	\
	X(samples_dropped,	"samples dropped: queue full")		\
	X(samples_lost,		"samples dropped: no memory to sort a batch")\
	X(samples_written,	"samples committed to raw blocks")	\
	X(samples_failed,	"samples lost: their transaction failed")	\
	X(blocks_written,	"raw block rows committed")		\
	X(rollups_written,	"rollup rows committed")		\
	X(events_written,	"device history rows committed")	\
	X(events_dropped,	"device events dropped: queue full")	\
	X(transactions,		"transactions committed")		\
	X(checkpoints,		"WAL checkpoints run")			\
	X(retention_deleted,	"rows deleted by retention")		\
	X(cap_deleted,		"rows deleted to stay under max_bytes")	\
	X(write_errors,		"SQLite errors in the writer")		\
	X(raw_shed,		"samples kept in rollups only: disk low") \
	X(disk_full_errors,	"transactions refused by a full disk")	\
	X(degraded_episodes,	"times the store degraded for disk")	\
	X(commit_max_us,	"longest commit (µs)")

struct store_counters {
#define STORE_X_FIELD(n, d) uint64_t n;
	STORE_COUNTERS(STORE_X_FIELD)
#undef STORE_X_FIELD
};

extern const char *const store_counter_names[];
extern const size_t store_counter_count;

struct store;

/* Default options; path must still be set. */
void store_opts_default(struct store_opts *o);

/*
 * Open (creating and migrating the schema), start the writer thread.
 * NULL with a message in err.
 */
struct store *store_open(const struct store_opts *o, char *err,
			 size_t errlen);
/* Flush everything queued, commit, checkpoint, stop, close. */
void store_close(struct store *s);
/* Commit what is queued now and wait for it (SIGTERM, tests). */
void store_flush(struct store *s);
/* Reloadable options: retention, cap, flush interval. */
void store_reconfigure(struct store *s, const struct store_opts *o);

/* ---- writes (any thread) --------------------------------------------- */
/* false: the queue is full, the sample dropped and counted */
bool store_put_sample(struct store *s, uint32_t signal, uint64_t ts_ns,
		      double value);
/*
 * A drain turn's samples under one lock, not one each: between
 * store_stage_begin and store_stage_end the calling thread's
 * store_put_sample() copies into a buffer of the store's with no lock,
 * handed to the writer's queue (one lock) when the buffer fills and at
 * store_stage_end.  One thread stages at a time (the capture thread);
 * another one's begin is a no-op and its samples take the lock each.
 * Drops are counted as without staging: a sample that finds the queue
 * full at its buffer's hand-over is refused.  NULL s: no-ops.
 */
void store_stage_begin(struct store *s);
void store_stage_end(struct store *s);
/* Upsert the device row and append a history row. */
struct model_device;
bool store_device_event(struct store *s, const struct model_device *d,
			const char *label, const char *kind, unsigned int ev,
			const char *event, const char *detail,
			uint64_t ts_ns);
/*
 * Set (alias "" or NULL: clear) the alias of the device labelled label,
 * in its row (made if the device has none yet) and, with detail, in its
 * history.  The alias must have passed model_alias_check.
 */
bool store_device_alias(struct store *s, uint32_t id, const char *label,
			const char *alias, const char *detail, uint64_t ts_ns);
/* Record a signal's definition (name, unit) for readers. */
bool store_signal_def(struct store *s, uint32_t id, const char *name,
		      const char *device, const char *unit);

void store_get_counters(struct store *s, struct store_counters *out);

/*
 * The store's disk state.  With less than min_free bytes free on its file
 * system, or after a write refused with SQLITE_FULL, the store degrades:
 * raw samples are no longer stored (counted in raw_shed), the rollups,
 * devices and history still are, and the WAL is given back, so the
 * reserve keeps users, settings and the audit log (in their own
 * databases on the same file system) writable.  It recovers by itself
 * once twice min_free is free again.
 */
struct store_disk {
	bool degraded;
	uint64_t free_bytes;		/* at the writer's last look */
	uint64_t min_free;
	int64_t since;			/* CLOCK_REALTIME s degraded, 0 */
	char reason[160];		/* why, while degraded */
};
void store_get_disk(struct store *s, struct store_disk *out);
const char *store_path(const struct store *s);
/* Bytes of the database plus its WAL. */
uint64_t store_disk_bytes(const struct store *s);
struct json_t;
/* commit latency as a histogram (core/hist.h) */
struct json_t *store_commit_json(struct store *s);

/* ---- reads (any thread) ---------------------------------------------- */
/* A read-only connection for store_query_*; NULL with err. */
struct sqlite3 *store_reader_open(const char *path, char *err, size_t errlen);
enum store_rollup {
	STORE_RAW = 0,
	STORE_1S,
	STORE_1M,
	STORE_AUTO,		/* the finest with ≤ max_points in range */
};

struct store_point {
	uint64_t ts_ns;		/* sample time, or bucket start */
	double min, max, avg;	/* raw: all three the value */
	uint64_t count;		/* raw: 1 */
};

/*
 * Samples of one signal in [from_ns, to_ns), oldest first, at most
 * max_points (0: no limit) points passed to cb; cb returns false to stop.
 * Returns the number of points or -1 with err set.
 */
struct sqlite3;
long store_query_samples(struct sqlite3 *db, uint32_t signal,
			 uint64_t from_ns, uint64_t to_ns,
			 enum store_rollup rollup, size_t max_points,
			 bool (*cb)(void *arg, const struct store_point *p),
			 void *arg, char *err, size_t errlen);

struct store_history {
	uint64_t ts_ns;
	uint32_t device;	/* model device id */
	const char *label;
	const char *event;	/* "discovered", "online", ... */
	const char *detail;
};

/*
 * History of one device by its label (model_device_label; NULL: every
 * device), newest first, at most limit rows.
 */
long store_query_history(struct sqlite3 *db, const char *label, size_t limit,
			 bool (*cb)(void *arg, const struct store_history *h),
			 void *arg, char *err, size_t errlen);

/*
 * Every device alias in the store at db_path (a database that does not
 * exist yet has none): cb(label, alias) each.  How many, or -1 with err.
 */
long store_query_aliases(const char *db_path,
			 void (*cb)(void *arg, const char *label,
				    const char *alias),
			 void *arg, char *err, size_t errlen);

/*
 * Signal definitions with id >= min_id (the diagnostics' series of link
 * statistics, daemon/diag/linkhist.h), by id; cb returns false to stop.
 * Returns how many or -1 with err set.
 */
long store_query_signal_defs(const char *db_path, uint32_t min_id,
			     bool (*cb)(void *arg, uint32_t id,
					const char *name, const char *device),
			     void *arg, char *err, size_t errlen);

#endif
