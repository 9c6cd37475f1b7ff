/*
 * PROFINET real time (IEC 61158-6-10): the FrameID picks the class; cyclic
 * frames end with the APDU status (cycle counter, data and transfer
 * status); acyclic ones go to DCP, alarm and PTCP decoders.
 */
#include "decode_int.h"

#define PN_FRAME_ID_LEN		2
#define PN_APDU_STATUS_LEN	4
#define PN_FRAG_HLEN		2
#define PN_PTCP_HLEN		20

const char *pn_class_name(unsigned int c)
{
	static const char *const names[] = {
		[PN_CLASS_UNKNOWN] = "unknown",	[PN_CLASS_TIME_SYNC] = "sync",
		[PN_CLASS_RT3] = "rt3",		[PN_CLASS_RT2] = "rt2",
		[PN_CLASS_RT1] = "rt1",		[PN_CLASS_UDP] = "rt_udp",
		[PN_CLASS_ALARM_HIGH] = "alarm_high",
		[PN_CLASS_ALARM_LOW] = "alarm_low",
		[PN_CLASS_DCP] = "dcp",		[PN_CLASS_PTCP] = "ptcp",
		[PN_CLASS_FRAG] = "fragment",	[PN_CLASS_RESERVED] = "reserved",
	};

	return c < sizeof(names) / sizeof(names[0]) ? names[c] : "unknown";
}

static uint8_t classify(uint16_t id)
{
	if (id <= 0x00FF)
		return PN_CLASS_TIME_SYNC;
	if (id <= 0x0FFF)
		return PN_CLASS_RT3;
	if (id <= 0x7FFF)
		return PN_CLASS_RESERVED;
	if (id <= 0xBFFF)
		return PN_CLASS_RT2;
	if (id <= 0xF7FF)
		return PN_CLASS_RT1;
	if (id <= 0xFBFF)
		return PN_CLASS_UDP;
	if (id == 0xFC01)
		return PN_CLASS_ALARM_HIGH;
	if (id == 0xFE01)
		return PN_CLASS_ALARM_LOW;
	if (id >= 0xFEFC && id <= 0xFEFF)
		return PN_CLASS_DCP;
	if (id >= 0xFF00 && id <= 0xFF7F)
		return PN_CLASS_PTCP;
	if (id >= 0xFF80 && id <= 0xFF8F)
		return PN_CLASS_FRAG;
	return PN_CLASS_RESERVED;
}

static int decode_cyclic(const uint8_t *p, uint32_t len, struct decoded *d)
{
	const uint8_t *st;

	if (len < PN_APDU_STATUS_LEN)
		return anomaly(d, DECODE_A_PN_TRUNCATED);
	st = p + len - PN_APDU_STATUS_LEN;
	d->pn.has_status = 1;
	d->pn.cycle_counter = rd16be(st);
	d->pn.data_status = st[2];
	d->pn.transfer_status = st[3];
	d->pn.payload = p;
	d->pn.payload_len = len - PN_APDU_STATUS_LEN;
	return 0;
}

static int decode_frag(const uint8_t *p, uint32_t len, struct decoded *d)
{
	if (len < PN_FRAG_HLEN)
		return anomaly(d, DECODE_A_PN_TRUNCATED);
	d->pn.frag_len = p[0];
	d->pn.frag_last = !(p[1] & 0x80);
	d->pn.frag_no = p[1] & 0x3F;
	d->pn.payload = p + PN_FRAG_HLEN;
	d->pn.payload_len = len - PN_FRAG_HLEN;
	/* the length counts 8-byte units of fragment data */
	if ((uint32_t)d->pn.frag_len * 8 > d->pn.payload_len)
		return anomaly(d, DECODE_A_PN_TRUNCATED);
	d->pn.payload_len = (uint32_t)d->pn.frag_len * 8;
	return 0;
}

/*
 * The 20-byte PTCP header: sync and follow-up frames carry the delay as
 * Delay10ns and Delay1ns (byte); delay frames (0xFF40-0xFF43) carry a
 * 32-bit Delay1ns after the sequence id; announce frames carry none.
 */
int decode_pn_ptcp(const uint8_t *p, uint32_t len, struct decoded *d)
{
	uint16_t id = d->pn.frame_id;

	d->ptcp.has_header = 0;
	d->ptcp.has_delay = 0;
	d->ptcp.sequence_id = 0;
	d->ptcp.delay_ns = 0;
	if (len < PN_PTCP_HLEN)
		return anomaly(d, DECODE_A_PTCP_TRUNCATED);
	d->ptcp.has_header = 1;
	d->ptcp.sequence_id = rd16be(p + 12);
	if (id >= 0xFF00 && id <= 0xFF1F)
		return 0;	/* announce */
	d->ptcp.has_delay = 1;
	if (id >= 0xFF40 && id <= 0xFF43)
		d->ptcp.delay_ns = rd32be(p + 16);
	else
		d->ptcp.delay_ns = (uint64_t)rd32be(p + 8) * 10 + p[14];
	return 0;
}

int decode_pn(const uint8_t *p, uint32_t len, struct decoded *d)
{
	struct decode_pn *pn = &d->pn;

	d->proto = DECODE_PN_RT;
	*pn = (struct decode_pn){ 0 };
	if (len < PN_FRAME_ID_LEN)
		return anomaly(d, DECODE_A_PN_TRUNCATED);
	pn->frame_id = rd16be(p);
	pn->class = classify(pn->frame_id);
	p += PN_FRAME_ID_LEN;
	len -= PN_FRAME_ID_LEN;
	switch (pn->class) {
	case PN_CLASS_RT3:
	case PN_CLASS_RT2:
	case PN_CLASS_RT1:
	case PN_CLASS_UDP:
		return decode_cyclic(p, len, d);
	case PN_CLASS_FRAG:
		return decode_frag(p, len, d);
	case PN_CLASS_DCP:
		d->proto = DECODE_PN_DCP;
		return decode_dcp(p, len, d);
	case PN_CLASS_ALARM_HIGH:
	case PN_CLASS_ALARM_LOW:
		d->proto = DECODE_PN_ALARM;
		return decode_pn_alarm(p, len, d);
	case PN_CLASS_TIME_SYNC:
	case PN_CLASS_PTCP:
		d->proto = DECODE_PN_PTCP;
		return decode_pn_ptcp(p, len, d);
	default:
		return anomaly(d, DECODE_A_PN_RESERVED_FRAME_ID);
	}
}
