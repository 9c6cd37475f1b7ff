/* A PROFINET RT class 1 frame for the diag tests: DEVICE to its
 * controller, FrameID 0xC001, cycle counter cc, data status ds. */
#ifndef IIOT_TEST_PNFRAME_H
#define IIOT_TEST_PNFRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define PN_TEST_FRAME	64

static const uint8_t DEVICE[6] = { 0x00, 0x0e, 0x8c, 0x30, 0x00, 0x01 };

static inline void pn_test_frame(uint8_t f[PN_TEST_FRAME], uint16_t cc,
				 uint8_t ds)
{
	memset(f, 0, PN_TEST_FRAME);
	memcpy(f, "\x00\x0e\x8c\x00\x02\x01", 6);
	memcpy(f + 6, DEVICE, 6);
	f[12] = 0x88;
	f[13] = 0x92;
	f[14] = 0xC0;		/* FrameID 0xC001, RT class 1 */
	f[15] = 0x01;
	f[60] = (uint8_t)(cc >> 8);	/* cycle counter */
	f[61] = (uint8_t)cc;
	f[62] = ds;
}

/* ---- PNIO-CM connect (DCE/RPC over UDP), little-endian NDR ---------- */

#define PN_TEST_CM_MAX	512
static const uint8_t CONTROLLER[6] = { 0x00, 0x0e, 0x8c, 0x00, 0x02, 0x01 };

struct pn_cm_iocr {
	uint16_t type, ref, frame_id, scf, rr, wdf;
	/* layout of API 0: slot, subslot, FrameOffset, 1 for an IOCS */
	const uint16_t (*io)[4];
	unsigned int nio;
};

static inline uint8_t *pn_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
	return p + 2;
}

static inline uint8_t *pn_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
	return p + 4;
}

/*
 * A connect request (controller to DEVICE: ARBlockReq, then an
 * IOCRBlockReq per IOCR) or its response (DEVICE to controller:
 * ARBlockRes, then an IOCRBlockRes per IOCR: type, reference, FrameID).
 * A request lists the submodules of sub (slot, subslot, input and output
 * data length) in an ExpectedSubmoduleBlockReq.  Returns the length.
 */
static inline size_t pn_test_connect(uint8_t f[PN_TEST_CM_MAX], bool resp,
				     const struct pn_cm_iocr *cr, size_t ncr,
				     const uint16_t (*sub)[4], size_t nsub)
{
	/* DEA00001-6C97-11D1-8271-00A02442DF7D, little endian */
	static const uint8_t iface[16] = { 0x01, 0x00, 0xa0, 0xde, 0x97,
					   0x6c, 0xd1, 0x11, 0x82, 0x71,
					   0x00, 0xa0, 0x24, 0x42, 0xdf,
					   0x7d };
	uint8_t *p, *body, *rpc, *udp;
	size_t i, args, len;

	memset(f, 0, PN_TEST_CM_MAX);
	memcpy(f, resp ? CONTROLLER : DEVICE, 6);
	memcpy(f + 6, resp ? DEVICE : CONTROLLER, 6);
	f[12] = 0x08;
	f[13] = 0x00;
	udp = f + 14 + 20;
	rpc = udp + 8;
	body = rpc + 80 + 20;
	p = body;
	/* AR block: ARType, ARUUID */
	p = pn_be16(p, resp ? 0x8101 : 0x0101);
	p = pn_be16(p, 20);
	p = pn_be16(p, 0x0100);
	p = pn_be16(p, 0x0001);
	memset(p, 0x42, 16);
	p += 16;
	for (i = 0; i < ncr; i++) {
		uint8_t *blk = p;
		unsigned int j, k;

		p = pn_be16(p, resp ? 0x8102 : 0x0102);
		p = pn_be16(p, resp ? 8 : 32);
		p = pn_be16(p, 0x0100);
		p = pn_be16(p, cr[i].type);
		p = pn_be16(p, cr[i].ref);
		if (resp) {
			p = pn_be16(p, cr[i].frame_id);
			continue;
		}
		p = pn_be16(p, 0x8892);		/* LT */
		p += 4;				/* properties */
		p = pn_be16(p, 40);		/* data length */
		p = pn_be16(p, cr[i].frame_id);
		p = pn_be16(p, cr[i].scf);
		p = pn_be16(p, cr[i].rr);
		p = pn_be16(p, 1);		/* phase */
		p += 2 + 4;			/* sequence, frame send offset */
		p = pn_be16(p, cr[i].wdf);
		p = pn_be16(p, cr[i].wdf);	/* data hold factor */
		if (!cr[i].nio)
			continue;
		p += 2 + 6;			/* tag header, multicast MAC */
		p = pn_be16(p, 1);		/* one API: 0 */
		p += 4;
		for (k = 0; k < 2; k++) {	/* data objects, then IOCSs */
			uint8_t *cnt = p;
			uint16_t n = 0;

			p += 2;
			for (j = 0; j < cr[i].nio; j++) {
				if (cr[i].io[j][3] != k)
					continue;
				p = pn_be16(p, cr[i].io[j][0]);
				p = pn_be16(p, cr[i].io[j][1]);
				p = pn_be16(p, cr[i].io[j][2]);
				n++;
			}
			pn_be16(cnt, n);
		}
		pn_be16(blk + 2, (uint16_t)(p - blk - 4));
	}
	if (!resp && nsub) {
		uint8_t *blk = p;

		p = pn_be16(p, 0x0104);
		p += 2;
		p = pn_be16(p, 0x0100);
		p = pn_be16(p, (uint16_t)nsub);	/* one entry per submodule */
		for (i = 0; i < nsub; i++) {
			p += 4;				/* API 0 */
			p = pn_be16(p, sub[i][0]);
			p += 4 + 2;			/* module ident, props */
			p = pn_be16(p, 1);
			p = pn_be16(p, sub[i][1]);
			p += 4;				/* submodule ident */
			p = pn_be16(p, 3);		/* INPUT_OUTPUT */
			p = pn_be16(p, 1);		/* input */
			p = pn_be16(p, sub[i][2]);
			*p++ = 1;
			*p++ = 1;
			p = pn_be16(p, 2);		/* output */
			p = pn_be16(p, sub[i][3]);
			*p++ = 1;
			*p++ = 1;
		}
		pn_be16(blk + 2, (uint16_t)(p - blk - 4));
	}
	args = (size_t)(p - body);
	len = (size_t)(p - f);
	/* IPv4, UDP */
	f[14] = 0x45;
	pn_be16(f + 16, (uint16_t)(len - 14));
	f[22] = 64;
	f[23] = 17;
	memcpy(f + 26, resp ? "\xc0\xa8\x00\x0a" : "\xc0\xa8\x00\x01", 4);
	memcpy(f + 30, resp ? "\xc0\xa8\x00\x01" : "\xc0\xa8\x00\x0a", 4);
	pn_be16(udp, resp ? 34964 : 49153);
	pn_be16(udp + 2, resp ? 49153 : 34964);
	pn_be16(udp + 4, (uint16_t)(len - 34));
	/* RPC: version 4, request or response, little endian */
	rpc[0] = 4;
	rpc[1] = resp ? 2 : 0;
	rpc[2] = 0x20;
	rpc[4] = 0x10;
	memcpy(rpc + 24, iface, 16);
	memset(rpc + 40, 0x07, 16);		/* activity */
	pn_le32(rpc + 64, 9);			/* sequence */
	rpc[68] = 0;				/* opnum connect */
	rpc[74] = (uint8_t)(args + 20);
	rpc[75] = (uint8_t)((args + 20) >> 8);
	/* NDR: args maximum or PNIO status, args length, array */
	pn_le32(rpc + 80, resp ? 0 : 1000);
	pn_le32(rpc + 84, (uint32_t)args);
	pn_le32(rpc + 88, 1000);
	pn_le32(rpc + 96, (uint32_t)args);
	return len < 60 ? 60 : len;
}

#endif
