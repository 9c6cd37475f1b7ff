/*
 * Capture: drains every configured libshm ring on its own thread (the
 * capture thread, with an event loop of its own), decodes each frame,
 * feeds the model and the flight recorder, and hands frames to live
 * monitors.  The capture thread owns the model and every ring; other
 * threads read snapshots (capture_snapshot) and change things through
 * capture_call.  docs/architecture.md "Threads" says why.
 *
 * [capture]
 *   ring = NAME_OR_PATH     repeat per ring; a name without '/' lives in
 *                           /dev/shm/iiot/, /dev/iiot/<if> is the module's
 *   batch = 1024            records per wakeup before yielding the loop
 *   flight_seconds = 30     flight recorder: last N seconds per ring
 *   flight_size = 8M        ... at most this many bytes per ring
 *   nice = -10              the capture thread's nice value (set when
 *                           iiotd starts as root; capture_boost)
 *   loop_nice = -10         the main loop's (API, SSE, control socket),
 *                           kept once the capture thread runs
 *   loop_rt_priority = 1    the main loop's SCHED_FIFO priority, below
 *                           rt_priority (0: SCHED_OTHER)
 *   group_nice = -10        iiotd's scheduling group's (its autogroup)
 */
#ifndef IIOTD_CAPTURE_H
#define IIOTD_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capture/probe.h"
#include "decode/decode.h"
#include "libshm.h"

struct iiotd;
struct conf;
struct capture;
struct decoded;
struct iiot_ring_rec;

/* Capture counters: X(name, "what") */
#define CAPTURE_COUNTERS(X) \
	X(frames,	"frames drained from every ring")	\
	X(bytes,	"captured bytes drained")		\
	X(wakeups,	"ring wakeups handled")			\
	X(batches_full,	"drains that hit the batch limit")	\
	X(reopens,	"rings reopened (replaced or ended)")	\
	X(attach_watch,	"rings attached on a ring directory event")\
	X(attach_tick,	"rings attached by the one-second tick")\
	X(watch_events,	"ring directory event batches handled")	\
	X(watch_overflows,"ring directory events lost (overflow)")\
	X(open_errors,	"failed ring opens")			\
	X(anomalies,	"frames with a decode anomaly")		\
	X(monitor_drops,"monitor lines dropped: slow client")	\
	X(nic_alerts,	"warnings logged: a ring's NIC dropped frames")

struct capture_counters {
#define CAPTURE_X_FIELD(n, d) uint64_t n;
	CAPTURE_COUNTERS(CAPTURE_X_FIELD)
#undef CAPTURE_X_FIELD
};

/*
 * Called for every frame while a monitor is attached, on the capture
 * thread: it must only queue the frame for its own thread, never block.
 */
typedef void (*capture_tap_fn)(void *arg, const char *ring,
			       const struct iiot_ring_rec *rec,
			       const uint8_t *frame,
			       const struct decoded *d);

int capture_check_conf(const struct conf *c, char *err, size_t errlen);
/* NULL when out of memory */
struct capture *capture_new(struct iiotd *d);
/* Open the configured rings (missing ones when their directory says so,
 * or on the one-second tick). */
int capture_start(struct capture *cap, const struct conf *c, char *err,
		  size_t errlen);
/* SIGHUP: add new rings, close removed ones (through capture_call). */
int capture_reload(struct capture *cap, const struct conf *c, char *err,
		   size_t errlen);
/*
 * Start the capture thread; until then (and after capture_halt) the
 * calling thread owns capture and model.  -1 with err set.
 */
int capture_run(struct capture *cap, char *err, size_t errlen);
/*
 * Before privileges are dropped: lower the calling thread's nice value to
 * [capture] nice and, with [capture] rt_priority, give it SCHED_FIFO at
 * that priority, so that the capture thread capture_run creates inherits
 * both (they are per thread on Linux, and survive the drop); capture_run
 * then puts the caller back to SCHED_OTHER at [capture] loop_nice (a
 * higher nice value than the boost's needs no privilege).  It also sets
 * iiotd's session's scheduling group to [capture] group_nice, if iiotd
 * leads its session.  Without the privilege: one warning, and the threads
 * run as they can.
 */
void capture_boost(struct capture *cap);
/*
 * Stop the capture thread and wait for it; calls queued that it left run
 * here, and later ones on their caller, so no caller waits on a loop that
 * is gone.
 */
void capture_halt(struct capture *cap);
/*
 * Run fn(arg) on the capture thread and wait for it: the one way other
 * threads change the model or the rings.  It runs between two drain
 * turns; then a snapshot is published, so the caller's next
 * capture_snapshot sees the change.  Without a running thread fn runs
 * here.  fn must be short: its time is a gap between drain turns.
 */
void capture_call(struct capture *cap, void (*fn)(void *arg), void *arg);
/* The same for fn that only reads (no snapshot follows). */
void capture_read(struct capture *cap, void (*fn)(void *arg), void *arg);
/* Drain whatever is published now (SIGTERM, tests; thread halted). */
void capture_drain_all(struct capture *cap);
void capture_free(struct capture *cap);

/* (through capture_call) */
void capture_set_tap(struct capture *cap, capture_tap_fn fn, void *arg);

/*
 * A snapshot: what readers see of capture and the model, taken on the
 * capture thread every CAPTURE_SNAP_MS and after every capture_call, and
 * never changed afterwards (RCU-like: the newest is swapped in under a
 * mutex held for the swap only; each reader holds a reference).
 */
#define CAPTURE_SNAP_MS	200
#define CAPTURE_NICE	-10
/*
 * [capture] loop_nice: under a capture flood the capture thread has a
 * core to itself (SCHED_FIFO) and the store writer and the frame source
 * compete with the main loop for the other; at nice 0 the API's p99
 * under the flood was twice what it is at -10 (medians of alternating
 * runs, docs/soak.md).  The throughput threads (store writer 0, readers
 * 5, jobs 10) take what the loop leaves.
 */
#define CAPTURE_LOOP_NICE	-10
/*
 * [capture] group_nice: the nice value of iiotd's session's scheduling
 * group (autogroup).  With autogroups on (Debian's kernels) the kernel
 * shares the CPUs between sessions first and by thread nice values only
 * inside a session: loop_nice orders the main loop against iiotd's own
 * threads and nothing else, and under a capture flood it waited up to
 * 50-150 ms for the other sessions' work (docs/soak.md "Floods").  Set
 * only when iiotd leads a session of its own (daemon mode, systemd):
 * another's group holds whatever started iiotd.
 */
#define CAPTURE_GROUP_NICE	-10
/* [capture] rt_priority: SCHED_FIFO priority (1-99) of the capture
 * thread, 0: none (the nice value only) */
#define CAPTURE_RT_PRIORITY	10
#define CAPTURE_RT_PRIORITY_MAX	99
/*
 * [capture] loop_rt_priority: the main loop's SCHED_FIFO priority, below
 * the capture thread's; 0: SCHED_OTHER at loop_nice.  Its work per
 * request is bounded (a reply from the snapshot, a TLS record, a
 * handshake: well under a millisecond to a few; SQL, rendering and jobs
 * run on threads of their own at SCHED_OTHER) and it sleeps in epoll
 * between requests.  At SCHED_OTHER, in a group of its own at -10, it
 * still waited 10-15 ms for a CPU under a capture flood on a loaded
 * machine; real-time, a paced client's p99 under the flood was 1.35x
 * idle instead of 3x (docs/soak.md).  The safety net for a loop that
 * spins: RLIMIT_RTTIME at CAPTURE_LOOP_RTTIME_US; a real-time thread of
 * iiotd's that runs that long without sleeping raises SIGXCPU, and the
 * main loop goes back to SCHED_OTHER at loop_nice for good.
 */
#define CAPTURE_LOOP_RT_PRIORITY	1
#define CAPTURE_LOOP_RTTIME_US		500000

struct capsnap_ring {
	char name[256];
	bool open;
	uint64_t drained;
	struct shm_stats st;		/* when open */
	bool flight;			/* a flight recorder */
	uint64_t flight_frames, flight_evicted;
};

struct capsnap {
	struct model *model;		/* read-only copy; NULL: no model */
	uint64_t taken_ns;		/* CLOCK_REALTIME */
	struct capture_counters ctr;
	struct decode_stats dstats;
	struct probe probe;
	size_t nrings;
	struct capsnap_ring *rings;
	struct capture *cap;		/* capsnap.c: its pool */
	uint64_t seq;			/* newer snapshots, higher */
	int refs;
	int finished;
};

/* The newest snapshot, a reference (NULL: out of memory). */
struct capsnap *capture_snapshot(struct capture *cap);
void capsnap_put(struct capsnap *s);

struct json_t;
/* Rings with their libshm counters and flight recorder fill. */
struct json_t *capsnap_rings_json(const struct capsnap *s);
struct json_t *capsnap_counters_json(const struct capsnap *s);
/* Set a ring's libshm counters in o (also "iiotctl rings --json"). */
void capture_ring_stats_json(struct json_t *o, const struct shm_stats *st);
/* enum iiot_ring_source as a word: "dpdk", "kmod" ... */
const char *capture_source_name(unsigned int source);

/*
 * The flight recorder's last `seconds` of every ring (or only ring
 * `ring`), merged in time order, as a pcap written through out().  The
 * frames are copied on the capture thread (capture_call); sorting and
 * writing happen on the caller's.  Returns the number of frames or -1.
 */
long capture_export_pcap(struct capture *cap, uint64_t seconds,
			 const char *ring,
			 int (*out)(void *arg, const void *buf, size_t len),
			 void *arg);

/* The same for frames stamped within [from_ns, to_ns] (alert evidence). */
long capture_export_pcap_range(struct capture *cap, uint64_t from_ns,
			       uint64_t to_ns, const char *ring,
			       int (*out)(void *arg, const void *buf,
					  size_t len),
			       void *arg);

/*
 * One line per frame for "iiotctl monitor", like a small tshark:
 * "<epoch s.ns> <ring> <src> > <dst> <proto> <summary>".  Returns the
 * length written (truncated to len - 1).
 */
size_t capture_frame_line(char *buf, size_t len, const char *ring,
			  uint64_t ts_ns, uint32_t wire_len,
			  const struct decoded *d);

#endif
