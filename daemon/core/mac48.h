/* A MAC as a 48-bit integer key: one compare and one hash, not six bytes. */
#ifndef IIOTD_CORE_MAC48_H
#define IIOTD_CORE_MAC48_H

#include <stdint.h>
#include <string.h>

/* The 48 bits of a MAC, first byte highest: two loads instead of six. */
static inline uint64_t mac48(const uint8_t mac[6])
{
	uint32_t hi;
	uint16_t lo;

	memcpy(&hi, mac, 4);
	memcpy(&lo, mac + 4, 2);
	return (uint64_t)__builtin_bswap32(hi) << 16 | __builtin_bswap16(lo);
}

#endif
