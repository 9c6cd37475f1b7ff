/* The audit/auth writer thread: one transaction and one fsync per batch. */
#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "auth/dbwriter.h"
#include "core/log.h"

/* past this the writer checkpoints a database's WAL into it (PASSIVE) */
#define WAL_CHECKPOINT_BYTES	(4 << 20)

struct row {
	struct row *next;
	struct audit_entry e;
	char buf[];		/* the strings e points at */
};

struct dbfile {
	char path[4096], wal[4100];
	sqlite3 *db;		/* the writer's own, for checkpoints; lazily */
};

struct dbwait {
	struct dbwait *next, *prev;
	struct dbwriter *w;
	uint64_t ticket;
	dbwait_fn fn;
	void *arg;
};

/* a finished batch, handed to the loop */
struct done {
	struct done *next;
	uint64_t upto;
	int ok;
};

struct dbwriter {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	/* under mu */
	struct row *head, *tail;
	unsigned dirty;			/* bit per files[] */
	uint64_t issued;		/* newest ticket handed out */
	struct done *done_head, *done_tail;
	int stop;
	char why[256];			/* last failure, logged by the loop */
	struct dbwriter_counters ctr;	/* batches..commit_us_sum */

	struct audit *audit;		/* the thread's */
	struct dbfile files[DBWRITER_FILES_MAX];
	int nfiles;			/* fixed before the first dirty mark */
	pthread_t th;
	int started, efd;
	struct event *ev;
	uint64_t durable;		/* loop: newest ticket committed */
	struct dbwait *waits;		/* loop: by ticket, oldest first */
	struct dbwait *waits_tail;
};

static int64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int sync_wal(struct dbfile *f)
{
	int fd = open(f->wal, O_RDONLY | O_CLOEXEC);
	int rc;

	/* no WAL file: nothing was written since the last checkpoint */
	if (fd < 0)
		return errno == ENOENT ? 0 : -1;
	/* Linux syncs the inode, whichever descriptor asks */
	rc = fdatasync(fd);
	close(fd);
	return rc;
}

static void checkpoint(struct dbfile *f)
{
	struct stat st;

	if (stat(f->wal, &st) || st.st_size < WAL_CHECKPOINT_BYTES)
		return;
	if (!f->db && sqlite3_open_v2(f->path, &f->db, SQLITE_OPEN_READWRITE |
				      SQLITE_OPEN_NOFOLLOW | SQLITE_OPEN_NOMUTEX,
				      NULL) != SQLITE_OK) {
		sqlite3_close(f->db);
		f->db = NULL;
		return;
	}
	sqlite3_exec(f->db, "PRAGMA wal_checkpoint(PASSIVE)", NULL, NULL, NULL);
}

static void wake_loop(struct dbwriter *w)
{
	uint64_t one = 1;
	ssize_t n = write(w->efd, &one, sizeof(one));

	(void)n;
}

/* One batch: every row queued so far, then the dirty WAL files. */
static void run_batch(struct dbwriter *w, struct row *rows, size_t n, unsigned dirty,
		      uint64_t upto)
{
	struct audit_entry *e = n ? calloc(n, sizeof(*e)) : NULL;
	struct done *d = calloc(1, sizeof(*d));
	int64_t t0 = now_us(), us;
	char why[256] = "";
	struct row *r;
	size_t i = 0;
	int k, ok = 1;

	for (r = rows; r && e; r = r->next)
		e[i++] = r->e;
	if (n && (!e || audit_append_batch(w->audit, e, n))) {
		ok = 0;
		snprintf(why, sizeof(why), "audit log: %zu row(s) not written", n);
	}
	for (k = 0; k < w->nfiles; k++) {
		if (!(dirty & (1u << k)))
			continue;
		if (sync_wal(&w->files[k])) {
			ok = 0;
			snprintf(why, sizeof(why), "%s: fdatasync: %s", w->files[k].wal,
				 strerror(errno));
		}
		checkpoint(&w->files[k]);
	}
	us = now_us() - t0;
	free(e);
	pthread_mutex_lock(&w->mu);
	w->ctr.batches += n > 0;
	w->ctr.rows += ok ? n : 0;
	w->ctr.syncs += (uint64_t)__builtin_popcount(dirty);
	w->ctr.failed += !ok;
	w->ctr.queued -= n;
	if (n > w->ctr.batch_max)
		w->ctr.batch_max = n;
	w->ctr.commit_us_last = (uint64_t)us;
	if ((uint64_t)us > w->ctr.commit_us_max)
		w->ctr.commit_us_max = (uint64_t)us;
	w->ctr.commit_us_sum += (uint64_t)us;
	if (!ok)
		memcpy(w->why, why, sizeof(why));
	if (d) {
		d->upto = upto;
		d->ok = ok;
		if (w->done_tail)
			w->done_tail->next = d;
		else
			w->done_head = d;
		w->done_tail = d;
	}
	pthread_mutex_unlock(&w->mu);
	wake_loop(w);
	while (rows) {
		r = rows->next;
		free(rows);
		rows = r;
	}
}

static void *writer(void *arg)
{
	struct dbwriter *w = arg;
	struct row *rows;
	unsigned dirty;
	uint64_t upto;
	size_t n;

	pthread_mutex_lock(&w->mu);
	for (;;) {
		while (!w->stop && !w->head && !w->dirty)
			pthread_cond_wait(&w->cv, &w->mu);
		if (!w->head && !w->dirty)
			break;		/* stopping, nothing left */
		rows = w->head;
		n = w->ctr.queued;
		w->head = w->tail = NULL;
		dirty = w->dirty;
		w->dirty = 0;
		upto = w->issued;
		pthread_mutex_unlock(&w->mu);
		run_batch(w, rows, n, dirty, upto);
		pthread_mutex_lock(&w->mu);
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

static void deliver(struct dbwriter *w, uint64_t upto, int ok)
{
	struct dbwait *t;

	if (upto > w->durable)
		w->durable = upto;
	/* waits are in ticket order: the callbacks may add or cancel others */
	while ((t = w->waits) && t->ticket <= upto) {
		w->waits = t->next;
		if (w->waits)
			w->waits->prev = NULL;
		else
			w->waits_tail = NULL;
		w->ctr.waits_pending--;
		t->fn(t->arg, ok);
		free(t);
	}
}

static struct done *take_done(struct dbwriter *w, char *why, size_t len)
{
	struct done *d;

	pthread_mutex_lock(&w->mu);
	d = w->done_head;
	if (d) {
		w->done_head = d->next;
		if (!w->done_head)
			w->done_tail = NULL;
	}
	if (d && !d->ok)
		snprintf(why, len, "%s", w->why);
	pthread_mutex_unlock(&w->mu);
	return d;
}

static void drain(evutil_socket_t fd, short ev, void *arg)
{
	struct dbwriter *w = arg;
	char why[256];
	struct done *d;
	uint64_t n;

	(void)ev;
	if (fd >= 0 && read(fd, &n, sizeof(n)) < 0)
		n = 0;
	while ((d = take_done(w, why, sizeof(why)))) {
		if (!d->ok)
			log_warnx("AUDIT WRITE FAILED: %s", why);
		deliver(w, d->upto, d->ok);
		free(d);
	}
}

struct dbwriter *dbwriter_new(struct event_base *base, const char *audit_path,
			      char *err, size_t errlen)
{
	struct dbwriter *w = calloc(1, sizeof(*w));
	sigset_t all, old;

	if (!w) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
	w->efd = -1;
	w->audit = audit_open(audit_path, err, errlen);
	if (!w->audit)
		goto fail;
	w->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (w->efd >= 0)
		w->ev = event_new(base, w->efd, EV_READ | EV_PERSIST, drain, w);
	if (!w->ev || event_add(w->ev, NULL))
		goto sysfail;
	/* signals stay with the loop thread */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	w->started = pthread_create(&w->th, NULL, writer, w) == 0;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!w->started)
		goto sysfail;
	pthread_setname_np(w->th, "iiotd-dbwrite");
	return w;
sysfail:
	snprintf(err, errlen, "audit writer: cannot start: %s", strerror(errno));
fail:
	dbwriter_free(w);
	return NULL;
}

void dbwriter_free(struct dbwriter *w)
{
	struct dbwait *t;
	int k;

	if (!w)
		return;
	if (w->started) {
		pthread_mutex_lock(&w->mu);
		w->stop = 1;
		pthread_cond_signal(&w->cv);
		pthread_mutex_unlock(&w->mu);
		pthread_join(w->th, NULL);
		drain(-1, 0, w);
	}
	/* only when the writer never ran: nothing was committed */
	while ((t = w->waits)) {
		w->waits = t->next;
		t->fn(t->arg, 0);
		free(t);
	}
	while (w->head) {
		struct row *r = w->head;

		w->head = r->next;
		free(r);
	}
	if (w->ev)
		event_free(w->ev);
	if (w->efd >= 0)
		close(w->efd);
	for (k = 0; k < w->nfiles; k++)
		sqlite3_close(w->files[k].db);
	audit_close(w->audit);
	pthread_cond_destroy(&w->cv);
	pthread_mutex_destroy(&w->mu);
	free(w);
}

int dbwriter_add_db(struct dbwriter *w, const char *db_path)
{
	struct dbfile *f;

	if (w->nfiles >= DBWRITER_FILES_MAX || strlen(db_path) >= sizeof(f->path))
		return -1;
	f = &w->files[w->nfiles];
	snprintf(f->path, sizeof(f->path), "%s", db_path);
	snprintf(f->wal, sizeof(f->wal), "%s-wal", db_path);
	return w->nfiles++;
}

void dbwriter_dirty(struct dbwriter *w, int id)
{
	if (id < 0 || id >= w->nfiles)
		return;
	pthread_mutex_lock(&w->mu);
	w->dirty |= 1u << id;
	w->issued++;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
}

#define S(x) ((x) ? (x) : "")

static char *put(char **o, const char *s)
{
	char *at = *o;
	size_t n = strlen(s) + 1;

	memcpy(at, s, n);
	*o += n;
	return at;
}

uint64_t dbwriter_append(struct dbwriter *w, const struct audit_entry *e)
{
	const char *f[6] = { S(e->user), S(e->addr), S(e->action), S(e->target),
			     S(e->result), S(e->detail) };
	size_t len = 0;
	struct row *r;
	uint64_t t = 0;
	char *o;
	int i;

	for (i = 0; i < 6; i++)
		len += strlen(f[i]) + 1;
	r = malloc(sizeof(*r) + len);
	if (!r)
		return 0;
	o = r->buf;
	r->next = NULL;
	r->e.ts = e->ts;
	r->e.user = put(&o, f[0]);
	r->e.addr = put(&o, f[1]);
	r->e.action = put(&o, f[2]);
	r->e.target = put(&o, f[3]);
	r->e.result = put(&o, f[4]);
	r->e.detail = put(&o, f[5]);
	pthread_mutex_lock(&w->mu);
	if (w->ctr.queued >= DBWRITER_QUEUE_MAX) {
		w->ctr.refused++;
	} else {
		if (w->tail)
			w->tail->next = r;
		else
			w->head = r;
		w->tail = r;
		w->ctr.queued++;
		t = ++w->issued;
		pthread_cond_signal(&w->cv);
	}
	pthread_mutex_unlock(&w->mu);
	if (!t)
		free(r);
	return t;
}

uint64_t dbwriter_ticket(const struct dbwriter *w)
{
	/* written only on the loop thread, which is the caller */
	return w->issued;
}

int dbwriter_durable(const struct dbwriter *w, uint64_t ticket)
{
	return ticket <= w->durable;
}

struct dbwait *dbwriter_wait(struct dbwriter *w, uint64_t ticket, dbwait_fn fn, void *arg)
{
	struct dbwait *t;

	if (dbwriter_durable(w, ticket))
		return NULL;
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->w = w;
	t->ticket = ticket;
	t->fn = fn;
	t->arg = arg;
	/* sorted by ticket: nearly always at the tail */
	t->prev = w->waits_tail;
	while (t->prev && t->prev->ticket > ticket)
		t->prev = t->prev->prev;
	t->next = t->prev ? t->prev->next : w->waits;
	if (t->prev)
		t->prev->next = t;
	else
		w->waits = t;
	if (t->next)
		t->next->prev = t;
	else
		w->waits_tail = t;
	w->ctr.waits_pending++;
	return t;
}

void dbwriter_wait_cancel(struct dbwait *t)
{
	struct dbwriter *w = t->w;

	if (t->prev)
		t->prev->next = t->next;
	else
		w->waits = t->next;
	if (t->next)
		t->next->prev = t->prev;
	else
		w->waits_tail = t->prev;
	w->ctr.waits_pending--;
	free(t);
}

void dbwriter_get_counters(struct dbwriter *w, struct dbwriter_counters *out)
{
	pthread_mutex_lock(&w->mu);
	*out = w->ctr;
	pthread_mutex_unlock(&w->mu);
}
