/*
 * Just enough IPv4 and UDP to find EtherCAT over UDP (34980) and PNIO-CM
 * (34964).  Other IP traffic stays proto "other" without anomalies: it is
 * not ours to judge.
 */
#include "decode_int.h"

#define IP_PROTO_UDP	17
#define UDP_HLEN	8

static int decode_udp(const uint8_t *p, uint32_t len, struct decoded *d)
{
	uint16_t ulen;

	if (len < UDP_HLEN)
		return anomaly(d, DECODE_A_UDP_TRUNCATED);
	d->ip.sport = rd16be(p);
	d->ip.dport = rd16be(p + 2);
	ulen = rd16be(p + 4);
	if (ulen < UDP_HLEN)
		return anomaly(d, DECODE_A_UDP_BAD_LENGTH);
	/* A capture may cut the datagram short: decode what is there. */
	if (ulen < len)
		len = ulen;
	p += UDP_HLEN;
	len -= UDP_HLEN;
	if (d->ip.dport == UDP_PORT_ECAT || d->ip.sport == UDP_PORT_ECAT) {
		d->proto = DECODE_ECAT;
		d->ecat.over_udp = 1;
		return decode_ecat(p, len, d);
	}
	if (d->ip.dport == UDP_PORT_PNIO_CM || d->ip.sport == UDP_PORT_PNIO_CM ||
	    decode_pnio_cm_probe(p, len)) {
		d->proto = DECODE_PNIO_CM;
		return decode_pnio_cm(p, len, d);
	}
	return 0;
}

int decode_ipv4(const uint8_t *p, uint32_t len, struct decoded *d)
{
	uint32_t ihl, tot;
	uint16_t frag;

	if (len < 20)
		return anomaly(d, DECODE_A_IP_TRUNCATED);
	ihl = (uint32_t)(p[0] & 0x0F) * 4;
	tot = rd16be(p + 2);
	if ((p[0] >> 4) != 4 || ihl < 20 || tot < ihl)
		return anomaly(d, DECODE_A_IP_BAD_HEADER);
	if (len < ihl)
		return anomaly(d, DECODE_A_IP_TRUNCATED);
	/* Ethernet padding follows short packets: trust the IP length. */
	if (tot < len)
		len = tot;
	d->has_ip = 1;
	d->ip.ttl = p[8];
	d->ip.src = rd32be(p + 12);
	d->ip.dst = rd32be(p + 16);
	d->ip.sport = d->ip.dport = 0;
	if (p[9] != IP_PROTO_UDP)
		return 0;
	frag = rd16be(p + 6);
	if (frag & 0x1FFF)
		return 0;	/* a later fragment: no UDP header here */
	if (frag & 0x2000) {
		/* first fragment: ports are readable, payload is not whole */
		if (len - ihl >= 4) {
			d->ip.sport = rd16be(p + ihl);
			d->ip.dport = rd16be(p + ihl + 2);
		}
		return 0;
	}
	return decode_udp(p + ihl, len - ihl, d);
}
