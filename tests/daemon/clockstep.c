/*
 * Test-only LD_PRELOAD shim: a wall clock that steps, without touching
 * the host's.  CLOCK_REALTIME (clock_gettime, gettimeofday, time) reads
 * the real clock plus the signed number of seconds in the file
 * $IIOT_CLOCKSTEP, looked at most every 50 ms of monotonic time; every
 * other clock is left alone, as a real step (NTP, date -s) leaves
 * CLOCK_MONOTONIC.  Preloaded into iiotd and the simulator alike,
 * tests/daemon/clockstep.t steps both as a host step would.  Not installed.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/time.h>
#include <time.h>

typedef int (*cg_fn)(clockid_t, struct timespec *);

static _Atomic long long offset_s;
static _Atomic long long read_at_ns;

static cg_fn real(void)
{
	static cg_fn fn;

	if (!fn)
		fn = (cg_fn)dlsym(RTLD_NEXT, "clock_gettime");
	return fn;
}

static long long offset(void)
{
	const char *f = getenv("IIOT_CLOCKSTEP");
	struct timespec m;
	long long now, v;
	FILE *fp;

	if (!f || real()(CLOCK_MONOTONIC, &m))
		return 0;
	now = (long long)m.tv_sec * 1000000000LL + m.tv_nsec;
	if (now - atomic_load(&read_at_ns) < 50000000LL)
		return atomic_load(&offset_s);
	atomic_store(&read_at_ns, now);
	fp = fopen(f, "re");
	if (fp) {
		if (fscanf(fp, "%lld", &v) == 1)
			atomic_store(&offset_s, v);
		fclose(fp);
	}
	return atomic_load(&offset_s);
}

int clock_gettime(clockid_t id, struct timespec *ts)
{
	int rc = real()(id, ts);

	if (!rc && (id == CLOCK_REALTIME || id == CLOCK_REALTIME_COARSE))
		ts->tv_sec += (time_t)offset();
	return rc;
}

int gettimeofday(struct timeval *restrict tv, void *restrict tz)
{
	struct timespec ts;

	(void)tz;
	if (clock_gettime(CLOCK_REALTIME, &ts))
		return -1;
	tv->tv_sec = ts.tv_sec;
	tv->tv_usec = ts.tv_nsec / 1000;
	return 0;
}

time_t time(time_t *t)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	if (t)
		*t = ts.tv_sec;
	return ts.tv_sec;
}
