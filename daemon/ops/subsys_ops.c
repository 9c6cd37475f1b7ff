/*
 * iiotd subsystem "ops": iiotd watching itself, once a second on the
 * event loop, raising into the one alert model (docs/operations.md,
 * "Faults"):
 *
 *	ops.disk.low	the store degraded for disk space (store_get_disk);
 *			cleared when it recovers
 *	ops.ring.stale	an open ring whose producer stopped committing
 *			(heartbeat, CLOCK_MONOTONIC) or whose producer
 *			process is gone; cleared when it commits again
 *	ops.clock.step	the wall clock moved against the monotonic one by
 *			more than OPS_STEP_NS between two looks (NTP step,
 *			an admin's date -s)
 *
 * Each condition is raised once on its way in, not every second.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>
#include <jansson.h>

#include "alerts/alerts.h"
#include "capture/capture.h"
#include "core/iiotd.h"
#include "core/log.h"
#include "core/subsys.h"
#include "store/store.h"

#define OPS_TICK_MS	1000
#define OPS_RINGS_MAX	64	/* rings watched; more are not alerted */
/* producers commit at least each second (libshm heartbeat), as health says */
#define OPS_STALE_NS	(5LL * 1000000000LL)
/* NTP slews below this; a step is larger */
#define OPS_STEP_NS	(2LL * 1000000000LL)

#define OPS_COUNTERS(X) \
	X(disk_low,	"times the store degraded for disk space")	\
	X(ring_stale,	"rings found without a live producer")		\
	X(clock_steps,	"wall clock steps seen")

struct ops_counters {
#define OPS_X_FIELD(n, d) uint64_t n;
	OPS_COUNTERS(OPS_X_FIELD)
#undef OPS_X_FIELD
};

static struct {
	struct iiotd *d;
	struct event *tick;
	bool disk_low;
	char stale[OPS_RINGS_MAX][256];	/* rings alerted as stale now */
	int64_t offset_ns;		/* wall - monotonic at the last look */
	struct ops_counters ctr;
} sys;

static uint64_t ring_key(const char *name)
{
	return alert_name_key(name, strlen(name));
}

static void raise_ev(unsigned int rule, const char *label, uint64_t key,
		     const char *detail)
{
	struct alert_ev ev;
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	memset(&ev, 0, sizeof(ev));
	ev.rule = (uint16_t)rule;
	ev.ts_ns = (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
	ev.key = key;
	ev.label = label;
	ev.detail = detail;
	alerts_raise(sys.d->alerts, &ev);
}

static void disk(void)
{
	struct store_disk dk;

	if (!sys.d->store)
		return;
	store_get_disk(sys.d->store, &dk);
	if (dk.degraded && !sys.disk_low) {
		raise_ev(ALERT_R_OPS_DISK_LOW, "store", 0, dk.reason);
		sys.ctr.disk_low++;
	} else if (!dk.degraded && sys.disk_low) {
		alerts_clear(sys.d->alerts, ALERT_R_OPS_DISK_LOW, 0, 0, 0);
		log_info("ops: the store has recovered its disk space");
	}
	sys.disk_low = dk.degraded;
}

enum { RING_ALIVE, RING_SILENT, RING_GONE };

/* why a ring is stale into why, or RING_ALIVE */
static int ring_stale(const struct capsnap_ring *r, uint64_t mono,
		      char *why, size_t len)
{
	uint64_t age;

	if (!r->open || r->st.state == IIOT_RING_CLOSED || !r->st.heartbeat_ns)
		return RING_ALIVE;
	if (r->st.producer_pid && kill((pid_t)r->st.producer_pid, 0) &&
	    errno == ESRCH) {
		snprintf(why, len, "producer pid %" PRIu32 " is gone",
			 r->st.producer_pid);
		return RING_GONE;
	}
	age = mono > r->st.heartbeat_ns ? mono - r->st.heartbeat_ns : 0;
	if (age <= (uint64_t)OPS_STALE_NS)
		return RING_ALIVE;
	snprintf(why, len, "no commit for %" PRIu64 " s", age / (uint64_t)1000000000);
	return RING_SILENT;
}

static int stale_slot(const char *name)
{
	int i;

	for (i = 0; i < OPS_RINGS_MAX; i++)
		if (sys.stale[i][0] && !strcmp(sys.stale[i], name))
			return i;
	return -1;
}

static void rings(void)
{
	struct capsnap *snap;
	struct timespec ts;
	char why[ALERT_DETAIL_MAX];
	uint64_t mono;
	size_t i;
	int slot, j;

	if (!sys.d->capture || !(snap = capture_snapshot(sys.d->capture)))
		return;
	clock_gettime(CLOCK_MONOTONIC, &ts);	/* the heartbeat's clock */
	mono = (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
	for (i = 0; i < snap->nrings; i++) {
		const struct capsnap_ring *r = &snap->rings[i];
		int st = ring_stale(r, mono, why, sizeof(why));

		slot = stale_slot(r->name);
		/* silent and gone are two alerts: one's detail never
		 * stands for the other */
		if (st && slot < 0) {
			raise_ev(ALERT_R_OPS_RING_STALE, r->name,
				 ring_key(r->name) + (uint64_t)st, why);
			sys.ctr.ring_stale++;
			log_warnx("ops: ring %s: %s", r->name, why);
			for (j = 0; j < OPS_RINGS_MAX && sys.stale[j][0]; j++)
				;
			if (j < OPS_RINGS_MAX)
				snprintf(sys.stale[j], sizeof(sys.stale[j]),
					 "%s", r->name);
		} else if (!st && slot >= 0) {
			alerts_clear(sys.d->alerts, ALERT_R_OPS_RING_STALE, 0,
				     0, ring_key(r->name) + RING_SILENT);
			alerts_clear(sys.d->alerts, ALERT_R_OPS_RING_STALE, 0,
				     0, ring_key(r->name) + RING_GONE);
			log_info("ops: ring %s: its producer commits again",
				 r->name);
			sys.stale[slot][0] = 0;
		}
	}
	capsnap_put(snap);
}

static int64_t clock_offset(void)
{
	struct timespec w, m;

	clock_gettime(CLOCK_REALTIME, &w);
	clock_gettime(CLOCK_MONOTONIC, &m);
	return ((int64_t)w.tv_sec - (int64_t)m.tv_sec) * 1000000000LL +
	       ((int64_t)w.tv_nsec - (int64_t)m.tv_nsec);
}

static void clock_step(void)
{
	int64_t off = clock_offset(), step = off - sys.offset_ns;
	char why[ALERT_DETAIL_MAX];

	sys.offset_ns = off;
	if (step <= OPS_STEP_NS && step >= -OPS_STEP_NS)
		return;
	snprintf(why, sizeof(why), "%s by %.1f s", step > 0 ? "forward" :
		 "back", (double)(step > 0 ? step : -step) / 1e9);
	raise_ev(ALERT_R_OPS_CLOCK_STEP, NULL, step > 0 ? 1 : 2, why);
	sys.ctr.clock_steps++;
	log_warnx("ops: the wall clock stepped %s", why);
}

static void on_tick(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	if (!sys.d->alerts)
		return;
	disk();
	rings();
	clock_step();
}

static int ops_start(struct iiotd *d)
{
	struct timeval tv = { OPS_TICK_MS / 1000, (OPS_TICK_MS % 1000) * 1000 };

	memset(&sys, 0, sizeof(sys));
	sys.d = d;
	sys.offset_ns = clock_offset();
	sys.tick = event_new(d->base, -1, EV_PERSIST, on_tick, NULL);
	if (!sys.tick || event_add(sys.tick, &tv)) {
		log_warnx("ops: cannot start the timer");
		return -1;
	}
	return 0;
}

static void ops_stop(struct iiotd *d)
{
	(void)d;
	if (sys.tick)
		event_free(sys.tick);
	sys.tick = NULL;
}

static json_t *ops_stats(struct iiotd *d)
{
	json_t *o;

	(void)d;
	if (!sys.tick)
		return NULL;
	o = json_object();
#define OPS_X_JSON(n, dsc) \
	json_object_set_new(o, #n, json_integer((json_int_t)sys.ctr.n));
	OPS_COUNTERS(OPS_X_JSON)
#undef OPS_X_JSON
	return o;
}

const struct iiotd_subsys subsys_ops = {
	.name = "ops",
	.start = ops_start,
	.stop = ops_stop,
	.stats = ops_stats,
};
