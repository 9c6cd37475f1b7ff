/*
 * PNIO-CM: connection management of PROFINET IO over connectionless
 * DCE/RPC (UDP, 34964 for the endpoint mapper, ephemeral ports once an AR
 * exists).  Decodes the RPC header, the NDR argument header and the first
 * PNIO block far enough to name the operation and the AR.
 */
#include <stdbool.h>
#include <string.h>

#include "decode_int.h"

#define RPC_HLEN	80
#define RPC_VERSION	4
#define RPC_REQUEST	0
#define RPC_RESPONSE	2
#define RPC_F1_FRAG	0x04
#define NDR_HLEN	20
#define BLOCK_HLEN	6

/* DEA0000x-6C97-11D1-8271-00A02442DF7D, x = 1 device .. 4 server */
static const uint8_t pnio_uuid[16] = {
	0xde, 0xa0, 0x00, 0x00, 0x6c, 0x97, 0x11, 0xd1,
	0x82, 0x71, 0x00, 0xa0, 0x24, 0x42, 0xdf, 0x7d,
};

const char *cm_op_name(unsigned int op)
{
	static const char *const names[] = {
		"connect", "release", "read", "write", "control",
		"read_implicit",
	};

	return op < sizeof(names) / sizeof(names[0]) ? names[op] : "unknown";
}

/* A DCE UUID with its first three fields in the sender's byte order. */
static void rd_uuid(uint8_t out[16], const uint8_t *p, int le)
{
	memcpy(out, p, 16);
	if (!le)
		return;
	out[0] = p[3]; out[1] = p[2]; out[2] = p[1]; out[3] = p[0];
	out[4] = p[5]; out[5] = p[4];
	out[6] = p[7]; out[7] = p[6];
}

/* 1..4 for a PNIO interface UUID, 0 otherwise */
static uint8_t pnio_iface(const uint8_t u[16])
{
	if (memcmp(u, pnio_uuid, 3) || memcmp(u + 4, pnio_uuid + 4, 12))
		return 0;
	return u[3] >= 1 && u[3] <= 4 ? u[3] : 0;
}

/*
 * Is this UDP payload PNIO-CM whatever its ports?  After the connect, the
 * device answers from an ephemeral port, so the interface UUID decides.
 */
int decode_pnio_cm_probe(const uint8_t *p, uint32_t len)
{
	uint8_t u[16];

	if (len < RPC_HLEN || p[0] != RPC_VERSION)
		return 0;
	rd_uuid(u, p + 24, p[4] & 0x10);
	return pnio_iface(u) != 0;
}

static int has_ar_uuid(uint16_t bt)
{
	uint16_t t = bt & 0x7FFF;

	return t == 0x0101 || t == 0x0008 || t == 0x0009 ||
	       (t >= 0x0110 && t <= 0x0118);
}

static int decode_block(const uint8_t *p, uint32_t len, struct decoded *d)
{
	struct decode_cm *c = &d->cm;
	uint16_t blen;

	if (len < BLOCK_HLEN)
		return anomaly(d, DECODE_A_CM_BAD_BLOCK);
	c->block_type = rd16be(p);
	blen = rd16be(p + 2);	/* counts from the version field on */
	if ((uint32_t)blen + 4 > len || blen < 2)
		return anomaly(d, DECODE_A_CM_BAD_BLOCK);
	if (!has_ar_uuid(c->block_type))
		return 0;
	if (blen < 2 + 2 + 16)
		return anomaly(d, DECODE_A_CM_BAD_BLOCK);
	memcpy(c->ar_uuid, p + 8, 16);
	c->has_ar = 1;
	return 0;
}

static int iocr_io(const uint8_t *p, uint32_t *q, uint32_t end,
		   struct decode_iocr *r, uint8_t iocs)
{
	uint16_t n, i;

	if (*q + 2 > end)
		return -1;
	n = rd16be(p + *q);
	*q += 2;
	for (i = 0; i < n; i++, *q += 6) {
		struct decode_iocr_io *e = &r->io[r->nio];

		if (*q + 6 > end)
			return -1;
		if (r->nio >= DECODE_CM_IO) {
			r->io_cut = 1;
			continue;
		}
		e->slot = rd16be(p + *q);
		e->subslot = rd16be(p + *q + 2);
		e->offset = rd16be(p + *q + 4);
		e->iocs = iocs;
		r->nio++;
	}
	return 0;
}

/* an IOCRBlockReq's APIs: their IODataObjects and IOCSs (where each
 * submodule's status bytes are); a list cut short keeps what fit */
static void iocr_layout(const uint8_t *p, uint32_t q, uint32_t end,
			struct decode_iocr *r)
{
	uint16_t napi, a;

	/* IOCRTagHeader 2, IOCRMulticastMACAdd 6 */
	q += 8;
	if (q + 2 > end)
		return;
	napi = rd16be(p + q);
	q += 2;
	for (a = 0; a < napi; a++) {
		q += 4;				/* API */
		if (iocr_io(p, &q, end, r, 0) || iocr_io(p, &q, end, r, 1))
			return;
	}
}

/*
 * ExpectedSubmoduleBlockReq: every submodule's ident numbers (which
 * GSDML module and submodule it is) and its input and output data
 * lengths, which place its IOPS after its data object.  Per API entry:
 * API 4, SlotNumber 2, ModuleIdentNumber 4, ModuleProperties 2,
 * NumberOfSubmodules 2; per submodule: SubslotNumber 2,
 * SubmoduleIdentNumber 4, SubmoduleProperties 2, then its
 * DataDescriptions (6 each).
 */
static void expected_sub(const uint8_t *p, uint32_t q, uint32_t end,
			 struct decode_cm *c)
{
	uint16_t napi, a, nsub, i, props, dd;
	int k;

	if (q + 2 > end)
		return;
	napi = rd16be(p + q);
	q += 2;
	for (a = 0; a < napi; a++) {
		uint16_t slot;
		uint32_t module;

		if (q + 14 > end)
			return;
		slot = rd16be(p + q + 4);
		module = rd32be(p + q + 6);
		nsub = rd16be(p + q + 12);
		q += 14;
		for (i = 0; i < nsub; i++) {
			struct decode_cm_sub *e = &c->sub[c->nsub];

			if (q + 8 > end)
				return;
			props = rd16be(p + q + 6);
			if (c->nsub < DECODE_CM_SUB) {
				memset(e, 0, sizeof(*e));
				e->slot = slot;
				e->subslot = rd16be(p + q);
				e->module = module;
				e->submodule = rd32be(p + q + 2);
			} else {
				c->sub_cut = 1;
				e = NULL;
			}
			q += 8;
			/* INPUT_OUTPUT has two DataDescriptions, others one */
			for (k = (props & 3) == 3 ? 2 : 1; k > 0; k--) {
				if (q + 6 > end)
					return;
				dd = rd16be(p + q);
				if (e && dd == 1)
					e->in_len = rd16be(p + q + 2);
				else if (e && dd == 2)
					e->out_len = rd16be(p + q + 2);
				q += 6;
			}
			if (e)
				c->nsub++;
		}
	}
}

/* IOCR blocks anywhere in the body (the first block was checked above) */
static void iocr_blocks(const uint8_t *p, uint32_t len, struct decode_cm *c)
{
	uint32_t off = 0, blen;

	while (off + BLOCK_HLEN <= len) {
		uint16_t bt = rd16be(p + off);
		struct decode_iocr *r = &c->iocr[c->niocr];
		bool room = c->niocr < DECODE_CM_IOCR;

		blen = (uint32_t)rd16be(p + off + 2) + 4;
		if (blen < BLOCK_HLEN || off + blen > len)
			return;
		if (bt == 0x0104)
			expected_sub(p, off + BLOCK_HLEN, off + blen, c);
		else if (!room)
			;
		else if (bt == 0x0102 && blen >= 36) {
			memset(r, 0, sizeof(*r));
			r->type = rd16be(p + off + 6);
			r->ref = rd16be(p + off + 8);
			r->frame_id = rd16be(p + off + 18);
			r->send_clock = rd16be(p + off + 20);
			r->reduction = rd16be(p + off + 22);
			r->watchdog = rd16be(p + off + 32);
			r->data_len = rd16be(p + off + 16);
			iocr_layout(p, off + 36, off + blen, r);
			c->niocr++;
		} else if (bt == 0x8102 && blen >= 12) {
			memset(r, 0, sizeof(*r));
			r->res = 1;
			r->type = rd16be(p + off + 6);
			r->ref = rd16be(p + off + 8);
			r->frame_id = rd16be(p + off + 10);
			c->niocr++;
		}
		off += blen;
	}
}

static int decode_body(const uint8_t *p, uint32_t len, struct decoded *d)
{
	struct decode_cm *c = &d->cm;
	uint32_t args;

	if (len < NDR_HLEN)
		return anomaly(d, DECODE_A_CM_TRUNCATED);
	if (c->rpc_type == RPC_RESPONSE) {
		c->pnio_status = rd32be(p);
		c->has_status = 1;
	}
	args = c->drep_le ? rd32le(p + 4) : rd32be(p + 4);
	p += NDR_HLEN;
	len -= NDR_HLEN;
	if (args > len)
		return anomaly(d, DECODE_A_CM_TRUNCATED);
	if (args == 0)
		return 0;
	if (decode_block(p, args, d))
		return -1;
	iocr_blocks(p, args, c);
	return 0;
}

int decode_pnio_cm(const uint8_t *p, uint32_t len, struct decoded *d)
{
	struct decode_cm *c = &d->cm;
	uint16_t blen;
	uint8_t flags1;
	int le;

	memset(c, 0, sizeof(*c));
	d->proto = DECODE_PNIO_CM;
	if (len < RPC_HLEN)
		return anomaly(d, DECODE_A_CM_TRUNCATED);
	if (p[0] != RPC_VERSION)
		return anomaly(d, DECODE_A_CM_BAD_RPC);
	le = (p[4] & 0x10) != 0;
	c->drep_le = (uint8_t)le;
	c->rpc_type = p[1];
	flags1 = p[2];
	rd_uuid(c->object, p + 8, le);
	rd_uuid(c->interface, p + 24, le);
	rd_uuid(c->activity, p + 40, le);
	c->iface = pnio_iface(c->interface);
	c->seqnum = le ? rd32le(p + 64) : rd32be(p + 64);
	c->opnum = le ? rd16le(p + 68) : rd16be(p + 68);
	blen = le ? rd16le(p + 74) : rd16be(p + 74);
	c->frag_num = le ? rd16le(p + 76) : rd16be(p + 76);
	p += RPC_HLEN;
	len -= RPC_HLEN;
	if (blen > len)
		return anomaly(d, DECODE_A_CM_TRUNCATED);
	/*
	 * A fragmented body is decoded only once reassembled, which a
	 * frame-by-frame decoder does not do: its header is enough.
	 */
	if (!c->iface || (flags1 & RPC_F1_FRAG) ||
	    (c->rpc_type != RPC_REQUEST && c->rpc_type != RPC_RESPONSE))
		return 0;
	return decode_body(p, blen, d);
}
