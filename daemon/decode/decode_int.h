/*
 * Internal helpers of the decoders.  Every multi-byte read goes through
 * these after the caller has checked the length, so a read past the end is
 * a bug in one visible check, not in a pointer expression.
 */
#ifndef IIOT_DECODE_INT_H
#define IIOT_DECODE_INT_H

#include <stdint.h>

#include "decode.h"

static inline uint16_t rd16be(const uint8_t *p)
{
	return (uint16_t)((uint16_t)p[0] << 8 | p[1]);
}

static inline uint16_t rd16le(const uint8_t *p)
{
	return (uint16_t)((uint16_t)p[1] << 8 | p[0]);
}

static inline uint32_t rd32be(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static inline uint32_t rd32le(const uint8_t *p)
{
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[1] << 8 | p[0];
}

/* Record an anomaly and return -1, so decoders can "return anomaly(...)". */
static inline int anomaly(struct decoded *d, enum decode_anomaly a)
{
	d->anomalies |= 1ULL << a;
	return -1;
}

int decode_ipv4(const uint8_t *p, uint32_t len, struct decoded *d);
int decode_pn_ptcp(const uint8_t *p, uint32_t len, struct decoded *d);
int decode_pnio_cm_probe(const uint8_t *p, uint32_t len);
void decode_ecat_esc(struct decoded *d, unsigned int dgram);

#endif
