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

static int rehash(struct series_tab *t, size_t cap)
{
	uint32_t *h = calloc(cap, sizeof(*h)), i;
	size_t j;

	if (!h)
		return -1;
	for (i = 0; i < t->n; i++) {
		for (j = series_at(t, i)->hash & (cap - 1); h[j];
		     j = (j + 1) & (cap - 1))
			;
		h[j] = i + 1;
	}
	free(t->h);
	t->h = h;
	t->hcap = cap;
	return 0;
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
	t->h[slot] = ++t->n;
	return t->n - 1;
}

int64_t series_intern(struct series_tab *t, const char *key, size_t klen)
{
	uint64_t hash = fnv1a64(key, klen);
	size_t i, mask;

	/* at most half full: short probes */
	if ((t->n + 1) * 2 > t->hcap &&
	    rehash(t, t->hcap ? t->hcap * 2 : 1024))
		return -1;
	mask = t->hcap - 1;
	for (i = hash & mask; t->h[i]; i = (i + 1) & mask) {
		const struct series *s = series_at(t, t->h[i] - 1);

		if (s->hash == hash && s->klen == klen &&
		    !memcmp(s->key, key, klen))
			return t->h[i] - 1;
	}
	return add(t, i, key, klen, hash);
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
	free(t->h);
	memset(t, 0, sizeof(*t));
}
