/* The monitor's one-line frame summary. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "capture/capture.h"
#include "decode/decode.h"

struct lb {
	char *p;
	size_t len, off;
};

static void add(struct lb *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void add(struct lb *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->off + 1 >= b->len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(b->p + b->off, b->len - b->off, fmt, ap);
	va_end(ap);
	if (n > 0)
		b->off += (size_t)n < b->len - b->off ? (size_t)n :
			b->len - b->off - 1;
}

static const char *dcp_service(unsigned int s)
{
	switch (s) {
	case DCP_GET: return "get";
	case DCP_SET: return "set";
	case DCP_IDENTIFY: return "identify";
	case DCP_HELLO: return "hello";
	default: return "?";
	}
}

size_t capture_frame_line(char *buf, size_t len, const char *ring,
			  uint64_t ts_ns, uint32_t wire_len,
			  const struct decoded *d)
{
	struct lb b = { buf, len, 0 };
	unsigned int i;

	if (!len)
		return 0;
	buf[0] = '\0';
	add(&b, "%llu.%09llu %s %02x:%02x:%02x:%02x:%02x:%02x > "
	    "%02x:%02x:%02x:%02x:%02x:%02x %u %s",
	    (unsigned long long)(ts_ns / 1000000000ULL),
	    (unsigned long long)(ts_ns % 1000000000ULL), ring,
	    d->src[0], d->src[1], d->src[2], d->src[3], d->src[4], d->src[5],
	    d->dst[0], d->dst[1], d->dst[2], d->dst[3], d->dst[4], d->dst[5],
	    wire_len, decode_proto_name(d->proto));
	for (i = 0; i < d->nvlan; i++)
		add(&b, " vlan=%u", d->vlan[i]);
	switch (d->proto) {
	case DECODE_ECAT:
		for (i = 0; i < d->ecat.ndgram && i < 4; i++) {
			const struct decode_ecat_dgram *g = &d->ecat.dgram[i];

			if (ecat_cmd_is_logical(g->cmd))
				add(&b, " %s lad=0x%08x len=%u wkc=%u",
				    ecat_cmd_name(g->cmd), g->lad, g->len,
				    g->wkc);
			else
				add(&b, " %s adp=0x%04x ado=0x%04x len=%u "
				    "wkc=%u", ecat_cmd_name(g->cmd), g->adp,
				    g->ado, g->len, g->wkc);
		}
		if (d->ecat.ndgram > 4)
			add(&b, " +%u dgrams", d->ecat.ndgram - 4);
		break;
	case DECODE_PN_RT:
		add(&b, " frame_id=0x%04x", d->pn.frame_id);
		if (d->pn.has_status)
			add(&b, " cycle=%u ds=0x%02x ts=0x%02x len=%u",
			    d->pn.cycle_counter, d->pn.data_status,
			    d->pn.transfer_status, d->pn.payload_len);
		break;
	case DECODE_PN_DCP:
		add(&b, " %s %s xid=0x%08x", dcp_service(d->dcp.service_id),
		    d->dcp.service_type ? "resp" : "req", d->dcp.xid);
		if (d->dcp.fields & DCP_F_NAME) {
			/* the line goes to terminals: no controls from the
			 * wire, no line breaks that forge lines */
			char name[1024];

			wire_str(name, sizeof(name), d->dcp.name_of_station,
				 d->dcp.name_len);
			add(&b, " name=%s", name);
		}
		if (d->dcp.fields & DCP_F_IP)
			add(&b, " ip=%u.%u.%u.%u", d->dcp.ip >> 24,
			    (d->dcp.ip >> 16) & 0xff, (d->dcp.ip >> 8) & 0xff,
			    d->dcp.ip & 0xff);
		break;
	case DECODE_PN_ALARM:
		add(&b, " frame_id=0x%04x pdu=%u seq=%u", d->pn.frame_id,
		    d->alarm.pdu_type, d->alarm.send_seq);
		if (d->alarm.has_notification)
			add(&b, " alarm_type=%u slot=%u subslot=0x%04x",
			    d->alarm.alarm_type, d->alarm.slot,
			    d->alarm.subslot);
		break;
	case DECODE_PNIO_CM:
		add(&b, " %s %s", cm_op_name(d->cm.opnum),
		    d->cm.rpc_type == 0 ? "req" : "resp");
		break;
	default:
		add(&b, " ethertype=0x%04x", d->ethertype);
		break;
	}
	for (i = 0; i < DECODE_ANOMALY_COUNT; i++)
		if (d->anomalies & (1ULL << i))
			add(&b, " !%s", decode_anomaly_name(i));
	return b.off;
}
