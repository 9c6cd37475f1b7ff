/* Argon2id jobs on worker threads, results delivered on the event loop. */
#include <errno.h>
#include <event2/event.h>
#include <openssl/crypto.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "auth/hash_worker.h"
#include "core/workq.h"

enum job_state { JOB_QUEUED, JOB_RUNNING, JOB_DONE };

struct hash_job {
	struct workq_node node;		/* first: the FIFOs link it */
	struct hash_worker *w;
	enum job_state state;		/* under w->mu */
	int cancelled;			/* loop thread only */
	hash_done_fn done;
	void *arg;
	int dummy, has_pw, has_new;
	char encoded[PW_ENCODED_MAX];
	char pw[PW_MAX_LEN + 1], new_pw[PW_MAX_LEN + 1];
	struct hash_result res;
};

struct hash_worker {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct workq_fifo queue, done;	/* under mu */
	int stop;			/* under mu */
	int nthreads, started, efd;
	uint64_t cap;
	pthread_t th[HASH_THREADS_MAX];
	struct event *ev;
	struct hash_worker_counters ctr;	/* loop thread only */
};

static void push(struct workq_fifo *f, struct hash_job *j)
{
	workq_push(f, &j->node);
}

static struct hash_job *pop(struct workq_fifo *f)
{
	return (struct hash_job *)workq_pop(f);
}

static void job_free(struct hash_job *j)
{
	/* the job held a password in clear */
	OPENSSL_cleanse(j, sizeof(*j));
	free(j);
}

static void fifo_free(struct workq_fifo *f)
{
	struct hash_job *j;

	while ((j = pop(f)))
		job_free(j);
}

static char dummy[PW_ENCODED_MAX];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

/* Made once, on a worker, so even the first unknown user costs no loop time. */
static void dummy_make(void)
{
	char pw[24];

	/*
	 * Its match is never used, so the password need not be secret; without
	 * randomness there is no hash and an unknown user answers faster.
	 */
	if (pw_generate(pw, sizeof(pw)) || pw_hash(pw, dummy, sizeof(dummy)))
		dummy[0] = 0;
	OPENSSL_cleanse(pw, sizeof(pw));
}

static void run(struct hash_job *j)
{
	int verified = 1;

	if (j->has_pw) {
		if (j->dummy)
			pthread_once(&dummy_once, dummy_make);
		verified = pw_verify(j->dummy ? dummy : j->encoded, j->pw) && !j->dummy;
		j->res.match = verified;
	}
	if (j->has_new && verified)
		j->res.hashed = pw_hash(j->new_pw, j->res.encoded, sizeof(j->res.encoded)) == 0;
	OPENSSL_cleanse(j->pw, sizeof(j->pw));
	OPENSSL_cleanse(j->new_pw, sizeof(j->new_pw));
}

static void *worker(void *arg)
{
	struct hash_worker *w = arg;
	struct hash_job *j;

	pthread_mutex_lock(&w->mu);
	for (;;) {
		while (!w->stop && !w->queue.head)
			pthread_cond_wait(&w->cv, &w->mu);
		if (w->stop)
			break;
		j = pop(&w->queue);
		j->state = JOB_RUNNING;
		pthread_mutex_unlock(&w->mu);
		run(j);
		pthread_mutex_lock(&w->mu);
		j->state = JOB_DONE;
		push(&w->done, j);
		workq_wake(w->efd);
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

static struct hash_job *take_done(struct hash_worker *w)
{
	struct hash_job *j;

	pthread_mutex_lock(&w->mu);
	j = pop(&w->done);
	pthread_mutex_unlock(&w->mu);
	return j;
}

/* One job at a time: a callback may cancel jobs still on the done list. */
static void drain(evutil_socket_t fd, short ev, void *arg)
{
	struct hash_worker *w = arg;
	struct hash_job *j;
	uint64_t n;

	(void)ev;
	/* the count does not matter: the done list says what finished */
	if (read(fd, &n, sizeof(n)) < 0)
		n = 0;
	while ((j = take_done(w))) {
		w->ctr.pending--;
		if (!j->cancelled) {
			w->ctr.done++;
			j->done(j->arg, &j->res);
		}
		job_free(j);
	}
}

static void stop_threads(struct hash_worker *w)
{
	int i;

	pthread_mutex_lock(&w->mu);
	w->stop = 1;
	pthread_cond_broadcast(&w->cv);
	pthread_mutex_unlock(&w->mu);
	for (i = 0; i < w->started; i++)
		pthread_join(w->th[i], NULL);
	w->started = 0;
}

struct hash_worker *hash_worker_new(struct event_base *base, int threads, int queue_max,
				    char *err, size_t errlen)
{
	struct hash_worker *w;

	if (threads < 1 || threads > HASH_THREADS_MAX || queue_max < 0) {
		snprintf(err, errlen, "hash worker: 1 to %d threads", HASH_THREADS_MAX);
		return NULL;
	}
	w = calloc(1, sizeof(*w));
	if (!w) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
	w->nthreads = threads;
	w->cap = (uint64_t)threads + (uint64_t)queue_max;
	w->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (w->efd >= 0)
		w->ev = event_new(base, w->efd, EV_READ | EV_PERSIST, drain, w);
	if (!w->ev || event_add(w->ev, NULL) ||
	    workq_start(w->th, w->nthreads, worker, w, "iiotd-hash", &w->started)) {
		snprintf(err, errlen, "hash worker: cannot start: %s", strerror(errno));
		hash_worker_free(w);
		return NULL;
	}
	return w;
}

void hash_worker_free(struct hash_worker *w)
{
	if (!w)
		return;
	stop_threads(w);
	fifo_free(&w->queue);
	fifo_free(&w->done);
	if (w->ev)
		event_free(w->ev);
	if (w->efd >= 0)
		close(w->efd);
	pthread_cond_destroy(&w->cv);
	pthread_mutex_destroy(&w->mu);
	free(w);
}

static int copy_secret(char *dst, size_t cap, const char *src)
{
	size_t n = strlen(src);

	if (n >= cap)
		return -1;
	memcpy(dst, src, n + 1);
	return 0;
}

static struct hash_job *job_new(const struct hash_req *rq)
{
	struct hash_job *j = calloc(1, sizeof(*j));

	if (!j)
		return NULL;
	j->dummy = !rq->encoded;
	j->has_pw = rq->pw != NULL;
	j->has_new = rq->new_pw != NULL;
	if ((rq->encoded && copy_secret(j->encoded, sizeof(j->encoded), rq->encoded)) ||
	    (rq->pw && copy_secret(j->pw, sizeof(j->pw), rq->pw)) ||
	    (rq->new_pw && copy_secret(j->new_pw, sizeof(j->new_pw), rq->new_pw))) {
		job_free(j);
		errno = EINVAL;
		return NULL;
	}
	return j;
}

struct hash_job *hash_submit(struct hash_worker *w, const struct hash_req *rq,
			     hash_done_fn done, void *arg)
{
	struct hash_job *j;

	if (w->ctr.pending >= w->cap) {
		w->ctr.busy++;
		errno = EAGAIN;
		return NULL;
	}
	j = job_new(rq);
	if (!j)
		return NULL;
	j->w = w;
	j->done = done;
	j->arg = arg;
	pthread_mutex_lock(&w->mu);
	j->state = JOB_QUEUED;
	push(&w->queue, j);
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
	w->ctr.jobs++;
	w->ctr.pending++;
	return j;
}

void hash_cancel(struct hash_job *j)
{
	struct hash_worker *w = j->w;
	int queued;

	pthread_mutex_lock(&w->mu);
	queued = j->state == JOB_QUEUED;
	if (queued)
		workq_unlink(&w->queue, &j->node);
	pthread_mutex_unlock(&w->mu);
	w->ctr.cancelled++;
	if (queued) {
		w->ctr.pending--;
		job_free(j);
		return;
	}
	/* running or finished: drain() frees it when the worker is done with it */
	j->cancelled = 1;
}

void hash_worker_get_counters(const struct hash_worker *w, struct hash_worker_counters *out)
{
	*out = w->ctr;
}

int hash_worker_threads(const struct hash_worker *w)
{
	return w->nthreads;
}
