/*
 * The ethertype filter of the burst loop: a bitmap over all 65,536
 * ethertypes, so an untagged frame costs one load and one test whatever
 * the list holds; VLAN-tagged frames take the out-of-line path.
 */
#ifndef DPDK_FILTER_H
#define DPDK_FILTER_H

#include <stdbool.h>
#include <stdint.h>

struct etype_filter {
	bool all;			/* keep every frame */
	uint64_t keep[65536 / 64];	/* ethertypes to keep */
};

struct options;

void filter_build(struct etype_filter *f, const struct options *o);
bool filter_keep_tagged(const struct etype_filter *f, const uint8_t *frame,
			uint32_t len);

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
 * tags.
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
	return is_vlan_etype(t) && filter_keep_tagged(f, frame, len);
}

#endif
