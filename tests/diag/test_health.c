/*
 * Health scores (daemon/diag/health.c) from a real model, alert table and
 * diagnostics fed crafted PROFINET frames: a clean link scores 100, a
 * diagnosis on a link counts once on the link and once on its sender, a
 * jitter over half the cycle and an offline sender take their points,
 * cleared alerts take none, and the reasons kept are the heaviest.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "alerts/alerts.h"
#include "decode/decode.h"
#include "diag/diag.h"
#include "diag/health.h"
#include "model/model.h"
#include "pnframe.h"

#define MS 1000000ULL
#define DS_OK (PN_DS_STATE | PN_DS_VALID | PN_DS_RUN | PN_DS_STATION_OK)

struct ctx {
	struct model *m;
	struct alerts *al;
	struct diag *dg;
	struct decoded d;
	uint64_t ts;
	uint16_t cc;
	struct alert open[64];
	size_t nopen;
};

static void ctx_init(struct ctx *c)
{
	memset(c, 0, sizeof(*c));
	c->m = model_new(NULL);
	c->al = alerts_new(NULL);
	c->dg = diag_new(c->al, c->m, NULL);
	assert_non_null(c->dg);
	c->ts = 1000 * MS;
}

static void ctx_free(struct ctx *c)
{
	diag_free(c->dg);
	alerts_free(c->al);
	model_free(c->m);
}

/* one cyclic frame of DEVICE, FrameID 0xC001, dt after the last */
static void pn(struct ctx *c, uint64_t dt, uint8_t ds)
{
	uint8_t f[PN_TEST_FRAME];

	c->cc += 64;
	pn_test_frame(f, c->cc, ds);
	c->ts += dt;
	decode_frame(f, sizeof(f), &c->d);
	assert_int_equal(c->d.proto, DECODE_PN_RT);
	model_frame(c->m, &c->d, c->ts, sizeof(f), 0);
	diag_frame(c->dg, &c->d, c->ts, 0);
}

static void settle(struct ctx *c)
{
	model_tick(c->m, c->ts);
	alerts_set_clock(c->al, c->ts);
	c->nopen = alerts_snapshot(c->al, c->open, 64);
}

static const struct model_device *device(struct ctx *c)
{
	const struct model_device *d = model_device_by_mac(c->m, DEVICE);

	assert_non_null(d);
	return d;
}

static const struct model_link *link0(struct ctx *c)
{
	assert_int_equal(model_link_count(c->m), 1);
	return model_link_at(c->m, 0);
}

static void test_clean_link_scores_100(void **state)
{
	struct ctx c;
	struct health h;
	int i;

	(void)state;
	ctx_init(&c);
	for (i = 0; i < 64; i++)
		pn(&c, 2 * MS, DS_OK);
	settle(&c);
	health_link(c.m, link0(&c), c.open, c.nopen, &h);
	assert_int_equal(h.score, 100);
	assert_int_equal(h.n, 0);
	health_device(c.m, device(&c), c.open, c.nopen, &h);
	assert_int_equal(h.score, 100);
	assert_string_equal(health_grade(h.score), "good");
	ctx_free(&c);
}

/* the STOP is the link's (its FrameID), and the device's through it */
static void test_diagnosis_counts_once_on_link_and_sender(void **state)
{
	struct ctx c;
	struct health h;
	int i;

	(void)state;
	ctx_init(&c);
	for (i = 0; i < 32; i++)
		pn(&c, 2 * MS, DS_OK);
	for (i = 0; i < 4; i++)
		pn(&c, 2 * MS, DS_OK & ~PN_DS_RUN);
	settle(&c);
	assert_int_equal(c.nopen, 1);
	health_link(c.m, link0(&c), c.open, c.nopen, &h);
	assert_int_equal(h.score, 100 - health_rule_points(ALERT_R_PN_PROVIDER_STOP));
	assert_int_equal(h.n, 1);
	assert_string_equal(h.r[0].code, "pn.provider.stop");
	assert_int_equal(h.r[0].alert, c.open[0].id);
	health_device(c.m, device(&c), c.open, c.nopen, &h);
	assert_int_equal(h.n, 1);
	assert_int_equal(h.score, 75);
	assert_int_equal(h.r[0].link, link0(&c)->id);
	assert_non_null(strstr(h.r[0].text, "link 1: "));
	assert_string_equal(health_grade(h.score), "check");
	ctx_free(&c);
}

static void assert_reasons_once_lost(const struct health *h)
{
	unsigned int i;
	int lost = 0, points = 0;

	for (i = 0; i < h->n; i++) {
		assert_string_not_equal(h->r[i].code, "pn.cycle.lost");
		if (!strcmp(h->r[i].code, "lost")) {
			lost++;
			assert_non_null(strstr(h->r[i].text, "2 frames lost"));
		}
		points += h->r[i].points;
	}
	assert_int_equal(lost, 1);
	assert_int_equal(h->more, 0);
	assert_int_equal(h->score, 100 - points);
}

/*
 * Cycle counter gaps are the link's lost frames: the open pn.cycle.lost
 * takes no points of its own beside the "lost" reason that counts them.
 */
static void test_pn_cycle_lost_counts_once(void **state)
{
	struct ctx c;
	struct health h;
	size_t i, nlost = 0;

	(void)state;
	ctx_init(&c);
	for (i = 0; i < 32; i++)
		pn(&c, 2 * MS, DS_OK);
	c.cc += 2 * 64;		/* two frames lost */
	pn(&c, 6 * MS, DS_OK);
	for (i = 0; i < 8; i++)
		pn(&c, 2 * MS, DS_OK);
	settle(&c);
	for (i = 0; i < c.nopen; i++)
		nlost += c.open[i].rule == ALERT_R_PN_CYCLE_LOST;
	assert_int_equal(nlost, 1);
	assert_int_equal(link0(&c)->lost, 2);
	assert_int_equal(health_rule_points(ALERT_R_PN_CYCLE_LOST), 0);
	/* the 6 ms gap is jitter too: the reasons are "lost" and the
	 * jitter, nothing for the alert */
	health_link(c.m, link0(&c), c.open, c.nopen, &h);
	assert_reasons_once_lost(&h);
	health_device(c.m, device(&c), c.open, c.nopen, &h);
	assert_reasons_once_lost(&h);
	ctx_free(&c);
}

static void test_cleared_diagnosis_takes_nothing(void **state)
{
	struct ctx c;
	struct health h;
	int i;

	(void)state;
	ctx_init(&c);
	for (i = 0; i < 32; i++)
		pn(&c, 2 * MS, DS_OK);
	pn(&c, 2 * MS, DS_OK & ~PN_DS_RUN);
	for (i = 0; i < 32; i++)
		pn(&c, 2 * MS, DS_OK);
	settle(&c);
	assert_int_equal(c.nopen, 1);
	assert_int_equal(c.open[0].state, ALERT_ST_CLEARED_UNACK);
	health_device(c.m, device(&c), c.open, c.nopen, &h);
	assert_int_equal(h.score, 100);
	ctx_free(&c);
}

/* every fourth interval 1.2 ms late: p99 1.2 ms over half of 2 ms */
static void test_jitter_over_half_the_cycle(void **state)
{
	struct ctx c;
	struct health h;
	int i;

	(void)state;
	ctx_init(&c);
	for (i = 0; i < 200; i++)
		pn(&c, i % 4 == 3 ? 3200000 : 2 * MS, DS_OK);
	settle(&c);
	health_link(c.m, link0(&c), c.open, c.nopen, &h);
	assert_int_equal(h.n, 1);
	assert_string_equal(h.r[0].code, "jitter");
	assert_int_equal(h.r[0].points, 30);
	assert_true(h.r[0].value > 1100 && h.r[0].value < 1300);
	assert_true(h.r[0].limit == 1000);
	assert_int_equal(h.score, 70);
	ctx_free(&c);
}

static void test_offline_sender_scores_0(void **state)
{
	struct ctx c;
	struct health h;
	json_t *j;
	int i;

	(void)state;
	ctx_init(&c);
	for (i = 0; i < 32; i++)
		pn(&c, 2 * MS, DS_OK);
	c.ts += 60000 * MS;
	settle(&c);
	health_device(c.m, device(&c), c.open, c.nopen, &h);
	assert_int_equal(h.score, 0);
	assert_string_equal(h.r[0].code, "offline");
	health_link(c.m, link0(&c), c.open, c.nopen, &h);
	assert_int_equal(h.score, 0);
	j = health_report_json(c.m, c.open, c.nopen, 0);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(
		json_object_get(j, "summary"), "devices"), "fault")), 1);
	json_decref(j);
	assert_null(health_report_json(c.m, c.open, c.nopen, 999));
	ctx_free(&c);
}

/* every diagnosis open at once: the score stops at 0, the heaviest
 * reasons are kept in order, the rest counted */
static void test_reasons_kept_heaviest_first(void **state)
{
	struct ctx c;
	struct health h;
	struct alert *a = calloc(ALERT_RULE_COUNT, sizeof(*a));
	size_t n = 0;
	unsigned int r, i, total = 0;

	(void)state;
	ctx_init(&c);
	for (i = 0; i < 32; i++)
		pn(&c, 2 * MS, DS_OK);
	settle(&c);
	for (r = 0; r < ALERT_RULE_COUNT; r++) {
		if (!health_rule_points(r))
			continue;
		a[n].id = n + 1;
		a[n].rule = (uint16_t)r;
		a[n].state = ALERT_ST_ACTIVE_ACK;
		a[n].device = device(&c)->id;
		a[n].key = 0xBEEF;	/* on no link */
		total++;
		n++;
	}
	/* an IDS alert is not a diagnosis */
	a[n].id = n + 1;
	a[n].rule = ALERT_R_PN_DCP_SET_STRANGER;
	a[n].state = ALERT_ST_ACTIVE_UNACK;
	a[n++].device = device(&c)->id;
	health_device(c.m, device(&c), a, n, &h);
	assert_int_equal(h.score, 0);
	assert_int_equal(h.n, HEALTH_REASONS);
	assert_int_equal(h.n + h.more, total);
	assert_int_equal(h.r[0].points, 60);
	for (i = 1; i < h.n; i++)
		assert_true(h.r[i - 1].points >= h.r[i].points);
	free(a);
	ctx_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clean_link_scores_100),
		cmocka_unit_test(test_diagnosis_counts_once_on_link_and_sender),
		cmocka_unit_test(test_pn_cycle_lost_counts_once),
		cmocka_unit_test(test_cleared_diagnosis_takes_nothing),
		cmocka_unit_test(test_jitter_over_half_the_cycle),
		cmocka_unit_test(test_offline_sender_scores_0),
		cmocka_unit_test(test_reasons_kept_heaviest_first),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
