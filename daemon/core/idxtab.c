/*
 * The open-addressing index (idxtab.h): its rebuild.
 */
#include <stdlib.h>

#include "core/idxtab.h"

int idxtab_reserve(struct idxtab *t, size_t need, size_t min, uint32_t have,
		   idxtab_hash_fn *hash, void *ctx)
{
	struct idxtab n;
	uint32_t i;

	/* at most half full: short probes */
	if (need <= t->cap / 2)
		return 0;
	n.cap = t->cap ? t->cap * 2 : min;
	while (n.cap / 2 < need)
		n.cap *= 2;
	if (!(n.slot = calloc(n.cap, sizeof(*n.slot))))
		return -1;
	for (i = 0; i < have; i++)
		idxtab_add(&n, hash(ctx, i), i);
	free(t->slot);
	*t = n;
	return 0;
}

void idxtab_free(struct idxtab *t)
{
	free(t->slot);
	t->slot = NULL;
	t->cap = 0;
}
