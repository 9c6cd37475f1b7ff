/*
 * Store-and-forward: the edge node's messages while the broker or the
 * primary host is away, in order, in an SQLite file of iiotd's state
 * directory (north.db), bounded to a number of messages.  A full queue
 * drops its oldest message or the new one ([north] queue_full), counted.
 * Payloads are kept packed without a sequence number; the replay gives
 * each the session's next.  Owned by the north thread.
 */
#ifndef IIOT_NORTH_SAF_H
#define IIOT_NORTH_SAF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct saf;

struct saf *saf_open(const char *path, uint64_t max, bool drop_oldest,
		     char *err, size_t errlen);
void saf_close(struct saf *q);
/* a transaction around many saf_put (one fsync); 0 or -1 */
int saf_begin(struct saf *q);
int saf_commit(struct saf *q);
/* 1 stored, 0 not (the queue is full and keeps what it has), -1 error;
 * device "" is the node */
int saf_put(struct saf *q, const char *device, uint64_t ts_ms,
	    const void *buf, size_t len);
/* the oldest n messages after id after (0: from the first), in order; a
 * non-zero return of cb stops.  Number handed, or -1. */
typedef int (*saf_fn)(void *arg, int64_t id, const char *device,
		      const void *buf, size_t len);
long saf_peek(struct saf *q, int64_t after, size_t n, saf_fn cb, void *arg);
/* forget every message up to id (they were sent); 0 or -1 */
int saf_done(struct saf *q, int64_t id);
uint64_t saf_depth(const struct saf *q);
/* messages the full queue dropped since open */
uint64_t saf_dropped(const struct saf *q);

#endif
