/*
 * Shared by the two ring benchmarks (libshm, rte_ring): the same 64-byte
 * frames, the same checksum, the same report, so the rows compare.
 */
#ifndef RING_BENCH_H
#define RING_BENCH_H

#include <stdint.h>
#include <stdio.h>
#include <time.h>

#define RB_FRAME	64U
#define RB_WORDS	(RB_FRAME / 8U)
#define RB_BURST	32U

/* Frame seq: word 0 is seq (order, no loss, no duplicate), the rest vary. */
static inline void rb_fill(uint8_t *f, uint64_t seq)
{
	uint64_t *w = (uint64_t *)(void *)f;
	unsigned int i;

	w[0] = seq;
	for (i = 1; i < RB_WORDS; i++)
		w[i] = seq * 0x9e3779b97f4a7c15ULL + i;
}

/* Add every word of a frame to the checksum; 0 when word 0 is not want. */
static inline int rb_check(const uint8_t *f, uint64_t want, uint64_t *sum)
{
	const uint64_t *w = (const uint64_t *)(const void *)f;
	uint64_t s = 0;
	unsigned int i;

	for (i = 0; i < RB_WORDS; i++)
		s += w[i];
	*sum += s;
	return w[0] == want;
}

/* The checksum a consumer must reach after frames 0..n-1. */
static inline uint64_t rb_expected(uint64_t n)
{
	uint64_t sum = 0, seq;
	unsigned int i;

	for (seq = 0; seq < n; seq++) {
		sum += seq;
		for (i = 1; i < RB_WORDS; i++)
			sum += seq * 0x9e3779b97f4a7c15ULL + i;
	}
	return sum;
}

static inline uint64_t rb_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* One JSON line: what bench/ring.bench reads. */
static inline void rb_report(const char *what, uint64_t n, uint64_t ns,
			     int sum_ok, int order_ok)
{
	printf("{\"bench\":\"%s\",\"records\":%llu,\"ns\":%llu,"
	       "\"per_s\":%.0f,\"checksum_ok\":%s,\"order_ok\":%s}\n", what,
	       (unsigned long long)n, (unsigned long long)ns,
	       (double)n * 1e9 / (double)ns, sum_ok ? "true" : "false",
	       order_ok ? "true" : "false");
}

#endif
