/*
 * Capture: drains every configured libshm ring in iiotd's event loop,
 * decodes each frame, feeds the model and the flight recorder, and hands
 * frames to live monitors.
 *
 * [capture]
 *   ring = NAME_OR_PATH     repeat per ring; a name without '/' lives in
 *                           /dev/shm/iiot/, /dev/iiot/<if> is the module's
 *   batch = 1024            records per wakeup before yielding the loop
 *   flight_seconds = 30     flight recorder: last N seconds per ring
 *   flight_size = 8M        ... at most this many bytes per ring
 */
#ifndef IIOTD_CAPTURE_H
#define IIOTD_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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
	X(open_errors,	"failed ring opens")			\
	X(anomalies,	"frames with a decode anomaly")		\
	X(monitor_drops,"monitor lines dropped: slow client")	\
	X(nic_alerts,	"warnings logged: a ring's NIC dropped frames")

struct capture_counters {
#define CAPTURE_X_FIELD(n, d) uint64_t n;
	CAPTURE_COUNTERS(CAPTURE_X_FIELD)
#undef CAPTURE_X_FIELD
};

/* Called for every frame while a monitor is attached. */
typedef void (*capture_tap_fn)(void *arg, const char *ring,
			       const struct iiot_ring_rec *rec,
			       const uint8_t *frame,
			       const struct decoded *d);

int capture_check_conf(const struct conf *c, char *err, size_t errlen);
struct capture *capture_new(struct iiotd *d);
/* Open the configured rings (missing ones are retried each second). */
int capture_start(struct capture *cap, const struct conf *c, char *err,
		  size_t errlen);
/* SIGHUP: add new rings, close removed ones. */
int capture_reload(struct capture *cap, const struct conf *c, char *err,
		   size_t errlen);
/* Drain whatever is published now (SIGTERM, tests). */
void capture_drain_all(struct capture *cap);
void capture_free(struct capture *cap);

void capture_set_tap(struct capture *cap, capture_tap_fn fn, void *arg);
void capture_get_counters(const struct capture *cap,
			  struct capture_counters *out);

struct json_t;
struct shm_stats;
/* Rings with their libshm counters and flight recorder fill. */
struct json_t *capture_rings_json(const struct capture *cap);
/* Set a ring's libshm counters in o (also "iiotctl rings --json"). */
void capture_ring_stats_json(struct json_t *o, const struct shm_stats *st);
/* enum iiot_ring_source as a word: "dpdk", "kmod" ... */
const char *capture_source_name(unsigned int source);
struct json_t *capture_counters_json(const struct capture *cap);

/*
 * The flight recorder's last `seconds` of every ring (or only ring
 * `ring`), merged in time order, as a pcap written through out().
 * Returns the number of frames or -1.
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
