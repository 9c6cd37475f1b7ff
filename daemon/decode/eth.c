/* Ethernet II, 802.1Q and QinQ, then dispatch on the ethertype. */
#include <string.h>

#include "decode_int.h"

#define ETH_HLEN 14

_Static_assert(DECODE_ANOMALY_COUNT <= 64, "anomalies must fit a uint64_t");

static int is_vlan_tpid(uint16_t t)
{
	return t == ETHERTYPE_VLAN || t == ETHERTYPE_QINQ ||
	       t == ETHERTYPE_QINQ_OLD;
}

/*
 * Strip up to DECODE_MAX_VLAN tags; *off and d->ethertype advance past
 * each.  A third tag is reported rather than skipped, because a frame that
 * deep is no fieldbus traffic we could trust.
 */
static int strip_vlans(const uint8_t *p, uint32_t len, uint32_t *off,
		       struct decoded *d)
{
	while (is_vlan_tpid(d->ethertype)) {
		uint16_t tci;

		if (d->nvlan >= DECODE_MAX_VLAN)
			return anomaly(d, DECODE_A_VLAN_TOO_MANY);
		if (len - *off < 4)
			return anomaly(d, DECODE_A_VLAN_TRUNCATED);
		tci = rd16be(p + *off);
		if (d->nvlan == 0)
			d->pcp = (uint8_t)(tci >> 13);
		d->vlan[d->nvlan++] = tci & 0x0FFF;
		d->ethertype = rd16be(p + *off + 2);
		*off += 4;
	}
	return 0;
}

int decode_frame(const uint8_t *p, uint32_t len, struct decoded *d)
{
	uint32_t off = ETH_HLEN;

	d->nvlan = 0;
	d->pcp = 0;
	d->proto = DECODE_OTHER;
	d->has_ip = 0;
	d->anomalies = 0;
	d->ethertype = 0;
	d->l3 = NULL;
	d->l3_len = 0;
	d->ecat.ndgram = d->ecat.nmbx = d->ecat.nreg = 0;
	if (len < ETH_HLEN) {
		memset(d->dst, 0, sizeof(d->dst));
		memset(d->src, 0, sizeof(d->src));
		if (len >= 12) {
			memcpy(d->dst, p, 6);
			memcpy(d->src, p + 6, 6);
		}
		return anomaly(d, DECODE_A_ETH_TRUNCATED);
	}
	memcpy(d->dst, p, 6);
	memcpy(d->src, p + 6, 6);
	d->ethertype = rd16be(p + 12);
	if (strip_vlans(p, len, &off, d))
		return -1;
	d->l3 = p + off;
	d->l3_len = len - off;
	switch (d->ethertype) {
	case ETHERTYPE_ECAT:
		d->proto = DECODE_ECAT;
		d->ecat.over_udp = 0;
		return decode_ecat(d->l3, d->l3_len, d);
	case ETHERTYPE_PROFINET:
		return decode_pn(d->l3, d->l3_len, d);
	case ETHERTYPE_IPV4:
		return decode_ipv4(d->l3, d->l3_len, d);
	case ETHERTYPE_LLDP:
		d->proto = DECODE_LLDP;
		return decode_lldp(d->l3, d->l3_len, d);
	default:
		return 0;
	}
}

const char *decode_proto_name(unsigned int proto)
{
	static const char *const names[DECODE_PROTO_COUNT] = {
		[DECODE_OTHER] = "other",	[DECODE_ECAT] = "ecat",
		[DECODE_PN_RT] = "pn_rt",	[DECODE_PN_DCP] = "pn_dcp",
		[DECODE_PN_ALARM] = "pn_alarm",	[DECODE_PN_PTCP] = "pn_ptcp",
		[DECODE_PNIO_CM] = "pnio_cm",	[DECODE_LLDP] = "lldp",
	};

	return proto < DECODE_PROTO_COUNT ? names[proto] : "other";
}

const char *decode_anomaly_name(unsigned int i)
{
	static const char *const names[] = {
#define DECODE_X_NAME(e, s) s,
		DECODE_ANOMALIES(DECODE_X_NAME)
#undef DECODE_X_NAME
	};

	return i < DECODE_ANOMALY_COUNT ? names[i] : NULL;
}

void decode_stats_add(struct decode_stats *s, const struct decoded *d,
		      uint32_t wire_len)
{
	uint64_t a = d->anomalies;

	s->frames++;
	s->bytes += wire_len;
	if (d->proto < DECODE_PROTO_COUNT)
		s->proto[d->proto]++;
	if (!a)
		return;
	s->anomalous++;
	while (a) {
		unsigned int i = (unsigned int)__builtin_ctzll(a);

		s->anomaly[i]++;
		a &= a - 1;
	}
}
