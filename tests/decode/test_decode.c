/*
 * Decoder unit tests: hand-built frames for the cases the real captures do
 * not hold (truncation at every byte, bad lengths, QinQ, too many tags or
 * datagrams, mailbox services, ESC registers, PROFINET classes, PNIO-CM).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "decode/decode.h"

/* A frame under construction. */
struct fb {
	uint8_t b[2048];
	uint32_t n;
};

static void put8(struct fb *f, uint8_t v) { f->b[f->n++] = v; }
static void put16be(struct fb *f, uint16_t v) { put8(f, v >> 8); put8(f, v & 255); }
static void put16le(struct fb *f, uint16_t v) { put8(f, v & 255); put8(f, v >> 8); }
static void put32be(struct fb *f, uint32_t v) { put16be(f, v >> 16); put16be(f, v & 0xFFFF); }
static void put32le(struct fb *f, uint32_t v) { put16le(f, v & 0xFFFF); put16le(f, v >> 16); }
static void putn(struct fb *f, const void *p, uint32_t n) { memcpy(f->b + f->n, p, n); f->n += n; }

static void eth(struct fb *f, uint16_t type)
{
	static const uint8_t dst[6] = { 1, 2, 3, 4, 5, 6 };
	static const uint8_t src[6] = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 };

	f->n = 0;
	putn(f, dst, 6);
	putn(f, src, 6);
	put16be(f, type);
}

/* EtherCAT datagram: cmd, idx, adp, ado, data, wkc, more flag */
static void dgram(struct fb *f, uint8_t cmd, uint16_t adp, uint16_t ado,
		  const uint8_t *data, uint16_t len, uint16_t wkc, int more)
{
	put8(f, cmd);
	put8(f, 0x42);
	put16le(f, adp);
	put16le(f, ado);
	put16le(f, (uint16_t)(len | (more ? 0x8000 : 0)));
	put16le(f, 0);
	if (data)
		putn(f, data, len);
	else
		for (uint16_t i = 0; i < len; i++)
			put8(f, 0);
	put16le(f, wkc);
}

/* Fix up the EtherCAT frame header at offset 14 once datagrams are in. */
static void ecat_finish(struct fb *f, uint32_t hdr_off)
{
	uint16_t len = (uint16_t)(f->n - hdr_off - 2);

	f->b[hdr_off] = len & 0xFF;
	f->b[hdr_off + 1] = (uint8_t)(0x10 | (len >> 8));
}

static int has(const struct decoded *d, enum decode_anomaly a)
{
	return (d->anomalies >> a) & 1;
}

static void test_anomaly_names(void **state)
{
	unsigned int i, j;

	(void)state;
	for (i = 0; i < DECODE_ANOMALY_COUNT; i++) {
		assert_non_null(decode_anomaly_name(i));
		for (j = 0; j < i; j++)
			assert_string_not_equal(decode_anomaly_name(i),
						decode_anomaly_name(j));
	}
	assert_null(decode_anomaly_name(DECODE_ANOMALY_COUNT));
	assert_string_equal(decode_anomaly_name(DECODE_A_DCP_BAD_NAME),
			    "dcp_bad_name");
	assert_string_equal(decode_proto_name(DECODE_PNIO_CM), "pnio_cm");
}

static void build_ecat_two(struct fb *f)
{
	static const uint8_t al[6] = { 0x08, 0x00, 0x00, 0x00, 0x1d, 0x00 };

	eth(f, ETHERTYPE_ECAT);
	put16le(f, 0);
	/* FPRD AL status + code from station 0x1001: state SAFEOP|ERR, 0x1d */
	dgram(f, ECAT_FPRD, 0x1001, 0x0130, al, 6, 1, 1);
	dgram(f, ECAT_LRW, 0x0000, 0x0001, NULL, 4, 3, 0);
	ecat_finish(f, 14);
}

static void test_ecat_datagrams(void **state)
{
	struct fb f;
	struct decoded d;

	(void)state;
	build_ecat_two(&f);
	assert_int_equal(decode_frame(f.b, f.n, &d), 0);
	assert_int_equal(d.proto, DECODE_ECAT);
	assert_int_equal(d.ecat.ndgram, 2);
	assert_int_equal(d.ecat.dgram[0].cmd, ECAT_FPRD);
	assert_int_equal(d.ecat.dgram[0].idx, 0x42);
	assert_int_equal(d.ecat.dgram[0].adp, 0x1001);
	assert_int_equal(d.ecat.dgram[0].ado, 0x0130);
	assert_int_equal(d.ecat.dgram[0].len, 6);
	assert_int_equal(d.ecat.dgram[0].wkc, 1);
	assert_true(d.ecat.dgram[0].more);
	assert_int_equal(d.ecat.dgram[1].cmd, ECAT_LRW);
	assert_int_equal(d.ecat.dgram[1].lad, 0x00010000);
	assert_int_equal(d.ecat.dgram[1].wkc, 3);
	assert_false(d.ecat.dgram[1].more);
	/* AL status and status code, both from datagram 0 */
	assert_int_equal(d.ecat.nreg, 2);
	assert_int_equal(d.ecat.reg[0].kind, ECAT_REG_AL_STATUS);
	assert_int_equal(d.ecat.reg[0].value, 0x0008);
	assert_int_equal(d.ecat.reg[1].kind, ECAT_REG_AL_STATUS_CODE);
	assert_int_equal(d.ecat.reg[1].value, 0x001d);
	assert_int_equal(d.anomalies, 0);
}

/* Every prefix of a valid frame decodes without a crash, and every cut
 * inside the datagrams is reported. */
static void test_ecat_every_truncation(void **state)
{
	struct fb f;
	struct decoded d;
	uint32_t cut;

	(void)state;
	build_ecat_two(&f);
	for (cut = 0; cut < f.n; cut++) {
		uint8_t *copy = malloc(cut ? cut : 1);

		memcpy(copy, f.b, cut);
		assert_int_equal(decode_frame(copy, cut, &d), -1);
		assert_true(d.anomalies != 0);
		if (cut < 14)
			assert_true(has(&d, DECODE_A_ETH_TRUNCATED));
		else if (cut < 16)
			assert_true(has(&d, DECODE_A_ECAT_TRUNCATED));
		else
			assert_true(has(&d, DECODE_A_ECAT_BAD_LENGTH));
		free(copy);
	}
}

static void test_ecat_dgram_overrun(void **state)
{
	struct fb f;
	struct decoded d;

	(void)state;
	eth(&f, ETHERTYPE_ECAT);
	put16le(&f, 0);
	dgram(&f, ECAT_BRD, 0, 0x0130, NULL, 2, 0, 0);
	ecat_finish(&f, 14);
	/* the datagram claims 200 bytes of data */
	f.b[14 + 2 + 6] = 200;
	assert_int_equal(decode_frame(f.b, f.n, &d), -1);
	assert_true(has(&d, DECODE_A_ECAT_DGRAM_TRUNCATED));
	assert_int_equal(d.ecat.ndgram, 0);
	/* a "more" flag with nothing after it */
	eth(&f, ETHERTYPE_ECAT);
	put16le(&f, 0);
	dgram(&f, ECAT_BRD, 0, 0x0130, NULL, 2, 0, 1);
	ecat_finish(&f, 14);
	assert_int_equal(decode_frame(f.b, f.n, &d), -1);
	assert_true(has(&d, DECODE_A_ECAT_DGRAM_TRUNCATED));
	assert_int_equal(d.ecat.ndgram, 1);
	/* unknown frame type */
	build_ecat_two(&f);
	f.b[15] = (uint8_t)((f.b[15] & 0x0F) | 0x70);
	assert_int_equal(decode_frame(f.b, f.n, &d), -1);
	assert_true(has(&d, DECODE_A_ECAT_BAD_TYPE));
}

static void test_ecat_too_many_dgrams(void **state)
{
	struct fb f;
	struct decoded d;
	int i;

	(void)state;
	eth(&f, ETHERTYPE_ECAT);
	put16le(&f, 0);
	for (i = 0; i < DECODE_MAX_DGRAM + 3; i++)
		dgram(&f, ECAT_NOP, 0, 0, NULL, 0, 0, i < DECODE_MAX_DGRAM + 2);
	ecat_finish(&f, 14);
	assert_int_equal(decode_frame(f.b, f.n, &d), -1);
	assert_true(has(&d, DECODE_A_ECAT_TOO_MANY_DGRAMS));
	assert_int_equal(d.ecat.ndgram, DECODE_MAX_DGRAM);
}

static void test_qinq(void **state)
{
	struct fb f;
	struct decoded d;

	(void)state;
	eth(&f, ETHERTYPE_QINQ);
	put16be(&f, 0xA000 | 100);	/* PCP 5, VLAN 100 */
	put16be(&f, ETHERTYPE_VLAN);
	put16be(&f, 200);
	put16be(&f, ETHERTYPE_ECAT);
	put16le(&f, 0);
	dgram(&f, ECAT_APRD, 0xFFFF, 0x0000, NULL, 2, 1, 0);
	ecat_finish(&f, 22);
	assert_int_equal(decode_frame(f.b, f.n, &d), 0);
	assert_int_equal(d.nvlan, 2);
	assert_int_equal(d.vlan[0], 100);
	assert_int_equal(d.vlan[1], 200);
	assert_int_equal(d.pcp, 5);
	assert_int_equal(d.ethertype, ETHERTYPE_ECAT);
	assert_int_equal(d.ecat.ndgram, 1);
	assert_int_equal(d.ecat.dgram[0].adp, 0xFFFF);

	/* a third tag is refused */
	eth(&f, ETHERTYPE_QINQ);
	put16be(&f, 1);
	put16be(&f, ETHERTYPE_VLAN);
	put16be(&f, 2);
	put16be(&f, ETHERTYPE_VLAN);
	put16be(&f, 3);
	put16be(&f, ETHERTYPE_ECAT);
	assert_int_equal(decode_frame(f.b, f.n, &d), -1);
	assert_true(has(&d, DECODE_A_VLAN_TOO_MANY));
	/* a tag cut short */
	eth(&f, ETHERTYPE_VLAN);
	put16be(&f, 7);
	assert_int_equal(decode_frame(f.b, f.n, &d), -1);
	assert_true(has(&d, DECODE_A_VLAN_TRUNCATED));
}

/* FPWR to the mailbox SyncManager carrying a CoE SDO. */
static void mbx_frame(struct fb *f, const uint8_t *sdo, uint16_t sdo_len,
		      uint8_t service, uint16_t mbx_len_override)
{
	uint8_t m[64] = { 0 };
	uint16_t mlen = (uint16_t)(2 + sdo_len);

	m[0] = (uint8_t)(mbx_len_override ? mbx_len_override : mlen);
	m[2] = 0x00; m[3] = 0x00;	/* address */
	m[5] = (uint8_t)(ECAT_MBX_COE | (3 << 4));	/* counter 3 */
	m[6] = 0;
	m[7] = (uint8_t)(service << 4);
	memcpy(m + 8, sdo, sdo_len);
	eth(f, ETHERTYPE_ECAT);
	put16le(f, 0);
	dgram(f, ECAT_FPWR, 0x1001, 0x1000, m, 48, 1, 0);
	ecat_finish(f, 14);
}

static void test_mailbox_coe(void **state)
{
	/* upload request 0x1018:02 */
	static const uint8_t up[8] = { 0x40, 0x18, 0x10, 0x02, 0, 0, 0, 0 };
	/* abort 0x6000:01, code 0x06020000 (object does not exist) */
	static const uint8_t ab[8] = { 0x80, 0x00, 0x60, 0x01,
				       0x00, 0x00, 0x02, 0x06 };
	/* expedited upload response, 2 bytes: 0x1234 */
	static const uint8_t ex[8] = { 0x4b, 0x00, 0x10, 0x00,
				       0x34, 0x12, 0, 0 };
	struct fb f;
	struct decoded d;

	(void)state;
	mbx_frame(&f, up, 8, COE_SDO_REQ, 0);
	assert_int_equal(decode_frame(f.b, f.n, &d), 0);
	assert_int_equal(d.ecat.nmbx, 1);
	assert_int_equal(d.ecat.mbx[0].type, ECAT_MBX_COE);
	assert_int_equal(d.ecat.mbx[0].counter, 3);
	assert_int_equal(d.ecat.mbx[0].coe_service, COE_SDO_REQ);
	assert_int_equal(d.ecat.mbx[0].sdo_op, SDO_OP_UPLOAD_INIT);
	assert_int_equal(d.ecat.mbx[0].sdo_index, 0x1018);
	assert_int_equal(d.ecat.mbx[0].sdo_subindex, 2);
	assert_int_equal(d.ecat.nreg, 0);

	mbx_frame(&f, ab, 8, COE_SDO_REQ, 0);
	assert_int_equal(decode_frame(f.b, f.n, &d), 0);
	assert_int_equal(d.ecat.mbx[0].sdo_op, SDO_OP_ABORT);
	assert_int_equal(d.ecat.mbx[0].sdo_index, 0x6000);
	assert_int_equal(d.ecat.mbx[0].sdo_abort, 0x06020000);

	mbx_frame(&f, ex, 8, COE_SDO_RES, 0);
	assert_int_equal(decode_frame(f.b, f.n, &d), 0);
	assert_int_equal(d.ecat.mbx[0].sdo_op, SDO_OP_UPLOAD_INIT);
	assert_true(d.ecat.mbx[0].sdo_expedited);
	assert_int_equal(d.ecat.mbx[0].sdo_size, 2);
	assert_int_equal(d.ecat.mbx[0].sdo_value & 0xFFFF, 0x1234);

	/* mailbox length beyond the datagram */
	mbx_frame(&f, up, 8, COE_SDO_REQ, 200);
	assert_int_equal(decode_frame(f.b, f.n, &d), -1);
	assert_true(has(&d, DECODE_A_ECAT_MBX_BAD_LENGTH));
	/* CoE cut inside the SDO header */
	mbx_frame(&f, up, 3, COE_SDO_REQ, 0);
	assert_int_equal(decode_frame(f.b, f.n, &d), -1);
	assert_true(has(&d, DECODE_A_ECAT_COE_TRUNCATED));
}

static void test_mailbox_entry_point(void **state)
{
	/* FoE write request for "fw.bin" */
	static const uint8_t foe[] = { 10, 0, 0, 0, 0, 0x04,
				       2, 0, 0, 0, 0, 0, 'f', 'w', '.', 'b' };
	struct decoded d;

	(void)state;
	memset(&d, 0, sizeof(d));
	assert_int_equal(decode_ecat_mbx(foe, sizeof(foe), &d, 0), 0);
	assert_int_equal(d.ecat.mbx[0].type, ECAT_MBX_FOE);
	assert_int_equal(d.ecat.mbx[0].foe_op, 2);
	assert_int_equal(d.ecat.mbx[0].foe_name_len, 4);
	assert_memory_equal(d.ecat.mbx[0].foe_name, "fw.b", 4);
	memset(&d, 0, sizeof(d));
	assert_int_equal(decode_ecat_mbx(foe, 5, &d, 0), -1);
	assert_true(has(&d, DECODE_A_ECAT_MBX_TRUNCATED));
}

static void test_esc_sii(void **state)
{
	static const uint8_t sii[4] = { 0x02, 0x00, 0x00, 0x00 };
	static const uint8_t addr[6] = { 0x00, 0x01, 0x08, 0x00, 0, 0 };
	struct fb f;
	struct decoded d;

	(void)state;
	eth(&f, ETHERTYPE_ECAT);
	put16le(&f, 0);
	/* master: SII read of word 8 (vendor) via control + address */
	dgram(&f, ECAT_APWR, 0xFFFF, 0x0502, addr, 6, 1, 1);
	/* slave answered vendor id 2 (Beckhoff) */
	dgram(&f, ECAT_APRD, 0x0000, 0x0508, sii, 4, 1, 1);
	/* a read nobody answered carries no value */
	dgram(&f, ECAT_APRD, 0x0000, 0x0508, sii, 4, 0, 0);
	ecat_finish(&f, 14);
	assert_int_equal(decode_frame(f.b, f.n, &d), 0);
	assert_int_equal(d.ecat.nreg, 3);
	assert_int_equal(d.ecat.reg[0].kind, ECAT_REG_SII_CONTROL);
	assert_true(d.ecat.reg[0].write);
	assert_int_equal(d.ecat.reg[1].kind, ECAT_REG_SII_ADDR);
	assert_int_equal(d.ecat.reg[1].value, SII_WORD_VENDOR);
	assert_int_equal(d.ecat.reg[2].kind, ECAT_REG_SII_DATA);
	assert_int_equal(d.ecat.reg[2].value, 2);
	assert_int_equal(d.ecat.reg[2].dgram, 1);
}

static void test_esc_error_counters(void **state)
{
	uint8_t cnt[20] = { 0 };
	struct fb f;
	struct decoded d;

	(void)state;
	cnt[2] = 5;	/* port 1 invalid frames */
	cnt[3] = 7;	/* port 1 RX errors */
	cnt[0x11] = 9;	/* port 1 lost link */
	eth(&f, ETHERTYPE_ECAT);
	put16le(&f, 0);
	dgram(&f, ECAT_FPRD, 0x1002, 0x0300, cnt, 20, 1, 0);
	ecat_finish(&f, 14);
	assert_int_equal(decode_frame(f.b, f.n, &d), 0);
	assert_int_equal(d.ecat.nreg, 12);
	assert_int_equal(d.ecat.reg[1].kind, ECAT_REG_RX_ERR);
	assert_int_equal(d.ecat.reg[1].port, 1);
	assert_int_equal(d.ecat.reg[1].value, 0x0705);
	assert_int_equal(d.ecat.reg[9].kind, ECAT_REG_LOST_LINK);
	assert_int_equal(d.ecat.reg[9].port, 1);
	assert_int_equal(d.ecat.reg[9].value, 9);
}

static void test_pn_cyclic(void **state)
{
	struct fb f;
	struct decoded d;
	int i;

	(void)state;
	eth(&f, ETHERTYPE_PROFINET);
	put16be(&f, 0x8001);
	for (i = 0; i < 40; i++)
		put8(&f, (uint8_t)i);
	put16be(&f, 0x1234);
	put8(&f, PN_DS_STATE | PN_DS_VALID | PN_DS_RUN | PN_DS_STATION_OK);
	put8(&f, 0);
	assert_int_equal(decode_frame(f.b, f.n, &d), 0);
	assert_int_equal(d.proto, DECODE_PN_RT);
	assert_int_equal(d.pn.class, PN_CLASS_RT2);
	assert_int_equal(d.pn.frame_id, 0x8001);
	assert_int_equal(d.pn.cycle_counter, 0x1234);
	assert_int_equal(d.pn.data_status, 0x35);
	assert_int_equal(d.pn.payload_len, 40);
	assert_int_equal(d.pn.payload[39], 39);
	/* FrameID only: no status to read */
	assert_int_equal(decode_frame(f.b, 16, &d), -1);
	assert_true(has(&d, DECODE_A_PN_TRUNCATED));
	/* reserved FrameID */
	f.b[14] = 0xFF;
	f.b[15] = 0xA0;
	assert_int_equal(decode_frame(f.b, f.n, &d), -1);
	assert_true(has(&d, DECODE_A_PN_RESERVED_FRAME_ID));
}

static void dcp_hdr(struct fb *f, uint16_t fid, uint8_t sid, uint8_t st,
		    uint16_t dlen)
{
	eth(f, ETHERTYPE_PROFINET);
	put16be(f, fid);
	put8(f, sid);
	put8(f, st);
	put32be(f, 0xCAFE0001);
	put16be(f, 0);
	put16be(f, dlen);
}

static void test_dcp_set_ip_and_signal(void **state)
{
	struct fb f;
	struct decoded d;

	(void)state;
	dcp_hdr(&f, 0xFEFD, DCP_SET, 0, 18 + 8);
	put8(&f, 1); put8(&f, 2); put16be(&f, 14); put16be(&f, 1);
	put32be(&f, 0xC0A8000B); put32be(&f, 0xFFFFFF00); put32be(&f, 0xC0A80001);
	put8(&f, 5); put8(&f, 3); put16be(&f, 4); put16be(&f, 0);
	put16be(&f, 0x0100);
	assert_int_equal(decode_frame(f.b, f.n, &d), 0);
	assert_int_equal(d.proto, DECODE_PN_DCP);
	assert_int_equal(d.dcp.service_id, DCP_SET);
	assert_int_equal(d.dcp.xid, 0xCAFE0001);
	assert_true(d.dcp.fields & DCP_F_IP);
	assert_int_equal(d.dcp.ip, 0xC0A8000B);
	assert_int_equal(d.dcp.mask, 0xFFFFFF00);
	assert_int_equal(d.dcp.gw, 0xC0A80001);
	assert_int_equal(d.dcp.block[0].info, 1);	/* qualifier: permanent */
	assert_true(d.dcp.fields & DCP_F_SIGNAL);
	assert_int_equal(d.dcp.signal, 0x0100);
	assert_int_equal(d.dcp.nblock, 2);
}

static void test_dcp_identify_response(void **state)
{
	struct fb f;
	struct decoded d;

	(void)state;
	dcp_hdr(&f, 0xFEFF, DCP_IDENTIFY, 1, 16 + 10 + 8);
	put8(&f, 2); put8(&f, 2); put16be(&f, 11); put16be(&f, 0);
	putn(&f, "plc-1.line", 9); put8(&f, 0);	/* odd: one pad byte */
	put8(&f, 2); put8(&f, 3); put16be(&f, 6); put16be(&f, 0);
	put16be(&f, 0x002A); put16be(&f, 0x0313);
	put8(&f, 2); put8(&f, 4); put16be(&f, 4); put16be(&f, 0);
	put8(&f, 0x01); put8(&f, 0);
	assert_int_equal(decode_frame(f.b, f.n, &d), 0);
	assert_int_equal(d.dcp.name_len, 9);
	assert_memory_equal(d.dcp.name_of_station, "plc-1.lin", 9);
	assert_int_equal(d.dcp.vendor_id, 0x002A);
	assert_int_equal(d.dcp.device_id, 0x0313);
	assert_int_equal(d.dcp.role, 1);
	assert_int_equal(d.dcp.nblock, 3);
}

static void test_dcp_malformed(void **state)
{
	struct fb f;
	struct decoded d;

	(void)state;
	/* block length runs past the data */
	dcp_hdr(&f, 0xFEFE, DCP_IDENTIFY, 0, 8);
	put8(&f, 2); put8(&f, 2); put16be(&f, 40); putn(&f, "abcd", 4);
	assert_int_equal(decode_frame(f.b, f.n, &d), -1);
	assert_true(has(&d, DECODE_A_DCP_BLOCK_TRUNCATED));
	/* DCPDataLength beyond the frame */
	dcp_hdr(&f, 0xFEFE, DCP_IDENTIFY, 0, 300);
	put8(&f, 0xFF); put8(&f, 0xFF); put16be(&f, 0);
	assert_int_equal(decode_frame(f.b, f.n, &d), -1);
	assert_true(has(&d, DECODE_A_DCP_BAD_LENGTH));
	/* unknown service */
	dcp_hdr(&f, 0xFEFE, 0x77, 0, 0);
	assert_int_equal(decode_frame(f.b, f.n, &d), -1);
	assert_true(has(&d, DECODE_A_DCP_BAD_SERVICE));
	/* a format string as station name */
	dcp_hdr(&f, 0xFEFD, DCP_SET, 0, 12);
	put8(&f, 2); put8(&f, 2); put16be(&f, 8); put16be(&f, 1);
	putn(&f, "%n%n%n", 6);
	assert_int_equal(decode_frame(f.b, f.n, &d), -1);
	assert_true(has(&d, DECODE_A_DCP_BAD_NAME));
	assert_int_equal(d.dcp.name_len, 6);
	/* header only, cut */
	dcp_hdr(&f, 0xFEFE, DCP_IDENTIFY, 0, 0);
	assert_int_equal(decode_frame(f.b, f.n - 3, &d), -1);
	assert_true(has(&d, DECODE_A_DCP_TRUNCATED));
}

static void test_alarm(void **state)
{
	struct fb f;
	struct decoded d;

	(void)state;
	eth(&f, ETHERTYPE_PROFINET);
	put16be(&f, 0xFC01);
	put16be(&f, 1); put16be(&f, 2);
	put8(&f, 0x11); put8(&f, 0);
	put16be(&f, 5); put16be(&f, 4); put16be(&f, 26);
	put16be(&f, 0x0001); put16be(&f, 22); put16be(&f, 0x0100);
	put16be(&f, 1);			/* diagnosis */
	put32be(&f, 0); put16be(&f, 3); put16be(&f, 0x8001);
	put32be(&f, 0x10); put32be(&f, 0x20); put16be(&f, 0xA000);
	assert_int_equal(decode_frame(f.b, f.n, &d), 0);
	assert_int_equal(d.proto, DECODE_PN_ALARM);
	assert_int_equal(d.alarm.pdu_type, 1);
	assert_int_equal(d.alarm.send_seq, 5);
	assert_true(d.alarm.has_notification);
	assert_int_equal(d.alarm.alarm_type, 1);
	assert_int_equal(d.alarm.slot, 3);
	assert_int_equal(d.alarm.subslot, 0x8001);
	/* VarPartLen beyond the frame */
	f.b[14 + 2 + 11] = 200;
	assert_int_equal(decode_frame(f.b, f.n, &d), -1);
	assert_true(has(&d, DECODE_A_ALARM_BAD_LENGTH));
}

static void test_ptcp_and_frag(void **state)
{
	struct fb f;
	struct decoded d;
	int i;

	(void)state;
	/* sync: Delay10ns and Delay1ns byte */
	eth(&f, ETHERTYPE_PROFINET);
	put16be(&f, 0x0080);
	put32be(&f, 0); put32be(&f, 0); put32be(&f, 3);
	put16be(&f, 77); put8(&f, 4); put8(&f, 0); put32be(&f, 0);
	assert_int_equal(decode_frame(f.b, f.n, &d), 0);
	assert_int_equal(d.proto, DECODE_PN_PTCP);
	assert_int_equal(d.pn.class, PN_CLASS_TIME_SYNC);
	assert_int_equal(d.ptcp.sequence_id, 77);
	assert_true(d.ptcp.has_delay);
	assert_int_equal(d.ptcp.delay_ns, 34);
	assert_int_equal(decode_frame(f.b, f.n - 5, &d), -1);
	assert_true(has(&d, DECODE_A_PTCP_TRUNCATED));
	/* delay response: a 32-bit Delay1ns after the sequence id */
	eth(&f, ETHERTYPE_PROFINET);
	put16be(&f, 0xFF43);
	put32be(&f, 0); put32be(&f, 0); put32be(&f, 0);
	put16be(&f, 78); put16be(&f, 0); put32be(&f, 1234);
	assert_int_equal(decode_frame(f.b, f.n, &d), 0);
	assert_int_equal(d.pn.class, PN_CLASS_PTCP);
	assert_int_equal(d.ptcp.sequence_id, 78);
	assert_int_equal(d.ptcp.delay_ns, 1234);
	/* announce: no delay */
	f.b[15] = 0x00;
	assert_int_equal(decode_frame(f.b, f.n, &d), 0);
	assert_false(d.ptcp.has_delay);

	eth(&f, ETHERTYPE_PROFINET);
	put16be(&f, 0xFF81);
	put8(&f, 2); put8(&f, 0x83);	/* 16 bytes, fragment 3, more follow */
	for (i = 0; i < 16; i++)
		put8(&f, 0);
	assert_int_equal(decode_frame(f.b, f.n, &d), 0);
	assert_int_equal(d.pn.class, PN_CLASS_FRAG);
	assert_int_equal(d.pn.frag_no, 3);
	assert_false(d.pn.frag_last);
	assert_int_equal(d.pn.payload_len, 16);
	f.b[16] = 9;	/* 72 bytes claimed */
	assert_int_equal(decode_frame(f.b, f.n, &d), -1);
	assert_true(has(&d, DECODE_A_PN_TRUNCATED));
}

static void ipv4_udp(struct fb *f, uint16_t sport, uint16_t dport,
		     uint16_t payload)
{
	eth(f, ETHERTYPE_IPV4);
	put8(f, 0x45); put8(f, 0); put16be(f, (uint16_t)(28 + payload));
	put32be(f, 0); put8(f, 64); put8(f, 17); put16be(f, 0);
	put32be(f, 0xC0A80001); put32be(f, 0xC0A80002);
	put16be(f, sport); put16be(f, dport); put16be(f, (uint16_t)(8 + payload));
	put16be(f, 0);
}

/* interface DEA00001-6C97-11D1-8271-00A02442DF7D little endian */
static const uint8_t cm_iface[16] = { 0x01, 0x00, 0xa0, 0xde, 0x97, 0x6c,
				      0xd1, 0x11, 0x82, 0x71, 0x00, 0xa0,
				      0x24, 0x42, 0xdf, 0x7d };

/* a connect request's UDP, RPC and NDR headers for body bytes of blocks */
static void cm_connect_head(struct fb *f, uint32_t body)
{
	int i;

	ipv4_udp(f, 49153, 34964, (uint16_t)(80 + body));
	put8(f, 4); put8(f, 0); put8(f, 0x20); put8(f, 0);
	put8(f, 0x10); put8(f, 0); put8(f, 0); put8(f, 0);
	for (i = 0; i < 16; i++)
		put8(f, 0);			/* object */
	putn(f, cm_iface, 16);
	for (i = 0; i < 16; i++)
		put8(f, (uint8_t)i);		/* activity */
	put32le(f, 0); put32le(f, 1); put32le(f, 9);	/* boot, ver, seq */
	put16le(f, CM_CONNECT); put16le(f, 0xFFFF); put16le(f, 0xFFFF);
	put16le(f, (uint16_t)body); put16le(f, 0); put8(f, 0); put8(f, 0);
	put32le(f, 1000); put32le(f, body - 20); put32le(f, 1000);
	put32le(f, 0); put32le(f, body - 20);
}

static void test_pnio_cm_connect(void **state)
{
	static const uint8_t ar[16] = { 0x11, 0x22, 0x33, 0x44, 0x55, 0x66,
					0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc,
					0xdd, 0xee, 0xff, 0x00 };
	struct fb f;
	struct decoded d;

	(void)state;
	cm_connect_head(&f, 20 + 6 + 2 + 16);
	put16be(&f, 0x0101); put16be(&f, 20); put16be(&f, 0x0100);
	put16be(&f, 0x0001);
	putn(&f, ar, 16);
	assert_int_equal(decode_frame(f.b, f.n, &d), 0);
	assert_int_equal(d.proto, DECODE_PNIO_CM);
	assert_true(d.has_ip);
	assert_int_equal(d.ip.dport, 34964);
	assert_int_equal(d.cm.iface, 1);
	assert_int_equal(d.cm.opnum, CM_CONNECT);
	assert_int_equal(d.cm.seqnum, 9);
	assert_int_equal(d.cm.block_type, 0x0101);
	assert_true(d.cm.has_ar);
	assert_memory_equal(d.cm.ar_uuid, ar, 16);
	assert_int_equal(d.cm.interface[0], 0xde);

	/* the same from an ephemeral port is still found */
	f.b[14 + 20 + 2] = 0xC0;
	f.b[14 + 20 + 3] = 0x05;
	assert_int_equal(decode_frame(f.b, f.n, &d), 0);
	assert_int_equal(d.proto, DECODE_PNIO_CM);
	/* ArgsLength beyond the body */
	f.b[14 + 28 + 80 + 4] = 200;
	assert_int_equal(decode_frame(f.b, f.n, &d), -1);
	assert_true(has(&d, DECODE_A_CM_TRUNCATED));
}

/* IOCRBlockReq: the cycle (SendClockFactor, ReductionRatio, Watchdog);
 * a block whose length runs past the body is not read */
static void test_pnio_cm_iocr(void **state)
{
	struct fb f;
	struct decoded d;
	int i;

	(void)state;
	cm_connect_head(&f, 20 + 24 + 36 + 36);
	put16be(&f, 0x0101); put16be(&f, 20); put16be(&f, 0x0100);
	put16be(&f, 0x0001);
	for (i = 0; i < 16; i++)
		put8(&f, 0x42);			/* AR UUID */
	put16be(&f, 0x0102); put16be(&f, 32); put16be(&f, 0x0100);
	put16be(&f, 1); put16be(&f, 1); put16be(&f, 0x8892);	/* input */
	put32be(&f, 1); put16be(&f, 40); put16be(&f, 0xC002);
	put16be(&f, 32); put16be(&f, 8); put16be(&f, 1); put16be(&f, 0);
	put32be(&f, 0); put16be(&f, 3); put16be(&f, 3);	/* FSO, WDF, DHF */
	put16be(&f, 0x0102); put16be(&f, 200); put16be(&f, 0x0100);
	for (i = 0; i < 30; i++)
		put8(&f, 0);
	assert_int_equal(decode_frame(f.b, f.n, &d), 0);
	assert_int_equal(d.cm.block_type, 0x0101);
	assert_int_equal(d.cm.niocr, 1);
	assert_int_equal(d.cm.iocr[0].type, 1);
	assert_int_equal(d.cm.iocr[0].frame_id, 0xC002);
	assert_int_equal(d.cm.iocr[0].send_clock, 32);
	assert_int_equal(d.cm.iocr[0].reduction, 8);
	assert_int_equal(d.cm.iocr[0].watchdog, 3);
	assert_false(d.cm.iocr[0].res);
}

static void test_ecat_over_udp(void **state)
{
	struct fb f;
	struct decoded d;
	uint32_t start;

	(void)state;
	ipv4_udp(&f, 34980, 34980, 2 + 12 + 2);
	start = f.n;
	put16le(&f, 0);
	dgram(&f, ECAT_BRD, 0, 0x0000, NULL, 2, 4, 0);
	ecat_finish(&f, start);
	assert_int_equal(decode_frame(f.b, f.n, &d), 0);
	assert_int_equal(d.proto, DECODE_ECAT);
	assert_true(d.ecat.over_udp);
	assert_int_equal(d.ecat.ndgram, 1);
	assert_int_equal(d.ecat.dgram[0].wkc, 4);
}

static void test_json(void **state)
{
	struct fb f;
	struct decoded d;
	json_t *o, *g;

	(void)state;
	build_ecat_two(&f);
	decode_frame(f.b, f.n, &d);
	o = decode_to_json(&d, 7, 123456789, f.n);
	assert_non_null(o);
	assert_int_equal(json_integer_value(json_object_get(o, "n")), 7);
	assert_string_equal(json_string_value(json_object_get(o, "proto")),
			    "ecat");
	assert_string_equal(json_string_value(json_object_get(o, "src")),
			    "02:11:22:33:44:55");
	g = json_array_get(json_object_get(json_object_get(o, "ecat"),
					   "datagrams"), 0);
	assert_int_equal(json_integer_value(json_object_get(g, "adp")), 0x1001);
	assert_null(json_object_get(g, "lad"));
	g = json_array_get(json_object_get(json_object_get(o, "ecat"),
					   "datagrams"), 1);
	assert_int_equal(json_integer_value(json_object_get(g, "lad")),
			 0x00010000);
	assert_null(json_object_get(g, "adp"));
	json_decref(o);
}

/*
 * Regression: station names from the wire reached terminals, stores and
 * JSON raw.  wire_str() is what every such place uses: controls, bidi
 * overrides and bytes that are not UTF-8 become \xNN; valid text stays;
 * a short buffer is cut between characters; applying it twice changes
 * nothing.
 */
static void test_wire_str_escapes_controls_and_bad_utf8(void **state)
{
	static const struct {
		const char *in;
		size_t len;
		const char *out;
	} c[] = {
		{ "plc-1.line", 10, "plc-1.line" },
		{ "\x1b]0;pwn\x07", 8, "\\x1b]0;pwn\\x07" },
		{ "a\r\nb", 4, "a\\x0d\\x0ab" },
		{ "n\0x", 3, "n\\x00x" },
		{ "bad\xff\xfe", 5, "bad\\xff\\xfe" },
		{ "F\xc3\xb6rder", 7, "F\xc3\xb6rder" },	/* UTF-8 kept */
		{ "\xc3", 1, "\\xc3" },				/* cut sequence */
		{ "\xc0\xaf", 2, "\\xc0\\xaf" },		/* overlong */
		{ "\xed\xa0\x80", 3, "\\xed\\xa0\\x80" },	/* surrogate */
		{ "\xc2\x9b" "2J", 4, "\\xc2\\x9b2J" },		/* C1 CSI */
		{ "a\xe2\x80\xae" "b", 5, "a\\xe2\\x80\\xaeb" },	/* RLO */
		{ "\x7f", 1, "\\x7f" },
	};
	char out[64], again[64];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		assert_int_equal(wire_str(out, sizeof(out), c[i].in, c[i].len),
				 strlen(c[i].out));
		assert_string_equal(out, c[i].out);
		wire_str(again, sizeof(again), out, strlen(out));
		assert_string_equal(again, out);
	}
	/* short buffers: whole characters and whole escapes only */
	assert_int_equal(wire_str(out, 3, "F\xc3\xb6", 3), 1);
	assert_string_equal(out, "F");
	assert_int_equal(wire_str(out, 8, "ab\x1b\x1b", 4), 6);
	assert_string_equal(out, "ab\\x1b");
	assert_int_equal(wire_str(out, 1, "abc", 3), 0);
	assert_string_equal(out, "");
}

/* ---- LLDP ------------------------------------------------------------ */

static void tlv(struct fb *f, unsigned int type, const void *v, uint16_t len)
{
	put16be(f, (uint16_t)(type << 9 | len));
	if (len)
		putn(f, v, len);
}

static void org(struct fb *f, uint32_t oui, uint8_t sub, const void *v,
		uint16_t len)
{
	uint8_t b[64];

	b[0] = (uint8_t)(oui >> 16);
	b[1] = (uint8_t)(oui >> 8);
	b[2] = (uint8_t)oui;
	b[3] = sub;
	memcpy(b + 4, v, len);
	tlv(f, 127, b, (uint16_t)(len + 4));
}

/* A PROFINET station's LLDPDU as iiot-sim sends it; returns the frame. */
static void lldp_station(struct fb *f)
{
	static const uint8_t mgmt[] = { 5, 1, 192, 168, 0, 10, 2, 0, 0, 0, 2, 0 };
	static const uint8_t mac[] = { 0x00, 0x1b, 0x1b, 0x10, 0x00, 0x01 };
	static const uint8_t status[] = { 0x00, 0x02, 0x00, 0x02 };
	static const uint8_t macphy[] = { 0x03, 0x6c, 0x00, 0x00, 0x10 };
	uint8_t delay[20] = { 0 };

	eth(f, ETHERTYPE_LLDP);
	tlv(f, 1, "\x07io-1", 5);
	tlv(f, 2, "\x07port-002.io-1", 14);
	tlv(f, 3, "\x00\x14", 2);
	tlv(f, 4, "port 2", 6);
	tlv(f, 5, "io-1", 4);
	tlv(f, 7, "\x00\x80\x00\x80", 4);
	tlv(f, 8, mgmt, sizeof(mgmt));
	delay[19] = 50;		/* cable delay 50 ns */
	org(f, 0x000ECF, 1, delay, 20);
	org(f, 0x000ECF, 2, status, 4);
	org(f, 0x000ECF, 3, "port-001.io-2", 13);
	org(f, 0x000ECF, 5, mac, 6);
	org(f, 0x00120F, 1, macphy, 5);
	tlv(f, 0, NULL, 0);
}

static void test_lldp_profinet_station(void **state)
{
	struct fb f;
	static struct decoded d;
	const uint8_t *st;
	uint16_t plen, stlen;

	(void)state;
	lldp_station(&f);
	assert_int_equal(decode_frame(f.b, f.n, &d), 0);
	assert_int_equal(d.proto, DECODE_LLDP);
	assert_string_equal(decode_proto_name(DECODE_LLDP), "lldp");
	assert_int_equal(d.lldp.chassis_subtype, 7);
	assert_int_equal(d.lldp.chassis_len, 4);
	assert_memory_equal(d.lldp.chassis_id, "io-1", 4);
	assert_int_equal(d.lldp.port_len, 13);
	assert_int_equal(d.lldp.ttl, 20);
	assert_int_equal(d.lldp.sys_name_len, 4);
	assert_int_equal(d.lldp.caps, 0x80);
	assert_int_equal(d.lldp.mgmt_subtype, 1);
	assert_int_equal(d.lldp.mgmt_len, 4);
	assert_int_equal(d.lldp.mgmt_addr[3], 10);
	assert_int_equal(d.lldp.mgmt_if, 2);
	assert_int_equal(d.lldp.pn_cable_delay, 50);
	assert_int_equal(d.lldp.pn_rtc3_status, 2);
	assert_int_equal(d.lldp.pn_alias_len, 13);
	assert_int_equal(d.lldp.pn_chassis_mac[5], 1);
	assert_int_equal(d.lldp.mau_type, 16);
	assert_true(d.lldp.fields & LLDP_F_END);
	assert_int_equal(lldp_pn_port(d.lldp.port_id, d.lldp.port_len, &plen,
				      &st, &stlen), 1);
	assert_int_equal(plen, 8);
	assert_int_equal(stlen, 4);
	assert_memory_equal(st, "io-1", 4);
	assert_int_equal(lldp_pn_port((const uint8_t *)"eth0", 4, &plen, &st,
				      &stlen), 0);
	assert_int_equal(lldp_pn_port((const uint8_t *)"port-001", 8, &plen,
				      &st, &stlen), 1);
	assert_null(st);
}

/*
 * Cut anywhere, the LLDPDU is truncated or lacks a TLV, never over-read;
 * cut between TLVs after the TTL, it is whole (End is optional).
 */
static void test_lldp_every_truncation(void **state)
{
	struct fb f;
	static struct decoded d;
	uint32_t n;

	(void)state;
	lldp_station(&f);
	for (n = 14; n < f.n - 2; n++) {
		uint8_t *copy = malloc(n);

		memcpy(copy, f.b, n);
		if (decode_frame(copy, n, &d) == 0)
			assert_int_equal(d.lldp.ttl, 20);
		else
			assert_true(d.anomalies ==
				    (d.anomalies &
				     (DECODE_ABIT(LLDP_TRUNCATED) |
				      DECODE_ABIT(LLDP_MISSING_TLV))));
		free(copy);
	}
}

/* chassis "a", port "b", TTL 20 */
static void lldp_head(struct fb *f)
{
	eth(f, ETHERTYPE_LLDP);
	tlv(f, 1, "\x07" "a", 2);
	tlv(f, 2, "\x07" "b", 2);
	tlv(f, 3, "\x00\x14", 2);
}

static void test_lldp_anomalies(void **state)
{
	struct fb f;
	static struct decoded d;

	(void)state;
	/* TTL missing: chassis, port, then the end */
	eth(&f, ETHERTYPE_LLDP);
	tlv(&f, 1, "\x07" "a", 2);
	tlv(&f, 2, "\x07" "b", 2);
	tlv(&f, 0, NULL, 0);
	assert_int_equal(decode_frame(f.b, f.n, &d), -1);
	assert_true(d.anomalies & DECODE_ABIT(LLDP_MISSING_TLV));
	/* a TTL of 3 bytes */
	eth(&f, ETHERTYPE_LLDP);
	tlv(&f, 1, "\x07" "a", 2);
	tlv(&f, 2, "\x07" "b", 2);
	tlv(&f, 3, "\x00\x14\x00", 3);
	assert_int_equal(decode_frame(f.b, f.n, &d), -1);
	assert_true(d.anomalies & DECODE_ABIT(LLDP_BAD_LENGTH));
	/* a management address longer than its TLV */
	lldp_head(&f);
	tlv(&f, 8, "\x20\x01\x0a\x00\x00\x01\x02\x00\x00\x00\x01\x00", 12);
	assert_int_equal(decode_frame(f.b, f.n, &d), -1);
	assert_true(d.anomalies & DECODE_ABIT(LLDP_BAD_LENGTH));
	/* a second system name: counted, the first kept */
	lldp_head(&f);
	tlv(&f, 5, "one", 3);
	tlv(&f, 5, "two", 3);
	assert_int_equal(decode_frame(f.b, f.n, &d), -1);
	assert_true(d.anomalies & DECODE_ABIT(LLDP_DUPLICATE_TLV));
	assert_memory_equal(d.lldp.sys_name, "one", 3);
	/* an empty chassis id */
	eth(&f, ETHERTYPE_LLDP);
	tlv(&f, 1, "\x07", 1);
	assert_int_equal(decode_frame(f.b, f.n, &d), -1);
	assert_true(d.anomalies & DECODE_ABIT(LLDP_BAD_LENGTH));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_anomaly_names),
		cmocka_unit_test(test_ecat_datagrams),
		cmocka_unit_test(test_ecat_every_truncation),
		cmocka_unit_test(test_ecat_dgram_overrun),
		cmocka_unit_test(test_ecat_too_many_dgrams),
		cmocka_unit_test(test_qinq),
		cmocka_unit_test(test_mailbox_coe),
		cmocka_unit_test(test_mailbox_entry_point),
		cmocka_unit_test(test_esc_sii),
		cmocka_unit_test(test_esc_error_counters),
		cmocka_unit_test(test_pn_cyclic),
		cmocka_unit_test(test_dcp_set_ip_and_signal),
		cmocka_unit_test(test_dcp_identify_response),
		cmocka_unit_test(test_dcp_malformed),
		cmocka_unit_test(test_alarm),
		cmocka_unit_test(test_ptcp_and_frag),
		cmocka_unit_test(test_pnio_cm_connect),
		cmocka_unit_test(test_pnio_cm_iocr),
		cmocka_unit_test(test_ecat_over_udp),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_lldp_profinet_station),
		cmocka_unit_test(test_lldp_every_truncation),
		cmocka_unit_test(test_lldp_anomalies),
		cmocka_unit_test(test_wire_str_escapes_controls_and_bad_utf8),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
