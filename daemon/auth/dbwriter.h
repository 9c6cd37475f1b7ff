/*
 * Group commit for the audit log and the auth database, off the event loop.
 *
 * An audit append with synchronous=FULL costs one fdatasync: 0.4 ms on an
 * idle disk, 600+ ms while something else writes to it.  Done on the loop,
 * that stalled every request.  Here the loop only queues: a writer thread
 * takes everything queued since its last turn, appends it to the chain in
 * one transaction (one fsync for the whole batch) and fdatasyncs the WAL
 * files the loop marked dirty (the auth database runs synchronous=NORMAL
 * on the loop, so its commits reach the WAL without a sync; the writer's
 * sync makes them durable).  The loop waits for a ticket without
 * blocking: a request replies once the batch holding its rows is durable.
 *
 * Tickets grow with every append and every dirty mark; a batch makes all
 * tickets up to the newest taken durable.  Loop thread only, except the
 * thread itself.
 */
#ifndef IIOT_DBWRITER_H
#define IIOT_DBWRITER_H

#include <stddef.h>
#include <stdint.h>

#include "auth/audit.h"

#define DBWRITER_QUEUE_MAX	4096	/* rows waiting; more are refused, loudly */
#define DBWRITER_FILES_MAX	4	/* WAL files to sync beside the audit log */

struct event_base;
struct dbwriter;
struct dbwait;

#define DBWRITER_COUNTERS(X) \
	X(batches,	"commits (each one fsync of the audit log)")		\
	X(rows,		"audit rows committed")					\
	X(syncs,	"fdatasyncs of other databases' WAL files")		\
	X(checkpoints,	"WAL checkpoints run by the writer")			\
	X(failed,	"batches that failed (rows lost, logged)")		\
	X(refused,	"rows refused: queue full")				\
	X(batch_max,	"most rows in one batch")				\
	X(queued,	"rows waiting now")					\
	X(waits_pending, "replies waiting for their batch now")			\
	X(commit_us_last, "last batch: commit and syncs, microseconds")		\
	X(commit_us_max, "longest batch, microseconds")				\
	X(commit_us_sum, "all batches, microseconds")

struct dbwriter_counters {
#define DBW_X_FIELD(n, d) uint64_t n;
	DBWRITER_COUNTERS(DBW_X_FIELD)
#undef DBW_X_FIELD
};

/* ok: the batch committed (0: it failed and was logged). Loop thread. */
typedef void (*dbwait_fn)(void *arg, int ok);

/* audit_path: the log the writer appends to, on a connection of its own. */
struct dbwriter *dbwriter_new(struct event_base *base, const char *audit_path,
			      char *err, size_t errlen);
/* Commits what is queued, then stops; waiters left are called (ok 1 or 0). */
void dbwriter_free(struct dbwriter *w);

/*
 * A database whose WAL the writer fdatasyncs in the batch after each
 * dbwriter_dirty(w, id); it also checkpoints it there once the WAL grows
 * (the loop's connection should run wal_autocheckpoint=0).  id, or -1.
 */
int dbwriter_add_db(struct dbwriter *w, const char *db_path);
void dbwriter_dirty(struct dbwriter *w, int id);

/* Queue one row (strings copied).  Its ticket, 0 when refused (queue full). */
uint64_t dbwriter_append(struct dbwriter *w, const struct audit_entry *e);
/* The newest ticket handed out: waiting for it waits for all before it. */
uint64_t dbwriter_ticket(const struct dbwriter *w);
/* 1 when ticket's batch is committed (or ticket is 0). */
int dbwriter_durable(const struct dbwriter *w, uint64_t ticket);
/*
 * fn(arg, ok) on the loop once ticket is durable.  NULL when it already is
 * (fn is not called then) or on ENOMEM (errno set).
 */
struct dbwait *dbwriter_wait(struct dbwriter *w, uint64_t ticket, dbwait_fn fn, void *arg);
/* fn is never called for this wait afterwards. */
void dbwriter_wait_cancel(struct dbwait *wt);

void dbwriter_get_counters(struct dbwriter *w, struct dbwriter_counters *out);

#endif
