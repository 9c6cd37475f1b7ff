/*
 * The platform's series and their ids (series.h).
 */
#include <stdlib.h>
#include <string.h>

#include "core/hash.h"
#include "fleet/series.h"

size_t series_key(char *key, const char *group, const char *edge,
		  const char *device, const char *metric)
{
	const char *part[4] = { group, edge, device, metric };
	size_t n = 0, l, i;

	for (i = 0; i < 4; i++) {
		l = strlen(part[i]) + 1;
		if (n + l > SERIES_KEY_MAX)
			return 0;
		memcpy(key + n, part[i], l);
		n += l;
	}
	return n;
}

struct probe {
	const char *key;
	size_t klen;
	uint64_t hash;
};

static uint64_t hash_of(void *t, uint32_t i)
{
	return series_at(t, i)->hash;
}

static bool same(const void *t, uint32_t i, const void *key)
{
	const struct series *s = series_at(t, i);
	const struct probe *p = key;

	return s->hash == p->hash && s->klen == p->klen &&
	       !memcmp(s->key, p->key, p->klen);
}

static int64_t add(struct series_tab *t, size_t slot, const char *key,
		   size_t klen, uint64_t hash)
{
	struct series **blk = &t->blk[t->n >> SERIES_SHIFT];
	struct series *s;

	if (t->n == (uint64_t)SERIES_BLOCK * SERIES_BLOCKS)
		return -1;
	if (!*blk && !(*blk = calloc(SERIES_BLOCK, sizeof(**blk))))
		return -1;
	s = series_at(t, t->n);
	if (!(s->key = malloc(klen)))
		return -1;
	memcpy(s->key, key, klen);
	s->klen = (uint32_t)klen;
	s->hash = hash;
	s->id = 0;
	idxtab_set(&t->ix, slot, t->n);
	return t->n++;
}

int64_t series_intern(struct series_tab *t, const char *key, size_t klen)
{
	struct probe p = { key, klen, fnv1a64(key, klen) };
	size_t slot;
	int64_t i;

	if (idxtab_reserve(&t->ix, (size_t)t->n + 1, 1024, t->n, hash_of, t))
		return -1;
	slot = idxtab_slot(&t->ix, p.hash, same, t, &p);
	i = idxtab_entry(&t->ix, slot);
	return i >= 0 ? i : add(t, slot, key, klen, p.hash);
}

void series_forget(struct series_tab *t)
{
	uint32_t i;

	for (i = 0; i < t->n; i++)
		series_at(t, i)->id = 0;
}

void series_free(struct series_tab *t)
{
	uint32_t i;

	for (i = 0; i < t->n; i++)
		free(series_at(t, i)->key);
	for (i = 0; i < SERIES_BLOCKS && t->blk[i]; i++)
		free(t->blk[i]);
	idxtab_free(&t->ix);
	memset(t, 0, sizeof(*t));
}
