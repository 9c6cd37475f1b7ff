/* Store: schema, batched writes, blocks, rollups, history, cap, reopen. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <pthread.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "model/model.h"
#include "store/store.h"

static char dir[64];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/iiot-test-store-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

static long long q1(const char *path, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	long long v = -1;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW)
			v = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
	}
	sqlite3_close(db);
	return v;
}

struct pts {
	size_t n;
	double sum, min, max;
	uint64_t count;
};

static bool pt_cb(void *arg, const struct store_point *p)
{
	struct pts *c = arg;

	c->n++;
	c->sum += p->avg * (double)p->count;
	c->count += p->count;
	if (c->n == 1 || p->min < c->min)
		c->min = p->min;
	if (c->n == 1 || p->max > c->max)
		c->max = p->max;
	return true;
}

static bool hist_cb(void *arg, const struct store_history *h)
{
	int *n = arg;

	assert_string_equal(h->label, "00:01:02:03:04:05");
	(*n)++;
	return true;
}

static void samples_and_rollups(void **state)
{
	struct store_opts o;
	struct store *s;
	struct pts raw = { 0 }, sec = { 0 }, min = { 0 };
	struct model_device dev = { .id = 7, .has = MODEL_HAS_MAC };
	char path[128], err[256];
	uint64_t t0 = 1700000000000000000ULL, i;
	int nh = 0;
	sqlite3 *rd;

	(void)state;
	snprintf(path, sizeof(path), "%s/a.db", dir);
	store_opts_default(&o);
	o.path = path;
	s = store_open(&o, err, sizeof(err));
	assert_non_null(s);
	assert_int_equal(q1(path, "PRAGMA user_version"), STORE_SCHEMA_VERSION);
	store_signal_def(s, 1, "temp", "pn:x", "degC");
	/* 1 kHz for 3 s on signal 1: values 0..2999 */
	for (i = 0; i < 3000; i++)
		assert_true(store_put_sample(s, 1, t0 + i * 1000000ULL,
					     (double)i));
	store_device_event(s, &dev, "00:01:02:03:04:05", "pn-device",
			   MODEL_EV_DISCOVERED, "discovered", "hello", t0);
	store_flush(s);
	rd = store_reader_open(path, err, sizeof(err));
	assert_non_null(rd);
	/* blocks: many values a row */
	assert_true(q1(path, "SELECT count(*) FROM samples_raw") <= 3000 / 8);
	assert_int_equal(q1(path, "SELECT sum(n) FROM samples_raw"), 3000);
	assert_int_equal(store_query_samples(rd, 1, t0, t0 + 4000000000ULL,
					     STORE_RAW, 0, pt_cb, &raw, err,
					     sizeof(err)), 3000);
	assert_int_equal((long long)raw.sum, 2999LL * 3000 / 2);
	assert_int_equal(store_query_samples(rd, 1, t0, t0 + 4000000000ULL,
					     STORE_1S, 0, pt_cb, &sec, err,
					     sizeof(err)), 3);
	assert_int_equal(sec.count, 3000);
	assert_true(sec.min == 0 && sec.max == 2999);
	assert_true(store_query_samples(rd, 1, t0 - 60000000000ULL,
					t0 + 60000000000ULL, STORE_1M, 0,
					pt_cb, &min, err, sizeof(err)) >= 1);
	assert_int_equal(min.count, 3000);
	assert_int_equal(store_query_history(rd, "00:01:02:03:04:05", 10,
					     hist_cb, &nh, err, sizeof(err)),
			 1);
	assert_int_equal(q1(path, "SELECT count(*) FROM devices"), 1);
	sqlite3_close(rd);
	store_close(s);
	/* reopening keeps everything and does not migrate again */
	s = store_open(&o, err, sizeof(err));
	assert_non_null(s);
	store_close(s);
	assert_int_equal(q1(path, "SELECT sum(n) FROM samples_raw"), 3000);
	assert_int_equal(q1(path, "SELECT count(*) FROM roll_1s"), 3);
}

static bool hist_keep(void *arg, const struct store_history *h)
{
	char (*details)[1024] = arg;
	size_t i;

	for (i = 0; details[i][0]; i++)
		;
	if (i < 3)
		snprintf(details[i], sizeof(details[i]), "%s", h->detail);
	return true;
}

/*
 * Regression: history details and station names from the wire were stored
 * as given; a row that was not UTF-8 vanished from every JSON answer, and
 * one with escape sequences reached terminals.  Written escaped, and read
 * escaped too (rows stored before).
 */
static void history_text_from_the_wire_escaped(void **state)
{
	struct store_opts o;
	struct store *s;
	struct model_device dev = { .id = 3, .has = MODEL_HAS_MAC |
				    MODEL_HAS_NAME };
	char path[128], err[256], details[4][1024] = { { 0 } };
	uint64_t t0 = 1700000000000000000ULL;
	sqlite3 *db;

	(void)state;
	snprintf(path, sizeof(path), "%s/w.db", dir);
	store_opts_default(&o);
	o.path = path;
	s = store_open(&o, err, sizeof(err));
	assert_non_null(s);
	snprintf(dev.station_name, sizeof(dev.station_name), "st\x1b[1m\xff");
	store_device_event(s, &dev, "00:01:02:03:04:06", "pn-device",
			   MODEL_EV_NAME, "name", "DCP Set name=a\r\nb\xfe",
			   t0);
	store_flush(s);
	store_close(s);
	/* a row as an older iiotd stored it */
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "INSERT INTO device_history(ts,"
				      "label,device,event,detail) VALUES(1,"
				      "'00:01:02:03:04:06',3,'name',"
				      "CAST(X'6f6c641bff' AS TEXT))", NULL,
				      NULL, NULL), SQLITE_OK);
	assert_int_equal(store_query_history(db, "00:01:02:03:04:06", 10,
					     hist_keep, details, err,
					     sizeof(err)), 2);
	sqlite3_close(db);
	assert_string_equal(details[0], "DCP Set name=a\\x0d\\x0ab\\xfe");
	assert_string_equal(details[1], "old\\x1b\\xff");
	assert_int_equal(q1(path, "SELECT count(*) FROM devices WHERE "
			    "station_name = 'st\\x1b[1m\\xff'"), 1);
}

/*
 * An evicted device (inventory flooding, daemon/model/model.c) leaves the
 * inventory, its id going to another: its row goes, its history stays and
 * says why.  Other rows stay.
 */
static void evicted_device_row_removed(void **state)
{
	struct store_opts o;
	struct store *s;
	struct model_device dev = { .id = 9, .has = MODEL_HAS_MAC };
	char path[128], err[256];
	uint64_t t0 = 1700000000000000000ULL;

	(void)state;
	snprintf(path, sizeof(path), "%s/e.db", dir);
	store_opts_default(&o);
	o.path = path;
	s = store_open(&o, err, sizeof(err));
	assert_non_null(s);
	store_device_event(s, &dev, "02:66:00:00:00:01", "pn-controller",
			   MODEL_EV_DISCOVERED, "discovered", "flood", t0);
	store_device_event(s, &dev, "00:0e:8c:10:00:01", "pn-device",
			   MODEL_EV_DISCOVERED, "discovered", "real", t0 + 1);
	store_device_event(s, &dev, "02:66:00:00:00:01", "pn-controller",
			   MODEL_EV_EVICTED, "evicted", "evicted for a new "
			   "device", t0 + 2);
	store_flush(s);
	store_close(s);
	assert_int_equal(q1(path, "SELECT count(*) FROM devices WHERE "
			    "label = '02:66:00:00:00:01'"), 0);
	assert_int_equal(q1(path, "SELECT count(*) FROM devices"), 1);
	assert_int_equal(q1(path, "SELECT count(*) FROM device_history WHERE "
			    "label = '02:66:00:00:00:01' AND event = "
			    "'evicted'"), 1);
}

static void alias_keep(void *arg, const char *label, const char *alias)
{
	char *out = arg;

	snprintf(out, 160, "%s=%s", label, alias);
}

/*
 * Regression: an evicted device lost its alias with its row, so the
 * device came back (or iiotd restarted) nameless.  The alias stays with
 * the label, without the id that is another device's now, and the
 * device's return takes the row again with its alias.
 */
static void evicted_device_keeps_alias(void **state)
{
	struct store_opts o;
	struct store *s;
	struct model_device dev = { .id = 9, .has = MODEL_HAS_MAC };
	char path[128], err[256], got[160] = "";
	uint64_t t0 = 1700000000000000000ULL;

	(void)state;
	snprintf(path, sizeof(path), "%s/ea.db", dir);
	store_opts_default(&o);
	o.path = path;
	s = store_open(&o, err, sizeof(err));
	assert_non_null(s);
	store_device_event(s, &dev, "00:0e:8c:10:00:02", "pn-device",
			   MODEL_EV_DISCOVERED, "discovered", "real", t0);
	assert_true(store_device_alias(s, 9, "00:0e:8c:10:00:02", "Press 4",
				       "\"\" -> \"Press 4\" by t", t0 + 1));
	store_device_event(s, &dev, "00:0e:8c:10:00:02", "pn-device",
			   MODEL_EV_EVICTED, "evicted", "evicted for a new "
			   "device", t0 + 2);
	store_flush(s);
	assert_int_equal(q1(path, "SELECT count(*) FROM devices WHERE "
			    "label = '00:0e:8c:10:00:02' AND id IS NULL"), 1);
	assert_int_equal(store_query_aliases(path, alias_keep, got, err,
					     sizeof(err)), 1);
	assert_string_equal(got, "00:0e:8c:10:00:02=Press 4");

	dev.id = 17;
	store_device_event(s, &dev, "00:0e:8c:10:00:02", "pn-device",
			   MODEL_EV_DISCOVERED, "discovered", "back", t0 + 3);
	store_flush(s);
	store_close(s);
	assert_int_equal(q1(path, "SELECT id FROM devices WHERE "
			    "label = '00:0e:8c:10:00:02' AND alias = "
			    "'Press 4'"), 17);
}

static void newer_schema_refused(void **state)
{
	struct store_opts o;
	char path[128], err[256];
	sqlite3 *db;

	(void)state;
	snprintf(path, sizeof(path), "%s/new.db", dir);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	sqlite3_exec(db, "PRAGMA user_version=999", NULL, NULL, NULL);
	sqlite3_close(db);
	store_opts_default(&o);
	o.path = path;
	assert_null(store_open(&o, err, sizeof(err)));
	assert_non_null(strstr(err, "newer"));
}

static void not_a_database(void **state)
{
	struct store_opts o;
	char path[128], err[256];
	FILE *f;

	(void)state;
	snprintf(path, sizeof(path), "%s/junk.db", dir);
	f = fopen(path, "w");
	fputs("this is not sqlite, just text that is long enough to matter"
	      " for the header check of the library\n", f);
	fclose(f);
	store_opts_default(&o);
	o.path = path;
	assert_null(store_open(&o, err, sizeof(err)));
	assert_non_null(strstr(err, path));
}

/* Regression: the disk cap must hold while samples keep coming. */
static void disk_cap(void **state)
{
	struct store_counters c;
	struct store_opts o;
	struct store *s;
	char path[128], err[256];
	uint64_t t0 = (uint64_t)time(NULL) * 1000000000ULL, i, j;

	(void)state;
	snprintf(path, sizeof(path), "%s/cap.db", dir);
	store_opts_default(&o);
	o.path = path;
	o.max_bytes = 2 << 20;
	s = store_open(&o, err, sizeof(err));
	assert_non_null(s);
	/* ~12 MB of raw blocks into a 2 MiB cap */
	for (j = 0; j < 10; j++) {
		for (i = 0; i < 100000; i++)
			store_put_sample(s, (uint32_t)(i % 50) + 1,
					 t0 + (j * 100000 + i) * 100000ULL,
					 (double)i);
		store_flush(s);
		/* maintenance runs every 5 s: give it its turn */
	}
	sleep(6);
	store_flush(s);
	store_get_counters(s, &c);
	/* recent samples: retention does not apply, the cap must */
	assert_int_equal(c.retention_deleted, 0);
	assert_true(c.cap_deleted > 0);
	assert_int_equal(c.samples_written, 1000000);
	assert_int_equal(c.write_errors, 0);
	store_close(s);
	assert_true(q1(path, "PRAGMA page_count") *
		    q1(path, "PRAGMA page_size") <= (2 << 20) + (1 << 20));
	assert_true(q1(path, "SELECT count(*) FROM samples_raw") > 0);
	/* the oldest went first: the newest second is still there */
	assert_true(q1(path, "SELECT max(t1) FROM samples_raw") >=
		    (long long)(t0 + 999999 * 100000ULL));
	assert_true(q1(path, "SELECT min(t0) FROM samples_raw") >
		    (long long)(t0 + 50 * 1000000000ULL));
}

struct inorder {
	uint64_t t0;
	long n;
	bool ordered;
};

/* raw sample k of a signal: at t0 + k ms, value k */
static bool inorder_cb(void *arg, const struct store_point *p)
{
	struct inorder *o = arg;

	if (p->ts_ns != o->t0 + (uint64_t)o->n * 1000000ULL ||
	    p->avg != (double)o->n)
		o->ordered = false;
	o->n++;
	return true;
}

/*
 * Regression: the writer grouped a batch's samples with a counting sort
 * over the signal ids themselves, one bucket per id up to the largest:
 * link-history series (ids from 131072) grew the table with every batch,
 * an id too large for memory threw the whole batch away without a word
 * (a write error, nothing logged), and the largest id wrapped the
 * table's size (a write out of bounds).  Every id is written, each
 * signal's samples in order, whatever ids share the batch.
 */
static void large_signal_ids_dropped(void **state)
{
	static const uint32_t ids[] = { 1, 65535, 65536, 131072 + 8 * 3 + 2,
					0x7FFFFFFFu, 0xFFFFFFFEu, 0xFFFFFFFFu };
	const size_t nid = sizeof(ids) / sizeof(ids[0]);
	struct store_counters c;
	struct store_opts o;
	struct store *s;
	char path[128], err[256];
	uint64_t t0 = (uint64_t)time(NULL) * 1000000000ULL;
	size_t i, k;
	sqlite3 *rd;

	(void)state;
	snprintf(path, sizeof(path), "%s/ids.db", dir);
	store_opts_default(&o);
	o.path = path;
	s = store_open(&o, err, sizeof(err));
	assert_non_null(s);
	/* interleaved, largest first: one batch holds every id */
	for (k = 0; k < 100; k++)
		for (i = nid; i-- > 0;)
			assert_true(store_put_sample(s, ids[i],
						     t0 + k * 1000000ULL,
						     (double)k));
	store_flush(s);
	store_get_counters(s, &c);
	assert_int_equal(c.samples_written, 100 * nid);
	assert_int_equal(c.samples_lost, 0);
	assert_int_equal(c.write_errors, 0);
	rd = store_reader_open(path, err, sizeof(err));
	assert_non_null(rd);
	for (i = 0; i < nid; i++) {
		struct inorder io = { .t0 = t0, .ordered = true };

		assert_int_equal(store_query_samples(rd, ids[i], t0,
						     t0 + 1000000000ULL,
						     STORE_RAW, 0, inorder_cb,
						     &io, err, sizeof(err)),
				 100);
		assert_true(io.ordered);
	}
	sqlite3_close(rd);
	store_close(s);
}

/*
 * Below min_free the store keeps rollups and devices but no raw blocks,
 * says why, and stores raw again by itself once the reserve is back
 * (here: min_free lowered, as if space had been freed).
 */
static void low_disk_sheds_raw_keeps_rollups(void **state)
{
	struct model_device dev = { .id = 3, .has = MODEL_HAS_MAC };
	struct store_counters c;
	struct store_disk dk;
	struct store_opts o;
	struct store *s;
	char path[128], err[256];
	uint64_t t0 = 1700000000000000000ULL, i;

	(void)state;
	snprintf(path, sizeof(path), "%s/low.db", dir);
	store_opts_default(&o);
	o.path = path;
	o.min_free = 1ULL << 60;	/* more than any file system has */
	s = store_open(&o, err, sizeof(err));
	assert_non_null(s);
	for (i = 0; i < 3000; i++)
		store_put_sample(s, 1, t0 + i * 1000000ULL, (double)i);
	store_device_event(s, &dev, "00:01:02:03:04:06", "pn-device",
			   MODEL_EV_DISCOVERED, "discovered", "hello", t0);
	store_flush(s);
	store_get_disk(s, &dk);
	assert_true(dk.degraded);
	assert_non_null(strstr(dk.reason, "below min_free"));
	assert_true(dk.since > 0 && dk.free_bytes > 0);
	store_get_counters(s, &c);
	assert_int_equal(c.raw_shed, 3000);
	assert_int_equal(c.samples_written, 0);
	assert_int_equal(c.degraded_episodes, 1);
	assert_int_equal(c.write_errors, 0);
	assert_int_equal(q1(path, "SELECT count(*) FROM samples_raw"), 0);
	assert_int_equal(q1(path, "SELECT sum(count) FROM roll_1s"), 3000);
	assert_int_equal(q1(path, "SELECT count(*) FROM devices"), 1);

	o.min_free = 0;
	store_reconfigure(s, &o);
	for (i = 3000; i < 4000; i++)
		store_put_sample(s, 1, t0 + i * 1000000ULL, (double)i);
	store_flush(s);
	store_get_disk(s, &dk);
	assert_false(dk.degraded);
	assert_int_equal(dk.since, 0);
	store_get_counters(s, &c);
	assert_int_equal(c.samples_written, 1000);
	assert_int_equal(c.degraded_episodes, 1);
	store_close(s);
	assert_int_equal(q1(path, "SELECT sum(n) FROM samples_raw"), 1000);
	assert_int_equal(q1(path, "SELECT sum(count) FROM roll_1s"), 4000);
}

static void *put_from_other_thread(void *arg)
{
	struct store *s = arg;
	bool ok;

	/* the first thread stages: this one's begin does nothing, its
	 * sample goes to the queue at once (cmocka asserts on its own
	 * thread only: the caller checks) */
	store_stage_begin(s);
	ok = store_put_sample(s, 2, 1700000000000000000ULL, 1);
	store_stage_end(s);
	return ok ? s : NULL;
}

/*
 * A drain turn's samples reach the writer's queue in one hand-over (at
 * store_stage_end, or when STAGE_MAX are staged), not one lock each; a
 * full queue refuses and counts exactly what it did sample by sample.
 */
static void staged_samples_handed_over_once(void **state)
{
	struct store_counters c;
	struct store_opts o;
	struct store *s;
	pthread_t th;
	void *other;
	char path[128], err[256];
	uint64_t t0 = 1700000000000000000ULL, i, ok = 0;

	(void)state;
	snprintf(path, sizeof(path), "%s/stage.db", dir);
	store_opts_default(&o);
	o.path = path;
	o.queue_len = 6000;
	/* the writer takes nothing before store_flush */
	o.batch_rows = 1U << 20;
	o.flush_ms = 3600000;
	s = store_open(&o, err, sizeof(err));
	assert_non_null(s);
	store_stage_begin(s);
	for (i = 0; i < 100; i++)
		ok += store_put_sample(s, 1, t0 + i * 1000ULL, (double)i);
	store_get_counters(s, &c);
	assert_int_equal(c.samples_in, 0);	/* staged, not handed yet */
	assert_int_equal(pthread_create(&th, NULL, put_from_other_thread, s), 0);
	assert_int_equal(pthread_join(th, &other), 0);
	assert_ptr_equal(other, s);
	store_get_counters(s, &c);
	assert_int_equal(c.samples_in, 1);
	/* 10,000 in all for a queue of 6,000 holding the other's one */
	for (; i < 10000; i++)
		ok += store_put_sample(s, 1, t0 + i * 1000ULL, (double)i);
	store_stage_end(s);
	assert_int_equal(ok, 5999);
	store_get_counters(s, &c);
	assert_int_equal(c.samples_in, 6000);
	assert_int_equal(c.samples_dropped, 4001);
	/* ended: a sample is queued (or refused) at once again */
	assert_false(store_put_sample(s, 1, t0 + i * 1000ULL, 0));
	store_get_counters(s, &c);
	assert_int_equal(c.samples_dropped, 4002);
	store_flush(s);
	store_get_counters(s, &c);
	assert_int_equal(c.samples_written, 6000);
	store_close(s);
	assert_int_equal(q1(path, "SELECT sum(n) FROM samples_raw"), 6000);
	assert_int_equal(q1(path, "SELECT sum(n) FROM samples_raw WHERE signal = 2"), 1);
}

/*
 * Samples wait for the flush (a second by default); a device event or a
 * new name does not: someone who renamed a device reads its history
 * next.  With a flush of an hour, the samples stay queued until the
 * event comes, then go in its transaction.
 */
static void device_events_do_not_wait_for_the_sample_flush(void **state)
{
	struct store_counters c;
	struct store_opts o;
	struct store *s;
	struct timespec nap = { 0, 20000000L };
	char path[128], err[256];
	uint64_t t0 = 1700000000000000000ULL;
	int i;

	(void)state;
	snprintf(path, sizeof(path), "%s/events.db", dir);
	store_opts_default(&o);
	o.path = path;
	o.flush_ms = 3600000;
	s = store_open(&o, err, sizeof(err));
	assert_non_null(s);
	for (i = 0; i < 10; i++)
		assert_true(store_put_sample(s, 7, t0 + (uint64_t)i, i));
	for (i = 0; i < 15; i++)
		nanosleep(&nap, NULL);
	store_get_counters(s, &c);
	assert_int_equal(c.samples_written, 0);
	assert_true(store_device_alias(s, 4, "00:0e:8c:10:00:04", "Press 4",
				       "\"\" -> \"Press 4\"", t0));
	for (i = 0; i < 500; i++) {
		store_get_counters(s, &c);
		if (c.events_written)
			break;
		nanosleep(&nap, NULL);
	}
	assert_int_equal(c.events_written, 1);
	assert_int_equal(c.samples_written, 10);
	assert_int_equal(q1(path, "SELECT count(*) FROM device_history WHERE "
			    "event = 'alias'"), 1);
	store_close(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(samples_and_rollups),
		cmocka_unit_test(history_text_from_the_wire_escaped),
		cmocka_unit_test(evicted_device_row_removed),
		cmocka_unit_test(evicted_device_keeps_alias),
		cmocka_unit_test(newer_schema_refused),
		cmocka_unit_test(not_a_database),
		cmocka_unit_test(disk_cap),
		cmocka_unit_test(large_signal_ids_dropped),
		cmocka_unit_test(low_disk_sheds_raw_keeps_rollups),
		cmocka_unit_test(staged_samples_handed_over_once),
		cmocka_unit_test(device_events_do_not_wait_for_the_sample_flush),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
