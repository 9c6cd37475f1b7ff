/*
 * Unit tests of daemon/auth/hash_worker.c on a real event loop: results,
 * the bound on jobs in flight, cancellation and teardown with jobs left
 * (ASan reports what leaks; UBSan what misbehaves).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include <event2/event.h>

#include "auth/hash_worker.h"

#define PW	"correct horse battery"

struct got {
	int calls;
	struct hash_result res;
};

static void got_cb(void *arg, const struct hash_result *res)
{
	struct got *g = arg;

	g->calls++;
	g->res = *res;
}

/* Runs the loop until *calls reaches want; fails after 30 s. */
static void loop_until(struct event_base *base, const int *calls, int want)
{
	time_t end = time(NULL) + 30;

	while (*calls < want && time(NULL) < end)
		event_base_loop(base, EVLOOP_ONCE);
	assert_int_equal(*calls, want);
}

static struct hash_worker *worker(struct event_base *base, int threads, int queue)
{
	char err[128];
	struct hash_worker *w = hash_worker_new(base, threads, queue, err, sizeof(err));

	assert_non_null(w);
	return w;
}

/* Every job accounted for at the end: delivered or cancelled, none pending. */
static void end(struct event_base *base, struct hash_worker *w, uint64_t done, uint64_t cancelled)
{
	struct hash_worker_counters c;

	hash_worker_get_counters(w, &c);
	assert_int_equal(c.jobs, done + cancelled);
	assert_int_equal(c.done, done);
	assert_int_equal(c.cancelled, cancelled);
	assert_int_equal(c.pending, 0);
	hash_worker_free(w);
	event_base_free(base);
}

static void one(struct event_base *base, struct hash_worker *w, const struct hash_req *rq,
		struct got *g)
{
	memset(g, 0, sizeof(*g));
	assert_non_null(hash_submit(w, rq, got_cb, g));
	loop_until(base, &g->calls, 1);
}

static void results(void **state)
{
	struct event_base *base = event_base_new();
	struct hash_worker *w = worker(base, 2, 4);
	char enc[PW_ENCODED_MAX];
	struct got g;

	(void)state;
	assert_int_equal(pw_hash(PW, enc, sizeof(enc)), 0);
	one(base, w, &(struct hash_req){ .encoded = enc, .pw = PW }, &g);
	assert_true(g.res.match);
	assert_false(g.res.hashed);
	one(base, w, &(struct hash_req){ .encoded = enc, .pw = "wrong horse battery" }, &g);
	assert_false(g.res.match);
	/* an unknown user never matches, whatever is typed */
	one(base, w, &(struct hash_req){ .encoded = NULL, .pw = PW }, &g);
	assert_false(g.res.match);
	/* a new hash only after the old password matched */
	one(base, w, &(struct hash_req){ .encoded = enc, .pw = "nope", .new_pw = "next one 2026" }, &g);
	assert_false(g.res.hashed);
	one(base, w, &(struct hash_req){ .encoded = enc, .pw = PW, .new_pw = "next one 2026" }, &g);
	assert_true(g.res.match && g.res.hashed);
	assert_true(pw_verify(g.res.encoded, "next one 2026"));
	one(base, w, &(struct hash_req){ .new_pw = "one-time 2026" }, &g);
	assert_true(g.res.hashed);
	assert_true(pw_verify(g.res.encoded, "one-time 2026"));
	end(base, w, 6, 0);
}

/* threads + queue jobs in flight at most, whatever the threads have done */
static void bounded(void **state)
{
	struct event_base *base = event_base_new();
	struct hash_worker *w = worker(base, 1, 1);
	struct hash_req rq = { .encoded = NULL, .pw = PW };
	struct hash_worker_counters c;
	struct got a = { 0 }, b = { 0 }, d = { 0 };

	(void)state;
	assert_non_null(hash_submit(w, &rq, got_cb, &a));
	assert_non_null(hash_submit(w, &rq, got_cb, &b));
	/* undelivered jobs still count, even once the thread is done with them */
	usleep(300 * 1000);
	errno = 0;
	assert_null(hash_submit(w, &rq, got_cb, &d));
	assert_int_equal(errno, EAGAIN);
	hash_worker_get_counters(w, &c);
	assert_int_equal(c.busy, 1);
	assert_int_equal(c.pending, 2);
	loop_until(base, &b.calls, 1);
	assert_int_equal(a.calls, 1);
	assert_non_null(hash_submit(w, &rq, got_cb, &d));
	loop_until(base, &d.calls, 1);
	end(base, w, 3, 0);
}

static void cancel(void **state)
{
	struct event_base *base = event_base_new();
	struct hash_worker *w = worker(base, 1, 4);
	struct hash_req rq = { .encoded = NULL, .pw = PW };
	struct hash_worker_counters c;
	struct hash_job *ja, *jb;
	struct got a = { 0 }, b = { 0 }, d = { 0 };

	(void)state;
	ja = hash_submit(w, &rq, got_cb, &a);
	jb = hash_submit(w, &rq, got_cb, &b);
	assert_non_null(hash_submit(w, &rq, got_cb, &d));
	assert_non_null(ja);
	assert_non_null(jb);
	/* a is (most likely) on the thread by now; b waits behind its ~30 ms */
	usleep(5 * 1000);
	hash_cancel(jb);
	hash_worker_get_counters(w, &c);
	assert_true(c.pending <= 2);
	hash_cancel(ja);
	loop_until(base, &d.calls, 1);
	assert_int_equal(a.calls, 0);
	assert_int_equal(b.calls, 0);
	end(base, w, 1, 2);
}

/* Stopping with jobs queued, running and finished: no callback, no leak. */
static void teardown_with_jobs(void **state)
{
	struct event_base *base = event_base_new();
	struct hash_worker *w = worker(base, 2, 8);
	struct hash_req rq = { .encoded = NULL, .pw = PW, .new_pw = PW };
	struct got g = { 0 };
	int i;

	(void)state;
	for (i = 0; i < 10; i++)
		assert_non_null(hash_submit(w, &rq, got_cb, &g));
	usleep(100 * 1000);
	hash_worker_free(w);
	event_base_free(base);
	assert_int_equal(g.calls, 0);
}

static void refused(void **state)
{
	struct event_base *base = event_base_new();
	struct hash_worker *w = worker(base, 1, 0);
	char long_pw[PW_MAX_LEN + 2];
	char err[128];

	(void)state;
	memset(long_pw, 'x', sizeof(long_pw) - 1);
	long_pw[sizeof(long_pw) - 1] = 0;
	errno = 0;
	assert_null(hash_submit(w, &(struct hash_req){ .pw = long_pw }, got_cb, NULL));
	assert_int_equal(errno, EINVAL);
	assert_null(hash_worker_new(base, 0, 1, err, sizeof(err)));
	assert_null(hash_worker_new(base, HASH_THREADS_MAX + 1, 1, err, sizeof(err)));
	hash_worker_free(w);
	event_base_free(base);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(results),
		cmocka_unit_test(bounded),
		cmocka_unit_test(cancel),
		cmocka_unit_test(teardown_with_jobs),
		cmocka_unit_test(refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
