/*
 * Milliseconds now: monotonic for intervals and deadlines, wall clock for
 * timestamps that leave the process (Sparkplug payloads, database rows).
 */
#ifndef IIOTD_CLOCK_H
#define IIOTD_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline uint64_t clock_ms(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static inline uint64_t mono_ms(void)
{
	return clock_ms(CLOCK_MONOTONIC);
}

static inline uint64_t wall_ms(void)
{
	return clock_ms(CLOCK_REALTIME);
}

#endif
