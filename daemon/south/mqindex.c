/*
 * The MQTT devices by topic (mqindex.h): a chained hash table of the
 * topics without a wildcard, and the filters in the order they came.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/hash.h"
#include "south/mqindex.h"
#include "south/mqmap.h"

#define MQ_INDEX_MIN_BUCKETS	64

struct mq_entry {
	struct mq_entry *next;		/* the bucket's chain, or the filters' */
	uint64_t hash;
	const char *topic;
	size_t pos;
	void *item;
};

struct mq_index {
	struct mq_entry **bucket;	/* nbuckets, a power of two */
	size_t nbuckets, nexact;
	struct mq_entry *filters;	/* ascending pos */
	struct mq_entry **filters_end;
};

static bool is_filter(const char *topic)
{
	return strpbrk(topic, "+#") != NULL;
}

struct mq_index *mq_index_new(void)
{
	struct mq_index *ix = calloc(1, sizeof(*ix));

	if (ix && !(ix->bucket = calloc(MQ_INDEX_MIN_BUCKETS,
					sizeof(*ix->bucket)))) {
		free(ix);
		return NULL;
	}
	if (ix) {
		ix->nbuckets = MQ_INDEX_MIN_BUCKETS;
		ix->filters_end = &ix->filters;
	}
	return ix;
}

static void chain_free(struct mq_entry *e)
{
	struct mq_entry *next;

	for (; e; e = next) {
		next = e->next;
		free(e);
	}
}

void mq_index_free(struct mq_index *ix)
{
	size_t i;

	if (!ix)
		return;
	for (i = 0; i < ix->nbuckets; i++)
		chain_free(ix->bucket[i]);
	chain_free(ix->filters);
	free(ix->bucket);
	free(ix);
}

/* twice the buckets once there are more topics than buckets; a table
 * that cannot grow still works, with longer chains */
static void grow(struct mq_index *ix)
{
	size_t n = ix->nbuckets * 2, i;
	struct mq_entry **b = calloc(n, sizeof(*b)), *e, *next;

	if (!b)
		return;
	for (i = 0; i < ix->nbuckets; i++)
		for (e = ix->bucket[i]; e; e = next) {
			next = e->next;
			e->next = b[e->hash & (n - 1)];
			b[e->hash & (n - 1)] = e;
		}
	free(ix->bucket);
	ix->bucket = b;
	ix->nbuckets = n;
}

int mq_index_add(struct mq_index *ix, const char *topic, size_t pos,
		 void *item)
{
	struct mq_entry *e = calloc(1, sizeof(*e)), **b;

	if (!e)
		return -1;
	e->topic = topic;
	e->pos = pos;
	e->item = item;
	if (is_filter(topic)) {
		*ix->filters_end = e;
		ix->filters_end = &e->next;
		return 0;
	}
	if (ix->nexact >= ix->nbuckets)
		grow(ix);
	e->hash = fnv1a64_str(topic);
	b = &ix->bucket[e->hash & (ix->nbuckets - 1)];
	e->next = *b;
	*b = e;
	ix->nexact++;
	return 0;
}

void mq_index_del(struct mq_index *ix, const char *topic, void *item)
{
	struct mq_entry **p, *e;
	bool filter = is_filter(topic);

	p = filter ? &ix->filters :
	    &ix->bucket[fnv1a64_str(topic) & (ix->nbuckets - 1)];
	for (; (e = *p); p = &e->next)
		if (e->item == item)
			break;
	if (!e)
		return;
	*p = e->next;
	if (filter && ix->filters_end == &e->next)
		ix->filters_end = p;
	ix->nexact -= !filter;
	free(e);
}

void *mq_index_find(const struct mq_index *ix, const char *topic)
{
	uint64_t h = fnv1a64_str(topic);
	const struct mq_entry *e, *best = NULL;

	for (e = ix->bucket[h & (ix->nbuckets - 1)]; e; e = e->next)
		if (e->hash == h && !strcmp(e->topic, topic) &&
		    (!best || e->pos < best->pos))
			best = e;
	/* a filter added before the exact topic's device wins */
	for (e = ix->filters; e && (!best || e->pos < best->pos); e = e->next)
		if (mq_topic_match(e->topic, topic))
			return e->item;
	return best ? best->item : NULL;
}
