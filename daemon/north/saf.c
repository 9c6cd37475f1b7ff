/*
 * Store-and-forward queue in SQLite (saf.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "core/dbfile.h"
#include "core/log.h"
#include "north/saf.h"

struct saf {
	sqlite3 *db;
	sqlite3_stmt *put, *peek, *done, *oldest;
	uint64_t max, depth, dropped;
	bool drop_oldest;
};

static const char schema[] =
	"PRAGMA journal_mode=WAL;"
	"PRAGMA synchronous=NORMAL;"
	"CREATE TABLE IF NOT EXISTS queue("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" device TEXT NOT NULL,"
	" ts INTEGER NOT NULL,"
	" payload BLOB NOT NULL);";

struct saf *saf_open(const char *path, uint64_t max, bool drop_oldest,
		     char *err, size_t errlen)
{
	struct saf *q = calloc(1, sizeof(*q));
	sqlite3_stmt *st = NULL;

	if (!q) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	q->max = max;
	q->drop_oldest = drop_oldest;
	if (dbfile_private(path, err, errlen)) {
		free(q);
		return NULL;
	}
	if (sqlite3_open_v2(path, &q->db, SQLITE_OPEN_READWRITE |
			    SQLITE_OPEN_CREATE, NULL) != SQLITE_OK ||
	    sqlite3_busy_timeout(q->db, 5000) != SQLITE_OK ||
	    sqlite3_exec(q->db, schema, NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(q->db, "INSERT INTO queue(device, ts, payload)"
			       " VALUES(?, ?, ?)", -1, &q->put, NULL) ||
	    sqlite3_prepare_v2(q->db, "SELECT id, device, payload FROM queue"
			       " WHERE id > ? ORDER BY id LIMIT ?", -1,
			       &q->peek, NULL) ||
	    sqlite3_prepare_v2(q->db, "DELETE FROM queue WHERE id <= ?", -1,
			       &q->done, NULL) ||
	    sqlite3_prepare_v2(q->db, "DELETE FROM queue WHERE id ="
			       " (SELECT min(id) FROM queue)", -1, &q->oldest,
			       NULL) ||
	    sqlite3_prepare_v2(q->db, "SELECT count(*) FROM queue", -1, &st,
			       NULL) ||
	    sqlite3_step(st) != SQLITE_ROW) {
		snprintf(err, errlen, "%s: %s", path, q->db ?
			 sqlite3_errmsg(q->db) : "cannot open");
		sqlite3_finalize(st);
		saf_close(q);
		return NULL;
	}
	__atomic_store_n(&q->depth, (uint64_t)sqlite3_column_int64(st, 0),
			 __ATOMIC_RELAXED);
	sqlite3_finalize(st);
	return q;
}

void saf_close(struct saf *q)
{
	if (!q)
		return;
	sqlite3_finalize(q->put);
	sqlite3_finalize(q->peek);
	sqlite3_finalize(q->done);
	sqlite3_finalize(q->oldest);
	sqlite3_close(q->db);
	free(q);
}

int saf_begin(struct saf *q)
{
	return sqlite3_exec(q->db, "BEGIN", NULL, NULL, NULL) == SQLITE_OK ?
	       0 : -1;
}

int saf_commit(struct saf *q)
{
	if (sqlite3_exec(q->db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK)
		return 0;
	log_warnx("north: queue commit: %s", sqlite3_errmsg(q->db));
	return -1;
}

static int step(struct saf *q, sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return 0;
	log_warnx("north: queue: %s", sqlite3_errmsg(q->db));
	return -1;
}

int saf_put(struct saf *q, const char *device, uint64_t ts_ms,
	    const void *buf, size_t len)
{
	if (q->depth >= q->max) {
		q->dropped++;
		if (!q->drop_oldest)
			return 0;
		if (step(q, q->oldest))
			return -1;
		__atomic_sub_fetch(&q->depth, (uint64_t)sqlite3_changes(q->db),
				   __ATOMIC_RELAXED);
	}
	sqlite3_bind_text(q->put, 1, device, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q->put, 2, (sqlite3_int64)ts_ms);
	sqlite3_bind_blob(q->put, 3, buf, (int)len, SQLITE_STATIC);
	if (step(q, q->put))
		return -1;
	__atomic_add_fetch(&q->depth, 1, __ATOMIC_RELAXED);
	return 1;
}

long saf_peek(struct saf *q, int64_t after, size_t n, saf_fn cb, void *arg)
{
	long got = 0;
	int rc;

	sqlite3_bind_int64(q->peek, 1, after);
	sqlite3_bind_int64(q->peek, 2, (sqlite3_int64)n);
	while ((rc = sqlite3_step(q->peek)) == SQLITE_ROW) {
		const char *dev = (const char *)sqlite3_column_text(q->peek, 1);
		const void *b = sqlite3_column_blob(q->peek, 2);
		int len = sqlite3_column_bytes(q->peek, 2);

		got++;
		if (cb(arg, sqlite3_column_int64(q->peek, 0), dev ? dev : "",
		       b, (size_t)len))
			break;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		log_warnx("north: queue read: %s", sqlite3_errmsg(q->db));
		got = -1;
	}
	sqlite3_reset(q->peek);
	return got;
}

int saf_done(struct saf *q, int64_t id)
{
	uint64_t gone;

	sqlite3_bind_int64(q->done, 1, id);
	if (step(q, q->done))
		return -1;
	gone = (uint64_t)sqlite3_changes(q->db);
	__atomic_store_n(&q->depth, gone > q->depth ? 0 : q->depth - gone,
			 __ATOMIC_RELAXED);
	return 0;
}

/* read by the stats of other threads */
uint64_t saf_depth(const struct saf *q)
{
	return __atomic_load_n(&q->depth, __ATOMIC_RELAXED);
}

uint64_t saf_dropped(const struct saf *q)
{
	return q->dropped;
}
