/* The job table: one thread per running job, results back through an eventfd. */
#include <errno.h>
#include <event2/event.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "api/jobs.h"

struct job {
	struct job *next;		/* table, newest first */
	struct jobs *t;
	char id[JOB_ID_LEN + 1];
	char kind[32], owner[64];
	int perm;
	job_run_fn run;
	void *arg;
	void (*arg_free)(void *);
	pthread_t th;
	int64_t created, finished;	/* ms since the epoch */
	/* under t->mu */
	enum job_state state;
	int stop, ended;		/* ended: the thread returned, not yet joined */
	int64_t done, total;
	json_t *result;
	char why[160];
};

struct jobs {
	pthread_mutex_t mu;
	struct job *list;		/* loop thread */
	int running_max, efd;
	struct event *ev;
	job_end_fn end;
	void *end_arg;
	struct jobs_counters ctr;	/* loop thread */
};

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static const char *state_name(enum job_state s)
{
	switch (s) {
	case JOB_RUNNING: return "running";
	case JOB_DONE: return "done";
	case JOB_FAILED: return "failed";
	default: return "cancelled";
	}
}

static void *job_thread(void *arg)
{
	struct job *j = arg;
	char why[160] = "";
	struct jobs *t = j->t;
	uint64_t one = 1;
	json_t *res;
	ssize_t n;

	/*
	 * Background work yields the CPU to the capture thread and the event
	 * loop (Linux: nice is per thread).  Lowering one's own priority needs
	 * no privilege; if it fails the job just runs at the daemon's.
	 */
	if (setpriority(PRIO_PROCESS, (id_t)gettid(), JOBS_NICE))
		errno = 0;
	res = j->run(j, j->arg, why, sizeof(why));

	pthread_mutex_lock(&t->mu);
	if (j->stop) {
		j->state = JOB_CANCELLED;
		json_decref(res);
	} else if (res) {
		j->state = JOB_DONE;
		j->result = res;
	} else {
		j->state = JOB_FAILED;
		snprintf(j->why, sizeof(j->why), "%s", why[0] ? why : "failed");
	}
	j->ended = 1;
	pthread_mutex_unlock(&t->mu);
	n = write(t->efd, &one, sizeof(one));
	(void)n;
	return NULL;
}

/* Loop: join what ended, tell the owner of the table, count. */
static void reap(struct jobs *t)
{
	struct job_end e;
	struct job *j;
	int ended;

	for (j = t->list; j; j = j->next) {
		pthread_mutex_lock(&t->mu);
		ended = j->ended;
		j->ended = 0;
		pthread_mutex_unlock(&t->mu);
		if (!ended)
			continue;
		pthread_join(j->th, NULL);
		j->finished = now_ms();
		t->ctr.running--;
		if (j->state == JOB_DONE)
			t->ctr.done++;
		else if (j->state == JOB_FAILED)
			t->ctr.failed++;
		else
			t->ctr.cancelled++;
		if (t->end) {
			e = (struct job_end){ .id = j->id, .kind = j->kind, .owner = j->owner,
					      .state = j->state, .result = j->result,
					      .why = j->why, .arg = j->arg };
			t->end(t->end_arg, &e);
		}
		if (j->arg_free)
			j->arg_free(j->arg);
		j->arg = NULL;
	}
}

static void ended_cb(evutil_socket_t fd, short ev, void *arg)
{
	uint64_t n;

	(void)ev;
	if (read(fd, &n, sizeof(n)) < 0)
		n = 0;
	reap(arg);
}

static void job_free(struct job *j)
{
	json_decref(j->result);
	free(j);
}

/* Finished jobs past their keeping time, and the oldest beyond JOBS_KEPT. */
static void expire(struct jobs *t)
{
	struct job **pp = &t->list, *j;
	int64_t now = now_ms();
	int kept = 0;

	while ((j = *pp)) {
		int finished = j->finished != 0;

		if (finished && (kept >= JOBS_KEPT - 1 || now - j->finished > JOBS_KEEP_MS)) {
			*pp = j->next;
			job_free(j);
			continue;
		}
		kept++;
		pp = &j->next;
	}
}

struct jobs *jobs_new(struct event_base *base, int running_max, job_end_fn end,
		      void *end_arg, char *err, size_t errlen)
{
	struct jobs *t = calloc(1, sizeof(*t));

	if (!t || running_max < 1 || running_max > JOBS_LIMIT) {
		snprintf(err, errlen, "jobs: 1 to %d at once", JOBS_LIMIT);
		free(t);
		return NULL;
	}
	pthread_mutex_init(&t->mu, NULL);
	t->running_max = running_max;
	t->end = end;
	t->end_arg = end_arg;
	t->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (t->efd >= 0)
		t->ev = event_new(base, t->efd, EV_READ | EV_PERSIST, ended_cb, t);
	if (!t->ev || event_add(t->ev, NULL)) {
		snprintf(err, errlen, "jobs: %s", strerror(errno));
		jobs_free(t);
		return NULL;
	}
	return t;
}

void jobs_free(struct jobs *t)
{
	struct job *j;

	if (!t)
		return;
	pthread_mutex_lock(&t->mu);
	for (j = t->list; j; j = j->next)
		j->stop = 1;
	pthread_mutex_unlock(&t->mu);
	/* the running ones see stop at their next progress report */
	while (t->ctr.running) {
		uint64_t n;
		struct timespec pause = { 0, 10 * 1000 * 1000 };

		if (read(t->efd, &n, sizeof(n)) < 0)
			nanosleep(&pause, NULL);
		t->end = NULL;	/* no audit rows at shutdown */
		reap(t);
	}
	while ((j = t->list)) {
		t->list = j->next;
		job_free(j);
	}
	if (t->ev)
		event_free(t->ev);
	if (t->efd >= 0)
		close(t->efd);
	pthread_mutex_destroy(&t->mu);
	free(t);
}

static void make_id(char *id)
{
	static const char hex[] = "0123456789abcdef";
	uint8_t b[JOB_ID_LEN / 2];
	size_t i;

	/* unguessable, though every read is permission-checked anyway */
	if (getrandom(b, sizeof(b), 0) != (ssize_t)sizeof(b)) {
		uint64_t x = (uint64_t)now_ms() ^ (uint64_t)(uintptr_t)id;

		memcpy(b, &x, sizeof(b) < sizeof(x) ? sizeof(b) : sizeof(x));
	}
	for (i = 0; i < sizeof(b); i++) {
		id[2 * i] = hex[b[i] >> 4];
		id[2 * i + 1] = hex[b[i] & 15];
	}
	id[JOB_ID_LEN] = 0;
}

struct job *jobs_start(struct jobs *t, const char *kind, const char *owner, int perm,
		       job_run_fn run, void *arg, void (*arg_free)(void *))
{
	struct job *j;
	sigset_t all, old;
	int rc;

	if (t->ctr.running >= (uint64_t)t->running_max) {
		t->ctr.refused++;
		if (arg_free)
			arg_free(arg);
		errno = EAGAIN;
		return NULL;
	}
	j = calloc(1, sizeof(*j));
	if (!j) {
		if (arg_free)
			arg_free(arg);
		errno = ENOMEM;
		return NULL;
	}
	expire(t);
	j->t = t;
	make_id(j->id);
	snprintf(j->kind, sizeof(j->kind), "%s", kind);
	snprintf(j->owner, sizeof(j->owner), "%s", owner);
	j->perm = perm;
	j->run = run;
	j->arg = arg;
	j->arg_free = arg_free;
	j->created = now_ms();
	j->state = JOB_RUNNING;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&j->th, NULL, job_thread, j);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc) {
		if (arg_free)
			arg_free(arg);
		free(j);
		errno = rc;
		return NULL;
	}
	pthread_setname_np(j->th, "iiotd-job");
	j->next = t->list;
	t->list = j;
	t->ctr.started++;
	t->ctr.running++;
	return j;
}

const char *job_id(const struct job *j)
{
	return j->id;
}

int job_progress(struct job *j, int64_t done, int64_t total)
{
	int stop;

	pthread_mutex_lock(&j->t->mu);
	j->done = done;
	j->total = total;
	stop = j->stop;
	pthread_mutex_unlock(&j->t->mu);
	return stop;
}

static struct job *find(struct jobs *t, const char *id)
{
	struct job *j;

	for (j = t->list; j; j = j->next)
		if (!strcmp(j->id, id))
			return j;
	return NULL;
}

static json_t *job_json(struct jobs *t, struct job *j)
{
	json_t *o;

	pthread_mutex_lock(&t->mu);
	/* finished only once the loop has reaped it: one state for every reader */
	o = json_pack("{ss ss ss ss s{sI sI} sI}", "id", j->id, "kind", j->kind,
		      "owner", j->owner, "state",
		      state_name(j->finished ? j->state : JOB_RUNNING),
		      "progress", "done", (json_int_t)j->done, "total", (json_int_t)j->total,
		      "created", (json_int_t)j->created);
	if (o && j->finished) {
		json_object_set_new(o, "finished", json_integer(j->finished));
		if (j->state == JOB_DONE)
			json_object_set(o, "result", j->result);
		if (j->state == JOB_FAILED)
			json_object_set_new(o, "error", json_string(j->why));
	} else if (o && j->stop) {
		json_object_set_new(o, "cancelling", json_true());
	}
	pthread_mutex_unlock(&t->mu);
	return o;
}

json_t *jobs_get(struct jobs *t, const char *id, char owner[64], int *perm)
{
	struct job *j = find(t, id);

	if (!j)
		return NULL;
	snprintf(owner, 64, "%s", j->owner);
	*perm = j->perm;
	return job_json(t, j);
}

int jobs_cancel(struct jobs *t, const char *id)
{
	struct job **pp, *j;

	for (pp = &t->list; (j = *pp); pp = &j->next) {
		if (strcmp(j->id, id))
			continue;
		if (j->finished) {
			*pp = j->next;
			job_free(j);
			return 1;
		}
		pthread_mutex_lock(&t->mu);
		j->stop = 1;
		pthread_mutex_unlock(&t->mu);
		return 0;
	}
	return -1;
}

json_t *jobs_list(struct jobs *t, int (*visible)(void *arg, const char *owner, int perm),
		  void *arg)
{
	json_t *a = json_array();
	struct job *j;

	expire(t);
	for (j = t->list; j && a; j = j->next)
		if (visible(arg, j->owner, j->perm))
			json_array_append_new(a, job_json(t, j));
	return a;
}

void jobs_get_counters(struct jobs *t, struct jobs_counters *out)
{
	*out = t->ctr;
}

int jobs_running_max(const struct jobs *t)
{
	return t->running_max;
}
