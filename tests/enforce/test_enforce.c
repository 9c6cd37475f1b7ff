/*
 * Enforcement's fail-open guards on a model fed hand-made frames: an
 * admitted device, an EtherCAT master running the line (in either MAC
 * form) and both ends of a running PROFINET AR are never blocked; a
 * stranger is; the table of blocks and the policy's rule actions.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "alerts/alerts.h"
#include "core/conf.h"
#include "decode/decode.h"
#include "enforce/enforce.h"
#include "ids/ids.h"
#include "model/model.h"

static const uint8_t MASTER[6] = { 0x00, 0x1b, 0x21, 0x00, 0x00, 0x01 };
static const uint8_t CTRL[6] = { 0x00, 0x1b, 0x1b, 0x00, 0x00, 0x01 };
static const uint8_t DEV[6] = { 0x00, 0x1b, 0x1b, 0x00, 0x00, 0x02 };
static const uint8_t STRANGER[6] = { 0x02, 0xde, 0xad, 0x00, 0x00, 0x66 };

static uint64_t now = 1000000000ULL;

/* A PROFINET cyclic RT frame (FrameID 0x8000) from src to dst. */
static void rt(struct model *m, const uint8_t src[6], const uint8_t dst[6],
	       uint16_t cycle)
{
	uint8_t f[64];

	memset(f, 0, sizeof(f));
	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	f[12] = 0x88;
	f[13] = 0x92;
	f[14] = 0x80;
	f[15] = 0x00;
	f[60] = (uint8_t)(cycle >> 8);
	f[61] = (uint8_t)cycle;
	f[62] = 0x35;		/* data status: valid, run, primary */
	now += 1000000;
	model_frame_raw(m, f, sizeof(f), sizeof(f), now, 0);
}

/* An EtherCAT LRW out from the master and back (U/L bit set). */
static void lrw(struct model *m)
{
	uint8_t f[60];
	int back;

	for (back = 0; back < 2; back++) {
		memset(f, 0, sizeof(f));
		memset(f, 0xff, 6);
		memcpy(f + 6, MASTER, 6);
		f[6] |= back ? 0x02 : 0;
		f[12] = 0x88;
		f[13] = 0xa4;
		f[14] = 16;		/* 10 header + 4 data + 2 wkc */
		f[15] = 0x10;
		f[16] = ECAT_LRW;
		f[17] = 1;
		f[22] = 4;		/* length */
		f[30] = back ? 3 : 0;	/* wkc */
		now += 100000;
		model_frame_raw(m, f, sizeof(f), sizeof(f), now, 0);
	}
}

/* Any frame from STRANGER, at +ns: the model's clock moves on. */
static void later(struct model *m, uint64_t ns)
{
	uint8_t f[60];

	memset(f, 0, sizeof(f));
	memset(f, 0xff, 6);
	memcpy(f + 6, STRANGER, 6);
	f[12] = 0x08;
	f[13] = 0x00;
	now += ns;
	model_frame_raw(m, f, sizeof(f), sizeof(f), now, 0);
}

static int guard(struct model *m, const uint8_t mac[6])
{
	char why[256] = "";
	int g = enforce_guard(m, mac, why, sizeof(why));

	assert_true(g == ENFORCE_OK || strlen(why) > 10);
	return g;
}

static void invalid_macs_refused(void **state)
{
	static const uint8_t zero[6], bcast[6] = { 0xff, 0xff, 0xff, 0xff,
						    0xff, 0xff };
	static const uint8_t mcast[6] = { 0x01, 0x0e, 0xcf, 0, 0, 0 };

	(void)state;
	assert_int_equal(guard(NULL, zero), ENFORCE_G_INVALID);
	assert_int_equal(guard(NULL, bcast), ENFORCE_G_INVALID);
	assert_int_equal(guard(NULL, mcast), ENFORCE_G_INVALID);
	assert_int_equal(guard(NULL, STRANGER), ENFORCE_OK);
}

static void running_ar_protects_both_ends(void **state)
{
	struct model *m = model_new(NULL);
	uint16_t i;

	(void)state;
	assert_non_null(m);
	for (i = 0; i < 20; i++) {
		rt(m, CTRL, DEV, i);
		rt(m, DEV, CTRL, i);
	}
	assert_int_equal(guard(m, CTRL), ENFORCE_G_AR);
	assert_int_equal(guard(m, DEV), ENFORCE_G_AR);
	assert_int_equal(guard(m, STRANGER), ENFORCE_OK);
	/* the AR stopped long ago: nothing protects them any more */
	later(m, 3 * ENFORCE_LIVE_NS);
	assert_int_equal(guard(m, CTRL), ENFORCE_OK);
	model_free(m);
}

static void admitted_device_protected(void **state)
{
	struct model *m = model_new(NULL);
	const struct model_device *d;
	char why[128];

	(void)state;
	rt(m, DEV, CTRL, 1);
	later(m, 3 * ENFORCE_LIVE_NS);
	d = model_device_by_mac(m, DEV);
	assert_non_null(d);
	assert_int_equal(guard(m, DEV), ENFORCE_OK);
	assert_int_equal(model_set_lifecycle(m, d->id, "pending", NULL, now,
					     why, sizeof(why)), MODEL_LC_OK);
	assert_int_equal(guard(m, DEV), ENFORCE_OK);
	assert_int_equal(model_set_lifecycle(m, d->id, "commissioned", NULL,
					     now, why, sizeof(why)),
			 MODEL_LC_OK);
	assert_int_equal(guard(m, DEV), ENFORCE_G_ADMITTED);
	assert_int_equal(model_set_lifecycle(m, d->id, "active", NULL, now,
					     why, sizeof(why)), MODEL_LC_OK);
	assert_int_equal(guard(m, DEV), ENFORCE_G_ADMITTED);
	model_free(m);
}

static void running_master_protected_in_both_forms(void **state)
{
	struct model *m = model_new(NULL);
	uint8_t back[6];
	int i;

	(void)state;
	for (i = 0; i < 20; i++)
		lrw(m);
	memcpy(back, MASTER, 6);
	back[0] |= 0x02;
	assert_int_equal(guard(m, MASTER), ENFORCE_G_MASTER);
	assert_int_equal(guard(m, back), ENFORCE_G_MASTER);
	model_free(m);
}

static void table_add_find_expire(void **state)
{
	static struct enforce_tab t;
	struct enforce_block *b;
	uint8_t mac[6] = { 0x02, 0, 0, 0, 0, 0 };
	int i;

	(void)state;
	b = enforce_tab_add(&t, STRANGER);
	assert_non_null(b);
	b->expires_ns = 100;
	assert_ptr_equal(enforce_tab_find(&t, STRANGER), b);
	assert_null(enforce_tab_expired(&t, 99));
	assert_ptr_equal(enforce_tab_expired(&t, 100), b);
	/* adding again renews, never duplicates */
	assert_ptr_equal(enforce_tab_add(&t, STRANGER), b);
	assert_int_equal(t.n, 1);
	assert_null(enforce_tab_expired(&t, 1000));	/* 0: never */
	for (i = 1; i < ENFORCE_MAX; i++) {
		mac[4] = (uint8_t)(i >> 8);
		mac[5] = (uint8_t)i;
		assert_non_null(enforce_tab_add(&t, mac));
	}
	mac[3] = 1;
	assert_null(enforce_tab_add(&t, mac));		/* full */
	enforce_tab_del(&t, enforce_tab_find(&t, STRANGER));
	assert_null(enforce_tab_find(&t, STRANGER));
	assert_int_equal(t.n, ENFORCE_MAX - 1);
}

static int policy(const char *text, struct ids_policy *p, char *err,
		  size_t errlen)
{
	struct conf *c = conf_parse(text, strlen(text), "test.conf", err,
				    errlen);
	int rc;

	assert_non_null(c);
	rc = ids_policy_conf(c, p, err, errlen);
	conf_free(c);
	return rc;
}

static void rule_actions_parsed_and_refused(void **state)
{
	struct ids_policy p;
	char err[256];
	int r = alert_rule_parse("pn.dcp.set_from_stranger");

	(void)state;
	assert_int_equal(policy("[ids]\n", &p, err, sizeof(err)), 0);
	assert_false(p.block[r]);
	assert_int_equal(policy("[ids]\naction = pn.dcp.set_from_stranger "
				"block\n", &p, err, sizeof(err)), 0);
	assert_true(p.block[r]);
	assert_int_equal(policy("[ids]\nblock = pn.dcp.set_from_stranger\n"
				"action = pn.dcp.set_from_stranger alert\n",
				&p, err, sizeof(err)), 0);
	assert_false(p.block[r]);
	assert_int_equal(policy("[ids]\n\naction = pn.dcp.nope block\n", &p,
				err, sizeof(err)), -1);
	assert_non_null(strstr(err, "test.conf:3"));
	assert_non_null(strstr(err, "no rule 'pn.dcp.nope'"));
	assert_int_equal(policy("[ids]\naction = pn.dcp.set_from_stranger "
				"drop\n", &p, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "test.conf:2"));
	assert_non_null(strstr(err, "'drop' is not an action"));
	assert_int_equal(policy("[ids]\naction = pn.dcp.set_from_stranger\n",
				&p, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "give a rule and an action"));
}

static void ttl_words(void **state)
{
	char b[16];

	(void)state;
	enforce_ttl_str(3600, b, sizeof(b));
	assert_string_equal(b, "1h");
	enforce_ttl_str(90, b, sizeof(b));
	assert_string_equal(b, "90s");
	enforce_ttl_str(86400 * 2, b, sizeof(b));
	assert_string_equal(b, "2d");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(invalid_macs_refused),
		cmocka_unit_test(running_ar_protects_both_ends),
		cmocka_unit_test(admitted_device_protected),
		cmocka_unit_test(running_master_protected_in_both_forms),
		cmocka_unit_test(table_add_find_expire),
		cmocka_unit_test(rule_actions_parsed_and_refused),
		cmocka_unit_test(ttl_words),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
