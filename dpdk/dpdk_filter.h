/*
 * The ethertype filter of the burst loop: a bitmap over all 65,536
 * ethertypes, so an untagged frame costs one load and one test whatever
 * the list holds; VLAN-tagged frames take the out-of-line path.
 */
#ifndef DPDK_FILTER_H
#define DPDK_FILTER_H

#include <stdbool.h>
#include <stdint.h>

#include "iiot/capture_filter.h"

struct etype_filter {
	bool all;			/* keep every frame */
	bool pnio_cm;			/* and IPv4 UDP port 34964 */
	uint64_t keep[65536 / 64];	/* ethertypes to keep */
};

struct options;

void filter_build(struct etype_filter *f, const struct options *o);
bool filter_keep_tagged(const struct etype_filter *f, const uint8_t *frame,
			uint32_t len);

/* An IPv4 packet at frame + off: PNIO-CM, when asked for. */
static inline bool filter_keep_ip(const struct etype_filter *f,
				  const uint8_t *frame, uint32_t len,
				  uint32_t off)
{
	return f->pnio_cm && len > off &&
	       iiot_ipv4_is_pnio_cm(frame + off, len - off);
}

static inline bool filter_has(const struct etype_filter *f, uint16_t t)
{
	return f->keep[t >> 6] >> (t & 63) & 1;
}

static inline bool is_vlan_etype(uint16_t t)
{
	return t == 0x8100 || t == 0x88a8 || t == 0x9100;
}

/*
 * Keep a frame when its ethertype, or the one inside up to two VLAN tags,
 * is wanted: a fieldbus port often carries PROFINET with 802.1Q priority
 * tags.  IPv4 is looked into only for PNIO-CM; fieldbus frames pay one
 * bitmap test.
 */
static inline bool filter_keep(const struct etype_filter *f,
			       const uint8_t *frame, uint32_t len)
{
	uint16_t t;

	if (f->all)
		return true;
	if (len < 14)
		return false;
	t = (uint16_t)(frame[12] << 8 | frame[13]);
	if (filter_has(f, t))
		return true;
	if (t == IIOT_ETYPE_IPV4)
		return filter_keep_ip(f, frame, len, 14);
	return is_vlan_etype(t) && filter_keep_tagged(f, frame, len);
}

#endif
