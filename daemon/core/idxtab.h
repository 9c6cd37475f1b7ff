/*
 * An open-addressing index over entries the caller keeps in an array:
 * each slot holds an entry's index + 1 (0: empty), the slots are a power
 * of two, at most half full, probed linearly.  The table holds no keys:
 * a lookup compares the caller's entries through eq, inlined with the
 * caller's own comparison; a rebuild asks the hash of each entry.
 * Entries are never removed.
 */
#ifndef IIOTD_IDXTAB_H
#define IIOTD_IDXTAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct idxtab {
	uint32_t *slot;
	size_t cap;			/* 0 before the first idxtab_reserve */
};

typedef uint64_t idxtab_hash_fn(void *ctx, uint32_t idx);
typedef bool idxtab_eq_fn(const void *ctx, uint32_t idx, const void *key);

/* Room for need entries: when they would fill more than half, the slots
 * are rebuilt twice as many (min, a power of two, the first time) from
 * entries 0..have-1.  -1 when out of memory (the table stays as it was). */
int idxtab_reserve(struct idxtab *t, size_t need, size_t min, uint32_t have,
		   idxtab_hash_fn *hash, void *ctx);
void idxtab_free(struct idxtab *t);

/* The slot of key: its entry's, or the empty one where it would go.
 * The table has slots (idxtab_reserve). */
static inline size_t idxtab_slot(const struct idxtab *t, uint64_t hash,
				 idxtab_eq_fn *eq, const void *ctx,
				 const void *key)
{
	size_t mask = t->cap - 1, i;

	for (i = hash & mask; t->slot[i]; i = (i + 1) & mask)
		if (eq(ctx, t->slot[i] - 1, key))
			break;
	return i;
}

/* the entry in a slot, -1 when it is empty */
static inline int64_t idxtab_entry(const struct idxtab *t, size_t slot)
{
	return (int64_t)t->slot[slot] - 1;
}

/* key's entry, -1 when none */
static inline int64_t idxtab_find(const struct idxtab *t, uint64_t hash,
				  idxtab_eq_fn *eq, const void *ctx,
				  const void *key)
{
	if (!t->cap)
		return -1;
	return idxtab_entry(t, idxtab_slot(t, hash, eq, ctx, key));
}

/* entry idx in the empty slot found by idxtab_slot */
static inline void idxtab_set(struct idxtab *t, size_t slot, uint32_t idx)
{
	t->slot[slot] = idx + 1;
}

/* a new entry (no other with its key) in its hash's first empty slot */
static inline void idxtab_add(struct idxtab *t, uint64_t hash, uint32_t idx)
{
	size_t mask = t->cap - 1, i;

	for (i = hash & mask; t->slot[i]; i = (i + 1) & mask)
		;
	t->slot[i] = idx + 1;
}

#endif
