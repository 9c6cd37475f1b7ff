/*
 * LLDPDUs of the simulated PROFINET stations (IEEE 802.1AB with the
 * PROFINET TLVs of IEC 61158-6-10): chassis id the NameOfStation, port id
 * PROFINET's "port-001.station-name", TTL 20 s, the management address,
 * the PROFINET port status, chassis MAC and alias (the station across the
 * cable, "port-002.io-1"), IEEE 802.3 MAC/PHY status.
 */
#include <stdio.h>
#include <string.h>

#include "frames.h"

#define ETHERTYPE_LLDP	0x88cc

static const uint8_t lldp_mc[6] = { 0x01, 0x80, 0xc2, 0x00, 0x00, 0x0e };

static uint32_t tlv(uint8_t *p, unsigned int type, const void *v,
		    uint32_t len)
{
	put_be16(p, (uint16_t)(type << 9 | len));
	if (len)
		memcpy(p + 2, v, len);
	return 2 + len;
}

/* A text id with its subtype 7 (locally assigned) in front. */
static uint32_t id_tlv(uint8_t *p, unsigned int type, const char *s)
{
	uint8_t v[1 + 255];
	size_t n = strnlen(s, 255);

	v[0] = 7;
	memcpy(v + 1, s, n);
	return tlv(p, type, v, (uint32_t)n + 1);
}

static uint32_t org_tlv(uint8_t *p, uint32_t oui, uint8_t sub,
			const uint8_t *v, uint32_t len)
{
	uint8_t b[4 + 32];	/* our TLVs: at most 32 bytes */

	b[0] = (uint8_t)(oui >> 16);
	b[1] = (uint8_t)(oui >> 8);
	b[2] = (uint8_t)oui;
	b[3] = sub;
	memcpy(b + 4, v, len);
	return tlv(p, 127, b, 4 + len);
}

uint32_t pn_lldp_frame(uint8_t *buf, const struct lldp_port *lp)
{
	char port[SIM_NAME_MAX + 16];
	uint8_t v[32];
	uint32_t n;

	memcpy(buf, lldp_mc, 6);
	memcpy(buf + 6, lp->port_mac, 6);
	put_be16(buf + 12, ETHERTYPE_LLDP);
	n = 14;
	snprintf(port, sizeof(port), "port-%03u.%s", lp->port, lp->station);
	n += id_tlv(buf + n, 1, lp->station);
	n += id_tlv(buf + n, 2, port);
	put_be16(v, 20);
	n += tlv(buf + n, 3, v, 2);
	n += tlv(buf + n, 5, lp->station, (uint32_t)strlen(lp->station));
	put_be16(v, lp->bridge ? 0x0004 : 0x0080);	/* bridge or station */
	put_be16(v + 2, lp->bridge ? 0x0004 : 0x0080);
	n += tlv(buf + n, 7, v, 4);
	/* management address: IPv4, ifIndex = the port, no OID */
	v[0] = 5;
	v[1] = 1;
	memcpy(v + 2, &lp->ip, 4);	/* network byte order already */
	v[6] = 2;
	put_be32(v + 7, lp->port);
	v[11] = 0;
	n += tlv(buf + n, 8, v, 12);
	put_be16(v, 0);		/* RTClass2/3 port status: off */
	put_be16(v + 2, 0);
	n += org_tlv(buf + n, 0x000ecf, 2, v, 4);
	n += org_tlv(buf + n, 0x000ecf, 5, lp->chassis_mac, 6);
	if (lp->peer_station) {
		snprintf(port, sizeof(port), "port-%03u.%s", lp->peer_port,
			 lp->peer_station);
		n += org_tlv(buf + n, 0x000ecf, 3, (const uint8_t *)port,
			     (uint32_t)strnlen(port, 32));
	}
	v[0] = 3;		/* autonegotiation supported, enabled */
	put_be16(v + 1, 0x6c00);	/* 10/100BASE-T(X) half and full */
	put_be16(v + 3, 16);	/* 100BASE-TX full duplex */
	n += org_tlv(buf + n, 0x00120f, 1, v, 5);
	n += tlv(buf + n, 0, NULL, 0);
	if (n < ETH_MIN_LEN) {
		memset(buf + n, 0, ETH_MIN_LEN - n);
		n = ETH_MIN_LEN;
	}
	return n;
}
