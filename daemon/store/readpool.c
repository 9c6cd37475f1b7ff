/* Store readers on worker threads, results delivered on the event loop. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <event2/event.h>
#include <sqlite3.h>

#include "core/log.h"
#include "core/workq.h"
#include "store/readpool.h"
#include "store/store_int.h"

struct readpool_job {
	struct workq_node node;		/* first: the FIFOs link it */
	struct readpool *p;
	bool queued;			/* under p->mu: not yet taken */
	bool cancelled;			/* loop thread only */
	readpool_work_fn work;
	readpool_done_fn done;
	void *arg;
};

struct readpool {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct workq_fifo queue, finished;	/* under mu */
	bool stop;			/* under mu */
	int stopping;			/* atomic: same, for busy() */
	int nthreads, started, efd, nice;
	uint64_t cap;
	pthread_t th[READPOOL_THREADS_MAX];
	struct event *ev;
	char path[4096];
	uint64_t opens, open_errors;	/* atomic: the threads count them */
	uint64_t running;		/* atomic: jobs in their work now */
	struct readpool_counters ctr;	/* loop thread only */
};

static void push(struct workq_fifo *f, struct readpool_job *j)
{
	workq_push(f, &j->node);
}

static struct readpool_job *pop(struct workq_fifo *f)
{
	return (struct readpool_job *)workq_pop(f);
}

/*
 * A reader that waits for a lock waits off the loop, so it may wait long;
 * but not past a stop, which joins the threads.
 */
static int busy(void *arg, int n)
{
	struct readpool *p = arg;

	if (__atomic_load_n(&p->stopping, __ATOMIC_ACQUIRE) ||
	    (uint64_t)n * READPOOL_BUSY_STEP_MS >= READPOOL_BUSY_MS)
		return 0;
	usleep(READPOOL_BUSY_STEP_MS * 1000);
	return 1;
}

/* A connection of this thread's own, opened when first needed. */
static sqlite3 *conn(struct readpool *p, sqlite3 **db, char *err,
		     size_t errlen)
{
	if (*db || !p->path[0])
		return *db;
	*db = store_db_open(p->path, 1, err, errlen);
	if (*db)
		sqlite3_busy_handler(*db, busy, p);
	__atomic_add_fetch(*db ? &p->opens : &p->open_errors, 1,
			   __ATOMIC_RELAXED);
	return *db;
}

static void *worker(void *arg)
{
	struct readpool *p = arg;
	struct readpool_job *j;
	sqlite3 *db = NULL;
	char err[512];

	/* a higher nice value needs no privilege; per thread on Linux */
	if (p->nice &&
	    setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid),
			getpriority(PRIO_PROCESS, 0) + p->nice))
		log_warn("store: reader nice value");
	pthread_mutex_lock(&p->mu);
	for (;;) {
		while (!p->stop && !p->queue.head)
			pthread_cond_wait(&p->cv, &p->mu);
		if (p->stop)
			break;
		j = pop(&p->queue);
		j->queued = false;
		pthread_mutex_unlock(&p->mu);
		err[0] = 0;
		__atomic_add_fetch(&p->running, 1, __ATOMIC_RELAXED);
		j->work(j->arg, conn(p, &db, err, sizeof(err)), err);
		__atomic_sub_fetch(&p->running, 1, __ATOMIC_RELAXED);
		pthread_mutex_lock(&p->mu);
		push(&p->finished, j);
		workq_wake(p->efd);
	}
	pthread_mutex_unlock(&p->mu);
	sqlite3_close(db);
	return NULL;
}

static struct readpool_job *take_finished(struct readpool *p)
{
	struct readpool_job *j;

	pthread_mutex_lock(&p->mu);
	j = pop(&p->finished);
	pthread_mutex_unlock(&p->mu);
	return j;
}

static void deliver(struct readpool *p, struct readpool_job *j)
{
	p->ctr.pending--;
	if (!j->cancelled)
		p->ctr.done++;
	j->done(j->arg, j->cancelled);
	free(j);
}

/* One job at a time: a callback may cancel jobs still on the list. */
static void on_finished(evutil_socket_t fd, short ev, void *arg)
{
	struct readpool *p = arg;
	struct readpool_job *j;
	uint64_t n;

	(void)ev;
	/* the count does not matter: the list says what finished */
	if (read(fd, &n, sizeof(n)) < 0)
		n = 0;
	while ((j = take_finished(p)))
		deliver(p, j);
}

static void stop_threads(struct readpool *p)
{
	int i;

	__atomic_store_n(&p->stopping, 1, __ATOMIC_RELEASE);
	pthread_mutex_lock(&p->mu);
	p->stop = true;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
	for (i = 0; i < p->started; i++)
		pthread_join(p->th[i], NULL);
	p->started = 0;
}

struct readpool *readpool_new(struct event_base *base, const char *db_path,
			      int threads, int queue, int nice_incr,
			      char *err, size_t errlen)
{
	struct readpool *p;

	if (threads < 1 || threads > READPOOL_THREADS_MAX || queue < 0) {
		snprintf(err, errlen, "store readers: 1 to %d threads",
			 READPOOL_THREADS_MAX);
		return NULL;
	}
	p = calloc(1, sizeof(*p));
	if (!p || snprintf(p->path, sizeof(p->path), "%s",
			   db_path ? db_path : "") >= (int)sizeof(p->path)) {
		snprintf(err, errlen, "store readers: %s",
			 p ? "database path too long" : "out of memory");
		free(p);
		return NULL;
	}
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv, NULL);
	p->nthreads = threads;
	p->nice = nice_incr;
	p->cap = (uint64_t)threads + (uint64_t)queue;
	p->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (p->efd >= 0)
		p->ev = event_new(base, p->efd, EV_READ | EV_PERSIST,
				  on_finished, p);
	if (!p->ev || event_add(p->ev, NULL) ||
	    workq_start(p->th, p->nthreads, worker, p, "iiotd-reader",
			&p->started)) {
		snprintf(err, errlen, "store readers: cannot start: %s",
			 strerror(errno));
		readpool_free(p);
		return NULL;
	}
	return p;
}

void readpool_free(struct readpool *p)
{
	struct readpool_job *j;

	if (!p)
		return;
	stop_threads(p);
	/* nothing runs any more: what is left is delivered as cancelled */
	while ((j = pop(&p->finished)) || (j = pop(&p->queue))) {
		j->cancelled = true;
		deliver(p, j);
	}
	if (p->ev)
		event_free(p->ev);
	if (p->efd >= 0)
		close(p->efd);
	pthread_cond_destroy(&p->cv);
	pthread_mutex_destroy(&p->mu);
	free(p);
}

struct readpool_job *readpool_submit(struct readpool *p, readpool_work_fn work,
				     readpool_done_fn done, void *arg)
{
	struct readpool_job *j;

	if (p->ctr.pending >= p->cap) {
		p->ctr.busy++;
		errno = EAGAIN;
		return NULL;
	}
	j = calloc(1, sizeof(*j));
	if (!j)
		return NULL;
	j->p = p;
	j->work = work;
	j->done = done;
	j->arg = arg;
	pthread_mutex_lock(&p->mu);
	j->queued = true;
	push(&p->queue, j);
	pthread_cond_signal(&p->cv);
	pthread_mutex_unlock(&p->mu);
	p->ctr.jobs++;
	p->ctr.pending++;
	return j;
}

void readpool_cancel(struct readpool_job *j)
{
	struct readpool *p = j->p;

	j->cancelled = true;
	p->ctr.cancelled++;
	pthread_mutex_lock(&p->mu);
	if (j->queued) {
		/* never run: straight to the finished list, done follows */
		workq_unlink(&p->queue, &j->node);
		j->queued = false;
		push(&p->finished, j);
		workq_wake(p->efd);
	}
	pthread_mutex_unlock(&p->mu);
}

void readpool_get_counters(const struct readpool *p,
			   struct readpool_counters *out)
{
	*out = p->ctr;
	out->opens = __atomic_load_n(&p->opens, __ATOMIC_RELAXED);
	out->open_errors = __atomic_load_n(&p->open_errors, __ATOMIC_RELAXED);
	out->running = __atomic_load_n(&p->running, __ATOMIC_RELAXED);
}

int readpool_threads(const struct readpool *p)
{
	return p->nthreads;
}

int readpool_nice(const struct readpool *p)
{
	return p->nice;
}
