/*
 * DCP control frames (daemon/south/dcp_frame.c): the request bytes of
 * each operation as IEC 61158-6-10 lays them out, and the answer check:
 * ours by Xid and destination, a Set's BlockError, a bad length an
 * anomaly and never a result.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "south/dcp.h"

static const uint8_t me[6] = { 0x02, 0, 0, 0, 0, 0x50 };
static const uint8_t dev[6] = { 0x00, 0x0e, 0x8c, 0x10, 0x00, 0x03 };

static struct dcp_request req(enum dcp_op op)
{
	struct dcp_request q;

	memset(&q, 0, sizeof(q));
	q.op = op;
	memcpy(q.src, me, 6);
	memcpy(q.dst, dev, 6);
	q.xid = 0x01020304;
	return q;
}

static void encode_signal(void **state)
{
	static const uint8_t want[] = {
		0x00, 0x0e, 0x8c, 0x10, 0x00, 0x03, 0x02, 0, 0, 0, 0, 0x50,
		0x88, 0x92, 0xfe, 0xfd, 4, 0, 1, 2, 3, 4, 0, 0, 0, 8,
		5, 3, 0, 4, 0, 0, 1, 0,
	};
	struct dcp_request q = req(DCP_OP_SIGNAL);
	uint8_t f[DCP_FRAME_MAX];

	(void)state;
	assert_int_equal(dcp_encode(&q, f, sizeof(f)), DCP_FRAME_MIN);
	assert_memory_equal(f, want, sizeof(want));
	assert_int_equal(f[sizeof(want)], 0);	/* padding */
}

static void encode_identify(void **state)
{
	struct dcp_request q = req(DCP_OP_IDENTIFY);
	uint8_t f[DCP_FRAME_MAX];

	(void)state;
	assert_int_equal(dcp_encode(&q, f, sizeof(f)), DCP_FRAME_MIN);
	assert_memory_equal(f, "\x01\x0e\xcf\x00\x00\x00", 6);
	assert_memory_equal(f + 14, "\xfe\xfe\x05\x00\x01\x02\x03\x04\x00\x01"
			    "\x00\x04\xff\xff\x00\x00", 16);
	strcpy(q.name, "press-7");
	q.response_delay = 200;
	assert_int_equal(dcp_encode(&q, f, sizeof(f)), DCP_FRAME_MIN);
	/* an odd name: length 7, one byte of padding, DCPDataLength 12 */
	assert_memory_equal(f + 22, "\x00\xc8\x00\x0c\x02\x02\x00\x07press-7\x00", 16);
}

static void encode_set_name_ip_reset(void **state)
{
	struct dcp_request q = req(DCP_OP_SET_NAME);
	uint8_t f[DCP_FRAME_MAX];
	char longname[DCP_NAME_MAX + 1];

	(void)state;
	strcpy(q.name, "conveyor-2.line-1");
	q.permanent = true;
	assert_int_equal(dcp_encode(&q, f, sizeof(f)), DCP_FRAME_MIN);
	assert_memory_equal(f + 24, "\x00\x18\x02\x02\x00\x13\x00\x01" "conveyor-2.line-1\x00", 24);
	q.op = DCP_OP_SET_IP;
	q.permanent = false;
	q.ip = 0xc0a80063;
	q.mask = 0xffffff00;
	q.gw = 0xc0a80001;
	assert_int_equal(dcp_encode(&q, f, sizeof(f)), DCP_FRAME_MIN);
	assert_memory_equal(f + 24, "\x00\x12\x01\x02\x00\x0e\x00\x00"
			    "\xc0\xa8\x00\x63\xff\xff\xff\x00\xc0\xa8\x00\x01", 20);
	q.op = DCP_OP_RESET;
	q.reset_mode = DCP_RESET_COMM;
	assert_int_equal(dcp_encode(&q, f, sizeof(f)), DCP_FRAME_MIN);
	assert_memory_equal(f + 24, "\x00\x06\x05\x06\x00\x02\x00\x04", 8);
	q.reset_mode = 5;
	assert_int_equal(dcp_encode(&q, f, sizeof(f)), 0);
	q.op = DCP_OP_SET_NAME;
	memset(longname, 'a', DCP_NAME_MAX);
	longname[DCP_NAME_MAX] = 0;
	strcpy(q.name, longname);	/* one label of 240: labels end at 63 */
	assert_int_equal(dcp_encode(&q, f, sizeof(f)), 0);
}

static void names(void **state)
{
	(void)state;
	assert_true(dcp_name_valid("et200sp-1"));
	assert_true(dcp_name_valid("a.b-c.d0"));
	assert_true(dcp_name_valid("port-001.dev"));
	assert_false(dcp_name_valid(""));
	assert_false(dcp_name_valid("Press"));
	assert_false(dcp_name_valid("-press"));
	assert_false(dcp_name_valid("press-"));
	assert_false(dcp_name_valid("a..b"));
	assert_false(dcp_name_valid("port-001"));
	assert_false(dcp_name_valid("a b"));
	assert_false(dcp_name_valid("a%n"));
}

/* an answer frame from dev to me: header, then raw blocks */
static uint32_t answer(uint8_t *f, uint16_t fid, uint8_t svc, uint8_t type,
		       uint32_t xid, const void *blocks, uint16_t blen,
		       uint16_t claimed)
{
	memset(f, 0, 128);
	memcpy(f, me, 6);
	memcpy(f + 6, dev, 6);
	f[12] = 0x88, f[13] = 0x92;
	f[14] = (uint8_t)(fid >> 8), f[15] = (uint8_t)fid;
	f[16] = svc, f[17] = type;
	f[18] = (uint8_t)(xid >> 24), f[19] = (uint8_t)(xid >> 16);
	f[20] = (uint8_t)(xid >> 8), f[21] = (uint8_t)xid;
	f[24] = (uint8_t)(claimed >> 8), f[25] = (uint8_t)claimed;
	memcpy(f + 26, blocks, blen);
	return 26 + blen < 60 ? 60 : 26 + blen;
}

#define IDENT_BLOCKS							\
	"\x02\x02\x00\x0b\x00\x00" "et200sp-3\x00"			\
	"\x01\x02\x00\x0e\x00\x01\xc0\xa8\x00\x0b\xff\xff\xff\x00\x00\x00\x00\x00"

static void identify_answers(void **state)
{
	struct dcp_request q = req(DCP_OP_IDENTIFY);
	struct dcp_answer a;
	uint8_t f[128];
	uint32_t n;

	(void)state;
	n = answer(f, 0xfeff, 5, 1, q.xid, IDENT_BLOCKS, sizeof(IDENT_BLOCKS) - 1,
		   sizeof(IDENT_BLOCKS) - 1);
	assert_int_equal(dcp_answer_check(&q, f, n, &a), DCP_MATCH_OK);
	assert_string_equal(a.name, "et200sp-3");
	assert_memory_equal(a.mac, dev, 6);
	assert_true(a.has_ip);
	assert_int_equal(a.ip, 0xc0a8000b);
	assert_int_equal(a.ip_info, 1);

	/* filtered by name: another name is a lie, not a device found */
	strcpy(q.name, "et200sp-1");
	assert_int_equal(dcp_answer_check(&q, f, n, &a), DCP_MATCH_BAD);
	assert_int_equal(a.anomaly, DCP_AN_NAME_MISMATCH);
	q.name[0] = 0;

	/* another Xid, another destination: someone else's */
	q.xid++;
	assert_int_equal(dcp_answer_check(&q, f, n, &a), DCP_MATCH_NONE);
	q.xid--;
	f[5] = 0x51;
	assert_int_equal(dcp_answer_check(&q, f, n, &a), DCP_MATCH_NONE);
	f[5] = 0x50;

	/* a block longer than the frame: an anomaly, no result */
	n = answer(f, 0xfeff, 5, 1, q.xid, "\x02\x02\x00\x40\x00\x00" "abc", 9, 9);
	assert_int_equal(dcp_answer_check(&q, f, n, &a), DCP_MATCH_BAD);
	assert_int_equal(a.anomaly, DCP_AN_MALFORMED);
	assert_string_equal(a.detail, "dcp_block_truncated");
	/* DCPDataLength beyond the frame */
	n = answer(f, 0xfeff, 5, 1, q.xid, IDENT_BLOCKS, sizeof(IDENT_BLOCKS) - 1, 400);
	assert_int_equal(dcp_answer_check(&q, f, n, &a), DCP_MATCH_BAD);
	assert_string_equal(a.detail, "dcp_bad_length");
	/* a header cut short */
	assert_int_equal(dcp_answer_check(&q, f, 20, &a), DCP_MATCH_NONE);
	/* the right FrameID with the wrong service */
	n = answer(f, 0xfeff, 3, 1, q.xid, IDENT_BLOCKS, sizeof(IDENT_BLOCKS) - 1,
		   sizeof(IDENT_BLOCKS) - 1);
	assert_int_equal(dcp_answer_check(&q, f, n, &a), DCP_MATCH_BAD);
	assert_int_equal(a.anomaly, DCP_AN_WRONG_SERVICE);
	/* a device reset to factory answers an empty name: no anomaly */
	n = answer(f, 0xfeff, 5, 1, q.xid, "\x02\x02\x00\x02\x00\x00"
		   "\x01\x02\x00\x0e\x00\x00" "\0\0\0\0\0\0\0\0\0\0\0\0", 24, 24);
	assert_int_equal(dcp_answer_check(&q, f, n, &a), DCP_MATCH_OK);
	assert_string_equal(a.name, "");
	assert_int_equal(a.ip, 0);
	/* no name and no IP: nothing identified */
	n = answer(f, 0xfeff, 5, 1, q.xid, "\x02\x03\x00\x06\x00\x00\x00\x2a\x01\x01", 10, 10);
	assert_int_equal(dcp_answer_check(&q, f, n, &a), DCP_MATCH_BAD);
	assert_int_equal(a.anomaly, DCP_AN_NO_IDENTITY);
}

static void set_answers(void **state)
{
	struct dcp_request q = req(DCP_OP_SET_NAME);
	struct dcp_answer a;
	uint8_t f[DCP_FRAME_MAX];
	uint32_t n;

	(void)state;
	strcpy(q.name, "renamed-3");
	n = answer(f, 0xfefd, 4, 1, q.xid, "\x05\x04\x00\x03\x02\x02\x00\x00", 8, 7);
	assert_int_equal(dcp_answer_check(&q, f, n, &a), DCP_MATCH_OK);
	assert_int_equal(a.block_error, 0);
	n = answer(f, 0xfefd, 4, 1, q.xid, "\x05\x04\x00\x03\x02\x02\x05\x00", 8, 7);
	assert_int_equal(dcp_answer_check(&q, f, n, &a), DCP_MATCH_REFUSED);
	assert_int_equal(a.block_error, 5);
	assert_string_equal(dcp_block_error_name(a.block_error),
			    "set not possible by local reasons");
	/* the answer to another option than ours */
	n = answer(f, 0xfefd, 4, 1, q.xid, "\x05\x04\x00\x03\x01\x02\x00\x00", 8, 7);
	assert_int_equal(dcp_answer_check(&q, f, n, &a), DCP_MATCH_BAD);
	assert_int_equal(a.anomaly, DCP_AN_NO_RESULT);
	/* "request not supported" */
	n = answer(f, 0xfefd, 4, 5, q.xid, "", 0, 0);
	assert_int_equal(dcp_answer_check(&q, f, n, &a), DCP_MATCH_REFUSED);
	/* an Identify answer is no answer to a Set */
	n = answer(f, 0xfeff, 5, 1, q.xid, IDENT_BLOCKS, sizeof(IDENT_BLOCKS) - 1,
		   sizeof(IDENT_BLOCKS) - 1);
	assert_int_equal(dcp_answer_check(&q, f, n, &a), DCP_MATCH_NONE);
	/* our own request seen on the wire is no answer */
	n = (uint32_t)dcp_encode(&q, f, sizeof(f));
	assert_int_equal(dcp_answer_check(&q, f, n, &a), DCP_MATCH_NONE);
}

static void op_names(void **state)
{
	int i;

	(void)state;
	for (i = 0; i < DCP_OP_COUNT; i++)
		assert_int_equal(dcp_op_from_name(dcp_op_name(i)), i);
	assert_int_equal(dcp_op_from_name("flash"), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(encode_signal),
		cmocka_unit_test(encode_identify),
		cmocka_unit_test(encode_set_name_ip_reset),
		cmocka_unit_test(names),
		cmocka_unit_test(identify_answers),
		cmocka_unit_test(set_answers),
		cmocka_unit_test(op_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
