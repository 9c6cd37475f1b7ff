/* iiot-sim's live DCP answers: a tagged request is answered in its VLAN. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../../sim/engine.h"

static const char scenario[] =
	"[profinet-controller plc]\n"
	"[profinet-device io]\ncontroller = plc\ncount = 3\n";

struct seen {
	const uint8_t *tags;
	uint32_t tags_len;
	uint32_t n;
};

/* every answer: the request's tags, then PROFINET Identify response */
static int check_answer(void *ctx, uint64_t ts, const uint8_t *f,
			uint32_t len)
{
	struct seen *s = ctx;
	const uint8_t *p = f + 12 + s->tags_len;

	(void)ts;
	assert_true(len >= 60 + s->tags_len);
	if (s->tags_len)
		assert_memory_equal(f + 12, s->tags, s->tags_len);
	assert_int_equal(p[0] << 8 | p[1], 0x8892);
	assert_int_equal(p[2] << 8 | p[3], PN_FRAME_DCP_IDENT_RSP);
	s->n++;
	return 0;
}

/* Identify All from 02:00:00:00:00:99 with the given tags */
static uint32_t identify_all(uint8_t *buf, const uint8_t *tags,
			     uint32_t tags_len)
{
	static const uint8_t macs[12] = { 0x01, 0x0e, 0xcf, 0, 0, 0,
					  0x02, 0, 0, 0, 0, 0x99 };
	static const uint8_t dcp[] = { 0x88, 0x92, 0xfe, 0xfe, 0x05, 0x00,
				       0, 0, 0x10, 0x01, 0x00, 0x01,
				       0x00, 0x04, 0xff, 0xff, 0, 0 };

	memset(buf, 0, 80);
	memcpy(buf, macs, 12);
	if (tags_len)
		memcpy(buf + 12, tags, tags_len);
	memcpy(buf + 12 + tags_len, dcp, sizeof(dcp));
	return 12 + tags_len + (uint32_t)sizeof(dcp) + 20;
}

static int answers(const struct sim_scenario *sc, const uint8_t *tags,
		   uint32_t tags_len, uint64_t *ignored)
{
	struct seen s = { tags, tags_len, 0 };
	const struct sim_sink sink = { check_answer, &s };
	struct sim_engine *e = engine_new(sc, 1, 0);
	uint8_t req[80];
	int rc;

	assert_non_null(e);
	rc = engine_receive(e, 1000, req, identify_all(req, tags, tags_len));
	assert_int_equal(engine_flush(e, UINT64_MAX, &sink), 0);
	assert_int_equal(s.n, rc > 0 ? rc : 0);
	*ignored = e->dcp_ignored;
	engine_free(e);
	return rc;
}

/*
 * fuzz_sim_dcp trapped on the answer to an 802.1Q (or 0x9100) tagged
 * request, its check of an answer still taking every answer for untagged
 * (seeds identify-*-tagged-answer-trap).  What the answers must be: every
 * device answers, in the request's tags, PROFINET after them.
 */
static void test_tagged_identify_answered_in_its_vlan(void **state)
{
	static const uint8_t q[] = { 0x81, 0x00, 0xc0, 0x05 };
	static const uint8_t qinq[] = { 0x88, 0xa8, 0x00, 0x64,
					0x81, 0x00, 0xc0, 0x05 };
	static const uint8_t old_qinq[] = { 0x91, 0x00, 0x00, 0x07 };
	static const uint8_t three[] = { 0x88, 0xa8, 0x00, 0x64,
					 0x81, 0x00, 0xc0, 0x05,
					 0x81, 0x00, 0x00, 0x06 };
	static struct sim_scenario sc;
	char err[256];
	uint64_t ignored;

	(void)state;
	assert_int_equal(scenario_parse(&sc, scenario, strlen(scenario), "t",
					err, sizeof(err)), 0);
	assert_int_equal(answers(&sc, NULL, 0, &ignored), 3);
	assert_int_equal(answers(&sc, q, sizeof(q), &ignored), 3);
	assert_int_equal(answers(&sc, qinq, sizeof(qinq), &ignored), 3);
	assert_int_equal(answers(&sc, old_qinq, sizeof(old_qinq), &ignored),
			 3);
	/* more tags than a trunk port's mirror puts on: not answered */
	assert_int_equal(answers(&sc, three, sizeof(three), &ignored), 0);
	assert_int_equal(ignored, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tagged_identify_answered_in_its_vlan),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
