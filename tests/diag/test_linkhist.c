/*
 * Link history (daemon/diag/linkhist.c) on a real model fed crafted
 * PROFINET frames: a link gets its series on its first sample with their
 * definitions, its values in µs and its lost frames as deltas; a silent
 * link writes nothing; the series of a link read back from its
 * definitions keep their ids in a new run; definitions that are not
 * series are refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "decode/decode.h"
#include "diag/diag.h"
#include "diag/linkhist.h"
#include "model/model.h"
#include "pnframe.h"

#define MS 1000000ULL
#define DS_OK (PN_DS_STATE | PN_DS_VALID | PN_DS_RUN | PN_DS_STATION_OK)

struct got {
	uint32_t id[64];
	double v[64];
	size_t n;
	uint32_t def[16];
	char key[16][LINKHIST_KEY_MAX];
	char metric[16][24];
	size_t ndef;
};

static bool sample(void *arg, uint32_t id, uint64_t ts, double v)
{
	struct got *g = arg;

	(void)ts;
	if (g->n < 64) {
		g->id[g->n] = id;
		g->v[g->n++] = v;
	}
	return true;
}

static void define(void *arg, uint32_t id, const char *metric,
		   const char *key, const char *unit)
{
	struct got *g = arg;

	(void)unit;
	if (g->ndef < 16) {
		g->def[g->ndef] = id;
		snprintf(g->key[g->ndef], sizeof(g->key[0]), "%s", key);
		snprintf(g->metric[g->ndef++], sizeof(g->metric[0]), "%s",
			 metric);
	}
}

static uint64_t ts = 1000 * MS;
static uint16_t cc;

static void pn(struct model *m, uint16_t step)
{
	uint8_t f[PN_TEST_FRAME];
	struct decoded d;

	cc = (uint16_t)(cc + step);
	pn_test_frame(f, cc, DS_OK);
	ts += 2 * MS;
	decode_frame(f, sizeof(f), &d);
	model_frame(m, &d, ts, sizeof(f), 0);
}

static double value(const struct got *g, uint32_t id)
{
	size_t i;

	for (i = 0; i < g->n; i++)
		if (g->id[i] == id)
			return g->v[i];
	return -1;
}

static void test_series_defined_sampled_and_kept(void **state)
{
	struct model *m = model_new(NULL), *s;
	struct linkhist *h = linkhist_new(), *h2;
	struct got g = { 0 };
	struct linkhist_sink sink = { sample, define, &g };
	const struct model_link *l;
	uint32_t per;
	int i;
	size_t k;

	(void)state;
	for (i = 0; i < 40; i++)
		pn(m, 64);
	s = model_snapshot(m, NULL);
	model_snapshot_finish(s, NULL);
	l = model_link_at(s, 0);
	assert_int_equal(linkhist_series(h, s, l, LH_PERIOD), 0);
	assert_int_equal(linkhist_sample(h, s, ts, &sink), LH_WKC_ERRORS);
	assert_int_equal(g.ndef, LH_COUNT);
	assert_string_equal(g.key[0], "pn:00:0e:8c:30:00:01:0xc001");
	assert_string_equal(g.metric[LH_JITTER_P99], "jitter_p99_us");
	per = linkhist_series(h, s, l, LH_PERIOD);
	assert_int_equal(per, LINKHIST_BASE);
	assert_int_equal(linkhist_metric_of(per + LH_LOST), LH_LOST);
	assert_true(value(&g, per) > 1999 && value(&g, per) < 2001);
	assert_true(value(&g, per + LH_LOST) == 0);	/* the first starts */
	model_snapshot_free(s);

	/* silent: nothing; then 3 frames lost (a counter step of 4 cycles) */
	g.n = 0;
	s = model_snapshot(m, NULL);
	model_snapshot_finish(s, NULL);
	assert_int_equal(linkhist_sample(h, s, ts, &sink), 0);
	model_snapshot_free(s);
	pn(m, 64 * 4);
	for (i = 0; i < 4; i++)
		pn(m, 64);
	s = model_snapshot(m, NULL);
	model_snapshot_finish(s, NULL);
	assert_int_equal(linkhist_sample(h, s, ts, &sink), LH_WKC_ERRORS);
	assert_true(value(&g, per + LH_LOST) == 3);

	/* a new run reads the definitions back: the same link, the same id */
	h2 = linkhist_new();
	for (k = 0; k < g.ndef; k++)
		assert_true(linkhist_load(h2, g.def[k], g.metric[k], g.key[k]));
	assert_int_equal(linkhist_series(h2, s, model_link_at(s, 0), LH_PERIOD),
			 per);
	/* not series: below the base, a metric that does not match its id */
	assert_false(linkhist_load(h2, 5, "period_us", "pn:x"));
	assert_false(linkhist_load(h2, per, "lost", "pn:x"));
	assert_int_equal(linkhist_metric_of(LINKHIST_BASE - 1), -1);
	model_snapshot_free(s);
	linkhist_free(h2);
	linkhist_free(h);
	model_free(m);
}

/* a slave's error counters and DC difference: deltas per port, nothing
 * while it is not read, its ids back in a new run, its units */
static void test_slave_series(void **state)
{
	static const uint8_t mst[6] = { 0x00, 0x1b, 0x21, 0x30, 0x00, 0x01 };
	struct linkhist *h = linkhist_new(), *h2;
	struct got g = { 0 };
	struct linkhist_sink sink = { sample, define, &g };
	struct diag_slave_stat st = { .station = 0x1003, .reads = 1 };
	uint32_t base;
	size_t k;

	(void)state;
	memcpy(st.master, mst, 6);
	st.rx[1] = 7;
	/* DC not converged yet: no DC sample */
	assert_int_equal(linkhist_sample_slaves(h, &st, 1, ts, &sink),
			 LHS_DC_DIFF);
	assert_int_equal(g.ndef, LHS_COUNT);
	assert_string_equal(g.key[0], "ecatslave:00:1b:21:30:00:01:0x1003");
	assert_string_equal(g.metric[LHS_RX_P0 + 1], "rx_errors_p1");
	assert_string_equal(g.metric[LHS_DC_DIFF], "dc_diff_ns");
	base = linkhist_slave_series(h, mst, 0x1003, LHS_RX_P0);
	assert_int_equal(base, LINKHIST_BASE);
	assert_true(value(&g, base + 1) == 0);	/* the first starts */
	assert_string_equal(linkhist_unit_of(h, base + LHS_DC_DIFF), "ns");
	assert_string_equal(linkhist_unit_of(h, base + LHS_LOST_LINKS),
			    "links");
	assert_null(linkhist_unit_of(h, base + LINKHIST_METRICS));
	/* not read since: nothing */
	g.n = 0;
	assert_int_equal(linkhist_sample_slaves(h, &st, 1, ts, &sink), 0);
	st.reads = 2;
	st.rx[1] = 10;
	st.lost_links = 1;
	st.dc_known = true;
	st.dc_diff = -250;
	assert_int_equal(linkhist_sample_slaves(h, &st, 1, ts, &sink),
			 LHS_COUNT);
	assert_true(value(&g, base + 1) == 3);
	assert_true(value(&g, base) == 0);
	assert_true(value(&g, base + LHS_LOST_LINKS) == 1);
	assert_true(value(&g, base + LHS_DC_DIFF) == -250);

	h2 = linkhist_new();
	for (k = 0; k < g.ndef; k++)
		assert_true(linkhist_load(h2, g.def[k], g.metric[k], g.key[k]));
	assert_int_equal(linkhist_slave_series(h2, mst, 0x1003, LHS_DC_DIFF),
			 base + LHS_DC_DIFF);
	assert_string_equal(linkhist_unit_of(h2, base), "errors");
	/* a link's metric name on a slave's key is no definition */
	assert_false(linkhist_load(h2, base, "period_us", g.key[0]));
	linkhist_free(h2);
	linkhist_free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_series_defined_sampled_and_kept),
		cmocka_unit_test(test_slave_series),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
