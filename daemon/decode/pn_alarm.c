/*
 * PROFINET alarms (RTA, FrameID 0xFC01 high / 0xFE01 low): the RTA-PDU
 * header and, in DATA PDUs, the AlarmNotification block naming the
 * slot/subslot and the alarm type.
 */
#include "decode_int.h"

#define RTA_HLEN		12
#define RTA_DATA		1
#define RTA_ERR			4
#define BLOCK_HLEN		6
#define ALARM_NOTIF_LEN		(BLOCK_HLEN + 20)

static int decode_notification(const uint8_t *p, uint32_t len,
			       struct decoded *d)
{
	struct decode_alarm *a = &d->alarm;

	if (len < ALARM_NOTIF_LEN)
		return anomaly(d, DECODE_A_ALARM_TRUNCATED);
	a->block_type = rd16be(p);
	if (a->block_type != 0x0001 && a->block_type != 0x0002)
		return 0;	/* an ack or another block: header only */
	a->has_notification = 1;
	p += BLOCK_HLEN;
	a->alarm_type = rd16be(p);
	a->api = rd32be(p + 2);
	a->slot = rd16be(p + 6);
	a->subslot = rd16be(p + 8);
	a->module_ident = rd32be(p + 10);
	a->submodule_ident = rd32be(p + 14);
	a->alarm_specifier = rd16be(p + 18);
	return 0;
}

int decode_pn_alarm(const uint8_t *p, uint32_t len, struct decoded *d)
{
	struct decode_alarm *a = &d->alarm;

	*a = (struct decode_alarm){ 0 };
	if (len < RTA_HLEN)
		return anomaly(d, DECODE_A_ALARM_TRUNCATED);
	a->dst_endpoint = rd16be(p);
	a->src_endpoint = rd16be(p + 2);
	a->pdu_type = p[4] & 0x0F;
	a->pdu_version = p[4] >> 4;
	a->add_flags = p[5];
	a->send_seq = rd16be(p + 6);
	a->ack_seq = rd16be(p + 8);
	a->var_len = rd16be(p + 10);
	p += RTA_HLEN;
	len -= RTA_HLEN;
	if (a->var_len > len)
		return anomaly(d, DECODE_A_ALARM_BAD_LENGTH);
	if (a->pdu_type == RTA_ERR) {
		if (a->var_len < 4)
			return anomaly(d, DECODE_A_ALARM_TRUNCATED);
		a->pnio_status = rd32be(p);
		return 0;
	}
	if (a->pdu_type == RTA_DATA && a->var_len > 0)
		return decode_notification(p, a->var_len, d);
	return 0;
}
