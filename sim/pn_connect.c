/*
 * PROFINET's connect (PNIO-CM, IEC 61158-6-10): the controller's Connect
 * request to an IO device and the device's OK response, DCE/RPC over UDP
 * port 34964, built from the scenario's own description of the device (its
 * [profinet-module] sections).  The request carries what iiotd places the
 * GSDML's signals by (docs/descriptions.md): the ARBlockReq, the input
 * IOCRBlockReq with each module's data object at its frame offset and the
 * ExpectedSubmoduleBlockReq with the module and submodule ident numbers;
 * the response's IOCRBlockRes names the input FrameID.
 */
#include <string.h>

#include "iiot/capture_filter.h"
#include "frames.h"

#define RPC_HDR_LEN	80
#define NDR_HDR_LEN	20

/* DCE/RPC interface of an IO device (PNIO-Device) */
static const uint8_t pnio_device_if[16] = {
	0xde, 0xa0, 0x00, 0x01, 0x6c, 0x97, 0x11, 0xd1,
	0x82, 0x71, 0x00, 0xa0, 0x24, 0x42, 0xdf, 0x7d,
};

/* A UUID whose last four bytes are n, the rest zero (big-endian DREP). */
static void uuid_n(uint8_t *p, uint32_t n)
{
	memset(p, 0, 12);
	put_be32(p + 12, n);
}

/* A block header (type, length after the length field, version 1.0). */
static uint32_t block(uint8_t *p, uint16_t type, uint32_t body_len)
{
	put_be16(p, type);
	put_be16(p + 2, (uint16_t)(body_len + 2));
	p[4] = 1;
	p[5] = 0;
	return 6 + body_len;
}

static uint32_t ar_block_req(uint8_t *p, const struct pn_connect *c)
{
	uint8_t *b = p + 6;
	size_t nl = strlen(c->ctrl_name);

	put_be16(b, 1);			/* ARType: IOCAR single */
	uuid_n(b + 2, c->ar);
	put_be16(b + 18, 1);		/* SessionKey */
	memcpy(b + 20, c->ctrl_mac, 6);
	uuid_n(b + 26, 1);		/* CMInitiatorObjectUUID */
	put_be32(b + 42, 0x00000011);	/* ARProperties: active, ... */
	put_be16(b + 46, 100);		/* activity timeout factor */
	put_be16(b + 48, ETHERTYPE_PN);	/* CMInitiatorUDPRTPort */
	put_be16(b + 50, (uint16_t)nl);
	memcpy(b + 52, c->ctrl_name, nl);
	return block(p, 0x0101, 52 + (uint32_t)nl);
}

/* The input IOCR: one data object per module with inputs. */
static uint32_t iocr_block_req(uint8_t *p, const struct pn_connect *c)
{
	const struct sim_device *d = c->dev;
	uint8_t *b = p + 6, *q;
	uint32_t i, nobj = 0, end = 0, rr = (uint32_t)(d->cycle_ns / 1000000);

	put_be16(b, 1);			/* IOCRType: input */
	put_be16(b + 2, 1);		/* IOCRReference */
	put_be16(b + 4, ETHERTYPE_PN);	/* LT */
	put_be32(b + 6, 1);		/* IOCRProperties: RT class 1 */
	put_be16(b + 10, d->in_len);	/* DataLength */
	put_be16(b + 12, d->frame_in);	/* FrameID */
	put_be16(b + 14, 32);		/* SendClockFactor: 1 ms */
	put_be16(b + 16, (uint16_t)(rr ? rr : 1));	/* ReductionRatio */
	put_be16(b + 18, 1);		/* Phase */
	put_be16(b + 20, 0xffff);	/* Sequence */
	put_be32(b + 22, 0xffffffff);	/* FrameSendOffset: best effort */
	put_be16(b + 26, 3);		/* WatchdogFactor */
	put_be16(b + 28, 3);		/* DataHoldFactor */
	put_be16(b + 30, 0xc000);	/* IOCRTagHeader: priority 6 */
	memset(b + 32, 0, 6);		/* IOCRMulticastMACAdd */
	put_be16(b + 38, 1);		/* NumberOfAPIs */
	put_be32(b + 40, 0);		/* API 0 */
	q = b + 46;
	for (i = 0; i < c->nmods; i++) {
		if (!c->mods[i].in_len)
			continue;
		put_be16(q, c->mods[i].slot);
		put_be16(q + 2, 1);	/* subslot */
		put_be16(q + 4, c->mods[i].in_off);
		q += 6;
		nobj++;
		end = c->mods[i].in_off + c->mods[i].in_len + 1u;
	}
	put_be16(b + 44, (uint16_t)nobj);
	/* the IOCS of the access point, after the last IOPS */
	put_be16(q, nobj ? 1 : 0);
	q += 2;
	if (nobj) {
		put_be16(q, 0);
		put_be16(q + 2, 1);
		put_be16(q + 4, (uint16_t)end);
		q += 6;
	}
	return block(p, 0x0102, (uint32_t)(q - b));
}

/* One slot of the ExpectedSubmoduleBlockReq: module, its submodule in
 * subslot 1, the submodule's input data (none: no IO). */
static uint8_t *expected_slot(uint8_t *q, uint16_t slot, uint32_t ident,
			      uint32_t sub_ident, uint16_t in_len)
{
	put_be32(q, 0);			/* API */
	put_be16(q + 4, slot);
	put_be32(q + 6, ident);
	put_be16(q + 10, 0);		/* ModuleProperties */
	put_be16(q + 12, 1);		/* NumberOfSubmodules */
	put_be16(q + 14, 1);		/* SubslotNumber */
	put_be32(q + 16, sub_ident);
	put_be16(q + 20, in_len ? 1 : 0);	/* SubmoduleProperties */
	put_be16(q + 22, 1);		/* DataDescription: input */
	put_be16(q + 24, in_len);
	q[26] = 1;			/* LengthIOCS */
	q[27] = 1;			/* LengthIOPS */
	return q + 28;
}

static uint32_t expected_block_req(uint8_t *p, const struct pn_connect *c)
{
	uint8_t *b = p + 6, *q = b + 2;
	uint32_t i;

	put_be16(b, (uint16_t)(c->nmods + 1));
	q = expected_slot(q, 0, c->dev->dap_ident, c->dev->dap_ident, 0);
	for (i = 0; i < c->nmods; i++)
		q = expected_slot(q, c->mods[i].slot, c->mods[i].ident,
				  c->mods[i].sub_ident, c->mods[i].in_len);
	return block(p, 0x0104, (uint32_t)(q - b));
}

static uint32_t rpc_header(uint8_t *p, uint8_t ptype, uint32_t activity,
			   uint32_t body_len)
{
	memset(p, 0, RPC_HDR_LEN);
	p[0] = 4;			/* version */
	p[1] = ptype;			/* 0 request, 2 response */
	p[2] = 0x20;			/* idempotent */
	uuid_n(p + 8, 2);		/* object */
	memcpy(p + 24, pnio_device_if, 16);
	uuid_n(p + 40, activity);
	put_be32(p + 60, 1);		/* interface version */
	put_be16(p + 70, 0xffff);	/* interface hint */
	put_be16(p + 72, 0xffff);	/* activity hint */
	put_be16(p + 74, (uint16_t)body_len);
	return RPC_HDR_LEN;
}

/* Ethernet, IPv4, UDP around an RPC PDU of len bytes at b + 42. */
static uint32_t udp_wrap(uint8_t *b, const uint8_t dst[6],
			 const uint8_t src[6], uint32_t sip, uint32_t dip,
			 uint16_t sport, uint16_t dport, uint32_t len)
{
	uint8_t *ip = b + 14, *udp = ip + 20;

	memcpy(b, dst, 6);
	memcpy(b + 6, src, 6);
	put_be16(b + 12, ETHERTYPE_IPV4);
	memset(ip, 0, 20);
	ip[0] = 0x45;
	put_be16(ip + 2, (uint16_t)(28 + len));
	put_be16(ip + 4, 1);
	ip[8] = 64;
	ip[9] = 17;
	memcpy(ip + 12, &sip, 4);
	memcpy(ip + 16, &dip, 4);
	put_be16(ip + 10, csum_fold(csum_add(0, ip, 20)));
	put_be16(udp, sport);
	put_be16(udp + 2, dport);
	put_be16(udp + 4, (uint16_t)(8 + len));
	put_be16(udp + 6, 0);		/* no checksum (allowed over IPv4) */
	return 42 + len < ETH_MIN_LEN ? ETH_MIN_LEN : 42 + len;
}

uint32_t pn_connect_req(uint8_t *buf, const struct pn_connect *c)
{
	uint8_t *rpc = buf + 42, *ndr = rpc + RPC_HDR_LEN;
	uint8_t *body = ndr + NDR_HDR_LEN;
	uint32_t n;

	n = ar_block_req(body, c);
	n += iocr_block_req(body + n, c);
	n += expected_block_req(body + n, c);
	put_be32(ndr, 4096);		/* ArgsMaximum */
	put_be32(ndr + 4, n);		/* ArgsLength */
	put_be32(ndr + 8, 4096);	/* MaximumCount */
	put_be32(ndr + 12, 0);		/* Offset */
	put_be32(ndr + 16, n);		/* ActualCount */
	rpc_header(rpc, 0, c->activity, NDR_HDR_LEN + n);
	return udp_wrap(buf, c->dev->mac, c->ctrl_mac, c->ctrl_ip,
			c->dev->ip, c->ctrl_port, IIOT_PNIO_CM_PORT,
			RPC_HDR_LEN + NDR_HDR_LEN + n);
}

uint32_t pn_connect_rsp(uint8_t *buf, const struct pn_connect *c)
{
	uint8_t *rpc = buf + 42, *ndr = rpc + RPC_HDR_LEN;
	uint8_t *body = ndr + NDR_HDR_LEN, *b;
	uint32_t n;

	b = body + 6;			/* ARBlockRes */
	put_be16(b, 1);
	uuid_n(b + 2, c->ar);
	put_be16(b + 18, 1);
	memcpy(b + 20, c->dev->mac, 6);
	put_be16(b + 26, ETHERTYPE_PN);
	n = block(body, 0x8101, 28);
	b = body + n + 6;		/* IOCRBlockRes: the input CR */
	put_be16(b, 1);
	put_be16(b + 2, 1);
	put_be16(b + 4, c->dev->frame_in);
	n += block(body + n, 0x8102, 6);
	put_be32(ndr, 0);		/* PNIOStatus: OK */
	put_be32(ndr + 4, n);
	put_be32(ndr + 8, 4096);
	put_be32(ndr + 12, 0);
	put_be32(ndr + 16, n);
	rpc_header(rpc, 2, c->activity, NDR_HDR_LEN + n);
	return udp_wrap(buf, c->ctrl_mac, c->dev->mac, c->dev->ip,
			c->ctrl_ip, IIOT_PNIO_CM_PORT, c->ctrl_port,
			RPC_HDR_LEN + NDR_HDR_LEN + n);
}
