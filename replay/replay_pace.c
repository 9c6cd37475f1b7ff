/* Recorded pace: capture time → wall time, scaled by --speed. */
#include <errno.h>
#include <time.h>

#include "replay.h"

uint64_t replay_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void sleep_until(uint64_t mono_ns)
{
	struct timespec ts = {
		.tv_sec = (time_t)(mono_ns / 1000000000ULL),
		.tv_nsec = (long)(mono_ns % 1000000000ULL),
	};

	while (!replay_stop &&
	       clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) ==
	       EINTR)
		;
}

uint64_t replay_pace_wait(struct replay_pace *pace, uint64_t cap_ns,
			  struct shm_ring *ring)
{
	uint64_t t, due;

	if (pace->rebase) {
		/* a new file or pass follows on 1 µs after the last frame */
		pace->rebase = false;
		pace->shift_ns = pace->last_ns + 1000 - cap_ns;
	}
	t = cap_ns + pace->shift_ns;
	if (!pace->started) {
		pace->started = true;
		pace->cap0_ns = t;
		pace->wall0_ns = replay_mono_ns();
	}
	if (t > pace->last_ns)
		pace->last_ns = t;
	/* frames stamped before the first one (unordered captures) go now */
	if (pace->speed <= 0 || t <= pace->cap0_ns)
		return t;
	due = pace->wall0_ns + (uint64_t)((double)(t - pace->cap0_ns) /
					  pace->speed);
	if (due > replay_mono_ns() + 20000) {
		/* publish what is queued before sleeping: no stale batch */
		shm_prod_commit(ring);
		sleep_until(due);
	}
	return t;
}

void replay_pace_next_pass(struct replay_pace *pace)
{
	if (pace->started)
		pace->rebase = true;
}
