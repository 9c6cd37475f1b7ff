/*
 * Argon2id off the event loop.  One verification costs ~0.1 s of CPU and
 * 19 MiB; done on the loop that also drains the capture rings, a client
 * hammering the login would stall capture and every other request.
 *
 * A few threads take jobs from a bounded FIFO.  A finished job goes back
 * to the loop through an eventfd, and its callback runs on the loop
 * thread, so callers keep their state (SQLite handles, sessions, lockout
 * counters) single-threaded.  Only the job's own copies of the password
 * and hash cross threads.
 */
#ifndef IIOT_HASH_WORKER_H
#define IIOT_HASH_WORKER_H

#include <stddef.h>
#include <stdint.h>

#include "auth/password.h"

#define HASH_THREADS_MAX	4

struct event_base;
struct hash_worker;
struct hash_job;

/* What a job asks for: verify pw against encoded, then hash new_pw. */
struct hash_req {
	const char *encoded;	/* NULL: a dummy hash, so unknown users cost the same */
	const char *pw;		/* NULL: no verification */
	const char *new_pw;	/* NULL: no new hash; hashed only if pw (if any) matched */
};

struct hash_result {
	int match;		/* pw matched encoded (never for the dummy) */
	int hashed;		/* encoded holds the hash of new_pw */
	char encoded[PW_ENCODED_MAX];
};

/* Runs on the loop thread; res is only valid during the call. */
typedef void (*hash_done_fn)(void *arg, const struct hash_result *res);

#define HASH_WORKER_COUNTERS(X) \
	X(jobs,		"jobs accepted")				\
	X(busy,		"jobs refused: queue full")			\
	X(cancelled,	"jobs cancelled: requester gone")		\
	X(done,		"jobs delivered")				\
	X(pending,	"jobs accepted, not yet delivered or cancelled")

struct hash_worker_counters {
#define HASH_X_FIELD(n, d) uint64_t n;
	HASH_WORKER_COUNTERS(HASH_X_FIELD)
#undef HASH_X_FIELD
};

/*
 * threads (1..HASH_THREADS_MAX) work on at most threads + queue_max jobs
 * at once; more are refused.  NULL with a reason in err.
 */
struct hash_worker *hash_worker_new(struct event_base *base, int threads, int queue_max,
				    char *err, size_t errlen);
/* Joins the threads; jobs still queued or undelivered are dropped silently. */
void hash_worker_free(struct hash_worker *w);

/*
 * Queue a job; done(arg, result) follows on the loop thread unless the job
 * is cancelled.  NULL with errno EAGAIN when the queue is full (counted in
 * busy), EINVAL for a password over PW_MAX_LEN, ENOMEM.
 */
struct hash_job *hash_submit(struct hash_worker *w, const struct hash_req *rq,
			     hash_done_fn done, void *arg);
/* done is never called for j after this; j must not be used again. */
void hash_cancel(struct hash_job *j);

/* Loop thread only. */
void hash_worker_get_counters(const struct hash_worker *w, struct hash_worker_counters *out);
int hash_worker_threads(const struct hash_worker *w);

#endif
