/*
 * Loop-stall probe: how long a ring's records waited for a drain turn.
 *
 * A drain turn starting at S that finds records counts the gap
 *
 *	gap = S - max(E, R)
 *
 * where E is when the ring's previous turn ended and R when the loop that
 * drains it last returned from waiting for events.  Records that were
 * left behind (a full batch) waited since E; records that woke a sleeping
 * loop waited since R.  Anything the loop ran between R and S - another
 * ring, a timer, a request sharing the loop - is in the gap.  Only the
 * consumer's clock is used: a producer that runs late does not count.
 * (A gap counts from R even if the records arrived while an earlier
 * callback of the same loop still ran; the capture thread times its own
 * non-drain work with probe_busy so that such work is never hidden.)
 */
#ifndef IIOTD_PROBE_H
#define IIOTD_PROBE_H

#include <stdint.h>

/* bucket upper bounds, µs; the last bucket is everything above */
#define PROBE_BOUNDS_US \
	{ 100, 250, 500, 1000, 2500, 5000, 10000, 25000, 100000, \
	  1000000, 10000000 }
#define PROBE_BUCKETS	12
#define PROBE_SECONDS	64		/* per-second maxima kept */

/* Work on the draining thread that is not a drain turn. */
enum probe_busy_kind {
	PROBE_BUSY_SNAPSHOT,		/* "snapshot" */
	PROBE_BUSY_TICK,		/* "tick": timeouts, ring reopening */
	PROBE_BUSY_CALL,		/* "call": another thread's change */
	PROBE_BUSY_KINDS
};

struct probe {
	uint64_t turns;			/* gaps recorded */
	uint64_t max_ns;		/* longest gap */
	uint64_t hist[PROBE_BUCKETS];
	uint64_t sum_ns;		/* of every gap */
	/* longest gap of each recent second (host clock), for windows */
	uint64_t sec_max[PROBE_SECONDS];
	uint64_t sec_tag[PROBE_SECONDS];	/* which second, +1 */
	/* the longest of each kind of non-drain work (probe_busy) */
	uint64_t busy_max_ns[PROBE_BUSY_KINDS];
};

/* A gap seen at host time now_ns. */
void probe_add(struct probe *p, uint64_t gap_ns, uint64_t now_ns);
/* Non-drain work from start_ns to now_ns: a gap of its own. */
void probe_busy(struct probe *p, unsigned int kind, uint64_t start_ns,
		uint64_t now_ns);
/* A turn that found records: times in ns, one clock. */
void probe_turn(struct probe *p, uint64_t prev_end, uint64_t loop_wake,
		uint64_t start);

struct json_t;
/*
 * {"turns", "max_us", "hist": {"le_100us": n, ..., "gt_10s": n},
 *  "max_us_last_s": [60 values, the longest gap of each of the last 60
 *  seconds up to now_ns (same clock as probe_turn), oldest first],
 *  "busy_max_us": {"snapshot", "tick", "call"},
 *  "seconds": the same histogram as core/hist.h shows it (/metrics)}
 */
struct json_t *probe_json(const struct probe *p, uint64_t now_ns);

#endif
