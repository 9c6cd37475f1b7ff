/*
 * DCP requests and the check of their answers (IEC 61158-6-10 §4.3).
 *
 * A request is Ethernet (no tag: the switch port's PVID carries it) with
 * EtherType 0x8892, a FrameID (0xFEFE Identify multicast, 0xFEFD Get/Set
 * unicast), then ServiceID, ServiceType, Xid, ResponseDelay (Reserved in
 * a Set), DCPDataLength and the blocks: option, suboption, length, for a
 * Set a BlockQualifier, the value, padded to an even length.
 *
 * An answer is decoded by the same decoder that reads captured DCP
 * (daemon/decode/pn_dcp.c: every length checked, named anomalies); this
 * file only says whether it answers our request and what it says.
 */
#include <stdio.h>
#include <string.h>

#include "decode/decode.h"
#include "south/dcp.h"

#define DCP_HDR		10
#define DCP_BLK_HDR	4

#define SVC_GET		3
#define SVC_SET		4
#define SVC_IDENTIFY	5
#define TYPE_REQUEST	0
#define TYPE_SUCCESS	1

static const uint8_t dcp_multicast[6] = { 0x01, 0x0e, 0xcf, 0x00, 0x00, 0x00 };

static const char *const op_names[DCP_OP_COUNT] = {
	[DCP_OP_IDENTIFY] = "identify", [DCP_OP_SIGNAL] = "signal",
	[DCP_OP_SET_NAME] = "set-name", [DCP_OP_SET_IP] = "set-ip",
	[DCP_OP_RESET] = "reset",
};

static const char *const anomaly_names[DCP_AN_COUNT] = {
#define X(a, s) [DCP_AN_##a] = s,
	DCP_ANOMALIES(X)
#undef X
};

const char *dcp_op_name(enum dcp_op op)
{
	return (unsigned int)op < DCP_OP_COUNT ? op_names[op] : "?";
}

int dcp_op_from_name(const char *s)
{
	int i;

	for (i = 0; s && i < DCP_OP_COUNT; i++)
		if (!strcmp(s, op_names[i]))
			return i;
	return -1;
}

const char *dcp_anomaly_name(enum dcp_anomaly a)
{
	return (unsigned int)a < DCP_AN_COUNT ? anomaly_names[a] : "?";
}

/* BlockError values of a Set response (§4.3.1.4.x, Table "BlockError") */
const char *dcp_block_error_name(uint8_t e)
{
	static const char *const names[] = {
		"no error", "option not supported",
		"suboption not supported or no data set available",
		"suboption not set", "resource error",
		"set not possible by local reasons",
		"in operation, set not possible",
	};

	return e < sizeof(names) / sizeof(names[0]) ? names[e] : "unknown error";
}

static bool label_ok(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > 63 || s[0] == '-' || s[n - 1] == '-')
		return false;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return false;
	return true;
}

bool dcp_name_valid(const char *name)
{
	size_t len = strlen(name), start = 0, i;

	if (len == 0 || len > DCP_NAME_MAX)
		return false;
	/* "port-xyz" alone is reserved for port names (§4.3.1.4.16) */
	if (!strncmp(name, "port-", 5) && !strchr(name, '.'))
		return false;
	for (i = 0; i <= len; i++) {
		if (i < len && name[i] != '.')
			continue;
		if (!label_ok(name + start, i - start))
			return false;
		start = i + 1;
	}
	return true;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

/* one block at p: header, the qualifier when has_q, the value, padding */
static size_t put_block(uint8_t *p, uint8_t opt, uint8_t sub, bool has_q,
			uint16_t qual, const void *val, size_t vlen)
{
	size_t blen = vlen + (has_q ? 2 : 0), off = DCP_BLK_HDR;

	p[0] = opt;
	p[1] = sub;
	put16(p + 2, (uint16_t)blen);
	if (has_q) {
		put16(p + off, qual);
		off += 2;
	}
	if (vlen)
		memcpy(p + off, val, vlen);
	off += vlen;
	if (blen & 1)
		p[off++] = 0;
	return off;
}

static bool reset_mode_ok(uint16_t m)
{
	return (m >= DCP_RESET_APP && m <= DCP_RESET_ALL) ||
	       m == DCP_RESET_DEVICE || m == DCP_RESET_RESTORE;
}

/* the blocks of q at p; 0 when q is no valid request */
static size_t put_blocks(const struct dcp_request *q, uint8_t *p)
{
	uint16_t qual = q->permanent ? 1 : 0;
	uint8_t v[12];

	switch (q->op) {
	case DCP_OP_IDENTIFY:
		if (!q->name[0])
			return put_block(p, 0xff, 0xff, false, 0, NULL, 0);
		if (!dcp_name_valid(q->name))
			return 0;
		return put_block(p, 2, 2, false, 0, q->name, strlen(q->name));
	case DCP_OP_SIGNAL:
		put16(v, 0x0100);	/* SignalValue: flash once */
		return put_block(p, 5, 3, true, 0, v, 2);
	case DCP_OP_SET_NAME:
		if (!dcp_name_valid(q->name))
			return 0;
		return put_block(p, 2, 2, true, qual, q->name, strlen(q->name));
	case DCP_OP_SET_IP:
		put32(v, q->ip);
		put32(v + 4, q->mask);
		put32(v + 8, q->gw);
		return put_block(p, 1, 2, true, qual, v, 12);
	case DCP_OP_RESET:
		if (!reset_mode_ok(q->reset_mode))
			return 0;
		return put_block(p, 5, 6, true, (uint16_t)(q->reset_mode << 1),
				 NULL, 0);
	default:
		return 0;
	}
}

size_t dcp_encode(const struct dcp_request *q, uint8_t *buf, size_t cap)
{
	bool ident = q->op == DCP_OP_IDENTIFY;
	size_t data, len;

	if (cap < DCP_FRAME_MAX)
		return 0;
	memset(buf, 0, DCP_FRAME_MAX);
	memcpy(buf, ident ? dcp_multicast : q->dst, 6);
	memcpy(buf + 6, q->src, 6);
	put16(buf + 12, DCP_ETHERTYPE);
	put16(buf + 14, ident ? DCP_FID_IDENT_REQ : DCP_FID_GETSET);
	buf[16] = ident ? SVC_IDENTIFY : SVC_SET;
	buf[17] = TYPE_REQUEST;
	put32(buf + 18, q->xid);
	if (ident)
		put16(buf + 22, q->response_delay ? q->response_delay : 1);
	data = put_blocks(q, buf + 16 + DCP_HDR);
	if (!data)
		return 0;
	put16(buf + 24, (uint16_t)data);
	len = 16 + DCP_HDR + data;
	return len < DCP_FRAME_MIN ? DCP_FRAME_MIN : len;
}

/* ---- answers ------------------------------------------------------------- */

static enum dcp_match bad(struct dcp_answer *a, enum dcp_anomaly an,
			  const char *detail)
{
	a->anomaly = an;
	snprintf(a->detail, sizeof(a->detail), "%.*s",
		 (int)sizeof(a->detail) - 1, detail);
	return DCP_MATCH_BAD;
}

static void first_anomaly(const struct decoded *d, struct dcp_answer *a)
{
	unsigned int i;

	for (i = 0; i < DECODE_ANOMALY_COUNT; i++)
		if (d->anomalies & (1ULL << i)) {
			snprintf(a->detail, sizeof(a->detail), "%s",
				 decode_anomaly_name(i));
			return;
		}
}

static void keep_identity(const struct decode_dcp *c, struct dcp_answer *a)
{
	if (c->fields & DCP_F_NAME)
		wire_str(a->name, sizeof(a->name), c->name_of_station,
			 c->name_len);
	if (c->fields & DCP_F_TYPE)
		wire_str(a->type, sizeof(a->type), c->type_of_station,
			 c->type_len);
	if (c->fields & DCP_F_IP) {
		a->has_ip = true;
		a->ip = c->ip;
		a->mask = c->mask;
		a->gw = c->gw;
		a->ip_info = c->ip_info;
	}
	if (c->fields & DCP_F_VENDOR) {
		a->has_id = true;
		a->vendor_id = c->vendor_id;
		a->device_id = c->device_id;
	}
}

static enum dcp_match check_identify(const struct dcp_request *q,
				     const struct decode_dcp *c,
				     struct dcp_answer *a)
{
	if (!(c->fields & DCP_F_NAME) && !(c->fields & DCP_F_IP))
		return bad(a, DCP_AN_NO_IDENTITY, "neither name nor IP");
	/* a device answering a filter it does not match is broken or lying */
	if (q->name[0] && (c->name_len != strlen(q->name) ||
			   memcmp(c->name_of_station, q->name, c->name_len)))
		return bad(a, DCP_AN_NAME_MISMATCH, a->name);
	return DCP_MATCH_OK;
}

static void set_block(const struct dcp_request *q, uint8_t *opt, uint8_t *sub)
{
	static const uint8_t which[DCP_OP_COUNT][2] = {
		[DCP_OP_SIGNAL] = { 5, 3 }, [DCP_OP_SET_NAME] = { 2, 2 },
		[DCP_OP_SET_IP] = { 1, 2 }, [DCP_OP_RESET] = { 5, 6 },
	};

	*opt = which[q->op][0];
	*sub = which[q->op][1];
}

/*
 * A Set answer: a Control/Response block per block set.  We set one, so
 * the decoder's (last) response block is the one.
 */
static enum dcp_match check_set(const struct dcp_request *q,
				const struct decode_dcp *c,
				struct dcp_answer *a)
{
	uint8_t opt, sub;

	set_block(q, &opt, &sub);
	if (!(c->fields & DCP_F_RESPONSE) || c->resp_option != opt ||
	    c->resp_suboption != sub)
		return bad(a, DCP_AN_NO_RESULT, "no Control/Response block "
			   "for the option set");
	a->block_error = c->resp_error;
	return c->resp_error ? DCP_MATCH_REFUSED : DCP_MATCH_OK;
}

enum dcp_match dcp_answer_check(const struct dcp_request *q,
				const uint8_t *f, uint32_t len,
				struct dcp_answer *a)
{
	static _Thread_local struct decoded d;
	bool ident = q->op == DCP_OP_IDENTIFY;
	const struct decode_dcp *c = &d.dcp;

	memset(a, 0, sizeof(*a));
	memset(&d, 0, sizeof(d));
	decode_frame(f, len, &d);
	if (d.proto != DECODE_PN_DCP || memcmp(d.dst, q->src, 6))
		return DCP_MATCH_NONE;
	if (d.pn.frame_id != (ident ? DCP_FID_IDENT_RSP : DCP_FID_GETSET))
		return DCP_MATCH_NONE;
	/* the Xid is read before any block: a short header has none */
	if (d.l3_len < 2 + DCP_HDR || c->xid != q->xid ||
	    c->service_type == TYPE_REQUEST)
		return DCP_MATCH_NONE;
	memcpy(a->mac, d.src, 6);
	a->service_type = c->service_type;
	/* a device reset to factory has no name: it answers an empty one */
	if ((c->fields & DCP_F_NAME) && !c->name_len)
		d.anomalies &= ~(1ULL << DECODE_A_DCP_BAD_NAME);
	if (d.anomalies) {
		first_anomaly(&d, a);
		a->anomaly = DCP_AN_MALFORMED;
		return DCP_MATCH_BAD;
	}
	if (c->service_id != (ident ? SVC_IDENTIFY : SVC_SET))
		return bad(a, DCP_AN_WRONG_SERVICE, ident ? "not Identify" :
			   "not Set");
	keep_identity(c, a);
	if (c->service_type != TYPE_SUCCESS)
		return DCP_MATCH_REFUSED;	/* 5: request not supported */
	return ident ? check_identify(q, c, a) : check_set(q, c, a);
}
