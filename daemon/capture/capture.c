/*
 * Ring draining, on the capture thread's own event loop (capthread.c).
 * Each ring's wake fd sits in that loop; when it fires we ack, drain up to `batch` records, release them to the producer
 * and either re-arm (nothing left: sleep) or yield to other events and
 * come back at once (more left).  Latency is bounded by one batch per
 * ring; there is no polling while idle.  A one-second timer reopens rings
 * that are missing, ended or replaced, and drives the model's timeouts;
 * a watch on the ring directories (ringwatch.c) does the same at once
 * when a producer makes a ring.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <event2/event.h>
#include <jansson.h>

#include "alerts/alerts.h"
#include "analytics/analytics.h"
#include "capture/capture.h"
#include "capture/capture_int.h"
#include "capture/flightrec.h"
#include "capture/probe.h"
#include "capture/ringwatch.h"
#include "core/conf.h"
#include "core/iiotd.h"
#include "core/log.h"
#include "core/pimutex.h"
#include "decode/decode.h"
#include "desc/pnar.h"
#include "diag/diag.h"
#include "ids/ids.h"
#include "libshm.h"
#include "model/model.h"
#include "store/store.h"

static const char *const capture_keys[] = {
	"ring", "batch", "flight_seconds", "flight_size", "nice", "rt_priority",
	"loop_nice", "group_nice", "loop_rt_priority", NULL
};

/* [capture] nice, loop_nice and group_nice: -20..19 */
static int read_nice(const struct conf *c, const char *key, int def, int *nice,
		     char *err, size_t errlen)
{
	const struct conf_entry *e = conf_find(c, "capture", key);
	char *end;
	long v;

	*nice = def;
	if (!e)
		return 0;
	v = strtol(e->value, &end, 10);
	if (end == e->value || *end || v < -20 || v > 19) {
		conf_errf(c, e, err, errlen, "capture.%s: '%s' is not a "
			  "nice value (-20 to 19)", key, e->value);
		return -1;
	}
	*nice = (int)v;
	return 0;
}

static int read_opts(const struct conf *c, uint64_t *batch, uint64_t *fsec,
		     uint64_t *fsize, char *err, size_t errlen)
{
	const struct conf_entry *e = NULL;
	size_t n = 0;
	uint64_t rt, lrt;
	int nice;

	if (read_nice(c, "nice", CAPTURE_NICE, &nice, err, errlen) ||
	    read_nice(c, "loop_nice", CAPTURE_LOOP_NICE, &nice, err, errlen) ||
	    read_nice(c, "group_nice", CAPTURE_GROUP_NICE, &nice, err,
		      errlen) ||
	    conf_get_u64(c, "capture", "rt_priority", CAPTURE_RT_PRIORITY, 0,
			 CAPTURE_RT_PRIORITY_MAX, &rt, err, errlen) ||
	    conf_get_u64(c, "capture", "loop_rt_priority",
			 CAPTURE_LOOP_RT_PRIORITY, 0, CAPTURE_RT_PRIORITY_MAX,
			 &lrt, err, errlen))
		return -1;
	/* a request must never preempt a drain turn; by default (an
	 * rt_priority of 1 set before the key existed) the loop stays
	 * SCHED_OTHER */
	if (rt && lrt >= rt && conf_find(c, "capture", "loop_rt_priority")) {
		snprintf(err, errlen, "capture.loop_rt_priority: %llu is not "
			 "below rt_priority (%llu)", (unsigned long long)lrt,
			 (unsigned long long)rt);
		return -1;
	}

	if (conf_check_keys(c, "capture", capture_keys, err, errlen) ||
	    conf_get_u64(c, "capture", "batch", 1024, 1, 1 << 20, batch, err,
			 errlen) ||
	    conf_get_u64(c, "capture", "flight_seconds", 30, 0, 3600, fsec,
			 err, errlen) ||
	    conf_get_size(c, "capture", "flight_size", 8 << 20, 64 << 10,
			  1ULL << 32, fsize, err, errlen))
		return -1;
	while ((e = conf_next(c, "capture", "ring", e))) {
		char path[512];

		if (!*e->value || !shm_ring_path(e->value, path,
						 sizeof(path))) {
			conf_errf(c, e, err, errlen, "capture.ring: '%s' is "
				  "not a ring name or path", e->value);
			return -1;
		}
		if (++n > CAPTURE_MAX_RINGS) {
			conf_errf(c, e, err, errlen, "capture.ring: more than "
				  "%d rings", CAPTURE_MAX_RINGS);
			return -1;
		}
	}
	return 0;
}

int capture_check_conf(const struct conf *c, char *err, size_t errlen)
{
	uint64_t a, b, f;

	return read_opts(c, &a, &b, &f, err, errlen);
}

struct capture *capture_new(struct iiotd *d)
{
	struct capture *cap = calloc(1, sizeof(*cap));

	if (!cap)
		return NULL;
	cap->d = d;
	cap->base = event_base_new();
	if (!cap->base) {
		free(cap);
		return NULL;
	}
	pimutex_init(&cap->call_mu);
	pthread_cond_init(&cap->call_cv, NULL);
	cap->calls_tail = &cap->calls;
	pthread_mutex_init(&cap->snap_mu, NULL);
	pthread_mutex_init(&cap->fin_mu, NULL);
	return cap;
}

static void ring_close(struct cring *cr)
{
	if (cr->ev_wake)
		event_free(cr->ev_wake);
	if (cr->ev_more)
		event_free(cr->ev_more);
	cr->ev_wake = cr->ev_more = NULL;
	if (cr->r)
		shm_ring_close(cr->r, false);
	cr->r = NULL;
}

static void drain(struct cring *cr);

/*
 * The probe's clock: wall time, because libevent keeps the time it last
 * returned from waiting (loop_wake) as wall time.
 */
/* the model's receive clock: silence is not a wall clock step */
static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

uint64_t capture_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static uint64_t loop_wake(struct event_base *base)
{
	struct timeval tv;

	if (event_base_gettimeofday_cached(base, &tv))
		return 0;
	return (uint64_t)tv.tv_sec * 1000000000ULL +
	       (uint64_t)tv.tv_usec * 1000ULL;
}

static void on_wake(evutil_socket_t fd, short what, void *arg)
{
	struct cring *cr = arg;

	(void)fd;
	(void)what;
	if (!cr->r)
		return;
	cr->cap->ctr.wakeups++;
	shm_cons_ack(cr->r);
	drain(cr);
}

static void on_more(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	drain(arg);
}

static void drain(struct cring *cr)
{
	struct capture *cap = cr->cap;
	struct model *m = cap->d->model;
	struct ids *ids = cap->d->ids;
	const struct iiot_ring_rec *rec;
	const uint8_t *frame;
	uint64_t n = 0, start = capture_now_ns();
	bool layouts = false;

	if (!cr->r)
		return;
	/* the turn's samples go to the store's queue under one lock, and
	 * to analytics under one per 256 */
	store_stage_begin(cap->d->store);
	analytics_stage_begin(cap->d->analytics);
	if (m)
		model_set_rx_clock(m, mono_ns());
	if (ids) {
		alerts_set_clock(cap->d->alerts, shm_now_ns());
		/* the baseline is per line: each ring is one (by its name) */
		ids_set_line(ids, cr->name);
	}
	while (n < cap->batch && (rec = shm_cons_peek(cr->r, &frame))) {
		decode_frame(frame, rec->cap_len, &cap->dec);
		decode_stats_add(&cap->dstats, &cap->dec, rec->wire_len);
		if (cap->dec.anomalies)
			cap->ctr.anomalies++;
		if (m)
			model_frame(m, &cap->dec, rec->ts_ns, rec->wire_len,
				    rec->flags);
		/* a PROFINET station's connect: its GSDML signals (rare) */
		if (cap->dec.proto == DECODE_PNIO_CM && cap->d->pnar &&
		    pnar_frame(cap->d->pnar, &cap->dec))
			layouts = true;
		/* IDS (docs/security.md): O(1), no allocation, raises into
		 * d->alerts; its quiet periods run on the batch's host clock */
		if (ids)
			ids_frame(ids, &cap->dec, rec->ts_ns, 0);
		/* diagnostics (docs/diagnostics.md): the same contract */
		if (cap->d->diag) {
			diag_load(cap->d->diag, cr->name, rec->wire_len,
				  rec->ts_ns);
			diag_frame(cap->d->diag, &cap->dec, rec->ts_ns, 0);
		}
		if (cr->fr)
			flightrec_add(cr->fr, frame, rec->cap_len,
				      rec->wire_len, rec->ts_ns);
		if (cap->tap)
			cap->tap(cap->tap_arg, cr->name, rec, frame,
				 &cap->dec);
		cap->ctr.frames++;
		cap->ctr.bytes += rec->cap_len;
		cr->frames++;
		n++;
	}
	analytics_stage_end(cap->d->analytics);
	store_stage_end(cap->d->store);
	shm_cons_release(cr->r);
	if (layouts && cap->d->signals_here)
		cap->d->signals_here(cap->d);
	if (n)
		probe_turn(&cap->probe, cr->turn_end, loop_wake(cap->base),
			   start);
	cr->turn_end = capture_now_ns();
	if (n == cap->batch) {
		cap->ctr.batches_full++;
		event_active(cr->ev_more, EV_TIMEOUT, 0);
		return;
	}
	/* records published between the last peek and arming: go again */
	if (shm_cons_arm(cr->r) && !shm_cons_eof(cr->r))
		event_active(cr->ev_more, EV_TIMEOUT, 0);
}

static int ring_open(struct capture *cap, struct cring *cr, bool quiet)
{
	const struct iiot_ring_hdr *h;
	int err;

	err = shm_cons_open(&cr->r, cr->name);
	if (err && quiet) {
		cr->r = NULL;
		return -1;
	}
	if (err) {
		cap->ctr.open_errors++;
		/* once per reason: "missing" may turn into "permission" */
		if (cr->warned != err)
			log_warnx("capture: %s (retrying every second)",
				  shm_error());
		cr->warned = err;
		cr->r = NULL;
		return -1;
	}
	cr->warned = 0;
	h = shm_ring_hdr(cr->r);
	cr->ev_wake = event_new(cap->base, shm_ring_fd(cr->r),
				EV_READ | EV_PERSIST, on_wake, cr);
	cr->ev_more = event_new(cap->base, -1, 0, on_more, cr);
	if (!cr->ev_wake || !cr->ev_more || event_add(cr->ev_wake, NULL)) {
		log_warnx("capture: %s: cannot watch the ring", cr->name);
		ring_close(cr);
		return -1;
	}
	if (!cr->fr && cap->flight_ns)
		cr->fr = flightrec_new(cap->flight_bytes, cap->flight_ns,
				       h->snap_len ? h->snap_len :
				       IIOT_RING_MAX_SNAP);
	log_info("capture: draining %s (%s, %llu-byte ring)", cr->name,
		 shm_ring_name(cr->r), (unsigned long long)h->data_size);
	event_active(cr->ev_more, EV_TIMEOUT, 0);
	return 0;
}

/*
 * Frames the NIC dropped never reach the ring, so only its counters tell:
 * warn when they grow, at most once a minute per ring (the rest adds up
 * into the next warning).
 */
static void check_nic(struct capture *cap, struct cring *cr)
{
	struct shm_stats st;
	uint64_t lost;

	if (cr->nic_hold)
		cr->nic_hold--;
	shm_ring_stats(cr->r, &st);
	lost = st.nic.missed + st.nic.nombuf;
	if (lost < cr->nic_warned)	/* a new producer counts from 0 */
		cr->nic_warned = 0;
	if (lost == cr->nic_warned || cr->nic_hold)
		return;
	log_warnx("capture: %s: the NIC dropped %llu more frames before the "
		  "ring (%llu without a descriptor, %llu without a buffer "
		  "since the source started)", cr->name,
		  (unsigned long long)(lost - cr->nic_warned),
		  (unsigned long long)st.nic.missed,
		  (unsigned long long)st.nic.nombuf);
	cap->ctr.nic_alerts++;
	cr->nic_warned = lost;
	cr->nic_hold = NIC_WARN_TICKS;
}

/*
 * Reopen a ring that ended or was replaced, attach one that appeared;
 * counted by who looked (*attached: the tick's or the watch's counter).
 */
static void ring_check(struct capture *cap, struct cring *cr, bool tick,
		       uint64_t *attached)
{
	char path[512];
	struct shm_stats ss;
	struct stat st;

	if (!shm_ring_path(cr->name, path, sizeof(path)))
		return;
	/* before an ended ring is closed: its last counters count */
	if (cr->r && tick)
		check_nic(cap, cr);
	if (cr->r && (shm_cons_replaced(cr->r) || shm_cons_eof(cr->r))) {
		bool eof = shm_cons_eof(cr->r);

		log_info("capture: %s %s", cr->name, eof ?
			 "ended; waiting for a new producer" :
			 "was replaced; reopening");
		drain(cr);
		shm_ring_stats(cr->r, &ss);
		cr->ended_records = ss.records;
		ring_close(cr);
		cr->ended_ino = 0;
		if (eof && !stat(path, &st))
			cr->ended_ino = st.st_ino;
		cap->ctr.reopens++;
	}
	/* a closed ring stays closed until a producer makes anew */
	if (!cr->r && cr->ended_ino && !stat(path, &st) &&
	    st.st_ino == cr->ended_ino) {
		/* unless a producer took the same file over (it may have
		 * finished already) */
		if (shm_stats_read(path, &ss) ||
		    (ss.state == IIOT_RING_CLOSED &&
		     ss.records == cr->ended_records))
			return;
	}
	if (!cr->r) {
		/* the watch looks on every event, some while a producer is
		 * half way (its wake FIFO not yet the group's): the tick
		 * says why a ring does not open */
		if (!tick && stat(path, &st))
			return;
		if (!ring_open(cap, cr, !tick))
			(*attached)++;
	} else
		/* arming on a closed ring leaves no waiter for a producer
		 * that takes the file over: look anyway */
		drain(cr);
}

/* Something appeared in a ring directory: look now, not on the tick. */
static void on_watch(void *arg)
{
	struct capture *cap = arg;
	uint64_t t0 = capture_now_ns();
	size_t i;

	cap->ctr.watch_events++;
	cap->ctr.watch_overflows = ringwatch_overflows(cap->watch);
	for (i = 0; i < cap->nrings; i++)
		ring_check(cap, cap->rings[i], false, &cap->ctr.attach_watch);
	capture_busy(cap, PROBE_BUSY_TICK, t0);
}

static void on_tick(evutil_socket_t fd, short what, void *arg)
{
	struct capture *cap = arg;
	size_t i;

	(void)fd;
	(void)what;
	capture_rt_watch(cap);
	for (i = 0; i < cap->nrings; i++) {
		struct cring *cr = cap->rings[i];
		char path[512];

		/* the directory may have appeared (or come back) */
		if (shm_ring_path(cr->name, path, sizeof(path)))
			ringwatch_add(cap->watch, path);
		if (!cap->no_ring_tick)
			ring_check(cap, cr, true, &cap->ctr.attach_tick);
	}
	if (cap->d->model) {
		uint64_t t0 = capture_now_ns();

		model_set_rx_clock(cap->d->model, mono_ns());
		store_stage_begin(cap->d->store);
		analytics_stage_begin(cap->d->analytics);
		model_tick(cap->d->model, shm_now_ns());
		analytics_stage_end(cap->d->analytics);
		store_stage_end(cap->d->store);
		capture_busy(cap, PROBE_BUSY_TICK, t0);
	}
}

/* Work on the capture thread that is not a drain turn delays the next one. */
void capture_busy(struct capture *cap, unsigned int kind, uint64_t since_ns)
{
	probe_busy(&cap->probe, kind, since_ns, capture_now_ns());
}

static void on_snap(evutil_socket_t fd, short what, void *arg)
{
	struct capture *cap = arg;
	struct timeval ms = { 0, 1000 };
	uint64_t t0 = capture_now_ns();

	(void)fd;
	(void)what;
	/* a reader holds the lock: never wait for it, come back */
	if (!capsnap_publish(cap))
		event_add(cap->ev_retry, &ms);
	capture_busy(cap, PROBE_BUSY_SNAPSHOT, t0);
}

static struct cring *ring_add(struct capture *cap, const char *name)
{
	struct cring *cr;
	char path[512];

	if (cap->nrings >= CAPTURE_MAX_RINGS)
		return NULL;
	cr = calloc(1, sizeof(*cr));
	if (!cr)
		return NULL;
	cr->cap = cap;
	snprintf(cr->name, sizeof(cr->name), "%s", name);
	cap->rings[cap->nrings++] = cr;
	if (shm_ring_path(name, path, sizeof(path)))
		ringwatch_add(cap->watch, path);
	ring_open(cap, cr, false);
	return cr;
}

static void ring_free(struct cring *cr)
{
	ring_close(cr);
	flightrec_free(cr->fr);
	free(cr);
}

int capture_start(struct capture *cap, const struct conf *c, char *err,
		  size_t errlen)
{
	const struct conf_entry *e = NULL;
	struct timeval one = { 1, 0 };
	struct timeval snap = { 0, CAPTURE_SNAP_MS * 1000 };
	uint64_t fsec, rt, lrt;

	if (read_opts(c, &cap->batch, &fsec, &cap->flight_bytes, err, errlen) ||
	    read_nice(c, "nice", CAPTURE_NICE, &cap->nice, err, errlen) ||
	    read_nice(c, "loop_nice", CAPTURE_LOOP_NICE, &cap->loop_nice, err,
		      errlen) ||
	    read_nice(c, "group_nice", CAPTURE_GROUP_NICE, &cap->group_nice,
		      err, errlen) ||
	    conf_get_u64(c, "capture", "rt_priority", CAPTURE_RT_PRIORITY, 0,
			 CAPTURE_RT_PRIORITY_MAX, &rt, err, errlen) ||
	    conf_get_u64(c, "capture", "loop_rt_priority",
			 CAPTURE_LOOP_RT_PRIORITY, 0, CAPTURE_RT_PRIORITY_MAX,
			 &lrt, err, errlen))
		return -1;
	cap->rt_priority = (int)rt;
	cap->loop_rt_priority = (int)lrt;
	cap->flight_ns = fsec * 1000000000ULL;
	/* tests: only the watch attaches rings (tests/daemon/ring_attach_
	 * latency.t); the tick's other work goes on */
	cap->no_ring_tick = getenv("IIOTD_TEST_NO_RING_TICK") != NULL;
	cap->watch = ringwatch_new(cap->base, on_watch, cap);
	if (!cap->watch) {
		snprintf(err, errlen, "capture: out of memory");
		return -1;
	}
	cap->ev_tick = event_new(cap->base, -1, EV_PERSIST, on_tick, cap);
	cap->ev_snap = event_new(cap->base, -1, EV_PERSIST, on_snap, cap);
	cap->ev_retry = event_new(cap->base, -1, 0, on_snap, cap);
	if (!cap->ev_tick || event_add(cap->ev_tick, &one) || !cap->ev_retry ||
	    !cap->ev_snap || event_add(cap->ev_snap, &snap)) {
		snprintf(err, errlen, "capture: cannot add timer");
		return -1;
	}
	while ((e = conf_next(c, "capture", "ring", e)))
		ring_add(cap, e->value);
	if (!cap->nrings)
		log_info("capture: no [capture] ring configured");
	/* readers never find no snapshot */
	capsnap_publish(cap);
	return 0;
}

static int reload(struct capture *cap, const struct conf *c, char *err,
		  size_t errlen)
{
	const struct conf_entry *e = NULL;
	uint64_t fsec, fsize, batch;
	size_t i, j;

	if (read_opts(c, &batch, &fsec, &fsize, err, errlen))
		return -1;
	cap->batch = batch;
	for (i = 0; i < cap->nrings; i++)
		cap->rings[i]->keep = false;
	while ((e = conf_next(c, "capture", "ring", e))) {
		for (i = 0; i < cap->nrings; i++)
			if (!strcmp(cap->rings[i]->name, e->value))
				break;
		if (i < cap->nrings)
			cap->rings[i]->keep = true;
		else if (ring_add(cap, e->value))
			cap->rings[cap->nrings - 1]->keep = true;
	}
	for (i = j = 0; i < cap->nrings; i++) {
		if (cap->rings[i]->keep) {
			cap->rings[j++] = cap->rings[i];
			continue;
		}
		log_info("capture: %s no longer configured", cap->rings[i]->name);
		drain(cap->rings[i]);
		ring_free(cap->rings[i]);
	}
	cap->nrings = j;
	return 0;
}

struct reload_call {
	struct capture *cap;
	const struct conf *c;
	char *err;
	size_t errlen;
	int rc;
};

static void reload_call(void *arg)
{
	struct reload_call *rc = arg;

	rc->rc = reload(rc->cap, rc->c, rc->err, rc->errlen);
}

int capture_reload(struct capture *cap, const struct conf *c, char *err,
		   size_t errlen)
{
	struct reload_call rc = { cap, c, err, errlen, 0 };

	capture_call(cap, reload_call, &rc);
	return rc.rc;
}

void capture_drain_all(struct capture *cap)
{
	size_t i;
	int guard;

	for (i = 0; i < cap->nrings; i++) {
		struct cring *cr = cap->rings[i];
		uint64_t before;

		/* bounded: a producer still writing cannot keep us here */
		for (guard = 0; cr->r && guard < 1024; guard++) {
			before = cr->frames;
			drain(cr);
			if (cr->frames == before)
				break;
		}
	}
}

void capture_free(struct capture *cap)
{
	size_t i;

	if (!cap)
		return;
	capture_halt(cap);
	for (i = 0; i < cap->nrings; i++)
		ring_free(cap->rings[i]);
	ringwatch_free(cap->watch);
	if (cap->ev_tick)
		event_free(cap->ev_tick);
	if (cap->ev_snap)
		event_free(cap->ev_snap);
	if (cap->ev_retry)
		event_free(cap->ev_retry);
	if (cap->ev_call)
		event_free(cap->ev_call);
	capsnap_release_all(cap);
	event_base_free(cap->base);
	pthread_mutex_destroy(&cap->call_mu);
	pthread_cond_destroy(&cap->call_cv);
	pthread_mutex_destroy(&cap->snap_mu);
	pthread_mutex_destroy(&cap->fin_mu);
	free(cap);
}

struct tap_call {
	struct capture *cap;
	capture_tap_fn fn;
	void *arg;
};

static void tap_call(void *arg)
{
	struct tap_call *t = arg;

	t->cap->tap = t->fn;
	t->cap->tap_arg = t->arg;
}

void capture_set_tap(struct capture *cap, capture_tap_fn fn, void *arg)
{
	struct tap_call t = { cap, fn, arg };

	capture_call(cap, tap_call, &t);
}

struct xrec {
	uint64_t ts;
	size_t off;		/* frame bytes in xcollect.buf */
	uint32_t cap, wire;
};

/* Frames copied out of the flight recorders (they keep being written). */
struct xcollect {
	struct xrec *v;
	size_t n, cap;
	uint8_t *buf;
	size_t len, size;
};

static int grow(void **p, size_t *have, size_t need, size_t elem)
{
	size_t nc = *have ? *have : 4096;
	void *np;

	while (nc < need)
		nc *= 2;
	if (nc == *have)
		return 0;
	np = realloc(*p, nc * elem);
	if (!np)
		return -1;
	*p = np;
	*have = nc;
	return 0;
}

static int collect(void *arg, const uint8_t *frame, uint32_t caplen,
		   uint32_t wire, uint64_t ts)
{
	struct xcollect *c = arg;

	if (grow((void **)&c->v, &c->cap, c->n + 1, sizeof(*c->v)) ||
	    grow((void **)&c->buf, &c->size, c->len + caplen, 1))
		return -1;
	memcpy(c->buf + c->len, frame, caplen);
	c->v[c->n++] = (struct xrec){ ts, c->len, caplen, wire };
	c->len += caplen;
	return 0;
}

static int cmp_xrec(const void *a, const void *b)
{
	const struct xrec *x = a, *y = b;

	return x->ts < y->ts ? -1 : x->ts > y->ts;
}

struct export_call {
	struct capture *cap;
	bool last;		/* the last `seconds`, else [from, to] */
	uint64_t seconds, from, to;
	const char *ring;
	struct xcollect c;
	int rc;
};

/* On the capture thread: copy what the export needs, nothing more. */
static void export_collect(void *arg)
{
	struct export_call *x = arg;
	struct capture *cap = x->cap;
	uint64_t newest = 0;
	size_t i;

	if (x->last) {
		for (i = 0; i < cap->nrings; i++) {
			struct cring *cr = cap->rings[i];

			if (!cr->fr || (x->ring && strcmp(x->ring, cr->name)))
				continue;
			if (flightrec_newest(cr->fr) > newest)
				newest = flightrec_newest(cr->fr);
		}
		/* "last N seconds" on the frames' clock, which replayed
		 * captures keep from the original recording */
		x->from = newest > x->seconds * 1000000000ULL ?
			  newest - x->seconds * 1000000000ULL : 0;
		x->to = UINT64_MAX;
	}
	for (i = 0; i < cap->nrings; i++) {
		struct cring *cr = cap->rings[i];

		if (!cr->fr || (x->ring && strcmp(x->ring, cr->name)))
			continue;
		if (flightrec_walk(cr->fr, x->from, collect, &x->c)) {
			x->rc = -1;
			return;
		}
	}
}

/* Sorting and writing on the caller's thread. */
static long export_write(struct export_call *x,
			 int (*out)(void *arg, const void *buf, size_t len),
			 void *arg)
{
	struct xcollect *c = &x->c;
	uint8_t hdr[24];
	uint32_t snap = 0;
	size_t i;
	long rc = -1;

	capture_read(x->cap, export_collect, x);
	if (x->rc)
		goto out;
	qsort(c->v, c->n, sizeof(*c->v), cmp_xrec);
	/* sorted: what lies after to is cut off */
	while (c->n && c->v[c->n - 1].ts > x->to)
		c->n--;
	for (i = 0; i < c->n; i++)
		if (c->v[i].cap > snap)
			snap = c->v[i].cap;
	pcap_file_header(hdr, snap > 65535 ? snap : 65535);
	if (out(arg, hdr, sizeof(hdr)))
		goto out;
	for (i = 0; i < c->n; i++) {
		uint8_t rh[16];

		pcap_rec_header(rh, c->v[i].ts, c->v[i].cap, c->v[i].wire);
		if (out(arg, rh, sizeof(rh)) ||
		    out(arg, c->buf + c->v[i].off, c->v[i].cap))
			goto out;
	}
	rc = (long)c->n;
out:
	free(c->v);
	free(c->buf);
	return rc;
}

long capture_export_pcap(struct capture *cap, uint64_t seconds,
			 const char *ring,
			 int (*out)(void *arg, const void *buf, size_t len),
			 void *arg)
{
	struct export_call x = { .cap = cap, .last = true,
				 .seconds = seconds, .ring = ring };

	return export_write(&x, out, arg);
}

long capture_export_pcap_range(struct capture *cap, uint64_t from_ns,
			       uint64_t to_ns, const char *ring,
			       int (*out)(void *arg, const void *buf,
					  size_t len),
			       void *arg)
{
	struct export_call x = { .cap = cap, .from = from_ns, .to = to_ns,
				 .ring = ring };

	return export_write(&x, out, arg);
}
