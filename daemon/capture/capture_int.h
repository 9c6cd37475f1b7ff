/* Capture internals shared by capture.c, capthread.c and capsnap.c. */
#ifndef IIOTD_CAPTURE_INT_H
#define IIOTD_CAPTURE_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "capture/capture.h"
#include "capture/probe.h"
#include "decode/decode.h"

#define CAPTURE_MAX_RINGS	64
#define CAPSNAP_POOL		4	/* retired snapshots kept for reuse */
/* Ticks (seconds) between two warnings about one ring's NIC losses. */
#define NIC_WARN_TICKS		60

struct cring {
	struct capture *cap;
	char name[256];		/* as configured */
	struct shm_ring *r;
	struct event *ev_wake;	/* wake fd readable */
	struct event *ev_more;	/* yield, then drain again */
	struct flightrec *fr;
	int warned;		/* why it cannot open, logged once: -errno */
	bool keep;		/* reload: still configured */
	ino_t ended_ino;	/* ring file that ended; wait for a new one */
	uint64_t ended_records;	/* its producer count when it ended */
	uint64_t frames;
	uint64_t nic_warned;	/* NIC losses already warned about */
	unsigned int nic_hold;	/* ticks before the next warning */
	uint64_t turn_end;	/* when its last drain turn ended (probe.h) */
};

struct capture {
	struct iiotd *d;
	struct event_base *base;	/* the capture thread's own loop */
	pthread_t thread;
	bool running;			/* the thread is up */
	int nice;			/* [capture] nice */
	int loop_nice;			/* [capture] loop_nice: the caller's */
	int group_nice;			/* [capture] group_nice: the session's */
	bool boosted;			/* capture_boost lowered ours */
	int main_nice;			/* ... from this */
	int rt_priority;		/* [capture] rt_priority, 0: none */
	bool rt;			/* capture_boost made ours SCHED_FIFO */
	int loop_rt_priority;		/* [capture] loop_rt_priority */
	bool loop_demote_told;		/* capture_rt_watch logged it */
	pthread_mutex_t call_mu;	/* capture_call's hand-over */
	pthread_cond_t call_cv;
	/* under call_mu: calls are queued for the thread (capthread.c) */
	bool taking_calls;
	struct ccall *calls, **calls_tail;	/* queued, not yet run */
	struct event *ev_call;		/* run the queued calls */
	struct event *ev_snap;		/* publish a snapshot */
	pthread_mutex_t snap_mu;	/* held only to swap/take pub, pool */
	struct capsnap *pub;		/* the newest snapshot */
	struct capsnap *pool[CAPSNAP_POOL];	/* retired, to refresh */
	size_t npool;
	struct capsnap *mine[CAPSNAP_POOL];	/* same, capture thread's */
	size_t nmine;
	struct capsnap *pending;	/* made, not yet swapped in */
	struct event *ev_retry;		/* ... try again shortly */
	uint64_t snap_seq, snap_retries;
	pthread_mutex_t fin_mu;		/* readers finishing a snapshot */
	struct capsnap *fin_prev;	/* the last one finished */
	struct cring *rings[CAPTURE_MAX_RINGS];
	size_t nrings;
	struct event *ev_tick;
	struct ringwatch *watch;	/* ring directories (inotify) */
	bool no_ring_tick;		/* test knob: only the watch attaches */
	uint64_t batch;
	uint64_t flight_ns, flight_bytes;
	struct capture_counters ctr;
	struct probe probe;		/* gaps between drain turns */
	struct decode_stats dstats;
	struct decoded dec;
	capture_tap_fn tap;
	void *tap_arg;
};

/* capture.c: time spent on non-drain work since since_ns (probe) */
void capture_busy(struct capture *cap, unsigned int kind, uint64_t since_ns);
/* capture.c: the probe's clock (wall time, ns) */
uint64_t capture_now_ns(void);
/* the capture thread's tick: says once that the main loop left SCHED_FIFO */
void capture_rt_watch(struct capture *cap);
/*
 * capsnap.c, on the capture thread: make a snapshot and swap it in without
 * waiting (false: the swap waits as pending; try again soon); make one for
 * a caller to swap in (capsnap_swap, which may wait; NULL: no memory).
 */
bool capsnap_publish(struct capture *cap);
struct capsnap *capsnap_make(struct capture *cap);
void capsnap_swap(struct capture *cap, struct capsnap *s);
void capsnap_release_all(struct capture *cap);

#endif
