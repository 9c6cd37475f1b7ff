/*
 * The platform's series (series.c): each (group, edge, device, metric)
 * the edges publish gets an index here, on the MQTT thread, and its id
 * in fleet_series, on the writer's thread.  fleet_points is keyed by
 * that integer id and the sample time: its btree compares one integer
 * where the old key compared four strings.
 *
 * The entries never move (blocks of SERIES_BLOCK), so the writer reads
 * an entry of a batch it took under the lock without taking it again;
 * only the MQTT thread interns, only the writer sets and clears ids.
 */
#ifndef IIOT_FLEET_SERIES_H
#define IIOT_FLEET_SERIES_H

#include <stddef.h>
#include <stdint.h>

#include "core/idxtab.h"

#define SERIES_KEY_MAX		512	/* 2 ids and 2 names, their NULs */
#define SERIES_SHIFT		12
#define SERIES_BLOCK		(1u << SERIES_SHIFT)
#define SERIES_BLOCKS		16384	/* 67 million series */

struct series {
	char *key;			/* "group\0edge\0device\0metric\0" */
	uint32_t klen;
	uint64_t hash;
	int32_t id;			/* fleet_series.id; 0 unknown, -1 asked */
};

struct series_tab {
	struct series *blk[SERIES_BLOCKS];
	uint32_t n;
	struct idxtab ix;		/* the entries by key */
};

/* the row's key in key (SERIES_KEY_MAX): its length, 0 when too long */
size_t series_key(char *key, const char *group, const char *edge,
		  const char *device, const char *metric);
/* the key's index, added when new: -1 when the table is full */
int64_t series_intern(struct series_tab *t, const char *key, size_t klen);
static inline struct series *series_at(const struct series_tab *t,
				       uint32_t i)
{
	return &t->blk[i >> SERIES_SHIFT][i & (SERIES_BLOCK - 1)];
}
/* every id forgotten (another connection, maybe another database) */
void series_forget(struct series_tab *t);
void series_free(struct series_tab *t);

#endif
