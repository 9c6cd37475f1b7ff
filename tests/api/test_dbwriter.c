/*
 * Unit tests of daemon/auth/dbwriter.c on a real event loop and real
 * SQLite files: rows queued while a commit is in progress share the next
 * one, waits are answered in ticket order, cancelled waits never, a full
 * queue refuses, dirty WAL files are synced, and teardown commits what is
 * queued.  A batch is held back deterministically by holding the audit
 * database's write lock from a connection of the test's own.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
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

#include "auth/audit.h"
#include "auth/dbwriter.h"

struct fx {
	char dir[64], path[128];
	struct event_base *base;
	struct dbwriter *w;
	sqlite3 *lock;		/* the test's connection that holds the write lock */
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	char err[256];
	struct audit *a;

	snprintf(f->dir, sizeof(f->dir), "/tmp/iiot-dbw.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/audit.db", f->dir);
	/* the schema, as iiotd's first open makes it */
	a = audit_open(f->path, err, sizeof(err));
	assert_non_null(a);
	audit_close(a);
	f->base = event_base_new();
	f->w = dbwriter_new(f->base, f->path, err, sizeof(err));
	assert_non_null(f->w);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char cmd[128];

	dbwriter_free(f->w);
	if (f->lock)
		sqlite3_close(f->lock);
	event_base_free(f->base);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

static void hold_lock(struct fx *f)
{
	assert_int_equal(sqlite3_open(f->path, &f->lock), SQLITE_OK);
	assert_int_equal(sqlite3_exec(f->lock, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
}

static void release_lock(struct fx *f)
{
	assert_int_equal(sqlite3_exec(f->lock, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
}

static uint64_t row(struct fx *f, int i)
{
	char target[32];
	struct audit_entry e = { .user = "u", .addr = "a", .action = "test",
				 .target = target, .result = "ok", .detail = "{}" };

	snprintf(target, sizeof(target), "row %d", i);
	return dbwriter_append(f->w, &e);
}

struct order {
	int n, ok;
	int seen[64];
};

/* A wait's argument: the order record and the wait's own number. */
struct tag {
	struct order *o;
	int pad, num;
};

static void note(void *arg, int ok)
{
	struct tag *t = arg;

	t->o->seen[t->o->n++] = t->num;
	t->o->ok &= ok;
}

static void loop_until(struct event_base *base, const int *n, int want)
{
	time_t end = time(NULL) + 30;

	while (*n < want && time(NULL) < end)
		event_base_loop(base, EVLOOP_ONCE);
	assert_int_equal(*n, want);
}

static void wait_durable(struct fx *f, uint64_t t)
{
	time_t end = time(NULL) + 30;

	while (!dbwriter_durable(f->w, t) && time(NULL) < end)
		event_base_loop(f->base, EVLOOP_ONCE);
	assert_true(dbwriter_durable(f->w, t));
}

static int64_t chain_rows(struct fx *f)
{
	struct audit_report r;
	char err[256];
	struct audit *a = audit_open_ro(f->path, err, sizeof(err));

	assert_non_null(a);
	assert_int_equal(audit_verify(a, &r), 0);
	audit_close(a);
	return r.rows;
}

/* 50 rows queued behind a held commit: two batches at most, one fsync each. */
static void test_rows_share_a_commit(void **state)
{
	struct fx *f = *state;
	struct dbwriter_counters c;
	uint64_t t = 0;
	int i;

	hold_lock(f);
	for (i = 0; i < 50; i++)
		t = row(f, i);
	assert_int_equal(t, 50);
	assert_false(dbwriter_durable(f->w, t));
	release_lock(f);
	wait_durable(f, t);
	dbwriter_get_counters(f->w, &c);
	assert_int_equal(c.rows, 50);
	/* what the blocked batch took, and all the rest in one more */
	assert_in_range(c.batches, 1, 2);
	assert_true(c.batch_max >= 25);
	assert_int_equal(c.failed, 0);
	assert_int_equal(c.queued, 0);
	assert_true(c.commit_us_max >= c.commit_us_last);
	assert_int_equal(chain_rows(f), 50);
}

/* Waits come back in ticket order, whatever order they were asked in. */
static void test_waits_in_ticket_order(void **state)
{
	struct fx *f = *state;
	struct order o = { .ok = 1 };
	struct tag tags[3];
	uint64_t t1, t2, t3;

	hold_lock(f);
	t1 = row(f, 1);
	t2 = row(f, 2);
	t3 = row(f, 3);
	tags[0] = (struct tag){ &o, 0, 3 };
	tags[1] = (struct tag){ &o, 0, 1 };
	tags[2] = (struct tag){ &o, 0, 2 };
	assert_non_null(dbwriter_wait(f->w, t3, note, &tags[0]));
	assert_non_null(dbwriter_wait(f->w, t1, note, &tags[1]));
	assert_non_null(dbwriter_wait(f->w, t2, note, &tags[2]));
	release_lock(f);
	loop_until(f->base, &o.n, 3);
	assert_int_equal(o.seen[0], 1);
	assert_int_equal(o.seen[1], 2);
	assert_int_equal(o.seen[2], 3);
	assert_true(o.ok);
	/* once durable, nothing to wait for */
	assert_null(dbwriter_wait(f->w, t3, note, &tags[0]));
	assert_null(dbwriter_wait(f->w, 0, note, &tags[0]));
}

static void test_cancelled_wait_never_called(void **state)
{
	struct fx *f = *state;
	struct order o = { .ok = 1 };
	struct tag a = { &o, 0, 1 }, b = { &o, 0, 2 };
	struct dbwriter_counters c;
	struct dbwait *wa;
	uint64_t t;

	hold_lock(f);
	t = row(f, 1);
	wa = dbwriter_wait(f->w, t, note, &a);
	assert_non_null(wa);
	assert_non_null(dbwriter_wait(f->w, t, note, &b));
	dbwriter_get_counters(f->w, &c);
	assert_int_equal(c.waits_pending, 2);
	dbwriter_wait_cancel(wa);
	release_lock(f);
	loop_until(f->base, &o.n, 1);
	assert_int_equal(o.seen[0], 2);
	dbwriter_get_counters(f->w, &c);
	assert_int_equal(c.waits_pending, 0);
}

/* Past DBWRITER_QUEUE_MAX waiting rows the append is refused and counted. */
static void test_full_queue_refuses(void **state)
{
	struct fx *f = *state;
	struct dbwriter_counters c;
	int i, refused = 0;

	hold_lock(f);
	for (i = 0; i < DBWRITER_QUEUE_MAX + 2; i++)
		refused += row(f, i) == 0;
	/* the first row may already be taken by the blocked batch */
	assert_in_range(refused, 1, 2);
	release_lock(f);
	wait_durable(f, dbwriter_ticket(f->w));
	dbwriter_get_counters(f->w, &c);
	assert_int_equal(c.refused, refused);
	assert_int_equal(c.rows + c.refused, DBWRITER_QUEUE_MAX + 2);
	assert_int_equal(chain_rows(f), (int64_t)c.rows);
}

/* A database marked dirty has its WAL synced in the next batch. */
static void test_dirty_wal_synced(void **state)
{
	struct fx *f = *state;
	struct dbwriter_counters c;
	char other[160];
	sqlite3 *db;
	int id;

	snprintf(other, sizeof(other), "%s/auth.db", f->dir);
	assert_int_equal(sqlite3_open(other, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
				      "CREATE TABLE t(x); INSERT INTO t VALUES(1);",
				      NULL, NULL, NULL), SQLITE_OK);
	id = dbwriter_add_db(f->w, other);
	assert_true(id >= 0);
	dbwriter_dirty(f->w, id);
	wait_durable(f, dbwriter_ticket(f->w));
	dbwriter_get_counters(f->w, &c);
	assert_int_equal(c.syncs, 1);
	assert_int_equal(c.batches, 0);	/* no audit rows: no audit commit */
	dbwriter_dirty(f->w, 99);	/* unknown: ignored */
	sqlite3_close(db);
}

/* Teardown commits what is queued and answers the waits. */
static void test_free_commits_queued(void **state)
{
	struct fx *f = *state;
	struct order o = { .ok = 1 };
	struct tag a = { &o, 0, 1 };
	uint64_t t;
	int i;

	hold_lock(f);
	for (i = 0; i < 10; i++)
		t = row(f, i);
	assert_non_null(dbwriter_wait(f->w, t, note, &a));
	release_lock(f);
	dbwriter_free(f->w);
	f->w = NULL;
	assert_int_equal(o.n, 1);
	assert_true(o.ok);
	assert_int_equal(chain_rows(f), 10);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_rows_share_a_commit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_waits_in_ticket_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cancelled_wait_never_called, setup, teardown),
		cmocka_unit_test_setup_teardown(test_full_queue_refuses, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dirty_wal_synced, setup, teardown),
		cmocka_unit_test_setup_teardown(test_free_commits_queued, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
