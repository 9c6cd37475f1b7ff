/*
 * Readers of the store on a small pool of threads, each with its own
 * read-only connection (WAL: readers never wait for the writer), so that
 * no SQL ever runs on the event loop.
 *
 * A job's work runs on a pool thread with that thread's connection; its
 * done callback follows on the event-loop thread, through an eventfd, so
 * callers keep their state single-threaded.  done runs exactly once for
 * every job accepted, always later (never inside readpool_submit or
 * readpool_cancel): with cancelled true when the job was cancelled or the
 * pool freed first, so that the callback only frees what it owns.  A
 * connection that fails to open is retried by the next job (its work gets
 * db NULL and says so).  The queue is bounded: a full one refuses.
 *
 * The pool's threads run at iiotd's nice value at start (0), above the
 * loop's once it takes [capture] loop_nice (-10, as root): their queries
 * wait for capture and for the loop's short work, never the other way
 * round.  Not higher than 0: an API request waits for its query, and at
 * nice 5 on a loaded machine the queries waited behind every other
 * process (bench/dashboard.bench: iiotd's own p99 of a dashboard's
 * history calls <= 100 ms at 5, <= 50 ms at 0).
 */
#ifndef IIOTD_READPOOL_H
#define IIOTD_READPOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define READPOOL_THREADS_MAX	8
#define READPOOL_THREADS	2	/* [store] readers */
#define READPOOL_QUEUE		64	/* jobs waiting at most */
#define READPOOL_NICE		0	/* added to iiotd's nice value at start */
#define READPOOL_BUSY_MS	20000	/* a lock waited for (WAL: rare) */
#define READPOOL_BUSY_STEP_MS	5

struct event_base;
struct sqlite3;
struct readpool;
struct readpool_job;

/* On a pool thread; db NULL when the database cannot be opened (err). */
typedef void (*readpool_work_fn)(void *arg, struct sqlite3 *db,
				 const char *err);
/* On the loop thread, once per accepted job. */
typedef void (*readpool_done_fn)(void *arg, bool cancelled);

#define READPOOL_COUNTERS(X) \
	X(jobs,		"jobs accepted")				\
	X(busy,		"jobs refused: queue full")			\
	X(cancelled,	"jobs cancelled: requester gone")		\
	X(done,		"jobs delivered")				\
	X(pending,	"jobs accepted, not yet delivered")		\
	X(running,	"jobs running on a reader now")			\
	X(opens,	"read-only connections opened")			\
	X(open_errors,	"read-only connections that failed to open")

struct readpool_counters {
#define READPOOL_X_FIELD(n, d) uint64_t n;
	READPOOL_COUNTERS(READPOOL_X_FIELD)
#undef READPOOL_X_FIELD
};

/*
 * threads (1..READPOOL_THREADS_MAX) on db_path (NULL: jobs that need no
 * database, db always NULL and err ""), at most threads + queue
 * jobs at once, nice_incr added to the threads' nice value.  NULL with a
 * reason in err.
 */
struct readpool *readpool_new(struct event_base *base, const char *db_path,
			      int threads, int queue, int nice_incr,
			      char *err, size_t errlen);
/* Joins the threads; every job not yet delivered is, as cancelled. */
void readpool_free(struct readpool *p);
/*
 * Queue a job (loop thread).  NULL with errno EAGAIN when the queue is
 * full (counted in busy) or ENOMEM; done is not called then.
 */
struct readpool_job *readpool_submit(struct readpool *p, readpool_work_fn work,
				     readpool_done_fn done, void *arg);
/* Loop thread: done follows with cancelled true; j is not used again. */
void readpool_cancel(struct readpool_job *j);

/* Loop thread only. */
void readpool_get_counters(const struct readpool *p,
			   struct readpool_counters *out);
int readpool_threads(const struct readpool *p);
/* Nice value the threads run at (relative to the process's at start). */
int readpool_nice(const struct readpool *p);

#endif
