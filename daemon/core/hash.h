/*
 * FNV-1a, the one hash of names and keys: short inputs, one pass over
 * their bytes, no table.  The 64-bit form takes a running value so a
 * checksum can go on over several pieces.
 */
#ifndef IIOTD_HASH_H
#define IIOTD_HASH_H

#include <stddef.h>
#include <stdint.h>

#define FNV1A32_BASIS	2166136261u
#define FNV1A32_PRIME	16777619u
#define FNV1A64_BASIS	0xcbf29ce484222325ULL
#define FNV1A64_PRIME	0x100000001b3ULL

static inline uint32_t fnv1a32_str(const char *s)
{
	uint32_t h = FNV1A32_BASIS;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * FNV1A32_PRIME;
	return h;
}

/* h on over n more bytes: FNV1A64_BASIS to begin */
static inline uint64_t fnv1a64_on(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;

	while (n--)
		h = (h ^ *b++) * FNV1A64_PRIME;
	return h;
}

static inline uint64_t fnv1a64(const void *p, size_t n)
{
	return fnv1a64_on(FNV1A64_BASIS, p, n);
}

static inline uint64_t fnv1a64_str(const char *s)
{
	uint64_t h = FNV1A64_BASIS;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * FNV1A64_PRIME;
	return h;
}

#endif
