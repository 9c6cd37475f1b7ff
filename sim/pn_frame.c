/* PROFINET frames (IEC 61158-6-10): RT cyclic, RTA alarms, DCP. */
#include <string.h>

#include "frames.h"

const uint8_t pn_mc_identify[6] = { 0x01, 0x0e, 0xcf, 0x00, 0x00, 0x00 };
const uint8_t pn_mc_hello[6] = { 0x01, 0x0e, 0xcf, 0x00, 0x00, 0x01 };

static uint32_t eth_hdr(uint8_t *buf, const uint8_t dst[6],
			const uint8_t src[6], uint16_t frame_id)
{
	memcpy(buf, dst, 6);
	memcpy(buf + 6, src, 6);
	put_be16(buf + 12, ETHERTYPE_PN);
	put_be16(buf + 14, frame_id);
	return 16;
}

static uint32_t pad_min(uint8_t *buf, uint32_t len)
{
	if (len < ETH_MIN_LEN) {
		memset(buf + len, 0, ETH_MIN_LEN - len);
		len = ETH_MIN_LEN;
	}
	return len;
}

uint32_t pn_rt_frame(uint8_t *buf, const uint8_t dst[6],
		     const uint8_t src[6], uint16_t frame_id,
		     const uint8_t *data, uint16_t len, uint16_t cycle,
		     uint8_t data_status)
{
	uint32_t n = eth_hdr(buf, dst, src, frame_id);

	memcpy(buf + n, data, len);
	n += len;
	put_be16(buf + n, cycle);
	buf[n + 2] = data_status;
	buf[n + 3] = 0;		/* transfer status: no error */
	return pad_min(buf, n + 4);
}

/* RTA-PDU header: endpoints, PDU type, flags, sequence numbers */
static uint32_t rta_hdr(uint8_t *p, uint8_t type, uint8_t flags,
			uint16_t send_seq, uint16_t ack_seq, uint16_t var_len)
{
	put_be16(p, 0x0001);		/* AlarmDstEndpoint */
	put_be16(p + 2, 0x0001);	/* AlarmSrcEndpoint */
	p[4] = (uint8_t)(0x10 | type);	/* version 1 */
	p[5] = flags;
	put_be16(p + 6, send_seq);
	put_be16(p + 8, ack_seq);
	put_be16(p + 10, var_len);
	return 12;
}

uint32_t pn_alarm_frame(uint8_t *buf, const struct sim_device *d,
			const uint8_t ctrl_mac[6], uint16_t frame_id,
			uint16_t seq, uint16_t alarm_seq)
{
	uint32_t n = eth_hdr(buf, ctrl_mac, d->mac, frame_id);
	uint8_t *p;

	/* DATA-RTA-PDU, window 1, TACK: the controller must acknowledge */
	n += rta_hdr(buf + n, 1, 0x11, seq, 0xfffe, 32);
	p = buf + n;
	put_be16(p, frame_id == PN_FRAME_ALARM_HIGH ? 0x0001 : 0x0002);
	put_be16(p + 2, 28);		/* block length after this field */
	p[4] = 1;			/* block version 1.0 */
	p[5] = 0;
	put_be16(p + 6, 0x0002);	/* AlarmType: process */
	put_be32(p + 8, 0);		/* API */
	put_be16(p + 12, 1);		/* slot */
	put_be16(p + 14, 1);		/* subslot */
	put_be32(p + 16, 0x00000030);	/* ModuleIdentNumber */
	put_be32(p + 20, 0x00000001);	/* SubmoduleIdentNumber */
	put_be16(p + 24, alarm_seq & 0x7ff);	/* AlarmSpecifier */
	put_be16(p + 26, 0x0001);	/* manufacturer UserStructureIdentifier */
	put_be32(p + 28, seq);		/* its data */
	return pad_min(buf, n + 32);
}

uint32_t pn_alarm_ack_frame(uint8_t *buf, const struct sim_device *d,
			    const uint8_t ctrl_mac[6], uint16_t frame_id,
			    uint16_t seq, uint16_t ack_of)
{
	uint32_t n = eth_hdr(buf, d->mac, ctrl_mac, frame_id);

	n += rta_hdr(buf + n, 3, 0x01, seq, ack_of, 0);	/* ACK-RTA-PDU */
	return pad_min(buf, n);
}

/* DCP header; the caller fills blocks and then dcp_finish(). */
static uint32_t dcp_hdr(uint8_t *buf, const uint8_t dst[6],
			const uint8_t src[6], uint16_t frame_id,
			uint8_t service, uint8_t type, uint32_t xid,
			uint16_t delay)
{
	uint32_t n = eth_hdr(buf, dst, src, frame_id);

	buf[n] = service;
	buf[n + 1] = type;
	put_be32(buf + n + 2, xid);
	put_be16(buf + n + 6, delay);
	put_be16(buf + n + 8, 0);	/* DCPDataLength, set at the end */
	return n + 10;
}

static uint32_t dcp_finish(uint8_t *buf, uint32_t len)
{
	put_be16(buf + 24, (uint16_t)(len - 26));
	return pad_min(buf, len);
}

/* One block: option, suboption, length, body; padded to even length. */
static uint32_t dcp_block(uint8_t *p, uint8_t opt, uint8_t sub,
			  const void *body, uint16_t len)
{
	p[0] = opt;
	p[1] = sub;
	put_be16(p + 2, len);
	memcpy(p + 4, body, len);
	if (len & 1)
		p[4 + len++] = 0;
	return 4U + len;
}

/* A block of a response or Hello: BlockInfo 0 precedes the body. */
static uint32_t dcp_info_block(uint8_t *p, uint8_t opt, uint8_t sub,
			       uint16_t info, const void *body, uint16_t len)
{
	uint8_t tmp[2 + SIM_NAME_MAX + SIM_TYPE_MAX];

	put_be16(tmp, info);
	memcpy(tmp + 2, body, len);
	return dcp_block(p, opt, sub, tmp, (uint16_t)(len + 2));
}

/* The identity blocks a device reports; which = option<<8 | suboption */
static uint32_t dcp_identity_block(uint8_t *p, const struct sim_device *d,
				   uint16_t which)
{
	uint8_t b[12];

	switch (which) {
	case 0x0201:
		return dcp_info_block(p, 2, 1, 0, d->type,
				      (uint16_t)strlen(d->type));
	case 0x0202:
		return dcp_info_block(p, 2, 2, 0, d->name,
				      (uint16_t)strlen(d->name));
	case 0x0203:
		put_be16(b, d->vendor_id);
		put_be16(b + 2, d->device_id);
		return dcp_info_block(p, 2, 3, 0, b, 4);
	case 0x0204:
		b[0] = 0x01;	/* IO device */
		b[1] = 0;
		return dcp_info_block(p, 2, 4, 0, b, 2);
	case 0x0102:
		memcpy(b, &d->ip, 4);
		memcpy(b + 4, &d->mask, 4);
		memcpy(b + 8, &d->gateway, 4);
		return dcp_info_block(p, 1, 2, d->ip ? 1 : 0, b, 12);
	case 0x0101:
		return dcp_info_block(p, 1, 1, 0, d->mac, 6);
	case 0x0601:
		put_be16(b, 1);	/* issues Hello */
		return dcp_info_block(p, 6, 1, 0, b, 2);
	default:
		return 0;
	}
}

static const uint16_t identity_blocks[] = {
	0x0201, 0x0202, 0x0203, 0x0204, 0x0102,
};

uint32_t pn_dcp_identity(uint8_t *buf, const struct sim_device *d,
			 const uint8_t dst[6], uint32_t xid, int service)
{
	bool hello = service == DCP_HELLO;
	uint32_t n, i;

	n = dcp_hdr(buf, hello ? pn_mc_hello : dst, d->mac,
		    hello ? PN_FRAME_DCP_HELLO : PN_FRAME_DCP_IDENT_RSP,
		    (uint8_t)service, hello ? DCP_REQUEST : DCP_RESPONSE_OK,
		    xid, 0);
	for (i = 0; i < sizeof(identity_blocks) / sizeof(identity_blocks[0]);
	     i++)
		n += dcp_identity_block(buf + n, d, identity_blocks[i]);
	if (hello)
		n += dcp_identity_block(buf + n, d, 0x0601);
	return dcp_finish(buf, n);
}

uint32_t pn_dcp_identify_req(uint8_t *buf, const uint8_t src[6],
			     uint32_t xid, const char *name)
{
	uint32_t n = dcp_hdr(buf, pn_mc_identify, src,
			     PN_FRAME_DCP_IDENT_REQ, DCP_IDENTIFY,
			     DCP_REQUEST, xid, 1);

	if (name)
		n += dcp_block(buf + n, 2, 2, name, (uint16_t)strlen(name));
	else
		n += dcp_block(buf + n, 0xff, 0xff, "", 0);
	return dcp_finish(buf, n);
}

uint32_t pn_dcp_set_req(uint8_t *buf, const uint8_t src[6],
			const uint8_t dst[6], uint32_t xid,
			const struct dcp_set *set)
{
	uint8_t body[2 + SIM_NAME_MAX];
	uint32_t n = dcp_hdr(buf, dst, src, PN_FRAME_DCP_GETSET, DCP_SET,
			     DCP_REQUEST, xid, 0);
	uint16_t len;

	if (set->name) {
		len = (uint16_t)strlen(set->name);
		put_be16(body, 0x0001);		/* BlockQualifier: permanent */
		memcpy(body + 2, set->name, len);
		n += dcp_block(buf + n, 2, 2, body, (uint16_t)(len + 2));
	}
	if (set->ip) {
		put_be16(body, 0x0001);
		memcpy(body + 2, &set->ip, 4);
		memcpy(body + 6, &set->mask, 4);
		memcpy(body + 10, &set->gateway, 4);
		n += dcp_block(buf + n, 1, 2, body, 14);
	}
	if (set->reset) {
		/* Control/ResetToFactory; the qualifier carries the mode */
		put_be16(body, set->reset_qualifier);
		n += dcp_block(buf + n, 5, 6, body, 2);
	}
	return dcp_finish(buf, n);
}

uint32_t pn_dcp_set_name_req(uint8_t *buf, const uint8_t src[6],
			     const uint8_t dst[6], uint32_t xid,
			     const char *name)
{
	const struct dcp_set set = { .name = name };

	return pn_dcp_set_req(buf, src, dst, xid, &set);
}

uint32_t pn_dcp_set_rsp(uint8_t *buf, const struct sim_device *d,
			const uint8_t dst[6], uint32_t xid,
			const uint8_t (*opts)[3], uint32_t nopts)
{
	uint32_t n = dcp_hdr(buf, dst, d->mac, PN_FRAME_DCP_GETSET, DCP_SET,
			     DCP_RESPONSE_OK, xid, 0);
	uint32_t i;

	for (i = 0; i < nopts && n < SIM_FRAME_MAX - 8; i++)
		n += dcp_block(buf + n, 5, 4, opts[i], 3);
	return dcp_finish(buf, n);
}

uint32_t pn_dcp_get_rsp(uint8_t *buf, const struct sim_device *d,
			const uint8_t dst[6], uint32_t xid,
			const uint8_t (*opts)[2], uint32_t nopts)
{
	uint32_t n = dcp_hdr(buf, dst, d->mac, PN_FRAME_DCP_GETSET, DCP_GET,
			     DCP_RESPONSE_OK, xid, 0);
	uint32_t i, b;
	uint8_t err[3];

	/* every block is at most 4 + 2 + 63 + 1 bytes: room is checked */
	for (i = 0; i < nopts && n < SIM_FRAME_MAX - 80; i++) {
		b = dcp_identity_block(buf + n, d,
				       (uint16_t)(opts[i][0] << 8 | opts[i][1]));
		if (!b) {
			err[0] = opts[i][0];
			err[1] = opts[i][1];
			err[2] = 1;	/* option not supported */
			b = dcp_block(buf + n, 5, 4, err, 3);
		}
		n += b;
	}
	return dcp_finish(buf, n);
}
