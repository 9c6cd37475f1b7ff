/*
 * EtherCAT mailbox (ETG.1000.4 §5.6) and the protocols it carries that the
 * model uses: CoE (SDO, emergency, SDO information), EoE and FoE headers.
 */
#include "decode_int.h"

#define MBX_HLEN	6
#define COE_HLEN	2
#define SDO_HLEN	8	/* command, index, subindex, 4 data bytes */
#define EOE_HLEN	4
#define FOE_HLEN	6

/* SDO command specifiers (bits 5-7 of the first SDO byte) */
#define CCS_DOWNLOAD_SEG	0
#define CCS_DOWNLOAD_INIT	1
#define CCS_UPLOAD_INIT		2
#define CCS_UPLOAD_SEG		3
#define CS_ABORT		4
#define SCS_UPLOAD_SEG		0
#define SCS_DOWNLOAD_SEG	1
#define SCS_UPLOAD_INIT		2
#define SCS_DOWNLOAD_INIT	3

/*
 * An abort travels as an SDO request in both directions (ETG.1000.6); a
 * response carrying the abort specifier is no abort.
 */
static uint8_t sdo_op(unsigned int service, unsigned int cs)
{
	if (service == COE_SDO_REQ) {
		switch (cs) {
		case CS_ABORT: return SDO_OP_ABORT;
		case CCS_DOWNLOAD_INIT: return SDO_OP_DOWNLOAD_INIT;
		case CCS_DOWNLOAD_SEG: return SDO_OP_DOWNLOAD_SEG;
		case CCS_UPLOAD_INIT: return SDO_OP_UPLOAD_INIT;
		case CCS_UPLOAD_SEG: return SDO_OP_UPLOAD_SEG;
		}
	} else {
		switch (cs) {
		case SCS_DOWNLOAD_INIT: return SDO_OP_DOWNLOAD_INIT;
		case SCS_DOWNLOAD_SEG: return SDO_OP_DOWNLOAD_SEG;
		case SCS_UPLOAD_INIT: return SDO_OP_UPLOAD_INIT;
		case SCS_UPLOAD_SEG: return SDO_OP_UPLOAD_SEG;
		}
	}
	return SDO_OP_NONE;
}

static int decode_sdo(const uint8_t *p, uint32_t len, struct decoded *d,
		      struct decode_ecat_mbx *m)
{
	uint8_t c;

	if (len < 1)
		return anomaly(d, DECODE_A_ECAT_COE_TRUNCATED);
	c = p[0];
	m->sdo_op = sdo_op(m->coe_service, c >> 5);
	/* segments carry data right after the command byte: no index */
	if (m->sdo_op == SDO_OP_DOWNLOAD_SEG || m->sdo_op == SDO_OP_UPLOAD_SEG)
		return 0;
	if (len < SDO_HLEN)
		return anomaly(d, DECODE_A_ECAT_COE_TRUNCATED);
	m->sdo_index = rd16le(p + 1);
	m->sdo_subindex = p[3];
	m->sdo_complete = (c >> 4) & 1;
	if (m->sdo_op == SDO_OP_ABORT) {
		m->sdo_abort = rd32le(p + 4);
		return 0;
	}
	m->sdo_expedited = (c >> 1) & 1;
	if (m->sdo_expedited) {
		/* size indicator set: 4 - n bytes are valid */
		m->sdo_size = (c & 1) ? 4u - ((c >> 2) & 3u) : 4u;
		m->sdo_value = rd32le(p + 4);
	} else {
		m->sdo_size = rd32le(p + 4);
	}
	return 0;
}

static int decode_coe(const uint8_t *p, uint32_t len, struct decoded *d,
		      struct decode_ecat_mbx *m)
{
	uint16_t h;

	if (len < COE_HLEN)
		return anomaly(d, DECODE_A_ECAT_COE_TRUNCATED);
	h = rd16le(p);
	m->coe_number = h & 0x01FF;
	m->coe_service = (uint8_t)(h >> 12);
	p += COE_HLEN;
	len -= COE_HLEN;
	switch (m->coe_service) {
	case COE_SDO_REQ:
	case COE_SDO_RES:
		return decode_sdo(p, len, d, m);
	case COE_EMERGENCY:
		if (len < 3)
			return anomaly(d, DECODE_A_ECAT_COE_TRUNCATED);
		m->emcy_code = rd16le(p);
		m->emcy_reg = p[2];
		return 0;
	case COE_SDO_INFO:
		if (len < 1)
			return anomaly(d, DECODE_A_ECAT_COE_TRUNCATED);
		m->sdo_info_op = p[0] & 0x7F;
		return 0;
	default:
		return 0;
	}
}

static int decode_eoe(const uint8_t *p, uint32_t len, struct decoded *d,
		      struct decode_ecat_mbx *m)
{
	if (len < EOE_HLEN)
		return anomaly(d, DECODE_A_ECAT_EOE_TRUNCATED);
	m->eoe_type = p[0] & 0x0F;
	m->eoe_port = p[0] >> 4;
	m->eoe_last = p[1] & 1;
	m->eoe_fragment = p[2] & 0x3F;
	return 0;
}

static int decode_foe(const uint8_t *p, uint32_t len, struct decoded *d,
		      struct decode_ecat_mbx *m)
{
	if (len < FOE_HLEN)
		return anomaly(d, DECODE_A_ECAT_FOE_TRUNCATED);
	m->foe_op = p[0];
	m->foe_arg = rd32le(p + 2);
	if (m->foe_op == 1 || m->foe_op == 2) {	/* RRQ, WRQ */
		m->foe_name = p + FOE_HLEN;
		m->foe_name_len = (uint16_t)(len - FOE_HLEN);
	}
	return 0;
}

static void mbx_clear(struct decode_ecat_mbx *m)
{
	*m = (struct decode_ecat_mbx){ 0 };
}

int decode_ecat_mbx(const uint8_t *p, uint32_t len, struct decoded *d,
		    unsigned int dgram)
{
	struct decode_ecat_mbx *m;

	if (d->ecat.nmbx >= DECODE_MAX_MBX)
		return 0;	/* cannot happen: one mailbox per datagram */
	if (len < MBX_HLEN)
		return anomaly(d, DECODE_A_ECAT_MBX_TRUNCATED);
	m = &d->ecat.mbx[d->ecat.nmbx++];
	mbx_clear(m);
	m->dgram = (uint8_t)dgram;
	m->length = rd16le(p);
	m->address = rd16le(p + 2);
	m->priority = p[4] >> 6;
	m->type = p[5] & 0x0F;
	m->counter = (p[5] >> 4) & 0x07;
	p += MBX_HLEN;
	len -= MBX_HLEN;
	if (m->length > len)
		return anomaly(d, DECODE_A_ECAT_MBX_BAD_LENGTH);
	len = m->length;
	switch (m->type) {
	case ECAT_MBX_COE:
		return decode_coe(p, len, d, m);
	case ECAT_MBX_EOE:
		return decode_eoe(p, len, d, m);
	case ECAT_MBX_FOE:
		return decode_foe(p, len, d, m);
	case ECAT_MBX_AOE:
	case ECAT_MBX_SOE:
	case ECAT_MBX_ERR:
	case ECAT_MBX_VOE:
		return 0;
	default:
		return anomaly(d, DECODE_A_ECAT_MBX_BAD_TYPE);
	}
}
