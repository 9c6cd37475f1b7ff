/*
 * The queue from device threads into the model (extq.h).  Two arrays
 * swap: the device threads fill one under the lock while the flusher
 * hands the other to the capture thread.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "capture/capture.h"
#include "core/iiotd.h"
#include "core/log.h"
#include "model/model.h"
#include "south/extq.h"

struct qval {
	uint32_t idx;
	uint64_t ts_ns;
	double v;
};

struct qstate {
	uint32_t id;			/* model device */
	bool online;
	uint64_t errors;
	uint64_t ts_ns;
	char why[200];
};

struct extq {
	struct iiotd *d;
	char name[16];
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool stop;
	struct qval *q;
	size_t qn, qcap;
	struct qstate *qs;
	size_t qsn, qscap;
	uint64_t dropped;
	uint64_t flushed;
};

struct batch {
	struct extq *x;
	struct qval *q;
	size_t n;
	struct qstate *qs;
	size_t ns;
};

uint64_t extq_wall_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

void extq_values(struct extq *x, const uint32_t *idx, const double *vals,
		 size_t n, uint64_t ts_ns)
{
	size_t i;

	pthread_mutex_lock(&x->mu);
	for (i = 0; i < n; i++) {
		if (x->qn == x->qcap) {
			size_t nc = x->qcap ? x->qcap * 2 : 1024;
			void *a = nc <= EXTQ_MAX ?
				  realloc(x->q, nc * sizeof(*x->q)) : NULL;

			if (!a) {
				x->dropped += n - i;
				break;
			}
			x->q = a;
			x->qcap = nc;
		}
		x->q[x->qn++] = (struct qval){ idx[i], ts_ns, vals[i] };
	}
	pthread_mutex_unlock(&x->mu);
}

void extq_state(struct extq *x, uint32_t dev_id, bool online,
		uint64_t errors, const char *why)
{
	struct qstate *s;

	pthread_mutex_lock(&x->mu);
	if (x->qsn == x->qscap) {
		size_t nc = x->qscap ? x->qscap * 2 : 16;
		void *a = realloc(x->qs, nc * sizeof(*x->qs));

		if (!a) {
			pthread_mutex_unlock(&x->mu);
			return;
		}
		x->qs = a;
		x->qscap = nc;
	}
	s = &x->qs[x->qsn++];
	s->id = dev_id;
	s->online = online;
	s->errors = errors;
	s->ts_ns = extq_wall_ns();
	snprintf(s->why, sizeof(s->why), "%s", why ? why : "");
	pthread_mutex_unlock(&x->mu);
}

/* on the capture thread */
static void apply_values(void *arg)
{
	struct batch *b = arg;
	size_t i;

	for (i = 0; i < b->n; i++)
		model_ext_sample(b->x->d->model, b->q[i].idx, b->q[i].ts_ns,
				 b->q[i].v);
}

static void apply_states(void *arg)
{
	struct batch *b = arg;
	size_t i;

	for (i = 0; i < b->ns; i++)
		model_ext_device_state(b->x->d->model, b->qs[i].id,
				       b->qs[i].online, b->qs[i].errors,
				       b->qs[i].why, b->qs[i].ts_ns);
}

static void *flusher(void *arg)
{
	struct extq *x = arg;
	struct batch b = { x, NULL, 0, NULL, 0 };
	struct qval *spare = NULL;
	size_t spare_cap = 0, bcap;
	struct timespec ts;
	bool stop = false;

	while (!stop) {
		pthread_mutex_lock(&x->mu);
		x->flushed += b.n;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += EXTQ_FLUSH_MS * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		if (!x->stop)
			pthread_cond_timedwait(&x->cv, &x->mu, &ts);
		stop = x->stop;
		/* the filled queue for the drained one */
		b.q = x->q;
		b.n = x->qn;
		bcap = x->qcap;
		x->q = spare;
		x->qcap = spare_cap;
		x->qn = 0;
		b.qs = x->qs;
		b.ns = x->qsn;
		x->qs = NULL;
		x->qsn = x->qscap = 0;
		pthread_mutex_unlock(&x->mu);
		if (b.ns)
			capture_call(x->d->capture, apply_states, &b);
		if (b.n)
			capture_read(x->d->capture, apply_values, &b);
		free(b.qs);
		spare = b.q;
		spare_cap = bcap;
	}
	pthread_mutex_lock(&x->mu);
	x->flushed += b.n;
	pthread_mutex_unlock(&x->mu);
	free(spare);
	return NULL;
}

struct extq *extq_start(struct iiotd *d, const char *name)
{
	struct extq *x = calloc(1, sizeof(*x));
	int rc;

	if (!x)
		return NULL;
	x->d = d;
	snprintf(x->name, sizeof(x->name), "%s", name);
	pthread_mutex_init(&x->mu, NULL);
	pthread_cond_init(&x->cv, NULL);
	rc = pthread_create(&x->th, NULL, flusher, x);
	if (rc) {
		log_warnx("%s: cannot start the flusher: %s", name,
			  strerror(rc));
		pthread_mutex_destroy(&x->mu);
		pthread_cond_destroy(&x->cv);
		free(x);
		return NULL;
	}
	return x;
}

void extq_stop(struct extq *x)
{
	if (!x)
		return;
	pthread_mutex_lock(&x->mu);
	x->stop = true;
	pthread_cond_broadcast(&x->cv);
	pthread_mutex_unlock(&x->mu);
	pthread_join(x->th, NULL);
	free(x->q);
	free(x->qs);
	pthread_mutex_destroy(&x->mu);
	pthread_cond_destroy(&x->cv);
	free(x);
}

void extq_counts(struct extq *x, uint64_t *flushed, uint64_t *dropped)
{
	*flushed = *dropped = 0;
	if (!x)
		return;
	pthread_mutex_lock(&x->mu);
	*flushed = x->flushed;
	*dropped = x->dropped;
	pthread_mutex_unlock(&x->mu);
}
