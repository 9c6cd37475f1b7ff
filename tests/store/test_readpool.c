/*
 * Unit tests of daemon/store/readpool.c on a real event loop and a real
 * SQLite file in WAL mode: answers on the loop thread, queries running
 * side by side, the bound on jobs, cancellation, teardown with jobs left,
 * one read-only connection per thread kept across jobs, and readers that
 * never wait for a writer's open transaction.  Nothing here measures
 * time: jobs meet through gates, and a gate that is never opened fails
 * the test after 30 s instead of hanging it.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include <event2/event.h>
#include <sqlite3.h>

#include "store/readpool.h"

static char dir[64], path[128];
static pthread_t loop_thread;

/* A gate jobs wait at until the test opens it. */
struct gate {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int open;
	int arrived;		/* jobs waiting or through */
};

static struct gate gate = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0 };

static void gate_reset(void)
{
	pthread_mutex_lock(&gate.mu);
	gate.open = 0;
	gate.arrived = 0;
	pthread_mutex_unlock(&gate.mu);
}

static void gate_open(void)
{
	pthread_mutex_lock(&gate.mu);
	gate.open = 1;
	pthread_cond_broadcast(&gate.cv);
	pthread_mutex_unlock(&gate.mu);
}

/* Waits until n jobs are at the gate (30 s at most); returns how many. */
static int gate_wait_arrived(int n)
{
	struct timespec dl;
	int got;

	clock_gettime(CLOCK_REALTIME, &dl);
	dl.tv_sec += 30;
	pthread_mutex_lock(&gate.mu);
	while (gate.arrived < n &&
	       pthread_cond_timedwait(&gate.cv, &gate.mu, &dl) != ETIMEDOUT)
		;
	got = gate.arrived;
	pthread_mutex_unlock(&gate.mu);
	return got;
}

/* On a pool thread: arrive, then wait for the gate (30 s at most). */
static void gate_pass(void)
{
	struct timespec dl;

	clock_gettime(CLOCK_REALTIME, &dl);
	dl.tv_sec += 30;
	pthread_mutex_lock(&gate.mu);
	gate.arrived++;
	pthread_cond_broadcast(&gate.cv);
	while (!gate.open &&
	       pthread_cond_timedwait(&gate.cv, &gate.mu, &dl) != ETIMEDOUT)
		;
	pthread_mutex_unlock(&gate.mu);
}

struct job {
	bool gated;		/* wait at the gate first */
	bool ran;		/* work ran (pool thread) */
	bool had_db;
	long rows;		/* SELECT count(*) FROM t, -1 on error */
	int write_rc;		/* an INSERT tried on the reader's connection */
	bool try_write;
	int done;		/* done calls (loop thread) */
	bool cancelled;
	bool done_on_loop;
};

static void work(void *arg, sqlite3 *db, const char *err)
{
	struct job *j = arg;
	sqlite3_stmt *st;

	(void)err;
	if (j->gated)
		gate_pass();
	j->ran = true;
	j->had_db = db != NULL;
	j->rows = -1;
	if (!db)
		return;
	if (sqlite3_prepare_v2(db, "SELECT count(*) FROM t", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		j->rows = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (j->try_write)
		j->write_rc = sqlite3_exec(db, "INSERT INTO t VALUES(99)", NULL, NULL, NULL);
}

static int done_total;

static void done(void *arg, bool cancelled)
{
	struct job *j = arg;

	j->done++;
	j->cancelled = cancelled;
	j->done_on_loop = pthread_equal(pthread_self(), loop_thread);
	done_total++;
}

/* Runs the loop until done_total reaches want; fails after 30 s. */
static void loop_until(struct event_base *base, int want)
{
	time_t end = time(NULL) + 30;

	while (done_total < want && time(NULL) < end) {
		event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
		usleep(1000);
	}
	assert_int_equal(done_total, want);
}

static struct readpool *pool(struct event_base *base, int threads, int queue)
{
	char err[256];
	struct readpool *p = readpool_new(base, path, threads, queue, 0, err, sizeof(err));

	assert_non_null(p);
	return p;
}

static void counters_are(struct readpool *p, uint64_t done_n, uint64_t cancelled, uint64_t busy)
{
	struct readpool_counters c;

	readpool_get_counters(p, &c);
	assert_int_equal(c.done, done_n);
	assert_int_equal(c.cancelled, cancelled);
	assert_int_equal(c.busy, busy);
	assert_int_equal(c.pending, 0);
	assert_int_equal(c.running, 0);
	assert_int_equal(c.jobs, done_n + cancelled);
}

static void db_exec(const char *sql)
{
	sqlite3 *db;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/iiot-readpool-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof(path), "%s/r.db", dir);
	loop_thread = pthread_self();
	db_exec("PRAGMA journal_mode=WAL; CREATE TABLE t(v INTEGER);"
		"INSERT INTO t VALUES(1),(2),(3)");
	return 0;
}

static int teardown(void **state)
{
	char cmd[160];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

static void answers_on_the_loop(void **state)
{
	struct event_base *base = event_base_new();
	struct readpool *p = pool(base, 2, 4);
	struct job j[3] = { { 0 } };
	struct readpool_counters c;
	int i;

	(void)state;
	done_total = 0;
	for (i = 0; i < 3; i++)
		assert_non_null(readpool_submit(p, work, done, &j[i]));
	/* never inside submit */
	assert_int_equal(done_total, 0);
	loop_until(base, 3);
	for (i = 0; i < 3; i++) {
		assert_true(j[i].ran && j[i].had_db);
		assert_int_equal(j[i].rows, 3);
		assert_int_equal(j[i].done, 1);
		assert_false(j[i].cancelled);
		assert_true(j[i].done_on_loop);
	}
	/* at most one connection a thread, kept across jobs */
	readpool_get_counters(p, &c);
	assert_true(c.opens >= 1 && c.opens <= 2);
	counters_are(p, 3, 0, 0);
	readpool_free(p);
	event_base_free(base);
}

/* Two queries at once: the first waits until the second has started. */
static void queries_run_side_by_side(void **state)
{
	struct event_base *base = event_base_new();
	struct readpool *p = pool(base, 2, 0);
	struct job a = { .gated = true }, b = { .gated = true };
	struct readpool_counters c;

	(void)state;
	done_total = 0;
	gate_reset();
	assert_non_null(readpool_submit(p, work, done, &a));
	assert_non_null(readpool_submit(p, work, done, &b));
	/* both are in their work at the same time, on two threads */
	assert_int_equal(gate_wait_arrived(2), 2);
	readpool_get_counters(p, &c);
	assert_int_equal(c.running, 2);
	assert_int_equal(c.pending, 2);
	gate_open();
	loop_until(base, 2);
	assert_int_equal(a.rows, 3);
	assert_int_equal(b.rows, 3);
	counters_are(p, 2, 0, 0);
	readpool_free(p);
	event_base_free(base);
}

/* threads + queue jobs at most; one more is refused and counted. */
static void full_queue_refuses(void **state)
{
	struct event_base *base = event_base_new();
	struct readpool *p = pool(base, 1, 1);
	struct job a = { .gated = true }, b = { 0 }, c = { 0 }, d = { 0 };

	(void)state;
	done_total = 0;
	gate_reset();
	assert_non_null(readpool_submit(p, work, done, &a));
	assert_int_equal(gate_wait_arrived(1), 1);
	assert_non_null(readpool_submit(p, work, done, &b));
	errno = 0;
	assert_null(readpool_submit(p, work, done, &c));
	assert_int_equal(errno, EAGAIN);
	gate_open();
	loop_until(base, 2);
	assert_false(c.ran);
	assert_int_equal(c.done, 0);
	/* room again */
	assert_non_null(readpool_submit(p, work, done, &d));
	loop_until(base, 3);
	counters_are(p, 3, 0, 1);
	readpool_free(p);
	event_base_free(base);
}

/*
 * A queued job cancelled never runs; a running one finishes its work;
 * both are delivered once, as cancelled, and later than the cancel.
 */
static void cancel_queued_and_running(void **state)
{
	struct event_base *base = event_base_new();
	struct readpool *p = pool(base, 1, 2);
	struct job run = { .gated = true }, queued = { 0 };
	struct readpool_job *rj, *qj;

	(void)state;
	done_total = 0;
	gate_reset();
	rj = readpool_submit(p, work, done, &run);
	assert_int_equal(gate_wait_arrived(1), 1);
	qj = readpool_submit(p, work, done, &queued);
	assert_non_null(rj);
	assert_non_null(qj);
	readpool_cancel(qj);
	readpool_cancel(rj);
	assert_int_equal(done_total, 0);
	gate_open();
	loop_until(base, 2);
	assert_false(queued.ran);
	assert_true(queued.cancelled && queued.done == 1);
	assert_true(run.ran);
	assert_true(run.cancelled && run.done == 1);
	counters_are(p, 0, 2, 0);
	readpool_free(p);
	event_base_free(base);
}

/* Freed with jobs queued and running: each delivered once, as cancelled. */
static void free_with_jobs_left(void **state)
{
	struct event_base *base = event_base_new();
	struct readpool *p = pool(base, 1, 4);
	struct job j[3] = { { .gated = true }, { 0 }, { 0 } };
	int i;

	(void)state;
	done_total = 0;
	gate_reset();
	for (i = 0; i < 3; i++)
		assert_non_null(readpool_submit(p, work, done, &j[i]));
	assert_int_equal(gate_wait_arrived(1), 1);
	gate_open();
	readpool_free(p);
	assert_int_equal(done_total, 3);
	for (i = 0; i < 3; i++) {
		assert_int_equal(j[i].done, 1);
		assert_true(j[i].cancelled);
		assert_true(j[i].done_on_loop);
	}
	event_base_free(base);
}

/* Readers are read-only and never wait for the writer's open transaction. */
static void read_only_beside_a_writer(void **state)
{
	struct event_base *base = event_base_new();
	struct readpool *p = pool(base, 1, 2);
	struct job j = { .try_write = true };
	sqlite3 *w;

	(void)state;
	done_total = 0;
	assert_int_equal(sqlite3_open(path, &w), SQLITE_OK);
	assert_int_equal(sqlite3_exec(w, "BEGIN IMMEDIATE; INSERT INTO t VALUES(4)", NULL, NULL,
				      NULL), SQLITE_OK);
	assert_non_null(readpool_submit(p, work, done, &j));
	loop_until(base, 1);
	/* the committed rows, not the open transaction's */
	assert_int_equal(j.rows, 3);
	assert_int_equal(j.write_rc, SQLITE_READONLY);
	assert_int_equal(sqlite3_exec(w, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(w);
	counters_are(p, 1, 0, 0);
	readpool_free(p);
	event_base_free(base);
}

/* No database yet: work hears why; the next job opens it once it exists. */
static void missing_database_retried(void **state)
{
	struct event_base *base = event_base_new();
	char err[256], later[160];
	struct readpool *p;
	struct job a = { 0 }, b = { 0 };
	struct readpool_counters c;
	sqlite3 *db;

	(void)state;
	done_total = 0;
	snprintf(later, sizeof(later), "%s/later.db", dir);
	p = readpool_new(base, later, 1, 2, 0, err, sizeof(err));
	assert_non_null(p);
	assert_non_null(readpool_submit(p, work, done, &a));
	loop_until(base, 1);
	assert_true(a.ran);
	assert_false(a.had_db);
	assert_int_equal(sqlite3_open(later, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "PRAGMA journal_mode=WAL; CREATE TABLE t(v);"
				      "INSERT INTO t VALUES(1)", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_non_null(readpool_submit(p, work, done, &b));
	loop_until(base, 2);
	assert_true(b.had_db);
	assert_int_equal(b.rows, 1);
	readpool_get_counters(p, &c);
	assert_int_equal(c.open_errors, 1);
	assert_int_equal(c.opens, 1);
	readpool_free(p);
	event_base_free(base);
}

static void bad_sizes_refused(void **state)
{
	struct event_base *base = event_base_new();
	char err[256];

	(void)state;
	assert_null(readpool_new(base, path, 0, 1, 0, err, sizeof(err)));
	assert_non_null(strstr(err, "threads"));
	assert_null(readpool_new(base, path, READPOOL_THREADS_MAX + 1, 1, 0, err, sizeof(err)));
	event_base_free(base);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(answers_on_the_loop),
		cmocka_unit_test(queries_run_side_by_side),
		cmocka_unit_test(full_queue_refuses),
		cmocka_unit_test(cancel_queued_and_running),
		cmocka_unit_test(free_with_jobs_left),
		cmocka_unit_test(read_only_beside_a_writer),
		cmocka_unit_test(missing_database_retried),
		cmocka_unit_test(bad_sizes_refused),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
