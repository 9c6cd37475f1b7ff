/*
 * LLDP (IEEE 802.1AB): the chassis, port and TTL every LLDPDU starts with,
 * the optional basic TLVs, and the organisationally specific ones the
 * topology needs: PROFINET's (IEC 61158-6-10, OUI 00-0E-CF: delays, port
 * status, alias, MRP, chassis MAC) and IEEE 802.3's MAC/PHY status.  Each TLV's
 * length is checked against the frame and against what its type needs
 * before its value is read.
 */
#include <string.h>

#include "decode_int.h"

#define TLV_END		0
#define TLV_CHASSIS	1
#define TLV_PORT	2
#define TLV_TTL		3
#define TLV_PORT_DESC	4
#define TLV_SYS_NAME	5
#define TLV_SYS_DESC	6
#define TLV_CAPS	7
#define TLV_MGMT	8
#define TLV_ORG		127

#define OUI_PROFINET	0x000ECF
#define OUI_IEEE_8023	0x00120F

static int bad_length(struct decoded *d)
{
	return anomaly(d, DECODE_A_LLDP_BAD_LENGTH);
}

/* Chassis and port id: a subtype and 1..255 bytes. */
static int rd_id(struct decoded *d, const uint8_t *v, uint32_t len,
		 uint8_t *subtype, const uint8_t **id, uint16_t *id_len)
{
	if (len < 2 || len > 1 + LLDP_ID_MAX)
		return bad_length(d);
	*subtype = v[0];
	*id = v + 1;
	*id_len = (uint16_t)(len - 1);
	return 0;
}

/*
 * Management address: string length (subtype + address, 2..32), the
 * address, interface numbering subtype and number, then an OID.
 */
static int rd_mgmt(struct decoded *d, const uint8_t *v, uint32_t len)
{
	struct decode_lldp *l = &d->lldp;
	uint32_t alen;

	if (len < 9)
		return bad_length(d);
	alen = v[0];
	if (alen < 2 || alen > 32 || len < 1 + alen + 5 + 1)
		return bad_length(d);
	if (1 + alen + 5 + 1 + v[1 + alen + 5] > len)
		return bad_length(d);
	l->mgmt_subtype = v[1];
	l->mgmt_len = (uint8_t)(alen - 1);
	memcpy(l->mgmt_addr, v + 2, alen - 1);
	l->mgmt_if_subtype = v[1 + alen];
	l->mgmt_if = rd32be(v + 2 + alen);
	l->fields |= LLDP_F_MGMT;
	return 0;
}

static int rd_profinet(struct decoded *d, unsigned int sub, const uint8_t *v,
		       uint32_t len)
{
	struct decode_lldp *l = &d->lldp;

	switch (sub) {
	case 1:	/* LLDP_PNIO_DELAY */
		if (len != 20)
			return bad_length(d);
		l->pn_rx_delay_local = rd32be(v);
		l->pn_rx_delay_remote = rd32be(v + 4);
		l->pn_tx_delay_local = rd32be(v + 8);
		l->pn_tx_delay_remote = rd32be(v + 12);
		l->pn_cable_delay = rd32be(v + 16);
		l->fields |= LLDP_F_PN_DELAY;
		return 0;
	case 2:	/* LLDP_PNIO_PORTSTATUS */
		if (len != 4)
			return bad_length(d);
		l->pn_rtc2_status = rd16be(v);
		l->pn_rtc3_status = rd16be(v + 2);
		l->fields |= LLDP_F_PN_PORT_STATUS;
		return 0;
	case 3:	/* LLDP_PNIO_ALIAS: the neighbour's port.station */
		if (len == 0 || len > 255)
			return bad_length(d);
		l->pn_alias = v;
		l->pn_alias_len = (uint16_t)len;
		l->fields |= LLDP_F_PN_ALIAS;
		return 0;
	case 4:	/* LLDP_PNIO_MRPPORTSTATUS */
		if (len != 18)
			return bad_length(d);
		memcpy(l->pn_mrp_domain, v, 16);
		l->pn_mrrt_status = rd16be(v + 16);
		l->fields |= LLDP_F_PN_MRP;
		return 0;
	case 5:	/* LLDP_PNIO_CHASSIS_MAC */
		if (len != 6)
			return bad_length(d);
		memcpy(l->pn_chassis_mac, v, 6);
		l->fields |= LLDP_F_PN_CHASSIS_MAC;
		return 0;
	default:	/* PTCP status, MAUType extension: not kept */
		return 0;
	}
}

static int rd_org(struct decoded *d, const uint8_t *v, uint32_t len)
{
	struct decode_lldp *l = &d->lldp;
	uint32_t oui;
	unsigned int sub;

	if (len < 4)
		return bad_length(d);
	oui = (uint32_t)v[0] << 16 | (uint32_t)v[1] << 8 | v[2];
	sub = v[3];
	v += 4;
	len -= 4;
	if (oui == OUI_PROFINET)
		return rd_profinet(d, sub, v, len);
	if (oui == OUI_IEEE_8023 && sub == 1) {
		if (len != 5)
			return bad_length(d);
		l->autoneg = v[0];
		l->pmd_caps = rd16be(v + 1);
		l->mau_type = rd16be(v + 3);
		l->fields |= LLDP_F_MAC_PHY;
	}
	return 0;
}

static void rd_text(struct decode_lldp *l, uint32_t flag, const uint8_t *v,
		    uint32_t len, const uint8_t **s, uint16_t *slen)
{
	*s = v;
	*slen = (uint16_t)len;
	l->fields |= flag;
}

/* One optional TLV (type >= 4); the mandatory ones are read in order. */
static int rd_optional(struct decoded *d, unsigned int type,
		       const uint8_t *v, uint32_t len)
{
	struct decode_lldp *l = &d->lldp;

	switch (type) {
	case TLV_PORT_DESC:
		rd_text(l, LLDP_F_PORT_DESC, v, len, &l->port_desc,
			&l->port_desc_len);
		return 0;
	case TLV_SYS_NAME:
		rd_text(l, LLDP_F_SYS_NAME, v, len, &l->sys_name,
			&l->sys_name_len);
		return 0;
	case TLV_SYS_DESC:
		rd_text(l, LLDP_F_SYS_DESC, v, len, &l->sys_desc,
			&l->sys_desc_len);
		return 0;
	case TLV_CAPS:
		if (len != 4)
			return bad_length(d);
		l->caps = rd16be(v);
		l->caps_enabled = rd16be(v + 2);
		l->fields |= LLDP_F_CAPS;
		return 0;
	case TLV_MGMT:
		return rd_mgmt(d, v, len);
	case TLV_ORG:
		return rd_org(d, v, len);
	default:	/* reserved types 9..126: skipped, as the standard asks */
		return 0;
	}
}

/* TLVs that may appear once: a second one is counted, the first kept. */
static int once(struct decoded *d, unsigned int type, uint32_t *seen)
{
	if (type >= TLV_MGMT)
		return 0;
	if (*seen & (1u << type))
		return anomaly(d, DECODE_A_LLDP_DUPLICATE_TLV);
	*seen |= 1u << type;
	return 0;
}

static int rd_tlv(struct decoded *d, unsigned int idx, unsigned int type,
		  const uint8_t *v, uint32_t len)
{
	struct decode_lldp *l = &d->lldp;

	/* chassis id, port id and TTL come first, in that order */
	if (idx < 3 && type != idx + 1)
		return anomaly(d, DECODE_A_LLDP_MISSING_TLV);
	switch (type) {
	case TLV_CHASSIS:
		return rd_id(d, v, len, &l->chassis_subtype, &l->chassis_id,
			     &l->chassis_len);
	case TLV_PORT:
		return rd_id(d, v, len, &l->port_subtype, &l->port_id,
			     &l->port_len);
	case TLV_TTL:
		if (len != 2)
			return bad_length(d);
		l->ttl = rd16be(v);
		return 0;
	default:
		return rd_optional(d, type, v, len);
	}
}

int decode_lldp(const uint8_t *p, uint32_t len, struct decoded *d)
{
	struct decode_lldp *l = &d->lldp;
	uint32_t off = 0, seen = 0;
	unsigned int idx;

	memset(l, 0, sizeof(*l));
	for (idx = 0; off < len; idx++) {
		unsigned int type;
		uint32_t tlen;

		if (len - off < 2)
			return anomaly(d, DECODE_A_LLDP_TRUNCATED);
		type = p[off] >> 1;
		tlen = (uint32_t)(p[off] & 1) << 8 | p[off + 1];
		off += 2;
		if (type == TLV_END) {
			l->fields |= LLDP_F_END;
			break;	/* the rest is Ethernet padding */
		}
		if (tlen > len - off)
			return anomaly(d, DECODE_A_LLDP_TRUNCATED);
		if (once(d, type, &seen) == 0 &&
		    rd_tlv(d, idx, type, p + off, tlen))
			return -1;
		off += tlen;
	}
	if ((seen & 0xE) != 0xE)	/* chassis, port, TTL */
		return anomaly(d, DECODE_A_LLDP_MISSING_TLV);
	return d->anomalies ? -1 : 0;
}

int lldp_pn_port(const uint8_t *id, uint16_t len, uint16_t *port_len,
		 const uint8_t **station, uint16_t *station_len)
{
	static const char pfx[] = "port-";
	uint16_t i, n;

	if (len < sizeof(pfx) - 1 + 3 || memcmp(id, pfx, sizeof(pfx) - 1))
		return 0;
	/* port-xyz or port-xyz-rstuv: digits and dashes up to a dot */
	for (i = sizeof(pfx) - 1, n = 0; i < len && id[i] != '.'; i++, n++)
		if (!((id[i] >= '0' && id[i] <= '9') || id[i] == '-'))
			return 0;
	if (n < 3)
		return 0;
	*port_len = i;
	*station = i < len ? id + i + 1 : NULL;
	*station_len = i < len ? (uint16_t)(len - i - 1) : 0;
	return 1;
}
