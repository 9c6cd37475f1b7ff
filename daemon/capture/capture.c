/*
 * Ring draining.  Each ring's wake fd sits in the event loop; when it
 * fires we ack, drain up to `batch` records, release them to the producer
 * and either re-arm (nothing left: sleep) or yield to other events and
 * come back at once (more left).  Latency is bounded by one batch per
 * ring; there is no polling while idle.  A one-second timer reopens rings
 * that are missing, ended or replaced, and drives the model's timeouts.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <event2/event.h>
#include <jansson.h>

#include "alerts/alerts.h"
#include "capture/capture.h"
#include "capture/flightrec.h"
#include "capture/probe.h"
#include "core/conf.h"
#include "core/iiotd.h"
#include "core/log.h"
#include "decode/decode.h"
#include "diag/diag.h"
#include "ids/ids.h"
#include "libshm.h"
#include "model/model.h"

#define CAPTURE_MAX_RINGS	64
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
	struct cring *rings[CAPTURE_MAX_RINGS];
	size_t nrings;
	struct event *ev_tick;
	uint64_t batch;
	uint64_t flight_ns, flight_bytes;
	struct capture_counters ctr;
	struct probe probe;		/* gaps between drain turns */
	struct decode_stats dstats;
	struct decoded dec;
	capture_tap_fn tap;
	void *tap_arg;
};

static const char *const capture_keys[] = {
	"ring", "batch", "flight_seconds", "flight_size", NULL
};

static int read_opts(const struct conf *c, uint64_t *batch, uint64_t *fsec,
		     uint64_t *fsize, char *err, size_t errlen)
{
	const struct conf_entry *e = NULL;
	size_t n = 0;

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

	if (cap)
		cap->d = d;
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
static uint64_t now_ns(void)
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
	uint64_t n = 0, start = now_ns();

	if (!cr->r)
		return;
	if (m)
		model_set_rx_clock(m, shm_now_ns());
	if (ids)
		alerts_set_clock(cap->d->alerts, shm_now_ns());
	while (n < cap->batch && (rec = shm_cons_peek(cr->r, &frame))) {
		decode_frame(frame, rec->cap_len, &cap->dec);
		decode_stats_add(&cap->dstats, &cap->dec, rec->wire_len);
		if (cap->dec.anomalies)
			cap->ctr.anomalies++;
		if (m)
			model_frame(m, &cap->dec, rec->ts_ns, rec->wire_len,
				    rec->flags);
		/* IDS (docs/security.md): O(1), no allocation, raises into
		 * d->alerts; its quiet periods run on the batch's host clock */
		if (ids)
			ids_frame(ids, &cap->dec, rec->ts_ns, 0);
		/* diagnostics (docs/diagnostics.md): the same contract */
		if (cap->d->diag)
			diag_frame(cap->d->diag, &cap->dec, rec->ts_ns, 0);
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
	shm_cons_release(cr->r);
	if (n)
		probe_turn(&cap->probe, cr->turn_end, loop_wake(cap->d->base),
			   start);
	cr->turn_end = now_ns();
	if (n == cap->batch) {
		cap->ctr.batches_full++;
		event_active(cr->ev_more, EV_TIMEOUT, 0);
		return;
	}
	/* records published between the last peek and arming: go again */
	if (shm_cons_arm(cr->r) && !shm_cons_eof(cr->r))
		event_active(cr->ev_more, EV_TIMEOUT, 0);
}

static int ring_open(struct capture *cap, struct cring *cr)
{
	const struct iiot_ring_hdr *h;
	int err;

	err = shm_cons_open(&cr->r, cr->name);
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
	cr->ev_wake = event_new(cap->d->base, shm_ring_fd(cr->r),
				EV_READ | EV_PERSIST, on_wake, cr);
	cr->ev_more = event_new(cap->d->base, -1, 0, on_more, cr);
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

static void on_tick(evutil_socket_t fd, short what, void *arg)
{
	struct capture *cap = arg;
	size_t i;

	(void)fd;
	(void)what;
	for (i = 0; i < cap->nrings; i++) {
		struct cring *cr = cap->rings[i];

		char path[512];
		struct shm_stats ss;
		struct stat st;

		if (!shm_ring_path(cr->name, path, sizeof(path)))
			continue;
		/* before an ended ring is closed: its last counters count */
		if (cr->r)
			check_nic(cap, cr);
		if (cr->r && (shm_cons_replaced(cr->r) ||
			      shm_cons_eof(cr->r))) {
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
			/* unless a producer took the same file over (it
			 * may have finished already) */
			if (shm_stats_read(path, &ss) ||
			    (ss.state == IIOT_RING_CLOSED &&
			     ss.records == cr->ended_records))
				continue;
		}
		if (!cr->r)
			ring_open(cap, cr);
		else
			/* arming on a closed ring leaves no waiter for a
			 * producer that takes the file over: look anyway */
			drain(cr);
	}
	if (cap->d->model)
		model_tick(cap->d->model, shm_now_ns());
}

static struct cring *ring_add(struct capture *cap, const char *name)
{
	struct cring *cr;

	if (cap->nrings >= CAPTURE_MAX_RINGS)
		return NULL;
	cr = calloc(1, sizeof(*cr));
	if (!cr)
		return NULL;
	cr->cap = cap;
	snprintf(cr->name, sizeof(cr->name), "%s", name);
	cap->rings[cap->nrings++] = cr;
	ring_open(cap, cr);
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
	uint64_t fsec;

	if (read_opts(c, &cap->batch, &fsec, &cap->flight_bytes, err, errlen))
		return -1;
	cap->flight_ns = fsec * 1000000000ULL;
	cap->ev_tick = event_new(cap->d->base, -1, EV_PERSIST, on_tick, cap);
	if (!cap->ev_tick || event_add(cap->ev_tick, &one)) {
		snprintf(err, errlen, "capture: cannot add timer");
		return -1;
	}
	while ((e = conf_next(c, "capture", "ring", e)))
		ring_add(cap, e->value);
	if (!cap->nrings)
		log_info("capture: no [capture] ring configured");
	return 0;
}

int capture_reload(struct capture *cap, const struct conf *c, char *err,
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
	for (i = 0; i < cap->nrings; i++)
		ring_free(cap->rings[i]);
	if (cap->ev_tick)
		event_free(cap->ev_tick);
	free(cap);
}

void capture_set_tap(struct capture *cap, capture_tap_fn fn, void *arg)
{
	cap->tap = fn;
	cap->tap_arg = arg;
}

void capture_get_counters(const struct capture *cap,
			  struct capture_counters *out)
{
	*out = cap->ctr;
}

json_t *capture_counters_json(const struct capture *cap)
{
	json_t *o = json_object(), *a = json_object(), *p = json_object();
	unsigned int i;

#define CAPTURE_X_JSON(n, dsc) \
	json_object_set_new(o, #n, json_integer((json_int_t)cap->ctr.n));
	CAPTURE_COUNTERS(CAPTURE_X_JSON)
#undef CAPTURE_X_JSON
	for (i = 0; i < DECODE_PROTO_COUNT; i++)
		json_object_set_new(p, decode_proto_name(i), json_integer(
			(json_int_t)cap->dstats.proto[i]));
	for (i = 0; i < DECODE_ANOMALY_COUNT; i++)
		if (cap->dstats.anomaly[i])
			json_object_set_new(a, decode_anomaly_name(i),
				json_integer((json_int_t)cap->dstats.anomaly[i]));
	json_object_set_new(o, "protocols", p);
	json_object_set_new(o, "anomaly", a);
	json_object_set_new(o, "drain_gap", probe_json(&cap->probe, now_ns()));
	return o;
}

json_t *capture_rings_json(const struct capture *cap)
{
	json_t *arr = json_array();
	size_t i;

	for (i = 0; i < cap->nrings; i++) {
		const struct cring *cr = cap->rings[i];
		json_t *o = json_object();
		struct shm_stats st;

		json_object_set_new(o, "ring", json_string(cr->name));
		json_object_set_new(o, "open", json_boolean(cr->r != NULL));
		json_object_set_new(o, "drained",
				    json_integer((json_int_t)cr->frames));
		if (cr->r) {
			shm_ring_stats(cr->r, &st);
			capture_ring_stats_json(o, &st);
		}
		if (cr->fr) {
			json_object_set_new(o, "flight_frames", json_integer(
				(json_int_t)flightrec_frames(cr->fr)));
			json_object_set_new(o, "flight_evicted", json_integer(
				(json_int_t)flightrec_evicted(cr->fr)));
		}
		json_array_append_new(arr, o);
	}
	return arr;
}

struct xrec {
	uint64_t ts;
	const uint8_t *p;
	uint32_t cap, wire;
};

struct xcollect {
	struct xrec *v;
	size_t n, cap;
};

static int collect(void *arg, const uint8_t *frame, uint32_t caplen,
		   uint32_t wire, uint64_t ts)
{
	struct xcollect *c = arg;

	if (c->n == c->cap) {
		size_t nc = c->cap ? c->cap * 2 : 4096;
		struct xrec *nv = realloc(c->v, nc * sizeof(*nv));

		if (!nv)
			return -1;
		c->v = nv;
		c->cap = nc;
	}
	c->v[c->n++] = (struct xrec){ ts, frame, caplen, wire };
	return 0;
}

static int cmp_xrec(const void *a, const void *b)
{
	const struct xrec *x = a, *y = b;

	return x->ts < y->ts ? -1 : x->ts > y->ts;
}

long capture_export_pcap(struct capture *cap, uint64_t seconds,
			 const char *ring,
			 int (*out)(void *arg, const void *buf, size_t len),
			 void *arg)
{
	uint64_t newest = 0, since;
	size_t i;

	for (i = 0; i < cap->nrings; i++) {
		struct cring *cr = cap->rings[i];

		if (!cr->fr || (ring && strcmp(ring, cr->name)))
			continue;
		if (flightrec_newest(cr->fr) > newest)
			newest = flightrec_newest(cr->fr);
	}
	/* "last N seconds" on the frames' clock, which replayed captures
	 * keep from the original recording */
	since = newest > seconds * 1000000000ULL ?
		newest - seconds * 1000000000ULL : 0;
	return capture_export_pcap_range(cap, since, UINT64_MAX, ring, out,
					 arg);
}

long capture_export_pcap_range(struct capture *cap, uint64_t from_ns,
			       uint64_t to_ns, const char *ring,
			       int (*out)(void *arg, const void *buf,
					  size_t len),
			       void *arg)
{
	struct xcollect c = { 0 };
	uint8_t hdr[24];
	uint32_t snap = 0;
	size_t i;
	long rc = -1;

	for (i = 0; i < cap->nrings; i++) {
		struct cring *cr = cap->rings[i];

		if (!cr->fr || (ring && strcmp(ring, cr->name)))
			continue;
		if (flightrec_walk(cr->fr, from_ns, collect, &c))
			goto out;
	}
	qsort(c.v, c.n, sizeof(*c.v), cmp_xrec);
	/* sorted: what lies after to_ns is cut off */
	while (c.n && c.v[c.n - 1].ts > to_ns)
		c.n--;
	for (i = 0; i < c.n; i++)
		if (c.v[i].cap > snap)
			snap = c.v[i].cap;
	pcap_file_header(hdr, snap > 65535 ? snap : 65535);
	if (out(arg, hdr, sizeof(hdr)))
		goto out;
	for (i = 0; i < c.n; i++) {
		uint8_t rh[16];

		pcap_rec_header(rh, c.v[i].ts, c.v[i].cap, c.v[i].wire);
		if (out(arg, rh, sizeof(rh)) ||
		    out(arg, c.v[i].p, c.v[i].cap))
			goto out;
	}
	rc = (long)c.n;
out:
	free(c.v);
	return rc;
}
