/*
 * Snapshots: what readers see of capture and the model (capture.h).
 *
 * The capture thread copies (capsnap_publish) and swaps the new snapshot
 * in under snap_mu, held for the swap only.  Readers take a reference
 * under the same mutex and drop it when done.  The capture thread only
 * ever tries snap_mu: a reader preempted while holding it must not hold
 * capture up, so a snapshot that cannot be swapped in now waits as
 * `pending` and is tried again a millisecond later.  A snapshot made for
 * capture_call is swapped in by the caller, which may wait.  Sequence
 * numbers keep an older snapshot from replacing a newer one.
 * The one step that costs (sorting every link's jitter window) is left to
 * the first reader of a snapshot, under fin_mu, which the capture thread
 * never takes.  A snapshot nobody holds any more goes back to a small pool
 * that the next copy refreshes in place (model_snapshot's reuse).
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "capture/capture_int.h"
#include "capture/flightrec.h"
#include "core/iiotd.h"
#include "core/log.h"
#include "libshm.h"
#include "model/model.h"

static void snap_free(struct capsnap *s)
{
	model_snapshot_free(s->model);
	free(s->rings);
	free(s);
}

/*
 * Drop a reference.  The last one returns the snapshot for reuse: to the
 * capture thread's own list when dropped there (no lock), else to the
 * shared pool.
 */
static void release(struct capsnap *s, bool on_capture)
{
	struct capture *cap;

	if (!s || __atomic_sub_fetch(&s->refs, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	cap = s->cap;
	if (on_capture) {
		if (cap->nmine < CAPSNAP_POOL) {
			cap->mine[cap->nmine++] = s;
			return;
		}
	} else {
		pthread_mutex_lock(&cap->snap_mu);
		if (cap->npool < CAPSNAP_POOL) {
			cap->pool[cap->npool++] = s;
			s = NULL;
		}
		pthread_mutex_unlock(&cap->snap_mu);
	}
	if (s)
		snap_free(s);
}

void capsnap_put(struct capsnap *s)
{
	release(s, false);
}

/* A retired snapshot to refresh, or NULL; never waits. */
static struct capsnap *recycled(struct capture *cap)
{
	struct capsnap *s = NULL;

	if (cap->nmine)
		return cap->mine[--cap->nmine];
	if (pthread_mutex_trylock(&cap->snap_mu))
		return NULL;
	if (cap->npool)
		s = cap->pool[--cap->npool];
	pthread_mutex_unlock(&cap->snap_mu);
	return s;
}

/* Copy what readers see into s (recycled or NULL); NULL: no memory. */
static struct capsnap *take(struct capture *cap, struct capsnap *s)
{
	struct model *reuse;
	size_t i;

	if (!s && !(s = calloc(1, sizeof(*s))))
		return NULL;
	reuse = s->model;
	s->model = NULL;
	s->cap = cap;
	s->finished = 0;
	s->refs = 1;
	s->seq = ++cap->snap_seq;
	s->taken_ns = shm_now_ns();
	s->ctr = cap->ctr;
	s->dstats = cap->dstats;
	s->probe = cap->probe;
	if (cap->d && cap->d->model) {
		s->model = model_snapshot(cap->d->model, reuse);
		if (!s->model) {
			model_snapshot_free(reuse);
			goto fail;
		}
	} else {
		model_snapshot_free(reuse);
	}
	if (!s->rings) {
		s->rings = calloc(CAPTURE_MAX_RINGS, sizeof(*s->rings));
		if (!s->rings)
			goto fail;
	}
	s->nrings = cap->nrings;
	for (i = 0; i < cap->nrings; i++) {
		const struct cring *cr = cap->rings[i];
		struct capsnap_ring *o = &s->rings[i];

		memset(o, 0, sizeof(*o));
		memcpy(o->name, cr->name, sizeof(o->name));
		o->open = cr->r != NULL;
		o->drained = cr->frames;
		if (cr->r)
			shm_ring_stats(cr->r, &o->st);
		if (cr->fr) {
			o->flight = true;
			o->flight_frames = flightrec_frames(cr->fr);
			o->flight_evicted = flightrec_evicted(cr->fr);
		}
	}
	return s;
fail:
	snap_free(s);
	return NULL;
}

/*
 * Swap s in as the newest unless a newer one is there; returns the one
 * that lost (to release), or s itself when the lock was busy and block is
 * false (nothing changed).
 */
static struct capsnap *swap_in(struct capture *cap, struct capsnap *s,
			       bool block, bool *done)
{
	struct capsnap *old = s;

	*done = false;
	if (block)
		pthread_mutex_lock(&cap->snap_mu);
	else if (pthread_mutex_trylock(&cap->snap_mu))
		return s;
	if (!cap->pub || s->seq > cap->pub->seq) {
		old = cap->pub;
		cap->pub = s;
	}
	pthread_mutex_unlock(&cap->snap_mu);
	*done = true;
	return old;
}

struct capsnap *capsnap_make(struct capture *cap)
{
	struct capsnap *s = take(cap, recycled(cap));

	if (!s)
		/* readers keep the previous one: old, never wrong */
		log_warnx("capture: no memory for a snapshot");
	return s;
}

void capsnap_swap(struct capture *cap, struct capsnap *s)
{
	bool done;

	if (s)
		release(swap_in(cap, s, true, &done), false);
}

/* On the capture thread (or before it runs): make one and swap it in. */
bool capsnap_publish(struct capture *cap)
{
	struct capsnap *s = cap->pending, *old;
	bool done;

	cap->pending = NULL;
	if (!s) {
		s = capsnap_make(cap);
		if (!s)
			return true;
	}
	old = swap_in(cap, s, !cap->running, &done);
	if (!done) {
		cap->snap_retries++;
		cap->pending = s;
		return false;
	}
	release(old, cap->running);
	return true;
}

struct capsnap *capture_snapshot(struct capture *cap)
{
	struct capsnap *s;

	pthread_mutex_lock(&cap->snap_mu);
	s = cap->pub;
	if (s)
		__atomic_add_fetch(&s->refs, 1, __ATOMIC_ACQ_REL);
	pthread_mutex_unlock(&cap->snap_mu);
	if (!s || __atomic_load_n(&s->finished, __ATOMIC_ACQUIRE))
		return s;
	pthread_mutex_lock(&cap->fin_mu);
	if (!s->finished) {
		if (s->model)
			model_snapshot_finish(s->model, cap->fin_prev ?
					      cap->fin_prev->model : NULL);
		__atomic_add_fetch(&s->refs, 1, __ATOMIC_ACQ_REL);
		capsnap_put(cap->fin_prev);
		cap->fin_prev = s;
		__atomic_store_n(&s->finished, 1, __ATOMIC_RELEASE);
	}
	pthread_mutex_unlock(&cap->fin_mu);
	return s;
}

void capsnap_release_all(struct capture *cap)
{
	capsnap_put(cap->pub);
	capsnap_put(cap->fin_prev);
	capsnap_put(cap->pending);
	cap->pub = cap->fin_prev = cap->pending = NULL;
	while (cap->npool)
		snap_free(cap->pool[--cap->npool]);
	while (cap->nmine)
		snap_free(cap->mine[--cap->nmine]);
}

json_t *capsnap_counters_json(const struct capsnap *s)
{
	json_t *o = json_object(), *a = json_object(), *p = json_object();
	unsigned int i;

#define CAPTURE_X_JSON(n, dsc) \
	json_object_set_new(o, #n, json_integer((json_int_t)s->ctr.n));
	CAPTURE_COUNTERS(CAPTURE_X_JSON)
#undef CAPTURE_X_JSON
	for (i = 0; i < DECODE_PROTO_COUNT; i++)
		json_object_set_new(p, decode_proto_name(i), json_integer(
			(json_int_t)s->dstats.proto[i]));
	for (i = 0; i < DECODE_ANOMALY_COUNT; i++)
		if (s->dstats.anomaly[i])
			json_object_set_new(a, decode_anomaly_name(i),
				json_integer((json_int_t)s->dstats.anomaly[i]));
	json_object_set_new(o, "protocols", p);
	json_object_set_new(o, "anomaly", a);
	json_object_set_new(o, "drain_gap",
			    probe_json(&s->probe, capture_now_ns()));
	json_object_set_new(o, "snapshot_age_ms", json_integer((json_int_t)
		((shm_now_ns() - s->taken_ns) / 1000000)));
	return o;
}

json_t *capsnap_rings_json(const struct capsnap *s)
{
	json_t *arr = json_array();
	size_t i;

	for (i = 0; i < s->nrings; i++) {
		const struct capsnap_ring *r = &s->rings[i];
		json_t *o = json_object();

		json_object_set_new(o, "ring", json_string(r->name));
		json_object_set_new(o, "open", json_boolean(r->open));
		json_object_set_new(o, "drained",
				    json_integer((json_int_t)r->drained));
		if (r->open)
			capture_ring_stats_json(o, &r->st);
		if (r->flight) {
			json_object_set_new(o, "flight_frames", json_integer(
				(json_int_t)r->flight_frames));
			json_object_set_new(o, "flight_evicted", json_integer(
				(json_int_t)r->flight_evicted));
		}
		json_array_append_new(arr, o);
	}
	return arr;
}
