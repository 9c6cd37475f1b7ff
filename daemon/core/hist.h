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

#endif
