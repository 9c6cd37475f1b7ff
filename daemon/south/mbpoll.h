/*
 * One Modbus TCP device's poller (mbpoll.c): its own thread, its own
 * connection.  It scans each scan class when due with the class's
 * coalesced reads, retries a failed read, degrades the device after
 * degraded_after failed scans in a row and then tries it every retry;
 * writes queued by other threads go out between two scans on the same
 * connection.  Results leave through the sink (subsys_modbus.c); nothing
 * here touches the model or the capture thread.
 */
#ifndef IIOTD_MBPOLL_H
#define IIOTD_MBPOLL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "south/mbconf.h"
#include "south/mbpoint.h"

#define MB_DEV_COUNTERS(X) \
	X(scans,	"scans done")					\
	X(scans_failed,	"scans the device did not answer")		\
	X(reads,	"read requests sent")				\
	X(read_errors,	"reads that failed (after retries)")		\
	X(timeouts,	"requests without an answer in time")		\
	X(exceptions,	"exception replies")				\
	X(bad_replies,	"malformed replies, wrong transaction ids")	\
	X(conn_errors,	"connections refused, reset or lost")		\
	X(connects,	"connections opened")				\
	X(values,	"point values decoded")				\
	X(writes,	"writes verified by reading back")		\
	X(write_errors,	"writes refused, failed or read back different")

struct mb_dev_counters {
#define MB_X_FIELD(n, d) uint64_t n;
	MB_DEV_COUNTERS(MB_X_FIELD)
#undef MB_X_FIELD
};

#define MB_EXC_MAX	12		/* exception codes 1..11 counted */

struct mb_dev;

struct mb_sink {
	/* values of points pidx[0..n) read at ts_ns (CLOCK_REALTIME) */
	void (*values)(void *arg, struct mb_dev *d, const uint32_t *pidx,
		       const double *vals, size_t n, uint64_t ts_ns);
	/* the device came online, went offline or degraded */
	void (*state)(void *arg, struct mb_dev *d, bool online,
		      bool degraded, const char *why);
	void *arg;
};

/* writes waiting for a device's thread at most (mb_dev_write_async) */
#define MB_WRITE_QUEUE	8

struct mb_write {
	uint32_t pidx;			/* the point */
	double value;			/* engineering value */
	/*
	 * Asynchronous (mb_dev_write_async): called on the device's thread
	 * once the write is done or dropped at stop, without the device's
	 * lock; w is the caller's again from then on.
	 */
	void (*done_cb)(struct mb_write *w);
	/* results */
	int rc;				/* 0 written and read back */
	double readback;
	char why[200];
	bool done;
	struct mb_write *next;		/* the device's queue */
};

struct mb_dev {
	const struct mb_dev_conf *dc;
	const struct mb_point *pts;	/* every device's; ours from dc->first */
	struct mb_plan_opts po;
	uint32_t model_id;
	struct mb_sink sink;
	size_t nclasses;
	uint32_t every[MB_MAX_CLASSES];
	struct mb_plan plan[MB_MAX_CLASSES];
	uint64_t due[MB_MAX_CLASSES];	/* CLOCK_MONOTONIC ns */
	void *ctx;			/* modbus_t, the thread's */
	pthread_t th;
	bool started;
	/* under mu */
	pthread_mutex_t mu;
	pthread_cond_t cv;		/* CLOCK_MONOTONIC */
	bool stop;
	/* writes waiting for the thread, first to go first */
	struct mb_write *wr_head, *wr_tail;
	unsigned int nwr;
	struct mb_dev_counters ctr;
	uint64_t exc[MB_EXC_MAX];
	unsigned int fails;		/* failed scans in a row */
	bool online, degraded;
	uint64_t retry_at;		/* degraded: next try (monotonic) */
	uint64_t last_ok_ns;		/* CLOCK_REALTIME of the last good scan */
	char last_error[160];
	double *last;			/* by point, dc->n of them */
	uint64_t *last_ts;
	uint32_t *pidx;			/* the thread's: one read's values */
	double *vals;
};

/* Plans from the device's points; 0 or -1 (no memory). */
int mb_dev_init(struct mb_dev *d, const struct mb_dev_conf *dc,
		const struct mb_point *pts, const struct mb_plan_opts *po,
		uint32_t model_id, const struct mb_sink *sink);
int mb_dev_start(struct mb_dev *d);
/* Stop the thread (a scan in flight ends within the device's timeout
 * and retries) and free what init made. */
void mb_dev_stop(struct mb_dev *d);
/*
 * Write w->value to point w->pidx on the device's thread and read it
 * back; waits for it.  0, or -1 with w->why.
 */
int mb_dev_write(struct mb_dev *d, struct mb_write *w);
/*
 * The same without waiting: queued behind the device's other writes, and
 * w->done_cb(w) runs on the device's thread when it is done (w must live
 * until then).  0 queued, or -1 with w->why (not running, MB_WRITE_QUEUE
 * writes already waiting) and no call.
 */
int mb_dev_write_async(struct mb_dev *d, struct mb_write *w);

struct json_t;
/* state, counters, exceptions by code, last values (new reference) */
struct json_t *mb_dev_json(struct mb_dev *d);

#endif
