/*
 * ARP over Ethernet/IPv4 (RFC 826): the IDS's view of who claims which
 * address.  Only hardware type 1, protocol 0x0800, lengths 6 and 4 are
 * decoded; anything else is refused, not guessed.
 */
#include <string.h>

#include "decode/decode.h"

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

int decode_arp(const uint8_t *p, uint32_t len, struct decode_arp *out)
{
	memset(out, 0, sizeof(*out));
	if (!p || len < 28)
		return -1;
	if (p[0] != 0 || p[1] != 1 || p[2] != 0x08 || p[3] != 0x00 ||
	    p[4] != 6 || p[5] != 4)
		return -1;
	out->op = (uint16_t)(p[6] << 8 | p[7]);
	if (out->op != ARP_REQUEST && out->op != ARP_REPLY)
		return -1;
	memcpy(out->sha, p + 8, 6);
	out->spa = be32(p + 14);
	memcpy(out->tha, p + 18, 6);
	out->tpa = be32(p + 24);
	return 0;
}
