/*
 * Latency histograms for "iiotctl stats" and /metrics (api/prom.c shows
 * them as Prometheus histograms).  hist_add may run on any thread and
 * hist_json on another: the counts are updated and read atomically, each
 * on its own (a scrape may see one observation in the buckets and not
 * yet in the sum).
 */
#ifndef IIOTD_HIST_H
#define IIOTD_HIST_H

#include <stddef.h>
#include <stdint.h>

/* bucket upper bounds, µs; the last bucket is everything above */
#define HIST_BOUNDS_US \
	{ 100, 250, 500, 1000, 2500, 5000, 10000, 25000, 50000, 100000, \
	  250000, 500000, 1000000, 5000000 }
#define HIST_BUCKETS	15

struct hist {
	uint64_t n[HIST_BUCKETS];	/* per bucket, not cumulative */
	uint64_t sum_ns;
};

void hist_add(struct hist *h, uint64_t ns);

struct json_t;
/*
 * {"le": [upper bounds in seconds], "buckets": [cumulative counts, one
 * per bound and the last for +Inf], "sum": seconds, "count": n}
 */
struct json_t *hist_json(const struct hist *h);
/* the same from any bounds (nb of them) and nb + 1 per-bucket counts */
struct json_t *hist_json_from(const uint64_t *bounds_us, size_t nb, const uint64_t *n,
			      uint64_t sum_ns);

/*
 * The finer latency histogram of the north side (the edge node's stages,
 * the fleet host's): buckets 5-10 ms apart up to 100 ms, so that a p50 and
 * a p99 near the 100 ms bar can be read from them.  Atomic like hist.
 */
#define HIST_LAT_BOUNDS_US \
	{ 1000, 2000, 5000, 10000, 15000, 20000, 25000, 30000, 40000, 50000, \
	  60000, 70000, 80000, 90000, 100000, 125000, 150000, 200000, 250000, \
	  300000, 400000, 500000, 750000, 1000000, 2000000, 5000000 }
#define HIST_LAT_BUCKETS 27

struct hist_lat {
	uint64_t n[HIST_LAT_BUCKETS];
	uint64_t sum_ns;
};

/* from_ms to to_ms (wall clock ms); a negative span counts as 0 */
void hist_lat_add(struct hist_lat *h, uint64_t from_ms, uint64_t to_ms);
struct json_t *hist_lat_json(const struct hist_lat *h);

#endif
