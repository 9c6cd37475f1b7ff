/* Latency histograms (hist.h). */
#include <jansson.h>

#include "core/hist.h"

static const uint64_t bounds_us[HIST_BUCKETS - 1] = HIST_BOUNDS_US;
static const uint64_t lat_bounds_us[HIST_LAT_BUCKETS - 1] = HIST_LAT_BOUNDS_US;

void hist_add(struct hist *h, uint64_t ns)
{
	unsigned int i = 0;

	while (i < HIST_BUCKETS - 1 && ns > bounds_us[i] * 1000)
		i++;
	__atomic_add_fetch(&h->n[i], 1, __ATOMIC_RELAXED);
	__atomic_add_fetch(&h->sum_ns, ns, __ATOMIC_RELAXED);
}

json_t *hist_json_from(const uint64_t *b, size_t nb, const uint64_t *n, uint64_t sum_ns)
{
	json_t *le = json_array(), *cum = json_array();
	uint64_t c = 0;
	size_t i;

	for (i = 0; i <= nb; i++) {
		if (i < nb)
			json_array_append_new(le, json_real((double)b[i] / 1e6));
		c += __atomic_load_n(&n[i], __ATOMIC_RELAXED);
		json_array_append_new(cum, json_integer((json_int_t)c));
	}
	/* count is the +Inf bucket, so the two always agree */
	return json_pack("{so so sf sI}", "le", le, "buckets", cum, "sum", (double)sum_ns / 1e9,
			 "count", (json_int_t)c);
}

json_t *hist_json(const struct hist *h)
{
	return hist_json_from(bounds_us, HIST_BUCKETS - 1, h->n,
			      __atomic_load_n(&h->sum_ns, __ATOMIC_RELAXED));
}

void hist_lat_add(struct hist_lat *h, uint64_t from_ms, uint64_t to_ms)
{
	uint64_t ns = to_ms > from_ms ? (to_ms - from_ms) * 1000000ULL : 0;
	unsigned int i = 0;

	while (i < HIST_LAT_BUCKETS - 1 && ns > lat_bounds_us[i] * 1000)
		i++;
	__atomic_add_fetch(&h->n[i], 1, __ATOMIC_RELAXED);
	__atomic_add_fetch(&h->sum_ns, ns, __ATOMIC_RELAXED);
}

json_t *hist_lat_json(const struct hist_lat *h)
{
	return hist_json_from(lat_bounds_us, HIST_LAT_BUCKETS - 1, h->n,
			      __atomic_load_n(&h->sum_ns, __ATOMIC_RELAXED));
}
