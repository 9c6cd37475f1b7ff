/* Building the ethertype filter, and its path for VLAN-tagged frames. */
#include <string.h>

#include "iiot_dpdk.h"

void filter_build(struct etype_filter *f, const struct options *o)
{
	unsigned int i;

	memset(f, 0, sizeof(*f));
	f->all = o->all;
	f->pnio_cm = o->pnio_cm;
	for (i = 0; i < o->nb_etypes; i++)
		f->keep[o->etypes[i] >> 6] |= 1ULL << (o->etypes[i] & 63);
}

/* The outer ethertype was a VLAN tag and not itself wanted. */
bool filter_keep_tagged(const struct etype_filter *f, const uint8_t *frame,
			uint32_t len)
{
	uint32_t off, tags;
	uint16_t t;

	for (off = 16, tags = 1; len >= off + 2; off += 4, tags++) {
		t = (uint16_t)(frame[off] << 8 | frame[off + 1]);
		if (filter_has(f, t))
			return true;
		if (t == IIOT_ETYPE_IPV4)
			return filter_keep_ip(f, frame, len, off + 2);
		if (!is_vlan_etype(t) || tags == 2)
			return false;
	}
	return false;
}
